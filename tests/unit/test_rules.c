/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for artifact rules: parsing and every rule type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <intoto/rules.h>

/* Two links: "build" (the item under test) and "fetch" (MATCH target). */
static const char links_json[] =
    "{\"build\": {\"materials\": {"
    "  \"src/a.c\": {\"sha256\": \"aa\"},"
    "  \"src/b.c\": {\"sha256\": \"bb\"},"
    "  \"old.txt\": {\"sha256\": \"00\"},"
    "  \"keep.txt\": {\"sha256\": \"11\"},"
    "  \"mod.txt\": {\"sha256\": \"22\"}},"
    " \"products\": {"
    "  \"src/a.c\": {\"sha256\": \"aa\"},"
    "  \"src/b.c\": {\"sha256\": \"bb\"},"
    "  \"keep.txt\": {\"sha256\": \"11\"},"
    "  \"mod.txt\": {\"sha256\": \"33\"},"
    "  \"new.bin\": {\"sha256\": \"44\"},"
    "  \"evil.txt\": {\"sha256\": \"66\"}}},"
    " \"fetch\": {\"materials\": {},"
    " \"products\": {"
    "  \"a.c\": {\"sha256\": \"aa\"},"
    "  \"b.c\": {\"sha256\": \"b0\"},"
    "  \"up/src/a.c\": {\"sha256\": \"aa\"},"
    "  \"keep.txt\": {\"sha256\": \"11\", \"sha512\": \"99\"}}}}";

struct fixture {
    struct intoto_json_doc *doc;
    struct intoto_artifacts *sets[4];
    struct intoto_rule_link links[2];
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct intoto_json *root;
    const char *names[2] = { "build", "fetch" };
    size_t i;

    assert_non_null(f);
    assert_int_equal(intoto_json_parse(&f->doc, links_json,
                                       strlen(links_json), "links", NULL),
                     INTOTO_OK);
    root = intoto_json_root(f->doc);
    for (i = 0; i < 2; i++) {
        struct intoto_json *l = intoto_json_get(root, names[i]);

        assert_int_equal(intoto_artifacts_from_json(
                             &f->sets[2 * i], intoto_json_get(l, "materials"),
                             NULL), INTOTO_OK);
        assert_int_equal(intoto_artifacts_from_json(
                             &f->sets[2 * i + 1],
                             intoto_json_get(l, "products"), NULL),
                         INTOTO_OK);
        f->links[i].name = names[i];
        f->links[i].materials = f->sets[2 * i];
        f->links[i].products = f->sets[2 * i + 1];
    }
    /* The sets stand on their own. */
    intoto_json_doc_free(f->doc);
    f->doc = NULL;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < 4; i++) {
        intoto_artifacts_free(f->sets[i]);
    }
    free(f);
    return 0;
}

/* Rules are given as "|"-separated elements, one rule per string. */
static int
run_rules(struct fixture *f, const char *const *spec, size_t n,
          int products, struct intoto_error *err)
{
    struct intoto_rule *rules[16];
    size_t i, k;
    int rc;

    assert_true(n <= 16);
    for (i = 0; i < n; i++) {
        char buf[256], *elems[12], *save = NULL, *tok;

        snprintf(buf, sizeof(buf), "%s", spec[i]);
        k = 0;
        for (tok = strtok_r(buf, "|", &save); tok != NULL;
             tok = strtok_r(NULL, "|", &save)) {
            elems[k++] = tok;
        }
        rc = intoto_rule_parse(&rules[i], (const char *const *)elems, k,
                               err);
        if (rc != INTOTO_OK) {
            print_error("%s\n", intoto_error_message(err));
        }
        assert_int_equal(rc, INTOTO_OK);
    }
    intoto_error_init(err);
    rc = intoto_rules_verify((const struct intoto_rule *const *)rules, n,
                             "build", products, f->links, 2, NULL, NULL, err);
    for (i = 0; i < n; i++) {
        intoto_rule_free(rules[i]);
    }
    return rc;
}

