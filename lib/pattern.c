/* SPDX-License-Identifier: Apache-2.0 */
/* Artifact rule patterns: Python fnmatchcase semantics on UTF-8 names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

/*
 * The pattern is compiled the way Python's fnmatch.translate() builds its
 * regular expression (spec §4.3.3 refers to Python's fnmatch), and the
 * tokens are then matched with the usual backtracking over the last `*`.
 */
enum tok_kind {
    TOK_CHAR,
    TOK_ANY,
    TOK_STAR,
    TOK_CLASS
};

struct range {
    uint32_t lo;
    uint32_t hi;
};

struct tok {
    enum tok_kind kind;
    uint32_t c;        /* TOK_CHAR */
    size_t first;      /* TOK_CLASS: ranges[first .. first + n) */
    size_t n;
    int negate;
};

struct intoto__pattern {
    struct tok *toks;
    size_t n_toks;
    struct range *ranges;
    size_t n_ranges;
    char *prefix;
    size_t prefix_len;
    int literal;
    int never;         /* an empty class: nothing can match */
};

/* Decode one character at s[*i]; an invalid byte stands for itself,
 * mapped out of the Unicode range so it equals only the same byte. */
static uint32_t
decode(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char b = s[*i];
    uint32_t c;
    size_t need, k;

    if (b < 0x80) {
        *i += 1;
        return b;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        c = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        c = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        c = b & 0x07;
    } else {
        *i += 1;
        return 0x110000u + b;
    }
    if (*i + need >= len) {
        *i += 1;
        return 0x110000u + b;
    }
    for (k = 1; k <= need; k++) {
        if ((s[*i + k] & 0xc0) != 0x80) {
            *i += 1;
            return 0x110000u + b;
        }
        c = (c << 6) | (s[*i + k] & 0x3f);
    }
    *i += need + 1;
    return c;
}

/* A growable list of code points, used for class chunks. */
struct cps {
    uint32_t *v;
    size_t n;
};

static int
add_range(struct intoto__pattern *p, size_t *cap, uint32_t lo, uint32_t hi)
{
    struct range *nr;

    if (p->n_ranges == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        nr = realloc(p->ranges, *cap * sizeof(*nr));
        if (nr == NULL) {
            return INTOTO_ENOMEM;
        }
        p->ranges = nr;
    }
    p->ranges[p->n_ranges].lo = lo;
    p->ranges[p->n_ranges].hi = hi;
    p->n_ranges++;
    return INTOTO_OK;
}

/*
 * Split the class body cp[i..j) into chunks at the hyphens that make
 * ranges, exactly as fnmatch.translate() does: the search starts one
 * character in (two after a leading '!'), and after a hyphen skips the
 * range end.  A trailing hyphen joins the last chunk as a literal.
 * Returns the number of chunks, or -1 on ENOMEM.
 */
static long
split_chunks(struct cps *ch, const uint32_t *cp, size_t i, size_t j)
{
    size_t k = (cp[i] == '!') ? i + 2 : i + 1;
    long n = 0;

    for (;;) {
        while (k < j && cp[k] != '-') {
            k++;
        }
        if (k >= j) {
            break;
        }
        ch[n].v = malloc((k - i + 2) * sizeof(uint32_t));
        if (ch[n].v == NULL) {
            return -1;
        }
        memcpy(ch[n].v, cp + i, (k - i) * sizeof(uint32_t));
        ch[n].n = k - i;
        n++;
        i = k + 1;
        k = k + 3;
    }
    if (i < j) {
        ch[n].v = malloc((j - i + 1) * sizeof(uint32_t));
        if (ch[n].v == NULL) {
            return -1;
        }
        memcpy(ch[n].v, cp + i, (j - i) * sizeof(uint32_t));
        ch[n].n = j - i;
        n++;
    } else {
        ch[n - 1].v[ch[n - 1].n++] = '-';
    }
    return n;
}

/* Drop empty ranges (lo > hi) by merging their chunks, from the end, as
 * fnmatch.translate() does before building the regular expression.
 * Returns 0, or -1 on ENOMEM. */
