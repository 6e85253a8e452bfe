/* SPDX-License-Identifier: Apache-2.0 */
/* Recording artifacts, commands and whole links for a step. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <intoto/record.h>

#include "base64.h"
#include "hash.h"
#include "walk.h"

/* SPEC-NOTES 1.5: the reference's ARTIFACT_EXCLUDE_PATTERNS.  NULL ends
 * the list. */
const char *const intoto_default_excludes[] = { "*.link*", ".git", "*.pyc",
                                                "*~", NULL };

void
intoto_record_opts_init(struct intoto_record_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->follow_symlink_dirs = 1;
}

void
intoto_step_opts_init(struct intoto_step_opts *step)
{
    memset(step, 0, sizeof(*step));
    intoto_record_opts_init(&step->record);
}

/* The reference refuses prefixes of which one starts with another. */
static int
check_lstrip(const struct intoto_record_opts *opts, struct intoto_error *err)
{
    size_t i, j, li, lj;

    for (i = 0; i < opts->n_lstrip; i++) {
        for (j = i + 1; j < opts->n_lstrip; j++) {
            li = strlen(opts->lstrip[i]);
            lj = strlen(opts->lstrip[j]);
            if (strncmp(opts->lstrip[i], opts->lstrip[j],
                        li < lj ? li : lj) == 0) {
                return intoto_error_set(err, INTOTO_EINVAL,
                                        "--lstrip-paths prefixes '%s' and "
                                        "'%s' overlap (one starts the other)",
                                        opts->lstrip[i], opts->lstrip[j]);
            }
        }
    }
    return INTOTO_OK;
}

static int
hash_mask(unsigned *mask, const struct intoto_record_opts *opts,
          struct intoto_error *err)
{
    size_t i;
    int alg;

    *mask = 0;
    for (i = 0; i < opts->n_hash_algs; i++) {
        alg = intoto__hash_alg_parse(opts->hash_algs[i]);
        if (alg < 0) {
            return intoto_error_set(err, INTOTO_EUNSUPPORTED,
                                    "unsupported hash algorithm '%s' "
                                    "(sha256, sha512)", opts->hash_algs[i]);
        }
        *mask |= 1u << alg;
    }
    if (*mask == 0) {
        *mask = 1u << INTOTO__HASH_SHA256;
    }
    return INTOTO_OK;
}

static int
compile_excludes(struct intoto__excludes **ex,
                 const struct intoto_record_opts *opts,
                 struct intoto_error *err)
{
    size_t n = 0;

    if (opts->excludes_given) {
        return intoto__excludes_compile(ex, opts->excludes, opts->n_excludes,
                                        err);
    }
    while (intoto_default_excludes[n] != NULL) {
        n++;
    }
    return intoto__excludes_compile(ex, intoto_default_excludes, n, err);
}

/* Members name -> {alg: hex} for every walked file, in name order. */
static int
add_members(struct intoto_json_doc *doc, struct intoto_json *obj,
            const struct intoto__walk *w, const unsigned char *digests,
            unsigned mask, size_t stride)
{
    char hex[2 * INTOTO__HASH_MAX_LEN + 1];
    struct intoto_json *h, *s;
    const unsigned char *d;
    const char *name;
    size_t i, len;
    int a, rc = INTOTO_OK;

    for (i = 0; i < w->n && rc == INTOTO_OK; i++) {
        h = intoto_json_new_object(doc);
        d = digests + w->v[i].seq * stride;
        for (a = 0; a < INTOTO__HASH_N && h != NULL; a++) {
            if (!(mask & (1u << a))) {
                continue;
            }
            len = intoto__hash_alg_len(a);
            intoto__hash_hex(hex, d, len);
            d += len;
            s = intoto_json_new_strl(doc, hex, 2 * len);
            if (s == NULL || intoto_json_set(doc, h, intoto__hash_alg_name(a),
                                             s) != INTOTO_OK) {
                h = NULL;
            }
        }
        name = intoto__walk_name(w, i);
        rc = h == NULL ? INTOTO_ENOMEM
                       : intoto_json_setl(doc, obj, name, strlen(name), h);
    }
    return rc;
}

