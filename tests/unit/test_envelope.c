/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: Metablock and DSSE envelopes: parsing, verifying, signing,
 * and writing in the reference's on-disk form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <intoto/envelope.h>
#include <intoto/json.h>
#include <intoto/key.h>

#include "fs.h"

#define KEYS "tests/data/keys/"
#define CASES "../shared/interop/cases/"

/* The reference's corpus sits beside the checkout (../shared); without it
 * the tests that read it are reported as skipped. */
static int
have_corpus(void)
{
    return access(CASES, R_OK) == 0;
}

static void
assert_error(int rc, const struct intoto_error *err, int want,
             const char *fragment)
{
    if (rc != want || strstr(err->msg, fragment) == NULL) {
        fail_msg("got %d '%s', wanted %d and '%s'", rc, err->msg, want,
                 fragment);
    }
}

static struct intoto_envelope *
load_ok(const char *path)
{
    struct intoto_envelope *env = NULL;
    struct intoto_error err;

    if (intoto_envelope_load(&env, path, &err) != INTOTO_OK) {
        fail_msg("loading %s: %s", path, err.msg);
    }
    return env;
}

static struct intoto_envelope *
parse_ok(const char *text)
{
    struct intoto_envelope *env = NULL;
    struct intoto_error err;

    if (intoto_envelope_parse(&env, text, strlen(text), "t.link", &err) !=
        INTOTO_OK) {
        fail_msg("parsing %s: %s", text, err.msg);
    }
    return env;
}

static struct intoto_key *
pub_key(const char *path, enum intoto_keyid_form form)
{
    struct intoto_key *key = NULL;
    struct intoto_error err;

    if (intoto_key_load_public(&key, path, NULL, form, &err) != INTOTO_OK) {
        fail_msg("loading %s: %s", path, err.msg);
    }
    return key;
}

static struct intoto_key *
priv_key(const char *path)
{
    struct intoto_key *key = NULL;
    struct intoto_error err;

    if (intoto_key_load_private(&key, path, NULL, NULL, INTOTO_KEYID_LEGACY,
                                &err) != INTOTO_OK) {
        fail_msg("loading %s: %s", path, err.msg);
    }
    return key;
}

static void
verify_ok(const struct intoto_envelope *env, const struct intoto_key *key)
{
    struct intoto_error err;

    if (intoto_envelope_verify(env, key, &err) != INTOTO_OK) {
        fail_msg("verifying %s: %s", intoto_envelope_name(env), err.msg);
    }
}

/* Corpus files of both kinds load, carry their type and verify with the
 * layout key; another case's key finds no signature. */
static void
test_envelope_corpus_verify(void **state)
{
    static const struct {
        const char *file;
        const char *key;
        enum intoto_keyid_form form;
        enum intoto_envelope_kind kind;
    } cases[] = {
        { CASES "demo-rsa/root.layout", CASES "demo-rsa/alice.pub",
          INTOTO_KEYID_LEGACY, INTOTO_ENVELOPE_METABLOCK },
        { CASES "dsse-demo/root.layout", CASES "dsse-demo/alice.pub.pem",
          INTOTO_KEYID_NEW, INTOTO_ENVELOPE_DSSE },
        { CASES "upstream-go-dsse-demo/demo.dsse.layout",
          CASES "upstream-go-dsse-demo/alice.pub", INTOTO_KEYID_LEGACY,
          INTOTO_ENVELOPE_DSSE },
        { CASES "dsse-selfmade-compact-payload/root.layout",
          CASES "dsse-selfmade-compact-payload/alice.pub.pem",
          INTOTO_KEYID_NEW, INTOTO_ENVELOPE_DSSE },
    };
    struct intoto_key *other = pub_key(CASES "demo-ecdsa/alice.pub",
                                       INTOTO_KEYID_LEGACY);
    size_t i;

    (void)state;
    if (!have_corpus()) {
        skip();
    }
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct intoto_envelope *env = load_ok(cases[i].file);
        struct intoto_key *key = pub_key(cases[i].key, cases[i].form);
        struct intoto_error err;

        assert_int_equal(intoto_envelope_kind(env), cases[i].kind);
        assert_string_equal(intoto_envelope_type(env), "layout");
        verify_ok(env, key);
        assert_error(intoto_envelope_verify(env, other, &err), &err,
                     INTOTO_EVERIFY, "no signature by key");
        intoto_key_free(key);
        intoto_envelope_free(env);
    }
    intoto_key_free(other);
}

