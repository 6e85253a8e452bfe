/* SPDX-License-Identifier: Apache-2.0 */
/* Safe extraction of tar, zip, ar and cpio archives with libarchive. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include <intoto/archive.h>

/*
 * Why not archive_write_disk: it resolves names from the process's working
 * directory, which verify must not change (and other threads may share),
 * and its checks are path-based.  Here every entry is checked first, then
 * created relative to a descriptor of the destination with openat(2) and
 * O_NOFOLLOW on every component, so no symlink is ever followed while
 * writing, whatever the archive or the destination holds.  This enforces
 * what ARCHIVE_EXTRACT_SECURE_SYMLINKS, _SECURE_NODOTDOT and
 * _SECURE_NOABSOLUTEPATHS promise, and never applies owners or special
 * mode bits.
 */

#define NAME_LIMIT 4095     /* longest entry name or link target, bytes */
#define COMPONENT_LIMIT 255 /* longest path component (NAME_MAX) */
#define DEPTH_LIMIT 256     /* most components in a name */
#define SHOW_LIMIT 200      /* longest name quoted in a message */
#define LINK_HOPS 40        /* symlinks followed when checking a target */
#define READ_BLOCK 65536

static const char usage_text[] =
    "usage: in-toto unpack ARCHIVE [-C DIR] [--max-bytes N] "
    "[--max-entries N] [--max-ratio N]\n"
    "Extract a tar (plain, gz, bz2, xz, zst), zip, ar or cpio archive into\n"
    "DIR (default: the current directory), refusing hostile entries.\n"
    "  -C, --directory DIR   extract into DIR (created if missing)\n"
    "  --max-bytes N         stop past N bytes written (suffix K, M, G, T;\n"
    "                        default 8G; 0: no limit)\n"
    "  --max-entries N       stop past N entries (default 100000)\n"
    "  --max-ratio N         stop when more than N times the archive bytes\n"
    "                        read are written, past 32 MiB (default 200)\n"
    "  -v, --verbose         say what was extracted (twice: each entry)\n"
    "  -q, --quiet           show errors only\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

static const char usage_line[] =
    "usage: in-toto unpack ARCHIVE [-C DIR] [--max-bytes N] "
    "[--max-entries N] [--max-ratio N]";

/* A directory whose mode and time are set once all entries are out. */
struct fixup {
    char *path;
    mode_t mode;
    struct timespec mtime;
    size_t order;
};

struct inode {
    dev_t dev;
    ino_t ino;
};

struct unpack {
    const char *archive;     /* as given, for messages */
    struct intoto_unpack_limits lim;
    const struct intoto_log *log;
    struct archive *ar;
    int destfd;
    uint64_t entries;
    uint64_t written;
    const char *name;        /* current entry, for messages */
    char *cache_path;        /* the last parent directory walked */
    int cache_fds[DEPTH_LIMIT]; /* its descriptors, one per component */
    size_t cache_n;
    struct inode *files;     /* hash set of regular files we created */
    size_t files_n, files_cap;
    struct fixup *dirs;
    size_t dirs_n, dirs_cap;
    char **links;            /* symlinks we created, checked at the end */
    size_t links_n, links_cap;
};

void
intoto_unpack_limits_init(struct intoto_unpack_limits *lim)
{
    lim->max_bytes = INTOTO_UNPACK_MAX_BYTES;
    lim->max_entries = INTOTO_UNPACK_MAX_ENTRIES;
    lim->max_ratio = INTOTO_UNPACK_MAX_RATIO;
    lim->ratio_min_bytes = INTOTO_UNPACK_RATIO_MIN_BYTES;
}

const char *
intoto_archive_unpack_usage(void)
{
    return usage_text;
}

