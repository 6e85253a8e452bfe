/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto sign: sign a link or layout, or verify its signatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <intoto/envelope.h>
#include <intoto/key.h>

#include "cmd.h"

struct sign_opts {
    const char *file;
    const char *output;
    const char *password;
    char **keys;
    size_t n_keys;
    char **types;
    size_t n_types;
    char **gpg_ids;
    size_t n_gpg_ids;
    const char *gpg_home;
    int gpg;
    int prompt;
    int append;
    int verify;
    int dsse;
    int new_keyid;
};

static void
usage(FILE *fp)
{
    fprintf(fp,
            "usage: %s -f FILE (-k KEY... [-t TYPE...] [-p | -P PASSWORD]\n"
            "       | -g [KEYID...] [--gpg-home DIR]) [-o OUT] [-a]\n"
            "       [--use-dsse] [--verify] [-v | -q]\n"
            "\n"
            "Sign a link or layout file, or verify its signatures.\n"
            "\n"
            "Options:\n"
            "  -f, --file FILE       link or layout to sign or verify\n"
            "  -k, --key KEY...      key files: private keys to sign with, or\n"
            "                        public (or private) keys to verify with\n"
            "  -t, --key-type TYPE...  rsa, ed25519 or ecdsa, one per key\n"
            "                        (default: detected from the file)\n"
            "  -p, --prompt          prompt for the key password\n"
            "  -P, --password PW     the key password (non-interactive)\n"
            "  -o, --output OUT      where to write the signed file (default:\n"
            "                        a layout in place, a link to\n"
            "                        <name>.<keyid8>.link)\n"
            "  -a, --append          keep the existing signatures (layouts)\n"
            "      --use-dsse        write a DSSE envelope\n"
            "      --new-keyid       sign under the new key id form (in-toto\n"
            "                        2.x) instead of the legacy one\n"
            "      --verify          verify: every key must have signed\n"
            "  -g, --gpg [KEYID...]  sign with these keys of gpg's keyring\n"
            "                        (none: gpg's default key), or verify\n"
            "                        with them (at least one)\n"
            "      --gpg-home DIR    gpg's home directory (default: gpg's)\n"
            "  -v, --verbose         show more output\n"
            "  -q, --quiet           show errors only\n"
            "      --version         show the version\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 success, 1 failure, 2 usage error.\n",
            cmd_progname);
}

static const char *const sign_valued[] = {
    "--file", "--key", "--key-type", "--output", "--password", "--gpg",
    "--gpg-home", NULL
};

static const char *const sign_flags[] = {
    "--help", "--version", "--prompt", "--append", "--verify", "--use-dsse",
    "--new-keyid", "--verbose", "--quiet", NULL
};

static int
parse_args(struct sign_opts *o, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (cmd_is_opt(a, "-h", "--help")) {
            usage(stdout);
            return -1;
        } else if (cmd_is_opt(a, NULL, "--version")) {
            printf("%s (in-toto in C) %s\n", cmd_progname, INTOTO_VERSION);
            return -1;
        } else if (cmd_is_opt(a, "-f", "--file")) {
            o->file = cmd_opt_value(argc, argv, &i);
            if (o->file == NULL) {
                return cmd_usage_error("%s needs a file", a);
            }
        } else if (cmd_is_opt(a, "-o", "--output")) {
            o->output = cmd_opt_value(argc, argv, &i);
            if (o->output == NULL) {
                return cmd_usage_error("%s needs a path", a);
            }
        } else if (cmd_is_opt(a, "-P", "--password")) {
            o->password = cmd_opt_value(argc, argv, &i);
            if (o->password == NULL) {
                return cmd_usage_error("%s needs a password", a);
            }
        } else if (cmd_is_opt(a, "-k", "--key")) {
            o->n_keys = cmd_opt_values(argc, argv, &i, &o->keys);
            if (o->n_keys == 0) {
                return cmd_usage_error("%s needs at least one key file", a);
            }
        } else if (cmd_is_opt(a, "-t", "--key-type")) {
            o->n_types = cmd_opt_values(argc, argv, &i, &o->types);
            if (o->n_types == 0) {
                return cmd_usage_error("%s needs at least one type", a);
            }
        } else if (cmd_is_opt(a, "-g", "--gpg")) {
            o->gpg = 1;
            o->n_gpg_ids = cmd_opt_values(argc, argv, &i, &o->gpg_ids);
        } else if (cmd_is_opt(a, NULL, "--gpg-home")) {
            o->gpg_home = cmd_opt_value(argc, argv, &i);
            if (o->gpg_home == NULL) {
                return cmd_usage_error("%s needs a directory", a);
            }
        } else if (cmd_is_opt(a, "-p", "--prompt")) {
            o->prompt = 1;
        } else if (cmd_is_opt(a, "-a", "--append")) {
            o->append = 1;
        } else if (cmd_is_opt(a, NULL, "--verify")) {
            o->verify = 1;
        } else if (cmd_is_opt(a, NULL, "--use-dsse")) {
            o->dsse = 1;
        } else if (cmd_is_opt(a, NULL, "--new-keyid")) {
            o->new_keyid = 1;
        } else if (cmd_is_opt(a, "-v", "--verbose")) {
            cmd_verbosity++;
        } else if (cmd_is_opt(a, "-q", "--quiet")) {
            cmd_verbosity = 0;
        } else {
            return cmd_usage_error("unknown argument '%s'", a);
        }
    }
    return EXIT_OK;
}

