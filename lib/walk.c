/* SPDX-License-Identifier: Apache-2.0 */
/* Listing the artifacts under a set of paths, as the reference does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk.h"

/* A directory on the current descent, for symlink loop detection. */
struct ancestor {
    dev_t dev;
    ino_t ino;
    size_t pathlen;       /* its path is the walk path's first bytes */
    struct ancestor *up;
};

struct walker {
    struct intoto__walk *w;
    const struct intoto__walk_opts *o;
    struct intoto_buf path;  /* the current path */
    struct intoto_error *err;
    size_t linked_dirs;      /* directories reached through symlinks */
};

/*
 * Symbolic links that are not loops can still multiply a tree: 30 levels
 * of two links each to the next level give 2^30 directories.  Past this
 * many directories reached through links the walk stops with an error
 * instead of running for days.
 */
#define MAX_LINKED_DIRS 100000

enum kind { K_SKIP, K_FILE, K_DIR, K_TOO_MANY };

int
intoto__path_normalize(struct intoto_buf *out, const char *path)
{
    size_t start = out->len, i = 0, len, base;
    int slashes = 0, rc = INTOTO_OK;
    const char *comp;

    if (path[0] == '/') {
        slashes = (path[1] == '/' && path[2] != '/') ? 2 : 1;
    }
    rc = intoto_buf_add(out, "//", (size_t)slashes);
    base = out->len;
    while (rc == INTOTO_OK && path[i] != '\0') {
        while (path[i] == '/') {
            i++;
        }
        comp = path + i;
        len = strcspn(comp, "/");
        i += len;
        if (len == 0 || (len == 1 && comp[0] == '.')) {
            continue;
        }
        if (len == 2 && comp[0] == '.' && comp[1] == '.') {
            /* Pop the last component unless there is none, or it is
             * "..", or the path is absolute (then ".." is dropped). */
            const char *d = out->data + base;
            size_t dl = out->len - base;
            const char *last = dl ? memrchr(d, '/', dl) : NULL;
            size_t lstart = last ? (size_t)(last - d) + 1 : 0;

            if (dl > 0 && !(dl - lstart == 2 && d[lstart] == '.' &&
                            d[lstart + 1] == '.')) {
                out->len = base + (lstart ? lstart - 1 : 0);
                out->data[out->len] = '\0';
                continue;
            }
            if (slashes) {
                continue;
            }
        }
        if (out->len > base) {
            rc = intoto_buf_addch(out, '/');
        }
        rc = rc ? rc : intoto_buf_add(out, comp, len);
    }
    if (rc == INTOTO_OK && out->len == start) {
        rc = intoto_buf_addch(out, '.');
    }
    return rc;
}

int
intoto__path_escape(struct intoto_buf *out, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    int rc = INTOTO_OK;
    size_t i;

    for (i = 0; i < len && rc == INTOTO_OK; i++) {
        if (u[i] == '\n') {
            rc = intoto_buf_addstr(out, "\\n");
        } else if (u[i] == '\\') {
            rc = intoto_buf_addstr(out, "\\\\");
        } else if (u[i] < 0x20 || u[i] == 0x7f ||
                   (u[i] >= 0x80 && !intoto__utf8_valid(s + i, 1) &&
                    !intoto__utf8_valid(s + i, len - i > 4 ? 4 : len - i))) {
            rc = intoto_buf_addf(out, "\\x%02x", u[i]);
        } else {
            rc = intoto_buf_addch(out, (char)u[i]);
        }
    }
    return rc;
}

void
intoto__walk_init(struct intoto__walk *w)
{
    intoto_buf_init(&w->arena);
    w->v = NULL;
    w->n = 0;
    w->cap = 0;
    w->lstrip = 0;
}

void
intoto__walk_release(struct intoto__walk *w)
{
    intoto_buf_release(&w->arena);
    free(w->v);
    intoto__walk_init(w);
}

const char *
intoto__walk_path(const struct intoto__walk *w, size_t i)
{
    return w->arena.data + w->v[i].off;
}

const char *
intoto__walk_name(const struct intoto__walk *w, size_t i)
{
    return w->arena.data + w->v[i].off + w->v[i].strip;
}

