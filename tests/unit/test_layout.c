/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for layout parsing, expiry dates and parameter substitution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <intoto/layout.h>

#define KEYID "aabbccdd00112233"

static const char good[] =
    "{\"_type\": \"layout\", \"expires\": \"2099-12-31T23:59:59Z\","
    " \"readme\": \"r\", \"keys\": {},"
    " \"steps\": [{\"_type\": \"step\", \"name\": \"build\","
    "   \"pubkeys\": [\"" KEYID "\"], \"threshold\": 2,"
    "   \"expected_command\": [\"make\", \"{target}\"],"
    "   \"expected_materials\": [[\"ALLOW\", \"{dir}/*\"]],"
    "   \"expected_products\": [[\"MATCH\", \"*\", \"WITH\", \"PRODUCTS\","
    "     \"FROM\", \"fetch\"], [\"DISALLOW\", \"*\"]]}],"
    " \"inspect\": [{\"_type\": \"inspection\", \"name\": \"check\","
    "   \"run\": [\"true\"], \"expected_materials\": [],"
    "   \"expected_products\": []}]}";

/* The layout borrows from the document: keep one alive per test. */
static struct intoto_json_doc *docs[64];
static size_t n_docs;

static int
parse_text(struct intoto_layout **out, const char *text,
           const struct intoto_param *params, size_t n, int substitute,
           struct intoto_error *err)
{
    struct intoto_json_doc *doc = NULL;
    int rc;

    *out = NULL;
    rc = intoto_json_parse(&doc, text, strlen(text), "layout", err);
    assert_int_equal(rc, INTOTO_OK);
    assert_true(n_docs < 64);
    docs[n_docs++] = doc;
    return intoto_layout_parse(out, intoto_json_root(doc), params, n,
                               substitute, err);
}

static int
free_docs(void **state)
{
    (void)state;
    while (n_docs > 0) {
        intoto_json_doc_free(docs[--n_docs]);
    }
    return 0;
}

static void
test_layout_parse_good(void **state)
{
    struct intoto_layout *l = NULL;
    struct intoto_error err;

    (void)state;
    assert_int_equal(parse_text(&l, good, NULL, 0, 0, &err), INTOTO_OK);
    assert_int_equal(l->n_steps, 1);
    assert_int_equal(l->n_inspections, 1);
    assert_string_equal(l->steps[0].name, "build");
    assert_int_equal(l->steps[0].threshold, 2);
    assert_int_equal(l->steps[0].n_pubkeys, 1);
    assert_string_equal(l->steps[0].pubkeys[0], KEYID);
    assert_string_equal(l->readme, "r");
    assert_int_equal(l->steps[0].n_materials, 1);
    assert_int_equal(l->steps[0].n_products, 2);
    assert_string_equal(intoto_rule_text(l->steps[0].materials[0]),
                        "ALLOW '{dir}/*'");
    assert_string_equal(l->steps[0].command[1], "{target}");
    assert_string_equal(l->inspections[0].command[0], "true");
    assert_int_equal((long long)l->expires_at, 4102444799LL);
    intoto_layout_free(l);
}

static void
test_layout_parse_params(void **state)
{
    const struct intoto_param params[] = {
        { "dir", "src" }, { "target", "all" },
    };
    struct intoto_layout *l = NULL;
    struct intoto_error err;

    (void)state;
    assert_int_equal(parse_text(&l, good, params, 2, 1, &err), INTOTO_OK);
    assert_string_equal(intoto_rule_text(l->steps[0].materials[0]),
                        "ALLOW 'src/*'");
    assert_string_equal(l->steps[0].command[1], "all");
    intoto_layout_free(l);

    assert_int_equal(parse_text(&l, good, params, 1, 1, &err),
                     INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "no parameter named 'target'"));
}

struct bad_case {
    const char *from;     /* text replaced in `good` */
    const char *to;
    int code;
    const char *fragment;
};

