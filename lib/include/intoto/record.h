/* SPDX-License-Identifier: Apache-2.0 */
/* Recording artifacts and link metadata for a step. */
#ifndef INTOTO_RECORD_H
#define INTOTO_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "error.h"
#include "json.h"
#include "key.h"
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
    int progress;                 /* call progress_fn while hashing */
    const struct intoto_log *log;
    /* Called about every 200 ms while files are hashed (when progress is
     * set): files hashed, files in all, bytes read.  May be NULL. */
    void (*progress_fn)(void *ctx, size_t files, size_t n, uint64_t bytes);
    void *progress_ctx;
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

/*
 * A new link payload in a new document: {"_type": "link", "name": name,
 * "command": [], "materials": {}, "products": {}, "byproducts": {},
 * "environment": {}}.  Caller frees *out with intoto_json_doc_free().
 */
int intoto_record_link_new(struct intoto_json_doc **out, const char *name,
                           struct intoto_error *err);

/* Set the link's "command" to the n strings of argv. */
int intoto_record_set_command(struct intoto_json_doc *doc,
                              const char *const *argv, size_t n,
                              struct intoto_error *err);

/*
 * Set "byproducts" from a finished command: {"return-value": N,
 * "stderr": "", "stdout": ""}, with the captured text when `streams` is
 * set (as the reference reads it: CRLF and CR become LF; bytes that are
 * not UTF-8 become U+FFFD).  A command ended by signal S records -S, as
 * the reference's Python does.
 */
int intoto_record_set_byproducts(struct intoto_json_doc *doc,
                                 const struct intoto_run_result *res,
                                 int streams, struct intoto_error *err);

/*
 * Set "environment" to the variables of envp (NAME=value strings, NULL
 * terminated), leaving out those whose names contain TOKEN, SECRET,
 * PASSWORD, PASSWD, KEY or CREDENTIAL (any case) unless listed in allow,
 * and those that are not UTF-8.
 */
int intoto_record_set_environment(struct intoto_json_doc *doc,
                                  char *const *envp,
                                  const char *const *allow, size_t n_allow,
                                  struct intoto_error *err);

/* One step to record. */
struct intoto_step_opts {
    const char *name;
    const char *const *materials;
    size_t n_materials;
    const char *const *products;
    size_t n_products;
    const char *const *command;   /* NULL or n_command 0: no command */
    size_t n_command;
    int record_streams;           /* -s: capture (and echo) the streams */
    double timeout;               /* seconds, 0 = none */
    int quiet_command;            /* without -s: command output to null */
    int record_env;
    const char *const *env_allow;
    size_t n_env_allow;
    int dsse;                     /* record stop: write DSSE whatever the
                                     preliminary link is (else keep it) */
    int gpg;                      /* sign with gpg instead of a key */
    const char *gpg_keyid;        /* NULL: gpg's default key */
    const char *gpg_home;         /* NULL: gpg's default home */
    struct intoto_record_opts record;
};

/* Defaults: everything empty, record options from
 * intoto_record_opts_init(). */
void intoto_step_opts_init(struct intoto_step_opts *step);

/*
 * Record a step as in-toto-run does: materials, then the command (when
 * there is one), then products, into a new link payload (*out, caller
 * frees with intoto_json_doc_free()).  A command that ran and failed is
 * not an error: see res->return_value.  A command that cannot be started
 * gives INTOTO_EIO, a timeout INTOTO_EVERIFY; no link then.
 */
int intoto_record_step(struct intoto_json_doc **out,
                       struct intoto_run_result *res,
                       const struct intoto_step_opts *step,
                       struct intoto_error *err);

/*
 * The link file name: "<dir>/<name>.<keyid[:8]>.link" ("<name>.link"
 * when keyid is NULL; dir may be NULL).  With `unfinished`,
 * ".<name>.<keyid[:8]>.link-unfinished".  Appended to out.
 */
int intoto_record_link_path(struct intoto_buf *out, const char *dir,
                            const char *name, const char *keyid,
                            int unfinished);

/*
 * Sign the payload (the envelope takes `payload`) with key in an envelope
 * of the given kind and write it to `path` atomically.
 */
int intoto_record_sign_write(struct intoto_json_doc *payload,
                             const struct intoto_key *key,
                             enum intoto_envelope_kind kind,
                             const char *path, struct intoto_error *err);

/*
 * Sign the payload (taken) with gpg as step->gpg_keyid and gpg_home say,
 * in a Metablock written to "<dir>/<name>.<keyid8>.link" (with
 * `unfinished`, the preliminary name in the current directory), where
 * keyid is the fingerprint of the key that signed: a subkey when gpg
 * picks one.  The path written is appended to `written` (may be NULL).
 */
int intoto_record_sign_write_gpg(struct intoto_json_doc *payload,
                                 const struct intoto_step_opts *step,
                                 const char *dir, int unfinished,
                                 struct intoto_buf *written,
                                 struct intoto_error *err);

/*
 * `record start`: record the materials of step (no command) into a
 * signed preliminary link ".<name>.<keyid8>.link-unfinished" in the
 * current directory.  With step->gpg, key is unused (may be NULL).
 * The written path is appended to written (may be NULL).
 */
int intoto_record_start(const struct intoto_step_opts *step,
                        const struct intoto_key *key,
                        enum intoto_envelope_kind kind,
                        struct intoto_buf *written, struct intoto_error *err);

/*
 * `record stop`: load the preliminary link of step->name and key, check
 * that key signed it (INTOTO_EVERIFY if not), record the products, sign
 * again (same envelope kind, or DSSE when step->dsse) and write
 * "<dir>/<name>.<keyid8>.link", then
 * remove the preliminary file.  INTOTO_ENOTFOUND when there is none.
 * With step->gpg (key unused): the one preliminary link of the step is
 * found by name, checked with the gpg key that signed it (or
 * step->gpg_keyid), and the link is signed with gpg again.
 */
int intoto_record_stop(const struct intoto_step_opts *step,
                       const struct intoto_key *key, const char *dir,
                       struct intoto_buf *written, struct intoto_error *err);

#endif
