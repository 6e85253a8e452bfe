/* SPDX-License-Identifier: Apache-2.0 */
/* Supply chain verification (spec §5; reference verifylib.in_toto_verify). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <intoto/archive.h>
#include <intoto/buf.h>
#include <intoto/envelope.h>
#include <intoto/record.h>
#include <intoto/run.h>
#include <intoto/verify.h>

#include "fs.h"

/* One link accepted for a step (or an inspection's fresh link). */
struct vlink {
    char *file;                        /* path, for messages */
    const char *keyid;                 /* borrowed from the layout */
    struct intoto_key *key;            /* borrowed from the key cache */
    struct intoto_envelope *env;       /* owned until packed, or NULL */
    const struct intoto_json *payload; /* the link object, while env */
    /* What verification needs from a link, kept after env is freed. */
    struct intoto_artifacts *materials;
    struct intoto_artifacts *products;
    char **command;
    size_t n_command;
};

struct vstep {
    const struct intoto_item *item;
    struct vlink *links;
    size_t n_links;
    struct intoto_json *rep;
};

struct dirid {
    dev_t dev;
    ino_t ino;
};

struct vctx {
    const struct intoto_verify_opts *opts;
    struct intoto_json_doc *rdoc;      /* report document or NULL */
    struct intoto_json *warnings;
    struct dirid dirs[64];             /* link directories being verified */
    size_t n_dirs;
};

/* One (sub)layout under verification. */
struct vlayout {
    struct vctx *c;
    const char *path;                  /* layout file, for messages */
    const char *link_dir;              /* NULL: current directory */
    const char *name;                  /* sublayout: its step, else NULL */
    int depth;
    struct intoto_layout *layout;
    struct intoto_key **keys;          /* cache, one per layout key */
    struct vstep *steps;
    struct vlink *insp;
    size_t n_insp;
    struct intoto_rule_link *rlinks;
    size_t n_rlinks;
    struct intoto_json *rep;
};

void
intoto_verify_opts_init(struct intoto_verify_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->inspection_timeout = 10;
    opts->write_inspection_links = 1;
    opts->max_depth = 8;
}

/* ---- report helpers: all no-ops without a report document ----------- */

static struct intoto_json *
rep_add(struct vctx *c, struct intoto_json *parent, const char *key,
        struct intoto_json *v)
{
    if (c->rdoc == NULL || parent == NULL || v == NULL) {
        return NULL;
    }
    if (intoto_json_is(parent, INTOTO_JSON_ARRAY)) {
        return intoto_json_append(c->rdoc, parent, v) == INTOTO_OK ? v : NULL;
    }
    return intoto_json_set(c->rdoc, parent, key, v) == INTOTO_OK ? v : NULL;
}

static struct intoto_json *
rep_obj(struct vctx *c, struct intoto_json *parent, const char *key)
{
    return c->rdoc ? rep_add(c, parent, key, intoto_json_new_object(c->rdoc))
                   : NULL;
}

static struct intoto_json *
rep_arr(struct vctx *c, struct intoto_json *parent, const char *key)
{
    return c->rdoc ? rep_add(c, parent, key, intoto_json_new_array(c->rdoc))
                   : NULL;
}

static void
rep_str(struct vctx *c, struct intoto_json *parent, const char *key,
        const char *s)
{
    if (c->rdoc != NULL && s != NULL) {
        rep_add(c, parent, key, intoto_json_new_str(c->rdoc, s));
    }
}

static void
rep_int(struct vctx *c, struct intoto_json *parent, const char *key,
        int64_t i)
{
    if (c->rdoc != NULL) {
        rep_add(c, parent, key, intoto_json_new_int(c->rdoc, i));
    }
}

static void
rep_bool(struct vctx *c, struct intoto_json *parent, const char *key, int b)
{
    if (c->rdoc != NULL) {
        rep_add(c, parent, key, intoto_json_new_bool(c->rdoc, b));
    }
}

static void
rep_strings(struct vctx *c, struct intoto_json *parent, const char *key,
            char *const *v, size_t n)
{
    struct intoto_json *arr = rep_arr(c, parent, key);
    size_t i;

    for (i = 0; arr != NULL && i < n; i++) {
        rep_str(c, arr, NULL, v[i]);
    }
}

struct trace_ctx {
    struct vctx *c;
    struct intoto_json *arr;
};

static void
rule_trace(void *ctx, const struct intoto_rule_result *res)
{
    struct trace_ctx *t = ctx;
    struct intoto_json *o = rep_obj(t->c, t->arr, NULL);

    rep_str(t->c, o, "rule", intoto_rule_text(res->rule));
    rep_int(t->c, o, "consumed", (int64_t)res->consumed);
    rep_int(t->c, o, "left", (int64_t)res->left);
    if (res->failure != NULL) {
        rep_str(t->c, o, "failure", res->failure);
    }
}

/* A warning goes to the log and the report. */
static void warn(struct vctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn(struct vctx *c, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    intoto_log(c->opts->log, INTOTO_LOG_WARN, "%s", msg);
    rep_str(c, c->warnings, NULL, msg);
}

/* ---- links ------------------------------------------------------------ */

static const char *const link_fields[] = {
    "_type", "byproducts", "command", "environment", "materials", "name",
    "products", NULL
};

/* A clean relative path: no empty, "." or ".." segment, no leading '/'
 * (CVE-2021-41087: "x/../foo" must not slip past a rule on "foo"). */
static int
clean_name(const char *s, size_t len)
{
    size_t i = 0, seg;

    if (len == 0 || strlen(s) != len) {
        return 0;
    }
    while (i <= len) {
        seg = strcspn(s + i, "/");
        if (seg == 0 || (seg == 1 && s[i] == '.') ||
            (seg == 2 && s[i] == '.' && s[i + 1] == '.')) {
            return 0;
        }
        i += seg + 1;
    }
    return 1;
}

#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

/* High bit set in each byte of x (all bytes below 0x80) that lies
 * strictly between lo and hi. */
static uint64_t
bytes_between(uint64_t x, unsigned lo, unsigned hi)
{
    return (ONES * (127 + hi) - x) & ~x & (x + ONES * (127 - lo)) & HIGH;
}

/* Hex digits, eight bytes at a time: hashes make up most of a large
 * link, so this runs over every byte of them. */
static int
is_hex_string(const char *v, size_t len)
{
    unsigned bad = 0;
    size_t i = 0;

    for (; i + 8 <= len; i += 8) {
        uint64_t x, ok;

        memcpy(&x, v + i, 8);
        if (x & HIGH) {
            return 0;
        }
        ok = bytes_between(x, '0' - 1, '9' + 1) |
             bytes_between(x | (ONES * 0x20), 'a' - 1, 'f' + 1);
        bad |= ok != HIGH;
    }
    for (; i < len; i++) {
        unsigned c = (unsigned char)v[i];

        bad |= !((c - '0' < 10) | ((c | 0x20) - 'a' < 6));
    }
    return len > 0 && bad == 0;
}

static int
check_hashes(const struct intoto_json *h)
{
    size_t i, n = intoto_json_len(h), len;
    const char *v;

    if (!intoto_json_is(h, INTOTO_JSON_OBJECT)) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        v = intoto_json_strl(intoto_json_value_at(h, i), &len);
        if (v == NULL || !is_hex_string(v, len)) {
            return 0;
        }
    }
    return 1;
}

