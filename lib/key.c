/* SPDX-License-Identifier: Apache-2.0 */
/* Keys: loading every supported format, key ids, signing and verifying. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <intoto/key.h>
#include <intoto/pgp.h>

#include "base64.h"
#include "fs.h"

#define KEY_FILE_MAX (1024u * 1024u)
#define MIN_RSA_BITS 2048
#define SSLIB_DELIM "@@@@"
#define SSLIB_ITERATIONS 100000
/* Ten times the reference's count; more is a way to stall us. */
#define SSLIB_MAX_ITERATIONS 1000000L

enum key_kind {
    KIND_RSA,
    KIND_ECDSA,
    KIND_ED25519,
    KIND_PGP          /* an OpenPGP key dict; verified by lib/pgp.c */
};

struct intoto_key {
    EVP_PKEY *pkey;
    enum key_kind kind;
    int has_private;
    int legacy;       /* id form, decides keyid_hash_algorithms in to_json */
    char *keytype;
    char *scheme;     /* scheme of the chosen form */
    char *pub;        /* keyval.public of the chosen form */
    char *id;         /* the id the key is known by */
    char id_legacy[65];
    char id_new[65];
    struct intoto_json_doc *pgp;  /* KIND_PGP: a copy of the key dict */
};

/* Signature schemes (SPEC-NOTES 2.3).  The digest is taken from the
 * scheme, never from the key. */
struct scheme_info {
    const char *name;
    enum key_kind kind;
    const char *md;
    int pss;          /* rsa: RSASSA-PSS, else PKCS#1 v1.5 */
};

/* The RSA schemes are those securesystemslib signs with, less its MD5 and
 * SHA-1 ones. */
static const struct scheme_info schemes[] = {
    { "rsassa-pss-sha224", KIND_RSA, "SHA224", 1 },
    { "rsassa-pss-sha256", KIND_RSA, "SHA256", 1 },
    { "rsassa-pss-sha384", KIND_RSA, "SHA384", 1 },
    { "rsassa-pss-sha512", KIND_RSA, "SHA512", 1 },
    { "rsa-pkcs1v15-sha224", KIND_RSA, "SHA224", 0 },
    { "rsa-pkcs1v15-sha256", KIND_RSA, "SHA256", 0 },
    { "rsa-pkcs1v15-sha384", KIND_RSA, "SHA384", 0 },
    { "rsa-pkcs1v15-sha512", KIND_RSA, "SHA512", 0 },
    { "ecdsa-sha2-nistp256", KIND_ECDSA, "SHA256", 0 },
    { "ecdsa-sha2-nistp384", KIND_ECDSA, "SHA384", 0 },
    { "ed25519", KIND_ED25519, NULL, 0 },
};

static const struct scheme_info *
scheme_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (strcmp(schemes[i].name, name) == 0) {
            return &schemes[i];
        }
    }
    return NULL;
}

static const char *
kind_name(enum key_kind kind)
{
    switch (kind) {
    case KIND_RSA:
        return "rsa";
    case KIND_ECDSA:
        return "ecdsa";
    case KIND_ED25519:
        return "ed25519";
    case KIND_PGP:
        return "pgp";
    }
    return "?";
}

/*
 * Set err to "<message>: <OpenSSL reasons>" and empty the OpenSSL error
 * queue completely, so that no stale entry explains a later failure.
 */
static int
ossl_fail(struct intoto_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ossl_fail(struct intoto_error *err, int code, const char *fmt, ...)
{
    char msg[1024];
    char detail[1024];
    size_t used = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    detail[0] = '\0';
    for (;;) {
        unsigned long e = ERR_get_error();
        const char *reason;
        int n;

        if (e == 0) {
            break;
        }
        if (used >= sizeof(detail) - 1) {
            continue;
        }
        reason = ERR_reason_error_string(e);
        n = snprintf(detail + used, sizeof(detail) - used, "%s%s",
                     used > 0 ? "; " : "", reason ? reason : "unknown");
        used += n > 0 ? (size_t)n : 0;
    }
    if (detail[0] != '\0') {
        return intoto_error_set(err, code, "%s: %s", msg, detail);
    }
    return intoto_error_set(err, code, "%s", msg);
}

static char *
dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Wipe and release a buffer that may have held secrets. */
static void
buf_wipe_release(struct intoto_buf *b)
{
    intoto_buf_wipe(b);
    intoto_buf_release(b);
}

void
intoto_key_free(struct intoto_key *key)
{
    if (key == NULL) {
        return;
    }
    EVP_PKEY_free(key->pkey);
    intoto_json_doc_free(key->pgp);
    free(key->keytype);
    free(key->scheme);
    free(key->pub);
    free(key->id);
    free(key);
}

/* ---- key objects and key ids (SPEC-NOTES 2.2) ---- */

static int
set_str(struct intoto_json_doc *doc, struct intoto_json *obj,
        const char *name, const char *value)
{
    struct intoto_json *v = intoto_json_new_str(doc, value);

    if (v == NULL) {
        return INTOTO_ENOMEM;
    }
    return intoto_json_set(doc, obj, name, v);
}

/* {"keyid"?, "keyid_hash_algorithms"?, "keytype", "keyval": {"public"},
 * "scheme"}; members are added in sorted order. */
static struct intoto_json *
build_key_object(struct intoto_json_doc *doc, const char *keyid,
                 int legacy, const char *keytype, const char *scheme,
                 const char *pub)
{
    struct intoto_json *obj = intoto_json_new_object(doc);
    struct intoto_json *algs = NULL;
    struct intoto_json *keyval = NULL;
    int rc = INTOTO_ENOMEM;

    if (obj == NULL) {
        goto out;
    }
    if (keyid != NULL && set_str(doc, obj, "keyid", keyid) != INTOTO_OK) {
        goto out;
    }
    if (legacy) {
        algs = intoto_json_new_array(doc);
        if (algs == NULL ||
            intoto_json_append(doc, algs, intoto_json_new_str(doc, "sha256"))
                != INTOTO_OK ||
            intoto_json_append(doc, algs, intoto_json_new_str(doc, "sha512"))
                != INTOTO_OK ||
            intoto_json_set(doc, obj, "keyid_hash_algorithms", algs)
                != INTOTO_OK) {
            goto out;
        }
    }
    keyval = intoto_json_new_object(doc);
    if (keyval == NULL || set_str(doc, obj, "keytype", keytype) != INTOTO_OK ||
        set_str(doc, keyval, "public", pub) != INTOTO_OK ||
        intoto_json_set(doc, obj, "keyval", keyval) != INTOTO_OK ||
        set_str(doc, obj, "scheme", scheme) != INTOTO_OK) {
        goto out;
    }
    rc = INTOTO_OK;

out:
    return rc == INTOTO_OK ? obj : NULL;
}

/* sha256 hex of the canonical JSON of the public key object. */
static int
compute_keyid(char out[65], int legacy, const char *keytype,
              const char *scheme, const char *pub, struct intoto_error *err)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *obj;
    struct intoto_buf canon, hex;
    unsigned char md[32];
    int rc = INTOTO_ENOMEM;

    intoto_buf_init(&canon);
    intoto_buf_init(&hex);
    if (doc == NULL) {
        goto out;
    }
    obj = build_key_object(doc, NULL, legacy, keytype, scheme, pub);
    if (obj == NULL) {
        goto out;
    }
    rc = intoto_json_canonical(&canon, obj);
    if (rc != INTOTO_OK) {
        goto out;
    }

    if (EVP_Digest(canon.data, canon.len, md, NULL, EVP_sha256(), NULL) != 1) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "cannot hash key");
        goto out;
    }
    rc = intoto__hex_encode(&hex, md, sizeof(md));
    if (rc != INTOTO_OK) {
        goto out;
    }
    memcpy(out, hex.data, 65);

