/* SPDX-License-Identifier: Apache-2.0 */
/* Signed metadata files: Metablock and DSSE envelopes. */
#include <stdlib.h>
#include <string.h>

#include <intoto/envelope.h>
#include <intoto/pgp.h>

#include "base64.h"
#include "fs.h"

enum sig_state {
    SIG_OK = 0,
    SIG_BAD_ENCODING = 1,   /* "sig" is not hex (Metablock) or base64 */
    SIG_OPENPGP = 2         /* a Metablock OpenPGP signature */
};

struct envelope_sig {
    char *keyid;
    struct intoto_buf raw;
    enum sig_state state;
    /* The signature object as loaded (borrowed from the file's document),
     * written back unchanged so that fields we do not model survive. */
    const struct intoto_json *orig;
};

struct intoto_envelope {
    enum intoto_envelope_kind kind;
    char *name;
    struct intoto_json_doc *filedoc;   /* the parsed file, or NULL */
    struct intoto_json_doc *doc;       /* owns the payload, or NULL */
    struct intoto_json *payload;       /* borrowed from doc or filedoc */
    /* DSSE: the exact payload bytes.  `fresh` payloads were built here and
     * get their bytes from the tree when signed; loaded ones never do. */
    struct intoto_buf body;
    int fresh;
    struct envelope_sig *sigs;
    size_t n_sigs;
    struct intoto_json_doc *sigdoc;    /* OpenPGP signatures made here */
};

static void
sigs_clear(struct intoto_envelope *env)
{
    size_t i;

    for (i = 0; i < env->n_sigs; i++) {
        free(env->sigs[i].keyid);
        intoto_buf_release(&env->sigs[i].raw);
    }
    free(env->sigs);
    env->sigs = NULL;
    env->n_sigs = 0;
}

void
intoto_envelope_free(struct intoto_envelope *env)
{
    if (env == NULL) {
        return;
    }
    sigs_clear(env);
    intoto_buf_release(&env->body);
    intoto_json_doc_free(env->doc);
    intoto_json_doc_free(env->filedoc);
    intoto_json_doc_free(env->sigdoc);
    free(env->name);
    free(env);
}

static struct intoto_envelope *
envelope_alloc(const char *name)
{
    struct intoto_envelope *env = calloc(1, sizeof(*env));

    if (env == NULL) {
        return NULL;
    }
    intoto_buf_init(&env->body);
    env->name = strdup(name);
    if (env->name == NULL) {
        free(env);
        return NULL;
    }
    return env;
}

/* Add a signature; takes raw's storage. */
static int
sig_push(struct intoto_envelope *env, const char *keyid,
         struct intoto_buf *raw, enum sig_state state,
         const struct intoto_json *orig)
{
    struct envelope_sig *sigs;
    struct envelope_sig *s;

    sigs = realloc(env->sigs, (env->n_sigs + 1) * sizeof(*sigs));
    if (sigs == NULL) {
        return INTOTO_ENOMEM;
    }
    env->sigs = sigs;
    s = &sigs[env->n_sigs];
    s->keyid = strdup(keyid);
    if (s->keyid == NULL) {
        return INTOTO_ENOMEM;
    }
    s->raw = *raw;
    intoto_buf_init(raw);
    s->state = state;
    s->orig = orig;
    env->n_sigs++;
    return INTOTO_OK;
}

/* Only the members in `allowed` (NULL-terminated) may appear. */
static int
check_members(const struct intoto_json *obj, const char *const *allowed,
              const char *what, const char *name, struct intoto_error *err)
{
    size_t len = 0;
    const char *key = intoto_json_unknown_key(obj, allowed, &len);

    if (key != NULL) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "'%s': unknown field '%.*s' in %s", name,
                                (int)len, key, what);
    }
    return INTOTO_OK;
}

/* One entry of "signatures".  A signature that is not hex or base64 is
 * kept, marked, and fails verification with a message naming the file. */
