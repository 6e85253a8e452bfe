/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the verification workflow and link checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <intoto/buf.h>
#include <intoto/envelope.h>
#include <intoto/key.h>
#include <intoto/verify.h>

struct fixture {
    char dir[64];
    char cwd[4096];
    struct intoto_key *owner;
    struct intoto_key *func;
};

/* Run expr, which may use the error object e_; fail with its message. */
#define CHECK(expr) do { \
    struct intoto_error e_; \
    int rc_; \
    intoto_error_init(&e_); \
    rc_ = (expr); \
    if (rc_ != INTOTO_OK) { \
        print_error("%s: %s\n", #expr, e_.msg); \
    } \
    assert_int_equal(rc_, INTOTO_OK); \
} while (0)

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct intoto_error err;

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_verify.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_non_null(getcwd(f->cwd, sizeof(f->cwd)));
    assert_int_equal(chdir(f->dir), 0);
    assert_int_equal(intoto_key_generate(&f->owner, "ed25519", 0,
                                         INTOTO_KEYID_LEGACY, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_key_generate(&f->func, "ed25519", 0,
                                         INTOTO_KEYID_LEGACY, &err),
                     INTOTO_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    assert_int_equal(chdir(f->cwd), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    intoto_key_free(f->owner);
    intoto_key_free(f->func);
    free(f);
    return 0;
}

/* Parse `text`, wrap it in a Metablock signed by key (or unsigned), and
 * write it to path. */
static void
write_signed(const char *path, const char *text, struct intoto_key *key)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_envelope *env = NULL;

    CHECK(intoto_json_parse(&doc, text, strlen(text), path, &e_));
    CHECK(intoto_envelope_new(&env, INTOTO_ENVELOPE_METABLOCK, doc, &e_));
    if (key != NULL) {
        CHECK(intoto_envelope_sign(env, key, 0, &e_));
    }
    CHECK(intoto_envelope_write(env, path, &e_));
    intoto_envelope_free(env);
}

/* A layout with one step "build" by f->func; `products` is the body of
 * its product rule list, `extra` more layout members (may be ""). */
static void
write_layout(struct fixture *f, const char *expires, const char *products,
             const char *extra)
{
    struct intoto_json_doc *kd = intoto_json_doc_new();
    struct intoto_buf key, text;

    intoto_buf_init(&key);
    intoto_buf_init(&text);
    assert_int_equal(intoto_json_canonical(&key,
                                           intoto_key_to_json(kd, f->func)),
                     INTOTO_OK);
    intoto_buf_addf(&text,
                    "{\"_type\": \"layout\", \"expires\": \"%s\", %s"
                    " \"keys\": {\"%s\": %s}, \"inspect\": [],"
                    " \"steps\": [{\"_type\": \"step\", \"name\": \"build\","
                    " \"pubkeys\": [\"%s\"], \"threshold\": 1,"
                    " \"expected_command\": [], \"expected_materials\": [],"
                    " \"expected_products\": [%s]}]}",
                    expires, extra, intoto_key_id(f->func), key.data,
                    intoto_key_id(f->func), products);
    write_signed("root.layout", text.data, f->owner);
    intoto_buf_release(&key);
    intoto_buf_release(&text);
    intoto_json_doc_free(kd);
}

static void
write_link(struct fixture *f, const char *name, const char *products)
{
    struct intoto_buf text;
    char path[64];

    intoto_buf_init(&text);
    intoto_buf_addf(&text,
                    "{\"_type\": \"link\", \"name\": \"%s\", \"command\": [],"
                    " \"materials\": {}, \"products\": {%s},"
                    " \"byproducts\": {}, \"environment\": {}}",
                    name, products);
    snprintf(path, sizeof(path), "build.%.8s.link", intoto_key_id(f->func));
    write_signed(path, text.data, f->func);
    intoto_buf_release(&text);
}

static int
run_verify(struct fixture *f, struct intoto_key *layout_key,
           struct intoto_json_doc *report, struct intoto_error *err)
{
    struct intoto_verify_opts o;
    struct intoto_key *keys[1] = { layout_key };

    intoto_verify_opts_init(&o);
    o.layout_path = "root.layout";
    o.layout_keys = keys;
    o.n_layout_keys = layout_key ? 1 : 0;
    o.report = report;
    (void)f;
    intoto_error_init(err);
    return intoto_verify(&o, err);
}

#define AHASH "\"a\": {\"sha256\": \"aa\"}"
#define FUTURE "2099-12-31T23:59:59Z"

static void
expect_fail(struct fixture *f, struct intoto_key *key, int code,
            const char *fragment)
{
    struct intoto_error err;
    int rc = run_verify(f, key, NULL, &err);

    if (rc != code || strstr(err.msg, fragment) == NULL) {
        print_error("rc %d, message '%s', wanted '%s'\n", rc, err.msg,
                    fragment);
        fail();
    }
}

static void
test_verify_pass(void **state)
{
    struct fixture *f = *state;
    struct intoto_json_doc *rep = intoto_json_doc_new();
    struct intoto_error err;
    struct intoto_json *root, *step;

    write_layout(f, FUTURE, "[\"ALLOW\", \"a\"], [\"DISALLOW\", \"*\"]", "");
    write_link(f, "build", AHASH);
    assert_int_equal(run_verify(f, f->owner, rep, &err), INTOTO_OK);
    root = intoto_json_root(rep);
    assert_string_equal(intoto_json_str(intoto_json_get(root, "verdict")),
                        "pass");
    step = intoto_json_at(intoto_json_get(root, "steps"), 0);
    assert_string_equal(intoto_json_str(intoto_json_get(step, "name")),
                        "build");
    assert_int_equal(intoto_json_len(intoto_json_get(step, "products")), 2);
    intoto_json_doc_free(rep);
}

static void
test_verify_rule_fails(void **state)
{
    struct fixture *f = *state;
    struct intoto_json_doc *rep = intoto_json_doc_new();
    struct intoto_error err;

    write_layout(f, FUTURE, "[\"DISALLOW\", \"*\"]", "");
    write_link(f, "build", AHASH);
    expect_fail(f, f->owner, INTOTO_EVERIFY, "step 'build': products: rule "
                "DISALLOW '*' failed: 'a' is not allowed");
    assert_int_equal(run_verify(f, f->owner, rep, &err), INTOTO_EVERIFY);
    assert_string_equal(intoto_json_str(intoto_json_get(
                            intoto_json_root(rep), "verdict")), "fail");
    intoto_json_doc_free(rep);
}

static void
test_verify_layout_keys(void **state)
{
    struct fixture *f = *state;

    write_layout(f, FUTURE, "", "");
    write_link(f, "build", AHASH);
    expect_fail(f, f->func, INTOTO_EVERIFY, "no valid signature by key");
    expect_fail(f, NULL, INTOTO_EINVAL, "no key to verify it with");
}

static void
test_verify_expired(void **state)
{
    struct fixture *f = *state;

    write_layout(f, "2001-01-01T00:00:00Z", "", "");
    write_link(f, "build", AHASH);
    expect_fail(f, f->owner, INTOTO_EVERIFY, "expired on 2001-01-01");
}

static void
test_verify_links(void **state)
{
    struct fixture *f = *state;
    char path[64];

    write_layout(f, FUTURE, "", "");
    expect_fail(f, f->owner, INTOTO_EVERIFY, "step 'build': needs 1 link "
                "signed by different authorized keys, found 0");
    write_link(f, "other", AHASH);
    expect_fail(f, f->owner, INTOTO_EVERIFY, "the link is for step 'other', "
                "not 'build'");
    /* Signed by the owner under the functionary's name. */
    snprintf(path, sizeof(path), "build.%.8s.link", intoto_key_id(f->func));
    write_signed(path, "{\"_type\": \"link\", \"name\": \"build\"}",
                 f->owner);
    expect_fail(f, f->owner, INTOTO_EVERIFY, "has no valid signature by its "
                "key");
    /* Malformed JSON is an error of its own, not a missing link. */
    {
        FILE *fp = fopen(path, "w");

        assert_non_null(fp);
        fputs("{\"signatures\": [", fp);
        fclose(fp);
    }
    expect_fail(f, f->owner, INTOTO_EPARSE, "step 'build': link");
}

static void
test_verify_unknown_layout_field(void **state)
{
    struct fixture *f = *state;

    write_layout(f, FUTURE, "", "\"owner\": \"me\",");
    write_link(f, "build", AHASH);
    expect_fail(f, f->owner, INTOTO_EUNSUPPORTED, "layout 'root.layout': "
                "layout has unknown field 'owner'");
}

struct link_case {
    const char *json;
    int code;
    const char *fragment;
};

static void
test_verify_link_check(void **state)
{
    static const struct link_case cases[] = {
        { "{\"_type\": \"link\", \"name\": \"s\"}", INTOTO_OK, "" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"a/b.c\": {\"sha256\": \"0aF9\"}}}", INTOTO_OK, "" },
        { "{\"_type\": \"link\", \"name\": \"t\"}", INTOTO_EVERIFY,
          "the link is for step 't', not 's'" },
        { "{\"_type\": \"link\"}", INTOTO_EVERIFY, "not 's'" },
        { "{\"_type\": \"layout\", \"name\": \"s\"}", INTOTO_EPARSE,
          "'_type' is not 'link'" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"extra\": 1}",
          INTOTO_EUNSUPPORTED, "link has unknown field 'extra'" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"x/../foo\": {\"sha256\": \"00\"}}}", INTOTO_EVERIFY,
          "products: artifact name 'x/../foo' is not a clean relative path" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"materials\": "
          "{\"/etc/passwd\": {\"sha256\": \"00\"}}}", INTOTO_EVERIFY,
          "materials: artifact name '/etc/passwd'" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"a//b\": {\"sha256\": \"00\"}}}", INTOTO_EVERIFY, "'a//b'" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"./a\": {\"sha256\": \"00\"}}}", INTOTO_EVERIFY, "'./a'" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"a/\": {\"sha256\": \"00\"}}}", INTOTO_EVERIFY, "'a/'" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"\": {\"sha256\": \"00\"}}}", INTOTO_EVERIFY, "''" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"a\": {\"sha256\": \"xyz\"}}}", INTOTO_EPARSE,
          "products: 'a' has no valid hash object" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": "
          "{\"a\": \"00\"}}", INTOTO_EPARSE, "no valid hash object" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"products\": []}",
          INTOTO_EPARSE, "'products' is not an object" },
        { "{\"_type\": \"link\", \"name\": \"s\", \"command\": [1]}",
          INTOTO_EPARSE, "'command' item 1 is not a string" },
    };
    struct intoto_json_doc *doc = NULL;
    struct intoto_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;

        CHECK(intoto_json_parse(&doc, cases[i].json, strlen(cases[i].json),
                                "link", &e_));
        intoto_error_init(&err);
        rc = intoto_link_check(intoto_json_root(doc), "s", &err);
        if (rc != cases[i].code || strstr(err.msg, cases[i].fragment) ==
                                       NULL) {
            print_error("case %zu: rc %d, message '%s'\n", i, rc, err.msg);
            fail();
        }
        intoto_json_doc_free(doc);
        doc = NULL;
    }
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_rule_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_verify_layout_keys, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_verify_expired, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_verify_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_unknown_layout_field,
                                        setup, teardown),
        cmocka_unit_test(test_verify_link_check),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