out:
    if (rc == INTOTO_ENOMEM) {
        intoto_error_set(err, rc, "out of memory");
    }
    intoto_buf_release(&canon);
    intoto_buf_release(&hex);
    intoto_json_doc_free(doc);
    return rc;
}

/*
 * Finish a key: compute both ids over the public text of each form and
 * take the one of `form`.  `pub_legacy`/`scheme_legacy` and
 * `pub_new`/`scheme_new` differ only for keys read from PEM.
 */
static int
key_finish(struct intoto_key *key, enum intoto_keyid_form form,
           const char *pub_legacy, const char *scheme_legacy,
           const char *pub_new, const char *scheme_new,
           struct intoto_error *err)
{
    int legacy = form == INTOTO_KEYID_LEGACY;
    int rc;

    rc = compute_keyid(key->id_legacy, 1, key->keytype, scheme_legacy,
                       pub_legacy, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    rc = compute_keyid(key->id_new, 0, key->keytype, scheme_new, pub_new,
                       err);
    if (rc != INTOTO_OK) {
        return rc;
    }

    key->legacy = legacy;
    key->scheme = dupstr(legacy ? scheme_legacy : scheme_new);
    key->pub = dupstr(legacy ? pub_legacy : pub_new);
    key->id = dupstr(legacy ? key->id_legacy : key->id_new);
    if (key->scheme == NULL || key->pub == NULL || key->id == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
}

/* ---- PEM and raw keys ---- */

static int
pem_public_text(struct intoto_buf *out, EVP_PKEY *pkey,
                struct intoto_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;
    int rc;

    if (bio == NULL || PEM_write_bio_PUBKEY(bio, pkey) != 1) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "cannot encode public key");
        goto out;
    }
    n = BIO_get_mem_data(bio, &data);
    rc = intoto_buf_add(out, data, n > 0 ? (size_t)n : 0);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }

out:
    BIO_free(bio);
    return rc;
}

/* The curve of an EC key, when it is one this project supports. */
static int
ec_curve_bits(EVP_PKEY *pkey, const char *name, struct intoto_error *err)
{
    char group[64];
    size_t len = 0;

    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1) {
        return ossl_fail(err, INTOTO_EUNSUPPORTED,
                         "'%s': ecdsa key without a named curve", name);
    }
    if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) {
        return 256;
    }
    if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) {
        return 384;
    }
    return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                            "'%s': unsupported ecdsa curve '%s' (P-256 and "
                            "P-384 are supported)", name, group);
}

static int
pkey_kind(enum key_kind *out, EVP_PKEY *pkey, const char *name,
          struct intoto_error *err)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
        *out = KIND_RSA;
        return INTOTO_OK;
    case EVP_PKEY_EC:
        *out = KIND_ECDSA;
        return INTOTO_OK;
    case EVP_PKEY_ED25519:
        *out = KIND_ED25519;
        return INTOTO_OK;
    default:
        break;
    }
    return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                            "'%s': unsupported key type '%s'", name,
                            EVP_PKEY_get0_type_name(pkey));
}

static int
ed25519_public_hex(struct intoto_buf *out, EVP_PKEY *pkey,
                   struct intoto_error *err)
{
    unsigned char raw[32];
    size_t len = sizeof(raw);

    if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != 32) {
        return ossl_fail(err, INTOTO_ECRYPTO, "cannot read ed25519 key");
    }
    return intoto__hex_encode(out, raw, len);
}

/* The keyval.public text and schemes of each id form for a key read from
 * PEM or generated (SPEC-NOTES 2.2). */
