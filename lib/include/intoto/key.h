/* SPDX-License-Identifier: Apache-2.0 */
/* Keys: loading every supported format, key ids, signing and verifying. */
#ifndef INTOTO_KEY_H
#define INTOTO_KEY_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "json.h"

/*
 * A key is public, or private with its public half.  Supported key types
 * and schemes (SPEC-NOTES 2.3): "rsa" with rsassa-pss-sha256 (also -sha384,
 * -sha512 for verifying), "ecdsa" with ecdsa-sha2-nistp256 / -nistp384,
 * "ed25519" with ed25519.  RSA keys under 2048 bits are refused.
 *
 * Every key has two key ids (SPEC-NOTES 2.2): the legacy form (hash over
 * keytype, scheme, keyid_hash_algorithms, keyval.public) and the new form
 * (without keyid_hash_algorithms).  intoto_key_id() is the id the key is
 * known by: the one chosen at load time, or the one given in a key file or
 * layout.  Signature matching compares signature key ids with that id.
 */
struct intoto_key;

enum intoto_keyid_form {
    INTOTO_KEYID_LEGACY = 0, /* Py1, Go, -k/--layout-keys (the default) */
    INTOTO_KEYID_NEW = 1     /* Py2 --signing-key, --verification-keys */
};

/* Key file formats for writing private keys. */
enum intoto_key_format {
    INTOTO_KEY_PEM = 0,      /* PKCS#8 PEM private, SPKI PEM public */
    INTOTO_KEY_SSLIB = 1     /* securesystemslib JSON (RSA: PKCS#1 PEM) */
};

/*
 * Load a private key from a file: PKCS#1, PKCS#8 or SEC1 PEM (encrypted or
 * not) or a securesystemslib JSON key file (plain or encrypted).
 * `keytype` may be NULL (detect) or "rsa", "ed25519", "ecdsa" (then the
 * file must hold that type).  `password` may be NULL; an encrypted key
 * without one fails with INTOTO_EINVAL and a message saying a password is
 * needed (intoto_key_file_is_encrypted() tells beforehand).  The id form
 * decides intoto_key_id() unless the file names a keyid itself.
 * Caller frees *out with intoto_key_free(); *out is NULL on failure.
 */
int intoto_key_load_private(struct intoto_key **out, const char *path,
                            const char *keytype, const char *password,
                            enum intoto_keyid_form form,
                            struct intoto_error *err);

/* 1 when the private key file at path is encrypted, 0 when not, negative
 * status when it cannot be read. */
int intoto_key_file_is_encrypted(const char *path, struct intoto_error *err);

/* Load a public key: SPKI PEM, a securesystemslib JSON key file, or an
 * unencrypted private key file (PEM or JSON; the private half is dropped).
 * Same conventions; an encrypted private key gives INTOTO_EINVAL (load it
 * with intoto_key_load_private() instead). */
int intoto_key_load_public(struct intoto_key **out, const char *path,
                           const char *keytype, enum intoto_keyid_form form,
                           struct intoto_error *err);

/* A key from a layout's key object (keytype, scheme, keyval.public, and
 * keyid).  `keyid` is the id the layout files it under (its map key); it
 * becomes intoto_key_id().  Unknown keytype/scheme: INTOTO_EUNSUPPORTED. */
int intoto_key_from_json(struct intoto_key **out, const struct intoto_json *v,
                         const char *keyid, struct intoto_error *err);

/*
 * An OpenPGP public key exported from gpg's keyring (`gpg --homedir HOME
 * --export KEYID`; home NULL: gpg's default), as a key whose id is the v4
 * fingerprint.  OpenPGP keys only verify, through intoto_envelope_verify,
 * which also accepts signatures by their subkeys.  A layout key object
 * whose "method" starts with "pgp+" gives such a key through
 * intoto_key_from_json too.  Errors as intoto_pgp_export_key().
 */
int intoto_key_from_gpg(struct intoto_key **out, const char *keyid,
                        const char *home, struct intoto_error *err);

/* The OpenPGP key dict of an OpenPGP key (borrowed), or NULL. */
const struct intoto_json *intoto_key_pgp(const struct intoto_key *key);

/* The public key object for a layout (keyid, keyid_hash_algorithms when
 * the id is legacy, keytype, keyval.public, scheme), built in doc. */
struct intoto_json *intoto_key_to_json(struct intoto_json_doc *doc,
                                       const struct intoto_key *key);

/* Generate a key: type "rsa" (bits >= 2048, default 3072 when 0),
 * "ed25519" or "ecdsa" (P-256). */
int intoto_key_generate(struct intoto_key **out, const char *keytype,
                        int bits, enum intoto_keyid_form form,
                        struct intoto_error *err);

/* Write the private key to path (0600) and the public key to
 * "<path>.pub", atomically, in the given format; password may be NULL. */
int intoto_key_write(const struct intoto_key *key, const char *path,
                     enum intoto_key_format format, const char *password,
                     struct intoto_error *err);

void intoto_key_free(struct intoto_key *key);

/* Borrowed strings, valid until the key is freed. */
const char *intoto_key_id(const struct intoto_key *key);
const char *intoto_key_id_legacy(const struct intoto_key *key);
const char *intoto_key_id_new(const struct intoto_key *key);
const char *intoto_key_type(const struct intoto_key *key);
const char *intoto_key_scheme(const struct intoto_key *key);
/* keyval.public exactly as it is hashed and written. */
const char *intoto_key_public(const struct intoto_key *key);
int intoto_key_has_private(const struct intoto_key *key);
/* Replace the id the key is known by (for example the keyid a file
 * names).  INTOTO_ENOMEM on failure. */
int intoto_key_set_id(struct intoto_key *key, const char *keyid);

/* Sign data with the key's scheme; the raw signature is appended to sig. */
int intoto_key_sign(struct intoto_buf *sig, const struct intoto_key *key,
                    const void *data, size_t len, struct intoto_error *err);

/* INTOTO_OK when sig is a valid signature of data by key, INTOTO_EVERIFY
 * when it is not, other codes when it could not be checked. */
int intoto_key_verify(const struct intoto_key *key, const void *data,
                      size_t len, const void *sig, size_t siglen,
                      struct intoto_error *err);

#endif
