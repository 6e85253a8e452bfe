/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON: parser into arena-allocated trees, builders, encoders. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intoto/json.h>

#include "bytes.h"
#include "fs.h"

/* A string may not be longer than this (a link's captured output is the
 * largest string in practice). */
#define MAX_STRING (64u * 1024u * 1024u)
#define CHUNK_MIN 65536u

struct member {
    const char *key;
    size_t keylen;
    struct intoto_json *val;
};

struct intoto_json {
    enum intoto_json_type type;
    union {
        int64_t i;
        int b;
        struct {
            char *s;
            size_t len;
        } str;
        struct {
            struct intoto_json **items;
            size_t n;
            size_t cap;
        } arr;
        struct {
            struct member *m;
            size_t n;
            size_t cap;
        } obj;
    } u;
};

struct chunk {
    struct chunk *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

struct intoto_json_doc {
    struct chunk *chunks;
    struct intoto_json *root;
};

/* ---- arena ---- */

static void *
arena_alloc(struct intoto_json_doc *doc, size_t len)
{
    struct chunk *c = doc->chunks;
    size_t size;
    void *p;

    len = (len + 15) & ~(size_t)15;
    if (len == 0) {
        len = 16;
    }
    if (c == NULL || c->size - c->used < len) {
        size = len > CHUNK_MIN ? len : CHUNK_MIN;
        if (c != NULL && c->size * 2 > size && c->size < 16u * CHUNK_MIN) {
            size = c->size * 2 > len ? c->size * 2 : len;
        }
        c = malloc(sizeof(*c) + size);
        if (c == NULL) {
            return NULL;
        }
        c->size = size;
        c->used = 0;
        c->next = doc->chunks;
        doc->chunks = c;
    }
    p = (char *)c->data + c->used;
    c->used += len;
    return p;
}

struct intoto_json_doc *
intoto_json_doc_new(void)
{
    return calloc(1, sizeof(struct intoto_json_doc));
}

void
intoto_json_doc_free(struct intoto_json_doc *doc)
{
    struct chunk *c, *next;

    if (doc == NULL) {
        return;
    }
    for (c = doc->chunks; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(doc);
}

struct intoto_json *
intoto_json_root(const struct intoto_json_doc *doc)
{
    return doc == NULL ? NULL : doc->root;
}

void
intoto_json_set_root(struct intoto_json_doc *doc, struct intoto_json *v)
{
    doc->root = v;
}

static char *
arena_strdup(struct intoto_json_doc *doc, const char *s, size_t len)
{
    char *p = arena_alloc(doc, len + 1);

    if (p == NULL) {
        return NULL;
    }
    if (len > 0) {
        memcpy(p, s, len);
    }
    p[len] = '\0';
    return p;
}

/* ---- comparison helpers ---- */

static int
member_cmp(const void *pa, const void *pb)
{
    const struct member *a = pa;
    const struct member *b = pb;

    return intoto__bytes_cmp(a->key, a->keylen, b->key, b->keylen);
}

/* Index of key in obj, or -(insertion point) - 1. */
static long
find_member(const struct intoto_json *obj, const char *key, size_t len)
{
    size_t lo = 0, hi = obj->u.obj.n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct member *m = &obj->u.obj.m[mid];
        int c = intoto__bytes_cmp(m->key, m->keylen, key, len);

        if (c == 0) {
            return (long)mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -(long)lo - 1;
}

/* ---- accessors ---- */

enum intoto_json_type
intoto_json_type(const struct intoto_json *v)
{
    return v == NULL ? INTOTO_JSON_NULL : v->type;
}

int
intoto_json_is(const struct intoto_json *v, enum intoto_json_type t)
{
    return v != NULL && v->type == t;
}

const char *
intoto_json_str(const struct intoto_json *v)
{
    return intoto_json_is(v, INTOTO_JSON_STRING) ? v->u.str.s : NULL;
}

const char *
intoto_json_strl(const struct intoto_json *v, size_t *len)
{
    if (!intoto_json_is(v, INTOTO_JSON_STRING)) {
        if (len != NULL) {
            *len = 0;
        }
        return NULL;
    }
    if (len != NULL) {
        *len = v->u.str.len;
    }
    return v->u.str.s;
}

int
intoto_json_int(const struct intoto_json *v, int64_t *out)
{
    if (!intoto_json_is(v, INTOTO_JSON_INT)) {
        return INTOTO_EINVAL;
    }
    *out = v->u.i;
    return INTOTO_OK;
}

int
intoto_json_bool(const struct intoto_json *v)
{
    return intoto_json_is(v, INTOTO_JSON_BOOL) ? v->u.b : -1;
}

size_t
intoto_json_len(const struct intoto_json *v)
{
    if (intoto_json_is(v, INTOTO_JSON_ARRAY)) {
        return v->u.arr.n;
    }
    if (intoto_json_is(v, INTOTO_JSON_OBJECT)) {
        return v->u.obj.n;
    }
    return 0;
}

struct intoto_json *
intoto_json_at(const struct intoto_json *v, size_t i)
{
    if (!intoto_json_is(v, INTOTO_JSON_ARRAY) || i >= v->u.arr.n) {
        return NULL;
    }
    return v->u.arr.items[i];
}

const char *
intoto_json_key_at(const struct intoto_json *v, size_t i, size_t *len)
{
    if (!intoto_json_is(v, INTOTO_JSON_OBJECT) || i >= v->u.obj.n) {
        return NULL;
    }
    if (len != NULL) {
        *len = v->u.obj.m[i].keylen;
    }
    return v->u.obj.m[i].key;
}

struct intoto_json *
intoto_json_value_at(const struct intoto_json *v, size_t i)
{
    if (!intoto_json_is(v, INTOTO_JSON_OBJECT) || i >= v->u.obj.n) {
        return NULL;
    }
    return v->u.obj.m[i].val;
}

struct intoto_json *
intoto_json_getl(const struct intoto_json *v, const char *key, size_t len)
{
    long i;

    if (!intoto_json_is(v, INTOTO_JSON_OBJECT)) {
        return NULL;
    }
    i = find_member(v, key, len);
    return i >= 0 ? v->u.obj.m[i].val : NULL;
}

struct intoto_json *
intoto_json_get(const struct intoto_json *v, const char *key)
{
    return intoto_json_getl(v, key, strlen(key));
}

const char *
intoto_json_unknown_key(const struct intoto_json *obj,
                        const char *const *allowed, size_t *len)
{
    size_t i, k;

    if (!intoto_json_is(obj, INTOTO_JSON_OBJECT)) {
        return NULL;
    }
    for (i = 0; i < obj->u.obj.n; i++) {
        const struct member *m = &obj->u.obj.m[i];

        for (k = 0; allowed[k] != NULL; k++) {
            if (intoto__bytes_cmp(allowed[k], strlen(allowed[k]), m->key,
                                  m->keylen) == 0) {
                break;
            }
        }
        if (allowed[k] == NULL) {
            *len = m->keylen;
            return m->key;
        }
    }
    return NULL;
}

int
intoto_json_equal(const struct intoto_json *a, const struct intoto_json *b)
{
    size_t i;

    if (a == NULL || b == NULL) {
        return a == b;
    }
    if (a->type != b->type) {
        return 0;
    }
    switch (a->type) {
    case INTOTO_JSON_NULL:
        return 1;
    case INTOTO_JSON_BOOL:
        return a->u.b == b->u.b;
    case INTOTO_JSON_INT:
        return a->u.i == b->u.i;
    case INTOTO_JSON_STRING:
        return intoto__bytes_cmp(a->u.str.s, a->u.str.len, b->u.str.s,
                                 b->u.str.len) == 0;
    case INTOTO_JSON_ARRAY:
        if (a->u.arr.n != b->u.arr.n) {
            return 0;
        }
        for (i = 0; i < a->u.arr.n; i++) {
            if (!intoto_json_equal(a->u.arr.items[i], b->u.arr.items[i])) {
                return 0;
            }
        }
        return 1;
    case INTOTO_JSON_OBJECT:
        if (a->u.obj.n != b->u.obj.n) {
            return 0;
        }
        for (i = 0; i < a->u.obj.n; i++) {
            const struct member *ma = &a->u.obj.m[i];
            const struct member *mb = &b->u.obj.m[i];

            if (intoto__bytes_cmp(ma->key, ma->keylen, mb->key,
                                  mb->keylen) != 0 ||
                !intoto_json_equal(ma->val, mb->val)) {
                return 0;
            }
        }
        return 1;
    }
    return 0;
}

/* ---- builders ---- */

static struct intoto_json *
new_value(struct intoto_json_doc *doc, enum intoto_json_type type)
{
    struct intoto_json *v = arena_alloc(doc, sizeof(*v));

    if (v != NULL) {
        memset(v, 0, sizeof(*v));
        v->type = type;
    }
    return v;
}

struct intoto_json *
intoto_json_new_null(struct intoto_json_doc *doc)
{
    return new_value(doc, INTOTO_JSON_NULL);
}

struct intoto_json *
intoto_json_new_bool(struct intoto_json_doc *doc, int b)
{
    struct intoto_json *v = new_value(doc, INTOTO_JSON_BOOL);

    if (v != NULL) {
        v->u.b = b ? 1 : 0;
    }
    return v;
}

struct intoto_json *
intoto_json_new_int(struct intoto_json_doc *doc, int64_t i)
{
    struct intoto_json *v = new_value(doc, INTOTO_JSON_INT);

    if (v != NULL) {
        v->u.i = i;
    }
    return v;
}

struct intoto_json *
intoto_json_new_strl(struct intoto_json_doc *doc, const char *s, size_t len)
{
    struct intoto_json *v = new_value(doc, INTOTO_JSON_STRING);

    if (v == NULL) {
        return NULL;
    }
    v->u.str.s = arena_strdup(doc, s, len);
    if (v->u.str.s == NULL) {
        return NULL;
    }
    v->u.str.len = len;
    return v;
}

struct intoto_json *
intoto_json_new_str(struct intoto_json_doc *doc, const char *s)
{
    return intoto_json_new_strl(doc, s, strlen(s));
}

struct intoto_json *
intoto_json_new_array(struct intoto_json_doc *doc)
{
    return new_value(doc, INTOTO_JSON_ARRAY);
}

struct intoto_json *
intoto_json_new_object(struct intoto_json_doc *doc)
{
    return new_value(doc, INTOTO_JSON_OBJECT);
}

/* Grow an arena-held vector of `size`-byte elements to hold one more.
 * The old storage stays in the arena (freed with the document). */
static int
grow_vector(struct intoto_json_doc *doc, void **vec, size_t n, size_t *cap,
            size_t size)
{
    size_t ncap;
    void *p;

    if (n < *cap) {
        return INTOTO_OK;
    }
    ncap = *cap ? *cap * 2 : 4;
    if (ncap > SIZE_MAX / size) {
        return INTOTO_ENOMEM;
    }
    p = arena_alloc(doc, ncap * size);
    if (p == NULL) {
        return INTOTO_ENOMEM;
    }
    if (n > 0) {
        memcpy(p, *vec, n * size);
    }
    *vec = p;
    *cap = ncap;
    return INTOTO_OK;
}

int
intoto_json_append(struct intoto_json_doc *doc, struct intoto_json *arr,
                   struct intoto_json *item)
{
    int rc;

    if (!intoto_json_is(arr, INTOTO_JSON_ARRAY) || item == NULL) {
        return INTOTO_EINVAL;
    }
    rc = grow_vector(doc, (void **)&arr->u.arr.items, arr->u.arr.n,
                     &arr->u.arr.cap, sizeof(struct intoto_json *));
    if (rc != INTOTO_OK) {
        return rc;
    }
    arr->u.arr.items[arr->u.arr.n++] = item;
    return INTOTO_OK;
}

int
intoto_json_setl(struct intoto_json_doc *doc, struct intoto_json *obj,
                 const char *key, size_t keylen, struct intoto_json *val)
{
    struct member *m;
    long at;
    size_t pos;
    int rc;

    if (!intoto_json_is(obj, INTOTO_JSON_OBJECT) || val == NULL) {
        return INTOTO_EINVAL;
    }
    m = obj->u.obj.m;
    if (obj->u.obj.n > 0 &&
        intoto__bytes_cmp(m[obj->u.obj.n - 1].key,
                          m[obj->u.obj.n - 1].keylen, key, keylen) < 0) {
        at = -(long)obj->u.obj.n - 1;
    } else {
        at = find_member(obj, key, keylen);
    }
    if (at >= 0) {
        obj->u.obj.m[at].val = val;
        return INTOTO_OK;
    }
    pos = (size_t)(-at - 1);
    rc = grow_vector(doc, (void **)&obj->u.obj.m, obj->u.obj.n,
                     &obj->u.obj.cap, sizeof(struct member));
    if (rc != INTOTO_OK) {
        return rc;
    }
    m = obj->u.obj.m;
    memmove(&m[pos + 1], &m[pos], (obj->u.obj.n - pos) * sizeof(*m));
    m[pos].key = arena_strdup(doc, key, keylen);
    if (m[pos].key == NULL) {
        memmove(&m[pos], &m[pos + 1], (obj->u.obj.n - pos) * sizeof(*m));
        return INTOTO_ENOMEM;
    }
    m[pos].keylen = keylen;
    m[pos].val = val;
    obj->u.obj.n++;
    return INTOTO_OK;
}

int
intoto_json_set(struct intoto_json_doc *doc, struct intoto_json *obj,
                const char *key, struct intoto_json *val)
{
    return intoto_json_setl(doc, obj, key, strlen(key), val);
}

void
intoto_json_remove(struct intoto_json *obj, const char *key)
{
    long at;
    size_t i;

    if (!intoto_json_is(obj, INTOTO_JSON_OBJECT)) {
        return;
    }
    at = find_member(obj, key, strlen(key));
    if (at < 0) {
        return;
    }
    i = (size_t)at;
    memmove(&obj->u.obj.m[i], &obj->u.obj.m[i + 1],
            (obj->u.obj.n - i - 1) * sizeof(struct member));
    obj->u.obj.n--;
}

struct intoto_json *
intoto_json_copy(struct intoto_json_doc *doc, const struct intoto_json *v)
{
    struct intoto_json *c;
    size_t i;

    if (v == NULL) {
        return NULL;
    }
    switch (v->type) {
    case INTOTO_JSON_NULL:
        return intoto_json_new_null(doc);
    case INTOTO_JSON_BOOL:
        return intoto_json_new_bool(doc, v->u.b);
    case INTOTO_JSON_INT:
        return intoto_json_new_int(doc, v->u.i);
    case INTOTO_JSON_STRING:
        return intoto_json_new_strl(doc, v->u.str.s, v->u.str.len);
    case INTOTO_JSON_ARRAY:
        c = intoto_json_new_array(doc);
        for (i = 0; c != NULL && i < v->u.arr.n; i++) {
            struct intoto_json *item = intoto_json_copy(doc,
                                                        v->u.arr.items[i]);

            if (item == NULL || intoto_json_append(doc, c, item) != 0) {
                return NULL;
            }
        }
        return c;
    case INTOTO_JSON_OBJECT:
        c = intoto_json_new_object(doc);
        for (i = 0; c != NULL && i < v->u.obj.n; i++) {
            const struct member *m = &v->u.obj.m[i];
            struct intoto_json *val = intoto_json_copy(doc, m->val);

            if (val == NULL ||
                intoto_json_setl(doc, c, m->key, m->keylen, val) != 0) {
                return NULL;
            }
        }
        return c;
    }
    return NULL;
}

/* ---- parser ---- */

struct parser {
    const unsigned char *p;
    const unsigned char *start;
    const unsigned char *end;
    const char *name;
    struct intoto_json_doc *doc;
    struct intoto_error *err;
    struct intoto_buf scratch;     /* decoded string being built */
    struct intoto_json **items;    /* stack of array items */
    size_t n_items, cap_items;
    struct member *members;        /* stack of object members */
    size_t n_members, cap_members;
};

static int
fail_at(struct parser *ps, const unsigned char *at, const char *what)
{
    size_t line = 1, col = 1;
    const unsigned char *q;

    if (at > ps->end) {
        at = ps->end;
    }
    for (q = ps->start; q < at; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else if ((*q & 0xC0) != 0x80) {
            col++;
        }
    }
    return intoto_error_set(ps->err, INTOTO_EPARSE,
                            "'%s': invalid JSON at line %zu, column %zu: %s",
                            ps->name, line, col, what);
}

static void
skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' ||
                               *ps->p == '\r' || *ps->p == '\t')) {
        ps->p++;
    }
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static int
read_hex4(struct parser *ps, const unsigned char *at, unsigned *out)
{
    unsigned v = 0;
    int i;

    if (ps->end - at < 4) {
        return fail_at(ps, at, "truncated \\u escape");
    }
    for (i = 0; i < 4; i++) {
        int h = hexval(at[i]);

        if (h < 0) {
            return fail_at(ps, at, "bad \\u escape");
        }
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return INTOTO_OK;
}

static int
put_utf8(struct intoto_buf *b, unsigned cp)
{
    char s[4];
    size_t n;

    if (cp < 0x80) {
        s[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        s[0] = (char)(0xC0 | (cp >> 6));
        s[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | (cp >> 12));
        s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        s[0] = (char)(0xF0 | (cp >> 18));
        s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return intoto_buf_add(b, s, n);
}

/* Length of the valid UTF-8 sequence at p (multi-byte lead), or 0. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned cp;
    size_t n, i;

    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

static int
parse_escape(struct parser *ps)
{
    const unsigned char *at = ps->p;
    unsigned cp, lo;
    int rc;
    char c;

    ps->p++;
    if (ps->p >= ps->end) {
        return fail_at(ps, at, "truncated escape");
    }
    switch (*ps->p) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u':
        rc = read_hex4(ps, ps->p + 1, &cp);
        if (rc != INTOTO_OK) {
            return rc;
        }
        ps->p += 5;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail_at(ps, at, "lone low surrogate in \\u escape");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
                read_hex4(ps, ps->p + 2, &lo) != INTOTO_OK ||
                lo < 0xDC00 || lo > 0xDFFF) {
                return fail_at(ps, at, "lone high surrogate in \\u escape");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            ps->p += 6;
        }
        return put_utf8(&ps->scratch, cp);
    default:
        return fail_at(ps, at, "unknown escape");
    }
    ps->p++;
    return intoto_buf_addch(&ps->scratch, c);
}

/* Parse a string at ps->p (on the opening quote) into ps->scratch. */
static int
parse_string_raw(struct parser *ps)
{
    const unsigned char *open = ps->p;
    const unsigned char *run;
    int rc;

    ps->scratch.len = 0;
    ps->p++;
    for (;;) {
        run = ps->p;
        while (ps->p < ps->end && *ps->p >= 0x20 && *ps->p < 0x80 &&
               *ps->p != '"' && *ps->p != '\\') {
            ps->p++;
        }
        rc = intoto_buf_add(&ps->scratch, run, (size_t)(ps->p - run));
        if (rc != INTOTO_OK) {
            return intoto_error_set(ps->err, rc, "out of memory");
        }
        if (ps->scratch.len > MAX_STRING) {
            return fail_at(ps, open, "string longer than the limit");
        }
        if (ps->p >= ps->end) {
            return fail_at(ps, open, "unterminated string");
        }
        if (*ps->p == '"') {
            ps->p++;
            return INTOTO_OK;
        }
        if (*ps->p == '\\') {
            rc = parse_escape(ps);
            if (rc != INTOTO_OK) {
                return rc == INTOTO_ENOMEM ? intoto_error_set(ps->err, rc,
                                                 "out of memory") : rc;
            }
        } else if (*ps->p < 0x20) {
            return fail_at(ps, ps->p, "control character in string");
        } else {
            size_t n = utf8_seq(ps->p, ps->end);

            if (n == 0) {
                return fail_at(ps, ps->p, "invalid UTF-8 in string");
            }
            intoto_buf_add(&ps->scratch, ps->p, n);
            ps->p += n;
        }
    }
}

static int parse_value(struct parser *ps, struct intoto_json **out,
                       int depth);

static int
parse_number(struct parser *ps, struct intoto_json **out)
{
    const unsigned char *at = ps->p;
    int neg = 0;
    uint64_t v = 0;
    uint64_t limit;

    if (*ps->p == '-') {
        neg = 1;
        ps->p++;
    }
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
        return fail_at(ps, at, "invalid number");
    }
    if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' &&
        ps->p[1] <= '9') {
        return fail_at(ps, at, "number with a leading zero");
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        unsigned d = (unsigned)(*ps->p - '0');

        if (v > (limit - d) / 10) {
            return fail_at(ps, at, "integer out of the 64-bit range");
        }
        v = v * 10 + d;
        ps->p++;
    }
    if (ps->p < ps->end &&
        (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E')) {
        return fail_at(ps, at, "floating-point numbers are not allowed");
    }
    *out = intoto_json_new_int(ps->doc, neg ? (int64_t)(0 - v) : (int64_t)v);
    return *out ? INTOTO_OK : intoto_error_set(ps->err, INTOTO_ENOMEM,
                                               "out of memory");
}

static int
parse_literal(struct parser *ps, struct intoto_json **out)
{
    static const struct {
        const char *word;
        enum intoto_json_type type;
        int b;
    } words[] = {
        { "true", INTOTO_JSON_BOOL, 1 },
        { "false", INTOTO_JSON_BOOL, 0 },
        { "null", INTOTO_JSON_NULL, 0 },
    };
    size_t i, n;

    for (i = 0; i < 3; i++) {
        n = strlen(words[i].word);
        if ((size_t)(ps->end - ps->p) >= n &&
            memcmp(ps->p, words[i].word, n) == 0) {
            ps->p += n;
            *out = words[i].type == INTOTO_JSON_BOOL
                       ? intoto_json_new_bool(ps->doc, words[i].b)
                       : intoto_json_new_null(ps->doc);
            return *out ? INTOTO_OK : intoto_error_set(ps->err, INTOTO_ENOMEM,
                                                       "out of memory");
        }
    }
    if (ps->end - ps->p >= 3 && (memcmp(ps->p, "NaN", 3) == 0 ||
                                 memcmp(ps->p, "Inf", 3) == 0)) {
        return fail_at(ps, ps->p, "NaN and Infinity are not allowed");
    }
    return fail_at(ps, ps->p, "unexpected character");
}

static int
push_item(struct parser *ps, struct intoto_json *v)
{
    struct intoto_json **p;
    size_t cap;

    if (ps->n_items == ps->cap_items) {
        cap = ps->cap_items ? ps->cap_items * 2 : 64;
        p = realloc(ps->items, cap * sizeof(*p));
        if (p == NULL) {
            return intoto_error_set(ps->err, INTOTO_ENOMEM, "out of memory");
        }
        ps->items = p;
        ps->cap_items = cap;
    }
    ps->items[ps->n_items++] = v;
    return INTOTO_OK;
}

static int
parse_array(struct parser *ps, struct intoto_json **out, int depth)
{
    size_t base = ps->n_items;
    struct intoto_json *arr, *item;
    int rc;

    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
    } else {
        for (;;) {
            rc = parse_value(ps, &item, depth + 1);
            if (rc != INTOTO_OK) {
                return rc;
            }
            rc = push_item(ps, item);
            if (rc != INTOTO_OK) {
                return rc;
            }
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == ']') {
                ps->p++;
                break;
            }
            return fail_at(ps, ps->p, "expected ',' or ']'");
        }
    }
    arr = intoto_json_new_array(ps->doc);
    if (arr == NULL) {
        return intoto_error_set(ps->err, INTOTO_ENOMEM, "out of memory");
    }
    arr->u.arr.n = arr->u.arr.cap = ps->n_items - base;
    if (arr->u.arr.n > 0) {
        arr->u.arr.items = arena_alloc(ps->doc,
                                       arr->u.arr.n * sizeof(item));
        if (arr->u.arr.items == NULL) {
            return intoto_error_set(ps->err, INTOTO_ENOMEM, "out of memory");
        }
        memcpy(arr->u.arr.items, ps->items + base,
               arr->u.arr.n * sizeof(item));
    }
    ps->n_items = base;
    *out = arr;
    return INTOTO_OK;
}

static int
push_member(struct parser *ps, const char *key, size_t len)
{
    struct member *p;
    size_t cap;

    if (ps->n_members == ps->cap_members) {
        cap = ps->cap_members ? ps->cap_members * 2 : 64;
        p = realloc(ps->members, cap * sizeof(*p));
        if (p == NULL) {
            return intoto_error_set(ps->err, INTOTO_ENOMEM, "out of memory");
        }
        ps->members = p;
        ps->cap_members = cap;
    }
    ps->members[ps->n_members].key = key;
    ps->members[ps->n_members].keylen = len;
    ps->members[ps->n_members].val = NULL;
    ps->n_members++;
    return INTOTO_OK;
}

/* Sort the members (already sorted in files we and the reference write)
 * and refuse duplicates: a signed document with two values for one key
 * means different things to different readers. */
static int
finish_object(struct parser *ps, struct intoto_json *obj,
              const unsigned char *open)
{
    struct member *m = obj->u.obj.m;
    size_t n = obj->u.obj.n, i;
    int sorted = 1;

    for (i = 1; i < n && sorted; i++) {
        sorted = member_cmp(&m[i - 1], &m[i]) < 0;
    }
    if (!sorted) {
        qsort(m, n, sizeof(*m), member_cmp);
    }
    for (i = 1; i < n; i++) {
        if (member_cmp(&m[i - 1], &m[i]) == 0) {
            char what[160];

            snprintf(what, sizeof(what), "duplicate key '%.100s' in object",
                     m[i].key);
            return fail_at(ps, open, what);
        }
    }
    return INTOTO_OK;
}

static int
parse_object(struct parser *ps, struct intoto_json **out, int depth)
{
    const unsigned char *open = ps->p;
    size_t base = ps->n_members;
    struct intoto_json *obj, *val;
    char *key;
    int rc;

    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
    } else {
        for (;;) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"') {
                return fail_at(ps, ps->p, "expected a string key");
            }
            rc = parse_string_raw(ps);
            if (rc != INTOTO_OK) {
                return rc;
            }
            key = arena_strdup(ps->doc, ps->scratch.data ? ps->scratch.data
                                                         : "",
                               ps->scratch.len);
            if (key == NULL) {
                return intoto_error_set(ps->err, INTOTO_ENOMEM,
                                        "out of memory");
            }
            rc = push_member(ps, key, ps->scratch.len);
            if (rc != INTOTO_OK) {
                return rc;
            }
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                return fail_at(ps, ps->p, "expected ':'");
            }
            ps->p++;
            rc = parse_value(ps, &val, depth + 1);
            if (rc != INTOTO_OK) {
                return rc;
            }
            ps->members[ps->n_members - 1].val = val;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == '}') {
                ps->p++;
                break;
            }
            return fail_at(ps, ps->p, "expected ',' or '}'");
        }
    }
    obj = intoto_json_new_object(ps->doc);
    if (obj == NULL) {
        return intoto_error_set(ps->err, INTOTO_ENOMEM, "out of memory");
    }
    obj->u.obj.n = obj->u.obj.cap = ps->n_members - base;
    if (obj->u.obj.n > 0) {
        obj->u.obj.m = arena_alloc(ps->doc,
                                   obj->u.obj.n * sizeof(struct member));
        if (obj->u.obj.m == NULL) {
            return intoto_error_set(ps->err, INTOTO_ENOMEM, "out of memory");
        }
        memcpy(obj->u.obj.m, ps->members + base,
               obj->u.obj.n * sizeof(struct member));
    }
    ps->n_members = base;
    *out = obj;
    return finish_object(ps, obj, open);
}

