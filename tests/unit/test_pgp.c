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
#include <unistd.h>

#include <cmocka.h>

#include <intoto/json.h>
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

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgp_link_signed_by_subkey),
        cmocka_unit_test(test_pgp_tampered_payload_fails),
        cmocka_unit_test(test_pgp_export_from_keyring),
        cmocka_unit_test(test_pgp_malformed_packets),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
