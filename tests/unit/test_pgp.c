/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: OpenPGP key parsing and signature verification against the
 * reference's gpg metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include <intoto/envelope.h>
#include <intoto/json.h>
#include <intoto/key.h>
#include <intoto/pgp.h>

#define CASE "../shared/interop/cases/gpg-demo/"

static struct intoto_json_doc *
load(const char *path)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_error err;

    if (intoto_json_load(&doc, path, &err) != INTOTO_OK) {
        return NULL;
    }
    return doc;
}

/* Verify every signature of a Metablock file with a key dict. */
static int
verify_file(const char *path, const struct intoto_json *key,
            struct intoto_error *err)
{
    struct intoto_json_doc *doc = load(path);
    struct intoto_json *root = intoto_json_root(doc);
    struct intoto_json *sig = intoto_json_at(intoto_json_get(root,
                                                             "signatures"),
                                             0);
    const struct intoto_json *signer;
    struct intoto_buf bytes;
    int rc;

    assert_non_null(doc);
    intoto_buf_init(&bytes);
    assert_true(intoto_pgp_is_signature(sig));
    signer = intoto_pgp_find_key(key, intoto_json_str(intoto_json_get(sig,
                                                                  "keyid")));
    if (signer == NULL) {
        rc = intoto_error_set(err, INTOTO_EVERIFY, "no such key");
        goto out;
    }
    assert_int_equal(intoto_json_canonical(&bytes, intoto_json_get(root,
                                                                   "signed")),
                     0);
    rc = intoto_pgp_verify(signer, sig, bytes.data, bytes.len, err);
out:
    intoto_buf_release(&bytes);
    intoto_json_doc_free(doc);
    return rc;
}

static void
test_pgp_link_signed_by_subkey(void **state)
{
    struct intoto_json_doc *layout = load(CASE "root.layout");
    struct intoto_json *keys, *dev, *owner;
    struct intoto_error err;

    (void)state;
    if (layout == NULL) {
        skip();
    }
    keys = intoto_json_get(intoto_json_get(intoto_json_root(layout),
                                           "signed"), "keys");
    dev = intoto_json_get(keys, "c14abf78f7eb394a0e4bc4f032e9d8be2779ac08");
    owner = intoto_json_get(keys, "a874f4f4634481370801ea78c0d045b86b6ee5e8");
    assert_true(intoto_pgp_is_key(dev));
    assert_int_equal(verify_file(CASE "write-code.9b3fd27e.link", dev, &err),
                     INTOTO_OK);
    assert_int_equal(verify_file(CASE "package.a874f4f4.link", owner, &err),
                     INTOTO_OK);
    /* The wrong key: no matching key id. */
    assert_int_equal(verify_file(CASE "package.a874f4f4.link", dev, &err),
                     INTOTO_EVERIFY);
    intoto_json_doc_free(layout);
}

static void
test_pgp_tampered_payload_fails(void **state)
{
    struct intoto_json_doc *layout = load(CASE "root.layout");
    struct intoto_json_doc *link = load(CASE "package.a874f4f4.link");
    struct intoto_json *owner, *sig;
    struct intoto_buf bytes;
    struct intoto_error err;

    (void)state;
    if (layout == NULL || link == NULL) {
        skip();
    }
    owner = intoto_json_get(intoto_json_get(intoto_json_get(
        intoto_json_root(layout), "signed"), "keys"),
        "a874f4f4634481370801ea78c0d045b86b6ee5e8");
    sig = intoto_json_at(intoto_json_get(intoto_json_root(link),
                                         "signatures"), 0);
    intoto_buf_init(&bytes);
    intoto_json_canonical(&bytes, intoto_json_get(intoto_json_root(link),
                                                  "signed"));
    bytes.data[bytes.len / 2] ^= 1;
    assert_int_equal(intoto_pgp_verify(owner, sig, bytes.data, bytes.len,
                                       &err), INTOTO_EVERIFY);
    assert_non_null(strstr(err.msg, "does not match"));
    intoto_buf_release(&bytes);
    intoto_json_doc_free(link);
    intoto_json_doc_free(layout);
}