/* A tampered DSSE payload and a signature made without PAE fail. */
static void
test_envelope_corpus_bad_dsse(void **state)
{
    struct intoto_envelope *env = load_ok(CASES "dsse-selfmade-no-pae/"
                                               "root.layout");
    struct intoto_key *key = pub_key(CASES "dsse-selfmade-no-pae/"
                                           "alice.pub.pem",
                                     INTOTO_KEYID_NEW);
    struct intoto_error err;

    (void)state;
    if (!have_corpus()) {
        skip();
    }
    assert_error(intoto_envelope_verify(env, key, &err), &err,
                 INTOTO_EVERIFY, "does not match");
    intoto_key_free(key);
    intoto_envelope_free(env);
}

/* Any one valid signature by the key counts, also after a bad one. */
static void
test_envelope_duplicate_signature_first_bad(void **state)
{
    struct intoto_envelope *env = load_ok(
        CASES "layout-duplicate-signature-first-bad/root.layout");
    struct intoto_key *key = pub_key(
        CASES "layout-duplicate-signature-first-bad/alice.pub",
        INTOTO_KEYID_LEGACY);

    (void)state;
    if (!have_corpus()) {
        skip();
    }
    assert_int_equal(intoto_envelope_sig_count(env), 2);
    assert_string_equal(intoto_envelope_sig_keyid(env, 0),
                        intoto_envelope_sig_keyid(env, 1));
    verify_ok(env, key);
    intoto_key_free(key);
    intoto_envelope_free(env);
}

/* Loading and writing a reference file changes no byte: Metablock pretty
 * (one-space indent, sorted keys, ASCII escapes), DSSE compact. */
static void
test_envelope_reserialize_byte_exact(void **state)
{
    static const char *const files[] = {
        CASES "demo-rsa/write-code.5d906991.link",
        CASES "demo-rsa/root.layout",
        CASES "canonical-json-unicode/annotate.5d906991.link",
        CASES "canonical-json-unicode/root.layout",
        CASES "dsse-demo/write-code.cf3a35e2.link",
        CASES "dsse-demo/root.layout",
    };
    size_t i;

    (void)state;
    if (!have_corpus()) {
        skip();
    }
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct intoto_envelope *env = load_ok(files[i]);
        struct intoto_buf orig, out;

        intoto_buf_init(&orig);
        intoto_buf_init(&out);
        assert_int_equal(intoto__fs_read(&orig, files[i], 1 << 24, NULL),
                         INTOTO_OK);
        assert_int_equal(intoto_envelope_serialize(&out, env, NULL),
                         INTOTO_OK);
        if (out.len != orig.len || memcmp(out.data, orig.data, out.len)) {
            fail_msg("%s: re-serialized bytes differ", files[i]);
        }
        intoto_buf_release(&orig);
        intoto_buf_release(&out);
        intoto_envelope_free(env);
    }
}

static struct intoto_json_doc *
link_payload(const char *name)
{
    struct intoto_json_doc *doc = NULL;
    char text[512];

    snprintf(text, sizeof(text),
             "{\"_type\": \"link\", \"name\": \"%s\", \"command\": [], "
             "\"materials\": {}, \"products\": {\"f\": {\"sha256\": "
             "\"00\"}}, \"byproducts\": {}, \"environment\": {}}", name);
    assert_int_equal(intoto_json_parse(&doc, text, strlen(text), "p", NULL),
                     INTOTO_OK);
    return doc;
}