static int
parse_sig(struct intoto_envelope *env, const struct intoto_json *obj,
          struct intoto_error *err)
{
    /* signature, other_headers: OpenPGP (Py); cert: written empty by
     * Go. */
    static const char *const allowed[] = { "keyid", "sig", "other_headers",
                                           "signature", "cert", NULL };
    const char *keyid = intoto_json_str(intoto_json_get(obj, "keyid"));
    int dsse = env->kind == INTOTO_ENVELOPE_DSSE;
    int pgp = !dsse && intoto_pgp_is_signature(obj);
    struct intoto_json *sigv = intoto_json_get(obj, pgp ? "signature"
                                                        : "sig");
    enum sig_state state = SIG_OK;
    struct intoto_buf raw;
    const char *sig;
    size_t len = 0;
    int rc;

    intoto_buf_init(&raw);
    sig = intoto_json_strl(sigv, &len);
    if (!intoto_json_is(obj, INTOTO_JSON_OBJECT) || sig == NULL ||
        (keyid == NULL && !(dsse && intoto_json_get(obj, "keyid") == NULL))) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "'%s': a signature lacks keyid or sig",
                                env->name);
    }
    rc = check_members(obj, allowed, "a signature", env->name, err);
    if (rc != INTOTO_OK) {
        return rc;
    }

    if (pgp) {
        state = SIG_OPENPGP;
    } else if (dsse) {
        rc = intoto__base64_decode(&raw, sig, len);
    } else {
        rc = intoto__hex_decode(&raw, sig, len);
    }
    if (rc == INTOTO_EPARSE) {
        state = SIG_BAD_ENCODING;
        rc = INTOTO_OK;
    }
    if (rc == INTOTO_OK) {
        rc = sig_push(env, keyid ? keyid : "", &raw, state, obj);
    }
    intoto_buf_release(&raw);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }
    return rc;
}

static int
parse_sigs(struct intoto_envelope *env, const struct intoto_json *arr,
           struct intoto_error *err)
{
    size_t i;
    int rc;

    if (!intoto_json_is(arr, INTOTO_JSON_ARRAY)) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "'%s': signatures is not a list", env->name);
    }
    for (i = 0; i < intoto_json_len(arr); i++) {
        rc = parse_sig(env, intoto_json_at(arr, i), err);
        if (rc != INTOTO_OK) {
            return rc;
        }
    }
    return INTOTO_OK;
}

static int
parse_metablock(struct intoto_envelope *env, struct intoto_json *root,
                struct intoto_error *err)
{
    static const char *const allowed[] = { "signatures", "signed", NULL };
    struct intoto_json *signed_ = intoto_json_get(root, "signed");
    int rc;

    rc = check_members(root, allowed, "the envelope", env->name, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (!intoto_json_is(signed_, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "'%s': signed is not an object", env->name);
    }
    env->kind = INTOTO_ENVELOPE_METABLOCK;
    env->payload = signed_;
    return parse_sigs(env, intoto_json_get(root, "signatures"), err);
}

/* DSSE (SPEC-NOTES 2.4): decode the payload and parse exactly those
 * bytes; they are what the signatures cover. */
static int
parse_dsse(struct intoto_envelope *env, struct intoto_json *root,
           struct intoto_error *err)
{
    static const char *const allowed[] = { "payload", "payloadType",
                                           "signatures", NULL };
    const char *type = intoto_json_str(intoto_json_get(root, "payloadType"));
    const char *b64;
    size_t len = 0;
    int rc;

    rc = check_members(root, allowed, "the envelope", env->name, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    b64 = intoto_json_strl(intoto_json_get(root, "payload"), &len);
    if (b64 == NULL || type == NULL) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "'%s': payload or payloadType is not a "
                                "string", env->name);
    }
    if (strcmp(type, INTOTO_DSSE_PAYLOAD_TYPE) != 0) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                "'%s': unsupported payloadType '%s'",
                                env->name, type);
    }
    env->kind = INTOTO_ENVELOPE_DSSE;
    rc = intoto__base64_decode(&env->body, b64, len);
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "'%s': payload is not valid base64",
                                env->name);
    }

    rc = intoto_json_parse(&env->doc, env->body.data, env->body.len,
                           env->name, err);
    if (rc != INTOTO_OK) {
        return intoto_error_wrap(err, "DSSE payload");
    }
    env->payload = intoto_json_root(env->doc);
    if (!intoto_json_is(env->payload, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE,
                                "'%s': DSSE payload is not an object",
                                env->name);
    }
    return parse_sigs(env, intoto_json_get(root, "signatures"), err);
}

