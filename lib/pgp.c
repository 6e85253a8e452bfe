/* SPDX-License-Identifier: Apache-2.0 */
/* OpenPGP (RFC 4880) public keys and v4 signatures, as the reference's
 * gpg metadata holds them.  Signing runs gpg and reads its packet. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <intoto/buf.h>
#include <intoto/pgp.h>
#include <intoto/run.h>

#define TAG_SIGNATURE 2
#define TAG_PUBLIC_KEY 6
#define TAG_PUBLIC_SUBKEY 14

#define ALGO_RSA 1
#define ALGO_RSA_SIGN 3
#define ALGO_EDDSA 22

/* OID of Ed25519 in OpenPGP (1.3.6.1.4.1.11591.15.1). */
static const unsigned char ed25519_oid[] = {
    0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01
};

struct packet {
    int tag;
    const unsigned char *body;
    size_t len;
};

static int
crypto_fail(struct intoto_error *err, const char *what)
{
    char text[256] = "";
    unsigned long e;

    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, text, sizeof(text));
    }
    return intoto_error_set(err, INTOTO_ECRYPTO, "%s%s%s", what,
                            text[0] ? ": " : "", text);
}

/* Read one packet header and body at *p.  Partial lengths are refused:
 * key material never uses them. */
static int
next_packet(struct packet *pk, const unsigned char **p,
            const unsigned char *end, struct intoto_error *err)
{
    const unsigned char *q = *p;
    size_t len, avail;
    unsigned c;

    if (q >= end || !(*q & 0x80)) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "OpenPGP data: bad packet header");
    }
    c = *q++;
    avail = (size_t)(end - q);
    if (c & 0x40) {
        pk->tag = (int)(c & 0x3F);
        if (avail < 1) {
            goto truncated;
        }
        if (q[0] < 192) {
            len = q[0];
            q += 1;
        } else if (q[0] < 224) {
            if (avail < 2) {
                goto truncated;
            }
            len = ((size_t)(q[0] - 192) << 8) + q[1] + 192;
            q += 2;
        } else if (q[0] == 255) {
            if (avail < 5) {
                goto truncated;
            }
            len = ((size_t)q[1] << 24) | ((size_t)q[2] << 16) |
                  ((size_t)q[3] << 8) | q[4];
            q += 5;
        } else {
            return intoto_error_set(err, INTOTO_EPARSE,
                                    "OpenPGP data: partial packet length");
        }
    } else {
        static const size_t sizes[] = { 1, 2, 4, 0 };
        size_t n = sizes[c & 3], i;

        pk->tag = (int)((c >> 2) & 0xF);
        if (n == 0) {
            return intoto_error_set(err, INTOTO_EPARSE,
                                    "OpenPGP data: indeterminate length");
        }
        if (avail < n) {
            goto truncated;
        }
        for (len = 0, i = 0; i < n; i++) {
            len = (len << 8) | q[i];
        }
        q += n;
    }
    if ((size_t)(end - q) < len) {
        goto truncated;
    }
    pk->body = q;
    pk->len = len;
    *p = q + len;
    return INTOTO_OK;
truncated:
    return intoto_error_set(err, INTOTO_EPARSE,
                            "OpenPGP data: truncated packet");
}

static char *
to_hex(struct intoto_buf *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    b->len = 0;
    for (i = 0; i < n; i++) {
        if (intoto_buf_addch(b, digits[p[i] >> 4]) != 0 ||
            intoto_buf_addch(b, digits[p[i] & 15]) != 0) {
            return NULL;
        }
    }
    return intoto_buf_addch(b, '\0') == 0 ? b->data : NULL;
}

/* Read an MPI at *p: the bytes of the number without leading zeros. */
static int
read_mpi(const unsigned char **val, size_t *n, const unsigned char **p,
         const unsigned char *end)
{
    size_t bits, bytes;

    if (end - *p < 2) {
        return INTOTO_EPARSE;
    }
    bits = ((size_t)(*p)[0] << 8) | (*p)[1];
    bytes = (bits + 7) / 8;
    if ((size_t)(end - *p - 2) < bytes) {
        return INTOTO_EPARSE;
    }
    *val = *p + 2;
    *n = bytes;
    *p += 2 + bytes;
    return INTOTO_OK;
}

static int
set_hex(struct intoto_json_doc *doc, struct intoto_json *obj,
        const char *key, const unsigned char *p, size_t n)
{
    struct intoto_buf b;
    const char *hex;
    int rc;

    intoto_buf_init(&b);
    hex = to_hex(&b, p, n);
    rc = hex ? intoto_json_set(doc, obj, key, intoto_json_new_str(doc, hex))
             : INTOTO_ENOMEM;
    intoto_buf_release(&b);
    return rc;
}

