/* SPDX-License-Identifier: Apache-2.0 */
/* Exclude patterns with gitignore ("gitwildmatch") semantics. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"

/*
 * Each pattern is translated into a token list that mirrors the regular
 * expression Python's pathspec 0.11 builds for it (the reference's
 * matcher), and matched by backtracking.  As in Python's `re`, `.` does
 * not match a newline and `$` also matches before a final newline.
 */
enum tok_kind {
    T_LIT,        /* one byte */
    T_QMARK,      /* [^/]: one character */
    T_CLASS,      /* [...]: one character */
    T_STAR,       /* [^/]* */
    T_PLUS,       /* [^/]+ */
    T_SLASH,      /* / */
    T_DOTSTAR,    /* .* */
    T_DOTPLUS,    /* .+ */
    T_OPT_DIRS,   /* (?:.+/)? */
    T_OPT_MID,    /* (?:/.+)? */
    T_OPT_TAIL,   /* (?:/.*)? */
    T_END         /* $ */
};

struct tok {
    enum tok_kind kind;
    unsigned char ch;      /* T_LIT */
    int negate;            /* T_CLASS */
    uint32_t *ranges;      /* T_CLASS: pairs lo, hi */
    size_t n_ranges;
};

struct pat {
    struct tok *t;
    size_t n;
    size_t cap;
    int include;           /* 1: excludes, 0: re-includes ("!") */
    unsigned char lit[16]; /* bytes every match contains (see set_lit) */
    size_t lit_len;
};

struct intoto__excludes {
    struct pat *p;
    size_t n;
};

/* Decode one UTF-8 character; an invalid byte counts as one character. */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t need, i;
    uint32_t c = s[0], min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        need = 1, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2, c &= 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3, c &= 0x07, min = 0x10000;
    } else {
        *cp = 0xDC00 + s[0];
        return 1;
    }
    if (need >= len) {
        *cp = 0xDC00 + s[0];
        return 1;
    }
    for (i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xDC00 + s[0];
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xDC00 + s[0];
        return 1;
    }
    *cp = c;
    return need + 1;
}

int
intoto__utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;
    uint32_t cp;

    while (i < len) {
        k = utf8_next(u + i, len - i, &cp);
        if (cp >= 0xDC80 && cp <= 0xDCFF && k == 1 && u[i] >= 0x80) {
            return 0;
        }
        i += k;
    }
    return 1;
}

static int
push(struct pat *p, enum tok_kind kind, unsigned char ch)
{
    struct tok *nt;
    size_t cap;

    if (p->n == p->cap) {
        cap = p->cap ? p->cap * 2 : 16;
        nt = realloc(p->t, cap * sizeof(*nt));
        if (nt == NULL) {
            return INTOTO_ENOMEM;
        }
        p->t = nt;
        p->cap = cap;
    }
    memset(&p->t[p->n], 0, sizeof(p->t[p->n]));
    p->t[p->n].kind = kind;
    p->t[p->n].ch = ch;
    p->n++;
    return INTOTO_OK;
}

/* Parse the inside of a bracket expression s[0..len) into ranges. */
static int
class_parse(struct tok *t, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t lo, hi;
    size_t i = 0, k;

    t->ranges = calloc(len * 2 + 2, sizeof(*t->ranges));
    if (t->ranges == NULL) {
        return INTOTO_ENOMEM;
    }
    while (i < len) {
        k = utf8_next(u + i, len - i, &lo);
        i += k;
        hi = lo;
        if (i + 1 < len && u[i] == '-') {
            k = utf8_next(u + i + 1, len - i - 1, &hi);
            i += 1 + k;
        }
        t->ranges[2 * t->n_ranges] = lo;
        t->ranges[2 * t->n_ranges + 1] = hi;
        t->n_ranges++;
    }
    return INTOTO_OK;
}

/* A bracket expression at s[i] == '['; *used set to its length, or 0
 * when it does not close (then '[' is literal). */
static int
glob_class(struct pat *p, const char *s, size_t i, size_t end, size_t *used)
{
    size_t j = i + 1, start;
    int rc, negate = 0;

    *used = 0;
    if (j < end && s[j] == '!') {
        j++;
    }
    if (j < end && s[j] == ']') {
        j++;
    }
    while (j < end && s[j] != ']') {
        j++;
    }
    if (j >= end) {
        return INTOTO_OK;
    }
    start = i + 1;
    if (s[start] == '!') {
        negate = 1;
        start++;
    }
    rc = push(p, T_CLASS, 0);
    if (rc != INTOTO_OK) {
        return rc;
    }
    p->t[p->n - 1].negate = negate;
    rc = class_parse(&p->t[p->n - 1], s + start, j - start);
    *used = j + 1 - i;
    return rc;
}

