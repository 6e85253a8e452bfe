/* SPDX-License-Identifier: Apache-2.0 */
/* Artifact rules: parsing and applying them to a step's or inspection's
 * materials and products (in-toto spec §4.3.3, SPEC-NOTES 1.6). */
#ifndef INTOTO_RULES_H
#define INTOTO_RULES_H

#include <stddef.h>

#include "buf.h"
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

/*
 * An artifact set: the materials or products of a link, packed (names
 * sorted bytewise, each with its hash object) so that large links can be
 * kept after their JSON is freed.  Two hash objects compare equal only
 * when they are equal as wholes ({sha256} differs from {sha256, sha512}).
 */
struct intoto_artifacts;

/* Build a set from a JSON object mapping names to hash objects (NULL or
 * not an object: an empty set).  Caller frees *out with
 * intoto_artifacts_free().  INTOTO_OK, INTOTO_ENOMEM, INTOTO_EINVAL (more
 * than 4 GiB of names and hashes). */
int intoto_artifacts_from_json(struct intoto_artifacts **out,
                               const struct intoto_json *obj,
                               struct intoto_error *err);
void intoto_artifacts_free(struct intoto_artifacts *set);
/* Number of artifacts (0 for NULL). */
size_t intoto_artifacts_count(const struct intoto_artifacts *set);
/* Name i, not NUL-terminated; borrowed until the set is freed. */
const char *intoto_artifacts_name(const struct intoto_artifacts *set,
                                  size_t i, size_t *len);
/* First index whose name is >= name; the index of name or SIZE_MAX. */
size_t intoto_artifacts_lower_bound(const struct intoto_artifacts *set,
                                    const char *name, size_t len);
size_t intoto_artifacts_find(const struct intoto_artifacts *set,
                             const char *name, size_t len);
/* 1 when artifact i of a and artifact j of b have equal hash objects. */
int intoto_artifacts_same_hashes(const struct intoto_artifacts *a, size_t i,
                                 const struct intoto_artifacts *b, size_t j);
/* Append the hash object of artifact i as canonical JSON. */
int intoto_artifacts_hashes(struct intoto_buf *out,
                            const struct intoto_artifacts *set, size_t i);
/* 1 when both sets hold the same names with equal hash objects. */
int intoto_artifacts_equal(const struct intoto_artifacts *a,
                           const struct intoto_artifacts *b);

/* The materials and products of one step or inspection, as the rules see
 * them.  Borrowed; NULL is an empty set. */
struct intoto_rule_link {
    const char *name;
    const struct intoto_artifacts *materials;
    const struct intoto_artifacts *products;
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