static int
feed_file(void *ctx, const char *path, size_t len)
{
    return intoto__hash_feed_add(ctx, path, len);
}

/*
 * Walk the paths and hash each file as soon as it is found, on worker
 * threads, while the walk goes on; the digests come back in the order
 * found (each walk entry's seq).
 */
static int
walk_and_hash(unsigned char **digests, struct intoto__walk *w,
              const char *const *paths, size_t n_paths,
              struct intoto__walk_opts *wo, unsigned mask,
              const struct intoto_record_opts *opts, struct intoto_error *err)
{
    struct intoto__hash_feed *feed = NULL;
    struct intoto__hash_job job;
    size_t n = 0;
    int rc;

    memset(&job, 0, sizeof(job));
    job.dirfd = wo->dirfd;
    job.algs = mask;
    job.normalize_eol = opts->normalize_line_endings;
    job.threads = opts->threads;
    if (opts->progress) {
        job.progress = opts->progress_fn;
        job.progress_ctx = opts->progress_ctx;
    }
    rc = intoto__hash_feed_new(&feed, &job, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    wo->on_file = feed_file;
    wo->on_file_ctx = feed;
    rc = intoto__walk_paths(w, paths, n_paths, wo, err);
    rc = rc ? rc : intoto__walk_finish(w, err);
    rc = rc ? rc : intoto__hash_feed_finish(digests, &n, feed, err);
out:
    intoto__hash_feed_free(feed);
    return rc;
}

int
intoto_artifacts_record(struct intoto_json_doc *doc, struct intoto_json *obj,
                        const char *const *paths, size_t n_paths,
                        const struct intoto_record_opts *opts,
                        struct intoto_error *err)
{
    struct intoto__walk_opts wo;
    struct intoto__excludes *ex = NULL;
    struct intoto__walk w;
    unsigned char *digests = NULL;
    unsigned mask;
    int rc, dirfd = AT_FDCWD;

    intoto__walk_init(&w);
    rc = check_lstrip(opts, err);
    rc = rc ? rc : hash_mask(&mask, opts, err);
    rc = rc ? rc : compile_excludes(&ex, opts, err);
    if (rc != INTOTO_OK || n_paths == 0) {
        goto out;
    }
    if (opts->base_path != NULL) {
        dirfd = open(opts->base_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0) {
            rc = intoto_error_set(err, INTOTO_EINVAL,
                                  "cannot use '%s' as base path: %s",
                                  opts->base_path, strerror(errno));
            goto out;
        }
    }
    memset(&wo, 0, sizeof(wo));
    wo.dirfd = dirfd;
    wo.ex = ex;
    wo.lstrip = opts->lstrip;
    wo.n_lstrip = opts->n_lstrip;
    wo.follow_symlink_dirs = opts->follow_symlink_dirs;
    wo.log = opts->log;
    rc = walk_and_hash(&digests, &w, paths, n_paths, &wo, mask, opts, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    rc = add_members(doc, obj, &w, digests, mask, intoto__hash_stride(mask));
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "out of memory");
    }
out:
    if (dirfd >= 0) {
        close(dirfd);
    }
    free(digests);
    intoto__walk_release(&w);
    intoto__excludes_free(ex);
    return rc;
}

static int
set_new(struct intoto_json_doc *doc, struct intoto_json *obj,
        const char *key, struct intoto_json *val)
{
    if (val == NULL) {
        return INTOTO_ENOMEM;
    }
    return intoto_json_set(doc, obj, key, val);
}

int
intoto_record_link_new(struct intoto_json_doc **out, const char *name,
                       struct intoto_error *err)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *root = NULL;
    int rc = INTOTO_ENOMEM;

    *out = NULL;
    if (doc != NULL) {
        root = intoto_json_new_object(doc);
    }
    if (root != NULL) {
        rc = set_new(doc, root, "_type", intoto_json_new_str(doc, "link"));
        rc = rc ? rc : set_new(doc, root, "byproducts",
                               intoto_json_new_object(doc));
        rc = rc ? rc : set_new(doc, root, "command",
                               intoto_json_new_array(doc));
        rc = rc ? rc : set_new(doc, root, "environment",
                               intoto_json_new_object(doc));
        rc = rc ? rc : set_new(doc, root, "materials",
                               intoto_json_new_object(doc));
        rc = rc ? rc : set_new(doc, root, "name",
                               intoto_json_new_str(doc, name));
        rc = rc ? rc : set_new(doc, root, "products",
                               intoto_json_new_object(doc));
    }
    if (rc != INTOTO_OK) {
        intoto_json_doc_free(doc);
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    intoto_json_set_root(doc, root);
    *out = doc;
    return INTOTO_OK;
}

