/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for safe archive extraction (lib/archive.c). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

#include <intoto/archive.h>

/* One archive member: type is 'f', 'd', 'l' (symlink), 'h' (hard link),
 * 'c' (char device), 'p' (FIFO). */
struct member {
    char type;
    const char *name;
    const char *data;   /* file data, or link target */
    int mode;
};

static char tmpdir[256];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_archive.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
path_in(const char *name)
{
    static char buf[4][PATH_MAX];
    static int i;

    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
    return buf[i];
}

static void
add_member(struct archive *a, const struct member *m)
{
    struct archive_entry *e = archive_entry_new();
    size_t len = 0;

    archive_entry_set_pathname(e, m->name);
    archive_entry_set_mtime(e, 1700000000, 0);
    archive_entry_set_perm(e, (mode_t)(m->mode ? m->mode : 0644));
    switch (m->type) {
    case 'f':
        len = strlen(m->data);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)len);
        break;
    case 'd':
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
    case 'l':
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, m->data);
        break;
    case 'h':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, m->data);
        break;
    case 'c':
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_rdev(e, makedev(1, 3));
        break;
    default:
        archive_entry_set_filetype(e, AE_IFIFO);
        break;
    }
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    if (len > 0) {
        assert_int_equal(archive_write_data(a, m->data, len), (ssize_t)len);
    }
    archive_entry_free(e);
}