static const struct bad_case bad_cases[] = {
    { "\"readme\": \"r\",", "\"readme\": \"r\", \"x\": 1,",
      INTOTO_EUNSUPPORTED, "layout has unknown field 'x'" },
    { "\"threshold\": 2,", "\"threshold\": 2, \"y\": 1,",
      INTOTO_EUNSUPPORTED, "step 'build' has unknown field 'y'" },
    { "\"run\": [\"true\"],", "\"run\": [\"true\"], \"z\": [],",
      INTOTO_EUNSUPPORTED, "inspection 'check' has unknown field 'z'" },
    { "\"threshold\": 2", "\"threshold\": 0", INTOTO_EPARSE,
      "'threshold' must be an integer of at least 1" },
    { "\"threshold\": 2", "\"threshold\": true", INTOTO_EPARSE,
      "'threshold'" },
    { "\"name\": \"build\"", "\"name\": \"../build\"", INTOTO_EPARSE,
      "step name '../build' is not allowed" },
    { "\"name\": \"build\"", "\"name\": \"a/b\"", INTOTO_EPARSE,
      "is not allowed" },
    { "\"name\": \"build\"", "\"name\": \"a\\\\b\"", INTOTO_EPARSE,
      "is not allowed" },
    { "\"name\": \"build\"", "\"name\": \".\"", INTOTO_EPARSE,
      "is not allowed" },
    { "\"name\": \"build\"", "\"name\": \"\"", INTOTO_EPARSE,
      "is not allowed" },
    { "\"name\": \"check\"", "\"name\": \"..\"", INTOTO_EPARSE,
      "inspection name '..' is not allowed" },
    { "\"name\": \"check\"", "\"name\": \"build\"", INTOTO_EPARSE,
      "the name 'build' is used twice" },
    { "[\"" KEYID "\"]", "[\"xyz\"]", INTOTO_EPARSE,
      "pubkeys item 1 is not a hex key id" },
    { "\"_type\": \"step\"", "\"_type\": \"inspection\"", INTOTO_EPARSE,
      "'_type' must be 'step'" },
    { "\"_type\": \"layout\"", "\"_type\": \"link\"", INTOTO_EPARSE,
      "'_type' is not 'layout'" },
    { "[\"DISALLOW\", \"*\"]", "[\"DISALLOW\", \"*\", \"x\"]",
      INTOTO_EUNSUPPORTED, "expected_products: rule 2: bad rule" },
    { "[\"DISALLOW\", \"*\"]", "[\"DISALLOW\", 1]", INTOTO_EPARSE,
      "expected_products: item 2 is not a string" },
    { "\"2099-12-31T23:59:59Z\"", "\"2099-12-31\"", INTOTO_EPARSE,
      "is not of the form YYYY-MM-DDTHH:MM:SSZ" },
    { "\"expires\": \"2099-12-31T23:59:59Z\",", "", INTOTO_EPARSE,
      "layout has no 'expires' string" },
    { "\"readme\": \"r\"", "\"readme\": 1", INTOTO_EPARSE,
      "'readme' is not a string" },
    { "\"name\": \"build\"", "\"name\": \""
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "01234567890123456789012345678901234567890123456789012345678901\"",
      INTOTO_EPARSE, "is longer than 200 bytes" },
};

static char *
replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    size_t len = strlen(s) - strlen(from) + strlen(to);
    char *out = malloc(len + 1);

    assert_non_null(at);
    assert_non_null(out);
    memcpy(out, s, (size_t)(at - s));
    strcpy(out + (at - s), to);
    strcat(out, at + strlen(from));
    return out;
}

static void
test_layout_parse_bad(void **state)
{
    struct intoto_layout *l = NULL;
    struct intoto_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        char *text = replace(good, bad_cases[i].from, bad_cases[i].to);
        int rc = parse_text(&l, text, NULL, 0, 0, &err);

        if (rc != bad_cases[i].code ||
            strstr(err.msg, bad_cases[i].fragment) == NULL) {
            print_error("case %zu: rc %d, message '%s'\n", i, rc,
                        err.msg);
            fail();
        }
        assert_null(l);
        free(text);
    }
}

/* Each context appears once in a message ("step 'build': step 'build':"
 * is noise). */
static void
test_layout_parse_message_once(void **state)
{
    struct intoto_layout *l = NULL;
    struct intoto_error err;
    char *text;

    (void)state;
    text = replace(good, "\"threshold\": 2", "\"threshold\": 0");
    assert_int_equal(parse_text(&l, text, NULL, 0, 0, &err), INTOTO_EPARSE);
    assert_non_null(strstr(err.msg, "step 'build': 'threshold' must"));
    assert_null(strstr(err.msg, "step 'build': step 'build'"));
    free(text);
}

