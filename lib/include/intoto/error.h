/* SPDX-License-Identifier: Apache-2.0 */
/* Status codes, the caller-owned error object and the log callback. */
#ifndef INTOTO_ERROR_H
#define INTOTO_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Every fallible function returns INTOTO_OK or one of these negative codes.
 * INTOTO_EVERIFY means "checked and found bad" (signature, threshold, rule,
 * hash); every other code means the check could not be made.
 */
enum intoto_status {
    INTOTO_OK = 0,
    INTOTO_EINVAL = -1,      /* bad argument or bad input value */
    INTOTO_ENOMEM = -2,      /* allocation failed */
    INTOTO_EIO = -3,         /* reading, writing or running failed */
    INTOTO_EPARSE = -4,      /* malformed file */
    INTOTO_ECRYPTO = -5,     /* the crypto library failed */
    INTOTO_EUNSUPPORTED = -6, /* unknown field, key type, scheme, rule */
    INTOTO_EVERIFY = -7,     /* verification found something wrong */
    INTOTO_ENOTFOUND = -8    /* a file, key or item does not exist */
};

#define INTOTO_ERROR_MAX 4096

/*
 * The error object is owned by the caller and passed last to a function
 * (NULL is allowed: the message is then dropped).  The function that finds
 * the problem calls intoto_error_set(); each layer above may prepend its
 * context with intoto_error_wrap(), which gives "context: cause".
 */
struct intoto_error {
    int code;
    char msg[INTOTO_ERROR_MAX];
};

/* Clear err (code INTOTO_OK, empty message).  err may be NULL. */
void intoto_error_init(struct intoto_error *err);

/* Set code and message, replacing what was there.  Returns code. */
int intoto_error_set(struct intoto_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "<context>: " to the message.  Returns err->code (or
 * INTOTO_EINVAL when err is NULL). */
int intoto_error_wrap(struct intoto_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The message, never NULL ("" when none). */
const char *intoto_error_message(const struct intoto_error *err);

/* A short name for a status code ("verification failed", ...). */
const char *intoto_strstatus(int code);

enum intoto_log_level {
    INTOTO_LOG_ERROR = 0,
    INTOTO_LOG_WARN = 1,
    INTOTO_LOG_INFO = 2,
    INTOTO_LOG_DEBUG = 3
};

/*
 * The library never prints.  Functions that have something to say beyond
 * their result take a log sink; messages above `level` are dropped.  A NULL
 * sink or a NULL fn drops everything.
 */
struct intoto_log {
    void (*fn)(void *ctx, enum intoto_log_level level, const char *msg);
    void *ctx;
    enum intoto_log_level level;
};

/* Format and pass one message to the sink. */
void intoto_log(const struct intoto_log *log, enum intoto_log_level level,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Nonzero when a message at `level` would be delivered. */
int intoto_log_enabled(const struct intoto_log *log,
                       enum intoto_log_level level);

#endif
