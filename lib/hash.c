/* SPDX-License-Identifier: Apache-2.0 */
/* File digests with OpenSSL EVP on a small pool of threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
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

/*
 * A path handed to the workers: the digests (stride bytes) follow the
 * header, then the NUL-terminated path.  Records live in chunks that never
 * move, so workers use them while more are added.
 */
struct rec {
    size_t len;                 /* of the path */
};

struct chunk {
    struct chunk *next;
    size_t used;
    size_t cap;
    max_align_t data[];
};

#define CHUNK_SIZE (64u * 1024u)
#define FLUSH_AT 64             /* records the feeder hands over at once */

struct intoto__hash_feed {
    /* Set up once. */
    int dirfd;
    unsigned algs;
    int eol;
    size_t stride;
    int workers;                /* threads besides the caller's */
    EVP_MD *md[INTOTO__HASH_N];
    void (*progress)(void *ctx, size_t files, size_t n, uint64_t bytes);
    void *progress_ctx;
    /* The feeder's own. */
    struct chunk *chunks;
    struct rec *pend[FLUSH_AT];
    size_t n_pend;
    pthread_t tids[MAX_THREADS];
    int launched;               /* start_workers() ran */
    int started;                /* threads it started */
    struct timespec next_report;
    /* Under lock. */
    pthread_mutex_t lock;
    pthread_cond_t work;        /* more records, or closed */
    pthread_cond_t done;        /* a worker ended */
    struct rec **q;
    size_t q_n;
    size_t q_cap;
    size_t q_next;
    int closed;
    int running;
    struct intoto_error err;
    /* Lock-free. */
    atomic_int idle;            /* workers waiting for records */
    atomic_int stop;
    atomic_size_t files_done;
    atomic_uint_fast64_t bytes_done;
};

/* One hashing thread's reusable resources. */
struct worker {
    struct intoto__hash_feed *f;
    EVP_MD_CTX *ctx[INTOTO__HASH_N];
    unsigned char *buf;
    int pending_cr;
    int reports;                /* the caller's thread: calls progress */
};

static unsigned char *
rec_digest(struct rec *r)
{
    return (unsigned char *)(r + 1);
}

static const char *
rec_path(const struct intoto__hash_feed *f, struct rec *r)
{
    return (const char *)(r + 1) + f->stride;
}

static void
feed_fail(struct intoto__hash_feed *f, int code, const char *what,
          const char *path, int errnum)
{
    pthread_mutex_lock(&f->lock);
    atomic_store(&f->stop, 1);
    if (f->err.code == INTOTO_OK) {
        if (errnum != 0) {
            intoto_error_set(&f->err, code, "%s '%s': %s", what, path,
                             strerror(errnum));
        } else {
            intoto_error_set(&f->err, code, "%s '%s'", what, path);
        }
    }
    pthread_cond_broadcast(&f->work);
    pthread_mutex_unlock(&f->lock);
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
            !EVP_DigestInit_ex(w->ctx[i], w->f->md[i], NULL)) {
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

/* 1 when ts is past the feed's next report time (then moves it on). */
static int
report_due(struct intoto__hash_feed *f)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec < f->next_report.tv_sec ||
        (now.tv_sec == f->next_report.tv_sec &&
         now.tv_nsec < f->next_report.tv_nsec)) {
        return 0;
    }
    now.tv_nsec += 200 * 1000 * 1000;
    if (now.tv_nsec >= 1000000000L) {
        now.tv_sec++;
        now.tv_nsec -= 1000000000L;
    }
    f->next_report = now;
    return 1;
}

static void
report(struct intoto__hash_feed *f)
{
    if (f->progress != NULL && report_due(f)) {
        f->progress(f->progress_ctx, atomic_load(&f->files_done), f->q_n,
                    atomic_load(&f->bytes_done));
    }
}

/*
 * Read fd to its end into the digests; 0 or an errno value.  A file that
 * fits the buffer takes one read: a short read of exactly the size fstat
 * gave is its end.
 */
static int
read_all(struct worker *w, int fd, off_t size)
{
    struct intoto__hash_feed *f = w->f;
    size_t want = READ_SIZE, len;
    ssize_t n;

    if (size >= 0 && (uint64_t)size < READ_SIZE) {
        want = (size_t)size + 1;
    }
    for (;;) {
        n = read(fd, w->buf, want);
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
        atomic_fetch_add(&f->bytes_done, len);
        if (f->eol) {
            len = normalize_eol(w, w->buf, len);
        }
        if (digest_update(w, f->algs, w->buf, len) != INTOTO_OK) {
            return EIO;
        }
        if ((size_t)n < want && (off_t)n == size) {
            return 0;
        }
        want = READ_SIZE;
        size = -1;
        if (w->reports) {
            report(f);
        }
    }
}

/*
 * Hash one file.  O_NONBLOCK keeps open(2) from waiting on a FIFO that
 * replaced the file since it was listed; fstat then refuses anything that
 * is not a regular file before a byte is read.
 */
