/* SPDX-License-Identifier: Apache-2.0 */
/* Safe archive extraction (libarchive) for inspections. */
#ifndef INTOTO_ARCHIVE_H
#define INTOTO_ARCHIVE_H

#include <stdint.h>

#include "error.h"

/*
 * Limits against archive bombs.  A field of 0 means "no limit".  The ratio
 * is bytes written over bytes of the archive file read so far; it is only
 * checked once more than ratio_min_bytes have been written, so that small
 * archives of very compressible files still unpack.
 */
struct intoto_unpack_limits {
    uint64_t max_bytes;       /* total bytes written */
    uint64_t max_entries;     /* number of entries */
    uint64_t max_ratio;       /* bytes written / archive bytes read */
    uint64_t ratio_min_bytes; /* the ratio applies past this many bytes */
};

/* Defaults suited to real packages: 8 GiB, 100,000 entries, 200:1 after
 * 32 MiB. */
#define INTOTO_UNPACK_MAX_BYTES (UINT64_C(8) << 30)
#define INTOTO_UNPACK_MAX_ENTRIES UINT64_C(100000)
#define INTOTO_UNPACK_MAX_RATIO UINT64_C(200)
#define INTOTO_UNPACK_RATIO_MIN_BYTES (UINT64_C(32) << 20)

/* Fill lim with the defaults above. */
void intoto_unpack_limits_init(struct intoto_unpack_limits *lim);

/*
 * Extract `archive` (tar, plain or gzip, bzip2, xz, lzma, lzip, zstd, lz4,
 * compress; zip; ar; cpio) into `dest`, created if missing (as mkdir -p).
 * Every entry is checked before anything is written, and written through
 * directory descriptors opened without following symlinks.  Refused, with
 * INTOTO_EVERIFY and the message "'<archive>': entry '<name>': <reason>":
 * absolute names, ".." components, names over 4095 bytes or with a
 * component over 255 bytes, symlinks with an absolute target or one that
 * resolves outside dest, hard links to anything but a file this call
 * extracted, writes through any symlink (made by the archive or already in
 * dest), an entry whose name already exists as a file, symlink or other
 * non-directory (duplicates; existing files are never overwritten), device
 * nodes, FIFOs, sockets, and going past a limit.  Modes are the archive's
 * with setuid, setgid and sticky cleared (no umask, as `tar -p`); owners
 * are never set.  Entries extracted before a refusal stay in dest; a
 * partly written file and an escaping symlink are removed.  lim NULL means
 * the defaults; log may be NULL.
 * Returns INTOTO_OK, INTOTO_EVERIFY (hostile or over a limit), INTOTO_EIO
 * (cannot read the archive, create dest or write), INTOTO_EPARSE (not an
 * archive of a supported format, or corrupt), INTOTO_ENOMEM.
 */
int intoto_archive_unpack(const char *archive, const char *dest,
                          const struct intoto_unpack_limits *lim,
                          const struct intoto_log *log,
                          struct intoto_error *err);

/*
 * The `unpack` command line (argv[0] is "unpack"): ARCHIVE [-C DIR]
 * [--max-bytes N[K|M|G|T]] [--max-entries N] [--max-ratio N], options in
 * any order, "--" ends them; -v and -q are accepted and ignored (the CLI
 * reads them).  DIR defaults to ".".  Used by the CLI and by verify to run
 * an inspection's `in-toto unpack ...` in-process.
 * Returns what intoto_archive_unpack returns, or INTOTO_EINVAL for a usage
 * error (unknown option, missing or extra argument, bad number; the
 * message says which and gives the usage line).
 */
int intoto_archive_unpack_argv(int argc, const char *const *argv,
                               const struct intoto_log *log,
                               struct intoto_error *err);

/*
 * As intoto_archive_unpack_argv, with relative ARCHIVE and DIR taken
 * relative to `dir` instead of the current directory (dir NULL: the
 * current directory).  For callers that run an inspection elsewhere
 * without changing the process's working directory.
 */
int intoto_archive_unpack_argv_at(const char *dir, int argc,
                                  const char *const *argv,
                                  const struct intoto_log *log,
                                  struct intoto_error *err);

/* The usage text of the unpack command (several lines, static). */
const char *intoto_archive_unpack_usage(void);

#endif