/* Text made safe to print: control bytes escaped, cut after `limit`. */
static void
sanitize(char *out, size_t cap, const char *text, size_t limit)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)text;

    for (; *p != '\0' && o + 8 < cap; p++) {
        if (o >= limit) {
            memcpy(out + o, "...", 4);
            return;
        }
        if (*p < 0x20 || *p == 0x7f || *p == '\\') {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *p);
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

static void
show_name(char *out, size_t cap, const char *name)
{
    sanitize(out, cap, name, SHOW_LIMIT);
}

/* Refuse the current entry: INTOTO_EVERIFY naming archive and entry. */
static int
refuse(struct unpack *u, struct intoto_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
refuse(struct unpack *u, struct intoto_error *err, const char *fmt, ...)
{
    char why[1024], safe[1024];
    char shown[SHOW_LIMIT + 16];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    sanitize(safe, sizeof(safe), why, 2 * SHOW_LIMIT);
    show_name(shown, sizeof(shown), u->name ? u->name : "");
    return intoto_error_set(err, INTOTO_EVERIFY, "'%s': entry '%s': %s",
                            u->archive, shown, safe);
}

/* An error on the current entry other than a refusal (I/O, corrupt). */
static int
entry_error(struct unpack *u, struct intoto_error *err, int code,
            const char *what)
{
    char shown[SHOW_LIMIT + 16];

    show_name(shown, sizeof(shown), u->name ? u->name : "");
    return intoto_error_set(err, code, "'%s': entry '%s': %s: %s",
                            u->archive, shown, what, strerror(errno));
}

static int
archive_fail(struct unpack *u, struct intoto_error *err)
{
    const char *msg = archive_error_string(u->ar);
    char shown[SHOW_LIMIT + 16];

    if (msg == NULL) {
        msg = "cannot read the archive";
    }
    if (u->name == NULL) {
        return intoto_error_set(err, INTOTO_EPARSE, "'%s': %s", u->archive,
                                msg);
    }
    show_name(shown, sizeof(shown), u->name);
    return intoto_error_set(err, INTOTO_EPARSE, "'%s': entry '%s': %s",
                            u->archive, shown, msg);
}

/*
 * Normalise an entry name to "a/b/c" (out, caller frees; "" is the
 * destination itself).  Empty and "." components go; "..", a leading '/'
 * and over-long names are refused: *why says why and out stays NULL.
 */
static int
path_clean(char **out, const char *name, const char **why)
{
    size_t len = strlen(name);
    const char *p = name;
    char *res = NULL;
    size_t o = 0, depth = 0;

    *out = NULL;
    *why = NULL;
    if (len > NAME_LIMIT) {
        *why = "name too long";
        return INTOTO_EVERIFY;
    }
    if (name[0] == '/') {
        *why = "absolute path";
        return INTOTO_EVERIFY;
    }
    res = malloc(len + 1);
    if (res == NULL) {
        return INTOTO_ENOMEM;
    }
    while (*p != '\0') {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.') {
            *why = "path contains a '..' component";
        } else if (n > COMPONENT_LIMIT) {
            *why = "path component longer than 255 bytes";
        }
        if (*why != NULL) {
            free(res);
            return INTOTO_EVERIFY;
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            depth++;
            if (o > 0) {
                res[o++] = '/';
            }
            memcpy(res + o, p, n);
            o += n;
        }
        p += n;
        p += *p == '/';
    }
    if (depth > DEPTH_LIMIT) {
        *why = "path has more than 256 components";
        free(res);
        return INTOTO_EVERIFY;
    }
    res[o] = '\0';
    *out = res;
    return INTOTO_OK;
}

/* Open the directory comp in fd without following a symlink, making it
 * first (0777 less the umask) with create.  -1 and errno on failure. */
static int
open_component(int fd, const char *comp, int create)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int next = openat(fd, comp, flags);

    if (next < 0 && errno == ENOENT && create) {
        if (mkdirat(fd, comp, 0777) != 0 && errno != EEXIST) {
            return -1;
        }
        next = openat(fd, comp, flags);
    }
    return next;
}

/* Why the first `len` bytes of dir, ending in comp (in fd), cannot be
 * walked through; errno is open_component's. */
static int
refuse_walk(struct unpack *u, int fd, const char *comp, const char *dir,
            size_t len, struct intoto_error *err)
{
    int e = errno;
    struct stat st;

    if (fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
        return refuse(u, err, "path goes through the symlink '%.*s'",
                      (int)len, dir);
    }
    if (e == ENOTDIR || e == ELOOP) {
        return refuse(u, err, "'%.*s' is not a directory", (int)len, dir);
    }
    if (e == ENOENT) {
        return refuse(u, err, "'%.*s' does not exist", (int)len, dir);
    }
    errno = e;
    return entry_error(u, err, INTOTO_EIO, "cannot open directory");
}

/*
 * Open the directory `dir` ("a/b", "" for the destination) below the
 * destination, component by component, never following a symlink; with
 * `create`, missing directories are made (mode 0777 less the umask, as tar
 * does for directories the archive does not list).  *out is a new
 * descriptor.  Refuses a symlink or non-directory on the way.
 */
static int
walk_dir(int *out, struct unpack *u, const char *dir, int create,
         struct intoto_error *err)
{
    char comp[COMPONENT_LIMIT + 1];
    const char *p = dir;
    int fd = -1;
    int next;

    *out = -1;
    fd = dup(u->destfd);
    if (fd < 0) {
        return entry_error(u, err, INTOTO_EIO, "cannot open destination");
    }
    while (*p != '\0') {
        size_t n = strcspn(p, "/");

        memcpy(comp, p, n);
        comp[n] = '\0';
        next = open_component(fd, comp, create);
        if (next < 0) {
            int rc = refuse_walk(u, fd, comp, dir, (size_t)(p - dir) + n,
                                 err);

            close(fd);
            return rc;
        }
        close(fd);
        fd = next;
        p += n;
        p += *p == '/';
    }
    *out = fd;
    return INTOTO_OK;
}

static void
cache_clear(struct unpack *u)
{
    while (u->cache_n > 0) {
        close(u->cache_fds[--u->cache_n]);
    }
    free(u->cache_path);
    u->cache_path = NULL;
}

/* How many leading components of dir (dlen bytes) the cache holds. */
static size_t
cache_shared(const struct unpack *u, const char *dir, size_t dlen)
{
    const char *a = dir, *end = dir + dlen;
    const char *b = u->cache_path;
    size_t keep = 0;

    while (keep < u->cache_n && a < end) {
        size_t ka = strcspn(a, "/");
        size_t kb = strcspn(b, "/");

        if (ka != kb || memcmp(a, b, ka) != 0) {
            break;
        }
        keep++;
        a += ka + (a + ka < end);
        b += kb + (b[kb] == '/');
    }
    return keep;
}

/*
 * The directory holding `rel`, created as needed, as a borrowed descriptor
 * (valid until the next call); *leaf points into rel.  The descriptors of
 * the last directory walked and of its parents are kept, and the next
 * walk starts from the deepest one it shares: directories are never
 * replaced during an extraction (nothing is overwritten or removed), so
 * they stay right.
 */