int
intoto_envelope_parse(struct intoto_envelope **out, const char *data,
                      size_t len, const char *name, struct intoto_error *err)
{
    struct intoto_envelope *env;
    struct intoto_json *root;
    int rc;

    *out = NULL;
    env = envelope_alloc(name ? name : "<input>");
    if (env == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    rc = intoto_json_parse(&env->filedoc, data, len, env->name, err);
    if (rc != INTOTO_OK) {
        goto out;
    }

    root = intoto_json_root(env->filedoc);
    if (intoto_json_get(root, "payload") != NULL) {
        rc = parse_dsse(env, root, err);
    } else if (intoto_json_get(root, "signed") != NULL) {
        rc = parse_metablock(env, root, err);
    } else {
        rc = intoto_error_set(err, INTOTO_EPARSE,
                              "'%s': neither a Metablock nor a DSSE envelope",
                              env->name);
    }
    if (rc == INTOTO_OK) {
        *out = env;
        env = NULL;
    }

out:
    intoto_envelope_free(env);
    return rc;
}

int
intoto_envelope_load(struct intoto_envelope **out, const char *path,
                     struct intoto_error *err)
{
    struct intoto_buf data;
    int rc;

    *out = NULL;
    intoto_buf_init(&data);
    rc = intoto__fs_read(&data, path, INTOTO_JSON_MAX_FILE, err);
    if (rc == INTOTO_OK) {
        rc = intoto_envelope_parse(out, data.data ? data.data : "", data.len,
                                   path, err);
    }
    intoto_buf_release(&data);
    return rc;
}

int
intoto_envelope_new(struct intoto_envelope **out,
                    enum intoto_envelope_kind kind,
                    struct intoto_json_doc *payload, struct intoto_error *err)
{
    struct intoto_envelope *env;

    *out = NULL;
    if (!intoto_json_is(intoto_json_root(payload), INTOTO_JSON_OBJECT)) {
        intoto_json_doc_free(payload);
        return intoto_error_set(err, INTOTO_EINVAL,
                                "the payload is not a JSON object");
    }
    env = envelope_alloc("<new>");
    if (env == NULL) {
        intoto_json_doc_free(payload);
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    env->kind = kind;
    env->doc = payload;
    env->payload = intoto_json_root(payload);
    env->fresh = 1;
    *out = env;
    return INTOTO_OK;
}

enum intoto_envelope_kind
intoto_envelope_kind(const struct intoto_envelope *env)
{
    return env->kind;
}

struct intoto_json *
intoto_envelope_payload(const struct intoto_envelope *env)
{
    return env->payload;
}

const char *
intoto_envelope_type(const struct intoto_envelope *env)
{
    return intoto_json_str(intoto_json_get(env->payload, "_type"));
}

const char *
intoto_envelope_name(const struct intoto_envelope *env)
{
    return env->name;
}

size_t
intoto_envelope_sig_count(const struct intoto_envelope *env)
{
    return env->n_sigs;
}

const char *
intoto_envelope_sig_keyid(const struct intoto_envelope *env, size_t i)
{
    return i < env->n_sigs ? env->sigs[i].keyid : NULL;
}

/* The bytes the payload is carried as: a loaded DSSE payload exactly as
 * decoded, a built one as compact JSON (what the reference writes). */
static int
payload_bytes(struct intoto_buf *out, const struct intoto_envelope *env)
{
    if (env->fresh) {
        return intoto_json_compact(out, env->payload);
    }
    return intoto_buf_add(out, env->body.data, env->body.len);
}

/* What the signatures cover: the canonical JSON of "signed" as parsed
 * (SPEC-NOTES 2.1), or PAE(payloadType, payload) for DSSE (2.4). */
static int
signed_bytes(struct intoto_buf *out, const struct intoto_envelope *env,
             struct intoto_error *err)
{
    struct intoto_buf body;
    int rc;

    if (env->kind == INTOTO_ENVELOPE_METABLOCK) {
        rc = intoto_json_canonical(out, env->payload);
        if (rc != INTOTO_OK) {
            intoto_error_set(err, rc, "'%s': cannot encode the payload",
                             env->name);
        }
        return rc;
    }

    intoto_buf_init(&body);
    rc = payload_bytes(&body, env);
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addf(out, "DSSEv1 %zu %s %zu ",
                             strlen(INTOTO_DSSE_PAYLOAD_TYPE),
                             INTOTO_DSSE_PAYLOAD_TYPE, body.len);
    }
    if (rc == INTOTO_OK) {
        rc = intoto_buf_add(out, body.data, body.len);
    }
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "'%s': cannot encode the payload",
                         env->name);
    }
    intoto_buf_release(&body);
    return rc;
}

