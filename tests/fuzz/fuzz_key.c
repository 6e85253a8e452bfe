/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: key files (PEM, securesystemslib JSON) and key
 * objects as layouts hold them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <intoto/buf.h>
#include <intoto/error.h>
#include <intoto/json.h>
#include <intoto/key.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
write_temp(char *path, const uint8_t *data, size_t size)
{
    int fd = mkstemp(path);
    size_t done = 0;
    ssize_t n;

    if (fd < 0) {
        return -1;
    }
    while (done < size) {
        n = write(fd, data + done, size - done);
        if (n <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}

/* Whatever loads must give its accessors, survive a trip through a layout
 * key object, and (with a private half) sign what then verifies. */
static void
check(struct intoto_key *key, const uint8_t *data, size_t size)
{
    struct intoto_error err;
    struct intoto_json_doc *doc = NULL;
    struct intoto_json *v;
    struct intoto_key *back = NULL;
    struct intoto_buf sig;

    if (key == NULL) {
        return;
    }
    intoto_buf_init(&sig);
    intoto_error_init(&err);
    if (intoto_key_id(key) == NULL || intoto_key_type(key) == NULL ||
        intoto_key_scheme(key) == NULL || intoto_key_public(key) == NULL ||
        intoto_key_id_legacy(key) == NULL || intoto_key_id_new(key) == NULL) {
        abort();
    }
    (void)intoto_key_verify(key, data, size, data, size, &err);
    doc = intoto_json_doc_new();
    v = doc != NULL ? intoto_key_to_json(doc, key) : NULL;
    if (v == NULL) {
        abort();
    }
    intoto_error_init(&err);
    if (intoto_key_from_json(&back, v, intoto_key_id(key), &err) !=
            INTOTO_OK ||
        strcmp(intoto_key_public(back), intoto_key_public(key)) != 0 ||
        strcmp(intoto_key_id(back), intoto_key_id(key)) != 0 ||
        strcmp(intoto_key_scheme(back), intoto_key_scheme(key)) != 0) {
        abort();
    }
    if (intoto_key_has_private(key)) {
        intoto_error_init(&err);
        /* Signing may be refused (a weak key); what is signed verifies. */
        if (intoto_key_sign(&sig, key, data, size, &err) == INTOTO_OK &&
            intoto_key_verify(back, data, size, sig.data, sig.len, &err) !=
                INTOTO_OK) {
            abort();
        }
    }
    intoto_buf_release(&sig);
    intoto_key_free(back);
    intoto_json_doc_free(doc);
    intoto_key_free(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz_key.XXXXXX";
    struct intoto_error err;
    struct intoto_key *key = NULL;
    struct intoto_json_doc *doc = NULL;

    if (write_temp(path, data, size) != 0) {
        abort();
    }
    intoto_error_init(&err);
    key = NULL;
    (void)intoto_key_load_public(&key, path, NULL, INTOTO_KEYID_LEGACY,
                                 &err);
    check(key, data, size);
    intoto_error_init(&err);
    key = NULL;
    (void)intoto_key_load_private(&key, path, NULL, NULL, INTOTO_KEYID_NEW,
                                  &err);
    check(key, data, size);
    intoto_error_init(&err);
    (void)intoto_key_file_is_encrypted(path, &err);
    unlink(path);

    intoto_error_init(&err);
    if (intoto_json_parse(&doc, (const char *)data, size, "fuzz", &err) ==
        INTOTO_OK) {
        key = NULL;
        (void)intoto_key_from_json(&key, intoto_json_root(doc), NULL, &err);
        check(key, data, size);
    }
    intoto_json_doc_free(doc);
    return 0;
}