static int
parent_fd(int *out, const char **leaf, struct unpack *u, const char *rel,
          struct intoto_error *err)
{
    const char *slash = strrchr(rel, '/');
    size_t dlen = slash ? (size_t)(slash - rel) : 0;
    const char *a = rel, *end = rel + dlen;
    char comp[COMPONENT_LIMIT + 1];
    size_t keep, i;
    int fd, rc;

    *out = -1;
    *leaf = slash ? slash + 1 : rel;
    keep = cache_shared(u, rel, dlen);
    for (i = 0; i < keep; i++) {
        a += strcspn(a, "/");
        a += a < end;
    }
    while (u->cache_n > keep) {
        close(u->cache_fds[--u->cache_n]);
    }
    free(u->cache_path);
    u->cache_path = NULL;

    fd = keep > 0 ? u->cache_fds[keep - 1] : u->destfd;
    while (a < end) {
        size_t k = strcspn(a, "/");

        memcpy(comp, a, k);
        comp[k] = '\0';
        fd = u->cache_n < DEPTH_LIMIT ? open_component(fd, comp, 1) : -1;
        if (fd < 0) {
            rc = refuse_walk(u, u->cache_n ? u->cache_fds[u->cache_n - 1]
                                            : u->destfd,
                             comp, rel, (size_t)(a - rel) + k, err);
            cache_clear(u);
            return rc;
        }
        u->cache_fds[u->cache_n++] = fd;
        a += k + (a + k < end);
    }
    u->cache_path = strndup(rel, dlen);
    if (u->cache_path == NULL) {
        cache_clear(u);
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    *out = fd;
    return INTOTO_OK;
}

static size_t
inode_slot(const struct inode *set, size_t cap, dev_t dev, ino_t ino)
{
    size_t h = (size_t)(((uint64_t)ino * UINT64_C(0x9e3779b97f4a7c15)) ^
                        (uint64_t)dev);

    h &= cap - 1;
    while (set[h].ino != 0 &&
           !(set[h].ino == ino && set[h].dev == dev)) {
        h = (h + 1) & (cap - 1);
    }
    return h;
}

static int
inode_add(struct unpack *u, dev_t dev, ino_t ino)
{
    size_t i;

    if (ino == 0) {
        return INTOTO_OK;
    }
    if (2 * (u->files_n + 1) > u->files_cap) {
        size_t cap = u->files_cap ? 2 * u->files_cap : 1024;
        struct inode *set = calloc(cap, sizeof(*set));

        if (set == NULL) {
            return INTOTO_ENOMEM;
        }
        for (i = 0; i < u->files_cap; i++) {
            if (u->files[i].ino != 0) {
                set[inode_slot(set, cap, u->files[i].dev,
                               u->files[i].ino)] = u->files[i];
            }
        }
        free(u->files);
        u->files = set;
        u->files_cap = cap;
    }
    i = inode_slot(u->files, u->files_cap, dev, ino);
    if (u->files[i].ino == 0) {
        u->files[i].dev = dev;
        u->files[i].ino = ino;
        u->files_n++;
    }
    return INTOTO_OK;
}

static int
inode_has(const struct unpack *u, dev_t dev, ino_t ino)
{
    if (u->files_cap == 0 || ino == 0) {
        return 0;
    }
    return u->files[inode_slot(u->files, u->files_cap, dev, ino)].ino != 0;
}

/* Count n more bytes written and apply the size and ratio limits. */
static int
charge(struct unpack *u, uint64_t n, struct intoto_error *err)
{
    const struct intoto_unpack_limits *l = &u->lim;
    la_int64_t read_bytes;

    if (n > UINT64_MAX - u->written) {
        return refuse(u, err, "size overflows");
    }
    u->written += n;
    if (l->max_bytes != 0 && u->written > l->max_bytes) {
        return refuse(u, err, "more than %llu bytes to write (limit; raise "
                      "it with --max-bytes)",
                      (unsigned long long)l->max_bytes);
    }
    if (l->max_ratio == 0 || u->written <= l->ratio_min_bytes) {
        return INTOTO_OK;
    }
    read_bytes = archive_filter_bytes(u->ar, -1);
    if (read_bytes <= 0 ||
        u->written / l->max_ratio > (uint64_t)read_bytes) {
        return refuse(u, err, "compression ratio above %llu:1 (%llu bytes "
                      "out of %lld read; raise the limit with --max-ratio)",
                      (unsigned long long)l->max_ratio,
                      (unsigned long long)u->written,
                      (long long)read_bytes);
    }
    return INTOTO_OK;
}

static int
pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
    ssize_t n;