#define PASS(f, products, ...) do { \
    const char *const spec_[] = { __VA_ARGS__ }; \
    struct intoto_error e_; \
    int rc_ = run_rules(f, spec_, sizeof(spec_) / sizeof(spec_[0]), \
                        products, &e_); \
    if (rc_ != INTOTO_OK) { \
        print_error("unexpected failure: %s\n", intoto_error_message(&e_)); \
    } \
    assert_int_equal(rc_, INTOTO_OK); \
} while (0)

#define FAIL(f, products, fragment, ...) do { \
    const char *const spec_[] = { __VA_ARGS__ }; \
    struct intoto_error e_; \
    int rc_ = run_rules(f, spec_, sizeof(spec_) / sizeof(spec_[0]), \
                        products, &e_); \
    assert_int_equal(rc_, INTOTO_EVERIFY); \
    if (strstr(intoto_error_message(&e_), fragment) == NULL) { \
        print_error("message '%s' lacks '%s'\n", \
                    intoto_error_message(&e_), fragment); \
        fail(); \
    } \
} while (0)

static void
test_rules_allow(void **state)
{
    struct fixture *f = *state;

    PASS(f, 1, "ALLOW|*", "DISALLOW|*");
    /* ALLOW consumes only what its pattern covers. */
    FAIL(f, 1, "rule DISALLOW '*' failed: 'evil.txt' is not allowed",
         "ALLOW|src/*", "ALLOW|[km]*.txt", "allow|new.bin", "DISALLOW|*");
    FAIL(f, 1, "rule DISALLOW 'e*' failed: 'evil.txt' is not allowed",
         "ALLOW|[!e]*", "DISALLOW|e*");
    PASS(f, 1, "ALLOW|[!e]*", "ALLOW|evil.txt", "DISALLOW|*");
}

static void
test_rules_disallow(void **state)
{
    struct fixture *f = *state;

    PASS(f, 1, "DISALLOW|*.exe");
    FAIL(f, 1, "products: rule DISALLOW 'src/*' failed: 'src/a.c', "
         "'src/b.c' are not allowed", "DISALLOW|src/*");
    FAIL(f, 1, "'evil.txt', 'keep.txt', 'mod.txt' and 3 more are not "
         "allowed", "DISALLOW|*");
}

static void
test_rules_require(void **state)
{
    struct fixture *f = *state;

    PASS(f, 1, "REQUIRE|new.bin");
    FAIL(f, 1, "rule REQUIRE 'missing' failed: 'missing' is not among "
         "the products", "REQUIRE|missing");
    /* REQUIRE is literal: a pattern names no file. */
    FAIL(f, 1, "'*.bin' is not among", "REQUIRE|*.bin");
    /* It looks at the queue only. */
    FAIL(f, 1, "'new.bin' was consumed by an earlier rule",
         "ALLOW|new.bin", "REQUIRE|new.bin");
}

static void
test_rules_create(void **state)
{
    struct fixture *f = *state;

    PASS(f, 1, "CREATE|new.bin", "CREATE|evil.txt", "ALLOW|src/*",
         "ALLOW|*.txt", "DISALLOW|*");
    /* keep.txt exists in materials: CREATE leaves it. */
    FAIL(f, 1, "'keep.txt' is not allowed", "CREATE|*", "DISALLOW|keep.txt");
    /* In a material list, CREATE consumes nothing. */
    FAIL(f, 0, "are not allowed", "CREATE|*", "DISALLOW|*");
}

static void
test_rules_delete(void **state)
{
    struct fixture *f = *state;

    PASS(f, 0, "DELETE|old.txt", "DISALLOW|old.txt");
    FAIL(f, 0, "'keep.txt' is not allowed", "DELETE|*",
         "DISALLOW|keep.txt");
    FAIL(f, 1, "'evil.txt'", "DELETE|*", "DISALLOW|*");
}

