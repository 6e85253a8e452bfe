/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for running a step's command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <intoto/run.h>

static int
run(struct intoto_run_result *res, const char *const *argv, int capture,
    double timeout, struct intoto_error *err)
{
    struct intoto_run_opts o;

    memset(&o, 0, sizeof(o));
    o.capture = capture;
    o.timeout = timeout;
    o.quiet = !capture;
    intoto_run_result_init(res);
    intoto_error_init(err);
    return intoto_run(res, argv, &o, err);
}

static void
test_run_exit_status(void **state)
{
    const char *ok[] = { "true", NULL };
    const char *bad[] = { "sh", "-c", "exit 3", NULL };
    struct intoto_run_result res;
    struct intoto_error err;

    (void)state;
    assert_int_equal(run(&res, ok, 0, 0, &err), INTOTO_OK);
    assert_int_equal(res.return_value, 0);
    assert_int_equal(res.signal, 0);
    intoto_run_result_release(&res);
    assert_int_equal(run(&res, bad, 0, 0, &err), INTOTO_OK);
    assert_int_equal(res.return_value, 3);
    intoto_run_result_release(&res);
}

static void
test_run_capture(void **state)
{
    const char *argv[] = { "sh", "-c", "printf out; printf err >&2", NULL };
    struct intoto_run_result res;
    struct intoto_error err;

    (void)state;
    assert_int_equal(run(&res, argv, 1, 0, &err), INTOTO_OK);
    assert_int_equal(res.out.len, 3);
    assert_memory_equal(res.out.data, "out", 3);
    assert_int_equal(res.err.len, 3);
    assert_memory_equal(res.err.data, "err", 3);
    intoto_run_result_release(&res);
}

static void
test_run_no_shell(void **state)
{
    const char *argv[] = { "printf", "%s", "$HOME;*", NULL };
    struct intoto_run_result res;
    struct intoto_error err;

    (void)state;
    assert_int_equal(run(&res, argv, 1, 0, &err), INTOTO_OK);
    assert_int_equal(res.out.len, 7);
    assert_memory_equal(res.out.data, "$HOME;*", 7);
    intoto_run_result_release(&res);
}

static void
test_run_not_found(void **state)
{
    const char *argv[] = { "no-such-program-intoto", NULL };
    struct intoto_run_result res;
    struct intoto_error err;

    (void)state;
    assert_int_equal(run(&res, argv, 1, 0, &err), INTOTO_EIO);
    assert_non_null(strstr(err.msg, "cannot run 'no-such-program-intoto'"));
    intoto_run_result_release(&res);
    assert_int_equal(run(&res, NULL, 0, 0, &err), INTOTO_EINVAL);
}

static void
test_run_signal(void **state)
{
    const char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
    struct intoto_run_result res;
    struct intoto_error err;

    (void)state;
    assert_int_equal(run(&res, argv, 0, 0, &err), INTOTO_OK);
    assert_int_equal(res.signal, 9);
    assert_int_equal(res.return_value, -1);
    intoto_run_result_release(&res);
}

/* The timeout ends the whole group: the background sleep holding the
 * pipe open must not keep us waiting. */
static void
test_run_timeout_group(void **state)
{
    const char *argv[] = { "sh", "-c", "sleep 30 & sleep 30", NULL };
    struct intoto_run_result res;
    struct intoto_error err;
    time_t t0 = time(NULL);

    (void)state;
    assert_int_equal(run(&res, argv, 1, 0.3, &err), INTOTO_EVERIFY);
    assert_int_equal(res.timed_out, 1);
    assert_non_null(strstr(err.msg, "timed out"));
    assert_true(time(NULL) - t0 < 10);
    intoto_run_result_release(&res);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_exit_status),
        cmocka_unit_test(test_run_capture),
        cmocka_unit_test(test_run_no_shell),
        cmocka_unit_test(test_run_not_found),
        cmocka_unit_test(test_run_signal),
        cmocka_unit_test(test_run_timeout_group),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