static int
merge_empty_ranges(struct cps *ch, long *n)
{
    long k;
    uint32_t *v;

    for (k = *n - 1; k > 0; k--) {
        struct cps *a = &ch[k - 1], *b = &ch[k];

        if (a->v[a->n - 1] > b->v[0]) {
            /* a loses its last character and takes all of b but its
             * first: room for a->n + b->n - 2 characters. */
            v = realloc(a->v, (a->n + b->n) * sizeof(uint32_t));
            if (v == NULL) {
                return -1;
            }
            a->v = v;
            a->n--;
            memcpy(a->v + a->n, b->v + 1, (b->n - 1) * sizeof(uint32_t));
            a->n += b->n - 1;
            free(b->v);
            memmove(ch + k, ch + k + 1, (size_t)(*n - k - 1) * sizeof(*ch));
            (*n)--;
            ch[*n].v = NULL;
            ch[*n].n = 0;
        }
    }
    return 0;
}

/* Turn the chunks into the class's ranges: inside a chunk every character
 * is literal; the last character of one chunk and the first of the next
 * bound a range. */
static int
chunks_to_class(struct intoto__pattern *p, size_t *cap, struct tok *t,
                struct cps *ch, long n)
{
    long c;
    size_t k, start = 0;
    int rc;

    t->kind = TOK_CLASS;
    t->first = p->n_ranges;
    t->negate = 0;
    if (ch[0].n > 0 && ch[0].v[0] == '!') {
        t->negate = 1;
        start = 1;
    }
    for (c = 0; c < n; c++) {
        size_t from = (c == 0) ? start : 1;
        size_t to = (c == n - 1) ? ch[c].n : ch[c].n - 1;

        for (k = from; k < to; k++) {
            rc = add_range(p, cap, ch[c].v[k], ch[c].v[k]);
            if (rc != INTOTO_OK) {
                return rc;
            }
        }
        if (c < n - 1) {
            rc = add_range(p, cap, ch[c].v[ch[c].n - 1], ch[c + 1].v[0]);
            if (rc != INTOTO_OK) {
                return rc;
            }
        }
    }
    t->n = p->n_ranges - t->first;
    return INTOTO_OK;
}

/*
 * Compile the class cp[i..j) (between '[' and ']') into t.  An empty
 * class never matches; "!" alone (all ranges dropped) matches anything.
 */
static int
compile_class(struct intoto__pattern *p, size_t *cap, struct tok *t,
              const uint32_t *cp, size_t i, size_t j)
{
    struct cps *ch = calloc(j - i + 2, sizeof(*ch));
    long n, c;
    int rc = INTOTO_ENOMEM;

    if (ch == NULL) {
        return INTOTO_ENOMEM;
    }
    n = split_chunks(ch, cp, i, j);
    if (n < 0) {
        goto out;
    }
    if (merge_empty_ranges(ch, &n) != 0) {
        goto out;
    }

    if (n == 1 && ch[0].n == 0) {
        p->never = 1;
        t->kind = TOK_ANY;
        rc = INTOTO_OK;
    } else if (n == 1 && ch[0].n == 1 && ch[0].v[0] == '!') {
        t->kind = TOK_ANY;
        rc = INTOTO_OK;
    } else {
        rc = chunks_to_class(p, cap, t, ch, n);
    }

out:
    for (c = 0; c < (long)(j - i + 2); c++) {
        free(ch[c].v);
    }
    free(ch);
    return rc;
}

/* The index of the ']' closing a class opened before cp[i], or n. */
static size_t
class_end(const uint32_t *cp, size_t i, size_t n)
{
    size_t j = i;

    if (j < n && cp[j] == '!') {
        j++;
    }
    if (j < n && cp[j] == ']') {
        j++;
    }
    while (j < n && cp[j] != ']') {
        j++;
    }
    return j;
}

static int
set_prefix(struct intoto__pattern *p, const char *pat, size_t len)
{
    p->prefix = malloc(len + 1);
    if (p->prefix == NULL) {
        return INTOTO_ENOMEM;
    }
    memcpy(p->prefix, pat, len);
    p->prefix[len] = '\0';
    p->prefix_len = len;
    return INTOTO_OK;
}

/* Translate the code points into tokens, as fnmatch.translate() does:
 * runs of `*` collapse, an unclosed `[` is an ordinary character. */
static int
translate(struct intoto__pattern *p, const uint32_t *cp, size_t n)
{
    size_t i = 0, cap = 0, j;
    int rc;

    while (i < n) {
        struct tok *t = &p->toks[p->n_toks];
        uint32_t c = cp[i++];

        memset(t, 0, sizeof(*t));
        if (c == '*') {
            if (p->n_toks > 0 && t[-1].kind == TOK_STAR) {
                continue;
            }
            t->kind = TOK_STAR;
        } else if (c == '?') {
            t->kind = TOK_ANY;
        } else if (c == '[' && (j = class_end(cp, i, n)) < n) {
            rc = compile_class(p, &cap, t, cp, i, j);
            if (rc != INTOTO_OK) {
                return rc;
            }
            i = j + 1;
        } else {
            t->kind = TOK_CHAR;
            t->c = c;
        }
        p->n_toks++;
    }
    return INTOTO_OK;
}

