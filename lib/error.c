/* SPDX-License-Identifier: Apache-2.0 */
/* The error object and the log sink. */
#include <stdio.h>
#include <string.h>

#include <intoto/error.h>

void
intoto_error_init(struct intoto_error *err)
{
    if (err == NULL) {
        return;
    }
    err->code = INTOTO_OK;
    err->msg[0] = '\0';
}

int
intoto_error_set(struct intoto_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

int
intoto_error_wrap(struct intoto_error *err, const char *fmt, ...)
{
    char ctx[INTOTO_ERROR_MAX];
    size_t clen, mlen;
    va_list ap;

    if (err == NULL) {
        return INTOTO_EINVAL;
    }
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    clen = strlen(ctx);
    mlen = strlen(err->msg);
    if (clen + 2 >= sizeof(err->msg)) {
        return err->code;
    }
    if (clen + 2 + mlen >= sizeof(err->msg)) {
        mlen = sizeof(err->msg) - clen - 3;
    }
    memmove(err->msg + clen + 2, err->msg, mlen);
    err->msg[clen + 2 + mlen] = '\0';
    memcpy(err->msg, ctx, clen);
    err->msg[clen] = ':';
    err->msg[clen + 1] = ' ';
    return err->code;
}

const char *
intoto_error_message(const struct intoto_error *err)
{
    return err == NULL ? "" : err->msg;
}

const char *
intoto_strstatus(int code)
{
    switch (code) {
    case INTOTO_OK:
        return "success";
    case INTOTO_EINVAL:
        return "invalid argument";
    case INTOTO_ENOMEM:
        return "out of memory";
    case INTOTO_EIO:
        return "input/output error";
    case INTOTO_EPARSE:
        return "malformed input";
    case INTOTO_ECRYPTO:
        return "cryptographic library error";
    case INTOTO_EUNSUPPORTED:
        return "unsupported";
    case INTOTO_EVERIFY:
        return "verification failed";
    case INTOTO_ENOTFOUND:
        return "not found";
    default:
        return "unknown error";
    }
}

int
intoto_log_enabled(const struct intoto_log *log, enum intoto_log_level level)
{
    return log != NULL && log->fn != NULL && level <= log->level;
}

void
intoto_log(const struct intoto_log *log, enum intoto_log_level level,
           const char *fmt, ...)
{
    char msg[INTOTO_ERROR_MAX];
    va_list ap;

    if (!intoto_log_enabled(log, level)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log->fn(log->ctx, level, msg);
}