static int
parse_value(struct parser *ps, struct intoto_json **out, int depth)
{
    int rc;

    if (depth > INTOTO_JSON_MAX_DEPTH) {
        return fail_at(ps, ps->p, "nesting deeper than the limit");
    }
    skip_ws(ps);
    if (ps->p >= ps->end) {
        return fail_at(ps, ps->p, "unexpected end of input");
    }
    switch (*ps->p) {
    case '{':
        return parse_object(ps, out, depth);
    case '[':
        return parse_array(ps, out, depth);
    case '"':
        rc = parse_string_raw(ps);
        if (rc != INTOTO_OK) {
            return rc;
        }
        *out = intoto_json_new_strl(ps->doc, ps->scratch.data ?
                                    ps->scratch.data : "", ps->scratch.len);
        return *out ? INTOTO_OK : intoto_error_set(ps->err, INTOTO_ENOMEM,
                                                   "out of memory");
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
            return parse_number(ps, out);
        }
        return parse_literal(ps, out);
    }
}

int
intoto_json_parse(struct intoto_json_doc **out, const char *data,
                  size_t len, const char *name, struct intoto_error *err)
{
    struct parser ps;
    struct intoto_json *root = NULL;
    int rc;

    *out = NULL;
    memset(&ps, 0, sizeof(ps));
    ps.start = ps.p = (const unsigned char *)data;
    ps.end = ps.start + len;
    ps.name = name ? name : "<input>";
    ps.err = err;
    intoto_buf_init(&ps.scratch);
    ps.doc = intoto_json_doc_new();
    if (ps.doc == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }
    rc = parse_value(&ps, &root, 1);
    if (rc != INTOTO_OK) {
        goto out;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        rc = fail_at(&ps, ps.p, "trailing data after the document");
        goto out;
    }
    ps.doc->root = root;
    *out = ps.doc;
    ps.doc = NULL;
out:
    intoto_json_doc_free(ps.doc);
    intoto_buf_release(&ps.scratch);
    free(ps.items);
    free(ps.members);
    return rc;
}