/* A new envelope of each kind, signed, written, read back, verified. */
static void
test_envelope_sign_roundtrip(void **state)
{
    static const char *const keys[] = { KEYS "rsa-pkcs8.pem",
                                        KEYS "ed25519-pkcs8.pem",
                                        KEYS "sslib-ecdsa" };
    size_t i;
    int kind;

    (void)state;
    for (i = 0; i < 3; i++) {
        struct intoto_key *key = priv_key(keys[i]);

        for (kind = 0; kind < 2; kind++) {
            struct intoto_envelope *env = NULL, *back;
            struct intoto_buf out;
            struct intoto_error err;

            intoto_buf_init(&out);
            assert_int_equal(intoto_envelope_new(&env, kind,
                                                 link_payload("build"), &err),
                             INTOTO_OK);
            assert_int_equal(intoto_envelope_sign(env, key, 0, &err),
                             INTOTO_OK);
            verify_ok(env, key);
            assert_int_equal(intoto_envelope_serialize(&out, env, &err),
                             INTOTO_OK);
            back = parse_ok(out.data);
            assert_int_equal(intoto_envelope_kind(back), kind);
            assert_string_equal(intoto_envelope_type(back), "link");
            assert_int_equal(intoto_envelope_sig_count(back), 1);
            assert_string_equal(intoto_envelope_sig_keyid(back, 0),
                                intoto_key_id(key));
            verify_ok(back, key);
            if (kind == INTOTO_ENVELOPE_DSSE) {
                assert_non_null(strstr(out.data, "{\"payload\": \""));
                assert_non_null(strstr(out.data, "\", \"payloadType\": "
                                                 "\"application/vnd.in-toto"
                                                 "+json\", \"signatures\": "
                                                 "[{\"keyid\": \""));
            } else {
                assert_non_null(strstr(out.data, "{\n \"signatures\": [\n"));
            }
            intoto_buf_release(&out);
            intoto_envelope_free(back);
            intoto_envelope_free(env);
        }
        intoto_key_free(key);
    }
}

/* Signing replaces all signatures, or with append only the key's own;
 * changing the kind drops them. */
