/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 (standard and URL-safe alphabets) and hex codecs. */
#include <string.h>

#include <intoto/error.h>

#include "base64.h"

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
intoto__base64_encode(struct intoto_buf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i;
    char *w;
    int rc;

    if (len / 3 >= ((size_t)-1) / 4 - 1) {
        return INTOTO_ENOMEM;
    }
    rc = intoto_buf_grow(out, (len + 2) / 3 * 4);
    if (rc != INTOTO_OK) {
        return rc;
    }

    w = out->data + out->len;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned long v = ((unsigned long)p[i] << 16) |
                          ((unsigned long)p[i + 1] << 8) | p[i + 2];

        *w++ = std_alphabet[(v >> 18) & 63];
        *w++ = std_alphabet[(v >> 12) & 63];
        *w++ = std_alphabet[(v >> 6) & 63];
        *w++ = std_alphabet[v & 63];
    }
    if (i < len) {
        unsigned long v = (unsigned long)p[i] << 16;

        if (i + 1 < len) {
            v |= (unsigned long)p[i + 1] << 8;
        }
        *w++ = std_alphabet[(v >> 18) & 63];
        *w++ = std_alphabet[(v >> 12) & 63];
        *w++ = i + 1 < len ? std_alphabet[(v >> 6) & 63] : '=';
        *w++ = '=';
    }
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
    return INTOTO_OK;
}

/* The value of one base64 character in the alphabet whose last two
 * characters are c62 and c63, or -1. */
static int
b64_value(char ch, char c62, char c63)
{
    if (ch >= 'A' && ch <= 'Z') {
        return ch - 'A';
    }
    if (ch >= 'a' && ch <= 'z') {
        return ch - 'a' + 26;
    }
    if (ch >= '0' && ch <= '9') {
        return ch - '0' + 52;
    }
    if (ch == c62) {
        return 62;
    }
    if (ch == c63) {
        return 63;
    }
    return -1;
}

/* Decode one alphabet; EPARSE leaves out->len as it was. */
static int
b64_decode_with(struct intoto_buf *out, const char *s, size_t len, char c62,
                char c63)
{
    size_t start = out->len;
    size_t pad = 0;
    size_t i;
    int rc;

    if (len % 4 != 0) {
        return INTOTO_EPARSE;
    }
    if (len > 0 && s[len - 1] == '=') {
        pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
    }
    rc = intoto_buf_grow(out, len / 4 * 3);
    if (rc != INTOTO_OK) {
        return rc;
    }

    for (i = 0; i < len; i += 4) {
        int v[4];
        int j;
        int last = i + 4 == len;

        for (j = 0; j < 4; j++) {
            int is_pad = last && j >= 4 - (int)pad;

            v[j] = is_pad ? 0 : b64_value(s[i + j], c62, c63);
            if (v[j] < 0) {
                out->len = start;
                out->data[start] = '\0';
                return INTOTO_EPARSE;
            }
        }
        out->data[out->len++] = (char)((v[0] << 2) | (v[1] >> 4));
        if (!last || pad < 2) {
            out->data[out->len++] = (char)(((v[1] & 15) << 4) | (v[2] >> 2));
        }
        if (!last || pad < 1) {
            out->data[out->len++] = (char)(((v[2] & 3) << 6) | v[3]);
        }
    }
    out->data[out->len] = '\0';
    return INTOTO_OK;
}

int
intoto__base64_decode(struct intoto_buf *out, const char *s, size_t len)
{
    int rc = b64_decode_with(out, s, len, '+', '/');

    if (rc != INTOTO_EPARSE) {
        return rc;
    }
    return b64_decode_with(out, s, len, '-', '_');
}

int
intoto__hex_encode(struct intoto_buf *out, const void *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = data;
    size_t i;
    int rc;

    if (len > ((size_t)-1) / 2 - 1) {
        return INTOTO_ENOMEM;
    }
    rc = intoto_buf_grow(out, len * 2);
    if (rc != INTOTO_OK) {
        return rc;
    }

    for (i = 0; i < len; i++) {
        out->data[out->len++] = digits[p[i] >> 4];
        out->data[out->len++] = digits[p[i] & 15];
    }
    out->data[out->len] = '\0';
    return INTOTO_OK;
}

static int
hex_value(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

int
intoto__hex_decode(struct intoto_buf *out, const char *s, size_t len)
{
    size_t start = out->len;
    size_t i;
    int rc;

    if (len % 2 != 0) {
        return INTOTO_EPARSE;
    }
    rc = intoto_buf_grow(out, len / 2);
    if (rc != INTOTO_OK) {
        return rc;
    }

    for (i = 0; i < len; i += 2) {
        int hi = hex_value(s[i]);
        int lo = hex_value(s[i + 1]);

        if (hi < 0 || lo < 0) {
            out->len = start;
            out->data[start] = '\0';
            return INTOTO_EPARSE;
        }
        out->data[out->len++] = (char)((hi << 4) | lo);
    }
    out->data[out->len] = '\0';
    return INTOTO_OK;
}