static int
key_from_pkey_texts(struct intoto_key *key, enum intoto_keyid_form form,
                    const char *name, struct intoto_error *err)
{
    struct intoto_buf pub;
    const char *legacy_scheme = "ed25519";
    const char *new_scheme = "ed25519";
    int rc;
    int bits;

    intoto_buf_init(&pub);
    if (key->kind == KIND_ED25519) {
        rc = ed25519_public_hex(&pub, key->pkey, err);
        if (rc != INTOTO_OK) {
            goto out;
        }
        rc = key_finish(key, form, pub.data, legacy_scheme, pub.data,
                        new_scheme, err);
        goto out;
    }

    rc = pem_public_text(&pub, key->pkey, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    if (key->kind == KIND_RSA) {
        char *legacy_pub = strndup(pub.data, pub.len - 1);

        if (legacy_pub == NULL) {
            rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
            goto out;
        }
        rc = key_finish(key, form, legacy_pub, "rsassa-pss-sha256", pub.data,
                        "rsassa-pss-sha256", err);
        free(legacy_pub);
        goto out;
    }

    bits = ec_curve_bits(key->pkey, name, err);
    if (bits < 0) {
        rc = bits;
        goto out;
    }
    legacy_scheme = bits == 384 ? "ecdsa-sha2-nistp384"
                                : "ecdsa-sha2-nistp256";
    rc = key_finish(key, form, pub.data, legacy_scheme, pub.data,
                    "ecdsa-sha2-nistp256", err);

out:
    intoto_buf_release(&pub);
    return rc;
}

/* A key around pkey (taken over, freed on failure). */
static int
key_from_pkey(struct intoto_key **out, EVP_PKEY *pkey, int has_private,
              enum intoto_keyid_form form, const char *name,
              struct intoto_error *err)
{
    struct intoto_key *key = calloc(1, sizeof(*key));
    int rc;

    *out = NULL;
    if (key == NULL) {
        EVP_PKEY_free(pkey);
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    key->pkey = pkey;
    key->has_private = has_private;
    rc = pkey_kind(&key->kind, pkey, name, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    key->keytype = strdup(kind_name(key->kind));
    if (key->keytype == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }

    rc = key_from_pkey_texts(key, form, name, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    *out = key;
    key = NULL;

out:
    intoto_key_free(key);
    return rc;
}

struct pw_ctx {
    const char *password;
    int asked;
};

/* OpenSSL asks for the PEM password here; without one, fail instead of
 * letting OpenSSL prompt on the terminal. */
static int
pw_callback(char *buf, int size, int rwflag, void *u)
{
    struct pw_ctx *ctx = u;
    size_t len;

    (void)rwflag;
    ctx->asked = 1;
    if (ctx->password == NULL) {
        return -1;
    }
    len = strlen(ctx->password);
    if (size < 0 || len > (size_t)size) {
        return -1;
    }
    memcpy(buf, ctx->password, len);
    return (int)len;
}

/*
 * 1 when an RSA private key's numbers fit together: n = p q and
 * e d = 1 mod p-1 and mod q-1 (OpenSSL's own pairwise check also tests
 * p and q for primality, a tenth of a second for a 3072-bit key).
 */
static int
rsa_pair_ok(EVP_PKEY *pkey)
{
    BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL;
    BIGNUM *t = NULL;
    BN_CTX *ctx = BN_CTX_new();
    int ok = 0;

    if (ctx == NULL || (t = BN_new()) == NULL ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, &q) != 1) {
        goto out;
    }
    if (BN_mul(t, p, q, ctx) != 1 || BN_cmp(t, n) != 0 ||
        BN_sub_word(p, 1) != 1 || BN_sub_word(q, 1) != 1 ||
        BN_is_zero(p) || BN_is_zero(q) ||
        BN_mod_mul(t, e, d, p, ctx) != 1 || !BN_is_one(t) ||
        BN_mod_mul(t, e, d, q, ctx) != 1 || !BN_is_one(t)) {
        goto out;
    }
    ok = 1;

out:
    BN_free(n);
    BN_free(e);
    BN_clear_free(d);
    BN_clear_free(p);
    BN_clear_free(q);
    BN_clear_free(t);
    BN_CTX_free(ctx);
    return ok;
}

/* 1 when the public half of a private key belongs to its private half:
 * a damaged key would sign what its own public key does not verify. */
static int
pair_ok(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx;
    int ok;

    if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) {
        return rsa_pair_ok(pkey);
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    ok = ctx != NULL && EVP_PKEY_pairwise_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static int
pem_read_private(EVP_PKEY **out, const char *data, size_t len,
                 const char *password, const char *name,
                 struct intoto_error *err)
{
    struct pw_ctx ctx = { password, 0 };
    BIO *bio;

    *out = NULL;
    if (len > INT32_MAX) {
        return intoto_error_set(err, INTOTO_EINVAL, "'%s': too large", name);
    }
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        return ossl_fail(err, INTOTO_ENOMEM, "out of memory");
    }
    *out = PEM_read_bio_PrivateKey_ex(bio, NULL, pw_callback, &ctx, NULL,
                                      NULL);
    BIO_free(bio);
    if (*out != NULL && !pair_ok(*out)) {
        ERR_clear_error();
        EVP_PKEY_free(*out);
        *out = NULL;
        return intoto_error_set(err, INTOTO_EPARSE,
                                "'%s': the private key is damaged (its "
                                "public half does not match)", name);
    }
    if (*out != NULL) {
        ERR_clear_error();
        return INTOTO_OK;
    }
    if (ctx.asked && password == NULL) {
        ERR_clear_error();
        return intoto_error_set(err, INTOTO_EINVAL,
                                "'%s': the key is encrypted; a password is "
                                "needed", name);
    }
    if (ctx.asked) {
        return ossl_fail(err, INTOTO_EINVAL,
                         "'%s': cannot decrypt the key (wrong password?)",
                         name);
    }
    return ossl_fail(err, INTOTO_EPARSE,
                     "'%s': cannot read the PEM private key (damaged or "
                     "truncated?)", name);
}

static int
pem_read_public(EVP_PKEY **out, const char *data, size_t len,
                const char *name, struct intoto_error *err)
{
    BIO *bio;

    *out = NULL;
    if (len > INT32_MAX) {
        return intoto_error_set(err, INTOTO_EINVAL, "'%s': too large", name);
    }
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        return ossl_fail(err, INTOTO_ENOMEM, "out of memory");
    }
    *out = PEM_read_bio_PUBKEY_ex(bio, NULL, NULL, NULL, NULL, NULL);
    BIO_free(bio);
    if (*out == NULL) {
        return ossl_fail(err, INTOTO_EPARSE,
                         "'%s': not a valid PEM public key", name);
    }
    ERR_clear_error();
    return INTOTO_OK;
}

/* A public-only copy of pkey (the private half is dropped). */
static int
public_only(EVP_PKEY **out, EVP_PKEY *pkey, const char *name,
            struct intoto_error *err)
{
    struct intoto_buf pem;
    int rc;

    intoto_buf_init(&pem);
    rc = pem_public_text(&pem, pkey, err);
    if (rc == INTOTO_OK) {
        rc = pem_read_public(out, pem.data, pem.len, name, err);
    }
    intoto_buf_release(&pem);
    return rc;
}

/* ---- securesystemslib key objects ---- */

static int
keytype_kind(enum key_kind *out, const char *keytype)
{
    if (strcmp(keytype, "rsa") == 0) {
        *out = KIND_RSA;
    } else if (strcmp(keytype, "ed25519") == 0) {
        *out = KIND_ED25519;
    } else if (strcmp(keytype, "ecdsa") == 0 ||
               strcmp(keytype, "ecdsa-sha2-nistp256") == 0 ||
               strcmp(keytype, "ecdsa-sha2-nistp384") == 0) {
        /* Older securesystemslib named the ecdsa keytype after the
         * scheme. */
        *out = KIND_ECDSA;
    } else {
        return INTOTO_EUNSUPPORTED;
    }
    return INTOTO_OK;
}

static int
ed25519_from_hex(EVP_PKEY **out, const char *hex, int private,
                 const char *name, struct intoto_error *err)
{
    struct intoto_buf raw;
    int rc;

    *out = NULL;
    intoto_buf_init(&raw);
    rc = intoto__hex_decode(&raw, hex, strlen(hex));
    /* A private value may be the 32-byte seed or seed and public key. */
    if (rc != INTOTO_OK || !(raw.len == 32 || (private && raw.len == 64))) {
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "'%s': ed25519 %s key is not 64 hex digits",
                              name, private ? "private" : "public");
        goto out;
    }
    if (private) {
        *out = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL,
                                               (unsigned char *)raw.data, 32);
    } else {
        *out = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL,
                                              (unsigned char *)raw.data, 32);
    }
    if (*out == NULL) {
        rc = ossl_fail(err, INTOTO_EPARSE, "'%s': invalid ed25519 key", name);
    }

out:
    buf_wipe_release(&raw);
    return rc;
}

