/* SPDX-License-Identifier: Apache-2.0 */
/* File digests: algorithms by name, one file, and a parallel pool. */
#ifndef INTOTO_HASH_H
#define INTOTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <intoto/error.h>

/* Algorithms recorded in links (SPEC-NOTES 1.5: sha256 by default). */
enum intoto__hash_alg {
    INTOTO__HASH_SHA256 = 0,
    INTOTO__HASH_SHA512 = 1,
    INTOTO__HASH_N = 2
};

#define INTOTO__HASH_MAX_LEN 64 /* bytes of the longest digest */

/* The algorithm called `name` ("sha256", "sha512"), or -1. */
int intoto__hash_alg_parse(const char *name);
const char *intoto__hash_alg_name(int alg);
/* Digest length in bytes. */
size_t intoto__hash_alg_len(int alg);

/* Lowercase hex of len bytes into out (2 * len + 1 bytes). */
void intoto__hash_hex(char *out, const unsigned char *digest, size_t len);

/*
 * A set of files to hash: paths are opened relative to `dirfd`
 * (AT_FDCWD for the current directory).  For file i the digests of the
 * chosen algorithms are written one after the other, in algorithm order,
 * to digests + i * stride (stride = sum of their lengths).
 */
struct intoto__hash_job {
    int dirfd;
    const char *const *paths;   /* n paths (borrowed) */
    size_t n;
    unsigned algs;              /* bit mask of 1 << enum intoto__hash_alg */
    int normalize_eol;          /* CRLF and CR become LF before hashing */
    int threads;                /* 0: one per online CPU */
    unsigned char *digests;     /* n * stride bytes, filled in */
    size_t stride;
    /* Called about every 200 ms from the calling thread while workers run:
     * files and bytes done so far.  May be NULL. */
    void (*progress)(void *ctx, size_t files, size_t n, uint64_t bytes);
    void *progress_ctx;
};

/* The stride for a mask of algorithms. */
size_t intoto__hash_stride(unsigned algs);

/*
 * Hash every file of the job on a pool of threads, each reading with its
 * own 256 KiB buffer, so memory does not grow with file sizes (a file that
 * fits is read with one call).  A path that
 * is not a regular file when opened (replaced by a FIFO, a device) is
 * refused without reading it.  Errors name the path: INTOTO_EIO (cannot
 * open or read, vanished), INTOTO_EINVAL (not a regular file any more),
 * INTOTO_ENOMEM, INTOTO_ECRYPTO.
 */
int intoto__hash_files(struct intoto__hash_job *job, struct intoto_error *err);

/*
 * Hashing while the files are still being found: intoto__hash_feed_new()
 * takes the job's dirfd, algs, normalize_eol, threads (all hashing
 * threads, the caller's included) and progress (paths, n and digests are
 * not used); each intoto__hash_feed_add() hands one path (copied) to the
 * worker threads, which start with the first path; intoto__hash_feed_finish()
 * hashes along in the calling thread until all are done and returns the
 * digests in the order the paths were added (*out, n * stride bytes, caller
 * frees).  Errors as for intoto__hash_files(), from finish; add fails only
 * for lack of memory.  A feed that is not finished is stopped and freed
 * with intoto__hash_feed_free() (NULL is fine).
 */
struct intoto__hash_feed;

int intoto__hash_feed_new(struct intoto__hash_feed **out,
                          const struct intoto__hash_job *job,
                          struct intoto_error *err);
int intoto__hash_feed_add(struct intoto__hash_feed *f, const char *path,
                          size_t len);
int intoto__hash_feed_finish(unsigned char **out, size_t *n,
                             struct intoto__hash_feed *f,
                             struct intoto_error *err);
void intoto__hash_feed_free(struct intoto__hash_feed *f);

/* Digests of a buffer for the algorithms in algs, stored as above. */
int intoto__hash_buf(unsigned char *out, unsigned algs, const void *data,
                     size_t len, struct intoto_error *err);

#endif
