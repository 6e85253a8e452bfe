/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for walking, exclude patterns, path names and hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hash.h"
#include "walk.h"

struct gi_case {
    const char *pat;
    const char *bits;
};

/* Generated with pathspec 0.11 (the reference's matcher): for each
 * pattern, one character per name of gi_names: 1 excluded, 0 not. */
static const char *const gi_names[] = {
    "a.link",
    "x.link.y",
    "d/e.link",
    ".git",
    ".git/config",
    "sub/.git",
    "sub/.gitx",
    "m.pyc",
    "a/b/m.pyc",
    "f~",
    "build",
    "build/o",
    "src/build",
    "src/build/k",
    "a",
    "a/x",
    "a/b",
    "a/b/c",
    "a/b/c/d.txt",
    "a/d.txt",
    "x[1]",
    "q1",
    "q12",
    "b",
    "c/x",
    "d",
    "x",
    "x/y/z",
    "]",
    "[",
    "#h",
    "spaced",
    "h.py",
    "a.py/z",
    "nl\nx",
    "b\\ack",
    "\xc3""\xa9""",
    "^b",
    "x/nl\n",
};
static const struct gi_case gi_cases[] = {
    { "*.link*", "111000000000000000000000000000000000000" },
    { ".git", "000111000000000000000000000000000000000" },
    { "*.pyc", "000000011000000000000000000000000000000" },
    { "*~", "000000000100000000000000000000000000000" },
    { "build", "000000000011110000000000000000000000000" },
    { "build/", "000000000001010000000000000000000000000" },
    { "/build", "000000000011000000000000000000000000000" },
    { "**/build", "000000000011110000000000000000000000000" },
    { "a/**", "000000001000000111110000000000000000000" },
    { "a/**/d.txt", "000000000000000000110000000000000000000" },
    { "a/*", "000000001000000111110000000000000000000" },
    { "*", "111111111111111111111111111111111111111" },
    { "*/", "001011101001110111110000100100000100001" },
    { "x\\[1\\]", "000000000000000000001000000000000000000" },
    { "q?", "000000000000000000000100000000000000000" },
    { "[a-c]*", "100010001011111111110001100000000101000" },
    { "[!a-c]*", "011111111101110100111110111111111110111" },
    { "**/", "001011101001110111110000100100000100001" },
    { "a/b", "000000001000000011100000000000000000000" },
    { "#x", "000000000000000000000000000000000000000" },
    { "  spaced  ", "000000000000000000000000000000010000000" },
    { "**", "111111111111111111111111111111111111111" },
    { "a/**/", "000000001000000111110000000000000000000" },
    { "**/x/**", "000000000000000000000000000100000000001" },
    { "[]]", "000000000000000000000000000010000000000" },
    { "[", "000000000000000000000000000001000000000" },
    { "\\#h", "000000000000000000000000000000100000000" },
    { "*.py", "000000000000000000000000000000001100000" },
    { "?", "001000001001011111110001111111000100101" },
    { "[^a]*", "100000001000001111110000000000000100010" },
    { "/a/b", "000000001000000011100000000000000000000" },
    { "a//b", "000000000000000000000000000000000000000" },
    { "\xc3""\xa9""", "000000000000000000000000000000000000100" },
    { "[\xc3\xa0-\xc3\xbf]",
      "000000000000000000000000000000000000100" },
    { "nl", "000000000000000000000000000000000000001" },
};

#define N_NAMES (sizeof(gi_names) / sizeof(gi_names[0]))

