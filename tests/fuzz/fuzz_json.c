/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: JSON parser, encoders and the pretty round trip. */
#include <stdint.h>
#include <stdlib.h>

#include <intoto/buf.h>
#include <intoto/error.h>
#include <intoto/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct intoto_error err;
    struct intoto_json_doc *doc = NULL;
    struct intoto_json_doc *again = NULL;
    struct intoto_buf canon;
    struct intoto_buf pretty;
    struct intoto_buf compact;
    struct intoto_json *root;

    intoto_error_init(&err);
    intoto_buf_init(&canon);
    intoto_buf_init(&pretty);
    intoto_buf_init(&compact);
    if (intoto_json_parse(&doc, (const char *)data, size, "fuzz", &err) !=
        INTOTO_OK) {
        goto out;
    }
    root = intoto_json_root(doc);
    (void)intoto_json_canonical(&canon, root);
    (void)intoto_json_compact(&compact, root);
    if (intoto_json_pretty(&pretty, root) != INTOTO_OK) {
        goto out;
    }
    if (intoto_json_parse(&again, pretty.data, pretty.len, "pretty",
                          &err) != INTOTO_OK) {
        abort(); /* pretty output must parse */
    }
    if (!intoto_json_equal(root, intoto_json_root(again))) {
        abort(); /* and give back the same tree */
    }
    /* The compact form must round-trip too. */
    intoto_json_doc_free(again);
    again = NULL;
    if (compact.len > 0 &&
        (intoto_json_parse(&again, compact.data, compact.len, "compact",
                           &err) != INTOTO_OK ||
         !intoto_json_equal(root, intoto_json_root(again)))) {
        abort();
    }

out:
    intoto_json_doc_free(again);
    intoto_json_doc_free(doc);
    intoto_buf_release(&canon);
    intoto_buf_release(&pretty);
    intoto_buf_release(&compact);
    return 0;
}