    while (len > 0) {
        n = pwrite(fd, buf, len, off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

/* Copy the entry's data into fd, holes included (sparse entries). */
static int
copy_data(struct unpack *u, struct archive_entry *e, int fd,
          struct intoto_error *err)
{
    const void *buf;
    size_t len;
    la_int64_t off;
    uint64_t end = 0, size;
    int r, rc;

    for (;;) {
        r = archive_read_data_block(u->ar, &buf, &len, &off);
        if (r == ARCHIVE_EOF) {
            break;
        }
        if (r < ARCHIVE_OK || off < 0 ||
            (uint64_t)off > UINT64_MAX - len) {
            return archive_fail(u, err);
        }
        if ((uint64_t)off + len > end) {
            rc = charge(u, (uint64_t)off + len - end, err);
            if (rc != INTOTO_OK) {
                return rc;
            }
            end = (uint64_t)off + len;
        }
        if (pwrite_all(fd, buf, len, (off_t)off) != 0) {
            return entry_error(u, err, INTOTO_EIO, "cannot write");
        }
    }
    size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e)
                                        : 0;
    if (size > end) {
        rc = charge(u, size - end, err);
        if (rc != INTOTO_OK) {
            return rc;
        }
        if (ftruncate(fd, (off_t)size) != 0) {
            return entry_error(u, err, INTOTO_EIO, "cannot write");
        }
    }
    return INTOTO_OK;
}

static void
entry_times(struct timespec ts[2], struct archive_entry *e)
{
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (!archive_entry_mtime_is_set(e)) {
        ts[1].tv_nsec = UTIME_OMIT;
    }
    ts[0] = ts[1];
    if (archive_entry_atime_is_set(e)) {
        ts[0].tv_sec = archive_entry_atime(e);
        ts[0].tv_nsec = archive_entry_atime_nsec(e);
    }
}

/* Explain why `leaf` in pfd cannot be created: it exists. */
static int
refuse_existing(struct unpack *u, int pfd, const char *leaf,
                struct intoto_error *err)
{
    struct stat st;

    if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
        return refuse(u, err, "would write through a symlink");
    }
    return refuse(u, err, "would overwrite an existing %s (duplicate entry "
                  "or file already in the destination)",
                  S_ISDIR(st.st_mode) ? "directory" : "file");
}

static int
finish_file(struct unpack *u, struct archive_entry *e, int fd,
            struct intoto_error *err)
{
    struct timespec ts[2];
    struct stat st;

    entry_times(ts, e);
    if (fchmod(fd, archive_entry_perm(e) & 0777) != 0 ||
        futimens(fd, ts) != 0 || fstat(fd, &st) != 0) {
        return entry_error(u, err, INTOTO_EIO, "cannot set attributes");
    }
    if (inode_add(u, st.st_dev, st.st_ino) != INTOTO_OK) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
}

static int
extract_file(struct unpack *u, struct archive_entry *e, const char *rel,
             struct intoto_error *err)
{
    const char *leaf;
    int pfd, fd = -1;
    int rc;

    rc = parent_fd(&pfd, &leaf, u, rel, err);
    if (rc != INTOTO_OK) {
        return rc;
    }

    fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        return refuse_existing(u, pfd, leaf, err);
    }
    if (fd < 0) {
        return entry_error(u, err, INTOTO_EIO, "cannot create");
    }

    rc = copy_data(u, e, fd, err);
    if (rc == INTOTO_OK) {
        rc = finish_file(u, e, fd, err);
    }
    close(fd);
    if (rc != INTOTO_OK) {
        unlinkat(pfd, leaf, 0);
    }
    return rc;
}

static int
fixup_add(struct unpack *u, const char *rel, struct archive_entry *e)
{
    struct fixup *f;
    struct timespec ts[2];

    if (u->dirs_n == u->dirs_cap) {
        size_t cap = u->dirs_cap ? 2 * u->dirs_cap : 64;
        struct fixup *d = realloc(u->dirs, cap * sizeof(*d));

        if (d == NULL) {
            return INTOTO_ENOMEM;
        }
        u->dirs = d;
        u->dirs_cap = cap;
    }
    f = &u->dirs[u->dirs_n];
    f->path = strdup(rel);
    if (f->path == NULL) {
        return INTOTO_ENOMEM;
    }
    entry_times(ts, e);
    f->mtime = ts[1];
    f->mode = archive_entry_perm(e) & 0777;
    f->order = u->dirs_n++;
    return INTOTO_OK;
}

/* The destination itself ("./") is left as it is. */
static int
extract_dir(struct unpack *u, struct archive_entry *e, const char *rel,
            struct intoto_error *err)
{
    const char *leaf;
    struct stat st;
    int pfd;
    int rc;

    if (rel[0] == '\0') {
        return INTOTO_OK;
    }
    rc = parent_fd(&pfd, &leaf, u, rel, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (mkdirat(pfd, leaf, 0700) != 0) {
        if (errno != EEXIST) {
            return entry_error(u, err, INTOTO_EIO, "cannot create");
        }
        if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode)) {
            return refuse_existing(u, pfd, leaf, err);
        }
    }
    if (fixup_add(u, rel, e) != INTOTO_OK) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
}

/*
 * A symlink target, read from the directory of `rel`, must stay inside
 * the destination by its names alone.  Symlinks met on the way are
 * followed in the check made once all entries are out (links_check).
 */
static int
target_lexical_ok(const char *rel, const char *target)
{
    long depth = 0;
    const char *p;

    for (p = rel; *p != '\0'; p++) {
        depth += *p == '/';
    }
    p = target;
    while (*p != '\0') {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0) {
                return 0;
            }
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            depth++;
        }
        p += n;
        p += *p == '/';
    }
    return 1;
}

static int
link_remember(struct unpack *u, const char *rel)
{
    if (u->links_n == u->links_cap) {
        size_t cap = u->links_cap ? 2 * u->links_cap : 64;
        char **l = realloc(u->links, cap * sizeof(*l));

        if (l == NULL) {
            return INTOTO_ENOMEM;
        }
        u->links = l;
        u->links_cap = cap;
    }
    u->links[u->links_n] = strdup(rel);
    if (u->links[u->links_n] == NULL) {
        return INTOTO_ENOMEM;
    }
    u->links_n++;
    return INTOTO_OK;
}