static int
fail_path(struct walker *k, int code, const char *what, const char *path,
          size_t len, int errnum)
{
    struct intoto_buf esc;

    intoto_buf_init(&esc);
    if (intoto__path_escape(&esc, path, len) != INTOTO_OK) {
        intoto_buf_release(&esc);
        return intoto_error_set(k->err, INTOTO_ENOMEM, "out of memory");
    }
    if (errnum) {
        intoto_error_set(k->err, code, "%s '%s': %s", what, esc.data,
                         strerror(errnum));
    } else {
        intoto_error_set(k->err, code, "%s '%s'", what, esc.data);
    }
    intoto_buf_release(&esc);
    return code;
}

static void
log_path(struct walker *k, enum intoto_log_level level, const char *fmt)
{
    struct intoto_buf esc;

    if (!intoto_log_enabled(k->o->log, level)) {
        return;
    }
    intoto_buf_init(&esc);
    if (intoto__path_escape(&esc, k->path.data, k->path.len) == INTOTO_OK) {
        intoto_log(k->o->log, level, fmt, esc.data);
    }
    intoto_buf_release(&esc);
}

/* The length of the first lstrip prefix the path starts with, or 0. */
static size_t
strip_len(const struct intoto__walk_opts *o, const char *path, size_t len)
{
    size_t i, pl;

    for (i = 0; i < o->n_lstrip; i++) {
        pl = strlen(o->lstrip[i]);
        if (pl <= len && memcmp(path, o->lstrip[i], pl) == 0) {
            return pl;
        }
    }
    return 0;
}

/* Record the current path as an artifact. */
static int
add_file(struct walker *k)
{
    struct intoto__walk *w = k->w;
    struct intoto__walk_entry *nv;
    size_t strip, cap;

    strip = strip_len(k->o, k->path.data, k->path.len);
    if (!intoto__utf8_valid(k->path.data + strip, k->path.len - strip)) {
        return fail_path(k, INTOTO_EINVAL, "file name is not valid UTF-8, "
                         "cannot record it in a link:", k->path.data,
                         k->path.len, 0);
    }
    if (w->n == w->cap) {
        cap = w->cap ? w->cap * 2 : 256;
        nv = realloc(w->v, cap * sizeof(*nv));
        if (nv == NULL) {
            return intoto_error_set(k->err, INTOTO_ENOMEM, "out of memory");
        }
        w->v = nv;
        w->cap = cap;
    }
    w->v[w->n].off = w->arena.len;
    w->v[w->n].strip = strip;
    w->v[w->n].seq = w->n;
    if (intoto_buf_add(&w->arena, k->path.data, k->path.len + 1) !=
        INTOTO_OK) {
        return intoto_error_set(k->err, INTOTO_ENOMEM, "out of memory");
    }
    if (k->o->on_file != NULL &&
        k->o->on_file(k->o->on_file_ctx, k->path.data, k->path.len) !=
            INTOTO_OK) {
        return intoto_error_set(k->err, INTOTO_ENOMEM, "out of memory");
    }
    w->n++;
    return INTOTO_OK;
}

/* Classify a directory entry, following symlinks.  Nothing is opened. */
static enum kind
classify(struct walker *k, int dfd, const char *name, unsigned char type)
{
    struct stat st;

    if (type == DT_REG) {
        return K_FILE;
    }
    if (type == DT_DIR) {
        return K_DIR;
    }
    if (type == DT_UNKNOWN && fstatat(dfd, name, &st,
                                      AT_SYMLINK_NOFOLLOW) == 0) {
        type = S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
    }
    if (type == DT_LNK || type == DT_UNKNOWN) {
        if (fstatat(dfd, name, &st, 0) != 0) {
            log_path(k, INTOTO_LOG_INFO,
                     "skipping '%s': broken symbolic link");
            return K_SKIP;
        }
        if (S_ISREG(st.st_mode)) {
            return K_FILE;
        }
        if (S_ISDIR(st.st_mode) && type == DT_LNK) {
            if (!k->o->follow_symlink_dirs) {
                return K_SKIP;
            }
            return ++k->linked_dirs > MAX_LINKED_DIRS ? K_TOO_MANY : K_DIR;
        }
        if (S_ISDIR(st.st_mode)) {
            return K_DIR;
        }
    }
    log_path(k, INTOTO_LOG_WARN,
             "skipping '%s': not a regular file or directory");
    return K_SKIP;
}

