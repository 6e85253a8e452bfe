/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded file reads and atomic file writes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

int
intoto__fs_read(struct intoto_buf *out, const char *path, size_t max,
                struct intoto_error *err)
{
    struct stat st;
    int fd = -1;
    int rc = INTOTO_OK;
    ssize_t n;

    /* O_NONBLOCK: opening a FIFO must not wait for a writer; the type is
     * checked right after. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        rc = errno == ENOENT ? INTOTO_ENOTFOUND : INTOTO_EIO;
        intoto_error_set(err, rc, "cannot open '%s': %s", path,
                         strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = intoto_error_set(err, INTOTO_EINVAL, "'%s' is not a regular file",
                              path);
        goto out;
    }
    if ((unsigned long long)st.st_size > max) {
        rc = intoto_error_set(err, INTOTO_EINVAL,
                              "'%s' is too large (%lld bytes, limit %zu)",
                              path, (long long)st.st_size, max);
        goto out;
    }
    /* Room for the whole file at once (plus one byte to see the end). */
    rc = intoto_buf_grow(out, (size_t)st.st_size + 1);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "reading '%s': out of memory", path);
        goto out;
    }
    for (;;) {
        /* The file may have grown since fstat. */
        if (out->cap - out->len < 2) {
            rc = intoto_buf_grow(out, 65536);
            if (rc != INTOTO_OK) {
                intoto_error_set(err, rc, "reading '%s': out of memory",
                                 path);
                goto out;
            }
        }
        n = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = intoto_error_set(err, INTOTO_EIO, "cannot read '%s': %s",
                                  path, strerror(errno));
            goto out;
        }
        if (n == 0) {
            break;
        }
        out->len += (size_t)n;
        out->data[out->len] = '\0';
        if (out->len > max) {
            rc = intoto_error_set(err, INTOTO_EINVAL,
                                  "'%s' is too large (limit %zu bytes)", path,
                                  max);
            goto out;
        }
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

/* umask(2) can only be read by setting it; done once, before threads. */
static mode_t
umask_get(void)
{
    mode_t m = umask(022);

    umask(m);
    return m;
}

static int
write_all(int fd, const char *data, size_t len)
{
    ssize_t n;

    while (len > 0) {
        n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int
intoto__fs_write_atomic(const char *path, const void *data, size_t len,
                        int mode, struct intoto_error *err)
{
    char *tmp = NULL;
    size_t plen = strlen(path);
    int fd = -1;
    int rc = INTOTO_OK;

    tmp = malloc(plen + 16);
    if (tmp == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp-XXXXXX", 12);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = intoto_error_set(err, INTOTO_EIO, "cannot write '%s': %s", path,
                              strerror(errno));
        goto out;
    }
    if (fchmod(fd, (mode_t)(mode & ~umask_get())) != 0 ||
        write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        rc = intoto_error_set(err, INTOTO_EIO, "cannot write '%s': %s", path,
                              strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = intoto_error_set(err, INTOTO_EIO, "cannot write '%s': %s", path,
                              strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = intoto_error_set(err, INTOTO_EIO, "cannot write '%s': %s", path,
                              strerror(errno));
        goto out;
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    if (rc != INTOTO_OK) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}