static void
test_rules_modify(void **state)
{
    struct fixture *f = *state;

    PASS(f, 1, "MODIFY|mod.txt", "DISALLOW|mod.txt");
    PASS(f, 0, "MODIFY|*", "DISALLOW|mod.txt");
    FAIL(f, 1, "'keep.txt' is not allowed", "MODIFY|*",
         "DISALLOW|keep.txt");
}

static void
test_rules_match(void **state)
{
    struct fixture *f = *state;

    /* a.c is equal in fetch; b.c differs (hash); names elsewhere absent. */
    PASS(f, 0, "MATCH|*.c|IN|src|WITH|PRODUCTS|FROM|fetch",
         "DISALLOW|src/a.c");
    FAIL(f, 0, "'src/b.c' is not allowed (MATCH '*.c' IN 'src/' WITH "
         "PRODUCTS FROM 'fetch' did not consume it: sha256 differs: bb "
         "here, b0 in the products of 'fetch')",
         "MATCH|*.c|IN|src/|WITH|PRODUCTS|FROM|fetch", "DISALLOW|src/*");
    /* Destination prefix. */
    PASS(f, 0, "match|src/a.c|with|products|in|up|from|fetch",
         "DISALLOW|src/a.c");
    PASS(f, 0, "MATCH|a.c|IN|src|WITH|PRODUCTS|IN|up/src|FROM|fetch",
         "DISALLOW|src/a.c");
    FAIL(f, 0, "'src/a.c' is not among the products of 'fetch'",
         "MATCH|src/*|WITH|PRODUCTS|FROM|fetch", "DISALLOW|src/a.c");
    /* Whole hash objects compare: an extra sha512 is a difference. */
    FAIL(f, 0, "'keep.txt' is not allowed (MATCH 'keep.txt' WITH PRODUCTS "
         "FROM 'fetch' did not consume it: the products of 'fetch' lists "
         "more hash algorithms)",
         "MATCH|keep.txt|WITH|PRODUCTS|FROM|fetch", "DISALLOW|keep.txt");
    /* Materials of fetch are empty. */
    FAIL(f, 0, "are not allowed", "MATCH|*|WITH|MATERIALS|FROM|fetch",
         "DISALLOW|*");
    /* A step without a link consumes nothing and is no error itself. */
    PASS(f, 0, "MATCH|*|WITH|PRODUCTS|FROM|nowhere");
    FAIL(f, 0, "there is no link for 'nowhere'",
         "MATCH|*|WITH|PRODUCTS|FROM|nowhere", "DISALLOW|*");
}

static void
test_rules_parse(void **state)
{
    static const char *const bad[][10] = {
        { "ALLOW" },
        { "PERMIT", "*" },
        { "ALLOW", "a", "b" },
        { "MATCH", "*", "WITH", "PRODUCTS", "FROM" },
        { "MATCH", "*", "WITH", "ARTIFACTS", "FROM", "x" },
        { "MATCH", "*", "IN", "x", "WITH", "PRODUCTS", "IN", "y", "TO", "z" },
        { "MATCH", "*", "FROM", "x", "WITH", "PRODUCTS" },
    };
    static const size_t lens[] = { 1, 2, 3, 5, 6, 10, 6 };
    struct intoto_rule *r = NULL;
    struct intoto_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        assert_int_equal(intoto_rule_parse(&r, bad[i], lens[i], &err),
                         INTOTO_EUNSUPPORTED);
        assert_null(r);
        assert_non_null(strstr(intoto_error_message(&err), "bad rule"));
    }
    {
        const char *ok[] = { "mAtCh", "x", "In", "s", "wItH", "Materials",
                             "iN", "d", "fRoM", "Step" };

        assert_int_equal(intoto_rule_parse(&r, ok, 10, &err), INTOTO_OK);
        assert_string_equal(intoto_rule_text(r), "MATCH 'x' IN 's' WITH "
                            "MATERIALS IN 'd' FROM 'Step'");
        assert_int_equal(intoto_rule_type(r), INTOTO_RULE_MATCH);
        intoto_rule_free(r);
    }
}