static int
extract_symlink(struct unpack *u, struct archive_entry *e, const char *rel,
                struct intoto_error *err)
{
    const char *target = archive_entry_symlink(e);
    struct timespec ts[2];
    const char *leaf;
    int pfd;
    int rc;

    if (target == NULL || target[0] == '\0') {
        return refuse(u, err, "symlink without a target");
    }
    if (strlen(target) > NAME_LIMIT) {
        return refuse(u, err, "symlink target too long");
    }
    if (target[0] == '/') {
        return refuse(u, err, "symlink to an absolute path");
    }
    if (rel[0] == '\0' || !target_lexical_ok(rel, target)) {
        return refuse(u, err, "symlink resolves outside the destination");
    }
    rc = parent_fd(&pfd, &leaf, u, rel, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (symlinkat(target, pfd, leaf) != 0) {
        if (errno == EEXIST) {
            return refuse_existing(u, pfd, leaf, err);
        }
        return entry_error(u, err, INTOTO_EIO, "cannot create symlink");
    }
    entry_times(ts, e);
    utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW);
    if (link_remember(u, rel) != INTOTO_OK) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
}

/*
 * A hard link entry that repeats its file's data (cpio odc stores it with
 * every link) must repeat it exactly: the file is never rewritten, so no
 * entry can change what an earlier one wrote.
 */
static int
same_data(struct unpack *u, struct archive_entry *e, int fd, off_t size,
          const char *target, struct intoto_error *err)
{
    const void *buf;
    char *have = NULL;
    size_t len;
    la_int64_t off;
    int r, rc = INTOTO_OK;

    if (archive_entry_size(e) != size) {
        return refuse(u, err, "hard link with data would change '%s'",
                      target);
    }
    for (;;) {
        r = archive_read_data_block(u->ar, &buf, &len, &off);
        if (r == ARCHIVE_EOF) {
            break;
        }
        if (r < ARCHIVE_OK || off < 0) {
            rc = archive_fail(u, err);
            break;
        }
        rc = charge(u, len, err);
        if (rc != INTOTO_OK) {
            break;
        }
        free(have);
        have = malloc(len ? len : 1);
        if (have == NULL) {
            rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
            break;
        }
        if (pread(fd, have, len, (off_t)off) != (ssize_t)len ||
            memcmp(have, buf, len) != 0) {
            rc = refuse(u, err, "hard link with data would change '%s'",
                        target);
            break;
        }
    }
    free(have);
    return rc;
}

/*
 * A hard link may only name a regular file this extraction wrote (so never
 * anything outside, nor a file that was already in the destination).  A
 * link entry carrying data (cpio newc keeps a file's data on its last
 * link) may fill the file only while it is still empty, else must match.
 */
