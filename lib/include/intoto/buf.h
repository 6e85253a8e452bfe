/* SPDX-License-Identifier: Apache-2.0 */
/* A growable byte buffer, always NUL-terminated after `len` bytes. */
#ifndef INTOTO_BUF_H
#define INTOTO_BUF_H

#include <stddef.h>

/* Caller-owned: intoto_buf_init() before use, intoto_buf_release() after. */
struct intoto_buf {
    char *data;   /* NULL until something is added */
    size_t len;
    size_t cap;
};

void intoto_buf_init(struct intoto_buf *b);
/* Free the storage and re-initialise; the bytes are wiped first when the
 * buffer held secrets is not known, so callers holding secrets call
 * intoto_buf_wipe() before. */
void intoto_buf_release(struct intoto_buf *b);
/* Overwrite the used bytes with zeros (for passwords and keys). */
void intoto_buf_wipe(struct intoto_buf *b);
/* Make room for `extra` more bytes.  INTOTO_OK or INTOTO_ENOMEM. */
int intoto_buf_grow(struct intoto_buf *b, size_t extra);
int intoto_buf_add(struct intoto_buf *b, const void *data, size_t len);
int intoto_buf_addstr(struct intoto_buf *b, const char *s);
int intoto_buf_addch(struct intoto_buf *b, char c);
int intoto_buf_addf(struct intoto_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Take the data (caller frees with free()); the buffer is left empty.
 * Returns an empty string rather than NULL, or NULL on ENOMEM. */
char *intoto_buf_detach(struct intoto_buf *b, size_t *len);

#endif
