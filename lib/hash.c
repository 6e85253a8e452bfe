/* SPDX-License-Identifier: Apache-2.0 */
/* File digests with OpenSSL EVP on a small pool of threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hash.h"

#define READ_SIZE (256u * 1024u)
#define MAX_THREADS 64

static const char *const alg_names[INTOTO__HASH_N] = { "sha256", "sha512" };
static const char *const alg_evp[INTOTO__HASH_N] = { "SHA256", "SHA512" };
static const size_t alg_len[INTOTO__HASH_N] = { 32, 64 };

int
intoto__hash_alg_parse(const char *name)
{
    int i;

    for (i = 0; i < INTOTO__HASH_N; i++) {
        if (strcmp(name, alg_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

const char *
intoto__hash_alg_name(int alg)
{
    return alg >= 0 && alg < INTOTO__HASH_N ? alg_names[alg] : "?";
}

size_t
intoto__hash_alg_len(int alg)
{
    return alg >= 0 && alg < INTOTO__HASH_N ? alg_len[alg] : 0;
}

size_t
intoto__hash_stride(unsigned algs)
{
    size_t stride = 0;
    int i;

    for (i = 0; i < INTOTO__HASH_N; i++) {
        if (algs & (1u << i)) {
            stride += alg_len[i];
        }
    }
    return stride;
}

void
intoto__hash_hex(char *out, const unsigned char *digest, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * len] = '\0';
}

/* State shared by the workers of one intoto__hash_files() call. */
struct pool {
    struct intoto__hash_job *job;
    EVP_MD *md[INTOTO__HASH_N];
    atomic_size_t next;
    atomic_size_t files_done;
    atomic_uint_fast64_t bytes_done;
    atomic_int stop;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int running;
    struct intoto_error err;
};

/* One worker's reusable resources. */
struct worker {
    struct pool *pool;
    EVP_MD_CTX *ctx[INTOTO__HASH_N];
    unsigned char *buf;
    int pending_cr;
};

static void
pool_fail(struct pool *p, int code, const char *what, const char *path,
          int errnum)
{
    pthread_mutex_lock(&p->lock);
    if (p->err.code == INTOTO_OK) {
        if (errnum != 0) {
            intoto_error_set(&p->err, code, "%s '%s': %s", what, path,
                             strerror(errnum));
        } else {
            intoto_error_set(&p->err, code, "%s '%s'", what, path);
        }
    }
    pthread_mutex_unlock(&p->lock);
    atomic_store(&p->stop, 1);
}

/*
 * Line-ending normalisation as securesystemslib does it (SPEC-NOTES 1.5):
 * CRLF becomes LF, then a lone CR becomes LF.  Done in place (the output
 * is never longer); a CR at the end of a chunk swallows an LF that starts
 * the next one.
 */
static size_t
normalize_eol(struct worker *w, unsigned char *data, size_t len)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        if (w->pending_cr && data[i] == '\n') {
            w->pending_cr = 0;
            continue;
        }
        w->pending_cr = data[i] == '\r';
        data[o++] = data[i] == '\r' ? '\n' : data[i];
    }
    return o;
}

static int
digest_update(struct worker *w, unsigned algs, const void *data, size_t len)
{
    int i;

    for (i = 0; i < INTOTO__HASH_N; i++) {
        if ((algs & (1u << i)) && !EVP_DigestUpdate(w->ctx[i], data, len)) {
            return INTOTO_ECRYPTO;
        }
    }
    return INTOTO_OK;
}

static int
digest_init(struct worker *w, unsigned algs)
{
    int i;

    w->pending_cr = 0;
    for (i = 0; i < INTOTO__HASH_N; i++) {
        if ((algs & (1u << i)) &&
            !EVP_DigestInit_ex(w->ctx[i], w->pool->md[i], NULL)) {
            return INTOTO_ECRYPTO;
        }
    }
    return INTOTO_OK;
}

static int
digest_final(struct worker *w, unsigned algs, unsigned char *out)
{
    unsigned int len;
    int i;

    for (i = 0; i < INTOTO__HASH_N; i++) {
        if (!(algs & (1u << i))) {
            continue;
        }
        if (!EVP_DigestFinal_ex(w->ctx[i], out, &len)) {
            return INTOTO_ECRYPTO;
        }
        out += len;
    }
    return INTOTO_OK;
}

/* Read fd to its end into the digests.  0 or an errno value. */
static int
read_all(struct worker *w, int fd, unsigned algs, int eol)
{
    ssize_t n;
    size_t len;

    for (;;) {
        n = read(fd, w->buf, READ_SIZE);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return errno;
        }
        if (n == 0) {
            return 0;
        }
        len = (size_t)n;
        atomic_fetch_add(&w->pool->bytes_done, len);
        if (eol) {
            len = normalize_eol(w, w->buf, len);
        }
        if (digest_update(w, algs, w->buf, len) != INTOTO_OK) {
            return EIO;
        }
    }
}

/*
 * Hash one file.  O_NONBLOCK keeps open(2) from waiting on a FIFO that
 * replaced the file since it was listed; fstat then refuses anything that
 * is not a regular file before a byte is read.
 */