static void
test_envelope_sign_append_and_kind(void **state)
{
    struct intoto_key *a = priv_key(KEYS "rsa-pkcs8.pem");
    struct intoto_key *b = priv_key(KEYS "ed25519-pkcs8.pem");
    struct intoto_envelope *env = NULL;
    struct intoto_error err;

    (void)state;
    assert_int_equal(intoto_envelope_new(&env, INTOTO_ENVELOPE_METABLOCK,
                                         link_payload("x"), &err),
                     INTOTO_OK);
    assert_int_equal(intoto_envelope_sign(env, a, 0, &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_sign(env, b, 1, &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_sign(env, b, 1, &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_sig_count(env), 2);
    verify_ok(env, a);
    verify_ok(env, b);
    assert_int_equal(intoto_envelope_sign(env, a, 0, &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_sig_count(env), 1);
    assert_error(intoto_envelope_verify(env, b, &err), &err, INTOTO_EVERIFY,
                 "no signature");

    assert_int_equal(intoto_envelope_set_kind(env, INTOTO_ENVELOPE_DSSE,
                                              &err),
                     INTOTO_OK);
    assert_int_equal(intoto_envelope_sig_count(env), 0);
    assert_int_equal(intoto_envelope_sign(env, b, 0, &err), INTOTO_OK);
    verify_ok(env, b);
    intoto_key_free(a);
    intoto_key_free(b);
    intoto_envelope_free(env);
}

/* DSSE payloads in the URL-safe alphabet are read too. */
static void
test_envelope_dsse_urlsafe(void **state)
{
    struct intoto_key *key = priv_key(KEYS "ed25519-pkcs8.pem");
    char name[64] = "n";
    size_t n = 1;

    (void)state;
    for (;;) {
        struct intoto_envelope *env = NULL, *back;
        struct intoto_buf out;
        char *p;

        intoto_buf_init(&out);
        assert_int_equal(intoto_envelope_new(&env, INTOTO_ENVELOPE_DSSE,
                                             link_payload(name), NULL),
                         INTOTO_OK);
        assert_int_equal(intoto_envelope_sign(env, key, 0, NULL), INTOTO_OK);
        assert_int_equal(intoto_envelope_serialize(&out, env, NULL),
                         INTOTO_OK);
        p = strstr(out.data, "\"payloadType\"");
        assert_non_null(p);
        *p = '\0';
        if (strpbrk(out.data, "+/") == NULL) {
            assert_true(n < sizeof(name) - 1);
            name[n] = n % 2 ? '>' : '?';
            name[++n] = '\0';
            intoto_buf_release(&out);
            intoto_envelope_free(env);
            continue;
        }
        for (p = out.data; *p != '\0'; p++) {
            *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
        }
        out.data[strlen(out.data)] = '"';
        back = parse_ok(out.data);
        verify_ok(back, key);
        intoto_envelope_free(back);
        intoto_buf_release(&out);
        intoto_envelope_free(env);
        break;
    }
    intoto_key_free(key);
}

/* Malformed envelopes: one clear error naming the file. */
static void
test_envelope_parse_errors(void **state)
{
    static const struct {
        const char *text;
        int want;
        const char *fragment;
    } cases[] = {
        { "{\"payload\": \"!!!!\", \"payloadType\": "
          "\"application/vnd.in-toto+json\", \"signatures\": []}",
          INTOTO_EPARSE, "'t.link': payload is not valid base64" },
        { "{\"payload\": \"e30\", \"payloadType\": "
          "\"application/vnd.in-toto+json\", \"signatures\": []}",
          INTOTO_EPARSE, "not valid base64" },
        { "{\"payload\": \"e30=\", \"payloadType\": \"text/plain\", "
          "\"signatures\": []}",
          INTOTO_EUNSUPPORTED, "payloadType 'text/plain'" },
        { "{\"payload\": \"bm90IGpzb24=\", \"payloadType\": "
          "\"application/vnd.in-toto+json\", \"signatures\": []}",
          INTOTO_EPARSE, "t.link" },
        { "{\"payload\": \"W10=\", \"payloadType\": "
          "\"application/vnd.in-toto+json\", \"signatures\": []}",
          INTOTO_EPARSE, "not an object" },
        { "{\"signed\": {}, \"signatures\": [], \"extra\": 1}",
          INTOTO_EUNSUPPORTED, "unknown field 'extra'" },
        { "{\"signed\": [], \"signatures\": []}", INTOTO_EPARSE,
          "signed is not an object" },
        { "{\"signed\": {}, \"signatures\": {}}", INTOTO_EPARSE,
          "signatures is not a list" },
        { "{\"signed\": {}, \"signatures\": [{\"sig\": \"00\"}]}",
          INTOTO_EPARSE, "lacks keyid or sig" },
        { "{\"signed\": {}, \"signatures\": [{\"keyid\": \"a\", \"sig\": 1}]}",
          INTOTO_EPARSE, "lacks keyid or sig" },
        { "{\"signed\": {}, \"signatures\": [{\"keyid\": \"a\", \"sig\": "
          "\"00\", \"x\": 1}]}",
          INTOTO_EUNSUPPORTED, "unknown field 'x' in a signature" },
        { "{\"foo\": 1}", INTOTO_EPARSE, "neither a Metablock nor a DSSE" },
        { "[]", INTOTO_EPARSE, "neither" },
        { "{\"signed\": {}, \"signatures\": [", INTOTO_EPARSE, "t.link" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct intoto_envelope *env = (struct intoto_envelope *)1;
        struct intoto_error err;
        int rc;

        intoto_error_init(&err);
        rc = intoto_envelope_parse(&env, cases[i].text,
                                   strlen(cases[i].text), "t.link", &err);
        assert_error(rc, &err, cases[i].want, cases[i].fragment);
        assert_null(env);
    }
}

/* Signatures that cannot be right fail verification with a message
 * naming the file and the key, and never crash. */
static void
test_envelope_bad_signatures(void **state)
{
    static const struct {
        const char *fmt;
        const char *fragment;
    } cases[] = {
        { "{\"signed\": {\"_type\": \"link\"}, \"signatures\": "
          "[{\"keyid\": \"%s\", \"sig\": \"zz\"}]}", "not valid hex" },
        { "{\"signed\": {\"_type\": \"link\"}, \"signatures\": "
          "[{\"keyid\": \"%s\", \"sig\": \"abc\"}]}", "not valid hex" },
        { "{\"signed\": {\"_type\": \"link\"}, \"signatures\": "
          "[{\"keyid\": \"%s\", \"sig\": \"0011\"}]}", "wrong length" },
        { "{\"signed\": {\"_type\": \"link\"}, \"signatures\": "
          "[{\"keyid\": \"x%s\", \"sig\": \"0011\"}]}", "no signature by key" },
        { "{\"signed\": {\"_type\": \"link\"}, \"signatures\": "
          "[{\"keyid\": \"%s\", \"signature\": \"00\", "
          "\"other_headers\": \"00\"}]}", "not an OpenPGP key" },
        { "{\"payload\": \"e30=\", \"payloadType\": "
          "\"application/vnd.in-toto+json\", \"signatures\": "
          "[{\"keyid\": \"%s\", \"sig\": \"#?\"}]}", "not valid base64" },
        { "{\"payload\": \"e30=\", \"payloadType\": "
          "\"application/vnd.in-toto+json\", \"signatures\": "
          "[{\"keyid\": \"%s\", \"sig\": \"AAAA\"}]}", "wrong length" },
        { "{\"payload\": \"e30=\", \"payloadType\": "
          "\"application/vnd.in-toto+json\", \"signatures\": "
          "[{\"keyid\": \"0%s\", \"sig\": \"AAAA\"}]}", "no signature" },
    };
    struct intoto_key *key = pub_key(KEYS "ed25519.pub", INTOTO_KEYID_LEGACY);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct intoto_envelope *env;
        struct intoto_error err;
        char text[1024];

        snprintf(text, sizeof(text), cases[i].fmt, intoto_key_id(key));
        env = parse_ok(text);
        assert_error(intoto_envelope_verify(env, key, &err), &err,
                     INTOTO_EVERIFY, cases[i].fragment);
        assert_non_null(strstr(err.msg, "'t.link'"));
        intoto_envelope_free(env);
    }
    intoto_key_free(key);
}

/* DSSE: a signature without keyid is tried with any key. */
static void
test_envelope_dsse_empty_keyid(void **state)
{
    struct intoto_key *key = priv_key(KEYS "ed25519-pkcs8.pem");
    struct intoto_envelope *env = NULL, *back;
    struct intoto_buf out;
    char *p;

    (void)state;
    intoto_buf_init(&out);
    assert_int_equal(intoto_envelope_new(&env, INTOTO_ENVELOPE_DSSE,
                                         link_payload("e"), NULL),
                     INTOTO_OK);
    assert_int_equal(intoto_envelope_sign(env, key, 0, NULL), INTOTO_OK);
    assert_int_equal(intoto_envelope_serialize(&out, env, NULL), INTOTO_OK);
    p = strstr(out.data, intoto_key_id(key));
    assert_non_null(p);
    memmove(p, p + 64, strlen(p + 64) + 1);
    back = parse_ok(out.data);
    assert_string_equal(intoto_envelope_sig_keyid(back, 0), "");
    verify_ok(back, key);
    intoto_envelope_free(back);
    intoto_envelope_free(env);
    intoto_buf_release(&out);
    intoto_key_free(key);
}

/* A member whose name only starts like a known one ("sig" then a NUL) is
 * an unknown field, not "sig". */
static void
test_envelope_nul_in_field_name(void **state)
{
    static const char text[] =
        "{\"signed\": {\"_type\": \"link\"}, \"signatures\": "
        "[{\"keyid\": \"ab\", \"sig\": \"00\", \"sig\\u0000x\": "
        "\"00\"}]}";
    struct intoto_envelope *env = NULL;
    struct intoto_error err;

    (void)state;
    assert_int_equal(intoto_envelope_parse(&env, text, strlen(text),
                                           "nul.link", &err),
                     INTOTO_EUNSUPPORTED);
    assert_null(env);
    assert_non_null(strstr(err.msg, "unknown field"));
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_nul_in_field_name),
        cmocka_unit_test(test_envelope_corpus_verify),
        cmocka_unit_test(test_envelope_corpus_bad_dsse),
        cmocka_unit_test(test_envelope_duplicate_signature_first_bad),
        cmocka_unit_test(test_envelope_reserialize_byte_exact),
        cmocka_unit_test(test_envelope_sign_roundtrip),
        cmocka_unit_test(test_envelope_sign_append_and_kind),
        cmocka_unit_test(test_envelope_dsse_urlsafe),
        cmocka_unit_test(test_envelope_parse_errors),
        cmocka_unit_test(test_envelope_bad_signatures),
        cmocka_unit_test(test_envelope_dsse_empty_keyid),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