int
intoto_record_set_command(struct intoto_json_doc *doc,
                          const char *const *argv, size_t n,
                          struct intoto_error *err)
{
    struct intoto_json *arr = intoto_json_new_array(doc);
    int rc = arr ? INTOTO_OK : INTOTO_ENOMEM;
    size_t i;

    for (i = 0; i < n && rc == INTOTO_OK; i++) {
        struct intoto_json *s = intoto_json_new_str(doc, argv[i]);

        rc = s ? intoto_json_append(doc, arr, s) : INTOTO_ENOMEM;
    }
    rc = rc ? rc : intoto_json_set(doc, intoto_json_root(doc), "command",
                                   arr);
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "cannot set the link's command");
    }
    return INTOTO_OK;
}

/*
 * The text the reference records for a stream: Python reads it back in
 * text mode, which turns CRLF and CR into LF; undecodable bytes (which
 * make the reference fail) become U+FFFD here.
 */
static int
stream_text(struct intoto_buf *out, const char *s, size_t len)
{
    size_t i, run;
    int rc = INTOTO_OK;

    for (i = 0; i < len && rc == INTOTO_OK;) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\r') {
            rc = intoto_buf_addch(out, '\n');
            i += (i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c < 0x80) {
            rc = intoto_buf_addch(out, (char)c);
            i++;
            continue;
        }
        for (run = 2; run <= 4 && i + run <= len; run++) {
            if (intoto__utf8_valid(s + i, run)) {
                break;
            }
        }
        if (run <= 4 && i + run <= len) {
            rc = intoto_buf_add(out, s + i, run);
            i += run;
        } else {
            rc = intoto_buf_addstr(out, "\xef\xbf\xbd");
            i++;
        }
    }
    return rc;
}

static struct intoto_json *
stream_json(struct intoto_json_doc *doc, const struct intoto_buf *b,
            int streams)
{
    struct intoto_json *v = NULL;
    struct intoto_buf text;

    if (!streams || b->len == 0) {
        return intoto_json_new_str(doc, "");
    }
    intoto_buf_init(&text);
    if (stream_text(&text, b->data, b->len) == INTOTO_OK) {
        v = intoto_json_new_strl(doc, text.data ? text.data : "", text.len);
    }
    intoto_buf_release(&text);
    return v;
}

int
intoto_record_set_byproducts(struct intoto_json_doc *doc,
                             const struct intoto_run_result *res,
                             int streams, struct intoto_error *err)
{
    struct intoto_json *bp = intoto_json_new_object(doc);
    int64_t rv = res->signal ? -(int64_t)res->signal : res->return_value;
    int rc = bp ? INTOTO_OK : INTOTO_ENOMEM;

    rc = rc ? rc : set_new(doc, bp, "return-value",
                           intoto_json_new_int(doc, rv));
    rc = rc ? rc : set_new(doc, bp, "stderr",
                           stream_json(doc, &res->err, streams));
    rc = rc ? rc : set_new(doc, bp, "stdout",
                           stream_json(doc, &res->out, streams));
    rc = rc ? rc : intoto_json_set(doc, intoto_json_root(doc), "byproducts",
                                   bp);
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "cannot set the link's byproducts");
    }
    return INTOTO_OK;
}