/* The v4 fingerprint: SHA-1 over 0x99, the 2-byte length, the body. */
static int
fingerprint(char out[41], const struct packet *pk)
{
    unsigned char head[3] = { 0x99, (unsigned char)(pk->len >> 8),
                              (unsigned char)pk->len };
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    struct intoto_buf b;
    int ok;

    ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
         EVP_DigestUpdate(ctx, head, 3) &&
         EVP_DigestUpdate(ctx, pk->body, pk->len) &&
         EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 20;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        return INTOTO_ECRYPTO;
    }
    intoto_buf_init(&b);
    if (to_hex(&b, md, 20) == NULL) {
        return INTOTO_ENOMEM;
    }
    memcpy(out, b.data, 41);
    intoto_buf_release(&b);
    return INTOTO_OK;
}

/* One key packet (primary or subkey) as a key dict. */
static int
key_dict(struct intoto_json **out, struct intoto_json_doc *doc,
         const struct packet *pk, struct intoto_error *err)
{
    const unsigned char *p = pk->body, *end = pk->body + pk->len;
    const unsigned char *a, *b;
    size_t alen, blen;
    struct intoto_json *key, *keyval, *pub, *hashes;
    char fpr[41];
    int64_t created;
    int algo, rc;

    *out = NULL;
    if (pk->len < 6 || p[0] != 4) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "OpenPGP key: only version 4 keys are "
                                "supported");
    }
    created = ((int64_t)p[1] << 24) | (p[2] << 16) | (p[3] << 8) | p[4];
    algo = p[5];
    p += 6;
    key = intoto_json_new_object(doc);
    keyval = intoto_json_new_object(doc);
    pub = intoto_json_new_object(doc);
    hashes = intoto_json_new_array(doc);
    if (key == NULL || keyval == NULL || pub == NULL || hashes == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    if (algo == ALGO_RSA || algo == ALGO_RSA_SIGN) {
        if (read_mpi(&a, &alen, &p, end) != 0 ||
            read_mpi(&b, &blen, &p, end) != 0) {
            return intoto_error_set(err, INTOTO_EPARSE,
                                    "OpenPGP key: truncated RSA key");
        }
        rc = set_hex(doc, pub, "n", a, alen);
        rc = rc ? rc : set_hex(doc, pub, "e", b, blen);
        rc = rc ? rc : intoto_json_set(doc, key, "type",
                                       intoto_json_new_str(doc, "rsa"));
        rc = rc ? rc : intoto_json_set(doc, key, "method",
                   intoto_json_new_str(doc, "pgp+rsa-pkcsv1.5"));
    } else if (algo == ALGO_EDDSA) {
        if (p >= end || (size_t)(end - p) < 1u + p[0] ||
            p[0] != sizeof(ed25519_oid) ||
            memcmp(p + 1, ed25519_oid, sizeof(ed25519_oid)) != 0) {
            return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                    "OpenPGP key: only the Ed25519 curve "
                                    "is supported for EdDSA");
        }
        p += 1 + p[0];
        if (read_mpi(&a, &alen, &p, end) != 0 || alen != 33 ||
            a[0] != 0x40) {
            return intoto_error_set(err, INTOTO_EPARSE,
                                    "OpenPGP key: bad Ed25519 point");
        }
        rc = set_hex(doc, pub, "q", a + 1, 32);
        rc = rc ? rc : intoto_json_set(doc, key, "type",
                                       intoto_json_new_str(doc, "eddsa"));
        rc = rc ? rc : intoto_json_set(doc, key, "method",
                   intoto_json_new_str(doc, "pgp+eddsa-ed25519"));
    } else {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "OpenPGP key: algorithm %d is not "
                                "supported", algo);
    }
    rc = rc ? rc : fingerprint(fpr, pk);
    rc = rc ? rc : intoto_json_set(doc, keyval, "public", pub);
    rc = rc ? rc : intoto_json_set(doc, keyval, "private",
                                   intoto_json_new_str(doc, ""));
    rc = rc ? rc : intoto_json_set(doc, key, "keyval", keyval);
    rc = rc ? rc : intoto_json_set(doc, key, "keyid",
                                   intoto_json_new_str(doc, fpr));
    rc = rc ? rc : intoto_json_append(doc, hashes,
                                      intoto_json_new_str(doc, "pgp+SHA2"));
    rc = rc ? rc : intoto_json_set(doc, key, "hashes", hashes);
    rc = rc ? rc : intoto_json_set(doc, key, "creation_time",
                                   intoto_json_new_int(doc, created));
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "OpenPGP key: %s",
                                intoto_strstatus(rc));
    }
    *out = key;
    return INTOTO_OK;
}

/* Walk the hashed subpackets of a v4 signature packet; return the data of
 * the first of `type` (and its length), or NULL. */
