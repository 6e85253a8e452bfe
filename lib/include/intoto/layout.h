/* SPDX-License-Identifier: Apache-2.0 */
/* Layouts: strict parsing of a layout payload into steps and inspections. */
#ifndef INTOTO_LAYOUT_H
#define INTOTO_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "json.h"
#include "rules.h"

/* A step or an inspection (spec §4.3).  For an inspection, `command` is
 * its `run`, `pubkeys` is empty and `threshold` is 0. */
struct intoto_item {
    char *name;
    struct intoto_rule **materials;   /* expected_materials, in order */
    size_t n_materials;
    struct intoto_rule **products;    /* expected_products, in order */
    size_t n_products;
    char **command;                   /* expected_command or run */
    size_t n_command;
    const char **pubkeys;             /* borrowed from the payload */
    size_t n_pubkeys;
    int64_t threshold;
};

struct intoto_layout {
    const char *expires;              /* borrowed from the payload */
    time_t expires_at;                /* the same in seconds (UTC) */
    const char *readme;               /* borrowed; "" when absent */
    const struct intoto_json *keys;   /* borrowed; NULL when absent */
    struct intoto_item *steps;
    size_t n_steps;
    struct intoto_item *inspections;
    size_t n_inspections;
};

/* A --param NAME=VALUE pair (SPEC-NOTES 1.8).  Borrowed strings. */
struct intoto_param {
    const char *name;
    const char *value;
};

/*
 * Build a layout from a payload object (the "signed" object or the DSSE
 * payload).  Validation is strict: unknown fields anywhere in the layout,
 * its steps or inspections give INTOTO_EUNSUPPORTED naming the field;
 * a wrong type, a missing "_type", "name" or "expires", an "expires" not
 * exactly YYYY-MM-DDTHH:MM:SSZ, a threshold below 1, a key id that is not
 * hex, duplicate names, or a name that is empty, ".", "..", or holds '/'
 * or '\' (it would lead out of the link directory) give INTOTO_EPARSE.
 * Missing optional fields (readme, lists) are empty.
 *
 * With `substitute` nonzero, the strings of rules, expected_command and
 * run are first substituted with `params` as Python's str.format(**params)
 * does: "{name}" becomes the value, "{{" and "}}" become braces; an
 * unknown name, or a field using a conversion, format spec, index or
 * attribute, gives INTOTO_EINVAL naming it.  Param names must match
 * [a-zA-Z0-9_-]+ (INTOTO_EINVAL).  With `substitute` 0, braces are
 * literal (the reference's in-toto-verify never substitutes).
 *
 * The result borrows from `payload`, which must outlive it.  Caller frees
 * *out with intoto_layout_free(); *out is NULL on failure.
 */
int intoto_layout_parse(struct intoto_layout **out,
                        const struct intoto_json *payload,
                        const struct intoto_param *params, size_t n_params,
                        int substitute, struct intoto_error *err);

void intoto_layout_free(struct intoto_layout *layout);

/* Parse "YYYY-MM-DDTHH:MM:SSZ" into seconds since the epoch (UTC).
 * INTOTO_OK or INTOTO_EPARSE (wrong form or impossible date). */
int intoto_layout_parse_time(time_t *out, const char *s,
                             struct intoto_error *err);

/* Python str.format(**params) on one string (see intoto_layout_parse).
 * Caller frees *out with free(). */
int intoto_layout_substitute(char **out, const char *s,
                             const struct intoto_param *params,
                             size_t n_params, struct intoto_error *err);

/*
 * Check a step or inspection name, which becomes part of file names: not
 * empty, ".", "..", no '/' or '\\', at most 200 bytes.  `what` ("step",
 * "inspection") starts the message.  INTOTO_OK or INTOTO_EPARSE.
 */
int intoto_layout_check_name(const char *name, const char *what,
                             struct intoto_error *err);

#endif