/* One path component glob (pathspec's _translate_segment_glob). */
static int
glob_segment(struct pat *p, const char *s, size_t len)
{
    size_t i = 0, used;
    int rc = INTOTO_OK;

    while (i < len && rc == INTOTO_OK) {
        if (s[i] == '\\') {
            if (i + 1 >= len) {
                return INTOTO_EINVAL;
            }
            rc = push(p, T_LIT, (unsigned char)s[i + 1]);
            i += 2;
        } else if (s[i] == '*') {
            rc = push(p, T_STAR, 0);
            i++;
        } else if (s[i] == '?') {
            rc = push(p, T_QMARK, 0);
            i++;
        } else if (s[i] == '[') {
            rc = glob_class(p, s, i, len, &used);
            if (rc == INTOTO_OK && used == 0) {
                rc = push(p, T_LIT, '[');
                used = 1;
            }
            i += used;
        } else {
            rc = push(p, T_LIT, (unsigned char)s[i]);
            i++;
        }
    }
    return rc;
}

struct seg {
    const char *s;
    size_t len;
};

static int
seg_is(const struct seg *g, const char *lit)
{
    return g->len == strlen(lit) && memcmp(g->s, lit, g->len) == 0;
}

/* Translate the segment list (after pathspec's rewriting) into tokens. */
static int
build_tokens(struct pat *p, const struct seg *segs, size_t n)
{
    int need_slash = 0, rc = INTOTO_OK;
    size_t i, end = n - 1;

    for (i = 0; i < n && rc == INTOTO_OK; i++) {
        if (seg_is(&segs[i], "**")) {
            if (i == 0 && i == end) {
                rc = push(p, T_PLUS, 0);
                rc = rc ? rc : push(p, T_OPT_TAIL, 0);
            } else if (i == 0) {
                rc = push(p, T_OPT_DIRS, 0);
                need_slash = 0;
            } else if (i == end) {
                rc = push(p, T_SLASH, 0);
                rc = rc ? rc : push(p, T_DOTSTAR, 0);
            } else {
                rc = push(p, T_OPT_MID, 0);
                need_slash = 1;
            }
            continue;
        }
        if (need_slash) {
            rc = push(p, T_SLASH, 0);
        }
        if (rc == INTOTO_OK && seg_is(&segs[i], "*")) {
            rc = push(p, T_PLUS, 0);
        } else if (rc == INTOTO_OK) {
            rc = glob_segment(p, segs[i].s, segs[i].len);
        }
        if (rc == INTOTO_OK && i == end) {
            rc = push(p, T_OPT_TAIL, 0);
        }
        need_slash = 1;
    }
    return rc ? rc : push(p, T_END, 0);
}

