/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: rule patterns (fnmatchcase) and gitignore-style
 * exclude patterns.  The input is PATTERN NUL NAME; for the excludes each
 * line of PATTERN is one pattern. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <intoto/error.h>

#include "pattern.h"
#include "walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct intoto_error err;
    struct intoto__pattern *p = NULL;
    struct intoto__excludes *ex = NULL;
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul != NULL ? (size_t)(nul - data) : size;
    const char *name = nul != NULL ? (const char *)nul + 1 : "";
    size_t nlen = nul != NULL ? size - plen - 1 : 0;
    char *pat = malloc(plen + 1);
    char *lines = NULL;
    const char **pats = NULL;
    size_t n_pats = 0;
    size_t plit;
    size_t i;

    if (pat == NULL) {
        abort();
    }
    memcpy(pat, data, plen);
    pat[plen] = '\0';
    intoto_error_init(&err);
    if (intoto__pattern_compile(&p, pat, &err) == INTOTO_OK) {
        (void)intoto__pattern_match(p, name, nlen);
        (void)intoto__pattern_prefix(p, &plit);
        if (intoto__pattern_is_literal(p) &&
            intoto__pattern_match(p, pat, plen) != 1) {
            abort(); /* a literal pattern matches itself */
        }
        intoto__pattern_free(p);
    }
    lines = strdup(pat);
    pats = calloc(plen + 1, sizeof(*pats));
    if (lines == NULL || pats == NULL) {
        abort();
    }
    pats[n_pats++] = lines;
    for (i = 0; i < plen; i++) {
        if (lines[i] == '\n') {
            lines[i] = '\0';
            pats[n_pats++] = lines + i + 1;
        }
    }
    intoto_error_init(&err);
    if (intoto__excludes_compile(&ex, pats, n_pats, &err) == INTOTO_OK) {
        (void)intoto__excludes_match(ex, name, nlen);
        intoto__excludes_free(ex);
    }
    free(pats);
    free(lines);
    free(pat);
    return 0;
}