static int
env_sensitive(const char *name, size_t len)
{
    static const char *const words[] = { "TOKEN", "SECRET", "PASSWORD",
                                         "PASSWD", "KEY", "CREDENTIAL" };
    size_t i, j, wl;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        wl = strlen(words[i]);
        for (j = 0; j + wl <= len; j++) {
            if (strncasecmp(name + j, words[i], wl) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

static int
env_allowed(const char *name, size_t len, const char *const *allow,
            size_t n_allow)
{
    size_t i;

    for (i = 0; i < n_allow; i++) {
        if (strlen(allow[i]) == len && memcmp(allow[i], name, len) == 0) {
            return 1;
        }
    }
    return !env_sensitive(name, len);
}

int
intoto_record_set_environment(struct intoto_json_doc *doc, char *const *envp,
                              const char *const *allow, size_t n_allow,
                              struct intoto_error *err)
{
    struct intoto_json *obj = intoto_json_new_object(doc), *v;
    int rc = obj ? INTOTO_OK : INTOTO_ENOMEM;
    const char *eq;
    size_t i, nl;

    for (i = 0; envp != NULL && envp[i] != NULL && rc == INTOTO_OK; i++) {
        eq = strchr(envp[i], '=');
        if (eq == NULL) {
            continue;
        }
        nl = (size_t)(eq - envp[i]);
        if (!env_allowed(envp[i], nl, allow, n_allow) ||
            !intoto__utf8_valid(envp[i], strlen(envp[i]))) {
            continue;
        }
        v = intoto_json_new_str(doc, eq + 1);
        rc = v ? intoto_json_setl(doc, obj, envp[i], nl, v) : INTOTO_ENOMEM;
    }
    rc = rc ? rc : intoto_json_set(doc, intoto_json_root(doc), "environment",
                                   obj);
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "cannot record the environment");
    }
    return INTOTO_OK;
}

/* Record paths into the member `key` ("materials", "products"). */
static int
record_into(struct intoto_json_doc *doc, const char *key,
            const char *const *paths, size_t n,
            const struct intoto_record_opts *opts, struct intoto_error *err)
{
    struct intoto_json *obj = intoto_json_new_object(doc);
    int rc;

    if (obj == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    rc = intoto_artifacts_record(doc, obj, paths, n, opts, err);
    if (rc != INTOTO_OK) {
        return intoto_error_wrap(err, "recording %s", key);
    }
    rc = intoto_json_set(doc, intoto_json_root(doc), key, obj);
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "out of memory");
    }
    return INTOTO_OK;
}