static void
hash_one(struct worker *w, size_t i)
{
    struct intoto__hash_job *job = w->pool->job;
    const char *path = job->paths[i];
    struct stat st;
    int fd, e;

    fd = openat(job->dirfd, path,
                O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        e = errno;
        pool_fail(w->pool, INTOTO_EIO,
                  e == ENOENT ? "file vanished while recording, cannot open"
                              : "cannot open",
                  path, e);
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        pool_fail(w->pool, INTOTO_EINVAL,
                  "not a regular file any more (changed while recording):",
                  path, 0);
        close(fd);
        return;
    }
    if (digest_init(w, job->algs) != INTOTO_OK) {
        pool_fail(w->pool, INTOTO_ECRYPTO, "cannot hash", path, 0);
        close(fd);
        return;
    }
    e = read_all(w, fd, job->algs, job->normalize_eol);
    close(fd);
    if (e != 0) {
        pool_fail(w->pool, INTOTO_EIO, "cannot read", path, e);
        return;
    }
    if (digest_final(w, job->algs, job->digests + i * job->stride) !=
        INTOTO_OK) {
        pool_fail(w->pool, INTOTO_ECRYPTO, "cannot hash", path, 0);
        return;
    }
    atomic_fetch_add(&w->pool->files_done, 1);
}

static void
worker_release(struct worker *w)
{
    int i;

    for (i = 0; i < INTOTO__HASH_N; i++) {
        EVP_MD_CTX_free(w->ctx[i]);
    }
    free(w->buf);
}

static int
worker_init(struct worker *w, struct pool *p)
{
    int i;

    memset(w, 0, sizeof(*w));
    w->pool = p;
    w->buf = malloc(READ_SIZE);
    if (w->buf == NULL) {
        return INTOTO_ENOMEM;
    }
    for (i = 0; i < INTOTO__HASH_N; i++) {
        w->ctx[i] = EVP_MD_CTX_new();
        if (w->ctx[i] == NULL) {
            return INTOTO_ENOMEM;
        }
    }
    return INTOTO_OK;
}

static void *
worker_main(void *arg)
{
    struct pool *p = arg;
    struct worker w;
    size_t i;

    if (worker_init(&w, p) != INTOTO_OK) {
        pool_fail(p, INTOTO_ENOMEM, "out of memory hashing", "files", 0);
    }
    while (!atomic_load(&p->stop)) {
        i = atomic_fetch_add(&p->next, 1);
        if (i >= p->job->n) {
            break;
        }
        hash_one(&w, i);
    }
    worker_release(&w);
    pthread_mutex_lock(&p->lock);
    p->running--;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int
thread_count(const struct intoto__hash_job *job)
{
    long cpus = job->threads;

    if (cpus <= 0) {
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (cpus < 1) {
        cpus = 1;
    }
    if (cpus > MAX_THREADS) {
        cpus = MAX_THREADS;
    }
    if ((size_t)cpus > job->n) {
        cpus = (long)job->n;
    }
    return (int)cpus;
}

/* Wait for the workers, reporting progress about every 200 ms. */
static void
pool_wait(struct pool *p)
{
    struct intoto__hash_job *job = p->job;
    struct timespec ts;

    pthread_mutex_lock(&p->lock);
    while (p->running > 0) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cond, &p->lock, &ts);
        if (job->progress != NULL && p->running > 0) {
            pthread_mutex_unlock(&p->lock);
            job->progress(job->progress_ctx, atomic_load(&p->files_done),
                          job->n, atomic_load(&p->bytes_done));
            pthread_mutex_lock(&p->lock);
        }
    }
    pthread_mutex_unlock(&p->lock);
}

static int
pool_init(struct pool *p, struct intoto__hash_job *job)
{
    int i;

    memset(p, 0, sizeof(*p));
    p->job = job;
    atomic_init(&p->next, 0);
    atomic_init(&p->files_done, 0);
    atomic_init(&p->bytes_done, 0);
    atomic_init(&p->stop, 0);
    intoto_error_init(&p->err);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (i = 0; i < INTOTO__HASH_N; i++) {
        if (job->algs & (1u << i)) {
            p->md[i] = EVP_MD_fetch(NULL, alg_evp[i], NULL);
            if (p->md[i] == NULL) {
                return INTOTO_ECRYPTO;
            }
        }
    }
    return INTOTO_OK;
}

static void
pool_release(struct pool *p)
{
    int i;

    for (i = 0; i < INTOTO__HASH_N; i++) {
        EVP_MD_free(p->md[i]);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
}

int
intoto__hash_files(struct intoto__hash_job *job, struct intoto_error *err)
{
    pthread_t tids[MAX_THREADS];
    struct pool p;
    int n, started = 0, rc;

    rc = pool_init(&p, job);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "cannot set up the digest algorithms");
        goto out;
    }
    n = job->n == 0 ? 0 : thread_count(job);
    p.running = n;
    for (started = 0; started < n; started++) {
        if (pthread_create(&tids[started], NULL, worker_main, &p) != 0) {
            break;
        }
    }
    pthread_mutex_lock(&p.lock);
    p.running -= n - started;
    pthread_mutex_unlock(&p.lock);
    if (started == 0 && n > 0) {
        p.running = 1;
        worker_main(&p);
    }
    pool_wait(&p);
    for (n = 0; n < started; n++) {
        pthread_join(tids[n], NULL);
    }
    if (job->progress != NULL && job->n > 0) {
        job->progress(job->progress_ctx, job->n, job->n,
                      atomic_load(&p.bytes_done));
    }
    rc = p.err.code;
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "%s", p.err.msg);
    }
out:
    pool_release(&p);
    return rc;
}

int
intoto__hash_buf(unsigned char *out, unsigned algs, const void *data,
                 size_t len, struct intoto_error *err)
{
    unsigned int dlen;
    int i;

    for (i = 0; i < INTOTO__HASH_N; i++) {
        if (!(algs & (1u << i))) {
            continue;
        }
        if (!EVP_Digest(data, len, out, &dlen,
                        i == 0 ? EVP_sha256() : EVP_sha512(), NULL)) {
            return intoto_error_set(err, INTOTO_ECRYPTO, "digest failed");
        }
        out += dlen;
    }
    return INTOTO_OK;
}
