/* SPDX-License-Identifier: Apache-2.0 */
/* Compact artifact sets: sorted names with their hash objects. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <intoto/buf.h>
#include <intoto/rules.h>

#include "bytes.h"

/*
 * A link's materials or products are kept long after the link is read
 * (every rule may MATCH against any step), so they are packed: a sorted
 * array of offsets into one blob.  A hash object that is exactly
 * {"sha256": <64 lowercase hex>} (nearly all of them) is stored as its
 * 32 raw bytes; any other is stored as its canonical JSON, which is
 * unique per object, so comparing stored forms compares whole objects.
 */
struct art {
    uint32_t name_off;
    uint32_t name_len;
    uint32_t hash_off;
    uint32_t hash_len;       /* 0: 32 raw sha256 bytes at hash_off */
};

struct intoto_artifacts {
    struct art *v;
    size_t n;
    char *blob;
    size_t blob_len;
};

#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

/* High bit set in each byte of x (all bytes below 0x80) that lies
 * strictly between lo and hi. */
static uint64_t
bytes_between(uint64_t x, unsigned lo, unsigned hi)
{
    return (ONES * (127 + hi) - x) & ~x & (x + ONES * (127 - lo)) & HIGH;
}

/* 1 when the 64 bytes are lowercase hex digits (the stored form must
 * give back the exact string), eight at a time. */
static int
lower_hex64(const char *s)
{
    uint64_t x, ok;
    size_t i;

    for (i = 0; i < 64; i += 8) {
        memcpy(&x, s + i, 8);
        if (x & HIGH) {
            return 0;
        }
        ok = bytes_between(x, '0' - 1, '9' + 1) |
             bytes_between(x, 'a' - 1, 'f' + 1);
        if (ok != HIGH) {
            return 0;
        }
    }
    return 1;
}

/* The value of a digit known to be 0-9 or a-f. */
static unsigned
digit(unsigned char c)
{
    return (c & 15u) + 9u * (c >> 6);
}

/* The raw digest of {"sha256": <64 lowercase hex>}, or 0.  This runs
 * for every artifact of every link. */
static int
plain_sha256(unsigned char out[32], const struct intoto_json *h)
{
    size_t klen, len, i;
    const char *k, *s;
    const unsigned char *u;

    if (intoto_json_len(h) != 1 || !intoto_json_is(h, INTOTO_JSON_OBJECT)) {
        return 0;
    }
    k = intoto_json_key_at(h, 0, &klen);
    s = intoto_json_strl(intoto_json_value_at(h, 0), &len);
    if (klen != 6 || memcmp(k, "sha256", 6) != 0 || s == NULL || len != 64 ||
        !lower_hex64(s)) {
        return 0;
    }
    u = (const unsigned char *)s;
    for (i = 0; i < 32; i++) {
        out[i] = (unsigned char)(digit(u[2 * i]) << 4 | digit(u[2 * i + 1]));
    }
    return 1;
}

/*
 * One pass: names and raw digests go to the blob, sized for the common
 * case; other hash objects go to `extra` as canonical JSON, appended to
 * the blob afterwards (offsets are relative, so the blob may move).
 */
static int
fill(struct intoto_artifacts *a, const struct intoto_json *obj,
     struct intoto_buf *extra, size_t *extra_at)
{
    size_t i, off = 0, len, n_extra = 0;
    const char *k;

    for (i = 0; i < a->n; i++) {
        const struct intoto_json *h = intoto_json_value_at(obj, i);

        k = intoto_json_key_at(obj, i, &len);
        memcpy(a->blob + off, k, len);
        a->v[i].name_off = (uint32_t)off;
        a->v[i].name_len = (uint32_t)len;
        off += len;
        if (plain_sha256((unsigned char *)a->blob + off, h)) {
            a->v[i].hash_off = (uint32_t)off;
            a->v[i].hash_len = 0;
            off += 32;
            continue;
        }
        a->v[i].hash_off = (uint32_t)extra->len;
        if (intoto_json_canonical(extra, h) != INTOTO_OK) {
            return INTOTO_ENOMEM;
        }
        a->v[i].hash_len = (uint32_t)(extra->len - a->v[i].hash_off);
        extra_at[n_extra++] = i;
    }
    a->blob_len = off;
    extra_at[n_extra] = SIZE_MAX;
    return INTOTO_OK;
}

/* Append the canonical hash objects and point their entries at them. */
static int
append_extra(struct intoto_artifacts *a, const struct intoto_buf *extra,
             const size_t *extra_at)
{
    char *blob;
    size_t i;

    if (extra->len == 0) {
        return INTOTO_OK;
    }
    if (a->blob_len + extra->len >= UINT32_MAX) {
        return INTOTO_EINVAL;
    }
    blob = realloc(a->blob, a->blob_len + extra->len + 1);
    if (blob == NULL) {
        return INTOTO_ENOMEM;
    }
    a->blob = blob;
    memcpy(a->blob + a->blob_len, extra->data, extra->len);
    for (i = 0; extra_at[i] != SIZE_MAX; i++) {
        a->v[extra_at[i]].hash_off += (uint32_t)a->blob_len;
    }
    a->blob_len += extra->len;
    return INTOTO_OK;
}