int
intoto__pattern_compile(struct intoto__pattern **out, const char *pat,
                        struct intoto_error *err)
{
    struct intoto__pattern *p = NULL;
    size_t len = strlen(pat), n = 0, i = 0, k;
    uint32_t *cp = NULL;
    size_t *offs = NULL;
    int rc = INTOTO_ENOMEM;

    *out = NULL;
    p = calloc(1, sizeof(*p));
    cp = malloc((len + 1) * sizeof(*cp));
    offs = malloc((len + 1) * sizeof(*offs));
    if (p == NULL || cp == NULL || offs == NULL) {
        goto out;
    }
    while (i < len) {
        offs[n] = i;
        cp[n++] = decode((const unsigned char *)pat, len, &i);
    }
    offs[n] = len;
    p->toks = calloc(n + 1, sizeof(*p->toks));
    if (p->toks == NULL) {
        goto out;
    }

    rc = translate(p, cp, n);
    if (rc != INTOTO_OK) {
        goto out;
    }

    /* Each leading TOK_CHAR is one code point of the pattern. */
    for (k = 0; k < p->n_toks && p->toks[k].kind == TOK_CHAR; k++) {
    }
    p->literal = (k == p->n_toks) && !p->never;
    rc = set_prefix(p, pat, offs[k]);
    if (rc != INTOTO_OK) {
        goto out;
    }
    *out = p;
    p = NULL;

out:
    if (rc == INTOTO_ENOMEM) {
        intoto_error_set(err, rc, "out of memory compiling a pattern");
    }
    intoto__pattern_free(p);
    free(cp);
    free(offs);
    return rc;
}

void
intoto__pattern_free(struct intoto__pattern *p)
{
    if (p == NULL) {
        return;
    }
    free(p->toks);
    free(p->ranges);
    free(p->prefix);
    free(p);
}

static int
tok_matches(const struct intoto__pattern *p, const struct tok *t, uint32_t c)
{
    size_t k;
    int in = 0;

    switch (t->kind) {
    case TOK_CHAR:
        return t->c == c;
    case TOK_ANY:
        return 1;
    case TOK_CLASS:
        for (k = t->first; k < t->first + t->n; k++) {
            if (c >= p->ranges[k].lo && c <= p->ranges[k].hi) {
                in = 1;
                break;
            }
        }
        return in != t->negate;
    case TOK_STAR:
        break;
    }
    return 0;
}

/* Backtracking glob match: on a mismatch, let the last `*` swallow one
 * more character and retry from the token after it. */
int
intoto__pattern_match(const struct intoto__pattern *p, const char *name,
                      size_t len)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t pi = 0, si = 0, star_pi = 0, star_si = 0, next;
    int have_star = 0;
    uint32_t c;

    if (p->never) {
        return 0;
    }
    if (p->literal) {
        return len == p->prefix_len && memcmp(name, p->prefix, len) == 0;
    }
    while (si < len) {
        if (pi < p->n_toks && p->toks[pi].kind == TOK_STAR) {
            if (pi + 1 == p->n_toks) {
                return 1;    /* a final `*` takes the rest */
            }
            have_star = 1;
            star_pi = pi++;
            star_si = si;
            continue;
        }
        next = si;
        c = decode(s, len, &next);
        if (pi < p->n_toks && tok_matches(p, &p->toks[pi], c)) {
            pi++;
            si = next;
            continue;
        }
        if (!have_star) {
            return 0;
        }
        pi = star_pi + 1;
        decode(s, len, &star_si);
        si = star_si;
    }
    while (pi < p->n_toks && p->toks[pi].kind == TOK_STAR) {
        pi++;
    }
    return pi == p->n_toks;
}

const char *
intoto__pattern_prefix(const struct intoto__pattern *p, size_t *len)
{
    *len = p->prefix_len;
    return p->prefix;
}

int
intoto__pattern_is_literal(const struct intoto__pattern *p)
{
    return p->literal;
}

int
intoto__pattern_fnmatch(const char *pat, const char *name)
{
    struct intoto__pattern *p = NULL;
    int rc;

    rc = intoto__pattern_compile(&p, pat, NULL);
    if (rc != INTOTO_OK) {
        return -1;
    }
    rc = intoto__pattern_match(p, name, strlen(name));
    intoto__pattern_free(p);
    return rc;
}