static void
test_walk_gitignore_table(void **state)
{
    struct intoto__excludes *ex = NULL;
    size_t i, j;
    int got;

    (void)state;
    for (i = 0; i < sizeof(gi_cases) / sizeof(gi_cases[0]); i++) {
        assert_int_equal(strlen(gi_cases[i].bits), N_NAMES);
        assert_int_equal(intoto__excludes_compile(&ex, &gi_cases[i].pat, 1,
                                                  NULL), INTOTO_OK);
        for (j = 0; j < N_NAMES; j++) {
            got = intoto__excludes_match(ex, gi_names[j],
                                         strlen(gi_names[j]));
            if (got != gi_cases[i].bits[j] - '0') {
                fail_msg("pattern '%s' name '%s': got %d", gi_cases[i].pat,
                         gi_names[j], got);
            }
        }
        intoto__excludes_free(ex);
        ex = NULL;
    }
}

static void
test_walk_gitignore_negation(void **state)
{
    const char *pats[] = { "*.py", "!keep.py", "dir" };
    struct intoto__excludes *ex = NULL;

    (void)state;
    assert_int_equal(intoto__excludes_compile(&ex, pats, 3, NULL), INTOTO_OK);
    assert_int_equal(intoto__excludes_match(ex, "a.py", 4), 1);
    assert_int_equal(intoto__excludes_match(ex, "keep.py", 7), 0);
    assert_int_equal(intoto__excludes_match(ex, "x/keep.py", 9), 0);
    assert_int_equal(intoto__excludes_match(ex, "dir/keep.py", 11), 1);
    /* A leading "./" or "/" is ignored, as pathspec does. */
    assert_int_equal(intoto__excludes_match(ex, "./a.py", 6), 1);
    assert_int_equal(intoto__excludes_match(ex, "/dir", 4), 1);
    intoto__excludes_free(ex);
}

static void
test_walk_gitignore_invalid(void **state)
{
    const char *bad[] = { "!", "a\\" };
    struct intoto__excludes *ex = NULL;
    struct intoto_error err;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        intoto_error_init(&err);
        assert_int_equal(intoto__excludes_compile(&ex, &bad[i], 1, &err),
                         INTOTO_EINVAL);
        assert_null(ex);
        assert_non_null(strstr(err.msg, "invalid exclude pattern"));
    }
}

/* Many stars against a long name: answered quickly (memoised), and
 * right. */
static void
test_walk_gitignore_pathological(void **state)
{
    const char *pats[] = { "*a*a*a*a*a*a*a*a*b", "**/*a*a*a*a*a*a*a*c/**" };
    struct intoto__excludes *ex = NULL;
    char name[300];

    (void)state;
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(intoto__excludes_compile(&ex, pats, 2, NULL),
                     INTOTO_OK);
    assert_int_equal(intoto__excludes_match(ex, name, strlen(name)), 0);
    name[sizeof(name) - 2] = 'b';
    assert_int_equal(intoto__excludes_match(ex, name, strlen(name)), 1);
    name[sizeof(name) - 2] = 'a';
    name[100] = 'c';
    name[101] = '/';
    assert_int_equal(intoto__excludes_match(ex, name, strlen(name)), 1);
    intoto__excludes_free(ex);
}

/*
 * Found by fuzzing: even memoised, each star still scanned the rest of the
 * name from every position, tokens x length squared steps (three stars
 * against a 64 KiB name took half a minute).  Expected values from Python
 * pathspec 0.11 (gitwildmatch), checked on shorter names.
 */
static void
test_walk_gitignore_long_name_linear(void **state)
{
    static const struct {
        const char *pat;
        const char *tail; /* replaces the end of the name */
        int want;
    } cases[] = {
        { "***[z]", "", 0 },
        { "***[z]", "z", 1 },
        { "*a*b*[z]", "", 0 },
        { "*a*b*[z]", "bz", 1 },
        { "*a*b*[z]", "b/az", 0 },
        { "*a*b*[z]", "b/abz", 1 },
    };
    enum { N = 65536 };
    char *name = malloc(N + 1);
    struct timespec t0, t1;
    size_t i, n;

    (void)state;
    assert_non_null(name);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct intoto__excludes *ex = NULL;
        const char *pats[1] = { cases[i].pat };

        n = strlen(cases[i].tail);
        memset(name, 'a', N);
        memcpy(name + N - n, cases[i].tail, n);
        name[N] = '\0';
        assert_int_equal(intoto__excludes_compile(&ex, pats, 1, NULL),
                         INTOTO_OK);
        assert_int_equal(intoto__excludes_match(ex, name, N), cases[i].want);
        intoto__excludes_free(ex);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* Milliseconds now; tens of seconds before. */
    assert_true(t1.tv_sec - t0.tv_sec < 3);
    free(name);
}