/* The layout's owner key comes from the shipped keyring through gpg. */
static void
test_pgp_export_from_keyring(void **state)
{
    char home[] = "/tmp/intoto-pgp-XXXXXX";
    char cmd[512];
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *key = NULL;
    struct intoto_error err;
    int rc;

    (void)state;
    if (access(CASE "gpghome/pubring.kbx", R_OK) != 0 ||
        system("gpg --version >/dev/null 2>&1") != 0) {
        intoto_json_doc_free(doc);
        skip();
    }
    assert_non_null(mkdtemp(home));
    snprintf(cmd, sizeof(cmd), "cp " CASE "gpghome/pubring.kbx %s/", home);
    assert_int_equal(system(cmd), 0);
    rc = intoto_pgp_export_key(&key, doc,
                               "6d03709f6c46cdff48dd0d3a17a64f48941fdf5d",
                               home, &err);
    if (rc != INTOTO_OK) {
        fail_msg("%s", err.msg);
    }
    assert_string_equal(intoto_json_str(intoto_json_get(key, "keyid")),
                        "6d03709f6c46cdff48dd0d3a17a64f48941fdf5d");
    assert_int_equal(verify_file(CASE "root.layout", key, &err), INTOTO_OK);
    rc = intoto_pgp_export_key(&key, doc, "0123456789abcdef", home, &err);
    assert_int_equal(rc, INTOTO_ENOTFOUND);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
    assert_int_equal(system(cmd), 0);
    intoto_json_doc_free(doc);
}

static void
test_pgp_malformed_packets(void **state)
{
    static const unsigned char truncated[] = { 0x99, 0x01, 0x8d, 0x04 };
    static const unsigned char v3[] = { 0xc6, 0x06, 0x03, 0, 0, 0, 0, 1 };
    static const unsigned char notpgp[] = { 0x00, 0x01 };
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *key;
    struct intoto_error err;

    (void)state;
    assert_int_equal(intoto_pgp_parse_key(&key, doc, truncated,
                                          sizeof(truncated), &err),
                     INTOTO_EPARSE);
    assert_int_equal(intoto_pgp_parse_key(&key, doc, v3, sizeof(v3), &err),
                     INTOTO_EUNSUPPORTED);
    assert_int_equal(intoto_pgp_parse_key(&key, doc, notpgp, sizeof(notpgp),
                                          &err), INTOTO_EPARSE);
    assert_int_equal(intoto_pgp_parse_key(&key, doc, notpgp, 0, &err),
                     INTOTO_ENOTFOUND);
    intoto_json_doc_free(doc);
}

/* ---- signing through gpg, with a throw-away keyring ---- */

struct keyring {
    char home[64];
    char rsa[41];       /* primary RSA key (signs through its subkey) */
    char rsa_sub[41];   /* its RSA signing subkey */
    char ed[41];        /* a primary Ed25519 key */
};

static int
gpg_quiet(const char *home, const char *args)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "gpg --batch --homedir %s --passphrase '' --pinentry-mode "
             "loopback %s >/dev/null 2>&1", home, args);
    return system(cmd);
}

/* The fingerprints in listing order: primary, its subkeys, next primary. */
static size_t
list_fprs(const char *home, char fprs[][41], size_t max)
{
    char cmd[256], line[512];
    size_t n = 0;
    FILE *fp;

    snprintf(cmd, sizeof(cmd),
             "gpg --batch --homedir %s --with-colons --list-secret-keys "
             "2>/dev/null", home);
    fp = popen(cmd, "r");
    if (fp == NULL) {
        return 0;
    }
    while (n < max && fgets(line, sizeof(line), fp) != NULL) {
        if (strncmp(line, "fpr:::::::::", 12) == 0 &&
            strlen(line) >= 12 + 40) {
            memcpy(fprs[n], line + 12, 40);
            fprs[n++][40] = '\0';
        }
    }
    pclose(fp);
    return n;
}