static const unsigned char *
find_subpacket(const struct packet *sig, int type, size_t *len)
{
    const unsigned char *p, *end;
    size_t n;

    if (sig->len < 6 || sig->body[0] != 4) {
        return NULL;
    }
    n = ((size_t)sig->body[4] << 8) | sig->body[5];
    if (n > sig->len - 6) {
        return NULL;
    }
    p = sig->body + 6;
    end = p + n;
    while (p < end) {
        size_t sl;

        if (p[0] < 192) {
            sl = p[0];
            p += 1;
        } else if (p[0] < 255) {
            if (end - p < 2) {
                return NULL;
            }
            sl = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
            p += 2;
        } else {
            if (end - p < 5) {
                return NULL;
            }
            sl = ((size_t)p[1] << 24) | ((size_t)p[2] << 16) |
                 ((size_t)p[3] << 8) | p[4];
            p += 5;
        }
        if (sl == 0 || sl > (size_t)(end - p)) {
            return NULL;
        }
        if ((p[0] & 0x7F) == type) {
            *len = sl - 1;
            return p + 1;
        }
        p += sl;
    }
    return NULL;
}

/* A self-signature (certification 0x10-0x13, direct 0x1F, subkey binding
 * 0x18) may give the key an expiry (subpacket 9, seconds after creation):
 * kept as "validity_period", as the reference does.  The signature itself
 * is not checked: the keyring is the user's own trust. */
static int
note_validity(struct intoto_json_doc *doc, struct intoto_json *key,
              const struct packet *sig, const char *primary_fpr)
{
    const unsigned char *d;
    size_t n = 0;
    int type;

    if (key == NULL || sig->len < 6 || sig->body[0] != 4) {
        return INTOTO_OK;
    }
    type = sig->body[1];
    if (!((type >= 0x10 && type <= 0x13) || type == 0x18 || type == 0x1F)) {
        return INTOTO_OK;
    }
    d = find_subpacket(sig, 33, &n);
    if (d != NULL && n == 21 && primary_fpr != NULL) {
        struct intoto_buf b;
        const char *hex;
        int other;

        intoto_buf_init(&b);
        hex = to_hex(&b, d + 1, 20);
        other = hex == NULL || strcasecmp(hex, primary_fpr) != 0;
        intoto_buf_release(&b);
        if (other) {
            return INTOTO_OK;
        }
    }
    d = find_subpacket(sig, 9, &n);
    if (d == NULL || n != 4) {
        return INTOTO_OK;
    }
    return intoto_json_set(doc, key, "validity_period",
                           intoto_json_new_int(doc, ((int64_t)d[0] << 24) |
                                               (d[1] << 16) | (d[2] << 8) |
                                               d[3]));
}

int
intoto_pgp_parse_key(struct intoto_json **out, struct intoto_json_doc *doc,
                     const unsigned char *data, size_t len,
                     struct intoto_error *err)
{
    const unsigned char *p = data, *end = data + len;
    struct intoto_json *primary = NULL, *sub, *subkeys = NULL;
    struct intoto_json *current = NULL;
    struct packet pk;
    int rc;

    *out = NULL;
    while (p < end) {
        rc = next_packet(&pk, &p, end, err);
        if (rc != INTOTO_OK) {
            return rc;
        }
        if (pk.tag == TAG_SIGNATURE) {
            rc = note_validity(doc, current, &pk, intoto_json_str(
                                   intoto_json_get(primary, "keyid")));
            if (rc != INTOTO_OK) {
                return intoto_error_set(err, rc, "out of memory");
            }
            continue;
        }
        /* User ids (and their certifications) belong to the primary. */
        if (pk.tag == TAG_PUBLIC_KEY) {
            if (primary != NULL) {
                break;
            }
            rc = key_dict(&primary, doc, &pk, err);
            if (rc != INTOTO_OK) {
                return rc;
            }
            current = primary;
        } else if (pk.tag == TAG_PUBLIC_SUBKEY && primary != NULL) {
            /* Subkeys of algorithms we cannot use are left out, as they
             * could not have made a signature we check. */
            if (key_dict(&sub, doc, &pk, NULL) != INTOTO_OK) {
                current = NULL;
                continue;
            }
            if (subkeys == NULL) {
                subkeys = intoto_json_new_object(doc);
                if (subkeys == NULL ||
                    intoto_json_set(doc, primary, "subkeys", subkeys) != 0) {
                    return intoto_error_set(err, INTOTO_ENOMEM,
                                            "out of memory");
                }
            }
            rc = intoto_json_set(doc, subkeys,
                                 intoto_json_str(intoto_json_get(sub,
                                                                 "keyid")),
                                 sub);
            if (rc != INTOTO_OK) {
                return intoto_error_set(err, rc, "out of memory");
            }
            current = sub;
        }
    }
    if (primary == NULL) {
        return intoto_error_set(err, INTOTO_ENOTFOUND,
                                "OpenPGP data holds no public key");
    }
    *out = primary;
    return INTOTO_OK;
}