/* Expected values from Python's posixpath.normpath. */
static const struct {
    const char *in;
    const char *out;
} norm_cases[] = {
    { "", "." },
    { ".", "." },
    { "./", "." },
    { "a", "a" },
    { "./a/../a/x", "a/x" },
    { "src//b.txt", "src/b.txt" },
    { "./src/../src/a.txt", "src/a.txt" },
    { "..", ".." },
    { "../a", "../a" },
    { "a/..", "." },
    { "a/../..", ".." },
    { "/", "/" },
    { "//", "//" },
    { "///", "/" },
    { "//a", "//a" },
    { "/../a", "/a" },
    { "a/./b/", "a/b" },
    { "a/b/../../..", ".." },
    { "../../a/../b", "../../b" },
    { "/a/b/../../../c", "/c" },
};

static void
test_walk_normalize(void **state)
{
    struct intoto_buf b;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
        intoto_buf_init(&b);
        assert_int_equal(intoto__path_normalize(&b, norm_cases[i].in),
                         INTOTO_OK);
        assert_string_equal(b.data, norm_cases[i].out);
        intoto_buf_release(&b);
    }
}

static void
test_walk_utf8(void **state)
{
    (void)state;
    assert_int_equal(intoto__utf8_valid("abc", 3), 1);
    assert_int_equal(intoto__utf8_valid("\xc3\xa9", 2), 1);
    assert_int_equal(intoto__utf8_valid("\xc3", 1), 0);
    assert_int_equal(intoto__utf8_valid("a\xffz", 3), 0);
    assert_int_equal(intoto__utf8_valid("\xed\xa0\x80", 3), 0);
    assert_int_equal(intoto__utf8_valid("\xc0\xaf", 2), 0);
    assert_int_equal(intoto__utf8_valid("\xf0\x9f\x98\x80", 4), 1);
}

/* A scratch directory per test; the test runs inside it. */
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
    strcpy(s->dir, "/tmp/intoto-walk-XXXXXX");
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

static int
walk(struct intoto__walk *w, const char *const *paths, size_t n,
     const char *const *excl, size_t n_excl, const char *const *lstrip,
     size_t n_lstrip, struct intoto_error *err)
{
    struct intoto__excludes *ex = NULL;
    struct intoto__walk_opts o;
    int rc;

    memset(&o, 0, sizeof(o));
    o.dirfd = AT_FDCWD;
    o.follow_symlink_dirs = 1;
    o.lstrip = lstrip;
    o.n_lstrip = n_lstrip;
    intoto_error_init(err);
    rc = intoto__excludes_compile(&ex, excl, n_excl, err);
    o.ex = ex;
    rc = rc ? rc : intoto__walk_paths(w, paths, n, &o, err);
    rc = rc ? rc : intoto__walk_finish(w, err);
    intoto__excludes_free(ex);
    return rc;
}