/* The EVP key of keyval.public or keyval.private of a key object. */
static int
object_pkey(EVP_PKEY **out, enum key_kind kind, const char *text,
            int private, const char *name, struct intoto_error *err)
{
    enum key_kind got;
    int rc;

    if (kind == KIND_ED25519) {
        return ed25519_from_hex(out, text, private, name, err);
    }
    if (private) {
        rc = pem_read_private(out, text, strlen(text), NULL, name, err);
    } else {
        rc = pem_read_public(out, text, strlen(text), name, err);
    }
    if (rc != INTOTO_OK) {
        return rc;
    }
    rc = pkey_kind(&got, *out, name, err);
    if (rc == INTOTO_OK && got != kind) {
        rc = intoto_error_set(err, INTOTO_EINVAL,
                              "'%s': keyval holds an %s key, keytype says %s",
                              name, kind_name(got), kind_name(kind));
    }
    if (rc == INTOTO_OK && kind == KIND_ECDSA) {
        int bits = ec_curve_bits(*out, name, err);

        rc = bits < 0 ? bits : INTOTO_OK;
    }
    if (rc != INTOTO_OK) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Load the private half and check that it belongs to the public one. */
static int
object_private(struct intoto_key *key, const struct intoto_json *keyval,
               const char *name, struct intoto_error *err)
{
    const char *text = intoto_json_str(intoto_json_get(keyval, "private"));
    EVP_PKEY *priv = NULL;
    int rc;

    if (text == NULL || text[0] == '\0') {
        return intoto_error_set(err, INTOTO_EINVAL,
                                "'%s' holds no private key", name);
    }
    rc = object_pkey(&priv, key->kind, text, 1, name, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (EVP_PKEY_eq(priv, key->pkey) != 1) {
        ERR_clear_error();
        EVP_PKEY_free(priv);
        return intoto_error_set(err, INTOTO_EINVAL,
                                "'%s': private and public key do not match",
                                name);
    }
    EVP_PKEY_free(key->pkey);
    key->pkey = priv;
    key->has_private = 1;
    return INTOTO_OK;
}

/* keytype and scheme of a key object: known, and made for each other. */
static int
object_kind(struct intoto_key *key, const char *keytype, const char *scheme,
            const char *name, struct intoto_error *err)
{
    const struct scheme_info *info = scheme_find(scheme);

    if (keytype_kind(&key->kind, keytype) != INTOTO_OK || info == NULL ||
        info->kind != key->kind) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "'%s': unsupported keytype '%s' with scheme "
                                "'%s'", name, keytype, scheme);
    }
    key->keytype = strdup(keytype);
    if (key->keytype == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
}

/*
 * A key from a securesystemslib key object (a JSON key file or a layout's
 * key).  Both id forms hash keyval.public exactly as written.
 */
static int
key_from_object(struct intoto_key **out, const struct intoto_json *obj,
                int want_private, enum intoto_keyid_form form,
                const char *name, struct intoto_error *err)
{
    const char *keytype = intoto_json_str(intoto_json_get(obj, "keytype"));
    const char *scheme = intoto_json_str(intoto_json_get(obj, "scheme"));
    struct intoto_json *keyval = intoto_json_get(obj, "keyval");
    const char *pub = intoto_json_str(intoto_json_get(keyval, "public"));
    struct intoto_key *key = NULL;
    int rc;

    *out = NULL;
    if (!intoto_json_is(obj, INTOTO_JSON_OBJECT) || keytype == NULL ||
        scheme == NULL || pub == NULL) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "'%s': key lacks keytype, scheme or "
                                "keyval.public", name);
    }
    key = calloc(1, sizeof(*key));
    if (key == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    rc = object_kind(key, keytype, scheme, name, err);
    if (rc != INTOTO_OK) {
        goto out;
    }

    rc = object_pkey(&key->pkey, key->kind, pub, 0, name, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    if (want_private) {
        rc = object_private(key, keyval, name, err);
        if (rc != INTOTO_OK) {
            goto out;
        }
    }
    rc = key_finish(key, form, pub, scheme, pub, scheme, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    *out = key;
    key = NULL;

out:
    intoto_key_free(key);
    return rc;
}

/* An OpenPGP key dict (lib/pgp.c verifies with it).  Its id is the v4
 * fingerprint the dict names, in both id forms. */
static int
key_from_pgp(struct intoto_key **out, const struct intoto_json *dict,
             const char *keyid, struct intoto_error *err)
{
    const char *own = intoto_json_str(intoto_json_get(dict, "keyid"));
    const char *type = intoto_json_str(intoto_json_get(dict, "type"));
    const char *method = intoto_json_str(intoto_json_get(dict, "method"));
    struct intoto_key *key = NULL;
    struct intoto_json *copy;
    struct intoto_buf pub;
    int rc = INTOTO_OK;

    *out = NULL;
    if (own == NULL || strlen(own) >= sizeof(key->id_new) ||
        method == NULL ||
        !intoto_json_is(intoto_json_get(intoto_json_get(dict, "keyval"),
                                        "public"), INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "OpenPGP key %s lacks keyid, method or "
                                "keyval.public",
                                keyid ? keyid : "(unnamed)");
    }
    key = calloc(1, sizeof(*key));
    if (key == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    key->kind = KIND_PGP;
    key->pgp = intoto_json_doc_new();
    copy = key->pgp ? intoto_json_copy(key->pgp, dict) : NULL;
    key->keytype = strdup(type ? type : "pgp");
    key->scheme = strdup(method);
    /* keyval.public as canonical JSON: two keys are the same key exactly
     * when these strings are equal. */
    intoto_buf_init(&pub);
    if (intoto_json_canonical(&pub, intoto_json_get(intoto_json_get(dict,
                                                    "keyval"), "public")) ==
        INTOTO_OK) {
        key->pub = intoto_buf_detach(&pub, NULL);
    }
    intoto_buf_release(&pub);
    key->id = strdup(keyid ? keyid : own);
    if (copy == NULL || key->keytype == NULL || key->scheme == NULL ||
        key->pub == NULL || key->id == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        intoto_key_free(key);
        return rc;
    }
    intoto_json_set_root(key->pgp, copy);
    snprintf(key->id_legacy, sizeof(key->id_legacy), "%s", own);
    snprintf(key->id_new, sizeof(key->id_new), "%s", own);
    *out = key;
    return INTOTO_OK;
}

int
intoto_key_from_gpg(struct intoto_key **out, const char *keyid,
                    const char *home, struct intoto_error *err)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *dict = NULL;
    int rc;

    *out = NULL;
    if (doc == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    rc = intoto_pgp_export_key(&dict, doc, keyid, home, err);
    if (rc == INTOTO_OK) {
        rc = key_from_pgp(out, dict, NULL, err);
    }
    intoto_json_doc_free(doc);
    return rc;
}

const struct intoto_json *
intoto_key_pgp(const struct intoto_key *key)
{
    return key->kind == KIND_PGP ? intoto_json_root(key->pgp) : NULL;
}

int
intoto_key_from_json(struct intoto_key **out, const struct intoto_json *v,
                     const char *keyid, struct intoto_error *err)
{
    const char *own = intoto_json_str(intoto_json_get(v, "keyid"));
    int legacy = intoto_json_get(v, "keyid_hash_algorithms") != NULL;
    const char *name = keyid ? keyid : own ? own : "key";
    int rc;

    if (intoto_pgp_is_key(v)) {
        return key_from_pgp(out, v, keyid, err);
    }

    rc = key_from_object(out, v, 0,
                         legacy ? INTOTO_KEYID_LEGACY : INTOTO_KEYID_NEW,
                         name, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (keyid == NULL) {
        keyid = own;
    }
    if (keyid != NULL) {
        rc = intoto_key_set_id(*out, keyid);
    }
    if (rc != INTOTO_OK) {
        intoto_key_free(*out);
        *out = NULL;
        intoto_error_set(err, rc, "out of memory");
    }
    return rc;
}

struct intoto_json *
intoto_key_to_json(struct intoto_json_doc *doc, const struct intoto_key *key)
{
    if (key->kind == KIND_PGP) {
        return intoto_json_copy(doc, intoto_json_root(key->pgp));
    }
    return build_key_object(doc, key->id, key->legacy, key->keytype,
                            key->scheme, key->pub);
}

/* ---- securesystemslib encrypted key files ("Key files written by Py1
 * keygen" in SPEC-NOTES): hex(salt)@@@@iterations@@@@hex(hmac)@@@@hex(iv)
 * @@@@hex(ciphertext); PBKDF2-HMAC-SHA256 gives the AES-256-CTR key, which
 * also keys an HMAC-SHA256 over the ciphertext. ---- */

struct sslib_fields {
    struct intoto_buf salt, hmac, iv, ct;
    long iterations;
};

static void
sslib_fields_release(struct sslib_fields *f)
{
    intoto_buf_release(&f->salt);
    intoto_buf_release(&f->hmac);
    intoto_buf_release(&f->iv);
    intoto_buf_release(&f->ct);
}

static int
sslib_split(struct sslib_fields *f, const char *data, size_t len)
{
    struct intoto_buf *hexes[5] = { &f->salt, NULL, &f->hmac, &f->iv,
                                    &f->ct };
    const char *p = data;
    const char *end = data + len;
    size_t i;

    while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
                       end[-1] == ' ')) {
        end--;
    }
    for (i = 0; i < 5; i++) {
        const char *sep = memmem(p, (size_t)(end - p), SSLIB_DELIM, 4);
        const char *stop = i == 4 ? end : sep;
        char num[16];
        size_t n;

        if ((i < 4) != (sep != NULL) || stop == NULL) {
            return INTOTO_EPARSE;
        }
        n = (size_t)(stop - p);
        if (hexes[i] != NULL) {
            if (intoto__hex_decode(hexes[i], p, n) != INTOTO_OK) {
                return INTOTO_EPARSE;
            }
        } else if (n == 0 || n >= sizeof(num) ||
                   strspn(p, "0123456789") < n) {
            return INTOTO_EPARSE;
        } else {
            memcpy(num, p, n);
            num[n] = '\0';
            f->iterations = strtol(num, NULL, 10);
        }
        p = stop + 4;
    }
    if (f->iterations < 1 || f->iterations > SSLIB_MAX_ITERATIONS ||
        f->hmac.len != 32 || f->iv.len != 16 || f->salt.len == 0) {
        return INTOTO_EPARSE;
    }
    return INTOTO_OK;
}

/* AES-256-CTR; encryption and decryption are the same operation. */
static int
aes_ctr(struct intoto_buf *out, const unsigned char key[32],
        const unsigned char iv[16], const void *in, size_t len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    int rc = INTOTO_ECRYPTO;

    if (ctx == NULL || len > INT32_MAX ||
        intoto_buf_grow(out, len + 16) != INTOTO_OK) {
        goto out;
    }
    if (EVP_CipherInit_ex2(ctx, EVP_aes_256_ctr(), key, iv, 1, NULL) != 1 ||
        EVP_CipherUpdate(ctx, (unsigned char *)out->data + out->len, &n1,
                         in, (int)len) != 1 ||
        EVP_CipherFinal_ex(ctx, (unsigned char *)out->data + out->len + n1,
                           &n2) != 1) {
        goto out;
    }
    out->len += (size_t)n1 + (size_t)n2;
    out->data[out->len] = '\0';
    rc = INTOTO_OK;

out:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static int
sslib_derive(unsigned char key[32], const char *password,
             const struct intoto_buf *salt, long iterations)
{
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password),
                          (const unsigned char *)salt->data, (int)salt->len,
                          (int)iterations, EVP_sha256(), 32, key) != 1) {
        return INTOTO_ECRYPTO;
    }
    return INTOTO_OK;
}

