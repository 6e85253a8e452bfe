/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: OpenPGP public key packets. */
#include <stdint.h>
#include <stdlib.h>

#include <intoto/error.h>
#include <intoto/json.h>
#include <intoto/key.h>
#include <intoto/pgp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct intoto_error err;
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *v = NULL;
    struct intoto_key *key = NULL;

    if (doc == NULL) {
        abort();
    }
    intoto_error_init(&err);
    if (intoto_pgp_parse_key(&v, doc, data, size, &err) == INTOTO_OK) {
        if (!intoto_pgp_is_key(v)) {
            abort(); /* what it builds must be a key dict */
        }
        intoto_error_init(&err);
        (void)intoto_key_from_json(&key, v, NULL, &err);
        intoto_key_free(key);
    }
    intoto_json_doc_free(doc);
    return 0;
}