/* The start of every gpg command line: the program, its home when one is
 * given, --batch.  Returns how many words were written. */
static size_t
gpg_argv(const char **argv, const char *home)
{
    size_t n = 0;

    argv[n++] = "gpg";
    if (home != NULL) {
        argv[n++] = "--homedir";
        argv[n++] = home;
    }
    argv[n++] = "--batch";
    return n;
}

int
intoto_pgp_export_key(struct intoto_json **out, struct intoto_json_doc *doc,
                      const char *keyid, const char *home,
                      struct intoto_error *err)
{
    const char *argv[8];
    struct intoto_run_opts opts = { 30.0, 1, 0, 1, NULL };
    struct intoto_run_result res;
    size_t n = 0;
    int rc;

    *out = NULL;
    n = gpg_argv(argv, home);
    argv[n++] = "--export";
    argv[n++] = keyid;
    argv[n] = NULL;
    intoto_run_result_init(&res);
    rc = intoto_run(&res, argv, &opts, err);
    if (rc != INTOTO_OK) {
        intoto_error_wrap(err, "cannot export OpenPGP key '%s'", keyid);
        goto out;
    }
    if (res.return_value != 0 || res.out.len == 0) {
        rc = intoto_error_set(err, INTOTO_ENOTFOUND,
                              "no OpenPGP key '%s' in the keyring%s%s",
                              keyid, home ? " in " : "", home ? home : "");
        goto out;
    }
    rc = intoto_pgp_parse_key(out, doc, (const unsigned char *)res.out.data,
                              res.out.len, err);
    if (rc != INTOTO_OK) {
        intoto_error_wrap(err, "OpenPGP key '%s'", keyid);
    }
out:
    intoto_run_result_release(&res);
    return rc;
}

int
intoto_pgp_is_key(const struct intoto_json *v)
{
    const char *m = intoto_json_str(intoto_json_get(v, "method"));

    return m != NULL && strncmp(m, "pgp+", 4) == 0;
}

int
intoto_pgp_is_signature(const struct intoto_json *sig)
{
    return intoto_json_get(sig, "other_headers") != NULL;
}

static int
keyid_matches(const char *keyid, const char *want)
{
    size_t kl, wl;

    if (keyid == NULL || want == NULL) {
        return 0;
    }
    kl = strlen(keyid);
    wl = strlen(want);
    if (wl == kl) {
        return strcasecmp(keyid, want) == 0;
    }
    return wl == 16 && kl == 40 && strcasecmp(keyid + 24, want) == 0;
}

const struct intoto_json *
intoto_pgp_find_key(const struct intoto_json *key, const char *sigkeyid)
{
    const struct intoto_json *subs = intoto_json_get(key, "subkeys");
    size_t i;

    if (keyid_matches(intoto_json_str(intoto_json_get(key, "keyid")),
                      sigkeyid)) {
        return key;
    }
    for (i = 0; i < intoto_json_len(subs); i++) {
        const struct intoto_json *sub = intoto_json_value_at(subs, i);

        if (keyid_matches(intoto_json_str(intoto_json_get(sub, "keyid")),
                          sigkeyid)) {
            return sub;
        }
    }
    return NULL;
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode hex into b; INTOTO_EPARSE when s is not even-length hex. */
static int
from_hex(struct intoto_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0, i;

    b->len = 0;
    if (s == NULL || n % 2 != 0) {
        return INTOTO_EPARSE;
    }
    for (i = 0; i < n; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);

        if (hi < 0 || lo < 0 || intoto_buf_addch(b, (char)(hi * 16 + lo))) {
            return INTOTO_EPARSE;
        }
    }
    return INTOTO_OK;
}

static const EVP_MD *
pgp_md(int algo)
{
    switch (algo) {
    case 8:
        return EVP_sha256();
    case 9:
        return EVP_sha384();
    case 10:
        return EVP_sha512();
    case 11:
        return EVP_sha224();
    default:
        return NULL;
    }
}