int
intoto_json_load(struct intoto_json_doc **out, const char *path,
                 struct intoto_error *err)
{
    struct intoto_buf buf;
    int rc;

    *out = NULL;
    intoto_buf_init(&buf);
    rc = intoto__fs_read(&buf, path, INTOTO_JSON_MAX_FILE, err);
    if (rc == INTOTO_OK) {
        rc = intoto_json_parse(out, buf.data ? buf.data : "", buf.len, path,
                               err);
    }
    intoto_buf_release(&buf);
    return rc;
}

/* ---- encoders ---- */

enum style {
    STYLE_CANONICAL,
    STYLE_PRETTY,
    STYLE_COMPACT
};

static int
put_u16(struct intoto_buf *out, unsigned v)
{
    return intoto_buf_addf(out, "\\u%04x", v & 0xFFFFu);
}

/* Python's json.dumps(ensure_ascii=True) escaping. */
static int
put_ascii_string(struct intoto_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;
    int rc = intoto_buf_addch(out, '"');

    while (rc == INTOTO_OK && p < end) {
        unsigned c = *p;
        const char *esc = NULL;
        const unsigned char *run = p;

        /* Printable ASCII other than " and \ is copied as a run. */
        while (p < end && *p >= 0x20 && *p < 0x7F && *p != '"' &&
               *p != '\\') {
            p++;
        }
        if (p > run) {
            rc = intoto_buf_add(out, run, (size_t)(p - run));
            continue;
        }

        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default: break;
        }
        if (esc != NULL) {
            rc = intoto_buf_addstr(out, esc);
            p++;
        } else if (c < 0x20 || c == 0x7F) {
            rc = put_u16(out, c);
            p++;
        } else if (c < 0x80) {
            rc = intoto_buf_addch(out, (char)c);
            p++;
        } else {
            size_t n = utf8_seq(p, end);
            unsigned cp;
            size_t i;

            if (n == 0) {
                return INTOTO_EINVAL;
            }
            cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
            for (i = 1; i < n; i++) {
                cp = (cp << 6) | (p[i] & 0x3F);
            }
            if (cp >= 0x10000) {
                cp -= 0x10000;
                rc = put_u16(out, 0xD800 + (cp >> 10));
                if (rc == INTOTO_OK) {
                    rc = put_u16(out, 0xDC00 + (cp & 0x3FF));
                }
            } else {
                rc = put_u16(out, cp);
            }
            p += n;
        }
    }
    return rc == INTOTO_OK ? intoto_buf_addch(out, '"') : rc;
}