static int
sig_matches(const struct intoto_envelope *env, const struct envelope_sig *s,
            const struct intoto_key *key)
{
    const struct intoto_json *pgp = intoto_key_pgp(key);

    /* An OpenPGP key also signs through its subkeys. */
    if (pgp != NULL) {
        return s->state == SIG_OPENPGP &&
               intoto_pgp_find_key(pgp, s->keyid) != NULL;
    }
    if (strcmp(s->keyid, intoto_key_id(key)) == 0) {
        return 1;
    }
    /* DSSE makes keyid optional: an unnamed signature is tried too. */
    return env->kind == INTOTO_ENVELOPE_DSSE && s->keyid[0] == '\0';
}

static int
check_one(const struct intoto_envelope *env, const struct envelope_sig *s,
          const struct intoto_key *key, const struct intoto_buf *data,
          struct intoto_error *sub)
{
    switch (s->state) {
    case SIG_BAD_ENCODING:
        return intoto_error_set(sub, INTOTO_EVERIFY,
                                "sig is not valid %s",
                                env->kind == INTOTO_ENVELOPE_DSSE ? "base64"
                                                                  : "hex");
    case SIG_OPENPGP:
        if (intoto_key_pgp(key) == NULL) {
            return intoto_error_set(sub, INTOTO_EVERIFY,
                                    "an OpenPGP signature, but the key is "
                                    "not an OpenPGP key");
        }
        return intoto_pgp_verify(intoto_pgp_find_key(intoto_key_pgp(key),
                                                     s->keyid),
                                 s->orig, data->data, data->len, sub);
    case SIG_OK:
        break;
    }
    return intoto_key_verify(key, data->data, data->len, s->raw.data,
                             s->raw.len, sub);
}

int
intoto_envelope_verify(const struct intoto_envelope *env,
                       const struct intoto_key *key, struct intoto_error *err)
{
    const char *keyid = intoto_key_id(key);
    struct intoto_error first, sub;
    struct intoto_buf data;
    size_t i, matched = 0;
    int seen_verify = 0;
    int rc;

    intoto_buf_init(&data);
    intoto_error_init(&first);
    rc = signed_bytes(&data, env, err);
    if (rc != INTOTO_OK) {
        goto out;
    }

    /* Any one valid signature by the key is enough (the reference checks
     * only the first; see layout-duplicate-signature-first-bad). */
    for (i = 0; i < env->n_sigs; i++) {
        if (!sig_matches(env, &env->sigs[i], key)) {
            continue;
        }
        intoto_error_init(&sub);
        rc = check_one(env, &env->sigs[i], key, &data, &sub);
        if (rc == INTOTO_OK) {
            goto out;
        }
        seen_verify |= rc == INTOTO_EVERIFY;
        if (matched++ == 0) {
            first = sub;
        }
    }

    if (matched == 0) {
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "'%s': no signature by key %s", env->name,
                              keyid);
        goto out;
    }
    rc = intoto_error_set(err, seen_verify ? INTOTO_EVERIFY : first.code,
                          "'%s': signature by key %s: %s", env->name, keyid,
                          first.msg);