/* The digest a v4 signature covers. */
static int
signed_digest(unsigned char *md, unsigned int *mdlen, const EVP_MD *alg,
              const void *data, size_t len, const struct intoto_buf *hdr)
{
    unsigned char trailer[6] = { 0x04, 0xFF, (unsigned char)(hdr->len >> 24),
                                 (unsigned char)(hdr->len >> 16),
                                 (unsigned char)(hdr->len >> 8),
                                 (unsigned char)hdr->len };
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    ok = ctx != NULL && EVP_DigestInit_ex(ctx, alg, NULL) &&
         EVP_DigestUpdate(ctx, data, len) &&
         EVP_DigestUpdate(ctx, hdr->data, hdr->len) &&
         EVP_DigestUpdate(ctx, trailer, sizeof(trailer)) &&
         EVP_DigestFinal_ex(ctx, md, mdlen);
    EVP_MD_CTX_free(ctx);
    return ok ? INTOTO_OK : INTOTO_ECRYPTO;
}

static EVP_PKEY *
rsa_pkey(const struct intoto_json *pub, struct intoto_error *err)
{
    struct intoto_buf n, e;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;

    intoto_buf_init(&n);
    intoto_buf_init(&e);
    if (from_hex(&n, intoto_json_str(intoto_json_get(pub, "n"))) != 0 ||
        from_hex(&e, intoto_json_str(intoto_json_get(pub, "e"))) != 0 ||
        n.len == 0 || e.len == 0) {
        intoto_error_set(err, INTOTO_EPARSE,
                         "OpenPGP RSA key: keyval.public needs hex n and e");
        goto out;
    }
    bn = BN_bin2bn((unsigned char *)n.data, (int)n.len, NULL);
    be = BN_bin2bn((unsigned char *)e.data, (int)e.len, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (bn == NULL || be == NULL || bld == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        crypto_fail(err, "OpenPGP RSA key");
        pkey = NULL;
    }
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    intoto_buf_release(&n);
    intoto_buf_release(&e);
    return pkey;
}

static int
verify_rsa(const struct intoto_json *pub, const EVP_MD *alg,
           const unsigned char *md, unsigned int mdlen,
           const struct intoto_buf *sig, struct intoto_error *err)
{
    EVP_PKEY *pkey = rsa_pkey(pub, err);
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *padded = NULL;
    size_t size;
    int rc = INTOTO_OK, v;

    if (pkey == NULL) {
        return err ? err->code : INTOTO_EPARSE;
    }
    if (EVP_PKEY_get_bits(pkey) < 2048) {
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "OpenPGP RSA key shorter than 2048 bits");
        goto out;
    }
    /* The MPI drops leading zero bytes; pad back to the modulus size. */
    size = (size_t)EVP_PKEY_get_size(pkey);
    if (sig->len > size || (padded = calloc(1, size)) == NULL) {
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "OpenPGP signature has the wrong length");
        goto out;
    }
    memcpy(padded + size - sig->len, sig->data, sig->len);
    ctx = EVP_PKEY_CTX_new(pkey, NULL);
    if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(ctx, alg) <= 0) {
        rc = crypto_fail(err, "OpenPGP RSA verification");
        goto out;
    }
    v = EVP_PKEY_verify(ctx, padded, size, md, mdlen);
    ERR_clear_error();
    if (v != 1) {
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "OpenPGP signature does not match");
    }
out:
    free(padded);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}

static int
verify_ed25519(const struct intoto_json *pub, const unsigned char *md,
               unsigned int mdlen, const struct intoto_buf *sig,
               struct intoto_error *err)
{
    struct intoto_buf q;
    unsigned char *point;
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *ctx = NULL;
    int rc = INTOTO_OK;

    intoto_buf_init(&q);
    if (from_hex(&q, intoto_json_str(intoto_json_get(pub, "q"))) != 0 ||
        !(q.len == 32 || (q.len == 33 && q.data[0] == 0x40))) {
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "OpenPGP Ed25519 key: bad keyval.public.q");
        goto out;
    }
    point = (unsigned char *)q.data + (q.len - 32);
    if (sig->len != 64) {
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "OpenPGP Ed25519 signature is not 64 bytes");
        goto out;
    }
    pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, point, 32);
    ctx = EVP_MD_CTX_new();
    if (pkey == NULL || ctx == NULL ||
        EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) <= 0) {
        rc = crypto_fail(err, "OpenPGP Ed25519 key");
        goto out;
    }
    if (EVP_DigestVerify(ctx, (unsigned char *)sig->data, 64, md, mdlen) !=
        1) {
        ERR_clear_error();
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "OpenPGP signature does not match");
    }
out:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    intoto_buf_release(&q);
    return rc;
}

/* A key past creation_time + validity_period no longer signs (the
 * reference skips such keys). */
static int
check_validity(const struct intoto_json *key, struct intoto_error *err)
{
    int64_t created = 0, period = 0;

    if (intoto_json_int(intoto_json_get(key, "validity_period"), &period) !=
            INTOTO_OK ||
        period <= 0 ||
        intoto_json_int(intoto_json_get(key, "creation_time"), &created) !=
            INTOTO_OK) {
        return INTOTO_OK;
    }
    if (created > INT64_MAX - period || (int64_t)time(NULL) >=
                                            created + period) {
        return intoto_error_set(err, INTOTO_EVERIFY,
                                "OpenPGP key %s expired",
                                intoto_json_str(intoto_json_get(key,
                                                                "keyid")));
    }
    return INTOTO_OK;
}