/* Canonical strings escape only backslash and double quote. */
static int
put_canonical_string(struct intoto_buf *out, const char *s, size_t len)
{
    const char *run = s;
    const char *end = s + len;
    int rc = intoto_buf_addch(out, '"');

    while (rc == INTOTO_OK && s < end) {
        if (*s == '"' || *s == '\\') {
            rc = intoto_buf_add(out, run, (size_t)(s - run));
            if (rc == INTOTO_OK) {
                rc = intoto_buf_addch(out, '\\');
            }
            run = s;
        }
        s++;
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_add(out, run, (size_t)(s - run));
    }
    return rc == INTOTO_OK ? intoto_buf_addch(out, '"') : rc;
}

static int
put_string(struct intoto_buf *out, const char *s, size_t len, enum style st)
{
    if (st == STYLE_CANONICAL) {
        return put_canonical_string(out, s, len);
    }
    return put_ascii_string(out, s, len);
}

static int
put_newline(struct intoto_buf *out, int indent)
{
    int rc = intoto_buf_addch(out, '\n');

    while (rc == INTOTO_OK && indent-- > 0) {
        rc = intoto_buf_addch(out, ' ');
    }
    return rc;
}

static int encode(struct intoto_buf *out, const struct intoto_json *v,
                  enum style st, int indent);