static int
hmac_sha256(unsigned char mac[32], const unsigned char key[32],
            const void *data, size_t len)
{
    size_t maclen = 0;

    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, data, len,
                  mac, 32, &maclen) == NULL || maclen != 32) {
        return INTOTO_ECRYPTO;
    }
    return INTOTO_OK;
}

/* Check the HMAC, then decrypt into plain. */
static int
sslib_decrypt(struct intoto_buf *plain, const char *data, size_t len,
              const char *password, const char *name,
              struct intoto_error *err)
{
    struct sslib_fields f;
    unsigned char key[32];
    unsigned char mac[32];
    int rc;

    memset(&f, 0, sizeof(f));
    if (password == NULL) {
        return intoto_error_set(err, INTOTO_EINVAL,
                                "'%s': the key is encrypted; a password is "
                                "needed", name);
    }
    rc = sslib_split(&f, data, len);
    if (rc != INTOTO_OK) {
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "'%s': malformed encrypted key file", name);
        goto out;
    }

    rc = sslib_derive(key, password, &f.salt, f.iterations);
    if (rc == INTOTO_OK) {
        rc = hmac_sha256(mac, key, f.ct.data, f.ct.len);
    }
    if (rc != INTOTO_OK) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "'%s': cannot derive the key",
                       name);
        goto out;
    }
    if (CRYPTO_memcmp(mac, f.hmac.data, 32) != 0) {
        rc = intoto_error_set(err, INTOTO_EINVAL,
                              "'%s': cannot decrypt the key (wrong "
                              "password?)", name);
        goto out;
    }
    rc = aes_ctr(plain, key, (unsigned char *)f.iv.data, f.ct.data, f.ct.len);
    if (rc != INTOTO_OK) {
        rc = ossl_fail(err, rc, "'%s': cannot decrypt the key", name);
    }

out:
    OPENSSL_cleanse(key, sizeof(key));
    sslib_fields_release(&f);
    return rc;
}

static int
sslib_encrypt(struct intoto_buf *out, const char *plain, size_t len,
              const char *password, struct intoto_error *err)
{
    unsigned char salt[16], iv[16], key[32], mac[32];
    struct intoto_buf ct, saltbuf;
    int rc = INTOTO_ECRYPTO;

    intoto_buf_init(&ct);
    saltbuf.data = (char *)salt;
    saltbuf.len = sizeof(salt);
    saltbuf.cap = 0;
    if (RAND_bytes(salt, sizeof(salt)) != 1 ||
        RAND_bytes(iv, sizeof(iv)) != 1 ||
        sslib_derive(key, password, &saltbuf, SSLIB_ITERATIONS) != INTOTO_OK ||
        aes_ctr(&ct, key, iv, plain, len) != INTOTO_OK ||
        hmac_sha256(mac, key, ct.data, ct.len) != INTOTO_OK) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "cannot encrypt the key");
        goto out;
    }

    rc = intoto__hex_encode(out, salt, sizeof(salt));
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addf(out, SSLIB_DELIM "%d" SSLIB_DELIM,
                             SSLIB_ITERATIONS);
    }
    if (rc == INTOTO_OK) {
        rc = intoto__hex_encode(out, mac, sizeof(mac));
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addstr(out, SSLIB_DELIM);
    }
    if (rc == INTOTO_OK) {
        rc = intoto__hex_encode(out, iv, sizeof(iv));
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addstr(out, SSLIB_DELIM);
    }
    if (rc == INTOTO_OK) {
        rc = intoto__hex_encode(out, ct.data, ct.len);
    }
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }

out:
    OPENSSL_cleanse(key, sizeof(key));
    intoto_buf_release(&ct);
    return rc;
}

/* ---- key files ---- */

enum file_format {
    FMT_UNKNOWN,
    FMT_PEM,
    FMT_JSON,
    FMT_SSLIB_ENCRYPTED
};

static enum file_format
detect_format(const char *data, size_t len)
{
    size_t i = 0;

    while (i < len && (data[i] == ' ' || data[i] == '\n' ||
                       data[i] == '\r' || data[i] == '\t')) {
        i++;
    }
    if (i < len && data[i] == '{') {
        return FMT_JSON;
    }
    if (memmem(data, len, "-----BEGIN ", 11) != NULL) {
        return FMT_PEM;
    }
    if (memmem(data, len, SSLIB_DELIM, 4) != NULL) {
        return FMT_SSLIB_ENCRYPTED;
    }
    return FMT_UNKNOWN;
}

static int
check_keytype(struct intoto_key *key, const char *keytype, const char *path,
              struct intoto_error *err)
{
    enum key_kind want;

    if (keytype == NULL) {
        return INTOTO_OK;
    }
    if (keytype_kind(&want, keytype) != INTOTO_OK) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "unsupported key type '%s'", keytype);
    }
    if (want != key->kind) {
        return intoto_error_set(err, INTOTO_EINVAL,
                                "'%s' holds an %s key, not %s", path,
                                kind_name(key->kind), keytype);
    }
    return INTOTO_OK;
}

/* A JSON key file: the key object, its "keyid" if it names one. */
static int
load_json(struct intoto_key **out, const char *data, size_t len,
          int want_private, enum intoto_keyid_form form, const char *path,
          struct intoto_error *err)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_json *root;
    const char *keyid;
    int rc;

    rc = intoto_json_parse(&doc, data, len, path, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    root = intoto_json_root(doc);
    rc = key_from_object(out, root, want_private, form, path, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    keyid = intoto_json_str(intoto_json_get(root, "keyid"));
    if (keyid != NULL) {
        (*out)->legacy = strcmp(keyid, (*out)->id_new) != 0;
        rc = intoto_key_set_id(*out, keyid);
    }
    if (rc != INTOTO_OK) {
        intoto_key_free(*out);
        *out = NULL;
        intoto_error_set(err, rc, "out of memory");
    }

out:
    intoto_json_doc_free(doc);
    return rc;
}

static int
load_pem(struct intoto_key **out, const char *data, size_t len,
         int want_private, const char *password, enum intoto_keyid_form form,
         const char *path, struct intoto_error *err)
{
    /* "PUBLIC KEY-----" also catches PKCS#1 "RSA PUBLIC KEY", which is
     * then refused as not SPKI. */
    int is_public = memmem(data, len, "PUBLIC KEY-----", 15) != NULL;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY *pub = NULL;
    int rc;

    if (is_public && want_private) {
        return intoto_error_set(err, INTOTO_EINVAL,
                                "'%s' holds a public key, not a private key",
                                path);
    }
    if (is_public) {
        rc = pem_read_public(&pkey, data, len, path, err);
        if (rc != INTOTO_OK) {
            return rc;
        }
        return key_from_pkey(out, pkey, 0, form, path, err);
    }

    rc = pem_read_private(&pkey, data, len, password, path, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (want_private) {
        return key_from_pkey(out, pkey, 1, form, path, err);
    }
    rc = public_only(&pub, pkey, path, err);
    EVP_PKEY_free(pkey);
    if (rc != INTOTO_OK) {
        return rc;
    }
    return key_from_pkey(out, pub, 0, form, path, err);
}

static int
load_file(struct intoto_key **out, const char *path, const char *keytype,
          int want_private, const char *password,
          enum intoto_keyid_form form, struct intoto_error *err)
{
    struct intoto_buf data, plain;
    int rc;

    *out = NULL;
    intoto_buf_init(&data);
    intoto_buf_init(&plain);
    rc = intoto__fs_read(&data, path, KEY_FILE_MAX, err);
    if (rc != INTOTO_OK) {
        goto out;
    }

    switch (detect_format(data.data, data.len)) {
    case FMT_PEM:
        rc = load_pem(out, data.data, data.len, want_private, password, form,
                      path, err);
        break;
    case FMT_JSON:
        rc = load_json(out, data.data, data.len, want_private, form, path,
                       err);
        break;
    case FMT_SSLIB_ENCRYPTED:
        rc = sslib_decrypt(&plain, data.data, data.len, password, path, err);
        if (rc == INTOTO_OK) {
            rc = load_json(out, plain.data, plain.len, want_private, form,
                           path, err);
        }
        break;
    default:
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "'%s': not a PEM or securesystemslib key file",
                              path);
        break;
    }
    if (rc == INTOTO_OK) {
        rc = check_keytype(*out, keytype, path, err);
    }
    if (rc != INTOTO_OK) {
        intoto_key_free(*out);
        *out = NULL;
    }

out:
    buf_wipe_release(&data);
    buf_wipe_release(&plain);
    return rc;
}

int
intoto_key_load_private(struct intoto_key **out, const char *path,
                        const char *keytype, const char *password,
                        enum intoto_keyid_form form,
                        struct intoto_error *err)
{
    return load_file(out, path, keytype, 1, password, form, err);
}

int
intoto_key_load_public(struct intoto_key **out, const char *path,
                       const char *keytype, enum intoto_keyid_form form,
                       struct intoto_error *err)
{
    return load_file(out, path, keytype, 0, NULL, form, err);
}

int
intoto_key_file_is_encrypted(const char *path, struct intoto_error *err)
{
    struct intoto_buf data;
    int rc;

    intoto_buf_init(&data);
    rc = intoto__fs_read(&data, path, KEY_FILE_MAX, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    switch (detect_format(data.data, data.len)) {
    case FMT_SSLIB_ENCRYPTED:
        rc = 1;
        break;
    case FMT_PEM:
        rc = memmem(data.data, data.len, "ENCRYPTED", 9) != NULL;
        break;
    default:
        rc = 0;
        break;
    }

out:
    buf_wipe_release(&data);
    return rc;
}

/* ---- signing and verifying (SPEC-NOTES 2.3) ---- */

/* The scheme of a key, refusing weak RSA keys. */
static int
usable_scheme(const struct scheme_info **out, const struct intoto_key *key,
              struct intoto_error *err)
{
    const struct scheme_info *info = scheme_find(key->scheme);
    int bits;

    *out = NULL;
    if (info == NULL || info->kind != key->kind) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "key %s: unsupported scheme '%s'", key->id,
                                key->scheme);
    }
    if (key->kind == KIND_RSA) {
        bits = EVP_PKEY_get_bits(key->pkey);
        if (bits < MIN_RSA_BITS) {
            return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                    "key %s: rsa key of %d bits is too "
                                    "weak (at least %d are required)",
                                    key->id, bits, MIN_RSA_BITS);
        }
    }
    *out = info;
    return INTOTO_OK;
}