static int
keyring_setup(void **state)
{
    struct keyring *k = calloc(1, sizeof(*k));
    char fprs[3][41], args[256];

    if (k == NULL || system("gpg --version >/dev/null 2>&1") != 0) {
        free(k);
        *state = NULL;
        return 0;
    }
    snprintf(k->home, sizeof(k->home), "/tmp/intoto-pgpsign-XXXXXX");
    if (mkdtemp(k->home) == NULL ||
        gpg_quiet(k->home, "--quick-gen-key 'Test <t@example.org>' rsa3072 "
                           "sign never") != 0 ||
        list_fprs(k->home, fprs, 3) != 1) {
        goto fail;
    }
    memcpy(k->rsa, fprs[0], 41);
    snprintf(args, sizeof(args), "--quick-add-key %s rsa3072 sign", k->rsa);
    if (gpg_quiet(k->home, args) != 0 ||
        gpg_quiet(k->home, "--quick-gen-key 'Ed <e@example.org>' ed25519 "
                           "sign never") != 0 ||
        list_fprs(k->home, fprs, 3) != 3) {
        goto fail;
    }
    memcpy(k->rsa_sub, fprs[1], 41);
    memcpy(k->ed, fprs[2], 41);
    *state = k;
    return 0;
fail:
    *state = k;
    return -1;
}

static int
keyring_teardown(void **state)
{
    struct keyring *k = *state;
    char cmd[256];

    if (k != NULL && k->home[0] != '\0') {
        snprintf(cmd, sizeof(cmd),
                 "gpgconf --homedir %s --kill all >/dev/null 2>&1; "
                 "rm -rf %s", k->home, k->home);
        if (system(cmd) != 0) {
            free(k);
            return -1;
        }
    }
    free(k);
    return 0;
}