out:
    intoto_buf_release(&data);
    return rc;
}

int
intoto_envelope_sign(struct intoto_envelope *env,
                     const struct intoto_key *key, int append,
                     struct intoto_error *err)
{
    const char *keyid = intoto_key_id(key);
    struct intoto_buf data, raw;
    size_t i, kept = 0;
    int rc;

    intoto_buf_init(&data);
    intoto_buf_init(&raw);
    rc = signed_bytes(&data, env, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = intoto_key_sign(&raw, key, data.data, data.len, err);
    if (rc != INTOTO_OK) {
        goto out;
    }

    for (i = 0; i < env->n_sigs; i++) {
        struct envelope_sig *s = &env->sigs[i];

        if (append && strcmp(s->keyid, keyid) != 0) {
            env->sigs[kept++] = *s;
            continue;
        }
        free(s->keyid);
        intoto_buf_release(&s->raw);
    }
    env->n_sigs = kept;
    rc = sig_push(env, keyid, &raw, SIG_OK, NULL);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }

out:
    intoto_buf_release(&data);
    intoto_buf_release(&raw);
    return rc;
}

void
intoto_envelope_clear_signatures(struct intoto_envelope *env)
{
    sigs_clear(env);
}

/* Drop the signatures by keyid. */
static void
drop_sigs(struct intoto_envelope *env, const char *keyid)
{
    size_t i, kept = 0;

    for (i = 0; i < env->n_sigs; i++) {
        struct envelope_sig *s = &env->sigs[i];

        if (strcmp(s->keyid, keyid) != 0) {
            env->sigs[kept++] = *s;
            continue;
        }
        free(s->keyid);
        intoto_buf_release(&s->raw);
    }
    env->n_sigs = kept;
}

/* gpg signs the same bytes as a key would (SPEC-NOTES 2.3); the signature
 * object it gives is kept whole and written back as it is. */
int
intoto_envelope_sign_pgp(struct intoto_envelope *env, const char *keyid,
                         const char *home, struct intoto_error *err)
{
    struct intoto_json *sig = NULL;
    struct intoto_buf data, none;
    const char *sigkeyid;
    int rc;

    intoto_buf_init(&data);
    intoto_buf_init(&none);
    if (env->kind != INTOTO_ENVELOPE_METABLOCK) {
        rc = intoto_error_set(err, INTOTO_EUNSUPPORTED,
                              "'%s': OpenPGP signatures need a Metablock; "
                              "a DSSE envelope cannot carry them", env->name);
        goto out;
    }
    if (env->sigdoc == NULL) {
        env->sigdoc = intoto_json_doc_new();
    }
    if (env->sigdoc == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }
    rc = signed_bytes(&data, env, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = intoto_pgp_sign(&sig, env->sigdoc, keyid, home, data.data, data.len,
                         err);
    if (rc != INTOTO_OK) {
        intoto_error_wrap(err, "'%s'", env->name);
        goto out;
    }

    sigkeyid = intoto_json_str(intoto_json_get(sig, "keyid"));
    drop_sigs(env, sigkeyid);
    rc = sig_push(env, sigkeyid, &none, SIG_OPENPGP, sig);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }

out:
    intoto_buf_release(&data);
    return rc;
}

int
intoto_envelope_set_kind(struct intoto_envelope *env,
                         enum intoto_envelope_kind kind,
                         struct intoto_error *err)
{
    (void)err;
    if (env->kind == kind) {
        return INTOTO_OK;
    }
    sigs_clear(env);
    env->kind = kind;
    if (kind == INTOTO_ENVELOPE_DSSE) {
        env->fresh = 1;
        intoto_buf_release(&env->body);
    }
    return INTOTO_OK;
}

/* ---- writing ---- */

static struct intoto_json *
str_value(struct intoto_json_doc *doc, const struct intoto_buf *b)
{
    return intoto_json_new_strl(doc, b->data ? b->data : "", b->len);
}

