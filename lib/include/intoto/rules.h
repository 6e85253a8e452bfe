/* SPDX-License-Identifier: Apache-2.0 */
/* Artifact rules: parsing and applying them to a step's or inspection's
 * materials and products (in-toto spec §4.3.3, SPEC-NOTES 1.6). */
#ifndef INTOTO_RULES_H
#define INTOTO_RULES_H

#include <stddef.h>

#include "error.h"
#include "json.h"

enum intoto_rule_type {
    INTOTO_RULE_MATCH,
    INTOTO_RULE_ALLOW,
    INTOTO_RULE_DISALLOW,
    INTOTO_RULE_REQUIRE,
    INTOTO_RULE_CREATE,
    INTOTO_RULE_DELETE,
    INTOTO_RULE_MODIFY
};

struct intoto_rule;

/*
 * Parse one rule from its elements (the strings of the layout's rule
 * list, after any parameter substitution).  Keywords are matched without
 * regard to case; patterns, prefixes and step names keep theirs.  The
 * shapes are `<GENERIC> <pattern>` and MATCH <pattern> [IN <prefix>] WITH
 * MATERIALS|PRODUCTS [IN <prefix>] FROM <step>.  Anything else gives
 * INTOTO_EUNSUPPORTED with a message showing the rule.  Caller frees *out
 * with intoto_rule_free(); *out is NULL on failure.
 */
int intoto_rule_parse(struct intoto_rule **out, const char *const *elems,
                      size_t n, struct intoto_error *err);

/* The same from a JSON array of strings (INTOTO_EPARSE when it is not). */
int intoto_rule_parse_json(struct intoto_rule **out,
                           const struct intoto_json *arr,
                           struct intoto_error *err);

void intoto_rule_free(struct intoto_rule *rule);

enum intoto_rule_type intoto_rule_type(const struct intoto_rule *rule);
/* The rule for messages, e.g. "MATCH 'src/x' WITH PRODUCTS FROM 'build'".
 * Borrowed; valid until the rule is freed. */
const char *intoto_rule_text(const struct intoto_rule *rule);

/* The materials and products of one step or inspection, as the rules see
 * them (objects mapping artifact names to hash objects).  Borrowed. */
struct intoto_rule_link {
    const char *name;
    const struct intoto_json *materials;
    const struct intoto_json *products;
};

/* What one rule did, passed to the trace callback after it ran. */
struct intoto_rule_result {
    const struct intoto_rule *rule;
    size_t consumed;       /* artifacts this rule removed from the queue */
    size_t left;           /* artifacts still in the queue after it */
    const char *failure;   /* NULL, or why the rule failed */
};

struct intoto_rule_trace {
    void (*fn)(void *ctx, const struct intoto_rule_result *res);
    void *ctx;
};

/*
 * Apply `rules` in order to the materials (`products` 0) or products
 * (`products` 1) of the item named `item`, which must be in `links`.
 * The queue starts as all of those artifacts; each rule consumes from it
 * (MATCH looks its step up in `links`; a step that is not there consumes
 * nothing).  Only DISALLOW and REQUIRE fail.  Returns INTOTO_OK, or
 * INTOTO_EVERIFY with a message such as "products: rule DISALLOW '*'
 * failed: 'evil' is not allowed" (the caller adds the item), or
 * INTOTO_ENOTFOUND when `item` has no link, INTOTO_ENOMEM.
 * `log` (may be NULL) gets one INFO line per rule with what it consumed;
 * `trace` (may be NULL) gets every rule's result.
 */
int intoto_rules_verify(const struct intoto_rule *const *rules, size_t n,
                        const char *item, int products,
                        const struct intoto_rule_link *links, size_t n_links,
                        const struct intoto_rule_trace *trace,
                        const struct intoto_log *log,
                        struct intoto_error *err);

#endif