static int
lowercase_equal(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* gpg picks the signing subkey; the signature names it, the exported key
 * finds it, and it verifies over exactly the signed bytes. */
static void
test_pgp_sign_rsa_subkey(void **state)
{
    static const char data[] = "{\"_type\":\"link\"}";
    struct keyring *k = *state;
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *sig = NULL, *key = NULL;
    const struct intoto_json *signer;
    struct intoto_error err;
    const char *hdr;
    int rc;

    if (k == NULL) {
        intoto_json_doc_free(doc);
        skip();
    }
    rc = intoto_pgp_sign(&sig, doc, k->rsa, k->home, data, strlen(data),
                         &err);
    if (rc != INTOTO_OK) {
        fail_msg("%s", err.msg);
    }
    assert_true(intoto_pgp_is_signature(sig));
    assert_true(lowercase_equal(intoto_json_str(intoto_json_get(sig,
                                                                "keyid")),
                                k->rsa_sub));
    /* v4, binary document, RSA, SHA-256. */
    hdr = intoto_json_str(intoto_json_get(sig, "other_headers"));
    assert_non_null(hdr);
    assert_memory_equal(hdr, "04000108", 8);
    assert_int_equal(strlen(intoto_json_str(intoto_json_get(sig,
                                                            "signature"))),
                     2 * 384);

    assert_int_equal(intoto_pgp_export_key(&key, doc, k->rsa, k->home, &err),
                     INTOTO_OK);
    signer = intoto_pgp_find_key(key, intoto_json_str(intoto_json_get(sig,
                                                                  "keyid")));
    assert_non_null(signer);
    assert_ptr_not_equal(signer, key);
    assert_int_equal(intoto_pgp_verify(signer, sig, data, strlen(data),
                                       &err), INTOTO_OK);
    assert_int_equal(intoto_pgp_verify(signer, sig, data, strlen(data) - 1,
                                       &err), INTOTO_EVERIFY);
    assert_int_equal(intoto_pgp_verify(key, sig, data, strlen(data), &err),
                     INTOTO_EVERIFY);
    intoto_json_doc_free(doc);
}

static void
test_pgp_sign_ed25519_and_errors(void **state)
{
    static const char data[] = "payload";
    struct keyring *k = *state;
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *sig = NULL, *key = NULL;
    struct intoto_error err;
    char primary[42];
    int rc;

    if (k == NULL) {
        intoto_json_doc_free(doc);
        skip();
    }
    rc = intoto_pgp_sign(&sig, doc, k->ed, k->home, data, strlen(data), &err);
    if (rc != INTOTO_OK) {
        fail_msg("%s", err.msg);
    }
    assert_true(lowercase_equal(intoto_json_str(intoto_json_get(sig,
                                                                "keyid")),
                                k->ed));
    assert_int_equal(strlen(intoto_json_str(intoto_json_get(sig,
                                                            "signature"))),
                     128);
    assert_int_equal(intoto_pgp_export_key(&key, doc, k->ed, k->home, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_pgp_verify(key, sig, data, strlen(data), &err),
                     INTOTO_OK);

    /* "FPR!" makes gpg use the primary key instead of its subkey. */
    snprintf(primary, sizeof(primary), "%s!", k->rsa);
    assert_int_equal(intoto_pgp_sign(&sig, doc, primary, k->home, data,
                                     strlen(data), &err), INTOTO_OK);
    assert_true(lowercase_equal(intoto_json_str(intoto_json_get(sig,
                                                                "keyid")),
                                k->rsa));

    sig = NULL;
    rc = intoto_pgp_sign(&sig, doc, "0123456789ABCDEF", k->home, data,
                         strlen(data), &err);
    assert_int_equal(rc, INTOTO_ENOTFOUND);
    assert_null(sig);
    assert_non_null(strstr(err.msg, "0123456789ABCDEF"));
    intoto_json_doc_free(doc);
}

/* A Metablock signed through the envelope: one signature per signing key,
 * written and read back, verified with the key from the keyring; DSSE is
 * refused. */
static void
test_pgp_sign_envelope(void **state)
{
    static const char link[] =
        "{\"signatures\": [], \"signed\": {\"_type\": \"link\", "
        "\"name\": \"build\", \"command\": [], \"materials\": {}, "
        "\"products\": {}, \"byproducts\": {}, \"environment\": {}}}";
    struct keyring *k = *state;
    struct intoto_envelope *env = NULL, *back = NULL;
    struct intoto_key *key = NULL;
    struct intoto_buf out;
    struct intoto_error err;
    int rc;

    if (k == NULL) {
        skip();
    }
    intoto_buf_init(&out);
    assert_int_equal(intoto_envelope_parse(&env, link, strlen(link), "l",
                                           &err), INTOTO_OK);
    rc = intoto_envelope_sign_pgp(env, k->rsa, k->home, &err);
    if (rc != INTOTO_OK) {
        fail_msg("%s", err.msg);
    }
    assert_int_equal(intoto_envelope_sign_pgp(env, k->rsa, k->home, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_envelope_sign_pgp(env, k->ed, k->home, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_envelope_sig_count(env), 2);
    assert_true(lowercase_equal(intoto_envelope_sig_keyid(env, 0),
                                k->rsa_sub));
    assert_true(lowercase_equal(intoto_envelope_sig_keyid(env, 1), k->ed));

    assert_int_equal(intoto_envelope_serialize(&out, env, &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_parse(&back, out.data, out.len, "back",
                                           &err), INTOTO_OK);
    assert_int_equal(intoto_key_from_gpg(&key, k->rsa, k->home, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_envelope_verify(back, key, &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_verify(env, key, &err), INTOTO_OK);

    intoto_envelope_clear_signatures(env);
    assert_int_equal(intoto_envelope_sig_count(env), 0);
    assert_int_equal(intoto_envelope_set_kind(env, INTOTO_ENVELOPE_DSSE,
                                              &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_sign_pgp(env, k->rsa, k->home, &err),
                     INTOTO_EUNSUPPORTED);
    assert_int_equal(intoto_envelope_sig_count(env), 0);
    intoto_key_free(key);
    intoto_envelope_free(back);
    intoto_envelope_free(env);
    intoto_buf_release(&out);
}

/* A key dict past creation_time + validity_period no longer verifies. */
static void
test_pgp_expired_key_refused(void **state)
{
    struct intoto_json_doc *layout = load(CASE "root.layout");
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *owner;
    struct intoto_error err;

    (void)state;
    if (layout == NULL) {
        intoto_json_doc_free(doc);
        skip();
    }
    owner = intoto_json_copy(doc, intoto_json_get(intoto_json_get(
        intoto_json_get(intoto_json_root(layout), "signed"), "keys"),
        "a874f4f4634481370801ea78c0d045b86b6ee5e8"));
    assert_int_equal(verify_file(CASE "package.a874f4f4.link", owner, &err),
                     INTOTO_OK);
    intoto_json_set(doc, owner, "creation_time",
                    intoto_json_new_int(doc, 1000));
    intoto_json_set(doc, owner, "validity_period",
                    intoto_json_new_int(doc, 60));
    assert_int_equal(verify_file(CASE "package.a874f4f4.link", owner, &err),
                     INTOTO_EVERIFY);
    assert_non_null(strstr(err.msg, "expired"));
    /* Still valid for a century: verifies. */
    intoto_json_set(doc, owner, "validity_period",
                    intoto_json_new_int(doc, 4102444800));
    assert_int_equal(verify_file(CASE "package.a874f4f4.link", owner, &err),
                     INTOTO_OK);
    intoto_json_doc_free(doc);
    intoto_json_doc_free(layout);
}

/* The expiry gpg records in the self-signature becomes validity_period. */
static void
test_pgp_export_reads_expiry(void **state)
{
    char home[] = "/tmp/intoto-pgpexp-XXXXXX";
    char fpr[1][41], cmd[256];
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *key = NULL;
    struct intoto_error err;
    int64_t period = 0;

    (void)state;
    if (system("gpg --version >/dev/null 2>&1") != 0) {
        intoto_json_doc_free(doc);
        skip();
    }
    assert_non_null(mkdtemp(home));
    assert_int_equal(gpg_quiet(home, "--quick-gen-key 'Exp <x@example.org>' "
                                     "ed25519 sign 2d"), 0);
    assert_int_equal(list_fprs(home, fpr, 1), 1);
    assert_int_equal(intoto_pgp_export_key(&key, doc, fpr[0], home, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_json_int(intoto_json_get(key, "validity_period"),
                                     &period), INTOTO_OK);
    assert_true(period >= 2 * 86400 - 60 && period <= 2 * 86400 + 60);
    snprintf(cmd, sizeof(cmd), "gpgconf --homedir %s --kill all "
             ">/dev/null 2>&1; rm -rf %s", home, home);
    assert_int_equal(system(cmd), 0);
    intoto_json_doc_free(doc);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgp_link_signed_by_subkey),
        cmocka_unit_test(test_pgp_tampered_payload_fails),
        cmocka_unit_test(test_pgp_export_from_keyring),
        cmocka_unit_test(test_pgp_malformed_packets),
        cmocka_unit_test(test_pgp_expired_key_refused),
        cmocka_unit_test(test_pgp_export_reads_expiry),
        cmocka_unit_test_setup_teardown(test_pgp_sign_rsa_subkey,
                                        keyring_setup, keyring_teardown),
        cmocka_unit_test_setup_teardown(test_pgp_sign_ed25519_and_errors,
                                        keyring_setup, keyring_teardown),
        cmocka_unit_test_setup_teardown(test_pgp_sign_envelope,
                                        keyring_setup, keyring_teardown),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