static void
test_walk_tree(void **state)
{
    const char *paths[] = { "." };
    const char *excl[] = { "*.link*", ".git", "*.pyc", "*~" };
    const char *want[] = { "a/b/c.txt", "d/x", "dl/c.txt", "e", "l" };
    struct intoto__walk w;
    struct intoto_error err;
    size_t i;

    (void)state;
    assert_int_equal(mkdir("a", 0755) | mkdir("a/b", 0755) | mkdir("d", 0755)
                     | mkdir(".git", 0755) | mkdir("empty", 0755), 0);
    put("a/b/c.txt", "c");
    put("d/x", "x");
    put("e", "e");
    put("s.link", "l");
    put(".git/HEAD", "h");
    put("m.pyc", "p");
    assert_int_equal(symlink("e", "l") | symlink("a/b", "dl") |
                     symlink("nowhere", "dangling"), 0);
    assert_int_equal(mkfifo("fifo", 0644), 0);
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, paths, 1, excl, 4, NULL, 0, &err), INTOTO_OK);
    assert_int_equal(w.n, 5);
    for (i = 0; i < w.n; i++) {
        assert_string_equal(intoto__walk_name(&w, i), want[i]);
    }
    intoto__walk_release(&w);
}

static void
test_walk_symlink_loop(void **state)
{
    const char *paths[] = { "." };
    struct intoto__walk w;
    struct intoto_error err;

    (void)state;
    assert_int_equal(mkdir("d", 0755) | mkdir("d/e", 0755), 0);
    assert_int_equal(symlink("..", "d/e/up"), 0);
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, paths, 1, NULL, 0, NULL, 0, &err),
                     INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "symbolic link loop"));
    assert_non_null(strstr(err.msg, "'d/e/up'"));
    intoto__walk_release(&w);
}

static void
test_walk_missing_and_paths(void **state)
{
    const char *paths[] = { "./a/../a/x", "a//x", "no-such", "a/x" };
    struct intoto__walk w;
    struct intoto_error err;

    (void)state;
    assert_int_equal(mkdir("a", 0755), 0);
    put("a/x", "x");
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, paths, 4, NULL, 0, NULL, 0, &err), INTOTO_OK);
    assert_int_equal(w.n, 1);
    assert_string_equal(intoto__walk_name(&w, 0), "a/x");
    intoto__walk_release(&w);
}

static void
test_walk_lstrip(void **state)
{
    const char *paths[] = { "a", "b" };
    const char *strip_ok[] = { "a/" };
    const char *strip_dup[] = { "a/", "b/" };
    const char *twice[] = { "a", "a/x" };
    struct intoto__walk w;
    struct intoto_error err;

    (void)state;
    assert_int_equal(mkdir("a", 0755) | mkdir("b", 0755), 0);
    put("a/x", "1");
    put("b/x", "2");
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, paths, 2, NULL, 0, strip_ok, 1, &err),
                     INTOTO_OK);
    assert_int_equal(w.n, 2);
    assert_string_equal(intoto__walk_name(&w, 0), "b/x");
    assert_string_equal(intoto__walk_name(&w, 1), "x");
    assert_string_equal(intoto__walk_path(&w, 1), "a/x");
    intoto__walk_release(&w);
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, paths, 2, NULL, 0, strip_dup, 2, &err),
                     INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "same name 'x'"));
    intoto__walk_release(&w);
    /* One file reached twice: dropped without lstrip, an error with it
     * (the reference's PrefixError). */
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, twice, 2, NULL, 0, NULL, 0, &err), INTOTO_OK);
    assert_int_equal(w.n, 1);
    intoto__walk_release(&w);
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, twice, 2, NULL, 0, strip_ok, 1, &err),
                     INTOTO_EINVAL);
    intoto__walk_release(&w);
}

static void
test_walk_bad_utf8_name(void **state)
{
    const char *paths[] = { "." };
    struct intoto__walk w;
    struct intoto_error err;

    (void)state;
    put("ok\nname", "n");
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, paths, 1, NULL, 0, NULL, 0, &err), INTOTO_OK);
    assert_int_equal(w.n, 1);
    assert_string_equal(intoto__walk_name(&w, 0), "ok\nname");
    intoto__walk_release(&w);
    put("bad\xff", "b");
    intoto__walk_init(&w);
    assert_int_equal(walk(&w, paths, 1, NULL, 0, NULL, 0, &err),
                     INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "'bad\\xff'"));
    intoto__walk_release(&w);
}

