/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: envelope parsing, accessors, serialising, verifying. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <intoto/buf.h>
#include <intoto/envelope.h>
#include <intoto/error.h>
#include <intoto/json.h>
#include <intoto/key.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/data/keys/ed25519.pub, as a layout key object. */
static const char key_json[] =
    "{\"keytype\": \"ed25519\", \"scheme\": \"ed25519\", \"keyval\": "
    "{\"public\": "
    "\"94b287babb4001d3a0056c25daa97f9fd9c4bf3ea92051ef90c7a8ed6097a8c5\"}}";

/* tests/data/keys/ed25519-pkcs8.pem, the private half of the above. */
static const char priv_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIK0jr94HNAc0XRhUg2+/Yqr5FAH/mENeEiJzw/jP6UiK\n"
    "-----END PRIVATE KEY-----\n";

static struct intoto_key *
fixed_private(void)
{
    static struct intoto_key *key;
    static int tried;
    char path[] = "/tmp/fuzz_envelope.XXXXXX";
    struct intoto_error err;
    int fd;

    if (tried) {
        return key;
    }
    tried = 1;
    intoto_error_init(&err);
    fd = mkstemp(path);
    if (fd < 0 ||
        write(fd, priv_pem, strlen(priv_pem)) != (ssize_t)strlen(priv_pem) ||
        close(fd) != 0 ||
        intoto_key_load_private(&key, path, NULL, NULL, INTOTO_KEYID_LEGACY,
                                &err) != INTOTO_OK) {
        abort();
    }
    unlink(path);
    return key;
}

static struct intoto_key *
fixed_key(void)
{
    static struct intoto_key *key;
    static int tried;
    struct intoto_error err;
    struct intoto_json_doc *doc = NULL;

    if (tried) {
        return key;
    }
    tried = 1;
    intoto_error_init(&err);
    if (intoto_json_parse(&doc, key_json, strlen(key_json), "key", &err) !=
            INTOTO_OK ||
        intoto_key_from_json(&key, intoto_json_root(doc), NULL, &err) !=
            INTOTO_OK) {
        abort();
    }
    intoto_json_doc_free(doc);
    return key;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct intoto_error err;
    struct intoto_envelope *env = NULL;
    struct intoto_envelope *again = NULL;
    struct intoto_buf out;
    struct intoto_key *key = fixed_key();
    struct intoto_key *priv = fixed_private();
    size_t i;
    size_t n;

    intoto_error_init(&err);
    intoto_buf_init(&out);
    if (intoto_envelope_parse(&env, (const char *)data, size, "fuzz",
                              &err) != INTOTO_OK) {
        goto out;
    }
    (void)intoto_envelope_kind(env);
    (void)intoto_envelope_payload(env);
    (void)intoto_envelope_type(env);
    (void)intoto_envelope_name(env);
    n = intoto_envelope_sig_count(env);
    for (i = 0; i < n; i++) {
        if (intoto_envelope_sig_keyid(env, i) == NULL) {
            abort();
        }
    }
    intoto_error_init(&err);
    (void)intoto_envelope_verify(env, key, &err);
    intoto_error_init(&err);
    if (intoto_envelope_serialize(&out, env, &err) == INTOTO_OK) {
        /* What we write we must read back. */
        intoto_error_init(&err);
        if (intoto_envelope_parse(&again, out.data, out.len, "again",
                                  &err) != INTOTO_OK ||
            intoto_envelope_sig_count(again) != n ||
            !intoto_json_equal(intoto_envelope_payload(env),
                               intoto_envelope_payload(again))) {
            abort();
        }
    }

    /* Signing whatever parsed must give a signature that verifies, also
     * after a write and a read. */
    intoto_error_init(&err);
    if (intoto_envelope_sign(env, priv, 1, &err) == INTOTO_OK) {
        intoto_error_init(&err);
        if (intoto_envelope_verify(env, priv, &err) != INTOTO_OK) {
            abort();
        }
        intoto_envelope_free(again);
        again = NULL;
        intoto_buf_release(&out);
        intoto_error_init(&err);
        if (intoto_envelope_serialize(&out, env, &err) != INTOTO_OK ||
            intoto_envelope_parse(&again, out.data, out.len, "signed",
                                  &err) != INTOTO_OK ||
            intoto_envelope_verify(again, priv, &err) != INTOTO_OK) {
            abort();
        }
    }

out:
    intoto_envelope_free(again);
    intoto_envelope_free(env);
    intoto_buf_release(&out);
    return 0;
}
