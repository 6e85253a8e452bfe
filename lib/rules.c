/* SPDX-License-Identifier: Apache-2.0 */
/* Artifact rules (in-toto spec §4.3.3): parse, then consume a queue. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intoto/buf.h>
#include <intoto/rules.h>

#include "bytes.h"
#include "pattern.h"

struct intoto_rule {
    enum intoto_rule_type type;
    char *pattern;
    char *src;             /* MATCH: source prefix or NULL */
    char *dst;             /* MATCH: destination prefix or NULL */
    char *step;            /* MATCH: destination step */
    int dest_products;     /* MATCH: 1 PRODUCTS, 0 MATERIALS */
    struct intoto__pattern *pat;
    char *text;
};

static const struct {
    const char *word;
    enum intoto_rule_type type;
} keywords[] = {
    { "MATCH", INTOTO_RULE_MATCH },
    { "ALLOW", INTOTO_RULE_ALLOW },
    { "DISALLOW", INTOTO_RULE_DISALLOW },
    { "REQUIRE", INTOTO_RULE_REQUIRE },
    { "CREATE", INTOTO_RULE_CREATE },
    { "DELETE", INTOTO_RULE_DELETE },
    { "MODIFY", INTOTO_RULE_MODIFY },
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

/* Keywords compare in ASCII case only, whatever the locale: Python's
 * str.lower() maps no other character onto the letters these keywords
 * use.  `word` is upper case. */
static int
is_word(const char *s, const char *word)
{
    size_t i;

    for (i = 0; word[i] != '\0'; i++) {
        char c = s[i];

        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        }
        if (c != word[i]) {
            return 0;
        }
    }
    return s[i] == '\0';
}

void
intoto_rule_free(struct intoto_rule *rule)
{
    if (rule == NULL) {
        return;
    }
    free(rule->pattern);
    free(rule->src);
    free(rule->dst);
    free(rule->step);
    intoto__pattern_free(rule->pat);
    free(rule->text);
    free(rule);
}

enum intoto_rule_type
intoto_rule_type(const struct intoto_rule *rule)
{
    return rule->type;
}

const char *
intoto_rule_text(const struct intoto_rule *rule)
{
    return rule->text;
}

/* The rule as the layout wrote it, for "cannot parse" messages. */
static void
describe_elems(struct intoto_buf *b, const char *const *elems, size_t n)
{
    size_t i;

    intoto_buf_addch(b, '[');
    for (i = 0; i < n; i++) {
        intoto_buf_addf(b, "%s'%s'", i ? ", " : "", elems[i]);
    }
    intoto_buf_addch(b, ']');
}

static int
bad_rule(const char *const *elems, size_t n, const char *why,
         struct intoto_error *err)
{
    struct intoto_buf b;

    intoto_buf_init(&b);
    describe_elems(&b, elems, n);
    intoto_error_set(err, INTOTO_EUNSUPPORTED, "bad rule %s: %s",
                     b.data ? b.data : "[]", why);
    intoto_buf_release(&b);
    return INTOTO_EUNSUPPORTED;
}

/*
 * MATCH shapes (rulelib.unpack_rule): 6, 8 or 10 elements with the
 * keywords at fixed places.  An empty prefix counts as no prefix, as the
 * reference tests the prefix for truth.
 */
static int
parse_match(struct intoto_rule *r, const char *const *e, size_t n,
            struct intoto_error *err)
{
    const char *src = NULL, *dst = NULL, *type, *step;

    if (n == 10 && is_word(e[2], "IN") && is_word(e[4], "WITH") &&
        is_word(e[6], "IN") && is_word(e[8], "FROM")) {
        src = e[3], type = e[5], dst = e[7], step = e[9];
    } else if (n == 8 && is_word(e[2], "IN") && is_word(e[4], "WITH") &&
               is_word(e[6], "FROM")) {
        src = e[3], type = e[5], step = e[7];
    } else if (n == 8 && is_word(e[2], "WITH") && is_word(e[4], "IN") &&
               is_word(e[6], "FROM")) {
        type = e[3], dst = e[5], step = e[7];
    } else if (n == 6 && is_word(e[2], "WITH") && is_word(e[4], "FROM")) {
        type = e[3], step = e[5];
    } else {
        return bad_rule(e, n, "MATCH takes <pattern> [IN <prefix>] WITH "
                        "MATERIALS|PRODUCTS [IN <prefix>] FROM <step>", err);
    }
    if (is_word(type, "PRODUCTS")) {
        r->dest_products = 1;
    } else if (!is_word(type, "MATERIALS")) {
        return bad_rule(e, n, "MATCH needs MATERIALS or PRODUCTS after "
                        "WITH", err);
    }
    r->src = (src && src[0]) ? strdup(src) : NULL;
    r->dst = (dst && dst[0]) ? strdup(dst) : NULL;
    r->step = strdup(step);
    if ((src && src[0] && !r->src) || (dst && dst[0] && !r->dst) ||
        !r->step) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
}