static int
check_artifacts(const struct intoto_json *arts, const char *what,
                struct intoto_error *err)
{
    size_t i, len, n = intoto_json_len(arts);
    const char *name;

    if (arts == NULL) {
        return INTOTO_OK;
    }
    if (!intoto_json_is(arts, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE, "'%s' is not an object",
                                what);
    }
    for (i = 0; i < n; i++) {
        name = intoto_json_key_at(arts, i, &len);
        if (!clean_name(name, len)) {
            return intoto_error_set(err, INTOTO_EVERIFY, "%s: artifact name "
                                    "'%.*s' is not a clean relative path",
                                    what, (int)len, name);
        }
        if (!check_hashes(intoto_json_value_at(arts, i))) {
            return intoto_error_set(err, INTOTO_EPARSE, "%s: '%.*s' has no "
                                    "valid hash object", what, (int)len,
                                    name);
        }
    }
    return INTOTO_OK;
}

static int
check_link_fields(const struct intoto_json *p, struct intoto_error *err)
{
    size_t i, len, k;
    const char *key;
    const struct intoto_json *cmd = intoto_json_get(p, "command");

    for (i = 0; i < intoto_json_len(p); i++) {
        key = intoto_json_key_at(p, i, &len);
        for (k = 0; link_fields[k] != NULL; k++) {
            if (strlen(link_fields[k]) == len &&
                memcmp(link_fields[k], key, len) == 0) {
                break;
            }
        }
        if (link_fields[k] == NULL) {
            return intoto_error_set(err, INTOTO_EUNSUPPORTED, "link has "
                                    "unknown field '%.*s'", (int)len, key);
        }
    }
    for (i = 0; i < intoto_json_len(cmd); i++) {
        if (!intoto_json_is(intoto_json_at(cmd, i), INTOTO_JSON_STRING)) {
            return intoto_error_set(err, INTOTO_EPARSE, "link 'command' "
                                    "item %zu is not a string", i + 1);
        }
    }
    if ((cmd && !intoto_json_is(cmd, INTOTO_JSON_ARRAY)) ||
        (intoto_json_get(p, "byproducts") &&
         !intoto_json_is(intoto_json_get(p, "byproducts"),
                         INTOTO_JSON_OBJECT)) ||
        (intoto_json_get(p, "environment") &&
         !intoto_json_is(intoto_json_get(p, "environment"),
                         INTOTO_JSON_OBJECT))) {
        return intoto_error_set(err, INTOTO_EPARSE, "link 'command', "
                                "'byproducts' or 'environment' has the "
                                "wrong type");
    }
    return INTOTO_OK;
}