/* Write a pax tar (gzip-compressed with gz) of n members to name. */
static const char *
make_tar(const char *name, const struct member *m, size_t n, int gz)
{
    struct archive *a = archive_write_new();
    const char *path = path_in(name);
    size_t i;

    archive_write_set_format_pax(a);
    if (gz) {
        archive_write_add_filter_gzip(a);
    }
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (i = 0; i < n; i++) {
        add_member(a, &m[i]);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    return path;
}

static void
assert_file(const char *path, const char *want)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    ssize_t n;

    assert_true(fd >= 0);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n >= 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static int
unpack(const char *archive, const char *dest,
       const struct intoto_unpack_limits *lim, struct intoto_error *err)
{
    intoto_error_init(err);
    return intoto_archive_unpack(archive, dest, lim, NULL, err);
}

static void
assert_refused(int rc, const struct intoto_error *err, const char *frag)
{
    if (rc != INTOTO_EVERIFY || strstr(err->msg, frag) == NULL) {
        print_error("rc %d, message '%s', wanted '%s'\n", rc, err->msg,
                    frag);
    }
    assert_int_equal(rc, INTOTO_EVERIFY);
    assert_non_null(strstr(err->msg, frag));
}

static void
test_archive_unpack_benign(void **state)
{
    static const struct member m[] = {
        { 'd', "dir/", NULL, 0750 },
        { 'f', "dir/a.txt", "alpha\n", 04755 },
        { 'f', "./b.txt", "beta\n", 0600 },
        { 'l', "dir/link", "a.txt", 0777 },
        { 'l', "up", "dir/../b.txt", 0777 },
        { 'h', "dir/hard", "dir/a.txt", 0 },
        { 'l', "dir/self", "..", 0777 },
        { 'l', "dir/in", "self/dir/self/b.txt", 0777 },
        { 'd', "./", NULL, 0755 },
    };
    struct intoto_error err;
    struct stat st;
    char target[64];
    ssize_t n;

    (void)state;
    assert_int_equal(unpack(make_tar("b.tar.gz", m, 9, 1), path_in("out"),
                            NULL, &err),
                     INTOTO_OK);
    assert_file(path_in("out/dir/a.txt"), "alpha\n");
    assert_file(path_in("out/b.txt"), "beta\n");
    assert_file(path_in("out/up"), "beta\n");
    assert_file(path_in("out/dir/in"), "beta\n");
    assert_int_equal(lstat(path_in("out/dir/a.txt"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    assert_int_equal(st.st_nlink, 2);
    assert_int_equal(st.st_mtime, 1700000000);
    assert_int_equal(lstat(path_in("out/dir"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
    n = readlink(path_in("out/dir/link"), target, sizeof(target));
    assert_int_equal(n, 5);
    assert_memory_equal(target, "a.txt", 5);
}

struct refusal {
    const char *what;
    struct member m[3];
    size_t n;
    const char *frag;
};

static const struct refusal refusals[] = {
    { "dotdot", { { 'f', "../evil", "x", 0 } }, 1, "'..' component" },
    { "dotdot-mid", { { 'f', "a/../../evil", "x", 0 } }, 1,
      "'..' component" },
    { "absolute", { { 'f', "/tmp/evil", "x", 0 } }, 1, "absolute path" },
    { "symlink-abs", { { 'l', "l", "/etc", 0 } }, 1,
      "symlink to an absolute path" },
    { "symlink-out", { { 'l', "d/l", "../../x", 0 } }, 1,
      "symlink resolves outside the destination" },
    { "through-symlink",
      { { 'd', "d/", NULL, 0 }, { 'l', "l", "d", 0 },
        { 'f', "l/evil", "x", 0 } }, 3,
      "path goes through the symlink 'l'" },
    { "chain",
      { { 'd', "s/", NULL, 0 }, { 'l', "s/up", "..", 0 },
        { 'l', "s/esc", "up/..", 0 } }, 3,
      "entry 's/esc': symlink resolves outside the destination through" },
    { "loop", { { 'l', "a", "b", 0 }, { 'l', "b", "a", 0 } }, 2,
      "entry 'a': symlink resolves outside the destination through other "
      "symlinks, or loops" },
    { "device", { { 'c', "null", NULL, 0 } }, 1, "character device" },
    { "fifo", { { 'p', "fifo", NULL, 0 } }, 1, "FIFO" },
    { "control-bytes", { { 'p', "bad\nname\x1b[0m", NULL, 0 } }, 1,
      "entry 'bad\\x0aname\\x1b[0m': FIFO" },
    { "duplicate", { { 'f', "f", "one", 0 }, { 'f', "f", "two", 0 } }, 2,
      "entry 'f': would overwrite an existing file" },
    { "file-over-symlink",
      { { 'l', "f", "g", 0 }, { 'f', "f", "two", 0 } }, 2,
      "would write through a symlink" },
    { "hardlink-missing", { { 'h', "h", "nothere", 0 } }, 1,
      "not a file extracted from this archive" },
    { "hardlink-out", { { 'h', "h", "../x", 0 } }, 1,
      "hard link target: path contains a '..' component" },
    { "hardlink-to-dir",
      { { 'd', "d/", NULL, 0 }, { 'h', "h", "d", 0 } }, 2,
      "not a file extracted from this archive" },
    { "deep",
      { { 'f', "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
          "f", "x", 0 } }, 1, "more than 256 components" },
    { "long-component",
      { { 'f', "d/ccccccccccccccccccccccccccccccccccccccccccccccccccc"
          "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
          "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
          "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
          "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
          "x", 0 } }, 1, "longer than 255 bytes" },
};

static void
test_archive_unpack_refusals(void **state)
{
    struct intoto_error err;
    char name[64], dest[64];
    struct stat st;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const struct refusal *r = &refusals[i];

        snprintf(name, sizeof(name), "%s.tar", r->what);
        snprintf(dest, sizeof(dest), "w%zu/dest", i);
        assert_refused(unpack(make_tar(name, r->m, r->n, 0), path_in(dest),
                              NULL, &err),
                       &err, r->frag);
        assert_non_null(strstr(err.msg, "': entry '"));
        snprintf(dest, sizeof(dest), "w%zu/evil", i);
        assert_int_equal(lstat(path_in(dest), &st), -1);
    }
    /* The escaping symlink of the chain was removed. */
    assert_int_equal(lstat(path_in("w6/dest/s/esc"), &st), -1);
}

static void
test_archive_unpack_long_name(void **state)
{
    struct member m = { 'f', NULL, "x", 0 };
    struct intoto_error err;
    char *name = malloc(10001);

    (void)state;
    assert_non_null(name);
    memset(name, 'n', 10000);
    name[10000] = '\0';
    m.name = name;
    assert_refused(unpack(make_tar("long.tar", &m, 1, 0), path_in("o"),
                          NULL, &err),
                   &err, "name too long");
    /* The message quotes a shortened name. */
    assert_true(strlen(err.msg) < 400);
    free(name);
}

static void
test_archive_unpack_existing_symlink(void **state)
{
    static const struct member m[] = { { 'f', "pre/evil", "x", 0 } };
    struct intoto_error err;
    struct stat st;

    (void)state;
    assert_int_equal(mkdir(path_in("out"), 0755), 0);
    assert_int_equal(mkdir(path_in("outside"), 0755), 0);
    assert_int_equal(symlink(path_in("outside"), path_in("out/pre")), 0);
    assert_refused(unpack(make_tar("e.tar", m, 1, 0), path_in("out"), NULL,
                          &err),
                   &err, "path goes through the symlink 'pre'");
    assert_int_equal(lstat(path_in("outside/evil"), &st), -1);
}

static void
test_archive_unpack_no_overwrite(void **state)
{
    static const struct member m[] = { { 'f', "keep", "new\n", 0 } };
    struct intoto_error err;
    int fd;

    (void)state;
    assert_int_equal(mkdir(path_in("out"), 0755), 0);
    fd = open(path_in("out/keep"), O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "old\n", 4), 4);
    close(fd);
    assert_refused(unpack(make_tar("k.tar", m, 1, 0), path_in("out"), NULL,
                          &err),
                   &err, "would overwrite an existing file");
    assert_file(path_in("out/keep"), "old\n");
}

static void
test_archive_unpack_limits(void **state)
{
    static const struct member m[] = {
        { 'f', "a", "0123456789", 0 },
        { 'f', "b", "0123456789", 0 },
        { 'f', "c", "0123456789", 0 },
    };
    struct intoto_unpack_limits lim;
    struct intoto_error err;
    struct member big = { 'f', "zeros", NULL, 0 };
    const char *tar = make_tar("l.tar", m, 3, 0);
    char *zeros = calloc(1, 200001);
    struct stat st;

    (void)state;
    intoto_unpack_limits_init(&lim);
    assert_int_equal(lim.max_entries, 100000);
    assert_int_equal(lim.max_ratio, 200);
    lim.max_entries = 2;
    assert_refused(unpack(tar, path_in("o1"), &lim, &err), &err,
                   "entry 'c': more than 2 entries");
    intoto_unpack_limits_init(&lim);
    lim.max_bytes = 25;
    assert_refused(unpack(tar, path_in("o2"), &lim, &err), &err,
                   "entry 'c': more than 25 bytes");
    /* The partly written file is removed. */
    assert_int_equal(lstat(path_in("o2/c"), &st), -1);

    assert_non_null(zeros);
    memset(zeros, '0', 200000);
    big.data = zeros;
    tar = make_tar("z.tar.gz", &big, 1, 1);
    intoto_unpack_limits_init(&lim);
    lim.max_ratio = 20;
    lim.ratio_min_bytes = 0;
    assert_refused(unpack(tar, path_in("o3"), &lim, &err), &err,
                   "compression ratio above 20:1");
    lim.max_ratio = 0;
    assert_int_equal(unpack(tar, path_in("o4"), &lim, &err), INTOTO_OK);
    free(zeros);
}

static void
test_archive_unpack_errors(void **state)
{
    struct intoto_error err;
    int fd;

    (void)state;
    assert_int_equal(unpack(path_in("missing.tar"), path_in("o"), NULL,
                            &err),
                     INTOTO_ENOTFOUND);
    assert_non_null(strstr(err.msg, "missing.tar"));
    fd = open(path_in("text"), O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "plain text, not an archive\n", 27), 27);
    close(fd);
    assert_int_equal(unpack(path_in("text"), path_in("o"), NULL, &err),
                     INTOTO_EPARSE);
    assert_non_null(strstr(err.msg, "/text'"));
    assert_int_equal(unpack(tmpdir, path_in("o"), NULL, &err), INTOTO_EIO);
    /* The destination path goes through a regular file. */
    assert_int_equal(unpack(path_in("text"), path_in("text/o"), NULL, &err),
                     INTOTO_EIO);
    assert_non_null(strstr(err.msg, "cannot open destination"));
}

/* A FIFO with no writer is refused at once instead of blocking in
 * open(2); so is any input that is not a regular file. */
static void
test_archive_unpack_fifo(void **state)
{
    struct intoto_error err;
    int rc;

    (void)state;
    assert_int_equal(mkfifo(path_in("fifo"), 0644), 0);
    alarm(10);
    rc = unpack(path_in("fifo"), path_in("o"), NULL, &err);
    alarm(0);
    assert_int_equal(rc, INTOTO_EIO);
    assert_non_null(strstr(err.msg, "fifo' is not a regular file"));
    assert_int_equal(unpack("/dev/null", path_in("o"), NULL, &err),
                     INTOTO_EIO);
    assert_non_null(strstr(err.msg, "'/dev/null' is not a regular file"));
}

static int
argv_rc(struct intoto_error *err, const char *dir, int argc, ...)
{
    const char *argv[16];
    va_list ap;
    int i;

    va_start(ap, argc);
    for (i = 0; i < argc; i++) {
        argv[i] = va_arg(ap, const char *);
    }
    va_end(ap);
    intoto_error_init(err);
    return intoto_archive_unpack_argv_at(dir, argc, argv, NULL, err);
}

static void
test_archive_unpack_argv(void **state)
{
    static const struct member m[] = { { 'f', "f", "data\n", 0 } };
    struct intoto_error err;
    const char *tar = make_tar("a.tar", m, 1, 0);

    (void)state;
    assert_int_equal(argv_rc(&err, NULL, 2, "unpack", "--bogus"),
                     INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "unknown option '--bogus'"));
    assert_non_null(strstr(err.msg, "usage: in-toto unpack"));
    assert_int_equal(argv_rc(&err, NULL, 1, "unpack"), INTOTO_EINVAL);
    assert_non_null(strstr(err.msg, "no archive given"));
    assert_int_equal(argv_rc(&err, NULL, 3, "unpack", "a", "b"),
                     INTOTO_EINVAL);
    assert_int_equal(argv_rc(&err, NULL, 3, "unpack", tar, "-C"),
                     INTOTO_EINVAL);
    assert_int_equal(argv_rc(&err, NULL, 4, "unpack", "--max-bytes", "1Q",
                             tar),
                     INTOTO_EINVAL);
    assert_int_equal(argv_rc(&err, NULL, 4, "unpack", "--max-entries",
                             "99999999999999999999999", tar),
                     INTOTO_EINVAL);

    assert_int_equal(argv_rc(&err, NULL, 6, "unpack", tar, "-C",
                             path_in("c1"), "--max-bytes=1K",
                             "--max-ratio=200:1"),
                     INTOTO_OK);
    assert_file(path_in("c1/f"), "data\n");
    assert_int_equal(argv_rc(&err, NULL, 4, "unpack", "--max-bytes", "4",
                             tar),
                     INTOTO_EVERIFY);
    /* Relative names are taken from dir. */
    assert_int_equal(argv_rc(&err, tmpdir, 4, "unpack", "-v", "a.tar",
                             "-Cc2"),
                     INTOTO_OK);
    assert_file(path_in("c2/f"), "data\n");
    assert_int_equal(argv_rc(&err, tmpdir, 5, "unpack", "--directory",
                             "c3", "--", "a.tar"),
                     INTOTO_OK);
    assert_file(path_in("c3/f"), "data\n");
    assert_non_null(strstr(intoto_archive_unpack_usage(), "--max-ratio"));
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_archive_unpack_benign, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_refusals, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_long_name,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_existing_symlink,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_no_overwrite,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_limits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_argv, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_archive_unpack_fifo, setup,
                                        teardown),
    };

    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
