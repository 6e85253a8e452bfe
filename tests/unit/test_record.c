/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for recording links: fields, byproducts, environment,
 * artifacts and record start/stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <intoto/envelope.h>
#include <intoto/json.h>
#include <intoto/key.h>
#include <intoto/record.h>

struct scratch {
    char dir[64];
    char old[4096];
};

static int
setup(void **state)
{
    struct scratch *s = calloc(1, sizeof(*s));

    if (s == NULL || getcwd(s->old, sizeof(s->old)) == NULL) {
        return -1;
    }
    strcpy(s->dir, "/tmp/intoto-record-XXXXXX");
    if (mkdtemp(s->dir) == NULL || chdir(s->dir) != 0) {
        return -1;
    }
    *state = s;
    return 0;
}

static int
teardown(void **state)
{
    struct scratch *s = *state;
    char cmd[128];

    if (chdir(s->old) != 0) {
        return -1;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    if (system(cmd) != 0) {
        return -1;
    }
    free(s);
    return 0;
}

static void
put(const char *path, const char *data)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(data, f);
    fclose(f);
}

/* The canonical JSON of member `key` of the root. */
static char *
member(struct intoto_json_doc *doc, const char *key)
{
    struct intoto_buf b;

    intoto_buf_init(&b);
    assert_int_equal(intoto_json_canonical(&b, intoto_json_get(
                         intoto_json_root(doc), key)), INTOTO_OK);
    return intoto_buf_detach(&b, NULL);
}

static void
assert_member(struct intoto_json_doc *doc, const char *key, const char *want)
{
    char *got = member(doc, key);

    assert_string_equal(got, want);
    free(got);
}

static void
test_record_link_new(void **state)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_buf b;

    (void)state;
    assert_int_equal(intoto_record_link_new(&doc, "build", NULL), INTOTO_OK);
    intoto_buf_init(&b);
    assert_int_equal(intoto_json_canonical(&b, intoto_json_root(doc)),
                     INTOTO_OK);
    assert_string_equal(b.data, "{\"_type\":\"link\",\"byproducts\":{},"
                        "\"command\":[],\"environment\":{},\"materials\":{},"
                        "\"name\":\"build\",\"products\":{}}");
    intoto_buf_release(&b);
    intoto_json_doc_free(doc);
}

static void
test_record_byproducts(void **state)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_run_result res;

    (void)state;
    assert_int_equal(intoto_record_link_new(&doc, "s", NULL), INTOTO_OK);
    intoto_run_result_init(&res);
    res.return_value = 3;
    intoto_buf_addstr(&res.out, "a\r\nb\rc\xff\n");
    intoto_buf_addstr(&res.err, "\xc3\xa9");
    /* Without -s: empty strings, whatever was captured. */
    assert_int_equal(intoto_record_set_byproducts(doc, &res, 0, NULL),
                     INTOTO_OK);
    assert_member(doc, "byproducts",
                  "{\"return-value\":3,\"stderr\":\"\",\"stdout\":\"\"}");
    assert_int_equal(intoto_record_set_byproducts(doc, &res, 1, NULL),
                     INTOTO_OK);
    assert_member(doc, "byproducts",
                  "{\"return-value\":3,\"stderr\":\"\xc3\xa9\","
                  "\"stdout\":\"a\nb\nc\xef\xbf\xbd\n\"}");
    res.signal = 9;
    assert_int_equal(intoto_record_set_byproducts(doc, &res, 0, NULL),
                     INTOTO_OK);
    assert_member(doc, "byproducts",
                  "{\"return-value\":-9,\"stderr\":\"\",\"stdout\":\"\"}");
    intoto_run_result_release(&res);
    intoto_json_doc_free(doc);
}