int
intoto_link_check(const struct intoto_json *payload,
                  const char *expect_name, struct intoto_error *err)
{
    const char *type = intoto_json_str(intoto_json_get(payload, "_type"));
    const char *name = intoto_json_str(intoto_json_get(payload, "name"));
    int rc;

    if (!intoto_json_is(payload, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE, "link is not an object");
    }
    rc = check_link_fields(payload, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (type == NULL || strcmp(type, "link") != 0) {
        return intoto_error_set(err, INTOTO_EPARSE, "'_type' is not 'link'");
    }
    if (expect_name != NULL && (name == NULL ||
                                strcmp(name, expect_name) != 0)) {
        return intoto_error_set(err, INTOTO_EVERIFY, "the link is for step "
                                "'%s', not '%s'", name ? name : "",
                                expect_name);
    }
    rc = check_artifacts(intoto_json_get(payload, "materials"), "materials",
                         err);
    if (rc == INTOTO_OK) {
        rc = check_artifacts(intoto_json_get(payload, "products"),
                             "products", err);
    }
    return rc;
}

static char *
join_path(const char *dir, const char *file)
{
    size_t dl = dir ? strlen(dir) : 0, fl = strlen(file);
    char *p = malloc(dl + fl + 2);

    if (p == NULL) {
        return NULL;
    }
    if (dl == 0) {
        memcpy(p, file, fl + 1);
        return p;
    }
    memcpy(p, dir, dl);
    if (dir[dl - 1] != '/') {
        p[dl++] = '/';
    }
    memcpy(p + dl, file, fl + 1);
    return p;
}

static void
free_command(char **cmd, size_t n)
{
    size_t i;

    for (i = 0; cmd != NULL && i < n; i++) {
        free(cmd[i]);
    }
    free(cmd);
}

static void
release_vlink(struct vlink *l)
{
    free(l->file);
    intoto_envelope_free(l->env);
    intoto_artifacts_free(l->materials);
    intoto_artifacts_free(l->products);
    free_command(l->command, l->n_command);
    memset(l, 0, sizeof(*l));
}

/* Keep what verification needs of a checked link (its artifacts packed,
 * its command) and free the rest: large links are read one at a time. */
static int
pack_link(struct vlink *l, struct intoto_error *err)
{
    const struct intoto_json *cmd = intoto_json_get(l->payload, "command");
    size_t i, n = intoto_json_len(cmd);
    int rc;

    rc = intoto_artifacts_from_json(&l->materials,
                                    intoto_json_get(l->payload, "materials"),
                                    err);
    if (rc == INTOTO_OK) {
        rc = intoto_artifacts_from_json(&l->products,
                                        intoto_json_get(l->payload,
                                                        "products"), err);
    }
    if (rc != INTOTO_OK) {
        return rc;
    }
    l->command = calloc(n + 1, sizeof(*l->command));
    if (l->command == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        l->command[i] = strdup(intoto_json_str(intoto_json_at(cmd, i)));
        if (l->command[i] == NULL) {
            return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        }
        l->n_command = i + 1;
    }
    intoto_envelope_free(l->env);
    l->env = NULL;
    l->payload = NULL;
    return INTOTO_OK;
}

static const char *const key_fields[] = {
    "keyid", "keyid_hash_algorithms", "keytype", "keyval", "scheme", NULL
};
static const char *const keyval_fields[] = { "private", "public", NULL };
/* The reference's OpenPGP key dicts (securesystemslib gpg format). */
static const char *const pgp_key_fields[] = {
    "creation_time", "hashes", "keyid", "keyval", "method", "subkeys",
    "type", "validity_period", NULL
};

static int
only_fields(const struct intoto_json *obj, const char *const *allowed,
            const char *keyid, struct intoto_error *err)
{
    size_t len = 0;
    const char *key = intoto_json_unknown_key(obj, allowed, &len);

    if (key != NULL) {
        return intoto_error_set(err, INTOTO_EUNSUPPORTED, "layout key "
                                "'%s' has unknown field '%.*s'", keyid,
                                (int)len, key);
    }
    return INTOTO_OK;
}

/* A layout key object: known fields only, and its "keyid" must be the id
 * it is listed under (both references require it). */
static int
check_key_object(const struct intoto_json *obj, const char *keyid,
                 struct intoto_error *err)
{
    const char *own = intoto_json_str(intoto_json_get(obj, "keyid"));
    const char *method = intoto_json_str(intoto_json_get(obj, "method"));
    int pgp = method != NULL && strncmp(method, "pgp+", 4) == 0;
    int rc;

    if (!intoto_json_is(obj, INTOTO_JSON_OBJECT)) {
        return intoto_error_set(err, INTOTO_EPARSE, "layout key '%s' is "
                                "not an object", keyid);
    }

    rc = only_fields(obj, pgp ? pgp_key_fields : key_fields, keyid, err);
    if (rc == INTOTO_OK) {
        rc = only_fields(intoto_json_get(obj, "keyval"), keyval_fields,
                         keyid, err);
    }
    if (rc == INTOTO_OK && (own == NULL || strcmp(own, keyid) != 0)) {
        rc = intoto_error_set(err, INTOTO_EPARSE, "layout key '%s' names "
                              "itself '%s'", keyid, own ? own : "");
    }
    return rc;
}

/* The index of the layout key listed under keyid, or of the OpenPGP key
 * that lists keyid as a subkey (verify_link_signature_thresholds checks
 * a subkey's signature with its main key), or SIZE_MAX. */
static size_t
key_index(const struct intoto_json *keys, const char *keyid)
{
    size_t i, n = intoto_json_len(keys), len;
    const char *k;

    for (i = 0; i < n; i++) {
        k = intoto_json_key_at(keys, i, &len);
        if (strlen(keyid) == len && memcmp(k, keyid, len) == 0) {
            return i;
        }
    }
    for (i = 0; i < n; i++) {
        if (intoto_json_get(intoto_json_get(intoto_json_value_at(keys, i),
                                            "subkeys"), keyid) != NULL) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The key the layout lists under keyid, parsed once.  NULL (and no error)
 * when the layout has no such key. */
static int
layout_key(struct intoto_key **out, struct vlayout *v, const char *keyid,
           struct intoto_error *err)
{
    const struct intoto_json *keys = v->layout->keys;
    size_t i = key_index(keys, keyid), len;
    const char *id;
    int rc;

    *out = NULL;
    if (i == SIZE_MAX) {
        return INTOTO_OK;
    }
    id = intoto_json_key_at(keys, i, &len);
    if (v->keys[i] == NULL) {
        rc = check_key_object(intoto_json_value_at(keys, i), id, err);
        if (rc != INTOTO_OK) {
            return rc;
        }
        rc = intoto_key_from_json(&v->keys[i], intoto_json_value_at(keys, i),
                                  id, err);
        if (rc != INTOTO_OK) {
            return intoto_error_wrap(err, "layout key '%s'", id);
        }
    }
    *out = v->keys[i];
    return INTOTO_OK;
}

/* The same key material under two key ids must count once: compare the
 * type and the public key, ignoring trailing whitespace of the PEM. */
static int
same_key(const struct intoto_key *a, const struct intoto_key *b)
{
    const char *pa = intoto_key_public(a), *pb = intoto_key_public(b);
    size_t la = strlen(pa), lb = strlen(pb);

    while (la > 0 && strchr(" \t\r\n", pa[la - 1]) != NULL) {
        la--;
    }
    while (lb > 0 && strchr(" \t\r\n", pb[lb - 1]) != NULL) {
        lb--;
    }
    return strcmp(intoto_key_type(a), intoto_key_type(b)) == 0 &&
           la == lb && memcmp(pa, pb, la) == 0;
}

/* ---- 1. layout signatures, 2. expiry ---------------------------------- */

/* Every given key must have signed (verify_layout_signatures); any one
 * valid signature by the key is enough (DSSE; corpus case tagged
 * "differs"). */
static int
check_layout_sigs(struct vlayout *v, const struct intoto_envelope *env,
                  struct intoto_key *const *keys, size_t n,
                  struct intoto_error *err)
{
    struct intoto_json *arr = rep_arr(v->c, v->rep, "layout_keys");
    struct intoto_buf who;
    size_t i, k;
    int rc = INTOTO_OK;

    if (n == 0) {
        return intoto_error_set(err, INTOTO_EINVAL, "layout '%s': no key "
                                "to verify it with", v->path);
    }
    for (i = 0; i < n && rc == INTOTO_OK; i++) {
        struct intoto_json *o = rep_obj(v->c, arr, NULL);

        rc = intoto_envelope_verify(env, keys[i], err);
        if (rc == INTOTO_OK) {
            intoto_log(v->c->opts->log, INTOTO_LOG_INFO, "layout '%s': "
                       "signed by key %s", v->path, intoto_key_id(keys[i]));
        }
        rep_str(v->c, o, "keyid", intoto_key_id(keys[i]));
        rep_bool(v->c, o, "signed", rc == INTOTO_OK);
    }
    if (rc != INTOTO_EVERIFY) {
        return rc == INTOTO_OK ? rc
                               : intoto_error_wrap(err, "layout '%s'",
                                                   v->path);
    }
    intoto_buf_init(&who);
    for (k = 0; k < intoto_envelope_sig_count(env); k++) {
        intoto_buf_addf(&who, "%s%.8s", k ? ", " : "",
                        intoto_envelope_sig_keyid(env, k));
    }
    intoto_error_set(err, INTOTO_EVERIFY, "layout '%s': no valid signature "
                     "by key %s (signatures present: %s)", v->path,
                     intoto_key_id(keys[i - 1]),
                     who.len ? who.data : "none");
    intoto_buf_release(&who);
    return INTOTO_EVERIFY;
}

static int
check_expiry(struct vlayout *v, struct intoto_error *err)
{
    time_t now = time(NULL);

    rep_str(v->c, v->rep, "expires", v->layout->expires);
    rep_bool(v->c, v->rep, "expired", now >= v->layout->expires_at);
    if (now >= v->layout->expires_at) {
        return intoto_error_set(err, INTOTO_EVERIFY, "layout '%s' expired "
                                "on %s", v->path, v->layout->expires);
    }
    return INTOTO_OK;
}

/* ---- 4. load links, 5. signatures and thresholds --------------------- */

struct candidate {
    struct vlayout *v;
    struct vstep *s;
    const char *keyid;             /* names the file */
    const char *auth;              /* the authorized key id it is for */
    struct intoto_json *rep;       /* this link's report object */
    struct intoto_buf *notes;      /* why links did not count */
};

static void
note(struct candidate *cd, const char *status, const char *file,
     const char *why)
{
    rep_str(cd->v->c, cd->rep, "status", status);
    intoto_buf_addf(cd->notes, "%s'%s' %s", cd->notes->len ? "; " : "",
                    file, why);
    intoto_log(cd->v->c->opts->log, INTOTO_LOG_INFO, "step '%s': '%s' %s",
               cd->s->item->name, file, why);
}

/* Load, check and keep one link file for cd->keyid.  Links that do not
 * count are noted, not errors; malformed files are errors. */
static int
load_candidate(struct candidate *cd, struct vlink *l, struct intoto_error *err)
{
    struct intoto_key *key = NULL;
    struct stat st;
    const char *type;
    size_t j;
    int rc;

    if (stat(l->file, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            note(cd, "missing", l->file, "not found");
            return INTOTO_ENOTFOUND;
        }
        return intoto_error_set(err, INTOTO_EIO, "cannot open '%s': %s",
                                l->file, strerror(errno));
    }
    /* Opening a FIFO would block: refuse anything but a regular file. */
    if (!S_ISREG(st.st_mode)) {
        return intoto_error_set(err, INTOTO_EINVAL, "'%s' is not a regular "
                                "file", l->file);
    }
    rc = layout_key(&key, cd->v, cd->auth, err);
    if (rc != INTOTO_OK) {
        return rc;
    }
    if (key == NULL) {
        note(cd, "unknown key", l->file, "names a key the layout lacks");
        return INTOTO_ENOTFOUND;
    }
    rc = intoto_envelope_load(&l->env, l->file, err);
    if (rc != INTOTO_OK) {
        return rc;
    }

    rc = intoto_envelope_verify(l->env, key, err);
    if (rc == INTOTO_EVERIFY) {
        char why[128];

        intoto_error_init(err);
        snprintf(why, sizeof(why), "has no valid signature by its key %.8s",
                 cd->auth);
        note(cd, "bad signature", l->file, why);
        return INTOTO_ENOTFOUND;
    }
    if (rc != INTOTO_OK) {
        return rc;
    }
    l->key = key;
    l->keyid = cd->keyid;
    l->payload = intoto_envelope_payload(l->env);
    type = intoto_envelope_type(l->env);
    if (type == NULL || strcmp(type, "layout") != 0) {
        rc = intoto_link_check(l->payload, cd->s->item->name, err);
        if (rc == INTOTO_OK) {
            rc = pack_link(l, err);
        }
        if (rc != INTOTO_OK) {
            return rc;
        }
    }

    for (j = 0; j < cd->s->n_links; j++) {
        if (same_key(cd->s->links[j].key, key)) {
            intoto_buf_addf(cd->notes, "%s'%s' is signed by the same key as "
                            "'%s' and counts once", cd->notes->len ? "; " : "",
                            l->file, cd->s->links[j].file);
            rep_str(cd->v->c, cd->rep, "status", "same key");
            return INTOTO_ENOTFOUND;
        }
    }
    rep_str(cd->v->c, cd->rep, "status", "counted");
    intoto_log(cd->v->c->opts->log, INTOTO_LOG_INFO, "step '%s': '%s' "
               "counts for key %.8s", cd->s->item->name, l->file, cd->keyid);
    return INTOTO_OK;
}

struct cand_id {
    const char *id;
    const char *auth;
};

static int
add_cand(struct cand_id *c, size_t *n, const char *id, const char *auth)
{
    size_t j;

    for (j = 0; j < *n; j++) {
        if (strcmp(c[j].id, id) == 0) {
            return 0;
        }
    }
    c[*n].id = id;
    c[*n].auth = auth;
    (*n)++;
    return 1;
}

/* The key ids whose links a step reads: each authorized id once, then
 * the OpenPGP subkeys the layout lists under it (load_links_for_layout
 * opens <step>.<subkey8>.link too).  Caller frees *out. */
static int
candidate_ids(struct cand_id **out, size_t *n, const struct vlayout *v,
              const struct intoto_item *it, struct intoto_error *err)
{
    size_t i, k, len, cap = it->n_pubkeys + 1;
    const struct intoto_json *sub;
    const char *id;

    *n = 0;
    for (i = 0; i < it->n_pubkeys; i++) {
        sub = intoto_json_get(intoto_json_get(v->layout->keys,
                                              it->pubkeys[i]), "subkeys");
        cap += intoto_json_len(sub);
    }
    *out = calloc(cap, sizeof(**out));
    if (*out == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < it->n_pubkeys; i++) {
        add_cand(*out, n, it->pubkeys[i], it->pubkeys[i]);
        sub = intoto_json_get(intoto_json_get(v->layout->keys,
                                              it->pubkeys[i]), "subkeys");
        for (k = 0; intoto_json_is(sub, INTOTO_JSON_OBJECT) &&
                    k < intoto_json_len(sub); k++) {
            id = intoto_json_key_at(sub, k, &len);
            if (strlen(id) == len && len > 0 &&
                strspn(id, "0123456789abcdefABCDEF") == len) {
                add_cand(*out, n, id, it->pubkeys[i]);
            }
        }
    }
    return INTOTO_OK;
}

static int
threshold_error(struct candidate *cd, struct intoto_error *err)
{
    const struct intoto_item *it = cd->s->item;

    return intoto_error_set(err, INTOTO_EVERIFY, "step '%s': needs %lld "
                            "link%s signed by different authorized keys, "
                            "found %zu%s%s%s", it->name,
                            (long long)it->threshold,
                            it->threshold == 1 ? "" : "s", cd->s->n_links,
                            cd->notes->len ? " (" : "",
                            cd->notes->len ? cd->notes->data : "",
                            cd->notes->len ? ")" : "");
}

/* "step 'S': link 'F': ...", with the message's own "'F': " dropped so
 * that the file is named once. */
static void
wrap_link_error(struct intoto_error *err, const char *step, const char *file)
{
    char quoted[PATH_MAX + 4];
    char *at;
    size_t n;

    n = (size_t)snprintf(quoted, sizeof(quoted), "'%s': ", file);
    at = n < sizeof(quoted) ? strstr(err->msg, quoted) : NULL;
    if (at != NULL) {
        memmove(at, at + n, strlen(at + n) + 1);
    }
    intoto_error_wrap(err, "step '%s': link '%s'", step, file);
}

/* Links are found by file name <step>.<keyid8>.link for each authorized
 * key id (load_links_for_layout), and count only when the layout key of
 * that id signed them (verify_link_signature_thresholds). */
static int
load_step_links(struct vlayout *v, struct vstep *s, struct intoto_error *err)
{
    const struct intoto_item *it = s->item;
    struct intoto_buf notes;
    struct candidate cd = { v, s, NULL, NULL, NULL, &notes };
    struct cand_id *ids = NULL;
    struct intoto_json *arr;
    char file[PATH_MAX];
    size_t i, n_ids = 0;
    int rc;

    intoto_buf_init(&notes);
    rc = candidate_ids(&ids, &n_ids, v, it, err);
    s->links = rc == INTOTO_OK ? calloc(n_ids + 1, sizeof(*s->links)) : NULL;
    if (s->links == NULL) {
        free(ids);
        return rc ? rc : intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    rep_int(v->c, s->rep, "threshold", it->threshold);
    arr = rep_arr(v->c, s->rep, "links");
    for (i = 0; i < n_ids && rc == INTOTO_OK; i++) {
        struct vlink *l = &s->links[s->n_links];

        cd.keyid = ids[i].id;
        cd.auth = ids[i].auth;
        cd.rep = rep_obj(v->c, arr, NULL);
        snprintf(file, sizeof(file), "%s.%.8s.link", it->name, cd.keyid);
        rep_str(v->c, cd.rep, "file", file);
        rep_str(v->c, cd.rep, "keyid", cd.keyid);
        l->file = join_path(v->link_dir, file);
        rc = l->file ? load_candidate(&cd, l, err) : INTOTO_ENOMEM;
        if (rc == INTOTO_OK) {
            s->n_links++;
        } else if (rc == INTOTO_ENOTFOUND) {
            release_vlink(l);
            rc = INTOTO_OK;
        } else {
            wrap_link_error(err, it->name, l->file ? l->file : file);
            release_vlink(l);
        }
    }
    rep_int(v->c, s->rep, "keys_counted", (int64_t)s->n_links);
    if (rc == INTOTO_OK && (int64_t)s->n_links < it->threshold) {
        rc = threshold_error(&cd, err);
    }
    intoto_buf_release(&notes);
    free(ids);
    return rc;
}

/* ---- 6. sublayouts ------------------------------------------------------ */

static int verify_layout(struct vlayout *v, const struct intoto_envelope *env,
                         struct intoto_key *const *keys, size_t n_keys,
                         struct vlink *summary, struct intoto_error *err);

/* A sublayout's links live in <linkdir>/<step>.<keyid8>; refuse a
 * directory that is already being verified further up (a symlink loop),
 * which would otherwise recurse until the depth limit. */
static int
enter_dir(struct vctx *c, const char *dir, struct intoto_error *err)
{
    struct stat st;
    size_t i;

    if (stat(dir ? dir : ".", &st) != 0) {
        return INTOTO_OK;
    }
    for (i = 0; i < c->n_dirs; i++) {
        if (c->dirs[i].dev == st.st_dev && c->dirs[i].ino == st.st_ino) {
            return intoto_error_set(err, INTOTO_EVERIFY, "sublayout link "
                                    "directory '%s' leads back to a "
                                    "directory already being verified",
                                    dir ? dir : ".");
        }
    }
    if (c->n_dirs == sizeof(c->dirs) / sizeof(c->dirs[0])) {
        return intoto_error_set(err, INTOTO_EVERIFY, "sublayouts nested too "
                                "deeply");
    }
    c->dirs[c->n_dirs].dev = st.st_dev;
    c->dirs[c->n_dirs].ino = st.st_ino;
    c->n_dirs++;
    return INTOTO_OK;
}

static int
verify_sublayout(struct vlayout *v, struct vstep *s, struct vlink *l,
                 struct intoto_error *err)
{
    struct vlayout sub;
    char dir[PATH_MAX];
    char *subdir = NULL;
    size_t saved = v->c->n_dirs;
    int rc;

    memset(&sub, 0, sizeof(sub));
    snprintf(dir, sizeof(dir), "%s.%.8s", s->item->name, l->keyid);
    subdir = join_path(v->link_dir, dir);
    if (subdir == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    if (v->depth + 1 > v->c->opts->max_depth) {
        rc = intoto_error_set(err, INTOTO_EVERIFY, "sublayouts nested deeper "
                              "than %d levels", v->c->opts->max_depth);
        goto out;
    }
    rc = enter_dir(v->c, subdir, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    intoto_log(v->c->opts->log, INTOTO_LOG_INFO, "step '%s': verifying "
               "sublayout '%s' with links in '%s'", s->item->name, l->file,
               subdir);
    sub.c = v->c;
    sub.path = l->file;
    sub.link_dir = subdir;
    sub.name = s->item->name;
    sub.depth = v->depth + 1;
    sub.rep = rep_obj(v->c, s->rep, "sublayout");
    rep_str(v->c, sub.rep, "layout", l->file);
    rep_str(v->c, sub.rep, "link_dir", subdir);
    rc = verify_layout(&sub, l->env, &l->key, 1, l, err);
    if (rc == INTOTO_OK) {
        intoto_envelope_free(l->env);
        l->env = NULL;
        l->payload = NULL;
    }

out:
    v->c->n_dirs = saved;
    if (rc != INTOTO_OK) {
        intoto_error_wrap(err, "step '%s': sublayout '%s'", s->item->name,
                          l->file);
    }
    free(subdir);
    return rc;
}

static int
verify_sublayouts(struct vlayout *v, struct intoto_error *err)
{
    size_t i, j;
    int rc;

    for (i = 0; i < v->layout->n_steps; i++) {
        struct vstep *s = &v->steps[i];

        for (j = 0; j < s->n_links; j++) {
            const char *type = s->links[j].env
                ? intoto_envelope_type(s->links[j].env) : NULL;

            if (type == NULL || strcmp(type, "layout") != 0) {
                continue;
            }
            rc = verify_sublayout(v, s, &s->links[j], err);
            if (rc != INTOTO_OK) {
                return rc;
            }
        }
    }
    return INTOTO_OK;
}

/* ---- 7. command alignment ------------------------------------------- */

static int
same_command(const struct intoto_item *it, const struct vlink *l)
{
    size_t i;

    if (l->n_command != it->n_command) {
        return 0;
    }
    for (i = 0; i < it->n_command; i++) {
        if (strcmp(l->command[i], it->command[i]) != 0) {
            return 0;
        }
    }
    return 1;
}

static void
format_argv(struct intoto_buf *b, char *const *argv, size_t n)
{
    size_t i;

    intoto_buf_addch(b, '[');
    for (i = 0; i < n; i++) {
        intoto_buf_addf(b, "%s'%s'", i ? ", " : "", argv[i]);
    }
    intoto_buf_addch(b, ']');
}

/* A differing command is a warning (spec §4.3.1; reference #454), or a
 * failure with strict_command. */
static int
check_commands(struct vlayout *v, struct intoto_error *err)
{
    struct intoto_buf got, want;
    size_t i, j;
    int rc = INTOTO_OK;

    intoto_buf_init(&got);
    intoto_buf_init(&want);
    for (i = 0; i < v->layout->n_steps && rc == INTOTO_OK; i++) {
        const struct vstep *s = &v->steps[i];

        for (j = 0; j < s->n_links && rc == INTOTO_OK; j++) {
            if (same_command(s->item, &s->links[j])) {
                continue;
            }
            got.len = want.len = 0;
            format_argv(&got, s->links[j].command, s->links[j].n_command);
            format_argv(&want, s->item->command, s->item->n_command);
            if (v->c->opts->strict_command) {
                rc = intoto_error_set(err, INTOTO_EVERIFY, "step '%s': "
                                      "'%s' ran %s, the layout expects %s",
                                      s->item->name, s->links[j].file,
                                      got.data, want.data);
            } else {
                warn(v->c, "step '%s': '%s' ran %s, the layout expects %s",
                     s->item->name, s->links[j].file, got.data, want.data);
            }
        }
    }
    intoto_buf_release(&got);
    intoto_buf_release(&want);
    return rc;
}

/* ---- 8. agreement of a step's links, 9. reduction ------------------- */

/* The first artifact that two artifact sets disagree on. */
static void
first_difference(struct intoto_buf *b, const struct intoto_artifacts *x,
                 const struct intoto_artifacts *y)
{
    size_t i = 0, j = 0, nx = intoto_artifacts_count(x);
    size_t ny = intoto_artifacts_count(y), lx = 0, ly = 0;
    const char *kx, *ky;
    int c;

    while (i < nx || j < ny) {
        kx = i < nx ? intoto_artifacts_name(x, i, &lx) : NULL;
        ky = j < ny ? intoto_artifacts_name(y, j, &ly) : NULL;
        if (kx == NULL || ky == NULL) {
            c = kx == NULL ? 1 : -1;
        } else {
            c = memcmp(kx, ky, lx < ly ? lx : ly);
            c = c ? c : (lx > ly) - (lx < ly);
        }
        if (c != 0) {
            intoto_buf_addf(b, "'%.*s' is only in the %s",
                            (int)(c < 0 ? lx : ly), c < 0 ? kx : ky,
                            c < 0 ? "first" : "second");
            return;
        }
        if (!intoto_artifacts_same_hashes(x, i, y, j)) {
            intoto_buf_addf(b, "'%.*s' has different hashes (", (int)lx, kx);
            intoto_artifacts_hashes(b, x, i);
            intoto_buf_addstr(b, " and ");
            intoto_artifacts_hashes(b, y, j);
            intoto_buf_addch(b, ')');
            return;
        }
        i++;
        j++;
    }
}

static int
links_agree(const struct vstep *s, const struct vlink *a,
            const struct vlink *b, int products, struct intoto_error *err)
{
    const struct intoto_artifacts *x = products ? a->products : a->materials;
    const struct intoto_artifacts *y = products ? b->products : b->materials;
    struct intoto_buf why;

    if (intoto_artifacts_equal(x, y)) {
        return INTOTO_OK;
    }
    intoto_buf_init(&why);
    first_difference(&why, x, y);
    intoto_error_set(err, INTOTO_EVERIFY, "step '%s': links '%s' and '%s' "
                     "report different %s: %s", s->item->name, a->file,
                     b->file, products ? "products" : "materials",
                     why.data ? why.data : "");
    intoto_buf_release(&why);
    return INTOTO_EVERIFY;
}

/* Only for threshold > 1 (verify_threshold_constraints); then keep the
 * first link in pubkeys order (reduce_chain_links). */
static int
agree_and_reduce(struct vlayout *v, struct intoto_error *err)
{
    size_t i, j;
    int rc;

    for (i = 0; i < v->layout->n_steps; i++) {
        struct vstep *s = &v->steps[i];

        for (j = 1; s->item->threshold > 1 && j < s->n_links; j++) {
            rc = links_agree(s, &s->links[0], &s->links[j], 0, err);
            if (rc == INTOTO_OK) {
                rc = links_agree(s, &s->links[0], &s->links[j], 1, err);
            }
            if (rc != INTOTO_OK) {
                return rc;
            }
        }
        for (j = 1; j < s->n_links; j++) {
            release_vlink(&s->links[j]);
        }
        s->n_links = s->n_links > 0 ? 1 : 0;
        rep_str(v->c, s->rep, "used_link", s->links[0].file);
    }
    return INTOTO_OK;
}

/* ---- 10. rules ---------------------------------------------------------- */

static void
add_rlink(struct vlayout *v, const char *name, const struct vlink *l)
{
    struct intoto_rule_link *rl = &v->rlinks[v->n_rlinks++];

    rl->name = name;
    rl->materials = l->materials;
    rl->products = l->products;
}

static int
verify_item_rules(struct vlayout *v, const struct intoto_item *it,
                  const char *kind, struct intoto_json *rep,
                  struct intoto_error *err)
{
    struct trace_ctx tm = { v->c, rep_arr(v->c, rep, "materials") };
    struct trace_ctx tp = { v->c, rep_arr(v->c, rep, "products") };
    struct intoto_rule_trace trm = { rule_trace, &tm };
    struct intoto_rule_trace trp = { rule_trace, &tp };
    int rc;

    rc = intoto_rules_verify((const struct intoto_rule *const *)it->materials,
                             it->n_materials, it->name, 0, v->rlinks,
                             v->n_rlinks, &trm, v->c->opts->log, err);
    if (rc == INTOTO_OK) {
        rc = intoto_rules_verify(
            (const struct intoto_rule *const *)it->products, it->n_products,
            it->name, 1, v->rlinks, v->n_rlinks, &trp, v->c->opts->log, err);
    }
    if (rc != INTOTO_OK) {
        intoto_error_wrap(err, "%s '%s'", kind, it->name);
    }
    return rc;
}

/* ---- 11. inspections ---------------------------------------------------- */

/* `in-toto unpack ...` runs in-process: the command is this program when
 * its name is "in-toto" or it resolves to the running binary. */
static int
is_self(const struct vctx *c, const char *prog)
{
    const char *base = strrchr(prog, '/');
    char a[PATH_MAX], b[PATH_MAX];
    const char *self = c->opts->self_exe ? c->opts->self_exe
                                         : "/proc/self/exe";

    base = base ? base + 1 : prog;
    if (strcmp(base, "in-toto") == 0) {
        return 1;
    }
    if (strchr(prog, '/') == NULL || realpath(prog, a) == NULL ||
        realpath(self, b) == NULL) {
        return 0;
    }
    return strcmp(a, b) == 0;
}

struct insp_run {
    int exit_code;
    int timed_out;
    int signal;
};

static int
run_command(struct vlayout *v, const struct intoto_item *it,
            struct insp_run *r, struct intoto_error *err)
{
    struct intoto_run_opts ro;
    struct intoto_run_result res;
    int rc;

    if (it->n_command >= 2 && strcmp(it->command[1], "unpack") == 0 &&
        is_self(v->c, it->command[0])) {
        rc = intoto_archive_unpack_argv((int)it->n_command - 1,
                                        (const char *const *)it->command + 1,
                                        v->c->opts->log, err);
        r->exit_code = rc == INTOTO_OK ? 0 : 1;
        if (rc != INTOTO_OK && rc != INTOTO_ENOMEM) {
            /* The unpack error names the archive entry at fault. */
            intoto_error_wrap(err, "inspection '%s': in-toto unpack",
                              it->name);
            rc = INTOTO_EVERIFY;
        }
        return rc;
    }
    memset(&ro, 0, sizeof(ro));
    ro.timeout = v->c->opts->inspection_timeout;
    ro.quiet = !intoto_log_enabled(v->c->opts->log, INTOTO_LOG_DEBUG);
    intoto_run_result_init(&res);
    rc = intoto_run(&res, (const char *const *)it->command, &ro, err);
    r->exit_code = res.return_value;
    r->timed_out = res.timed_out;
    r->signal = res.signal;
    intoto_run_result_release(&res);
    return rc;
}

/* The unsigned link the reference writes for an inspection. */
static struct intoto_json *
inspection_link(struct intoto_json_doc *doc, const struct intoto_item *it,
                int exit_code)
{
    struct intoto_json *root = intoto_json_new_object(doc);
    struct intoto_json *bp = intoto_json_new_object(doc);
    struct intoto_json *cmd = intoto_json_new_array(doc);
    size_t i;

    if (root == NULL || bp == NULL || cmd == NULL) {
        return NULL;
    }
    for (i = 0; i < it->n_command; i++) {
        intoto_json_append(doc, cmd, intoto_json_new_str(doc,
                                                         it->command[i]));
    }
    intoto_json_set(doc, bp, "return-value", intoto_json_new_int(doc,
                                                                 exit_code));
    intoto_json_set(doc, bp, "stderr", intoto_json_new_str(doc, ""));
    intoto_json_set(doc, bp, "stdout", intoto_json_new_str(doc, ""));
    intoto_json_set(doc, root, "_type", intoto_json_new_str(doc, "link"));
    intoto_json_set(doc, root, "byproducts", bp);
    intoto_json_set(doc, root, "command", cmd);
    intoto_json_set(doc, root, "environment", intoto_json_new_object(doc));
    intoto_json_set(doc, root, "name", intoto_json_new_str(doc, it->name));
    intoto_json_set(doc, root, "materials", intoto_json_new_object(doc));
    intoto_json_set(doc, root, "products", intoto_json_new_object(doc));
    intoto_json_set_root(doc, root);
    return root;
}

static int
record_dot(struct intoto_json_doc *doc, struct intoto_json *root,
           const char *field, struct intoto_error *err)
{
    static const char *const dot[] = { "." };
    struct intoto_record_opts ro;

    intoto_record_opts_init(&ro);
    return intoto_artifacts_record(doc, intoto_json_get(root, field), dot, 1,
                                   &ro, err);
}

static int
inspection_failed(const struct intoto_item *it, const struct insp_run *r,
                  double timeout, struct intoto_error *err)
{
    struct intoto_buf cmd;

    intoto_buf_init(&cmd);
    format_argv(&cmd, it->command, it->n_command);
    if (r->timed_out) {
        intoto_error_set(err, INTOTO_EVERIFY, "inspection '%s': command %s "
                         "did not finish within %g s; its process group was "
                         "killed", it->name, cmd.data, timeout);
    } else if (r->signal != 0) {
        intoto_error_set(err, INTOTO_EVERIFY, "inspection '%s': command %s "
                         "was killed by signal %d", it->name, cmd.data,
                         r->signal);
    } else {
        intoto_error_set(err, INTOTO_EVERIFY, "inspection '%s': command %s "
                         "exited with status %d", it->name, cmd.data,
                         r->exit_code);
    }
    intoto_buf_release(&cmd);
    return INTOTO_EVERIFY;
}

/* Run one inspection as the reference does (run_all_inspections): record
 * "." as materials, run the command (no shell, in the current directory,
 * with the timeout on the process group), record "." as products; the
 * command must exit 0; then write <name>.link, unsigned. */
static int
run_inspection(struct vlayout *v, const struct intoto_item *it,
               struct vlink *l, struct intoto_json *rep,
               struct intoto_error *err)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *root = doc ? inspection_link(doc, it, 0) : NULL;
    struct insp_run r = { -1, 0, 0 };
    int rc;

    if (root == NULL) {
        intoto_json_doc_free(doc);
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    rep_strings(v->c, rep, "command", it->command, it->n_command);
    if (it->n_command == 0) {
        rc = intoto_error_set(err, INTOTO_EVERIFY, "inspection '%s' has an "
                              "empty 'run'", it->name);
        goto out;
    }
    rc = record_dot(doc, root, "materials", err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    intoto_log(v->c->opts->log, INTOTO_LOG_INFO, "inspection '%s': running "
               "'%s'", it->name, it->command[0]);
    rc = run_command(v, it, &r, err);
    rep_int(v->c, rep, "exit_code", r.exit_code);
    rep_bool(v->c, rep, "timed_out", r.timed_out);
    if (rc == INTOTO_EVERIFY && r.timed_out) {
        rc = inspection_failed(it, &r, v->c->opts->inspection_timeout, err);
    }
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = record_dot(doc, root, "products", err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    intoto_json_set(doc, intoto_json_get(root, "byproducts"), "return-value",
                    intoto_json_new_int(doc, r.exit_code));
    if (r.exit_code != 0 || r.signal != 0) {
        rc = inspection_failed(it, &r, 0, err);
        goto out;
    }

    rc = intoto_envelope_new(&l->env, INTOTO_ENVELOPE_METABLOCK, doc, err);
    doc = NULL;
    if (rc == INTOTO_OK) {
        l->payload = intoto_envelope_payload(l->env);
        l->file = join_path(NULL, it->name);
    }
    if (rc == INTOTO_OK && v->c->opts->write_inspection_links) {
        char file[PATH_MAX];

        snprintf(file, sizeof(file), "%s.link", it->name);
        rep_str(v->c, rep, "link", file);
        rc = intoto_envelope_write(l->env, file, err);
    }
    if (rc == INTOTO_OK) {
        rc = pack_link(l, err);
    }

out:
    intoto_json_doc_free(doc);
    if (rc != INTOTO_OK && rc != INTOTO_EVERIFY) {
        intoto_error_wrap(err, "inspection '%s'", it->name);
    }
    return rc;
}

static int
run_inspections(struct vlayout *v, struct intoto_error *err)
{
    struct intoto_json *arr = rep_arr(v->c, v->rep, "inspections");
    size_t i;
    int rc;

    v->insp = calloc(v->layout->n_inspections + 1, sizeof(*v->insp));
    if (v->insp == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < v->layout->n_inspections; i++) {
        const struct intoto_item *it = &v->layout->inspections[i];
        struct intoto_json *rep = rep_obj(v->c, arr, NULL);

        rep_str(v->c, rep, "name", it->name);
        rc = run_inspection(v, it, &v->insp[i], rep, err);
        v->n_insp = i + 1;
        if (rc != INTOTO_OK) {
            return rc;
        }
        add_rlink(v, it->name, &v->insp[i]);
    }
    for (i = 0; i < v->layout->n_inspections; i++) {
        const struct intoto_item *it = &v->layout->inspections[i];
        struct intoto_json *rep = intoto_json_at(arr, i);

        rc = verify_item_rules(v, it, "inspection", rep, err);
        if (rc != INTOTO_OK) {
            return rc;
        }
    }
    return INTOTO_OK;
}

/* ---- 13. the summary link of a sublayout ------------------------------ */

/* Materials of the first step, products and command of the last
 * (get_summary_link): moved out of the sublayout's links into `out`. */
static int
summary_link(struct vlink *out, struct vlayout *v, struct intoto_error *err)
{
    struct vlink *first, *last;
    size_t i;

    if (v->layout->n_steps == 0) {
        return INTOTO_OK;
    }
    first = &v->steps[0].links[0];
    last = &v->steps[v->layout->n_steps - 1].links[0];
    out->materials = first->materials;
    first->materials = NULL;
    out->products = last->products;
    last->products = NULL;
    out->command = calloc(last->n_command + 1, sizeof(*out->command));
    if (out->command == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    for (i = 0; i < last->n_command; i++) {
        out->command[i] = strdup(last->command[i]);
        if (out->command[i] == NULL) {
            return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        }
        out->n_command = i + 1;
    }
    return INTOTO_OK;
}

/* ---- the workflow ----------------------------------------------------- */

static void
release_vlayout(struct vlayout *v)
{
    size_t i, j, n_keys;

    for (i = 0; v->steps != NULL && i < v->layout->n_steps; i++) {
        for (j = 0; j < v->steps[i].n_links; j++) {
            release_vlink(&v->steps[i].links[j]);
        }
        free(v->steps[i].links);
    }
    free(v->steps);
    for (i = 0; i < v->n_insp; i++) {
        release_vlink(&v->insp[i]);
    }
    free(v->insp);
    free(v->rlinks);
    n_keys = v->layout ? intoto_json_len(v->layout->keys) : 0;
    for (i = 0; v->keys != NULL && i < n_keys; i++) {
        intoto_key_free(v->keys[i]);
    }
    free(v->keys);
    intoto_layout_free(v->layout);
}

static int
prepare(struct vlayout *v, const struct intoto_envelope *env,
        struct intoto_error *err)
{
    const struct intoto_verify_opts *o = v->c->opts;
    const char *type = intoto_envelope_type(env);
    size_t n;
    int rc;

    if (type == NULL || strcmp(type, "layout") != 0) {
        return intoto_error_set(err, INTOTO_EPARSE, "'%s' is not a layout "
                                "(its _type is '%s')", v->path,
                                type ? type : "");
    }
    rc = intoto_layout_parse(&v->layout, intoto_envelope_payload(env),
                             o->params, v->depth == 0 ? o->n_params : 0,
                             v->depth == 0 && o->substitute, err);
    if (rc != INTOTO_OK) {
        return intoto_error_wrap(err, "layout '%s'", v->path);
    }
    n = v->layout->n_steps + v->layout->n_inspections + 1;
    v->keys = calloc(intoto_json_len(v->layout->keys) + 1, sizeof(*v->keys));
    v->steps = calloc(v->layout->n_steps + 1, sizeof(*v->steps));
    v->rlinks = calloc(n, sizeof(*v->rlinks));
    if (v->keys == NULL || v->steps == NULL || v->rlinks == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    return INTOTO_OK;
}

static int
load_all_links(struct vlayout *v, struct intoto_error *err)
{
    struct intoto_json *arr = rep_arr(v->c, v->rep, "steps");
    size_t i;
    int rc;

    for (i = 0; i < v->layout->n_steps; i++) {
        v->steps[i].item = &v->layout->steps[i];
        v->steps[i].rep = rep_obj(v->c, arr, NULL);
        rep_str(v->c, v->steps[i].rep, "name", v->layout->steps[i].name);
        rc = load_step_links(v, &v->steps[i], err);
        if (rc != INTOTO_OK) {
            return rc;
        }
    }
    return INTOTO_OK;
}

static int
verify_step_rules(struct vlayout *v, struct intoto_error *err)
{
    size_t i;
    int rc;

    for (i = 0; i < v->layout->n_steps; i++) {
        add_rlink(v, v->steps[i].item->name, &v->steps[i].links[0]);
    }
    for (i = 0; i < v->layout->n_steps; i++) {
        rc = verify_item_rules(v, v->steps[i].item, "step", v->steps[i].rep,
                               err);
        if (rc != INTOTO_OK) {
            return rc;
        }
    }
    return INTOTO_OK;
}

/* The reference's order (SPEC-NOTES 1.7).  The layout's parsed form
 * borrows from env, which the caller keeps alive. */
static int
verify_layout(struct vlayout *v, const struct intoto_envelope *env,
              struct intoto_key *const *keys, size_t n_keys,
              struct vlink *summary, struct intoto_error *err)
{
    int rc;

    rc = check_layout_sigs(v, env, keys, n_keys, err);
    rc = rc ? rc : prepare(v, env, err);
    rc = rc ? rc : check_expiry(v, err);
    rc = rc ? rc : load_all_links(v, err);
    rc = rc ? rc : verify_sublayouts(v, err);
    rc = rc ? rc : check_commands(v, err);
    rc = rc ? rc : agree_and_reduce(v, err);
    rc = rc ? rc : verify_step_rules(v, err);
    rc = rc ? rc : run_inspections(v, err);
    if (rc == INTOTO_OK && summary != NULL) {
        rc = summary_link(summary, v, err);
    }
    release_vlayout(v);
    return rc;
}

/* Opening a FIFO would block: refuse anything but a regular file (a
 * missing file is left to the loader, which says so). */
static int
check_regular(const char *path, struct intoto_error *err)
{
    struct stat st;

    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        return intoto_error_set(err, INTOTO_EINVAL, "'%s' is not a regular "
                                "file", path);
    }
    return INTOTO_OK;
}

int
intoto_verify(const struct intoto_verify_opts *opts,
              struct intoto_error *err)
{
    struct vctx c;
    struct vlayout v;
    struct intoto_envelope *env = NULL;
    struct intoto_json *root = NULL;
    int rc;

    memset(&c, 0, sizeof(c));
    memset(&v, 0, sizeof(v));
    c.opts = opts;
    c.rdoc = opts->report;
    if (c.rdoc != NULL) {
        root = intoto_json_new_object(c.rdoc);
        intoto_json_set_root(c.rdoc, root);
        rep_str(&c, root, "layout", opts->layout_path);
        rep_str(&c, root, "link_dir", opts->link_dir ? opts->link_dir : ".");
        c.warnings = rep_arr(&c, root, "warnings");
    }
    v.c = &c;
    v.path = opts->layout_path;
    v.link_dir = opts->link_dir;
    v.rep = root;

    rc = enter_dir(&c, opts->link_dir, err);
    if (rc == INTOTO_OK) {
        rc = check_regular(opts->layout_path, err);
    }
    if (rc == INTOTO_OK) {
        rc = intoto_envelope_load(&env, opts->layout_path, err);
    }
    if (rc == INTOTO_OK) {
        rc = verify_layout(&v, env, opts->layout_keys, opts->n_layout_keys,
                           NULL, err);
    }
    rep_str(&c, root, "verdict", rc == INTOTO_OK ? "pass" : "fail");
    if (rc != INTOTO_OK) {
        rep_str(&c, root, "error", intoto_error_message(err));
    }
    intoto_envelope_free(env);
    return rc;
}

int
intoto_verify_report_write(const struct intoto_json_doc *report,
                           const char *path, struct intoto_error *err)
{
    struct intoto_buf b;
    int rc;

    intoto_buf_init(&b);
    rc = intoto_json_pretty(&b, intoto_json_root(report));
    if (rc == INTOTO_OK) {
        rc = intoto_buf_addch(&b, '\n');
    }
    if (rc == INTOTO_OK) {
        rc = intoto__fs_write_atomic(path, b.data, b.len, 0644, err);
    } else {
        intoto_error_set(err, rc, "out of memory");
    }
    intoto_buf_release(&b);
    return rc;
}
