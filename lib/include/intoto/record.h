/* SPDX-License-Identifier: Apache-2.0 */
/* Recording artifacts and link metadata for a step. */
#ifndef INTOTO_RECORD_H
#define INTOTO_RECORD_H

#include <stddef.h>

#include "error.h"
#include "json.h"
#include "run.h"

/* What the reference excludes when no --exclude is given. */
extern const char *const intoto_default_excludes[];

struct intoto_record_opts {
    const char *const *excludes;  /* gitignore-style patterns */
    size_t n_excludes;
    int excludes_given;           /* 0: use intoto_default_excludes */
    const char *base_path;        /* NULL: current directory */
    const char *const *lstrip;    /* prefixes stripped from names */
    size_t n_lstrip;
    int follow_symlink_dirs;      /* the reference always follows */
    int normalize_line_endings;
    const char *const *hash_algs; /* NULL: {"sha256"} */
    size_t n_hash_algs;
    int threads;                  /* 0: one per CPU */
    int progress;                 /* report progress through log (INFO) */
    const struct intoto_log *log;
};

/* Initialise with the reference's defaults. */
void intoto_record_opts_init(struct intoto_record_opts *opts);

/*
 * Walk `paths` and add one member per artifact to `obj` (an object in doc):
 * name -> {"sha256": hex, ...}, with the reference's naming (normalised,
 * '/'-separated, relative, lstrip applied).  Missing paths are skipped
 * with an INFO message.  Errors: INTOTO_EINVAL (lstrip collision, symlink
 * loop), INTOTO_EIO (unreadable), INTOTO_ENOMEM.
 */
int intoto_artifacts_record(struct intoto_json_doc *doc,
                            struct intoto_json *obj,
                            const char *const *paths, size_t n_paths,
                            const struct intoto_record_opts *opts,
                            struct intoto_error *err);

#endif