static size_t
split_segments(struct seg *segs, const char *s, size_t len)
{
    size_t n = 0, i, start = 0;

    for (i = 0; i <= len; i++) {
        if (i == len || s[i] == '/') {
            segs[n].s = s + start;
            segs[n].len = i - start;
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* pathspec's rewriting of the segment list; returns the new count. */
static size_t
rewrite_segments(struct seg *segs, size_t n, int *override)
{
    static const struct seg dstar = { "**", 2 };
    size_t i;

    for (i = n - 1; i > 0; i--) {
        if (seg_is(&segs[i - 1], "**") && seg_is(&segs[i], "**")) {
            memmove(&segs[i], &segs[i + 1], (n - i - 1) * sizeof(*segs));
            n--;
        }
    }
    *override = n == 2 && seg_is(&segs[0], "**") && segs[1].len == 0;
    if (segs[0].len == 0) {
        memmove(&segs[0], &segs[1], (n - 1) * sizeof(*segs));
        n--;
    } else if (n == 1 || (n == 2 && segs[1].len == 0)) {
        if (!seg_is(&segs[0], "**")) {
            memmove(&segs[1], &segs[0], n * sizeof(*segs));
            segs[0] = dstar;
            n++;
        }
    }
    if (n > 1 && segs[n - 1].len == 0) {
        segs[n - 1] = dstar;
    }
    return n;
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Compile one pattern; *skip set when it is a comment or empty. */
static int
compile_one(struct pat *p, const char *text, int *skip)
{
    const char *s = text;
    size_t len = strlen(text), n;
    struct seg *segs = NULL;
    int override = 0, rc;

    *skip = 0;
    while (len > 0 && is_space(s[0])) {
        s++, len--;
    }
    while (len > 0 && is_space(s[len - 1])) {
        len--;
    }
    if (len == 0 || s[0] == '#' || (len == 1 && s[0] == '/')) {
        *skip = 1;
        return INTOTO_OK;
    }
    p->include = 1;
    if (s[0] == '!') {
        p->include = 0;
        s++, len--;
    }
    segs = calloc(len + 2, sizeof(*segs));
    if (segs == NULL) {
        return INTOTO_ENOMEM;
    }
    n = rewrite_segments(segs, split_segments(segs, s, len), &override);
    if (n == 0) {
        rc = INTOTO_EINVAL;
    } else if (override) {
        rc = push(p, T_DOTPLUS, 0);
        rc = rc ? rc : push(p, T_SLASH, 0);
        rc = rc ? rc : push(p, T_DOTSTAR, 0);
        rc = rc ? rc : push(p, T_END, 0);
    } else {
        rc = build_tokens(p, segs, n);
    }
    free(segs);
    return rc;
}

static void
pat_release(struct pat *p)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        free(p->t[i].ranges);
    }
    free(p->t);
}

void
intoto__excludes_free(struct intoto__excludes *ex)
{
    size_t i;

    if (ex == NULL) {
        return;
    }
    for (i = 0; i < ex->n; i++) {
        pat_release(&ex->p[i]);
    }
    free(ex->p);
    free(ex);
}

/*
 * The longest run of T_LIT tokens (its first 16 bytes): every token is
 * matched in turn, so a path without these bytes in a row cannot match
 * and is passed over without backtracking.
 */
static void
set_lit(struct pat *p)
{
    size_t i, run = 0, best = 0, best_at = 0;

    for (i = 0; i < p->n; i++) {
        run = p->t[i].kind == T_LIT ? run + 1 : 0;
        if (run > best) {
            best = run;
            best_at = i + 1 - run;
        }
    }
    p->lit_len = best > sizeof(p->lit) ? sizeof(p->lit) : best;
    for (i = 0; i < p->lit_len; i++) {
        p->lit[i] = p->t[best_at + i].ch;
    }
}

int
intoto__excludes_compile(struct intoto__excludes **out,
                         const char *const *patterns, size_t n,
                         struct intoto_error *err)
{
    struct intoto__excludes *ex = NULL;
    int rc = INTOTO_OK, skip;
    size_t i;

    *out = NULL;
    ex = calloc(1, sizeof(*ex));
    if (ex == NULL || (ex->p = calloc(n + 1, sizeof(*ex->p))) == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        rc = compile_one(&ex->p[ex->n], patterns[i], &skip);
        if (rc != INTOTO_OK) {
            ex->n++;
            intoto_error_set(err, rc, rc == INTOTO_ENOMEM ? "out of memory"
                             : "invalid exclude pattern '%s'", patterns[i]);
            goto out;
        }
        if (!skip) {
            set_lit(&ex->p[ex->n]);
            ex->n++;
        } else {
            pat_release(&ex->p[ex->n]);
            memset(&ex->p[ex->n], 0, sizeof(ex->p[ex->n]));
        }
    }
    *out = ex;
    ex = NULL;
out:
    intoto__excludes_free(ex);
    return rc;
}

static int
class_match(const struct tok *t, uint32_t cp)
{
    size_t i;
    int in = 0;

    for (i = 0; i < t->n_ranges && !in; i++) {
        in = cp >= t->ranges[2 * i] && cp <= t->ranges[2 * i + 1];
    }
    return t->negate ? !in : in;
}

/*
 * Matching state.  Backtracking over several `*` can take exponential
 * time on a long name; after STEP_LIMIT steps the match restarts with a
 * memo of the (token, position) pairs known to fail, which bounds the
 * work by tokens x name length.
 */
#define STEP_LIMIT 20000

struct mctx {
    const struct tok *base;
    const char *s;
    size_t len;
    unsigned char *memo;   /* bit per (token, position) that failed */
    size_t steps;
    int aborted;
};

static int match_at(struct mctx *m, const struct tok *t, size_t si);

/* Try the rest after `.{min,}` then optionally a required '/' (dirs). */
static int
match_dots(struct mctx *m, const struct tok *t, size_t si, size_t min,
           int want_slash)
{
    const char *s = m->s;
    size_t k, len = m->len;

    for (k = si; k <= len && !m->aborted; k++) {
        if (k - si >= min) {
            if (!want_slash && match_at(m, t, k)) {
                return 1;
            }
            if (want_slash && k < len && s[k] == '/' &&
                match_at(m, t, k + 1)) {
                return 1;
            }
        }
        if (k == len || s[k] == '\n') {
            break;
        }
    }
    return 0;
}

static int
match_noslash(struct mctx *m, const struct tok *t, size_t si, size_t min)
{
    size_t k;

    for (k = si; k <= m->len && !m->aborted; k++) {
        if (k - si >= min && match_at(m, t, k)) {
            return 1;
        }
        if (k == m->len || m->s[k] == '/') {
            break;
        }
    }
    return 0;
}

/*
 * 1 when the star t is known (memo) to fail one byte earlier, at si - 1,
 * with no `stop` byte between: the positions it tries from si are a subset
 * of those it tried from si - 1, so it fails here too.  Without this the
 * memo still leaves tokens x length squared steps.
 */
static int
star_failed_before(const struct mctx *m, const struct tok *t, size_t si,
                   char stop)
{
    size_t bit;

    if (m->memo == NULL || si == 0 || m->s[si - 1] == stop) {
        return 0;
    }
    bit = (size_t)(t - m->base) * (m->len + 1) + si - 1;
    return (m->memo[bit / 8] & (1u << (bit % 8))) != 0;
}

static int
match_tok(struct mctx *m, const struct tok *t, size_t si)
{
    const unsigned char *u = (const unsigned char *)m->s;
    size_t k, len = m->len;
    uint32_t cp;

    switch (t->kind) {
    case T_LIT:
        return si < len && u[si] == t->ch && match_at(m, t + 1, si + 1);
    case T_SLASH:
        return si < len && u[si] == '/' && match_at(m, t + 1, si + 1);
    case T_QMARK:
    case T_CLASS:
        if (si >= len) {
            return 0;
        }
        k = utf8_next(u + si, len - si, &cp);
        if (t->kind == T_QMARK ? cp == '/' : !class_match(t, cp)) {
            return 0;
        }
        return match_at(m, t + 1, si + k);
    case T_STAR:
    case T_PLUS:
        if (star_failed_before(m, t, si, '/')) {
            return 0;
        }
        return match_noslash(m, t + 1, si, t->kind == T_PLUS ? 1 : 0);
    case T_DOTSTAR:
    case T_DOTPLUS:
        if (star_failed_before(m, t, si, '\n')) {
            return 0;
        }
        return match_dots(m, t + 1, si, t->kind == T_DOTPLUS ? 1 : 0, 0);
    case T_OPT_DIRS:
        return match_at(m, t + 1, si) || match_dots(m, t + 1, si, 1, 1);
    case T_OPT_MID:
    case T_OPT_TAIL:
        if (match_at(m, t + 1, si)) {
            return 1;
        }
        return si < len && u[si] == '/' &&
               match_dots(m, t + 1, si + 1, t->kind == T_OPT_MID ? 1 : 0,
                          0);
    case T_END:
        return si == len || (si + 1 == len && u[si] == '\n');
    }
    return 0;
}

static int
match_at(struct mctx *m, const struct tok *t, size_t si)
{
    size_t bit;
    int r;

    if (m->aborted) {
        return 0;
    }
    if (m->memo == NULL && ++m->steps > STEP_LIMIT) {
        m->aborted = 1;
        return 0;
    }
    bit = (size_t)(t - m->base) * (m->len + 1) + si;
    if (m->memo != NULL && (m->memo[bit / 8] & (1u << (bit % 8)))) {
        return 0;
    }
    r = match_tok(m, t, si);
    if (!r && m->memo != NULL) {
        m->memo[bit / 8] |= (unsigned char)(1u << (bit % 8));
    }
    return r;
}

/* 1 match, 0 none, -1 out of memory. */
static int
pat_match(const struct pat *p, const char *s, size_t len)
{
    struct mctx m = { p->t, s, len, NULL, 0, 0 };
    int r;

    r = match_at(&m, p->t, 0);
    if (!m.aborted) {
        return r;
    }
    m.memo = calloc((p->n * (len + 1) + 7) / 8, 1);
    if (m.memo == NULL) {
        return -1;
    }
    m.aborted = 0;
    r = match_at(&m, p->t, 0);
    free(m.memo);
    return r;
}

int
intoto__excludes_match(const struct intoto__excludes *ex, const char *path,
                       size_t len)
{
    int excluded = 0, r;
    size_t i;

    if (ex == NULL) {
        return 0;
    }
    if (len > 0 && path[0] == '/') {
        path++, len--;
    } else if (len > 1 && path[0] == '.' && path[1] == '/') {
        path += 2, len -= 2;
    }
    for (i = 0; i < ex->n; i++) {
        if (ex->p[i].lit_len > 0 &&
            memmem(path, len, ex->p[i].lit, ex->p[i].lit_len) == NULL) {
            continue;
        }
        r = pat_match(&ex->p[i], path, len);
        if (r < 0) {
            /* Out of memory: better to leave a file out of a link than
             * to record what the user excluded. */
            return 1;
        }
        if (r == 1) {
            excluded = ex->p[i].include;
        }
    }
    return excluded;
}