/* RSA-PSS with MGF1 over the scheme's digest; the salt is as long as the
 * digest when signing and anything when verifying (SPEC-NOTES 2.3).  The
 * rsa-pkcs1v15-* schemes pad as PKCS#1 v1.5. */
static int
setup_pss(EVP_PKEY_CTX *pctx, const struct scheme_info *info, int signing)
{
    int saltlen = signing ? RSA_PSS_SALTLEN_DIGEST : RSA_PSS_SALTLEN_AUTO;

    if (info->kind != KIND_RSA) {
        return 1;
    }
    if (!info->pss) {
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    }
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, info->md, NULL) != 1) {
        return 0;
    }
    return 1;
}

int
intoto_key_sign(struct intoto_buf *sig, const struct intoto_key *key,
                const void *data, size_t len, struct intoto_error *err)
{
    const struct scheme_info *info;
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    size_t siglen = 0;
    int rc;

    if (!key->has_private) {
        return intoto_error_set(err, INTOTO_EINVAL,
                                "key %s has no private part", key->id);
    }
    rc = usable_scheme(&info, key, err);
    if (rc != INTOTO_OK) {
        return rc;
    }

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL ||
        EVP_DigestSignInit_ex(ctx, &pctx, info->md, NULL, NULL, key->pkey,
                              NULL) != 1 ||
        !setup_pss(pctx, info, 1) ||
        EVP_DigestSign(ctx, NULL, &siglen, data, len) != 1) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "cannot sign with key %s",
                       key->id);
        goto out;
    }
    rc = intoto_buf_grow(sig, siglen);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
        goto out;
    }
    if (EVP_DigestSign(ctx, (unsigned char *)sig->data + sig->len, &siglen,
                       data, len) != 1) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "cannot sign with key %s",
                       key->id);
        goto out;
    }
    sig->len += siglen;
    sig->data[sig->len] = '\0';

out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* Signatures of RSA and Ed25519 keys have one length; DER ECDSA ones at
 * most EVP_PKEY_get_size(). */
static int
check_sig_length(const struct intoto_key *key, size_t siglen,
                 struct intoto_error *err)
{
    size_t size = (size_t)EVP_PKEY_get_size(key->pkey);
    int ok = key->kind == KIND_ECDSA ? siglen > 0 && siglen <= size
                                     : siglen == size;

    if (ok) {
        return INTOTO_OK;
    }
    return intoto_error_set(err, INTOTO_EVERIFY,
                            "signature has the wrong length (%zu bytes, "
                            "the key makes %s%zu)", siglen,
                            key->kind == KIND_ECDSA ? "at most " : "", size);
}

int
intoto_key_verify(const struct intoto_key *key, const void *data,
                  size_t len, const void *sig, size_t siglen,
                  struct intoto_error *err)
{
    const struct scheme_info *info;
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    int rc;

    rc = usable_scheme(&info, key, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    rc = check_sig_length(key, siglen, err);
    if (rc != INTOTO_OK) {
        return rc;
    }

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL ||
        EVP_DigestVerifyInit_ex(ctx, &pctx, info->md, NULL, NULL, key->pkey,
                                NULL) != 1 ||
        !setup_pss(pctx, info, 0)) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "cannot verify with key %s",
                       key->id);
        goto out;
    }
    if (EVP_DigestVerify(ctx, sig, siglen, data, len) != 1) {
        ERR_clear_error();
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "signature does not match");
        goto out;
    }
    rc = INTOTO_OK;

out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* ---- generating and writing ---- */

int
intoto_key_generate(struct intoto_key **out, const char *keytype, int bits,
                    enum intoto_keyid_form form, struct intoto_error *err)
{
    EVP_PKEY *pkey = NULL;

    *out = NULL;
    if (strcmp(keytype, "rsa") == 0) {
        if (bits == 0) {
            bits = 3072;
        }
        if (bits < MIN_RSA_BITS || bits > 16384) {
            return intoto_error_set(err, INTOTO_EINVAL,
                                    "rsa keys need %d to 16384 bits, not %d",
                                    MIN_RSA_BITS, bits);
        }
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    } else if (strcmp(keytype, "ecdsa") == 0) {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    } else if (strcmp(keytype, "ed25519") == 0) {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    } else {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "unsupported key type '%s'", keytype);
    }
    if (pkey == NULL) {
        return ossl_fail(err, INTOTO_ECRYPTO, "cannot generate a %s key",
                         keytype);
    }
    return key_from_pkey(out, pkey, 1, form, "<generated>", err);
}

/* PEM private key: PKCS#8 (encrypted with AES-256-CBC under PBES2 when a
 * password is given), or the traditional form (PKCS#1, SEC1, encrypted
 * the legacy OpenSSL way) that Py1 writes. */
static int
pem_private_text(struct intoto_buf *out, EVP_PKEY *pkey, int traditional,
                 const char *password, struct intoto_error *err)
{
    const EVP_CIPHER *cipher = password ? EVP_aes_256_cbc() : NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;
    int ok;
    int rc;

    if (bio == NULL) {
        return ossl_fail(err, INTOTO_ENOMEM, "out of memory");
    }
    if (traditional) {
        ok = PEM_write_bio_PrivateKey_traditional(bio, pkey, cipher, NULL, 0,
                                                  NULL, (void *)password);
    } else {
        ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, cipher, NULL, 0, NULL,
                                           (void *)password);
    }
    if (ok != 1) {
        rc = ossl_fail(err, INTOTO_ECRYPTO, "cannot encode private key");
        goto out;
    }
    n = BIO_get_mem_data(bio, &data);
    rc = intoto_buf_add(out, data, n > 0 ? (size_t)n : 0);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }
    if (data != NULL && n > 0) {
        OPENSSL_cleanse(data, (size_t)n);
    }

out:
    BIO_free(bio);
    return rc;
}

/* Append s as a JSON string; key material is ASCII, with newlines. */
static int
add_json_str(struct intoto_buf *out, const char *s)
{
    int rc = intoto_buf_addch(out, '"');

    for (; rc == INTOTO_OK && *s != '\0'; s++) {
        if (*s == '\n') {
            rc = intoto_buf_addstr(out, "\\n");
        } else if (*s == '"' || *s == '\\') {
            rc = intoto_buf_addch(out, '\\');
            if (rc == INTOTO_OK) {
                rc = intoto_buf_addch(out, *s);
            }
        } else {
            rc = intoto_buf_addch(out, *s);
        }
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addch(out, '"');
    }
    return rc;
}

