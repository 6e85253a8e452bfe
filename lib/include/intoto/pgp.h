/* SPDX-License-Identifier: Apache-2.0 */
/* OpenPGP keys and signatures in the reference's gpg metadata format. */
#ifndef INTOTO_PGP_H
#define INTOTO_PGP_H

#include <stddef.h>

#include "error.h"
#include "json.h"

/*
 * The reference stores an OpenPGP key as a dict: keyid (the 40-hex v4
 * fingerprint), type ("rsa", "eddsa"), method ("pgp+rsa-pkcsv1.5",
 * "pgp+eddsa-ed25519"), hashes, keyval.public ({"e","n"} or {"q"}), and
 * optionally creation_time, validity_period and subkeys (fingerprint ->
 * dict of the same shape).  A signature is {keyid, signature,
 * other_headers}: the hex of the signature MPIs and of the hashed part of
 * the v4 signature packet; the digest covers
 * data || other_headers || 0x04 0xFF || uint32_be(len(other_headers)).
 */

/* 1 when v is an OpenPGP key dict (its "method" starts with "pgp+"). */
int intoto_pgp_is_key(const struct intoto_json *v);

/* 1 when v is an OpenPGP signature object (it has "other_headers"). */
int intoto_pgp_is_signature(const struct intoto_json *sig);

/*
 * Parse OpenPGP packets (binary, as `gpg --export` writes them) holding
 * one primary public key and its subkeys into a key dict built in doc.
 * INTOTO_EPARSE on malformed packets, INTOTO_EUNSUPPORTED for a key
 * algorithm other than RSA or EdDSA (ed25519) or a version other than 4.
 */
int intoto_pgp_parse_key(struct intoto_json **out, struct intoto_json_doc *doc,
                         const unsigned char *data, size_t len,
                         struct intoto_error *err);

/*
 * Export the public key `keyid` (fingerprint or key id) from the gpg
 * keyring in `home` (NULL: gpg's default) by running
 * `gpg --homedir HOME --export KEYID`, and parse it as above.
 * INTOTO_ENOTFOUND when gpg knows no such key, INTOTO_EIO when gpg cannot
 * be run.
 */
int intoto_pgp_export_key(struct intoto_json **out,
                          struct intoto_json_doc *doc, const char *keyid,
                          const char *home, struct intoto_error *err);

/*
 * The key dict that signed with `sigkeyid`: `key` itself when its keyid
 * matches, else the matching entry of its subkeys, else NULL.  Key ids
 * compare case-insensitively; a 16-hex long id matches the tail of a
 * fingerprint.
 */
const struct intoto_json *intoto_pgp_find_key(const struct intoto_json *key,
                                              const char *sigkeyid);

/*
 * Verify the signature object `sig` over data with the key dict `key` (a
 * primary key or subkey dict, not searched).  INTOTO_OK, INTOTO_EVERIFY
 * (bad signature), INTOTO_EUNSUPPORTED, INTOTO_EPARSE (malformed).
 */
int intoto_pgp_verify(const struct intoto_json *key,
                      const struct intoto_json *sig, const void *data,
                      size_t len, struct intoto_error *err);

/*
 * Sign data with gpg as the reference does: `gpg --detach-sign
 * --digest-algo SHA256 [--local-user KEYID] [--homedir HOME]` over the
 * data (passed through a temporary file), then parse the signature packet
 * into {keyid, other_headers, signature} built in doc.  keyid is the
 * 40-hex fingerprint of the key that signed (a subkey when gpg picked
 * one); signature is the RSA MPI, or r || s (each padded to 32 bytes) for
 * Ed25519.  keyid NULL: gpg's default key; home NULL: gpg's default home.
 * gpg runs with --batch and gets 300 seconds (time for gpg-agent to ask
 * for a passphrase).  *sig_out is set only on success; it is owned by doc.
 * INTOTO_ENOTFOUND when gpg has no such secret key, INTOTO_EIO when gpg
 * cannot be run or fails (the message carries gpg's last error line),
 * INTOTO_EUNSUPPORTED for a signature other than a binary v4 SHA-256
 * RSA or EdDSA one, INTOTO_EPARSE when gpg's output is malformed.
 */
int intoto_pgp_sign(struct intoto_json **sig_out,
                    struct intoto_json_doc *doc, const char *keyid,
                    const char *home, const void *data, size_t len,
                    struct intoto_error *err);

#endif