static int
render_text(struct intoto_rule *r)
{
    struct intoto_buf b;
    size_t k;
    int rc;

    intoto_buf_init(&b);
    for (k = 0; k < N_KEYWORDS; k++) {
        if (keywords[k].type == r->type) {
            intoto_buf_addf(&b, "%s '%s'", keywords[k].word, r->pattern);
        }
    }
    if (r->type == INTOTO_RULE_MATCH) {
        if (r->src) {
            intoto_buf_addf(&b, " IN '%s'", r->src);
        }
        intoto_buf_addstr(&b, r->dest_products ? " WITH PRODUCTS"
                                               : " WITH MATERIALS");
        if (r->dst) {
            intoto_buf_addf(&b, " IN '%s'", r->dst);
        }
        intoto_buf_addf(&b, " FROM '%s'", r->step);
    }
    rc = intoto_buf_addch(&b, '\0');
    r->text = rc == INTOTO_OK ? intoto_buf_detach(&b, NULL) : NULL;
    intoto_buf_release(&b);
    return r->text ? INTOTO_OK : INTOTO_ENOMEM;
}

int
intoto_rule_parse(struct intoto_rule **out, const char *const *elems,
                  size_t n, struct intoto_error *err)
{
    struct intoto_rule *r = NULL;
    size_t k;
    int rc;

    *out = NULL;
    if (n < 2) {
        return bad_rule(elems, n, "a rule has a keyword and a pattern", err);
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (k = 0; k < N_KEYWORDS && !is_word(elems[0], keywords[k].word); k++) {
    }
    if (k == N_KEYWORDS) {
        rc = bad_rule(elems, n, "unknown rule type", err);
        goto out;
    }
    r->type = keywords[k].type;

    if (r->type == INTOTO_RULE_MATCH) {
        rc = parse_match(r, elems, n, err);
    } else if (n != 2) {
        rc = bad_rule(elems, n, "this rule takes exactly one pattern", err);
    } else {
        rc = INTOTO_OK;
    }
    if (rc != INTOTO_OK) {
        goto out;
    }

    r->pattern = strdup(elems[1]);
    if (r->pattern == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }
    rc = intoto__pattern_compile(&r->pat, r->pattern, err);
    if (rc == INTOTO_OK) {
        rc = render_text(r);
    }
    if (rc == INTOTO_OK) {
        *out = r;
        r = NULL;
    }

out:
    intoto_rule_free(r);
    return rc;
}

int
intoto_rule_parse_json(struct intoto_rule **out,
                       const struct intoto_json *arr,
                       struct intoto_error *err)
{
    size_t n = intoto_json_len(arr), i;
    const char **elems = NULL;
    int rc;

    *out = NULL;
    if (!intoto_json_is(arr, INTOTO_JSON_ARRAY)) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "a rule must be a list of strings");
    }
    elems = calloc(n + 1, sizeof(*elems));
    if (elems == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        size_t len;

        elems[i] = intoto_json_strl(intoto_json_at(arr, i), &len);
        if (elems[i] == NULL || strlen(elems[i]) != len) {
            free(elems);
            return intoto_error_set(err, INTOTO_EPARSE, "rule element %zu "
                                    "is not a string (without NUL)", i + 1);
        }
    }
    rc = intoto_rule_parse(out, elems, n, err);
    free(elems);
    return rc;
}

/* ---- applying rules -------------------------------------------------- */

/* The queue: one bit per member of the sorted artifacts object, so that
 * every rule walks only the slice its pattern's literal prefix allows. */
