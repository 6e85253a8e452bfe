/* SPDX-License-Identifier: Apache-2.0 */
/* Listing artifacts: path normalisation, exclude patterns, tree walks. */
#ifndef INTOTO_WALK_H
#define INTOTO_WALK_H

#include <stddef.h>

#include <intoto/buf.h>
#include <intoto/error.h>

/*
 * Exclude patterns with the semantics of gitignore as the reference reads
 * them (Python pathspec "gitwildmatch", SPEC-NOTES 1.5): a pattern without
 * a '/' (a trailing one aside) matches a name at any depth, and everything
 * below a matched name; `*` and `?` stay within one path component; `**`
 * spans components; a leading '/' anchors at the top; a trailing '/'
 * matches only what lies below; `!` re-includes; `#` starts a comment;
 * `\` escapes.  The last pattern that matches decides.
 */
struct intoto__excludes;

/* Compile n patterns.  INTOTO_EINVAL (named pattern is invalid) or
 * INTOTO_ENOMEM.  Caller frees *out with intoto__excludes_free(). */
int intoto__excludes_compile(struct intoto__excludes **out,
                             const char *const *patterns, size_t n,
                             struct intoto_error *err);
void intoto__excludes_free(struct intoto__excludes *ex);

/* 1 when `path` (normalised, '/'-separated) is excluded, else 0.  A
 * leading "/" or "./" is ignored, as the reference does. */
int intoto__excludes_match(const struct intoto__excludes *ex,
                           const char *path, size_t len);

/* Python's os.path.normpath for POSIX: appended to out. */
int intoto__path_normalize(struct intoto_buf *out, const char *path);

/* 1 when s[0..len) is valid UTF-8. */
int intoto__utf8_valid(const char *s, size_t len);

/* Append a printable form of s (C escapes for control bytes, \xNN for
 * bytes that are not UTF-8) to out, for messages. */
int intoto__path_escape(struct intoto_buf *out, const char *s, size_t len);

/* One artifact found by a walk. */
struct intoto__walk_entry {
    size_t off;   /* its path (to open) at arena.data + off */
    size_t strip; /* the recorded name starts strip bytes later */
    size_t seq;   /* the order it was found in: 0, 1, ... */
};

struct intoto__walk_opts {
    int dirfd;                       /* paths are relative to this */
    const struct intoto__excludes *ex; /* may be NULL */
    const char *const *lstrip;       /* prefixes; first match is stripped */
    size_t n_lstrip;
    int follow_symlink_dirs;
    const struct intoto_log *log;
    /* Called with each file's path as it is found (in seq order), e.g. to
     * hash it meanwhile; may be NULL.  Returns INTOTO_OK or INTOTO_ENOMEM,
     * which stops the walk. */
    int (*on_file)(void *ctx, const char *path, size_t len);
    void *on_file_ctx;
};

/* Caller-owned; intoto__walk_init() before, intoto__walk_release() after. */
struct intoto__walk {
    struct intoto_buf arena;         /* NUL-terminated paths */
    struct intoto__walk_entry *v;
    size_t n;
    size_t cap;
    int lstrip;                      /* lstrip prefixes were given */
};

void intoto__walk_init(struct intoto__walk *w);
void intoto__walk_release(struct intoto__walk *w);

/*
 * Add every regular file reachable from paths (normalised first; missing
 * paths are skipped with an INFO message), as the reference walks them:
 * excluded directories are pruned, symlinked files are listed under the
 * link's name, symlinked directories are followed (when asked) with loop
 * detection, dangling links and FIFOs, sockets and devices are skipped
 * (the latter with a warning) and never opened.  Errors: INTOTO_EINVAL
 * (symlink loop, name not valid UTF-8), INTOTO_EIO (unreadable directory),
 * INTOTO_ENOMEM; messages name the path.
 */
int intoto__walk_paths(struct intoto__walk *w, const char *const *paths,
                       size_t n, const struct intoto__walk_opts *opts,
                       struct intoto_error *err);

/* Sort by recorded name and drop repeated paths.  With lstrip prefixes
 * any name recorded twice is an error, INTOTO_EINVAL, as the reference
 * has it (also when overlapping paths reach one file twice). */
int intoto__walk_finish(struct intoto__walk *w, struct intoto_error *err);

/* The recorded name and the path of entry i.  Borrowed. */
const char *intoto__walk_name(const struct intoto__walk *w, size_t i);
const char *intoto__walk_path(const struct intoto__walk *w, size_t i);

#endif