static void
test_rules_unknown_item(void **state)
{
    struct fixture *f = *state;
    struct intoto_error err;

    assert_int_equal(intoto_rules_verify(NULL, 0, "nope", 0, f->links, 2,
                                         NULL, NULL, &err),
                     INTOTO_ENOTFOUND);
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H64U "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"

/* Packed sets keep whole-object equality: raw sha256 digests and other
 * hash objects never compare equal to each other by accident. */
static void
test_rules_artifact_sets(void **state)
{
    static const char text[] =
        "{\"x\": {\"a\": {\"sha256\": \"" H64 "\"},"
        "        \"b\": {\"sha256\": \"" H64U "\"},"
        "        \"c\": {\"sha256\": \"" H64 "\", \"sha512\": \"00\"},"
        "        \"d\": {\"sha256\": \"" H64 "\"}},"
        " \"y\": {\"a\": {\"sha256\": \"" H64 "\"},"
        "        \"b\": {\"sha256\": \"" H64U "\"},"
        "        \"c\": {\"sha256\": \"" H64 "\", \"sha512\": \"00\"},"
        "        \"d\": {\"sha256\": \"" H64 "\"}}}";
    struct intoto_json_doc *doc = NULL;
    struct intoto_artifacts *x = NULL, *y = NULL, *empty = NULL;
    struct intoto_buf b;
    size_t len;

    (void)state;
    intoto_buf_init(&b);
    assert_int_equal(intoto_json_parse(&doc, text, strlen(text), "t", NULL),
                     INTOTO_OK);
    assert_int_equal(intoto_artifacts_from_json(
                         &x, intoto_json_get(intoto_json_root(doc), "x"),
                         NULL), INTOTO_OK);
    assert_int_equal(intoto_artifacts_from_json(
                         &y, intoto_json_get(intoto_json_root(doc), "y"),
                         NULL), INTOTO_OK);
    assert_int_equal(intoto_artifacts_from_json(&empty, NULL, NULL),
                     INTOTO_OK);
    intoto_json_doc_free(doc);

    assert_int_equal(intoto_artifacts_count(x), 4);
    assert_int_equal(intoto_artifacts_count(empty), 0);
    assert_memory_equal(intoto_artifacts_name(x, 2, &len), "c", 1);
    assert_int_equal(intoto_artifacts_find(x, "d", 1), 3);
    assert_int_equal(intoto_artifacts_find(x, "e", 1), SIZE_MAX);
    assert_int_equal(intoto_artifacts_find(empty, "a", 1), SIZE_MAX);
    assert_true(intoto_artifacts_equal(x, y));
    assert_false(intoto_artifacts_equal(x, empty));
    assert_true(intoto_artifacts_same_hashes(x, 0, x, 3));
    assert_false(intoto_artifacts_same_hashes(x, 0, x, 1));  /* case */
    assert_false(intoto_artifacts_same_hashes(x, 0, x, 2));  /* sha512 */
    assert_int_equal(intoto_artifacts_hashes(&b, x, 0), INTOTO_OK);
    assert_string_equal(b.data, "{\"sha256\":\"" H64 "\"}");
    b.len = 0;
    assert_int_equal(intoto_artifacts_hashes(&b, x, 2), INTOTO_OK);
    assert_string_equal(b.data, "{\"sha256\":\"" H64 "\",\"sha512\":\"00\"}");
    intoto_buf_release(&b);
    intoto_artifacts_free(x);
    intoto_artifacts_free(y);
    intoto_artifacts_free(empty);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rules_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_disallow, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rules_require, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_modify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_match, setup, teardown),
        cmocka_unit_test(test_rules_parse),
        cmocka_unit_test(test_rules_artifact_sets),
        cmocka_unit_test_setup_teardown(test_rules_unknown_item, setup,
                                        teardown),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