struct queue {
    const struct intoto_artifacts *arts;
    size_t n;
    uint64_t *bits;
    size_t left;
};

struct match_dest;

struct apply {
    const struct intoto_rule *const *rules;
    size_t rule_i;
    const struct intoto_rule_link *self;
    const struct intoto_rule_link *links;
    size_t n_links;
    int products;
    struct queue q;
    size_t consumed;
    struct intoto_buf seen;     /* a few consumed names for the log */
    size_t n_seen;
    struct intoto_buf fail;     /* why the rule failed, when it did */
    struct match_dest *dest;    /* MATCH: what to compare with */
    const struct intoto_log *log;
    int debug;                  /* log every consumed artifact (-vv) */
};

#define SEEN_MAX 5

static int
queued(const struct queue *q, size_t i)
{
    return (q->bits[i / 64] >> (i % 64)) & 1;
}

static void
consume(struct apply *a, size_t i)
{
    size_t len;
    const char *name;

    a->q.bits[i / 64] &= ~((uint64_t)1 << (i % 64));
    a->q.left--;
    a->consumed++;
    if (a->n_seen < SEEN_MAX) {
        name = intoto_artifacts_name(a->q.arts, i, &len);
        intoto_buf_addf(&a->seen, "%s'%.*s'", a->n_seen ? ", " : "",
                        (int)len, name);
    }
    a->n_seen++;
    if (a->debug) {
        name = intoto_artifacts_name(a->q.arts, i, &len);
        intoto_log(a->log, INTOTO_LOG_DEBUG, "'%s' %s: %s consumed '%.*s'",
                   a->self->name, a->products ? "products" : "materials",
                   a->rules[a->rule_i]->text, (int)len, name);
    }
}

static int
has_member(const struct intoto_artifacts *set, const char *key, size_t len)
{
    return intoto_artifacts_find(set, key, len) != SIZE_MAX;
}

/* "a" + "/" (unless it ends in one), backslashes made slashes, as the
 * reference normalises MATCH prefixes with os.path.join(prefix, ""). */
static char *
dir_prefix(const char *p)
{
    size_t len = strlen(p), i;
    char *s = malloc(len + 2);

    if (s == NULL) {
        return NULL;
    }
    for (i = 0; i < len; i++) {
        s[i] = p[i] == '\\' ? '/' : p[i];
    }
    if (len == 0 || s[len - 1] != '/') {
        s[len++] = '/';
    }
    s[len] = '\0';
    return s;
}

/*
 * Call fn for each queued artifact whose name starts with `strip` and
 * whose remainder matches the rule's pattern.  Only the slice of names
 * starting with strip + the pattern's literal prefix is visited.
 */
typedef int (*visit_fn)(struct apply *a, size_t i, const char *rest,
                        size_t rest_len);

static int
for_each_match(struct apply *a, const char *strip, visit_fn fn)
{
    const struct intoto_rule *r = a->rules[a->rule_i];
    size_t slen = strip ? strlen(strip) : 0, plen, klen, i;
    const char *pre = intoto__pattern_prefix(r->pat, &plen);
    struct intoto_buf key;
    int rc = INTOTO_OK;

    intoto_buf_init(&key);
    if (intoto_buf_add(&key, strip ? strip : "", slen) != INTOTO_OK ||
        intoto_buf_add(&key, pre, plen) != INTOTO_OK) {
        intoto_buf_release(&key);
        return INTOTO_ENOMEM;
    }
    i = a->q.left > 0
        ? intoto_artifacts_lower_bound(a->q.arts, key.data, key.len)
        : a->q.n;
    for (; i < a->q.n; i++) {
        const char *k;

        if ((a->q.bits[i / 64] >> (i % 64)) == 0) {
            i |= 63;    /* nothing queued in the rest of this word */
            continue;
        }
        if (!queued(&a->q, i)) {
            continue;
        }
        k = intoto_artifacts_name(a->q.arts, i, &klen);
        if (klen < key.len || memcmp(k, key.data, key.len) != 0) {
            break;
        }
        if (!intoto__pattern_match(r->pat, k + slen, klen - slen)) {
            continue;
        }
        rc = fn(a, i, k + slen, klen - slen);
        if (rc != INTOTO_OK) {
            break;
        }
    }
    intoto_buf_release(&key);
    return rc;
}