/*
 * A securesystemslib JSON key file with the members in the order Py1's
 * json.dumps writes them (insertion order, not sorted): ed25519 puts
 * keyid_hash_algorithms before keyval, ecdsa after it in private files.
 */
static int
sslib_json_text(struct intoto_buf *out, const struct intoto_key *key,
                const char *private)
{
    const char *algs = "\"keyid_hash_algorithms\": [\"sha256\", \"sha512\"]";
    int algs_last = private != NULL && key->kind == KIND_ECDSA;
    int rc;

    rc = intoto_buf_addf(out, "{\"keytype\": \"%s\", \"scheme\": \"%s\", ",
                         key->keytype, key->scheme);
    if (rc == INTOTO_OK && private != NULL) {
        rc = intoto_buf_addf(out, "\"keyid\": \"%s\", ", key->id_legacy);
    }
    if (rc == INTOTO_OK && !algs_last) {
        rc = intoto_buf_addf(out, "%s, ", algs);
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addstr(out, "\"keyval\": {\"public\": ");
    }
    if (rc == INTOTO_OK) {
        rc = add_json_str(out, key->pub);
    }
    if (rc == INTOTO_OK && private != NULL) {
        rc = intoto_buf_addstr(out, ", \"private\": ");
        if (rc == INTOTO_OK) {
            rc = add_json_str(out, private);
        }
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addstr(out, "}");
    }
    if (rc == INTOTO_OK && algs_last) {
        rc = intoto_buf_addf(out, ", %s", algs);
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addch(out, '}');
    }
    return rc;
}

static int
strip_newline(struct intoto_buf *b)
{
    while (b->len > 0 && b->data[b->len - 1] == '\n') {
        b->data[--b->len] = '\0';
    }
    return INTOTO_OK;
}

/* The private value of an ed25519 (hex seed) or ecdsa (SEC1 PEM) key. */
static int
sslib_private_value(struct intoto_buf *out, const struct intoto_key *key,
                    struct intoto_error *err)
{
    unsigned char raw[32];
    size_t len = sizeof(raw);
    int rc;

    if (key->kind == KIND_ECDSA) {
        return pem_private_text(out, key->pkey, 1, NULL, err);
    }
    if (EVP_PKEY_get_raw_private_key(key->pkey, raw, &len) != 1 ||
        len != 32) {
        return ossl_fail(err, INTOTO_ECRYPTO, "cannot read ed25519 key");
    }
    rc = intoto__hex_encode(out, raw, len);
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

/* Py1's ed25519 and ecdsa key files (legacy key id and public text). */
static int
sslib_json_files(struct intoto_buf *priv, struct intoto_buf *pub,
                 const struct intoto_key *key, const char *password,
                 struct intoto_error *err)
{
    struct intoto_key legacy = *key;
    struct intoto_buf value, plain;
    int rc;

    intoto_buf_init(&value);
    intoto_buf_init(&plain);
    /* The Py1 files always carry the legacy id and scheme.  For keys this
     * project generated, scheme and public text agree in both forms except
     * for the ecdsa scheme of P-384 keys, which generate never makes. */
    legacy.id = legacy.id_legacy;
    rc = sslib_private_value(&value, key, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = sslib_json_text(&plain, &legacy, value.data);
    if (rc == INTOTO_OK) {
        rc = sslib_json_text(pub, &legacy, NULL);
    }
    if (rc != INTOTO_OK) {
        rc = intoto_error_set(err, rc, "out of memory");
        goto out;
    }
    if (password != NULL) {
        rc = sslib_encrypt(priv, plain.data, plain.len, password, err);
    } else {
        rc = intoto_buf_add(priv, plain.data, plain.len);
    }

out:
    buf_wipe_release(&value);
    buf_wipe_release(&plain);
    return rc;
}

static int
key_file_texts(struct intoto_buf *priv, struct intoto_buf *pub,
               const struct intoto_key *key, enum intoto_key_format format,
               const char *password, struct intoto_error *err)
{
    int rc;

    if (format == INTOTO_KEY_SSLIB && key->kind != KIND_RSA) {
        return sslib_json_files(priv, pub, key, password, err);
    }
    rc = pem_private_text(priv, key->pkey, format == INTOTO_KEY_SSLIB,
                          password, err);
    if (rc == INTOTO_OK) {
        rc = pem_public_text(pub, key->pkey, err);
    }
    if (rc == INTOTO_OK && format == INTOTO_KEY_SSLIB) {
        /* Py1 writes both RSA files without a final newline. */
        strip_newline(priv);
        strip_newline(pub);
    }
    return rc;
}

int
intoto_key_write(const struct intoto_key *key, const char *path,
                 enum intoto_key_format format, const char *password,
                 struct intoto_error *err)
{
    struct intoto_buf priv, pub, pubpath;
    int rc;

    intoto_buf_init(&priv);
    intoto_buf_init(&pub);
    intoto_buf_init(&pubpath);
    if (!key->has_private) {
        return intoto_error_set(err, INTOTO_EINVAL,
                                "key %s has no private part", key->id);
    }
    if (password != NULL && password[0] == '\0') {
        password = NULL;
    }
    rc = key_file_texts(&priv, &pub, key, format, password, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = intoto_buf_addf(&pubpath, "%s.pub", path);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
        goto out;
    }

    rc = intoto__fs_write_atomic(path, priv.data, priv.len, 0600, err);
    if (rc == INTOTO_OK) {
        rc = intoto__fs_write_atomic(pubpath.data, pub.data, pub.len, 0644,
                                     err);
        if (rc != INTOTO_OK) {
            /* A private key without its .pub is half a key pair. */
            unlink(path);
        }
    }

out:
    buf_wipe_release(&priv);
    intoto_buf_release(&pub);
    intoto_buf_release(&pubpath);
    return rc;
}

/* ---- accessors ---- */

const char *
intoto_key_id(const struct intoto_key *key)
{
    return key->id;
}

const char *
intoto_key_id_legacy(const struct intoto_key *key)
{
    return key->id_legacy;
}

const char *
intoto_key_id_new(const struct intoto_key *key)
{
    return key->id_new;
}

const char *
intoto_key_type(const struct intoto_key *key)
{
    return key->keytype;
}

const char *
intoto_key_scheme(const struct intoto_key *key)
{
    return key->scheme;
}

const char *
intoto_key_public(const struct intoto_key *key)
{
    return key->pub;
}

int
intoto_key_has_private(const struct intoto_key *key)
{
    return key->has_private;
}

int
intoto_key_set_id(struct intoto_key *key, const char *keyid)
{
    char *copy = strdup(keyid);

    if (copy == NULL) {
        return INTOTO_ENOMEM;
    }
    free(key->id);
    key->id = copy;
    return INTOTO_OK;
}