int
intoto_artifacts_from_json(struct intoto_artifacts **out,
                           const struct intoto_json *obj,
                           struct intoto_error *err)
{
    struct intoto_artifacts *a = calloc(1, sizeof(*a));
    struct intoto_buf extra;
    size_t *extra_at = NULL;
    size_t i, need = 0, len;
    int rc = INTOTO_ENOMEM;

    *out = NULL;
    intoto_buf_init(&extra);
    if (a == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    a->n = intoto_json_is(obj, INTOTO_JSON_OBJECT) ? intoto_json_len(obj)
                                                   : 0;
    for (i = 0; i < a->n; i++) {
        intoto_json_key_at(obj, i, &len);
        need += len + 32;
    }
    a->v = malloc((a->n + 1) * sizeof(*a->v));
    a->blob = malloc(need + 1);
    extra_at = malloc((a->n + 1) * sizeof(*extra_at));
    if (a->v != NULL && a->blob != NULL && extra_at != NULL) {
        rc = need >= UINT32_MAX ? INTOTO_EINVAL : INTOTO_OK;
    }
    if (rc == INTOTO_OK) {
        rc = fill(a, obj, &extra, extra_at);
    }
    if (rc == INTOTO_OK) {
        rc = append_extra(a, &extra, extra_at);
    }
    if (rc == INTOTO_OK) {
        *out = a;
        a = NULL;
    } else {
        intoto_error_set(err, rc, rc == INTOTO_EINVAL
                                  ? "artifact list too large"
                                  : "out of memory");
    }
    free(extra_at);
    intoto_buf_release(&extra);
    intoto_artifacts_free(a);
    return rc;
}

void
intoto_artifacts_free(struct intoto_artifacts *a)
{
    if (a == NULL) {
        return;
    }
    free(a->v);
    free(a->blob);
    free(a);
}

size_t
intoto_artifacts_count(const struct intoto_artifacts *a)
{
    return a ? a->n : 0;
}

const char *
intoto_artifacts_name(const struct intoto_artifacts *a, size_t i,
                      size_t *len)
{
    *len = a->v[i].name_len;
    return a->blob + a->v[i].name_off;
}

size_t
intoto_artifacts_lower_bound(const struct intoto_artifacts *a,
                             const char *name, size_t len)
{
    size_t lo = 0, hi = intoto_artifacts_count(a), mid, klen;
    const char *k;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        k = intoto_artifacts_name(a, mid, &klen);
        if (intoto__bytes_cmp(k, klen, name, len) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

size_t
intoto_artifacts_find(const struct intoto_artifacts *a, const char *name,
                      size_t len)
{
    size_t i = intoto_artifacts_lower_bound(a, name, len), klen;
    const char *k;

    if (i >= intoto_artifacts_count(a)) {
        return SIZE_MAX;
    }
    k = intoto_artifacts_name(a, i, &klen);
    return (klen == len && memcmp(k, name, len) == 0) ? i : SIZE_MAX;
}

int
intoto_artifacts_same_hashes(const struct intoto_artifacts *a, size_t i,
                             const struct intoto_artifacts *b, size_t j)
{
    const struct art *x = &a->v[i], *y = &b->v[j];
    size_t len = x->hash_len ? x->hash_len : 32;

    return x->hash_len == y->hash_len &&
           memcmp(a->blob + x->hash_off, b->blob + y->hash_off, len) == 0;
}

int
intoto_artifacts_hashes(struct intoto_buf *out,
                        const struct intoto_artifacts *a, size_t i)
{
    static const char hex[] = "0123456789abcdef";
    const struct art *x = &a->v[i];
    const unsigned char *d = (const unsigned char *)a->blob + x->hash_off;
    size_t k;
    int rc;

    if (x->hash_len != 0) {
        return intoto_buf_add(out, (const char *)d, x->hash_len);
    }
    rc = intoto_buf_addstr(out, "{\"sha256\":\"");
    for (k = 0; k < 32 && rc == INTOTO_OK; k++) {
        rc = intoto_buf_addch(out, hex[d[k] >> 4]);
        rc = rc ? rc : intoto_buf_addch(out, hex[d[k] & 15]);
    }
    return rc ? rc : intoto_buf_addstr(out, "\"}");
}

int
intoto_artifacts_equal(const struct intoto_artifacts *a,
                       const struct intoto_artifacts *b)
{
    size_t i, n = intoto_artifacts_count(a), la, lb;
    const char *ka, *kb;

    if (n != intoto_artifacts_count(b)) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        ka = intoto_artifacts_name(a, i, &la);
        kb = intoto_artifacts_name(b, i, &lb);
        if (la != lb || memcmp(ka, kb, la) != 0 ||
            !intoto_artifacts_same_hashes(a, i, b, i)) {
            return 0;
        }
    }
    return 1;
}
