/* SPDX-License-Identifier: Apache-2.0 */
/* Signed metadata files: Metablock and DSSE envelopes. */
#ifndef INTOTO_ENVELOPE_H
#define INTOTO_ENVELOPE_H

#include "error.h"
#include "json.h"
#include "key.h"

/*
 * An envelope holds one payload (a link or a layout) and its signatures.
 * Metablock: {"signatures": [{"keyid", "sig" (hex)}], "signed": {...}};
 * the signed bytes are the canonical JSON of "signed" as parsed.
 * DSSE: {"payload" (base64), "payloadType", "signatures": [{"keyid",
 * "sig" (base64)}]}; the signed bytes are PAE(payloadType, payload bytes),
 * and the payload is parsed from those exact bytes.
 * The kind is detected per file.
 */
enum intoto_envelope_kind {
    INTOTO_ENVELOPE_METABLOCK = 0,
    INTOTO_ENVELOPE_DSSE = 1
};

#define INTOTO_DSSE_PAYLOAD_TYPE "application/vnd.in-toto+json"

struct intoto_envelope;

/* Load and parse a file.  Caller frees *out with intoto_envelope_free(). */
int intoto_envelope_load(struct intoto_envelope **out, const char *path,
                         struct intoto_error *err);
int intoto_envelope_parse(struct intoto_envelope **out, const char *data,
                          size_t len, const char *name,
                          struct intoto_error *err);

/* A new unsigned envelope around a payload.  The envelope takes ownership
 * of `payload` (the document whose root is the link or layout object). */
int intoto_envelope_new(struct intoto_envelope **out,
                        enum intoto_envelope_kind kind,
                        struct intoto_json_doc *payload,
                        struct intoto_error *err);

void intoto_envelope_free(struct intoto_envelope *env);

enum intoto_envelope_kind
intoto_envelope_kind(const struct intoto_envelope *env);
/* The payload object ("signed", or the parsed DSSE payload).  Borrowed. */
struct intoto_json *intoto_envelope_payload(const struct intoto_envelope *env);
/* The payload's "_type" ("link", "layout") or NULL. */
const char *intoto_envelope_type(const struct intoto_envelope *env);
/* The file name it was loaded from (or "<new>"). */
const char *intoto_envelope_name(const struct intoto_envelope *env);

size_t intoto_envelope_sig_count(const struct intoto_envelope *env);
/* keyid of signature i (may be ""). */
const char *intoto_envelope_sig_keyid(const struct intoto_envelope *env,
                                      size_t i);

/*
 * Check that `key` signed the payload: a signature whose keyid equals
 * intoto_key_id(key) (for DSSE also one with an empty keyid) must verify.
 * Any one valid signature is enough.  INTOTO_OK, INTOTO_EVERIFY (no
 * signature by that key, or none of them valid), or another code when the
 * check could not be made.
 */
int intoto_envelope_verify(const struct intoto_envelope *env,
                           const struct intoto_key *key,
                           struct intoto_error *err);

/* Sign with key, replacing earlier signatures by the same keyid (or, when
 * `append` is 0, all earlier signatures). */
int intoto_envelope_sign(struct intoto_envelope *env,
                         const struct intoto_key *key, int append,
                         struct intoto_error *err);

/* Drop all signatures. */
void intoto_envelope_clear_signatures(struct intoto_envelope *env);

/*
 * Sign a Metablock with gpg (intoto_pgp_sign(): `keyid` NULL is gpg's
 * default key, `home` NULL gpg's default home), replacing an earlier
 * signature by the key that signed.  The new signature comes last:
 * intoto_envelope_sig_keyid(env, intoto_envelope_sig_count(env) - 1) is
 * the fingerprint of the signing key (a subkey when gpg picked one), which
 * names a link file.  INTOTO_EUNSUPPORTED for a DSSE envelope; other
 * errors as intoto_pgp_sign(); the envelope is unchanged on failure.
 */
int intoto_envelope_sign_pgp(struct intoto_envelope *env, const char *keyid,
                             const char *home, struct intoto_error *err);

/* Convert to another kind, dropping the signatures. */
int intoto_envelope_set_kind(struct intoto_envelope *env,
                             enum intoto_envelope_kind kind,
                             struct intoto_error *err);

/* Serialise in the reference's formatting (Metablock: pretty JSON; DSSE:
 * compact JSON) and write atomically (temporary file, then rename). */
int intoto_envelope_write(const struct intoto_envelope *env, const char *path,
                          struct intoto_error *err);
int intoto_envelope_serialize(struct intoto_buf *out,
                              const struct intoto_envelope *env,
                              struct intoto_error *err);

#endif
