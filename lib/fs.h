/* SPDX-License-Identifier: Apache-2.0 */
/* File helpers shared inside the library: bounded reads, atomic writes. */
#ifndef INTOTO_FS_H
#define INTOTO_FS_H

#include <stddef.h>

#include <intoto/buf.h>
#include <intoto/error.h>

/* Read a whole regular file of at most `max` bytes into out (appended).
 * Errors name the path: ENOTFOUND (missing), EIO, EINVAL (too large, not a
 * regular file). */
int intoto__fs_read(struct intoto_buf *out, const char *path, size_t max,
                    struct intoto_error *err);

/* Write data to path through a temporary file in the same directory,
 * fsync'd and renamed into place; `mode` as for open(2).  Nothing is left
 * behind on failure. */
int intoto__fs_write_atomic(const char *path, const void *data, size_t len,
                            int mode, struct intoto_error *err);

#endif