int
intoto_pgp_verify(const struct intoto_json *key,
                  const struct intoto_json *sig, const void *data,
                  size_t len, struct intoto_error *err)
{
    const struct intoto_json *pub =
        intoto_json_get(intoto_json_get(key, "keyval"), "public");
    const char *method = intoto_json_str(intoto_json_get(key, "method"));
    struct intoto_buf hdr, raw;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    const EVP_MD *alg;
    int rc;

    intoto_buf_init(&hdr);
    intoto_buf_init(&raw);
    rc = check_validity(key, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    if (from_hex(&hdr, intoto_json_str(intoto_json_get(sig,
                                                       "other_headers"))) ||
        from_hex(&raw, intoto_json_str(intoto_json_get(sig, "signature"))) ||
        hdr.len < 6 || (unsigned char)hdr.data[0] != 4) {
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "malformed OpenPGP signature object");
        goto out;
    }
    alg = pgp_md((unsigned char)hdr.data[3]);
    if (alg == NULL) {
        rc = intoto_error_set(err, INTOTO_EUNSUPPORTED,
                              "OpenPGP hash algorithm %d is not supported",
                              (unsigned char)hdr.data[3]);
        goto out;
    }
    rc = signed_digest(md, &mdlen, alg, data, len, &hdr);
    if (rc != INTOTO_OK) {
        rc = crypto_fail(err, "OpenPGP digest");
        goto out;
    }
    if (method != NULL && strcmp(method, "pgp+rsa-pkcsv1.5") == 0) {
        rc = verify_rsa(pub, alg, md, mdlen, &raw, err);
    } else if (method != NULL && strcmp(method, "pgp+eddsa-ed25519") == 0) {
        rc = verify_ed25519(pub, md, mdlen, &raw, err);
    } else {
        rc = intoto_error_set(err, INTOTO_EUNSUPPORTED,
                              "OpenPGP method '%s' is not supported",
                              method ? method : "(none)");
    }
out:
    intoto_buf_release(&hdr);
    intoto_buf_release(&raw);
    return rc;
}

/* ---- signing through gpg ---- */

#define SUBPACKET_ISSUER 16
#define SUBPACKET_ISSUER_FPR 33
#define SIG_TYPE_BINARY 0x00
#define HASH_SHA256 8
#define GPG_SIGN_TIMEOUT 300.0

/* The parts of gpg's signature packet the reference keeps. */
struct sig_fields {
    const unsigned char *hdr;   /* version .. hashed subpackets */
    size_t hdr_len;
    int algo;
    char fpr[41];               /* issuer fingerprint, "" if absent */
    char short_id[17];          /* issuer key id, "" if absent */
    const unsigned char *mpis;  /* the signature MPIs */
    size_t mpis_len;
};

static size_t
be16(const unsigned char *p)
{
    return ((size_t)p[0] << 8) | p[1];
}