/* Append "/name" (or "name" under ".") to the path.  Returns what
 * path_pop() needs: the old length, or 0 when the path was ".". */
static size_t
path_push(struct walker *k, const char *name, int *rc)
{
    size_t old = k->path.len;

    *rc = INTOTO_OK;
    if (old == 1 && k->path.data[0] == '.') {
        k->path.len = 0;
        old = 0;
    } else if (k->path.data[old - 1] != '/') {
        *rc = intoto_buf_addch(&k->path, '/');
    }
    if (*rc == INTOTO_OK) {
        *rc = intoto_buf_addstr(&k->path, name);
    }
    if (*rc != INTOTO_OK) {
        intoto_error_set(k->err, INTOTO_ENOMEM, "out of memory");
    }
    return old;
}

static void
path_pop(struct walker *k, size_t old)
{
    if (old == 0) {
        k->path.data[0] = '.';
        old = 1;
    }
    k->path.len = old;
    k->path.data[old] = '\0';
}

static int
check_loop(struct walker *k, const struct stat *st, struct ancestor *up)
{
    struct intoto_buf at, to;
    struct ancestor *a;
    int rc = INTOTO_OK;

    for (a = up; a != NULL && rc == INTOTO_OK; a = a->up) {
        if (a->dev != st->st_dev || a->ino != st->st_ino) {
            continue;
        }
        intoto_buf_init(&at);
        intoto_buf_init(&to);
        if (intoto__path_escape(&at, k->path.data, k->path.len) ||
            intoto__path_escape(&to, a->pathlen ? k->path.data : ".",
                                a->pathlen ? a->pathlen : 1)) {
            rc = intoto_error_set(k->err, INTOTO_ENOMEM, "out of memory");
        } else {
            rc = intoto_error_set(k->err, INTOTO_EINVAL,
                                  "symbolic link loop: '%s' leads back to "
                                  "'%s', which contains it", at.data,
                                  to.data);
        }
        intoto_buf_release(&at);
        intoto_buf_release(&to);
    }
    return rc;
}

/*
 * Handle one entry of the directory dfd: excluded entries are dropped,
 * files recorded at once, directories appended to `subdirs` for later, so
 * that no directory stays open while the walk goes deeper.
 */
static int
walk_entry(struct walker *k, int dfd, const char *name, unsigned char type,
           struct intoto_buf *subdirs)
{
    enum kind kind;
    size_t old;
    int rc;

    old = path_push(k, name, &rc);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (!intoto__excludes_match(k->o->ex, k->path.data, k->path.len)) {
        kind = classify(k, dfd, name, type);
        if (kind == K_FILE) {
            rc = add_file(k);
        } else if (kind == K_TOO_MANY) {
            rc = fail_path(k, INTOTO_EINVAL, "more than 100000 directories "
                           "reached through symbolic links, at", k->path.data,
                           k->path.len, 0);
        } else if (kind == K_DIR) {
            rc = intoto_buf_add(subdirs, name, strlen(name) + 1);
            if (rc != INTOTO_OK) {
                intoto_error_set(k->err, rc, "out of memory");
            }
        }
    }
    path_pop(k, old);
    return rc;
}

/* Read the directory at the current path; fills subdirs and st. */
static int
read_dir(struct walker *k, struct intoto_buf *subdirs, struct stat *st,
         struct ancestor *up)
{
    struct dirent *de;
    DIR *dir = NULL;
    int dfd, fd2 = -1, rc = INTOTO_OK;

    dfd = openat(k->o->dirfd, k->path.data,
                 O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    if (dfd < 0 || fstat(dfd, st) != 0 || (fd2 = dup(dfd)) < 0 ||
        (dir = fdopendir(fd2)) == NULL) {
        rc = fail_path(k, INTOTO_EIO, "cannot read directory", k->path.data,
                       k->path.len, errno);
        goto out;
    }
    fd2 = -1;
    rc = check_loop(k, st, up);
    while (rc == INTOTO_OK) {
        errno = 0;
        de = readdir(dir);
        if (de == NULL) {
            if (errno != 0) {
                rc = fail_path(k, INTOTO_EIO, "cannot read directory",
                               k->path.data, k->path.len, errno);
            }
            break;
        }
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            rc = walk_entry(k, dfd, de->d_name, de->d_type, subdirs);
        }
    }
out:
    if (dir != NULL) {
        closedir(dir);
    }
    if (fd2 >= 0) {
        close(fd2);
    }
    if (dfd >= 0) {
        close(dfd);
    }
    return rc;
}