static int
run_command(struct intoto_json_doc *doc, struct intoto_run_result *res,
            const struct intoto_step_opts *step, struct intoto_error *err)
{
    struct intoto_run_opts ro;
    const char **argv = NULL;
    int rc;

    argv = calloc(step->n_command + 1, sizeof(*argv));
    if (argv == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    memcpy(argv, step->command, step->n_command * sizeof(*argv));
    memset(&ro, 0, sizeof(ro));
    ro.timeout = step->timeout;
    ro.capture = step->record_streams;
    ro.echo = 1;
    ro.quiet = step->quiet_command;
    rc = intoto_run(res, argv, &ro, err);
    free(argv);
    rc = rc ? rc : intoto_record_set_command(doc, step->command,
                                             step->n_command, err);
    rc = rc ? rc : intoto_record_set_byproducts(doc, res,
                                                step->record_streams, err);
    return rc;
}

int
intoto_record_step(struct intoto_json_doc **out,
                   struct intoto_run_result *res,
                   const struct intoto_step_opts *step,
                   struct intoto_error *err)
{
    struct intoto_json_doc *doc = NULL;
    int rc;

    *out = NULL;
    rc = intoto_record_link_new(&doc, step->name, err);
    rc = rc ? rc : record_into(doc, "materials", step->materials,
                               step->n_materials, &step->record, err);
    if (rc == INTOTO_OK && step->command != NULL && step->n_command > 0) {
        rc = run_command(doc, res, step, err);
    }
    rc = rc ? rc : record_into(doc, "products", step->products,
                               step->n_products, &step->record, err);
    if (rc == INTOTO_OK && step->record_env) {
        rc = intoto_record_set_environment(doc, environ, step->env_allow,
                                           step->n_env_allow, err);
    }
    if (rc != INTOTO_OK) {
        intoto_json_doc_free(doc);
        return rc;
    }
    *out = doc;
    return INTOTO_OK;
}

int
intoto_record_link_path(struct intoto_buf *out, const char *dir,
                        const char *name, const char *keyid, int unfinished)
{
    int rc = INTOTO_OK;

    if (dir != NULL && dir[0] != '\0') {
        rc = intoto_buf_addstr(out, dir);
        if (rc == INTOTO_OK && dir[strlen(dir) - 1] != '/') {
            rc = intoto_buf_addch(out, '/');
        }
    }
    if (rc == INTOTO_OK && unfinished) {
        rc = intoto_buf_addch(out, '.');
    }
    rc = rc ? rc : intoto_buf_addstr(out, name);
    if (rc == INTOTO_OK && keyid != NULL) {
        rc = intoto_buf_addf(out, ".%.8s", keyid);
    }
    rc = rc ? rc : intoto_buf_addstr(out, unfinished ? ".link-unfinished"
                                                     : ".link");
    return rc;
}

/*
 * Write data to path through a temporary file in the same directory and
 * a rename, so a reader never sees half a link.  Unlike
 * intoto__fs_write_atomic() this does not fsync: a link is cheap to
 * record again, the reference does not sync either, and a sync costs
 * more than the rest of recording a small step.
 */
static int
write_link_file(const char *path, const char *data, size_t len,
                struct intoto_error *err)
{
    static unsigned counter;
    struct intoto_buf tmp;
    ssize_t n;
    int fd = -1, rc = INTOTO_OK, e = 0;

    intoto_buf_init(&tmp);
    if (intoto_buf_addf(&tmp, "%s.tmp-%ld-%u", path, (long)getpid(),
                        counter++) != INTOTO_OK) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    while (fd >= 0 && len > 0) {
        n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            break;
        }
        data += n;
        len -= (size_t)n;
    }
    if (fd < 0) {
        e = errno;
    } else if (close(fd) != 0 && e == 0) {
        e = errno;
    }
    if (e == 0 && rename(tmp.data, path) != 0) {
        e = errno;
    }
    if (e != 0) {
        rc = intoto_error_set(err, INTOTO_EIO, "cannot write '%s': %s", path,
                              strerror(e));
        if (fd >= 0) {
            unlink(tmp.data);
        }
    }
    intoto_buf_release(&tmp);
    return rc;
}

/* {"signatures": [{"keyid", "sig"}], "signed": payload} in the payload's
 * document, signed over the canonical JSON of the payload (SPEC-NOTES 2.1,
 * 2.3).  Built here rather than through an envelope so that a link with
 * many artifacts is not copied again before it is written. */
static int
metablock_encode(struct intoto_buf *out, struct intoto_json_doc *doc,
                 const struct intoto_key *key, struct intoto_error *err)
{
    struct intoto_json *top = intoto_json_new_object(doc);
    struct intoto_json *sigs = intoto_json_new_array(doc), *sig;
    struct intoto_buf data, raw;
    int rc = top && sigs ? INTOTO_OK : INTOTO_ENOMEM;

    intoto_buf_init(&data);
    intoto_buf_init(&raw);
    if (rc == INTOTO_OK && key != NULL) {
        rc = intoto_json_canonical(&data, intoto_json_root(doc));
        if (rc == INTOTO_OK) {
            rc = intoto_key_sign(&raw, key, data.data, data.len, err);
            if (rc != INTOTO_OK) {
                goto out;
            }
        }
        intoto_buf_release(&data);
        rc = rc ? rc : intoto__hex_encode(&data, raw.data, raw.len);
        sig = intoto_json_new_object(doc);
        rc = rc ? rc : (sig ? INTOTO_OK : INTOTO_ENOMEM);
        rc = rc ? rc : set_new(doc, sig, "keyid",
                               intoto_json_new_str(doc, intoto_key_id(key)));
        rc = rc ? rc : set_new(doc, sig, "sig", intoto_json_new_strl(
                                   doc, data.data, data.len));
        rc = rc ? rc : intoto_json_append(doc, sigs, sig);
    }
    rc = rc ? rc : intoto_json_set(doc, top, "signatures", sigs);
    rc = rc ? rc : intoto_json_set(doc, top, "signed",
                                   intoto_json_root(doc));
    rc = rc ? rc : intoto_json_pretty(out, top);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "cannot encode the link");
    }