static int
hash_paths(unsigned char *out, const char *const *paths, size_t n,
           unsigned algs, int eol, struct intoto_error *err)
{
    struct intoto__hash_job job;

    memset(&job, 0, sizeof(job));
    job.dirfd = AT_FDCWD;
    job.paths = paths;
    job.n = n;
    job.algs = algs;
    job.normalize_eol = eol;
    job.digests = out;
    job.stride = intoto__hash_stride(algs);
    intoto_error_init(err);
    return intoto__hash_files(&job, err);
}

static void
test_walk_hash_values(void **state)
{
    const char *paths[] = { "abc", "crlf" };
    unsigned char d[2 * 96];
    char hex[129];
    struct intoto_error err;

    (void)state;
    put("abc", "abc");
    put("crlf", "a\r\nb\rc\n");
    assert_int_equal(hash_paths(d, paths, 2, 3, 0, &err), INTOTO_OK);
    intoto__hash_hex(hex, d, 32);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
    intoto__hash_hex(hex, d + 32, 64);
    assert_string_equal(hex, "ddaf35a193617abacc417349ae204131"
                             "12e6fa4e89a97ea20a9eeee64b55d39a"
                             "2192992a274fc1a836ba3c23a3feebbd"
                             "454d4423643ce80e2a9ac94fa54ca49f");
    /* With normalisation "a\r\nb\rc\n" hashes as "a\nb\nc\n". */
    assert_int_equal(hash_paths(d, paths + 1, 1, 1, 1, &err), INTOTO_OK);
    intoto__hash_hex(hex, d, 32);
    put("lf", "a\nb\nc\n");
    paths[0] = "lf";
    assert_int_equal(hash_paths(d + 32, paths, 1, 1, 0, &err), INTOTO_OK);
    assert_memory_equal(d, d + 32, 32);
}

static void
test_walk_hash_vanished_and_fifo(void **state)
{
    const char *paths[] = { "gone" };
    unsigned char d[32];
    struct intoto_error err;

    (void)state;
    put("gone", "x");
    assert_int_equal(unlink("gone"), 0);
    assert_int_equal(hash_paths(d, paths, 1, 1, 0, &err), INTOTO_EIO);
    assert_non_null(strstr(err.msg, "vanished"));
    assert_non_null(strstr(err.msg, "'gone'"));
    /* A FIFO put where a file was listed is refused, not waited on. */
    assert_int_equal(mkfifo("gone", 0644), 0);
    assert_int_equal(hash_paths(d, paths, 1, 1, 0, &err), INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

static void
test_walk_hash_many(void **state)
{
    const char *paths[200];
    char names[200][8];
    unsigned char d[200 * 32], one[32];
    struct intoto_error err;
    size_t i;

    (void)state;
    for (i = 0; i < 200; i++) {
        snprintf(names[i], sizeof(names[i]), "f%zu", i);
        put(names[i], names[i]);
        paths[i] = names[i];
    }
    assert_int_equal(hash_paths(d, paths, 200, 1, 0, &err), INTOTO_OK);
    for (i = 0; i < 200; i++) {
        assert_int_equal(intoto__hash_buf(one, 1, names[i], strlen(names[i]),
                                          NULL), INTOTO_OK);
        assert_memory_equal(one, d + 32 * i, 32);
    }
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_gitignore_table),
        cmocka_unit_test(test_walk_gitignore_negation),
        cmocka_unit_test(test_walk_gitignore_invalid),
        cmocka_unit_test(test_walk_gitignore_pathological),
        cmocka_unit_test(test_walk_gitignore_long_name_linear),
        cmocka_unit_test(test_walk_normalize),
        cmocka_unit_test(test_walk_utf8),
        cmocka_unit_test_setup_teardown(test_walk_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_symlink_loop, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_walk_missing_and_paths, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_walk_lstrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_bad_utf8_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_walk_hash_values, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_walk_hash_vanished_and_fifo,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_hash_many, setup,
                                        teardown),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
