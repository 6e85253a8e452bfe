/* SPDX-License-Identifier: Apache-2.0 */
/* Artifact rule patterns with the semantics of Python's fnmatchcase. */
#ifndef INTOTO_PATTERN_H
#define INTOTO_PATTERN_H

#include <stddef.h>

#include <intoto/error.h>

/*
 * A compiled pattern (SPEC-NOTES "Pattern matching is not glibc
 * fnmatch(3)"): `*` matches any run of characters and `?` any one
 * character, both including '/'; `[seq]` is a class, `[!seq]` its
 * negation, `[^x]` a class holding '^' and 'x'; a backslash is an ordinary
 * character; an unclosed `[` is a literal '['.  Characters are Unicode
 * code points decoded from UTF-8 (invalid bytes count as one character
 * each), as Python compares str.  Matching is case-sensitive and covers
 * the whole name.
 */
struct intoto__pattern;

/* Compile `pat` (NUL-terminated UTF-8).  Caller frees *out with
 * intoto__pattern_free().  INTOTO_OK or INTOTO_ENOMEM. */
int intoto__pattern_compile(struct intoto__pattern **out, const char *pat,
                            struct intoto_error *err);

void intoto__pattern_free(struct intoto__pattern *p);

/* 1 when the whole of name[0..len) matches, else 0. */
int intoto__pattern_match(const struct intoto__pattern *p, const char *name,
                          size_t len);

/*
 * The bytes every matching name starts with (the characters before the
 * first wildcard or class), so that callers can narrow a sorted list with
 * a binary search.  Borrowed; valid until the pattern is freed.
 */
const char *intoto__pattern_prefix(const struct intoto__pattern *p,
                                   size_t *len);

/* 1 when the pattern has no wildcard or class: it matches only the name
 * equal to its prefix. */
int intoto__pattern_is_literal(const struct intoto__pattern *p);

/* One-shot convenience: compile, match, free.  -1 on ENOMEM. */
int intoto__pattern_fnmatch(const char *pat, const char *name);

#endif
