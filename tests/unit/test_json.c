/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: strict JSON loading and the three encoders. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <intoto/json.h>

#include "fs.h"

static struct intoto_json_doc *
parse_ok(const char *text)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_error err;
    int rc = intoto_json_parse(&doc, text, strlen(text), "t.json", &err);

    if (rc != INTOTO_OK) {
        fail_msg("parse of %s failed: %s", text, err.msg);
    }
    return doc;
}

/* Canonical form: input JSON -> exact canonical bytes. */
static void
test_json_canonical_vectors(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        { "{}", "{}" },
        { "[]", "[]" },
        { " { \"b\" : 1 , \"a\" : [ true, false, null ] } ",
          "{\"a\":[true,false,null],\"b\":1}" },
        { "\"a\\\\b\\\"c\"", "\"a\\\\b\\\"c\"" },
        { "\"tab\\there\\nnl\"", "\"tab\there\nnl\"" },
        { "\"\\u00e9\\u20ac\"", "\"\xc3\xa9\xe2\x82\xac\"" },
        { "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
        { "\"\\/\"", "\"/\"" },
        { "{\"\xc3\xa9\":1,\"z\":2,\"Z\":3,\"\":4}",
          "{\"\":4,\"Z\":3,\"z\":2,\"\xc3\xa9\":1}" },
        { "[-9223372036854775808, 9223372036854775807, 0, -0, 10]",
          "[-9223372036854775808,9223372036854775807,0,0,10]" },
        { "{\"a\":{\"c\":{},\"b\":[]}}", "{\"a\":{\"b\":[],\"c\":{}}}" },
        { "\"\\u0001\\u007f\"", "\"\x01\x7f\"" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct intoto_json_doc *doc = parse_ok(cases[i].in);
        struct intoto_buf out;

        intoto_buf_init(&out);
        assert_int_equal(intoto_json_canonical(&out, intoto_json_root(doc)),
                         INTOTO_OK);
        assert_string_equal(out.data, cases[i].want);
        intoto_buf_release(&out);
        intoto_json_doc_free(doc);
    }
}

/* Python json.dumps(indent=1, sort_keys=True) and the compact form. */
static void
test_json_pretty_and_compact(void **state)
{
    struct intoto_json_doc *doc = parse_ok(
        "{\"b\":[1,{}],\"a\":\"\xc3\xa9\\n\\u0001\x7f\xf0\x9f\x98\x80\","
        "\"c\":[],\"d\":{\"x\":null}}");
    struct intoto_buf out;

    (void)state;
    intoto_buf_init(&out);
    assert_int_equal(intoto_json_pretty(&out, intoto_json_root(doc)), 0);
    assert_string_equal(out.data,
                        "{\n \"a\": \"\\u00e9\\n\\u0001\\u007f"
                        "\\ud83d\\ude00\",\n \"b\": [\n  1,\n  {}\n ],\n"
                        " \"c\": [],\n \"d\": {\n  \"x\": null\n }\n}");
    out.len = 0;
    assert_int_equal(intoto_json_compact(&out, intoto_json_root(doc)), 0);
    assert_string_equal(out.data,
                        "{\"a\": \"\\u00e9\\n\\u0001\\u007f\\ud83d\\ude00\", "
                        "\"b\": [1, {}], \"c\": [], \"d\": {\"x\": null}}");
    intoto_buf_release(&out);
    intoto_json_doc_free(doc);
}

/* Each malformed input is refused with EPARSE and a message fragment. */
static void
test_json_strict_refusals(void **state)
{
    static const struct {
        const char *in;
        const char *frag;
    } cases[] = {
        { "{\"a\":1,\"a\":2}", "duplicate key 'a'" },
        { "{\"b\":1,\"a\":2,\"b\":3}", "duplicate key 'b'" },
        { "1.5", "floating-point" },
        { "1e3", "floating-point" },
        { "NaN", "NaN" },
        { "01", "leading zero" },
        { "9223372036854775808", "64-bit range" },
        { "-9223372036854775809", "64-bit range" },
        { "\"\xff\"", "invalid UTF-8" },
        { "\"\xc0\xaf\"", "invalid UTF-8" },
        { "\"\xed\xa0\x80\"", "invalid UTF-8" },
        { "\"\\ud800\"", "surrogate" },
        { "\"\\udc00x\"", "surrogate" },
        { "{} x", "trailing data" },
        { "{\"a\":1,}", "expected a string key" },
        { "[1,]", "unexpected character" },
        { "\"abc", "unterminated" },
        { "\"a\nb\"", "control character" },
        { "", "unexpected end" },
        { "\xef\xbb\xbf{}", "unexpected character" },
        { "{'a':1}", "expected a string key" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct intoto_json_doc *doc = NULL;
        struct intoto_error err;
        int rc = intoto_json_parse(&doc, cases[i].in, strlen(cases[i].in),
                                   "bad.json", &err);

        assert_int_equal(rc, INTOTO_EPARSE);
        assert_null(doc);
        if (strstr(err.msg, cases[i].frag) == NULL ||
            strstr(err.msg, "'bad.json'") == NULL) {
            fail_msg("case %zu: message '%s' lacks '%s'", i, err.msg,
                     cases[i].frag);
        }
    }
}

static void
test_json_depth_limit(void **state)
{
    size_t n = 10000, i;
    char *deep = malloc(2 * n + 1);
    struct intoto_json_doc *doc = NULL;
    struct intoto_error err;

    (void)state;
    assert_non_null(deep);
    for (i = 0; i < n; i++) {
        deep[i] = '[';
        deep[n + i] = ']';
    }
    deep[2 * n] = '\0';
    assert_int_equal(intoto_json_parse(&doc, deep, 2 * n, "deep", &err),
                     INTOTO_EPARSE);
    assert_non_null(strstr(err.msg, "nesting"));
    /* The limit itself is fine. */
    assert_int_equal(intoto_json_parse(&doc, deep + n - INTOTO_JSON_MAX_DEPTH,
                                       2 * INTOTO_JSON_MAX_DEPTH, "ok", &err),
                     INTOTO_OK);
    intoto_json_doc_free(doc);
    free(deep);
}

static void
test_json_huge_string_refused(void **state)
{
    size_t n = 100u * 1024u * 1024u;
    char *big = malloc(n + 2);
    struct intoto_json_doc *doc = NULL;
    struct intoto_error err;

    (void)state;
    assert_non_null(big);
    memset(big, 'a', n + 2);
    big[0] = '"';
    big[n + 1] = '"';
    assert_int_equal(intoto_json_parse(&doc, big, n + 2, "big", &err),
                     INTOTO_EPARSE);
    assert_non_null(strstr(err.msg, "longer than the limit"));
    free(big);
}

static void
test_json_build_and_lookup(void **state)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *obj = intoto_json_new_object(doc);
    struct intoto_buf out;
    const char *keys[] = { "m", "b", "z", "a", "m" };
    size_t i;
    int64_t v = 0;

    (void)state;
    for (i = 0; i < 5; i++) {
        assert_int_equal(intoto_json_set(doc, obj, keys[i],
                                         intoto_json_new_int(doc, (int)i)),
                         INTOTO_OK);
    }
    assert_int_equal(intoto_json_len(obj), 4);
    assert_int_equal(intoto_json_int(intoto_json_get(obj, "m"), &v), 0);
    assert_int_equal(v, 4);
    assert_null(intoto_json_get(obj, "q"));
    intoto_json_remove(obj, "b");
    intoto_buf_init(&out);
    intoto_json_canonical(&out, obj);
    assert_string_equal(out.data, "{\"a\":3,\"m\":4,\"z\":2}");
    intoto_buf_release(&out);
    assert_true(intoto_json_equal(obj, intoto_json_copy(doc, obj)));
    intoto_json_doc_free(doc);
}

/* Every Metablock file of the reference's corpus reads back to the exact
 * bytes the reference wrote, so our on-disk form is the reference's. */
static void
check_roundtrip(const char *path, size_t *n)
{
    struct intoto_buf raw, out;
    struct intoto_json_doc *doc = NULL;
    struct intoto_error err;

    intoto_buf_init(&raw);
    intoto_buf_init(&out);
    if (intoto__fs_read(&raw, path, 1u << 26, &err) != INTOTO_OK ||
        raw.len < 4 || memcmp(raw.data, "{\n \"", 4) != 0) {
        /* Not in the reference's one-space form (a tampered copy). */
        goto out;
    }
    if (intoto_json_parse(&doc, raw.data, raw.len, path, &err) != 0) {
        fail_msg("%s", err.msg);
    }
    assert_int_equal(intoto_json_pretty(&out, intoto_json_root(doc)), 0);
    if (out.len != raw.len || memcmp(out.data, raw.data, raw.len) != 0) {
        fail_msg("%s: pretty output differs from the file", path);
    }
    (*n)++;
out:
    intoto_json_doc_free(doc);
    intoto_buf_release(&raw);
    intoto_buf_release(&out);
}

static void
test_json_corpus_roundtrip(void **state)
{
    const char *root = "../shared/interop/cases";
    DIR *d = opendir(root);
    struct dirent *e, *f;
    size_t n = 0;
    char path[4096];

    (void)state;
    if (d == NULL) {
        skip();
    }
    while ((e = readdir(d)) != NULL) {
        DIR *cd;

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
        cd = opendir(path);
        while (cd != NULL && (f = readdir(cd)) != NULL) {
            size_t l = strlen(f->d_name);

            if ((l > 5 && strcmp(f->d_name + l - 5, ".link") == 0) ||
                (l > 7 && strcmp(f->d_name + l - 7, ".layout") == 0)) {
                snprintf(path, sizeof(path), "%s/%s/%s", root, e->d_name,
                         f->d_name);
                check_roundtrip(path, &n);
            }
        }
        if (cd != NULL) {
            closedir(cd);
        }
    }
    closedir(d);
    assert_true(n > 50);
}

/* Unknown fields are found with their whole length: "sig\0x" is not
 * "sig". */
static void
test_json_unknown_key(void **state)
{
    static const char *const allowed[] = { "keyid", "sig", NULL };
    struct intoto_json_doc *doc;
    const char *key;
    size_t len = 0;

    (void)state;
    doc = parse_ok("{\"sig\": 1, \"keyid\": 2}");
    assert_null(intoto_json_unknown_key(intoto_json_root(doc), allowed,
                                        &len));
    intoto_json_doc_free(doc);
    doc = parse_ok("{\"sig\": 1, \"sig\\u0000x\": 2}");
    key = intoto_json_unknown_key(intoto_json_root(doc), allowed, &len);
    assert_non_null(key);
    assert_int_equal(len, 5);
    assert_memory_equal(key, "sig\0x", 5);
    intoto_json_doc_free(doc);
    doc = parse_ok("[1, 2]");
    assert_null(intoto_json_unknown_key(intoto_json_root(doc), allowed,
                                        &len));
    intoto_json_doc_free(doc);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_canonical_vectors),
        cmocka_unit_test(test_json_pretty_and_compact),
        cmocka_unit_test(test_json_strict_refusals),
        cmocka_unit_test(test_json_depth_limit),
        cmocka_unit_test(test_json_huge_string_refused),
        cmocka_unit_test(test_json_build_and_lookup),
        cmocka_unit_test(test_json_unknown_key),
        cmocka_unit_test(test_json_corpus_roundtrip),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