/* Walk the directory at the current path (already not excluded). */
static int
walk_dir(struct walker *k, struct ancestor *up)
{
    struct intoto_buf subdirs;
    struct ancestor self;
    struct stat st;
    size_t i, old;
    int rc;

    intoto_buf_init(&subdirs);
    memset(&st, 0, sizeof(st));
    rc = read_dir(k, &subdirs, &st, up);
    self.dev = st.st_dev;
    self.ino = st.st_ino;
    self.pathlen = (k->path.len == 1 && k->path.data[0] == '.')
                       ? 0 : k->path.len;
    self.up = up;
    for (i = 0; i < subdirs.len && rc == INTOTO_OK;) {
        const char *name = subdirs.data + i;

        i += strlen(name) + 1;
        old = path_push(k, name, &rc);
        if (rc == INTOTO_OK) {
            rc = walk_dir(k, &self);
            path_pop(k, old);
        }
    }
    intoto_buf_release(&subdirs);
    return rc;
}

/* One path given by the user. */
static int
walk_top(struct walker *k, const char *arg)
{
    struct stat st;
    int rc;

    k->path.len = 0;
    rc = intoto__path_normalize(&k->path, arg);
    if (rc != INTOTO_OK) {
        return intoto_error_set(k->err, rc, "out of memory");
    }
    if (intoto__excludes_match(k->o->ex, k->path.data, k->path.len)) {
        return INTOTO_OK;
    }
    if (fstatat(k->o->dirfd, k->path.data, &st, 0) != 0) {
        log_path(k, INTOTO_LOG_INFO, "path '%s' does not exist, skipping");
        return INTOTO_OK;
    }
    if (S_ISREG(st.st_mode)) {
        return add_file(k);
    }
    if (S_ISDIR(st.st_mode)) {
        return walk_dir(k, NULL);
    }
    log_path(k, INTOTO_LOG_WARN,
             "skipping '%s': not a regular file or directory");
    return INTOTO_OK;
}

int
intoto__walk_paths(struct intoto__walk *w, const char *const *paths,
                   size_t n, const struct intoto__walk_opts *opts,
                   struct intoto_error *err)
{
    struct walker k;
    int rc = INTOTO_OK;
    size_t i;

    k.w = w;
    k.o = opts;
    k.err = err;
    k.linked_dirs = 0;
    w->lstrip |= opts->n_lstrip > 0;
    intoto_buf_init(&k.path);
    for (i = 0; i < n && rc == INTOTO_OK; i++) {
        rc = walk_top(&k, paths[i]);
    }
    intoto_buf_release(&k.path);
    return rc;
}

static const char *sort_base;

static int
entry_cmp(const void *a, const void *b)
{
    const struct intoto__walk_entry *x = a, *y = b;
    int c = strcmp(sort_base + x->off + x->strip, sort_base + y->off +
                   y->strip);

    if (c == 0) {
        c = strcmp(sort_base + x->off, sort_base + y->off);
    }
    return c;
}

int
intoto__walk_finish(struct intoto__walk *w, struct intoto_error *err)
{
    size_t i, o = 0;

    if (w->n == 0) {
        return INTOTO_OK;
    }
    /* qsort has no context argument in C11; walks do not run in
     * parallel with each other, so a file-level base pointer is safe. */
    sort_base = w->arena.data;
    qsort(w->v, w->n, sizeof(*w->v), entry_cmp);
    for (i = 0; i < w->n; i++) {
        if (o > 0 && strcmp(intoto__walk_name(w, o - 1),
                            intoto__walk_name(w, i)) == 0) {
            if (!w->lstrip && strcmp(intoto__walk_path(w, o - 1),
                                     intoto__walk_path(w, i)) == 0) {
                continue;
            }
            return intoto_error_set(err, INTOTO_EINVAL,
                                    "with --lstrip-paths, two artifacts get "
                                    "the same name '%s' ('%s' and '%s')",
                                    intoto__walk_name(w, i),
                                    intoto__walk_path(w, o - 1),
                                    intoto__walk_path(w, i));
        }
        w->v[o++] = w->v[i];
    }
    w->n = o;
    return INTOTO_OK;
}
