/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: key files (PEM, securesystemslib JSON) and key
 * objects as layouts hold them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

static void
check(struct intoto_key *key)
{
    if (key != NULL && intoto_key_id(key) == NULL) {
        abort();
    }
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
    check(key);
    intoto_error_init(&err);
    key = NULL;
    (void)intoto_key_load_private(&key, path, NULL, NULL, INTOTO_KEYID_NEW,
                                  &err);
    check(key);
    intoto_error_init(&err);
    (void)intoto_key_file_is_encrypted(path, &err);
    unlink(path);

    intoto_error_init(&err);
    if (intoto_json_parse(&doc, (const char *)data, size, "fuzz", &err) ==
        INTOTO_OK) {
        key = NULL;
        (void)intoto_key_from_json(&key, intoto_json_root(doc), NULL, &err);
        check(key);
    }
    intoto_json_doc_free(doc);
    return 0;
}
