/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 and hex encoding of signatures and payloads (library-private). */
#ifndef INTOTO_BASE64_H
#define INTOTO_BASE64_H

#include <stddef.h>

#include <intoto/buf.h>

/* Append the standard base64 encoding of data, with padding, to out.
 * INTOTO_OK or INTOTO_ENOMEM. */
int intoto__base64_encode(struct intoto_buf *out, const void *data,
                          size_t len);

/*
 * Decode padded base64 into out (appended): the standard alphabet first,
 * then the URL-safe one (DSSE, SPEC-NOTES 2.4).  No whitespace is allowed.
 * INTOTO_OK, INTOTO_EPARSE (not base64; out is unchanged) or ENOMEM.
 */
int intoto__base64_decode(struct intoto_buf *out, const char *s, size_t len);

/* Append lowercase hex of data to out.  INTOTO_OK or INTOTO_ENOMEM. */
int intoto__hex_encode(struct intoto_buf *out, const void *data, size_t len);

/* Decode hex (either case, even length, nothing else) into out (appended).
 * INTOTO_OK, INTOTO_EPARSE (out unchanged) or INTOTO_ENOMEM. */
int intoto__hex_decode(struct intoto_buf *out, const char *s, size_t len);

#endif
