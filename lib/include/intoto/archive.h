/* SPDX-License-Identifier: Apache-2.0 */
/* Safe archive extraction (libarchive) for inspections. */
#ifndef INTOTO_ARCHIVE_H
#define INTOTO_ARCHIVE_H

#include <stdint.h>

#include "error.h"

struct intoto_unpack_limits {
    uint64_t max_bytes;     /* total bytes written */
    uint64_t max_entries;   /* number of entries */
    uint64_t max_ratio;     /* bytes written / archive size */
};

void intoto_unpack_limits_init(struct intoto_unpack_limits *lim);

/*
 * Extract `archive` into `dest` (created if missing).  Refuses, naming the
 * entry, absolute paths, ".." components, links resolving outside dest,
 * writes through symlinks, devices and FIFOs, and stops at the limits.
 * INTOTO_OK, INTOTO_EVERIFY (hostile or over a limit), INTOTO_EIO,
 * INTOTO_EPARSE (not an archive).
 */
int intoto_archive_unpack(const char *archive, const char *dest,
                          const struct intoto_unpack_limits *lim,
                          const struct intoto_log *log,
                          struct intoto_error *err);

/*
 * The `unpack` command line (argv[0] is "unpack"): ARCHIVE [-C DIR]
 * [--max-bytes N] [--max-entries N] [--max-ratio N].  Used by the CLI and
 * by verify to run an inspection's `in-toto unpack ...` in-process.
 * Returns INTOTO_OK or an error; INTOTO_EINVAL for a usage error.
 */
int intoto_archive_unpack_argv(int argc, const char *const *argv,
                               const struct intoto_log *log,
                               struct intoto_error *err);

#endif