/* {"keyid", "sig"} with sig in hex (Metablock) or base64 (DSSE). */
static struct intoto_json *
sig_object(struct intoto_json_doc *doc, const struct intoto_envelope *env,
           const struct envelope_sig *s)
{
    struct intoto_json *obj;
    struct intoto_buf enc;
    int rc;

    if (s->orig != NULL) {
        return intoto_json_copy(doc, s->orig);
    }
    intoto_buf_init(&enc);
    obj = intoto_json_new_object(doc);
    if (env->kind == INTOTO_ENVELOPE_DSSE) {
        rc = intoto__base64_encode(&enc, s->raw.data, s->raw.len);
    } else {
        rc = intoto__hex_encode(&enc, s->raw.data, s->raw.len);
    }
    if (obj == NULL || rc != INTOTO_OK ||
        intoto_json_set(doc, obj, "keyid", intoto_json_new_str(doc, s->keyid))
            != INTOTO_OK ||
        intoto_json_set(doc, obj, "sig", str_value(doc, &enc)) != INTOTO_OK) {
        obj = NULL;
    }
    intoto_buf_release(&enc);
    return obj;
}

/* The envelope as a JSON tree in doc (the payload copied in). */
static int
build_tree(struct intoto_json_doc *doc, const struct intoto_envelope *env)
{
    struct intoto_json *root = intoto_json_new_object(doc);
    struct intoto_json *sigs = intoto_json_new_array(doc);
    struct intoto_buf body, b64;
    size_t i;
    int rc = INTOTO_ENOMEM;

    intoto_buf_init(&body);
    intoto_buf_init(&b64);
    if (root == NULL || sigs == NULL) {
        goto out;
    }
    for (i = 0; i < env->n_sigs; i++) {
        if (intoto_json_append(doc, sigs, sig_object(doc, env, &env->sigs[i]))
            != INTOTO_OK) {
            goto out;
        }
    }

    if (env->kind == INTOTO_ENVELOPE_METABLOCK) {
        if (intoto_json_set(doc, root, "signatures", sigs) != INTOTO_OK ||
            intoto_json_set(doc, root, "signed",
                            intoto_json_copy(doc, env->payload)) != INTOTO_OK) {
            goto out;
        }
    } else if (payload_bytes(&body, env) != INTOTO_OK ||
               intoto__base64_encode(&b64, body.data, body.len) != INTOTO_OK ||
               intoto_json_set(doc, root, "payload", str_value(doc, &b64))
                   != INTOTO_OK ||
               intoto_json_set(doc, root, "payloadType",
                               intoto_json_new_str(doc,
                                                   INTOTO_DSSE_PAYLOAD_TYPE))
                   != INTOTO_OK ||
               intoto_json_set(doc, root, "signatures", sigs) != INTOTO_OK) {
        goto out;
    }
    intoto_json_set_root(doc, root);
    rc = INTOTO_OK;

out:
    intoto_buf_release(&body);
    intoto_buf_release(&b64);
    return rc;
}

int
intoto_envelope_serialize(struct intoto_buf *out,
                          const struct intoto_envelope *env,
                          struct intoto_error *err)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    int rc = INTOTO_ENOMEM;

    if (doc == NULL) {
        goto out;
    }
    rc = build_tree(doc, env);
    if (rc != INTOTO_OK) {
        goto out;
    }
    /* The reference writes Metablocks with json.dumps(indent=1,
     * sort_keys=True) and DSSE envelopes on one line. */
    if (env->kind == INTOTO_ENVELOPE_METABLOCK) {
        rc = intoto_json_pretty(out, intoto_json_root(doc));
    } else {
        rc = intoto_json_compact(out, intoto_json_root(doc));
    }

out:
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "cannot encode '%s'", env->name);
    }
    intoto_json_doc_free(doc);
    return rc;
}

int
intoto_envelope_write(const struct intoto_envelope *env, const char *path,
                      struct intoto_error *err)
{
    struct intoto_buf data;
    int rc;

    intoto_buf_init(&data);
    rc = intoto_envelope_serialize(&data, env, err);
    if (rc == INTOTO_OK) {
        rc = intoto__fs_write_atomic(path, data.data, data.len, 0644, err);
    }
    intoto_buf_release(&data);
    return rc;
}