struct time_case {
    const char *s;
    long long t;      /* -1: refused */
};

static void
test_layout_parse_time(void **state)
{
    static const struct time_case cases[] = {
        { "1970-01-01T00:00:00Z", 0 },
        { "2000-02-29T12:34:56Z", 951827696 },
        { "2099-12-31T23:59:59Z", 4102444799LL },
        { "2001-02-29T00:00:00Z", -1 },
        { "2000-13-01T00:00:00Z", -1 },
        { "2000-01-01T24:00:00Z", -1 },
        { "2000-01-01T00:60:00Z", -1 },
        { "2000-01-01T00:00:00", -1 },
        { "2000-01-01T00:00:00z", -1 },
        { "2000-01-01T00:00:00.5Z", -1 },
        { "2000-01-01 00:00:00Z", -1 },
        { "2000-01-01T00:00:00Z ", -1 },
        { "", -1 },
    };
    struct intoto_error err;
    time_t t;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = intoto_layout_parse_time(&t, cases[i].s, &err);

        if (cases[i].t < 0) {
            assert_int_equal(rc, INTOTO_EPARSE);
        } else {
            assert_int_equal(rc, INTOTO_OK);
            assert_int_equal((long long)t, cases[i].t);
        }
    }
}

struct subst_case {
    const char *in;
    const char *out;       /* NULL: refused */
    const char *fragment;
};

/* Expected values from Python 3.11 str.format(dir="src", x="{y}"). */
static void
test_layout_substitute(void **state)
{
    static const struct subst_case cases[] = {
        { "plain", "plain", NULL },
        { "{dir}/*", "src/*", NULL },
        { "{dir}{dir}", "srcsrc", NULL },
        { "{{dir}}", "{dir}", NULL },
        { "{{{dir}}}", "{src}", NULL },
        { "{x}", "{y}", NULL },
        { "a}}b{{c", "a}b{c", NULL },
        { "{nope}", NULL, "no parameter named 'nope'" },
        { "{0}", NULL, "positional field" },
        { "{}", NULL, "positional field" },
        { "{dir!r}", NULL, "format syntax" },
        { "{dir:>5}", NULL, "format syntax" },
        { "{dir.x}", NULL, "format syntax" },
        { "{dir[0]}", NULL, "format syntax" },
        { "a}b", NULL, "single '}'" },
        { "{dir", NULL, "'{' without '}'" },
    };
    const struct intoto_param params[] = { { "dir", "src" },
                                           { "x", "{y}" } };
    struct intoto_error err;
    char *out;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = intoto_layout_substitute(&out, cases[i].in, params, 2,
                                          &err);

        if (cases[i].out != NULL) {
            assert_int_equal(rc, INTOTO_OK);
            assert_string_equal(out, cases[i].out);
            free(out);
        } else {
            assert_int_equal(rc, INTOTO_EINVAL);
            assert_null(out);
            if (strstr(err.msg, cases[i].fragment) == NULL) {
                print_error("'%s': message '%s'\n", cases[i].in, err.msg);
                fail();
            }
        }
    }
}

static void
test_layout_param_names(void **state)
{
    const struct intoto_param bad[] = { { "a b", "x" } };
    const struct intoto_param ok[] = { { "a-B_9", "x" } };
    struct intoto_layout *l = NULL;
    struct intoto_error err;

    (void)state;
    assert_int_equal(parse_text(&l, good, bad, 1, 1, &err), INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "parameter name 'a b' must match"));
    /* A valid name that the layout does not use still leaves the
     * layout's own fields unknown. */
    assert_int_equal(parse_text(&l, good, ok, 1, 1, &err), INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "no parameter named"));
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_parse_good),
        cmocka_unit_test(test_layout_parse_params),
        cmocka_unit_test(test_layout_parse_bad),
        cmocka_unit_test(test_layout_parse_message_once),
        cmocka_unit_test(test_layout_parse_time),
        cmocka_unit_test(test_layout_substitute),
        cmocka_unit_test(test_layout_param_names),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, free_docs);
}