out:
    intoto_buf_release(&data);
    intoto_buf_release(&raw);
    return rc;
}

int
intoto_record_sign_write(struct intoto_json_doc *payload,
                         const struct intoto_key *key,
                         enum intoto_envelope_kind kind, const char *path,
                         struct intoto_error *err)
{
    struct intoto_envelope *env = NULL;
    struct intoto_buf out;
    int rc;

    intoto_buf_init(&out);
    if (kind == INTOTO_ENVELOPE_METABLOCK) {
        rc = metablock_encode(&out, payload, key, err);
        intoto_json_doc_free(payload);
    } else {
        rc = intoto_envelope_new(&env, kind, payload, err);
        if (rc == INTOTO_OK && key != NULL) {
            rc = intoto_envelope_sign(env, key, 0, err);
        }
        rc = rc ? rc : intoto_envelope_serialize(&out, env, err);
    }
    rc = rc ? rc : write_link_file(path, out.data, out.len, err);
    intoto_envelope_free(env);
    intoto_buf_release(&out);
    return rc;
}

int
intoto_record_sign_write_gpg(struct intoto_json_doc *payload,
                             const struct intoto_step_opts *step,
                             const char *dir, int unfinished,
                             struct intoto_buf *written,
                             struct intoto_error *err)
{
    struct intoto_envelope *env = NULL;
    struct intoto_buf path;
    const char *signer;
    int rc;

    intoto_buf_init(&path);
    rc = intoto_envelope_new(&env, INTOTO_ENVELOPE_METABLOCK, payload, err);
    rc = rc ? rc : intoto_envelope_sign_pgp(env, step->gpg_keyid,
                                            step->gpg_home, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    /* The key that signed names the file, as for `sign -g`. */
    signer = intoto_envelope_sig_keyid(env, intoto_envelope_sig_count(env)
                                                - 1);
    if (intoto_record_link_path(&path, unfinished ? NULL : dir, step->name,
                                signer, unfinished) != INTOTO_OK) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }
    rc = intoto_envelope_write(env, path.data, err);
    if (rc == INTOTO_OK && written != NULL) {
        rc = intoto_buf_addstr(written, path.data);
    }
out:
    intoto_envelope_free(env);
    intoto_buf_release(&path);
    return rc;
}

int
intoto_record_start(const struct intoto_step_opts *step,
                    const struct intoto_key *key,
                    enum intoto_envelope_kind kind,
                    struct intoto_buf *written, struct intoto_error *err)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_buf path;
    int rc;

    intoto_buf_init(&path);
    rc = intoto_record_link_new(&doc, step->name, err);
    rc = rc ? rc : record_into(doc, "materials", step->materials,
                               step->n_materials, &step->record, err);
    if (rc == INTOTO_OK && step->gpg) {
        rc = intoto_record_sign_write_gpg(doc, step, NULL, 1, &path, err);
        doc = NULL;
    } else if (rc == INTOTO_OK &&
        intoto_record_link_path(&path, NULL, step->name, intoto_key_id(key),
                                1) != INTOTO_OK) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    if (rc == INTOTO_OK && doc != NULL) {
        rc = intoto_record_sign_write(doc, key, kind, path.data, err);
        doc = NULL;
    }
    if (rc == INTOTO_OK && written != NULL) {
        rc = intoto_buf_addstr(written, path.data);
    }
    intoto_json_doc_free(doc);
    intoto_buf_release(&path);
    return rc;
}

/* Load the preliminary link and check that key signed it. */
static int
load_unfinished(struct intoto_envelope **env, const char *path,
                const struct intoto_key *key, struct intoto_error *err)
{
    int rc;

    rc = intoto_envelope_load(env, path, err);
    if (rc == INTOTO_ENOTFOUND) {
        return intoto_error_set(err, rc, "no preliminary link '%s' for this "
                                "step and key (run 'record start' first)",
                                path);
    }
    if (rc != INTOTO_OK) {
        return rc;
    }
    rc = intoto_envelope_verify(*env, key, err);
    if (rc != INTOTO_OK) {
        intoto_error_wrap(err, "preliminary link '%s' is not signed by key "
                          "%.8s", path, intoto_key_id(key));
    }
    return rc;
}

