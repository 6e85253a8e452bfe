/* SPDX-License-Identifier: Apache-2.0 */
/* Supply chain verification: a signed layout against links (spec §5). */
#ifndef INTOTO_VERIFY_H
#define INTOTO_VERIFY_H

#include <stddef.h>

#include "error.h"
#include "json.h"
#include "key.h"
#include "layout.h"

struct intoto_verify_opts {
    const char *layout_path;
    /* The keys that must all have signed the layout (at least one).
     * Borrowed. */
    struct intoto_key *const *layout_keys;
    size_t n_layout_keys;
    const char *link_dir;          /* NULL: the current directory */
    double inspection_timeout;     /* seconds; init sets 10; 0 none */
    const struct intoto_param *params;
    size_t n_params;
    int substitute;                /* apply params (top-level layout only) */
    int strict_command;            /* a differing command fails */
    int write_inspection_links;    /* init sets 1: <name>.link in cwd */
    int max_depth;                 /* sublayout nesting; init sets 8 */
    /* The path of the running in-toto binary (NULL: /proc/self/exe), so
     * that an inspection running `in-toto unpack ...` runs in-process. */
    const char *self_exe;
    const struct intoto_log *log;
    /* NULL, or an empty document that receives the report (its root is
     * set even when verification fails; see docs/report.md). */
    struct intoto_json_doc *report;
};

/* Defaults: timeout 10 s, inspection links written, depth 8, no log. */
void intoto_verify_opts_init(struct intoto_verify_opts *opts);

/*
 * Verify a supply chain in the reference's order (SPEC-NOTES 1.7):
 * layout signatures by every given key, expiry, links
 * <step>.<keyid8>.link in the link directory with their signatures and
 * thresholds (counted over distinct keys), sublayouts, command alignment
 * (a warning unless strict_command), agreement of a step's links, step
 * rules, inspections, inspection rules.  Returns INTOTO_OK only when
 * everything passed; INTOTO_EVERIFY with one line naming the step,
 * inspection, rule, artifact or keys at fault; other codes when the check
 * could not be made (INTOTO_EPARSE, INTOTO_EUNSUPPORTED for malformed or
 * unknown metadata, INTOTO_EIO, INTOTO_ENOMEM).  Warnings go to the log.
 * Inspections run commands in the current directory.
 */
int intoto_verify(const struct intoto_verify_opts *opts,
                  struct intoto_error *err);

/* Write a report document as pretty JSON, atomically. */
int intoto_verify_report_write(const struct intoto_json_doc *report,
                               const char *path, struct intoto_error *err);

/*
 * Check a link's payload object strictly: "_type" "link", only known
 * fields (name, materials, products, byproducts, command, environment),
 * `name` equal to `expect_name` (unless NULL), artifact names that are
 * clean relative paths (no "..", ".", empty segment, leading '/') and
 * hash objects of hex strings.  INTOTO_OK, INTOTO_EUNSUPPORTED (unknown
 * field), INTOTO_EPARSE (malformed), INTOTO_EVERIFY (name mismatch or an
 * unclean artifact name).
 */
int intoto_link_check(const struct intoto_json *payload,
                      const char *expect_name, struct intoto_error *err);

#endif