static int
check_args(const struct sign_opts *o)
{
    size_t i;

    if (o->file == NULL) {
        return cmd_usage_error("-f/--file is required");
    }
    if ((o->n_keys == 0) == (o->gpg == 0)) {
        return cmd_usage_error("give either -k KEY... or -g [KEYID...]");
    }
    if (o->verify && o->gpg && o->n_gpg_ids == 0) {
        return cmd_usage_error("--verify with -g needs at least one key id");
    }
    if (o->n_types != 0 && o->n_types != o->n_keys) {
        return cmd_usage_error("%zu key types for %zu keys; give one type "
                               "per key", o->n_types, o->n_keys);
    }
    for (i = 0; i < o->n_types; i++) {
        if (strcmp(o->types[i], "rsa") != 0 &&
            strcmp(o->types[i], "ed25519") != 0 &&
            strcmp(o->types[i], "ecdsa") != 0) {
            return cmd_usage_error("unknown key type '%s' (rsa, ed25519, "
                                   "ecdsa)", o->types[i]);
        }
    }
    if (o->verify &&
        (o->append || o->output != NULL || o->dsse || o->new_keyid)) {
        return cmd_usage_error("--verify does not write; drop -a, -o, "
                               "--use-dsse and --new-keyid");
    }
    return EXIT_OK;
}

static const char *
key_type(const struct sign_opts *o, size_t i)
{
    return o->n_types > 0 ? o->types[i] : NULL;
}

static void
free_password(char *pw)
{
    if (pw != NULL) {
        OPENSSL_cleanse(pw, strlen(pw));
        free(pw);
    }
}

/* The password for an encrypted key file: -P, else a prompt (with -p or
 * on a terminal).  NULL when there is none. */
static char *
get_password(const struct sign_opts *o, const char *path)
{
    char prompt[512];

    if (o->password != NULL) {
        return strdup(o->password);
    }
    if (!o->prompt && !isatty(STDIN_FILENO)) {
        return NULL;
    }
    snprintf(prompt, sizeof(prompt), "enter the password for '%s': ", path);
    return cmd_read_password(prompt);
}

static int
load_signing_key(struct intoto_key **out, const struct sign_opts *o,
                 size_t i, struct intoto_error *err)
{
    const char *path = o->keys[i];
    char *pw = NULL;
    int rc;

    rc = intoto_key_file_is_encrypted(path, err);
    if (rc < 0) {
        return rc;
    }
    if (rc == 1) {
        pw = get_password(o, path);
    }
    rc = intoto_key_load_private(out, path, key_type(o, i), pw,
                                 o->new_keyid ? INTOTO_KEYID_NEW
                                              : INTOTO_KEYID_LEGACY,
                                 err);
    free_password(pw);
    return rc;
}

/* A key to verify with: a public key file, or a private one (encrypted
 * private keys need their password). */
static int
load_verify_key(struct intoto_key **out, const struct sign_opts *o,
                size_t i, struct intoto_error *err)
{
    int rc = intoto_key_file_is_encrypted(o->keys[i], err);

    if (rc == 1) {
        return load_signing_key(out, o, i, err);
    }
    if (rc < 0) {
        return rc;
    }
    return intoto_key_load_public(out, o->keys[i], key_type(o, i),
                                  INTOTO_KEYID_LEGACY, err);
}