/* With gpg, the preliminary link is found by its step name alone: there
 * must be exactly one.  Its signer's key comes from the keyring. */
static int
find_unfinished_gpg(struct intoto_buf *upath, struct intoto_key **key,
                    const struct intoto_step_opts *step,
                    struct intoto_error *err)
{
    struct intoto_envelope *env = NULL;
    struct intoto_buf pattern;
    const char *signer;
    glob_t g;
    int rc, grc;

    memset(&g, 0, sizeof(g));
    intoto_buf_init(&pattern);
    rc = intoto_record_link_path(&pattern, NULL, step->name, "*", 1);
    if (rc != INTOTO_OK) {
        return intoto_error_set(err, rc, "out of memory");
    }
    grc = glob(pattern.data, GLOB_NOESCAPE, NULL, &g);
    if (grc != 0 || g.gl_pathc != 1) {
        rc = intoto_error_set(err, INTOTO_ENOTFOUND,
                              grc == 0 ? "more than one preliminary link "
                              "'%s': remove the stale ones"
                              : "no preliminary link '%s' (run 'record "
                              "start' first)", pattern.data);
        goto out;
    }
    rc = intoto_buf_addstr(upath, g.gl_pathv[0]);
    rc = rc ? rc : intoto_envelope_load(&env, upath->data, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    signer = intoto_envelope_sig_count(env) > 0
                 ? intoto_envelope_sig_keyid(env, 0) : "";
    rc = intoto_key_from_gpg(key, step->gpg_keyid ? step->gpg_keyid
                                                  : signer,
                             step->gpg_home, err);
out:
    intoto_envelope_free(env);
    intoto_buf_release(&pattern);
    globfree(&g);
    return rc;
}

int
intoto_record_stop(const struct intoto_step_opts *step,
                   const struct intoto_key *key, const char *dir,
                   struct intoto_buf *written, struct intoto_error *err)
{
    struct intoto_envelope *env = NULL;
    struct intoto_json_doc *doc = NULL;
    struct intoto_key *gpgkey = NULL;
    struct intoto_buf upath, lpath;
    struct intoto_json *root;
    int rc;

    intoto_buf_init(&upath);
    intoto_buf_init(&lpath);
    if (step->gpg) {
        rc = find_unfinished_gpg(&upath, &gpgkey, step, err);
        if (rc != INTOTO_OK) {
            goto out;
        }
        key = gpgkey;
    } else {
        rc = intoto_record_link_path(&upath, NULL, step->name,
                                     intoto_key_id(key), 1);
        rc = rc ? rc : intoto_record_link_path(&lpath, dir, step->name,
                                               intoto_key_id(key), 0);
        if (rc != INTOTO_OK) {
            rc = intoto_error_set(err, rc, "out of memory");
            goto out;
        }
    }
    rc = load_unfinished(&env, upath.data, key, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    doc = intoto_json_doc_new();
    root = doc ? intoto_json_copy(doc, intoto_envelope_payload(env)) : NULL;
    if (root == NULL) {
        rc = intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
        goto out;
    }
    intoto_json_set_root(doc, root);
    rc = record_into(doc, "products", step->products, step->n_products,
                     &step->record, err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    if (step->gpg) {
        rc = intoto_record_sign_write_gpg(doc, step, dir, 0, &lpath, err);
    } else {
        rc = intoto_record_sign_write(doc, key, step->dsse
                                      ? INTOTO_ENVELOPE_DSSE
                                      : intoto_envelope_kind(env),
                                      lpath.data, err);
    }
    doc = NULL;
    if (rc == INTOTO_OK && unlink(upath.data) != 0) {
        rc = intoto_error_set(err, INTOTO_EIO, "cannot remove '%s': %s",
                              upath.data, strerror(errno));
    }
    if (rc == INTOTO_OK && written != NULL) {
        rc = intoto_buf_addstr(written, lpath.data);
    }
out:
    intoto_json_doc_free(doc);
    intoto_envelope_free(env);
    intoto_key_free(gpgkey);
    intoto_buf_release(&upath);
    intoto_buf_release(&lpath);
    return rc;
}