static void
test_record_environment(void **state)
{
    static char vars[][24] = { "PATH=/bin", "GITHUB_TOKEN=t", "my_secret=s",
                               "API_KEY=k", "DB_Password=p",
                               "AWS_CREDENTIALS=c", "HOME=/h",
                               "SSH_AUTH_PASSWD=x", "BAD=\xff" };
    char *envp[10];
    size_t i;
    const char *allow[] = { "API_KEY" };
    struct intoto_json_doc *doc = NULL;

    (void)state;
    for (i = 0; i < 9; i++) {
        envp[i] = vars[i];
    }
    envp[9] = NULL;
    assert_int_equal(intoto_record_link_new(&doc, "s", NULL), INTOTO_OK);
    assert_int_equal(intoto_record_set_environment(doc, envp, allow, 1,
                                                   NULL), INTOTO_OK);
    assert_member(doc, "environment",
                  "{\"API_KEY\":\"k\",\"HOME\":\"/h\",\"PATH\":\"/bin\"}");
    intoto_json_doc_free(doc);
}

static void
test_record_link_path(void **state)
{
    struct intoto_buf b;

    (void)state;
    intoto_buf_init(&b);
    assert_int_equal(intoto_record_link_path(&b, "meta", "build",
                                             "0123456789abcdef", 0),
                     INTOTO_OK);
    assert_string_equal(b.data, "meta/build.01234567.link");
    b.len = 0;
    assert_int_equal(intoto_record_link_path(&b, NULL, "build",
                                             "0123456789abcdef", 1),
                     INTOTO_OK);
    assert_string_equal(b.data, ".build.01234567.link-unfinished");
    b.len = 0;
    assert_int_equal(intoto_record_link_path(&b, NULL, "m", NULL, 0),
                     INTOTO_OK);
    assert_string_equal(b.data, "m.link");
    intoto_buf_release(&b);
}

static void
test_record_artifacts(void **state)
{
    const char *paths[] = { "." };
    const char *sha512[] = { "sha512", "sha256" };
    const char *excl[] = { "b" };
    struct intoto_record_opts o;
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *obj = intoto_json_new_object(doc);
    struct intoto_error err;
    struct intoto_buf b;

    (void)state;
    put("a", "abc");
    put("b", "");
    put("x.link", "");
    put("y~", "");
    intoto_record_opts_init(&o);
    intoto_error_init(&err);
    assert_int_equal(intoto_artifacts_record(doc, obj, paths, 1, &o, &err),
                     INTOTO_OK);
    intoto_buf_init(&b);
    intoto_json_canonical(&b, obj);
    assert_string_equal(b.data, "{\"a\":{\"sha256\":\"ba7816bf8f01cfea414140"
                        "de5dae2223b00361a396177a9cb410ff61f20015ad\"},"
                        "\"b\":{\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb9"
                        "2427ae41e4649b934ca495991b7852b855\"}}");
    /* --exclude replaces the defaults; two algorithms. */
    obj = intoto_json_new_object(doc);
    o.excludes = excl;
    o.n_excludes = 1;
    o.excludes_given = 1;
    o.hash_algs = sha512;
    o.n_hash_algs = 2;
    assert_int_equal(intoto_artifacts_record(doc, obj, paths, 1, &o, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_json_len(obj), 3);
    assert_non_null(intoto_json_get(obj, "x.link"));
    assert_non_null(intoto_json_get(intoto_json_get(obj, "a"), "sha512"));
    assert_non_null(intoto_json_get(intoto_json_get(obj, "a"), "sha256"));
    /* Unknown algorithm, overlapping lstrip prefixes, bad base path. */
    sha512[0] = "md5";
    assert_int_equal(intoto_artifacts_record(doc, obj, paths, 1, &o, &err),
                     INTOTO_EUNSUPPORTED);
    o.n_hash_algs = 0;
    o.lstrip = sha512 + 1;
    o.base_path = "a";
    assert_int_equal(intoto_artifacts_record(doc, obj, paths, 1, &o, &err),
                     INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "base path"));
    intoto_buf_release(&b);
    intoto_json_doc_free(doc);
}