static int
extract_hardlink(struct unpack *u, struct archive_entry *e, const char *rel,
                 const char *target, struct intoto_error *err)
{
    const char *tleaf = strrchr(target, '/');
    char *tdir = NULL;
    const char *leaf;
    struct stat st;
    int tfd = -1, pfd, fd = -1;
    int rc;

    tdir = strndup(target, tleaf ? (size_t)(tleaf - target) : 0);
    if (tdir == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    tleaf = tleaf ? tleaf + 1 : target;
    rc = walk_dir(&tfd, u, tdir, 0, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    if (tleaf[0] == '\0' ||
        fstatat(tfd, tleaf, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode) || !inode_has(u, st.st_dev, st.st_ino)) {
        rc = refuse(u, err, "hard link to '%s', which is not a file "
                    "extracted from this archive", target);
        goto out;
    }
    rc = parent_fd(&pfd, &leaf, u, rel, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    if (linkat(tfd, tleaf, pfd, leaf, 0) != 0) {
        rc = errno == EEXIST ? refuse_existing(u, pfd, leaf, err)
                             : entry_error(u, err, INTOTO_EIO,
                                           "cannot create hard link");
        goto out;
    }
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0) {
        fd = openat(pfd, leaf, (st.st_size ? O_RDONLY : O_WRONLY) |
                    O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            rc = entry_error(u, err, INTOTO_EIO, "cannot open");
            goto out;
        }
        if (st.st_size != 0) {
            rc = same_data(u, e, fd, st.st_size, target, err);
            goto out;
        }
        rc = copy_data(u, e, fd, err);
        if (rc == INTOTO_OK) {
            rc = finish_file(u, e, fd, err);
        }
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    if (tfd >= 0) {
        close(tfd);
    }
    free(tdir);
    return rc;
}

static const char *
type_refusal(mode_t type)
{
    switch (type) {
    case AE_IFCHR:
        return "character device";
    case AE_IFBLK:
        return "block device";
    case AE_IFIFO:
        return "FIFO";
    case AE_IFSOCK:
        return "socket";
    default:
        return "entry of an unsupported type";
    }
}

static int
extract_entry(struct unpack *u, struct archive_entry *e,
              struct intoto_error *err)
{
    const char *hardlink = archive_entry_hardlink(e);
    mode_t type = archive_entry_filetype(e);
    char *rel = NULL, *target = NULL;
    const char *why;
    int rc;

    /* ar members are files; some ar writers leave out the type bits. */
    if (type == 0 && (archive_format(u->ar) & ARCHIVE_FORMAT_BASE_MASK) ==
                         ARCHIVE_FORMAT_AR) {
        type = AE_IFREG;
    }
    rc = path_clean(&rel, u->name, &why);
    if (rc == INTOTO_EVERIFY) {
        rc = refuse(u, err, "%s", why);
        goto out;
    }
    if (rc != INTOTO_OK) {
        rc = intoto_error_set(err, rc, "out of memory");
        goto out;
    }

    if (hardlink != NULL) {
        rc = path_clean(&target, hardlink, &why);
        if (rc == INTOTO_EVERIFY) {
            rc = refuse(u, err, "hard link target: %s", why);
        } else if (rc != INTOTO_OK) {
            rc = intoto_error_set(err, rc, "out of memory");
        } else if (rel[0] == '\0') {
            rc = refuse(u, err, "hard link names the destination");
        } else {
            rc = extract_hardlink(u, e, rel, target, err);
        }
        goto out;
    }
    if (type == AE_IFDIR) {
        rc = extract_dir(u, e, rel, err);
    } else if (rel[0] == '\0') {
        rc = refuse(u, err, "names the destination directory itself");
    } else if (type == AE_IFREG) {
        rc = extract_file(u, e, rel, err);
    } else if (type == AE_IFLNK) {
        rc = extract_symlink(u, e, rel, err);
    } else {
        rc = refuse(u, err, "%s", type_refusal(type));
    }
out:
    free(target);
    free(rel);
    return rc;
}

/* Drop the last component of cur ("a/b" -> "a", "a" -> ""). */
static void
path_up(char *cur)
{
    char *slash = strrchr(cur, '/');

    *(slash ? slash : cur) = '\0';
}

/*
 * Move cur ("a/b", a path below the destination) by the first component
 * of rest, which is removed from rest: "." stays, ".." climbs, a name
 * descends.  1: moved, 0: climbed out of the destination or too long,
 * -1: rest was empty.
 */
static int
path_step(char *cur, size_t cap, char *rest)
{
    char *p = rest;
    size_t k, clen;

    while (*p == '/') {
        p++;
    }
    if (*p == '\0') {
        return -1;
    }
    k = strcspn(p, "/");
    if (k == 2 && p[0] == '.' && p[1] == '.') {
        if (cur[0] == '\0') {
            return 0;
        }
        path_up(cur);
    } else if (!(k == 1 && p[0] == '.')) {
        clen = strlen(cur);
        if (clen + 1 + k >= cap) {
            return 0;
        }
        snprintf(cur + clen, cap - clen, "%s%.*s", clen ? "/" : "", (int)k,
                 p);
    }
    memmove(rest, p + k, strlen(p + k) + 1);
    return 1;
}

/*
 * Resolve the symlink `rel` as the kernel would, inside the destination:
 * symlinks met on the way are expanded (at most LINK_HOPS), missing
 * names are taken as plain directories.  cur never holds a symlink but
 * as its last component, so fstatat on it follows nothing.
 * 1: stays inside, 0: leaves the destination or loops.
 */
static int
link_stays_inside(struct unpack *u, const char *rel)
{
    char cur[2 * NAME_LIMIT + 2], rest[2 * NAME_LIMIT + 2];
    char tgt[NAME_LIMIT + 1];
    int hops = 0, r;
    struct stat st;
    ssize_t n;

    snprintf(cur, sizeof(cur), "%s", rel);
    rest[0] = '\0';
    for (;;) {
        if (cur[0] == '\0' ||
            fstatat(u->destfd, cur, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISLNK(st.st_mode)) {
            r = path_step(cur, sizeof(cur), rest);
            if (r != 1) {
                return r == -1;
            }
            continue;
        }
        n = readlinkat(u->destfd, cur, tgt, sizeof(tgt) - 1);
        if (++hops > LINK_HOPS || n <= 0 || tgt[0] == '/' ||
            (size_t)n + 1 + strlen(rest) >= sizeof(rest)) {
            return 0;
        }
        /* rest = target "/" rest, from the link's directory. */
        memmove(rest + n + 1, rest, strlen(rest) + 1);
        memcpy(rest, tgt, (size_t)n);
        rest[n] = '/';
        path_up(cur);
    }
}

/* Every symlink we made must resolve inside; an escaping one is removed. */
static int
links_check(struct unpack *u, struct intoto_error *err)
{
    size_t i;

    for (i = 0; i < u->links_n; i++) {
        if (!link_stays_inside(u, u->links[i])) {
            u->name = u->links[i];
            unlinkat(u->destfd, u->links[i], 0);
            return refuse(u, err, "symlink resolves outside the destination "
                          "through other symlinks, or loops");
        }
    }
    return INTOTO_OK;
}

static int
fixup_cmp(const void *a, const void *b)
{
    const struct fixup *x = a, *y = b;
    int c = strcmp(y->path, x->path);

    if (c != 0) {
        return c;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Directory modes and times, deepest first so that a read-only directory
 * is closed only after its contents are in. */
static int
fixups_apply(struct unpack *u, struct intoto_error *err)
{
    struct timespec ts[2];
    size_t i;
    int fd, rc;

    if (u->dirs_n > 1) {
        qsort(u->dirs, u->dirs_n, sizeof(*u->dirs), fixup_cmp);
    }
    for (i = 0; i < u->dirs_n; i++) {
        u->name = u->dirs[i].path;
        rc = walk_dir(&fd, u, u->dirs[i].path, 0, err);
        if (rc != INTOTO_OK) {
            return rc;
        }
        ts[0] = u->dirs[i].mtime;
        ts[1] = u->dirs[i].mtime;
        if (fchmod(fd, u->dirs[i].mode) != 0 || futimens(fd, ts) != 0) {
            close(fd);
            return entry_error(u, err, INTOTO_EIO, "cannot set attributes");
        }
        close(fd);
    }
    return INTOTO_OK;
}

static void
unpack_release(struct unpack *u)
{
    size_t i;

    cache_clear(u);
    for (i = 0; i < u->dirs_n; i++) {
        free(u->dirs[i].path);
    }
    for (i = 0; i < u->links_n; i++) {
        free(u->links[i]);
    }
    free(u->dirs);
    free(u->links);
    free(u->files);
    if (u->ar != NULL) {
        archive_read_free(u->ar);
    }
    if (u->destfd >= 0) {
        close(u->destfd);
    }
}

/* mkdir -p, then open the destination (following symlinks in the path
 * the caller chose). */
static int
open_dest(int *out, const char *dest, struct intoto_error *err)
{
    char *p = strdup(dest);
    char *s;

    *out = -1;
    if (p == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (s = p + 1; *s != '\0'; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0777);
            *s = '/';
        }
    }
    mkdir(p, 0777);
    free(p);
    *out = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*out < 0) {
        return intoto_error_set(err, INTOTO_EIO,
                                "cannot open destination '%s': %s", dest,
                                strerror(errno));
    }
    return INTOTO_OK;
}

/*
 * Only these formats and filters: "all" would bring in mtree (whose
 * entries read files from the local disk) and filters that run external
 * programs.
 */
static int
open_archive(struct unpack *u, int fd, struct intoto_error *err)
{
    struct archive *a = archive_read_new();

    if (a == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    u->ar = a;
    archive_read_support_format_tar(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_ar(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_empty(a);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_lzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_lz4(a);
    archive_read_support_filter_compress(a);
    if (archive_read_open_fd(a, fd, READ_BLOCK) != ARCHIVE_OK) {
        return archive_fail(u, err);
    }
    return INTOTO_OK;
}

static int
unpack_entries(struct unpack *u, struct intoto_error *err)
{
    struct archive_entry *e;
    int r, rc;

    for (;;) {
        u->name = NULL;
        r = archive_read_next_header(u->ar, &e);
        if (r == ARCHIVE_EOF) {
            return INTOTO_OK;
        }
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            return archive_fail(u, err);
        }
        u->name = archive_entry_pathname(e);
        if (u->name == NULL) {
            u->name = archive_entry_pathname_utf8(e);
        }
        if (u->name == NULL) {
            u->name = "?";
            return refuse(u, err, "entry without a usable name");
        }
        if (r == ARCHIVE_WARN) {
            intoto_log(u->log, INTOTO_LOG_WARN, "'%s': %s", u->archive,
                       archive_error_string(u->ar));
        }
        u->entries++;
        if (u->lim.max_entries != 0 && u->entries > u->lim.max_entries) {
            return refuse(u, err, "more than %llu entries (limit; raise it "
                          "with --max-entries)",
                          (unsigned long long)u->lim.max_entries);
        }
        intoto_log(u->log, INTOTO_LOG_DEBUG, "extracting '%s'", u->name);
        rc = extract_entry(u, e, err);
        if (rc != INTOTO_OK) {
            return rc;
        }
    }
}

static int
open_input(int *out, const char *archive, struct intoto_error *err)
{
    struct stat st;

    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    *out = open(archive, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*out < 0) {
        return intoto_error_set(err, errno == ENOENT ? INTOTO_ENOTFOUND
                                                     : INTOTO_EIO,
                                "cannot open '%s': %s", archive,
                                strerror(errno));
    }
    if (fstat(*out, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(*out);
        *out = -1;
        return intoto_error_set(err, INTOTO_EIO, "'%s' is not a regular "
                                "file", archive);
    }
    return INTOTO_OK;
}

/* Extract the archive open as fd: entries, then the checks and fixups
 * that need them all. */
static int
unpack_run(struct unpack *u, int fd, const char *dest,
           struct intoto_error *err)
{
    int rc;

    rc = open_dest(&u->destfd, dest, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    rc = open_archive(u, fd, err);
    if (rc != INTOTO_OK) {
        return rc;
    }

    rc = unpack_entries(u, err);
    if (rc == INTOTO_OK) {
        rc = links_check(u, err);
    }
    if (rc == INTOTO_OK) {
        rc = fixups_apply(u, err);
    }
    if (rc == INTOTO_OK) {
        intoto_log(u->log, INTOTO_LOG_INFO, "'%s': %llu entries, %llu "
                   "bytes extracted into '%s'", u->archive,
                   (unsigned long long)u->entries,
                   (unsigned long long)u->written, dest);
    }
    return rc;
}

int
intoto_archive_unpack(const char *archive, const char *dest,
                      const struct intoto_unpack_limits *lim,
                      const struct intoto_log *log,
                      struct intoto_error *err)
{
    locale_t utf8, saved = (locale_t)0;
    struct unpack u;
    int fd = -1;
    int rc;

    memset(&u, 0, sizeof(u));
    u.destfd = -1;
    u.archive = archive;
    u.log = log;
    if (lim != NULL) {
        u.lim = *lim;
    } else {
        intoto_unpack_limits_init(&u.lim);
    }

    /*
     * Names are taken as UTF-8 whatever the caller's locale (zip and pax
     * store them so; libarchive converts to the thread's locale), so that
     * the same archive gives the same files everywhere.
     */
    utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (utf8 != (locale_t)0) {
        saved = uselocale(utf8);
    }
    rc = open_input(&fd, archive, err);
    if (rc == INTOTO_OK) {
        rc = unpack_run(&u, fd, dest, err);
    }

    unpack_release(&u);
    if (fd >= 0) {
        close(fd);
    }
    if (utf8 != (locale_t)0) {
        uselocale(saved);
        freelocale(utf8);
    }
    return rc;
}

/* N with an optional binary suffix K, M, G or T (and "iB" or "B"). */
static int
parse_number(uint64_t *out, const char *s, int suffixes)
{
    uint64_t v = 0;
    unsigned shift = 0;
    const char *p = s;

    if (*p < '0' || *p > '9') {
        return -1;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
            return -1;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (suffixes && *p != '\0') {
        const char *units = "KMGT";
        const char *u = strchr(units, *p & ~0x20);

        if (u == NULL || *p == '\0') {
            return -1;
        }
        shift = 10 * (unsigned)(u - units + 1);
        p++;
        if (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0) {
            p += strlen(p);
        }
    }
    if (*p != '\0' || (shift && v > (UINT64_MAX >> shift))) {
        return -1;
    }
    *out = v << shift;
    return 0;
}

/* "--name VALUE" or "--name=VALUE": *val set when argv[*i] is the option;
 * returns 1 if matched, -1 if the value is missing. */
static int
option_value(const char **val, int argc, const char *const *argv, int *i,
             const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];

    if (strncmp(a, name, n) != 0) {
        return 0;
    }
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') {
        return 0;
    }
    if (*i + 1 >= argc) {
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

static int
usage_error(struct intoto_error *err, const char *fmt, const char *arg)
{
    char what[512];

    snprintf(what, sizeof(what), fmt, arg);
    return intoto_error_set(err, INTOTO_EINVAL, "%s (%s)", what, usage_line);
}

/* One option at argv[*i]: 0 when handled, else a usage error. */
static int
parse_option(struct intoto_unpack_limits *lim, const char **dest, int argc,
             const char *const *argv, int *i, struct intoto_error *err)
{
    static const char *const names[] = { "--max-bytes", "--max-entries",
                                         "--max-ratio" };
    uint64_t *fields[] = { &lim->max_bytes, &lim->max_entries,
                           &lim->max_ratio };
    const char *a = argv[*i], *val = NULL;
    int m;
    size_t k;

    if (strspn(a + 1, "v") == strlen(a + 1) || strcmp(a, "-q") == 0 ||
        strcmp(a, "--verbose") == 0 || strcmp(a, "--quiet") == 0) {
        return INTOTO_OK;
    }
    if (strncmp(a, "-C", 2) == 0 && a[2] != '\0') {
        *dest = a + 2;
        return INTOTO_OK;
    }
    m = strcmp(a, "-C") == 0 ? (*i + 1 < argc ? 1 : -1) : 0;
    if (m == 1) {
        val = argv[++*i];
    } else if (m == 0) {
        m = option_value(&val, argc, argv, i, "--directory");
    }
    if (m == 1) {
        *dest = val;
        return INTOTO_OK;
    }
    for (k = 0; m == 0 && k < 3; k++) {
        m = option_value(&val, argc, argv, i, names[k]);
    }
    if (m == 1) {
        char num[64];
        size_t len = strlen(val);

        k--;
        /* A ratio may be written "200:1". */
        if (k == 2 && len > 2 && strcmp(val + len - 2, ":1") == 0) {
            len -= 2;
        }
        if (len >= sizeof(num)) {
            return usage_error(err, "bad number '%s'", val);
        }
        memcpy(num, val, len);
        num[len] = '\0';
        if (parse_number(fields[k], num, k == 0) != 0) {
            return usage_error(err, "bad number '%s'", val);
        }
        return INTOTO_OK;
    }
    if (m < 0) {
        return usage_error(err, "option '%s' needs a value", a);
    }
    return usage_error(err, "unknown option '%s'", a);
}

int
intoto_archive_unpack_argv_at(const char *dir, int argc,
                              const char *const *argv,
                              const struct intoto_log *log,
                              struct intoto_error *err)
{
    struct intoto_unpack_limits lim;
    const char *archive = NULL, *dest = ".";
    char *apath = NULL, *dpath = NULL;
    int opts = 1;
    int i, rc;

    intoto_unpack_limits_init(&lim);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (opts && strcmp(a, "--") == 0) {
            opts = 0;
        } else if (opts && a[0] == '-' && a[1] != '\0') {
            rc = parse_option(&lim, &dest, argc, argv, &i, err);
            if (rc != INTOTO_OK) {
                return rc;
            }
        } else if (archive != NULL) {
            return usage_error(err, "unexpected argument '%s'", a);
        } else {
            archive = a;
        }
    }
    if (archive == NULL) {
        return usage_error(err, "%sno archive given", "");
    }
    if (dest[0] == '\0') {
        return usage_error(err, "%sempty directory name", "");
    }
    if (dir != NULL && archive[0] != '/') {
        if (asprintf(&apath, "%s/%s", dir, archive) < 0) {
            return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        }
        archive = apath;
    }
    if (dir != NULL && dest[0] != '/') {
        if (asprintf(&dpath, "%s/%s", dir, dest) < 0) {
            free(apath);
            return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        }
        dest = dpath;
    }
    rc = intoto_archive_unpack(archive, dest, &lim, log, err);
    free(apath);
    free(dpath);
    return rc;
}

int
intoto_archive_unpack_argv(int argc, const char *const *argv,
                           const struct intoto_log *log,
                           struct intoto_error *err)
{
    return intoto_archive_unpack_argv_at(NULL, argc, argv, log, err);
}