static void
hash_one(struct worker *w, struct rec *r)
{
    struct intoto__hash_feed *f = w->f;
    const char *path = rec_path(f, r);
    struct stat st;
    int fd, e;

    fd = openat(f->dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        e = errno;
        feed_fail(f, INTOTO_EIO,
                  e == ENOENT ? "file vanished while recording, cannot open"
                              : "cannot open",
                  path, e);
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        feed_fail(f, INTOTO_EINVAL,
                  "not a regular file any more (changed while recording):",
                  path, 0);
        close(fd);
        return;
    }
    if (digest_init(w, f->algs) != INTOTO_OK) {
        feed_fail(f, INTOTO_ECRYPTO, "cannot hash", path, 0);
        close(fd);
        return;
    }
    e = read_all(w, fd, st.st_size);
    close(fd);
    if (e != 0) {
        feed_fail(f, INTOTO_EIO, "cannot read", path, e);
        return;
    }
    if (digest_final(w, f->algs, rec_digest(r)) != INTOTO_OK) {
        feed_fail(f, INTOTO_ECRYPTO, "cannot hash", path, 0);
        return;
    }
    atomic_fetch_add(&f->files_done, 1);
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
worker_init(struct worker *w, struct intoto__hash_feed *f)
{
    int i;

    memset(w, 0, sizeof(*w));
    w->f = f;
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

/* The next record to hash, waiting for one; NULL when there are no more. */
static struct rec *
next_rec(struct intoto__hash_feed *f)
{
    struct rec *r = NULL;

    pthread_mutex_lock(&f->lock);
    while (f->q_next == f->q_n && !f->closed && !atomic_load(&f->stop)) {
        atomic_fetch_add(&f->idle, 1);
        pthread_cond_wait(&f->work, &f->lock);
        atomic_fetch_sub(&f->idle, 1);
    }
    if (f->q_next < f->q_n && !atomic_load(&f->stop)) {
        r = f->q[f->q_next++];
    }
    pthread_mutex_unlock(&f->lock);
    return r;
}

/* Hash records until there are no more. */
static void
work(struct intoto__hash_feed *f, int reports)
{
    struct worker w;
    struct rec *r;

    if (worker_init(&w, f) != INTOTO_OK) {
        feed_fail(f, INTOTO_ENOMEM, "out of memory hashing", "files", 0);
    }
    w.reports = reports;
    while ((r = next_rec(f)) != NULL) {
        hash_one(&w, r);
        if (reports) {
            report(f);
        }
    }
    worker_release(&w);
}

static void *
worker_main(void *arg)
{
    struct intoto__hash_feed *f = arg;

    work(f, 0);
    pthread_mutex_lock(&f->lock);
    f->running--;
    pthread_cond_signal(&f->done);
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static int
thread_count(int threads)
{
    long cpus = threads;

    if (cpus <= 0) {
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (cpus < 1) {
        cpus = 1;
    }
    if (cpus > MAX_THREADS) {
        cpus = MAX_THREADS;
    }
    return (int)cpus;
}

int
intoto__hash_feed_new(struct intoto__hash_feed **out,
                      const struct intoto__hash_job *job,
                      struct intoto_error *err)
{
    struct intoto__hash_feed *f = NULL;
    int i, rc = INTOTO_OK;

    *out = NULL;
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    f->dirfd = job->dirfd;
    f->algs = job->algs;
    f->eol = job->normalize_eol;
    f->stride = intoto__hash_stride(job->algs);
    f->workers = thread_count(job->threads) - 1;
    f->progress = job->progress;
    f->progress_ctx = job->progress_ctx;
    atomic_init(&f->idle, 0);
    atomic_init(&f->stop, 0);
    atomic_init(&f->files_done, 0);
    atomic_init(&f->bytes_done, 0);
    intoto_error_init(&f->err);
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->work, NULL);
    pthread_cond_init(&f->done, NULL);
    for (i = 0; i < INTOTO__HASH_N && rc == INTOTO_OK; i++) {
        if (job->algs & (1u << i)) {
            f->md[i] = EVP_MD_fetch(NULL, alg_evp[i], NULL);
            rc = f->md[i] == NULL ? INTOTO_ECRYPTO : INTOTO_OK;
        }
    }
    if (rc != INTOTO_OK) {
        intoto__hash_feed_free(f);
        return intoto_error_set(err, rc,
                                "cannot set up the digest algorithms");
    }
    *out = f;
    return INTOTO_OK;
}

/* Start the worker threads (with the first records); fewer is fine. */
static void
start_workers(struct intoto__hash_feed *f)
{
    f->launched = 1;
    for (f->started = 0; f->started < f->workers; f->started++) {
        if (pthread_create(&f->tids[f->started], NULL, worker_main, f) !=
            0) {
            break;
        }
    }
    f->running = f->started;
}

/* Hand the pending records to the workers. */
static int
flush(struct intoto__hash_feed *f)
{
    struct rec **nq;
    size_t cap;
    int rc = INTOTO_OK;

    pthread_mutex_lock(&f->lock);
    if (f->q_n + f->n_pend > f->q_cap) {
        cap = f->q_cap ? f->q_cap * 2 : 1024;
        nq = realloc(f->q, cap * sizeof(*nq));
        if (nq == NULL) {
            rc = INTOTO_ENOMEM;
            goto out;
        }
        f->q = nq;
        f->q_cap = cap;
    }
    memcpy(f->q + f->q_n, f->pend, f->n_pend * sizeof(*f->pend));
    f->q_n += f->n_pend;
    f->n_pend = 0;
    if (!f->launched) {
        start_workers(f);
    } else {
        pthread_cond_broadcast(&f->work);
    }
out:
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int
intoto__hash_feed_add(struct intoto__hash_feed *f, const char *path,
                      size_t len)
{
    size_t need = sizeof(struct rec) + f->stride + len + 1, cap;
    struct chunk *c = f->chunks;
    struct rec *r;

    need = (need + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (c == NULL || c->cap - c->used < need) {
        cap = need > CHUNK_SIZE ? need : CHUNK_SIZE;
        c = malloc(sizeof(*c) + cap);
        if (c == NULL) {
            return INTOTO_ENOMEM;
        }
        c->next = f->chunks;
        c->used = 0;
        c->cap = cap;
        f->chunks = c;
    }
    r = (struct rec *)((unsigned char *)c->data + c->used);
    c->used += need;
    r->len = len;
    memcpy((char *)rec_path(f, r), path, len);
    ((char *)rec_path(f, r))[len] = '\0';
    f->pend[f->n_pend++] = r;
    if (f->n_pend == FLUSH_AT || atomic_load(&f->idle) > 0 ||
        (!f->launched && f->workers > 0)) {
        return flush(f);
    }
    return INTOTO_OK;
}

/* Stop (when asked) and wait for the workers, reporting progress. */
static void
join_workers(struct intoto__hash_feed *f, int stop)
{
    struct timespec ts;
    int i;

    pthread_mutex_lock(&f->lock);
    f->closed = 1;
    if (stop) {
        atomic_store(&f->stop, 1);
    }
    pthread_cond_broadcast(&f->work);
    while (f->running > 0) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&f->done, &f->lock, &ts);
        if (!stop && f->running > 0) {
            pthread_mutex_unlock(&f->lock);
            report(f);
            pthread_mutex_lock(&f->lock);
        }
    }
    pthread_mutex_unlock(&f->lock);
    for (i = 0; i < f->started; i++) {
        pthread_join(f->tids[i], NULL);
    }
    f->started = 0;
}

void
intoto__hash_feed_free(struct intoto__hash_feed *f)
{
    struct chunk *c;
    int i;

    if (f == NULL) {
        return;
    }
    if (f->started > 0) {
        join_workers(f, 1);
    }
    while (f->chunks != NULL) {
        c = f->chunks;
        f->chunks = c->next;
        free(c);
    }
    for (i = 0; i < INTOTO__HASH_N; i++) {
        EVP_MD_free(f->md[i]);
    }
    free(f->q);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->work);
    pthread_cond_destroy(&f->done);
    free(f);
}

int
intoto__hash_feed_finish(unsigned char **out, size_t *n,
                         struct intoto__hash_feed *f,
                         struct intoto_error *err)
{
    unsigned char *d = NULL;
    size_t i;
    int rc;

    *out = NULL;
    *n = 0;
    rc = f->n_pend > 0 ? flush(f) : INTOTO_OK;
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "out of memory");
    }
    pthread_mutex_lock(&f->lock);
    f->closed = 1;
    pthread_cond_broadcast(&f->work);
    pthread_mutex_unlock(&f->lock);
    clock_gettime(CLOCK_MONOTONIC, &f->next_report);
    if (f->q_n > 0) {
        work(f, f->progress != NULL);
    }
    join_workers(f, 0);
    if (f->progress != NULL && f->q_n > 0) {
        f->progress(f->progress_ctx, f->q_n, f->q_n,
                    atomic_load(&f->bytes_done));
    }
    if (f->err.code != INTOTO_OK) {
        return intoto_error_set(err, f->err.code, "%s", f->err.msg);
    }
    d = malloc(f->q_n ? f->q_n * f->stride : 1);
    if (d == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < f->q_n; i++) {
        memcpy(d + i * f->stride, rec_digest(f->q[i]), f->stride);
    }
    *out = d;
    *n = f->q_n;
    return INTOTO_OK;
}

int
intoto__hash_files(struct intoto__hash_job *job, struct intoto_error *err)
{
    struct intoto__hash_feed *f = NULL;
    unsigned char *d = NULL;
    size_t i, n = 0;
    int rc;

    rc = intoto__hash_feed_new(&f, job, err);
    for (i = 0; i < job->n && rc == INTOTO_OK; i++) {
        rc = intoto__hash_feed_add(f, job->paths[i], strlen(job->paths[i]));
        if (rc != INTOTO_OK) {
            intoto_error_set(err, rc, "out of memory");
        }
    }
    rc = rc ? rc : intoto__hash_feed_finish(&d, &n, f, err);
    if (rc == INTOTO_OK && n > 0) {
        memcpy(job->digests, d, n * job->stride);
    }
    free(d);
    intoto__hash_feed_free(f);
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