static int
has_sig_for(const struct intoto_envelope *env, const char *keyid)
{
    size_t i;

    for (i = 0; i < intoto_envelope_sig_count(env); i++) {
        const char *k = intoto_envelope_sig_keyid(env, i);

        if (strcmp(k, keyid) == 0 ||
            (k[0] == '\0' &&
             intoto_envelope_kind(env) == INTOTO_ENVELOPE_DSSE)) {
            return 1;
        }
    }
    return 0;
}

/*
 * A key file does not say which key id form the signer used, so a
 * signature under the id the file names, the legacy id or the new id
 * counts (SPEC-NOTES 2.2).
 */
static int
verify_key(const struct intoto_envelope *env, struct intoto_key *key,
           struct intoto_error *err)
{
    const char *ids[3];
    char *named = strdup(intoto_key_id(key));
    size_t i, tried = 0;
    int rc = INTOTO_ENOMEM;

    if (named == NULL) {
        return intoto_error_set(err, rc, "out of memory");
    }
    ids[0] = named;
    ids[1] = intoto_key_id_legacy(key);
    ids[2] = intoto_key_id_new(key);
    for (i = 0; i < 3; i++) {
        if ((i > 0 && strcmp(ids[i], named) == 0) ||
            (i == 2 && strcmp(ids[2], ids[1]) == 0) ||
            !has_sig_for(env, ids[i])) {
            continue;
        }
        rc = intoto_key_set_id(key, ids[i]);
        if (rc == INTOTO_OK) {
            rc = intoto_envelope_verify(env, key, err);
        }
        tried++;
        if (rc == INTOTO_OK) {
            break;
        }
    }
    if (tried == 0) {
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "'%s': no signature by key %s",
                              intoto_envelope_name(env), named);
    }
    free(named);
    return rc;
}

/* Key i to verify with: from a file, or exported from gpg's keyring (its
 * subkeys' signatures count too). */
static int
verify_one(struct intoto_key **key, const struct sign_opts *o, size_t i,
           const struct intoto_envelope *env, struct intoto_error *err)
{
    int rc;

    if (o->gpg) {
        rc = intoto_key_from_gpg(key, o->gpg_ids[i], o->gpg_home, err);
        return rc ? rc : intoto_envelope_verify(env, *key, err);
    }
    rc = load_verify_key(key, o, i, err);
    return rc ? rc : verify_key(env, *key, err);
}

static int
do_verify(const struct sign_opts *o, const struct intoto_envelope *env)
{
    struct intoto_error err;
    size_t i, failed = 0;

    for (i = 0; i < (o->gpg ? o->n_gpg_ids : o->n_keys); i++) {
        struct intoto_key *key = NULL;
        int rc;

        intoto_error_init(&err);
        rc = verify_one(&key, o, i, env, &err);
        if (rc != INTOTO_OK) {
            cmd_fail(&err);
            failed++;
        } else if (cmd_verbosity >= 1) {
            printf("'%s': signature by key %s verified\n", o->file,
                   intoto_key_id(key));
        }
        intoto_key_free(key);
    }
    return failed > 0 ? EXIT_FAIL : EXIT_OK;
}

/* <name>.<first 8 hex digits of the keyid>.link (SPEC-NOTES 2.5). */
static char *
link_filename(const struct intoto_envelope *env, const char *keyid)
{
    const char *name = intoto_json_str(
        intoto_json_get(intoto_envelope_payload(env), "name"));
    size_t len;
    char *path;

    if (name == NULL) {
        name = "";
    }
    len = strlen(name) + 16;
    path = malloc(len);
    if (path != NULL) {
        snprintf(path, len, "%s.%.8s.link", name, keyid);
    }
    return path;
}

static int
sign_all(const struct sign_opts *o, struct intoto_envelope *env,
         struct intoto_key **first, struct intoto_error *err)
{
    size_t i;
    int rc = INTOTO_OK;