static void
hex_into(char *out, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Note the issuer subpackets (RFC 4880 5.2.3.1; 4880bis 5.2.3.28); a later
 * one wins, so the hashed area is scanned after the unhashed one, as the
 * reference does (common.py:parse_signature_packet). */
static int
scan_subpackets(struct sig_fields *f, const unsigned char *p, size_t n,
                struct intoto_error *err)
{
    while (n > 0) {
        size_t len, hl = 1;
        const unsigned char *body;

        if (p[0] < 192) {
            len = p[0];
        } else if (p[0] < 255 && n >= 2) {
            len = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
            hl = 2;
        } else if (p[0] == 255 && n >= 5) {
            len = ((size_t)p[1] << 24) | ((size_t)p[2] << 16) |
                  ((size_t)p[3] << 8) | p[4];
            hl = 5;
        } else {
            len = 0;
        }
        if (len == 0 || n - hl < len) {
            return intoto_error_set(err, INTOTO_EPARSE,
                                    "gpg's signature: bad subpacket");
        }
        body = p + hl + 1;
        if ((p[hl] & 0x7F) == SUBPACKET_ISSUER_FPR && len == 22 &&
            body[0] == 4) {
            hex_into(f->fpr, body + 1, 20);
        } else if ((p[hl] & 0x7F) == SUBPACKET_ISSUER && len == 9) {
            hex_into(f->short_id, body, 8);
        }
        p += hl + len;
        n -= hl + len;
    }
    return INTOTO_OK;
}

/* Split a v4 signature packet (RFC 4880 5.2.3) as gpg writes it. */
static int
parse_sig_packet(struct sig_fields *f, const unsigned char *data, size_t len,
                 struct intoto_error *err)
{
    const unsigned char *p = data;
    const unsigned char *b;
    struct packet pk;
    size_t hl, ul;
    int rc;

    memset(f, 0, sizeof(*f));
    rc = next_packet(&pk, &p, data + len, err);
    if (rc != INTOTO_OK || pk.tag != TAG_SIGNATURE) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "gpg's output is not a signature packet");
    }
    b = pk.body;
    if (pk.len < 8 || b[0] != 4 || b[1] != SIG_TYPE_BINARY ||
        b[3] != HASH_SHA256) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "gpg made a signature other than a v4 "
                                "binary SHA-256 one");
    }
    f->algo = b[2];
    hl = be16(b + 4);
    if (pk.len - 8 < hl) {
        goto truncated;
    }
    ul = be16(b + 6 + hl);
    if (pk.len - 8 - hl < ul || pk.len - 8 - hl - ul < 2) {
        goto truncated;
    }
    f->hdr = b;
    f->hdr_len = 6 + hl;
    rc = scan_subpackets(f, b + 8 + hl, ul, err);
    rc = rc ? rc : scan_subpackets(f, b + 6, hl, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    /* Skip the left 16 bits of the digest. */
    f->mpis = b + 8 + hl + ul + 2;
    f->mpis_len = pk.len - (8 + hl + ul + 2);
    return INTOTO_OK;
truncated:
    return intoto_error_set(err, INTOTO_EPARSE,
                            "gpg's signature packet is truncated");
}

/* The signature bytes the reference stores: the RSA MPI as is; for EdDSA
 * R and S, each left-padded to 32 bytes (eddsa.py:get_signature_params). */
static int
sig_value(struct intoto_buf *out, const struct sig_fields *f,
          struct intoto_error *err)
{
    const unsigned char *p = f->mpis, *end = f->mpis + f->mpis_len;
    const unsigned char *r, *s;
    size_t rn, sn;
    static const unsigned char zeros[32];

    if (f->algo == ALGO_RSA) {
        if (read_mpi(&r, &rn, &p, end) != 0 || rn == 0) {
            goto bad;
        }
        if (intoto_buf_add(out, r, rn) != 0) {
            return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        }
        return INTOTO_OK;
    }
    if (f->algo != ALGO_EDDSA) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "gpg signed with public-key algorithm %d; "
                                "only RSA and EdDSA are supported",
                                f->algo);
    }
    if (read_mpi(&r, &rn, &p, end) != 0 || read_mpi(&s, &sn, &p, end) != 0 ||
        rn > 32 || sn > 32) {
        goto bad;
    }
    if (intoto_buf_add(out, zeros, 32 - rn) != 0 ||
        intoto_buf_add(out, r, rn) != 0 ||
        intoto_buf_add(out, zeros, 32 - sn) != 0 ||
        intoto_buf_add(out, s, sn) != 0) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
bad:
    return intoto_error_set(err, INTOTO_EPARSE,
                            "gpg's signature has malformed MPIs");
}

/* Write data to a new private temporary file; its name goes to path. */
static int
write_temp(char *path, size_t size, const void *data, size_t len,
           struct intoto_error *err)
{
    const char *dir = getenv("TMPDIR");
    const char *p = data;
    int fd, rc = INTOTO_OK;

    if (dir == NULL || dir[0] == '\0') {
        dir = "/tmp";
    }
    snprintf(path, size, "%s/intoto-gpg-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd < 0) {
        rc = intoto_error_set(err, INTOTO_EIO,
                              "cannot create a temporary file in '%s': %s",
                              dir, strerror(errno));
        path[0] = '\0';
        return rc;
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = intoto_error_set(err, INTOTO_EIO, "cannot write '%s': %s",
                                  path, strerror(errno));
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) != 0 && rc == INTOTO_OK) {
        rc = intoto_error_set(err, INTOTO_EIO, "cannot write '%s': %s",
                              path, strerror(errno));
    }
    return rc;
}

/* The last non-empty line of gpg's stderr, for the error message. */
static const char *
last_line(struct intoto_buf *b)
{
    size_t n = b->len;

    if (intoto_buf_addch(b, '\0') != 0 || b->data == NULL) {
        return "";
    }
    while (n > 0 && (b->data[n - 1] == '\n' || b->data[n - 1] == '\r')) {
        b->data[--n] = '\0';
    }
    while (n > 0 && b->data[n - 1] != '\n') {
        n--;
    }
    if (strncmp(b->data + n, "gpg: ", 5) == 0) {
        n += 5;
    }
    return b->data + n;
}