static int
put_separator(struct intoto_buf *out, enum style st, int indent, size_t i)
{
    int rc = INTOTO_OK;

    if (i > 0) {
        rc = intoto_buf_addch(out, ',');
        if (rc == INTOTO_OK && st == STYLE_COMPACT) {
            rc = intoto_buf_addch(out, ' ');
        }
    }
    if (rc == INTOTO_OK && st == STYLE_PRETTY) {
        rc = put_newline(out, indent + 1);
    }
    return rc;
}

static int
encode_container(struct intoto_buf *out, const struct intoto_json *v,
                 enum style st, int indent)
{
    int is_obj = v->type == INTOTO_JSON_OBJECT;
    size_t n = intoto_json_len(v), i;
    int rc = intoto_buf_addch(out, is_obj ? '{' : '[');

    for (i = 0; rc == INTOTO_OK && i < n; i++) {
        rc = put_separator(out, st, indent, i);
        if (rc != INTOTO_OK) {
            break;
        }
        if (is_obj) {
            const struct member *m = &v->u.obj.m[i];

            rc = put_string(out, m->key, m->keylen, st);
            if (rc == INTOTO_OK) {
                rc = intoto_buf_addstr(out, st == STYLE_CANONICAL ? ":"
                                                                  : ": ");
            }
            if (rc == INTOTO_OK) {
                rc = encode(out, m->val, st, indent + 1);
            }
        } else {
            rc = encode(out, v->u.arr.items[i], st, indent + 1);
        }
    }
    if (rc == INTOTO_OK && n > 0 && st == STYLE_PRETTY) {
        rc = put_newline(out, indent);
    }
    return rc == INTOTO_OK ? intoto_buf_addch(out, is_obj ? '}' : ']') : rc;
}