    for (i = 0; i < o->n_keys && rc == INTOTO_OK; i++) {
        struct intoto_key *key = NULL;

        rc = load_signing_key(&key, o, i, err);
        if (rc == INTOTO_OK) {
            rc = intoto_envelope_sign(env, key, o->append || i > 0, err);
        }
        if (rc == INTOTO_OK) {
            cmd_info("signed '%s' with key %s", o->file, intoto_key_id(key));
        }
        if (rc == INTOTO_OK && i == 0) {
            *first = key;
        } else {
            intoto_key_free(key);
        }
    }
    return rc;
}

/* Sign with gpg (the reference's `--gpg [KEYID...]`): no id means gpg's
 * default key. */
static int
sign_all_gpg(const struct sign_opts *o, struct intoto_envelope *env,
             struct intoto_error *err)
{
    size_t i = 0;
    int rc = INTOTO_OK;

    if (!o->append) {
        intoto_envelope_clear_signatures(env);
    }
    do {
        const char *id = o->n_gpg_ids > 0 ? o->gpg_ids[i] : NULL;

        rc = intoto_envelope_sign_pgp(env, id, o->gpg_home, err);
        if (rc == INTOTO_OK) {
            cmd_info("signed '%s' with OpenPGP key %s", o->file,
                     intoto_envelope_sig_keyid(
                         env, intoto_envelope_sig_count(env) - 1));
        }
    } while (rc == INTOTO_OK && ++i < o->n_gpg_ids);
    return rc;
}

static int
do_sign(const struct sign_opts *o, struct intoto_envelope *env)
{
    const char *type = intoto_envelope_type(env);
    int is_link = type != NULL && strcmp(type, "link") == 0;
    size_t n_signers = o->gpg ? (o->n_gpg_ids ? o->n_gpg_ids : 1)
                              : o->n_keys;
    struct intoto_key *first = NULL;
    struct intoto_error err;
    char *path = NULL;
    int rc;

    intoto_error_init(&err);
    if (is_link && (n_signers != 1 || o->append)) {
        return cmd_usage_error("a link is signed with exactly one key and "
                               "without -a");
    }
    if (!is_link && (type == NULL || strcmp(type, "layout") != 0)) {
        cmd_error("'%s': neither a link nor a layout", o->file);
        return EXIT_FAIL;
    }
    if (o->dsse) {
        intoto_envelope_set_kind(env, INTOTO_ENVELOPE_DSSE, &err);
    }

    rc = o->gpg ? sign_all_gpg(o, env, &err) : sign_all(o, env, &first, &err);
    if (rc != INTOTO_OK) {
        goto out;
    }
    if (o->output == NULL && is_link) {
        /* The key that made the signature names the file; with gpg that
         * may be a subkey. */
        path = link_filename(env, o->gpg ? intoto_envelope_sig_keyid(env, 0)
                                         : intoto_key_id(first));
        if (path == NULL || strchr(path, '/') != NULL) {
            rc = intoto_error_set(&err, INTOTO_EINVAL,
                                  "'%s': the link name is not a plain file "
                                  "name; use -o", o->file);
            goto out;
        }
    }
    rc = intoto_envelope_write(env, o->output ? o->output
                               : path         ? path
                                              : o->file, &err);
    if (rc == INTOTO_OK) {
        cmd_info("wrote '%s'", o->output ? o->output : path ? path : o->file);
    }

out:
    free(path);
    intoto_key_free(first);
    return rc == INTOTO_OK ? EXIT_OK : cmd_fail(&err);
}

int
cmd_sign(int argc, char **argv)
{
    struct sign_opts o;
    struct intoto_envelope *env = NULL;
    struct intoto_error err;
    int rc;

    memset(&o, 0, sizeof(o));
    intoto_error_init(&err);
    rc = cmd_split_values(&argc, &argv, "fkotPg", sign_valued,
                          sign_flags);
    if (rc != EXIT_OK) {
        return rc;
    }
    rc = parse_args(&o, argc, argv);
    if (rc != EXIT_OK) {
        return rc < 0 ? EXIT_OK : rc;
    }
    rc = check_args(&o);
    if (rc != EXIT_OK) {
        return rc;
    }

    if (intoto_envelope_load(&env, o.file, &err) != INTOTO_OK) {
        return cmd_fail(&err);
    }
    rc = o.verify ? do_verify(&o, env) : do_sign(&o, env);
    intoto_envelope_free(env);
    return rc;
}