static int
visit_allow(struct apply *a, size_t i, const char *rest, size_t len)
{
    (void)rest;
    (void)len;
    consume(a, i);
    return INTOTO_OK;
}

/* CREATE, DELETE and MODIFY compare the item's own materials and
 * products (verifylib.verify_create_rule and friends). */
static int
visit_create(struct apply *a, size_t i, const char *rest, size_t len)
{
    size_t klen;
    const char *k = intoto_artifacts_name(a->q.arts, i, &klen);

    (void)rest;
    (void)len;
    if (has_member(a->self->products, k, klen) &&
        !has_member(a->self->materials, k, klen)) {
        consume(a, i);
    }
    return INTOTO_OK;
}

static int
visit_delete(struct apply *a, size_t i, const char *rest, size_t len)
{
    size_t klen;
    const char *k = intoto_artifacts_name(a->q.arts, i, &klen);

    (void)rest;
    (void)len;
    if (has_member(a->self->materials, k, klen) &&
        !has_member(a->self->products, k, klen)) {
        consume(a, i);
    }
    return INTOTO_OK;
}

static int
visit_modify(struct apply *a, size_t i, const char *rest, size_t len)
{
    size_t klen, m, p;
    const char *k = intoto_artifacts_name(a->q.arts, i, &klen);

    (void)rest;
    (void)len;
    m = intoto_artifacts_find(a->self->materials, k, klen);
    p = intoto_artifacts_find(a->self->products, k, klen);
    if (m != SIZE_MAX && p != SIZE_MAX &&
        !intoto_artifacts_same_hashes(a->self->materials, m,
                                      a->self->products, p)) {
        consume(a, i);
    }
    return INTOTO_OK;
}

#define FAIL_NAMES 3

static int
visit_disallow(struct apply *a, size_t i, const char *rest, size_t len)
{
    size_t klen;
    const char *k = intoto_artifacts_name(a->q.arts, i, &klen);

    (void)rest;
    (void)len;
    if (a->consumed < FAIL_NAMES) {
        intoto_buf_addf(&a->fail, "%s'%.*s'", a->consumed ? ", " : "",
                        (int)klen, k);
    }
    /* `consumed` counts the hits here; nothing leaves the queue. */
    a->consumed++;
    return INTOTO_OK;
}

/* What MATCH compares with: set up before for_each_match(). */
struct match_dest {
    const struct intoto_artifacts *arts; /* NULL: empty */
    int have_link;                    /* 0: the step has no link */
    char *dst;                        /* destination prefix + '/' or NULL */
    struct intoto_buf name;
    size_t cursor;                    /* where the last lookup ended */
};

/* The destination name: os.path.join(dst, rest) for a relative rest. */
static int
dest_name(struct match_dest *d, const char *rest, size_t len)
{
    d->name.len = 0;
    if (d->dst != NULL && intoto_buf_addstr(&d->name, d->dst) != 0) {
        return INTOTO_ENOMEM;
    }
    return intoto_buf_add(&d->name, rest, len);
}

/*
 * Look a destination name up starting where the previous lookup ended:
 * sources are visited in sorted order and the destination names keep
 * that order, so a galloping search makes a whole MATCH linear.
 */
static size_t
find_from(struct match_dest *d, const char *key, size_t len)
{
    size_t n = intoto_artifacts_count(d->arts), lo = d->cursor, step = 1;
    size_t hi, mid, klen;
    const char *k;

    if (lo > 0 && lo <= n) {
        k = intoto_artifacts_name(d->arts, lo - 1, &klen);
        if (intoto__bytes_cmp(k, klen, key, len) >= 0) {
            lo = 0;    /* out of order: start over */
        }
    }
    hi = lo;
    while (hi < n) {
        k = intoto_artifacts_name(d->arts, hi, &klen);
        if (intoto__bytes_cmp(k, klen, key, len) >= 0) {
            break;
        }
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    hi = hi < n ? hi + 1 : n;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        k = intoto_artifacts_name(d->arts, mid, &klen);
        if (intoto__bytes_cmp(k, klen, key, len) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    d->cursor = lo;
    if (lo < n) {
        k = intoto_artifacts_name(d->arts, lo, &klen);
        if (klen == len && memcmp(k, key, len) == 0) {
            return lo;
        }
    }
    return SIZE_MAX;
}

static int
visit_match(struct apply *a, size_t i, const char *rest, size_t len)
{
    struct match_dest *d = a->dest;
    size_t j;
    int rc;

    rc = dest_name(d, rest, len);
    if (rc != INTOTO_OK) {
        return rc;
    }
    j = find_from(d, d->name.data, d->name.len);
    if (j != SIZE_MAX &&
        intoto_artifacts_same_hashes(a->q.arts, i, d->arts, j)) {
        consume(a, i);
    }
    return INTOTO_OK;
}

static const struct intoto_rule_link *
find_link(const struct intoto_rule_link *links, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(links[i].name, name) == 0) {
            return &links[i];
        }
    }
    return NULL;
}

