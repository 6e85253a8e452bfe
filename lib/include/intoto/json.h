/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON documents: loading, building, canonical and on-disk forms. */
#ifndef INTOTO_JSON_H
#define INTOTO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

/*
 * Ownership: every value belongs to exactly one document
 * (struct intoto_json_doc) and lives until intoto_json_doc_free().  All
 * pointers returned by the accessors are borrowed from that document.
 * Object members are kept sorted by key (bytewise, which is code point order
 * for UTF-8), so lookups are binary searches and canonical output needs no
 * sorting.  Strings may contain NUL bytes; use the length accessors.
 *
 * Loading is strict: duplicate keys, floats, NaN, leading zeros, invalid
 * UTF-8, lone surrogates, trailing data, integers outside int64, nesting
 * deeper than INTOTO_JSON_MAX_DEPTH and files larger than
 * INTOTO_JSON_MAX_FILE are refused with INTOTO_EPARSE and a message naming
 * the file, line and column.
 */
#define INTOTO_JSON_MAX_DEPTH 64
#define INTOTO_JSON_MAX_FILE (512u * 1024u * 1024u)

enum intoto_json_type {
    INTOTO_JSON_NULL,
    INTOTO_JSON_BOOL,
    INTOTO_JSON_INT,
    INTOTO_JSON_STRING,
    INTOTO_JSON_ARRAY,
    INTOTO_JSON_OBJECT
};

struct intoto_json;
struct intoto_json_doc;

/* Parse `len` bytes.  `name` (a file name, may be NULL) goes into error
 * messages.  On success *out is a new document the caller frees with
 * intoto_json_doc_free(); on failure *out is NULL. */
int intoto_json_parse(struct intoto_json_doc **out, const char *data,
                      size_t len, const char *name, struct intoto_error *err);

/* Read and parse a file (at most INTOTO_JSON_MAX_FILE bytes). */
int intoto_json_load(struct intoto_json_doc **out, const char *path,
                     struct intoto_error *err);

/* A new empty document (its root is NULL until intoto_json_set_root()).
 * Returns NULL on ENOMEM. */
struct intoto_json_doc *intoto_json_doc_new(void);
void intoto_json_doc_free(struct intoto_json_doc *doc);
struct intoto_json *intoto_json_root(const struct intoto_json_doc *doc);
void intoto_json_set_root(struct intoto_json_doc *doc, struct intoto_json *v);

/* Accessors.  All accept NULL and then return the "absent" answer. */
enum intoto_json_type intoto_json_type(const struct intoto_json *v);
int intoto_json_is(const struct intoto_json *v, enum intoto_json_type t);
/* The string (NUL-terminated) or NULL when v is not a string. */
const char *intoto_json_str(const struct intoto_json *v);
/* The same with its byte length in *len. */
const char *intoto_json_strl(const struct intoto_json *v, size_t *len);
/* INTOTO_OK and *out, or INTOTO_EINVAL when v is not an integer. */
int intoto_json_int(const struct intoto_json *v, int64_t *out);
/* 1 true, 0 false, -1 not a boolean. */
int intoto_json_bool(const struct intoto_json *v);
/* Number of items (array) or members (object); 0 otherwise. */
size_t intoto_json_len(const struct intoto_json *v);
/* Array item i, or NULL. */
struct intoto_json *intoto_json_at(const struct intoto_json *v, size_t i);
/* Object member i in key order: key (with its length) and value. */
const char *intoto_json_key_at(const struct intoto_json *v, size_t i,
                               size_t *len);
struct intoto_json *intoto_json_value_at(const struct intoto_json *v,
                                         size_t i);
/* Object lookup by key, or NULL. */
struct intoto_json *intoto_json_get(const struct intoto_json *v,
                                    const char *key);
struct intoto_json *intoto_json_getl(const struct intoto_json *v,
                                     const char *key, size_t len);
/* The first member key of obj that is not in `allowed` (NULL-terminated),
 * with its length in *len, or NULL when every key is allowed or obj is not
 * an object.  Keys are compared with their whole length, NUL bytes
 * included.  For failing closed on unknown fields. */
const char *intoto_json_unknown_key(const struct intoto_json *obj,
                                    const char *const *allowed, size_t *len);
/* Deep equality (1 equal, 0 not). */
int intoto_json_equal(const struct intoto_json *a,
                      const struct intoto_json *b);

/* Building.  Each returns NULL on ENOMEM.  Strings are copied. */
struct intoto_json *intoto_json_new_null(struct intoto_json_doc *doc);
struct intoto_json *intoto_json_new_bool(struct intoto_json_doc *doc, int b);
struct intoto_json *intoto_json_new_int(struct intoto_json_doc *doc,
                                        int64_t i);
struct intoto_json *intoto_json_new_str(struct intoto_json_doc *doc,
                                        const char *s);
struct intoto_json *intoto_json_new_strl(struct intoto_json_doc *doc,
                                         const char *s, size_t len);
struct intoto_json *intoto_json_new_array(struct intoto_json_doc *doc);
struct intoto_json *intoto_json_new_object(struct intoto_json_doc *doc);
/* Deep copy of v (from any document) into doc. */
struct intoto_json *intoto_json_copy(struct intoto_json_doc *doc,
                                     const struct intoto_json *v);
/* Append to an array.  INTOTO_OK, INTOTO_EINVAL (not an array), ENOMEM. */
int intoto_json_append(struct intoto_json_doc *doc, struct intoto_json *arr,
                       struct intoto_json *item);
/* Set a member, replacing an existing one with the same key.  Appending
 * keys in increasing order is O(1); other orders insert in place. */
int intoto_json_set(struct intoto_json_doc *doc, struct intoto_json *obj,
                    const char *key, struct intoto_json *val);
int intoto_json_setl(struct intoto_json_doc *doc, struct intoto_json *obj,
                     const char *key, size_t keylen, struct intoto_json *val);
/* Remove a member if present. */
void intoto_json_remove(struct intoto_json *obj, const char *key);

/*
 * Encoders append to `out`.
 * canonical: the in-toto/securesystemslib canonical form (sorted keys, no
 *   whitespace, only \ and " escaped, UTF-8 raw, integers only).
 * pretty: the reference's on-disk form: indent of one space, ", " and ": "
 *   separators, sorted keys, non-ASCII and control characters escaped as
 *   Python's json.dumps(indent=1, sort_keys=True) writes them.
 * compact: Python's json.dumps(sort_keys=True) form on one line ("a": 1,
 *   "b": 2), ASCII-escaped, as used for DSSE payloads.
 */
int intoto_json_canonical(struct intoto_buf *out, const struct intoto_json *v);
int intoto_json_pretty(struct intoto_buf *out, const struct intoto_json *v);
int intoto_json_compact(struct intoto_buf *out, const struct intoto_json *v);

#endif
