/* SPDX-License-Identifier: Apache-2.0 */
/* Byte-string order shared inside the library. */
#ifndef INTOTO_BYTES_H
#define INTOTO_BYTES_H

#include <stddef.h>
#include <string.h>

/* Bytewise order of two counted strings, a shorter prefix first: for
 * UTF-8 this is code point order, the order of Python's sort_keys and so
 * of object members and artifact lists. */
static inline int
intoto__bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;

    if (c != 0) {
        return c;
    }
    return (alen > blen) - (alen < blen);
}

#endif