static int
setup_dest(struct match_dest *d, const struct apply *a,
           const struct intoto_rule *r)
{
    const struct intoto_rule_link *l;

    memset(d, 0, sizeof(*d));
    intoto_buf_init(&d->name);
    l = find_link(a->links, a->n_links, r->step);
    if (l != NULL) {
        d->arts = r->dest_products ? l->products : l->materials;
        d->have_link = 1;
    }
    if (r->dst != NULL) {
        d->dst = dir_prefix(r->dst);
        if (d->dst == NULL) {
            return INTOTO_ENOMEM;
        }
    }
    return INTOTO_OK;
}

static void
release_dest(struct match_dest *d)
{
    free(d->dst);
    intoto_buf_release(&d->name);
}

static int
apply_match(struct apply *a, const struct intoto_rule *r)
{
    struct match_dest d;
    char *src = NULL;
    int rc;

    rc = setup_dest(&d, a, r);
    if (rc != INTOTO_OK || d.arts == NULL) {
        /* A step without a link consumes nothing (verify_match_rule). */
        goto out;
    }
    if (r->src != NULL) {
        src = dir_prefix(r->src);
        if (src == NULL) {
            rc = INTOTO_ENOMEM;
            goto out;
        }
    }
    a->dest = &d;
    rc = for_each_match(a, src, visit_match);
    a->dest = NULL;

out:
    free(src);
    release_dest(&d);
    return rc;
}

/* Describe how two hash objects differ: the first algorithm whose value
 * differs or that only one of them has. */
static void
describe_hash_diff(struct intoto_buf *b, const struct intoto_json *here,
                   const struct intoto_json *there, const char *where)
{
    size_t i, klen;
    const char *k, *hv, *tv;

    for (i = 0; i < intoto_json_len(here); i++) {
        k = intoto_json_key_at(here, i, &klen);
        hv = intoto_json_str(intoto_json_value_at(here, i));
        tv = intoto_json_str(intoto_json_getl(there, k, klen));
        if (tv == NULL) {
            intoto_buf_addf(b, "%s has %.*s, %s has not", "this link",
                            (int)klen, k, where);
            return;
        }
        if (hv == NULL || strcmp(hv, tv) != 0) {
            intoto_buf_addf(b, "%.*s differs: %s here, %s in %s", (int)klen,
                            k, hv ? hv : "?", tv, where);
            return;
        }
    }
    intoto_buf_addf(b, "%s lists more hash algorithms", where);
}

/* The same for artifact i of x and j of y: their hash objects are
 * rebuilt as JSON (only on failure, for the message). */
static void
describe_set_diff(struct intoto_buf *b, const struct intoto_artifacts *x,
                  size_t i, const struct intoto_artifacts *y, size_t j,
                  const char *where)
{
    struct intoto_buf bx, by;
    struct intoto_json_doc *dx = NULL, *dy = NULL;

    intoto_buf_init(&bx);
    intoto_buf_init(&by);
    if (intoto_artifacts_hashes(&bx, x, i) == INTOTO_OK &&
        intoto_artifacts_hashes(&by, y, j) == INTOTO_OK &&
        intoto_json_parse(&dx, bx.data, bx.len, NULL, NULL) == INTOTO_OK &&
        intoto_json_parse(&dy, by.data, by.len, NULL, NULL) == INTOTO_OK) {
        describe_hash_diff(b, intoto_json_root(dx), intoto_json_root(dy),
                           where);
    } else {
        intoto_buf_addf(b, "its hashes differ from those in %s", where);
    }
    intoto_json_doc_free(dx);
    intoto_json_doc_free(dy);
    intoto_buf_release(&bx);
    intoto_buf_release(&by);
}