static void
test_record_step_no_command(void **state)
{
    const char *paths[] = { "f" };
    const char *cmd[] = { "sh", "-c", "printf new > f", NULL };
    struct intoto_json_doc *doc = NULL;
    struct intoto_step_opts step;
    struct intoto_run_result res;
    struct intoto_error err;
    char *m, *p;

    (void)state;
    put("f", "old");
    intoto_step_opts_init(&step);
    step.name = "s";
    step.materials = paths;
    step.n_materials = 1;
    step.products = paths;
    step.n_products = 1;
    step.command = cmd;
    step.n_command = 3;
    step.quiet_command = 1;
    intoto_run_result_init(&res);
    intoto_error_init(&err);
    assert_int_equal(intoto_record_step(&doc, &res, &step, &err), INTOTO_OK);
    m = member(doc, "materials");
    p = member(doc, "products");
    assert_string_not_equal(m, p);
    free(m);
    free(p);
    assert_member(doc, "command", "[\"sh\",\"-c\",\"printf new > f\"]");
    assert_member(doc, "byproducts",
                  "{\"return-value\":0,\"stderr\":\"\",\"stdout\":\"\"}");
    intoto_json_doc_free(doc);
    intoto_run_result_release(&res);
    /* A command that cannot start: an error, no link. */
    cmd[0] = "/nonexistent/prog";
    assert_int_equal(intoto_record_step(&doc, &res, &step, &err),
                     INTOTO_EIO);
    assert_null(doc);
    intoto_run_result_release(&res);
}

static void
test_record_start_stop(void **state)
{
    const char *paths[] = { "." };
    struct intoto_key *key = NULL, *other = NULL;
    struct intoto_envelope *env = NULL;
    struct intoto_step_opts step;
    struct intoto_error err;
    struct intoto_buf path;
    char want[64];

    (void)state;
    put("a", "1");
    intoto_error_init(&err);
    assert_int_equal(intoto_key_generate(&key, "ed25519", 0,
                                         INTOTO_KEYID_LEGACY, &err),
                     INTOTO_OK);
    assert_int_equal(intoto_key_generate(&other, "ed25519", 0,
                                         INTOTO_KEYID_LEGACY, &err),
                     INTOTO_OK);
    intoto_step_opts_init(&step);
    step.name = "edit";
    step.materials = paths;
    step.n_materials = 1;
    step.products = paths;
    step.n_products = 1;
    intoto_buf_init(&path);
    assert_int_equal(intoto_record_stop(&step, key, NULL, NULL, &err),
                     INTOTO_ENOTFOUND);
    assert_int_equal(intoto_record_start(&step, key,
                                         INTOTO_ENVELOPE_METABLOCK, &path,
                                         &err), INTOTO_OK);
    snprintf(want, sizeof(want), ".edit.%.8s.link-unfinished",
             intoto_key_id(key));
    assert_string_equal(path.data, want);
    put("b", "2");
    /* The preliminary link of one key cannot be finished by another. */
    assert_int_equal(rename(want, "tmp"), 0);
    snprintf(want, sizeof(want), ".edit.%.8s.link-unfinished",
             intoto_key_id(other));
    assert_int_equal(rename("tmp", want), 0);
    assert_int_equal(intoto_record_stop(&step, other, NULL, NULL, &err),
                     INTOTO_EVERIFY);
    snprintf(path.data, path.cap, ".edit.%.8s.link-unfinished",
             intoto_key_id(key));
    assert_int_equal(rename(want, path.data), 0);
    path.len = 0;
    assert_int_equal(intoto_record_stop(&step, key, NULL, &path, &err),
                     INTOTO_OK);
    snprintf(want, sizeof(want), "edit.%.8s.link", intoto_key_id(key));
    assert_string_equal(path.data, want);
    assert_int_equal(intoto_envelope_load(&env, want, &err), INTOTO_OK);
    assert_int_equal(intoto_envelope_verify(env, key, &err), INTOTO_OK);
    assert_int_equal(intoto_json_len(intoto_json_get(
                         intoto_envelope_payload(env), "materials")), 1);
    assert_int_equal(intoto_json_len(intoto_json_get(
                         intoto_envelope_payload(env), "products")), 2);
    snprintf(want, sizeof(want), ".edit.%.8s.link-unfinished",
             intoto_key_id(key));
    assert_int_equal(access(want, F_OK), -1);
    intoto_envelope_free(env);
    intoto_buf_release(&path);
    intoto_key_free(key);
    intoto_key_free(other);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_link_new),
        cmocka_unit_test(test_record_byproducts),
        cmocka_unit_test(test_record_environment),
        cmocka_unit_test(test_record_link_path),
        cmocka_unit_test_setup_teardown(test_record_artifacts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_record_step_no_command, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_record_start_stop, setup,
                                        teardown),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