static int
encode(struct intoto_buf *out, const struct intoto_json *v, enum style st,
       int indent)
{
    if (v == NULL) {
        return INTOTO_EINVAL;
    }
    switch (v->type) {
    case INTOTO_JSON_NULL:
        return intoto_buf_addstr(out, "null");
    case INTOTO_JSON_BOOL:
        return intoto_buf_addstr(out, v->u.b ? "true" : "false");
    case INTOTO_JSON_INT:
        return intoto_buf_addf(out, "%" PRId64, v->u.i);
    case INTOTO_JSON_STRING:
        return put_string(out, v->u.str.s, v->u.str.len, st);
    case INTOTO_JSON_ARRAY:
    case INTOTO_JSON_OBJECT:
        return encode_container(out, v, st, indent);
    }
    return INTOTO_EINVAL;
}

int
intoto_json_canonical(struct intoto_buf *out, const struct intoto_json *v)
{
    return encode(out, v, STYLE_CANONICAL, 0);
}

int
intoto_json_pretty(struct intoto_buf *out, const struct intoto_json *v)
{
    return encode(out, v, STYLE_PRETTY, 0);
}

int
intoto_json_compact(struct intoto_buf *out, const struct intoto_json *v)
{
    return encode(out, v, STYLE_COMPACT, 0);
}