/* Why the earlier MATCH rules left `name` in the queue: the first MATCH
 * whose pattern covers it names the missing or differing artifact. */
static void
explain_miss(struct apply *a, size_t idx)
{
    size_t j, klen, slen, dj;
    const char *k = intoto_artifacts_name(a->q.arts, idx, &klen);
    char *src = NULL, where[512];
    struct match_dest d;

    for (j = 0; j < a->rule_i; j++) {
        const struct intoto_rule *r = a->rules[j];

        if (r->type != INTOTO_RULE_MATCH) {
            continue;
        }
        free(src);
        src = r->src ? dir_prefix(r->src) : NULL;
        slen = src ? strlen(src) : 0;
        if ((r->src && src == NULL) || klen < slen ||
            memcmp(k, src ? src : "", slen) != 0 ||
            !intoto__pattern_match(r->pat, k + slen, klen - slen)) {
            continue;
        }
        if (setup_dest(&d, a, r) != INTOTO_OK) {
            break;
        }
        intoto_buf_addf(&a->fail, " (%s did not consume it: ", r->text);
        snprintf(where, sizeof(where), "the %s of '%s'",
                 r->dest_products ? "products" : "materials", r->step);
        if (!d.have_link) {
            intoto_buf_addf(&a->fail, "there is no link for '%s')", r->step);
        } else if (dest_name(&d, k + slen, klen - slen) != INTOTO_OK) {
            intoto_buf_addstr(&a->fail, "out of memory)");
        } else if ((dj = intoto_artifacts_find(d.arts, d.name.data,
                                               d.name.len)) == SIZE_MAX) {
            intoto_buf_addf(&a->fail, "'%s' is not among %s)", d.name.data,
                            where);
        } else {
            describe_set_diff(&a->fail, a->q.arts, idx, d.arts, dj, where);
            intoto_buf_addch(&a->fail, ')');
        }
        release_dest(&d);
        break;
    }
    free(src);
}

static int
apply_disallow(struct apply *a, const struct intoto_rule *r)
{
    size_t hits, i;
    int rc;

    rc = for_each_match(a, NULL, visit_disallow);
    hits = a->consumed;
    a->consumed = 0;
    if (rc != INTOTO_OK || hits == 0) {
        return rc;
    }
    if (hits > FAIL_NAMES) {
        intoto_buf_addf(&a->fail, " and %zu more", hits - FAIL_NAMES);
    }
    intoto_buf_addstr(&a->fail, hits == 1 ? " is not allowed"
                                          : " are not allowed");
    /* Explain the first hit: look for it again (only on failure). */
    for (i = 0; i < a->q.n; i++) {
        size_t klen;
        const char *k = intoto_artifacts_name(a->q.arts, i, &klen);

        if (queued(&a->q, i) && intoto__pattern_match(r->pat, k, klen)) {
            explain_miss(a, i);
            break;
        }
    }
    return INTOTO_EVERIFY;
}

/* REQUIRE names one artifact literally (no pattern, verifylib
 * verify_require_rule), which must still be in the queue. */
static int
apply_require(struct apply *a, const struct intoto_rule *r)
{
    size_t i = intoto_artifacts_find(a->q.arts, r->pattern,
                                     strlen(r->pattern));

    if (i == SIZE_MAX) {
        intoto_buf_addf(&a->fail, "'%s' is not among the %s", r->pattern,
                        a->products ? "products" : "materials");
        return INTOTO_EVERIFY;
    }
    if (!queued(&a->q, i)) {
        intoto_buf_addf(&a->fail, "'%s' was consumed by an earlier rule",
                        r->pattern);
        return INTOTO_EVERIFY;
    }
    return INTOTO_OK;
}