/* Run gpg as the reference does (constants.py:gpg_sign_command), plus
 * --batch and forced binary output so no gpg.conf can change the packet. */
static int
run_gpg_sign(struct intoto_run_result *res, const char *keyid,
             const char *home, const char *path, struct intoto_error *err)
{
    struct intoto_run_opts opts = { GPG_SIGN_TIMEOUT, 1, 0, 1, NULL };
    const char *argv[16];
    size_t n = 0;
    const char *line;
    int rc;

    n = gpg_argv(argv, home);
    argv[n++] = "--no-armor";
    argv[n++] = "--no-textmode";
    argv[n++] = "--detach-sign";
    argv[n++] = "--digest-algo";
    argv[n++] = "SHA256";
    if (keyid != NULL) {
        argv[n++] = "--local-user";
        argv[n++] = keyid;
    }
    argv[n++] = "--output";
    argv[n++] = "-";
    argv[n++] = path;
    argv[n] = NULL;
    rc = intoto_run(res, argv, &opts, err);
    if (rc != INTOTO_OK) {
        return intoto_error_wrap(err, "cannot sign with gpg");
    }
    if (res->return_value == 0 && res->out.len > 0) {
        return INTOTO_OK;
    }
    line = last_line(&res->err);
    rc = strstr(res->err.data ? res->err.data : "", "No secret key") != NULL
             ? INTOTO_ENOTFOUND
             : INTOTO_EIO;
    return intoto_error_set(err, rc, "gpg could not sign with %s%s%s%s%s",
                            keyid ? "key '" : "the default key",
                            keyid ? keyid : "", keyid ? "'" : "",
                            line[0] ? ": " : "", line);
}

/* gpg before 2.1 names only the 16-hex issuer: find its fingerprint in
 * the exported key, as the reference does (functions.py:create_signature).
 */
static int
resolve_fpr(struct sig_fields *f, const char *home, struct intoto_error *err)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *key = NULL;
    const char *fpr;
    int rc;

    if (f->short_id[0] == '\0') {
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "gpg's signature names no issuer");
        goto out;
    }
    if (doc == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }
    rc = intoto_pgp_export_key(&key, doc, f->short_id, home, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    fpr = intoto_json_str(intoto_json_get(intoto_pgp_find_key(key,
                                                              f->short_id),
                                          "keyid"));
    if (fpr == NULL || strlen(fpr) != 40) {
        rc = intoto_error_set(err, INTOTO_ENOTFOUND,
                              "no key with id %s signed", f->short_id);
        goto out;
    }
    memcpy(f->fpr, fpr, 41);
out:
    intoto_json_doc_free(doc);
    return rc;
}

/* {keyid, other_headers, signature} as the reference writes it. */
static int
sig_object(struct intoto_json **out, struct intoto_json_doc *doc,
           const struct sig_fields *f, const struct intoto_buf *value)
{
    struct intoto_json *obj = intoto_json_new_object(doc);
    int rc;

    if (obj == NULL) {
        return INTOTO_ENOMEM;
    }
    rc = intoto_json_set(doc, obj, "keyid", intoto_json_new_str(doc, f->fpr));
    rc = rc ? rc : set_hex(doc, obj, "other_headers", f->hdr, f->hdr_len);
    rc = rc ? rc : set_hex(doc, obj, "signature",
                           (const unsigned char *)value->data, value->len);
    if (rc == INTOTO_OK) {
        *out = obj;
    }
    return rc;
}

int
intoto_pgp_sign(struct intoto_json **sig_out, struct intoto_json_doc *doc,
                const char *keyid, const char *home, const void *data,
                size_t len, struct intoto_error *err)
{
    struct intoto_run_result res;
    struct intoto_buf value;
    struct sig_fields f;
    char path[4096] = "";
    int rc;

    *sig_out = NULL;
    intoto_run_result_init(&res);
    intoto_buf_init(&value);
    rc = write_temp(path, sizeof(path), data, len, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = run_gpg_sign(&res, keyid, home, path, err);
    if (rc != INTOTO_OK) {
        goto out;
    }

    rc = parse_sig_packet(&f, (const unsigned char *)res.out.data,
                          res.out.len, err);
    if (rc == INTOTO_OK && f.fpr[0] == '\0') {
        rc = resolve_fpr(&f, home, err);
    }
    if (rc == INTOTO_OK && f.short_id[0] != '\0' &&
        strcmp(f.fpr + 24, f.short_id) != 0) {
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "gpg's signature names two different "
                              "issuers");
    }
    rc = rc ? rc : sig_value(&value, &f, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = sig_object(sig_out, doc, &f, &value);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }
out:
    if (path[0] != '\0') {
        unlink(path);
    }
    intoto_buf_release(&value);
    intoto_run_result_release(&res);
    return rc;
}
