/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: layout parsing and link checking on parsed JSON. */
#include <stdint.h>
#include <stdlib.h>

#include <intoto/error.h>
#include <intoto/json.h>
#include <intoto/layout.h>
#include <intoto/verify.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct intoto_param params[] = {
        {"a", "x"}, {"name", "{b}"}, {"b", ""}
    };
    struct intoto_error err;
    struct intoto_json_doc *doc = NULL;
    struct intoto_layout *layout = NULL;
    struct intoto_json *root;
    struct intoto_json *payload;

    intoto_error_init(&err);
    if (intoto_json_parse(&doc, (const char *)data, size, "fuzz", &err) !=
        INTOTO_OK) {
        goto out;
    }
    root = intoto_json_root(doc);
    /* A whole Metablock works too: take its "signed" object. */
    payload = intoto_json_get(root, "signed");
    if (payload == NULL) {
        payload = root;
    }
    if (intoto_layout_parse(&layout, payload, NULL, 0, 0, &err) ==
        INTOTO_OK) {
        intoto_layout_free(layout);
        layout = NULL;
    }
    intoto_error_init(&err);
    if (intoto_layout_parse(&layout, payload, params, 3, 1, &err) ==
        INTOTO_OK) {
        intoto_layout_free(layout);
        layout = NULL;
    }
    intoto_error_init(&err);
    (void)intoto_link_check(payload, NULL, &err);
    intoto_error_init(&err);
    (void)intoto_link_check(payload, "write-code", &err);

out:
    intoto_json_doc_free(doc);
    return 0;
}