static int
apply_rule(struct apply *a, const struct intoto_rule *r)
{
    switch (r->type) {
    case INTOTO_RULE_MATCH:
        return apply_match(a, r);
    case INTOTO_RULE_ALLOW:
        return for_each_match(a, NULL, visit_allow);
    case INTOTO_RULE_DISALLOW:
        return apply_disallow(a, r);
    case INTOTO_RULE_REQUIRE:
        return apply_require(a, r);
    case INTOTO_RULE_CREATE:
        return for_each_match(a, NULL, visit_create);
    case INTOTO_RULE_DELETE:
        return for_each_match(a, NULL, visit_delete);
    case INTOTO_RULE_MODIFY:
        return for_each_match(a, NULL, visit_modify);
    }
    return INTOTO_EUNSUPPORTED;
}

static void
report_rule(struct apply *a, const struct intoto_rule *r, int rc,
            const struct intoto_rule_trace *trace,
            const struct intoto_log *log)
{
    struct intoto_rule_result res;
    const char *kind = a->products ? "products" : "materials";

    res.rule = r;
    res.consumed = a->consumed;
    res.left = a->q.left;
    res.failure = rc == INTOTO_EVERIFY ? a->fail.data : NULL;
    if (trace != NULL && trace->fn != NULL) {
        trace->fn(trace->ctx, &res);
    }
    if (rc == INTOTO_EVERIFY) {
        intoto_log(log, INTOTO_LOG_INFO, "'%s' %s: %s: failed",
                   a->self->name, kind, r->text);
    } else if (r->type == INTOTO_RULE_DISALLOW ||
               r->type == INTOTO_RULE_REQUIRE) {
        intoto_log(log, INTOTO_LOG_INFO, "'%s' %s: %s: passed, %zu left",
                   a->self->name, kind, r->text, a->q.left);
    } else if (a->consumed == 0) {
        intoto_log(log, INTOTO_LOG_INFO, "'%s' %s: %s: consumed nothing, "
                   "%zu left", a->self->name, kind, r->text, a->q.left);
    } else {
        intoto_log(log, INTOTO_LOG_INFO, "'%s' %s: %s: consumed %zu (%s%s), "
                   "%zu left", a->self->name, kind, r->text, a->consumed,
                   a->seen.data, a->consumed > SEEN_MAX ? ", ..." : "",
                   a->q.left);
    }
}

int
intoto_rules_verify(const struct intoto_rule *const *rules, size_t n,
                    const char *item, int products,
                    const struct intoto_rule_link *links, size_t n_links,
                    const struct intoto_rule_trace *trace,
                    const struct intoto_log *log, struct intoto_error *err)
{
    struct apply a;
    size_t words;
    int rc = INTOTO_OK;

    memset(&a, 0, sizeof(a));
    intoto_buf_init(&a.seen);
    intoto_buf_init(&a.fail);
    a.rules = rules;
    a.links = links;
    a.n_links = n_links;
    a.products = products;
    a.log = log;
    a.debug = intoto_log_enabled(log, INTOTO_LOG_DEBUG);
    a.self = find_link(links, n_links, item);
    if (a.self == NULL) {
        return intoto_error_set(err, INTOTO_ENOTFOUND, "no link for '%s'",
                                item);
    }
    a.q.arts = products ? a.self->products : a.self->materials;
    a.q.n = intoto_artifacts_count(a.q.arts);
    a.q.left = a.q.n;
    words = a.q.n / 64 + 1;
    a.q.bits = malloc(words * sizeof(uint64_t));
    if (a.q.bits == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    memset(a.q.bits, 0xff, words * sizeof(uint64_t));

    for (a.rule_i = 0; a.rule_i < n && rc == INTOTO_OK; a.rule_i++) {
        a.consumed = 0;
        a.n_seen = 0;
        a.seen.len = 0;
        intoto_buf_addstr(&a.seen, "");
        rc = apply_rule(&a, rules[a.rule_i]);
        if (rc == INTOTO_OK || rc == INTOTO_EVERIFY) {
            report_rule(&a, rules[a.rule_i], rc, trace, log);
        }
    }
    if (rc == INTOTO_EVERIFY) {
        intoto_error_set(err, rc, "%s: rule %s failed: %s",
                         products ? "products" : "materials",
                         rules[a.rule_i - 1]->text, a.fail.data);
    } else if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory applying rules");
    }
    free(a.q.bits);
    intoto_buf_release(&a.seen);
    intoto_buf_release(&a.fail);
    return rc;
}
