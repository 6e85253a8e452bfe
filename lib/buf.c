/* SPDX-License-Identifier: Apache-2.0 */
/* Growable byte buffers. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <intoto/buf.h>
#include <intoto/error.h>

void
intoto_buf_init(struct intoto_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
intoto_buf_release(struct intoto_buf *b)
{
    free(b->data);
    intoto_buf_init(b);
}

void
intoto_buf_wipe(struct intoto_buf *b)
{
    if (b->data != NULL) {
        OPENSSL_cleanse(b->data, b->cap);
    }
    b->len = 0;
}

int
intoto_buf_grow(struct intoto_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > SIZE_MAX - b->len - 1) {
        return INTOTO_ENOMEM;
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return INTOTO_OK;
    }
    cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    p = realloc(b->data, cap);
    if (p == NULL) {
        return INTOTO_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return INTOTO_OK;
}

int
intoto_buf_add(struct intoto_buf *b, const void *data, size_t len)
{
    int rc = intoto_buf_grow(b, len);

    if (rc != INTOTO_OK) {
        return rc;
    }
    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return INTOTO_OK;
}

int
intoto_buf_addstr(struct intoto_buf *b, const char *s)
{
    return intoto_buf_add(b, s, strlen(s));
}

int
intoto_buf_addch(struct intoto_buf *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return INTOTO_OK;
    }
    return intoto_buf_add(b, &c, 1);
}

int
intoto_buf_addf(struct intoto_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    int rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return INTOTO_EINVAL;
    }
    rc = intoto_buf_grow(b, (size_t)n);
    if (rc != INTOTO_OK) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return INTOTO_OK;
}

char *
intoto_buf_detach(struct intoto_buf *b, size_t *len)
{
    char *p;

    if (b->data == NULL && intoto_buf_grow(b, 0) != INTOTO_OK) {
        return NULL;
    }
    b->data[b->len] = '\0';
    p = b->data;
    if (len != NULL) {
        *len = b->len;
    }
    intoto_buf_init(b);
    return p;
}
