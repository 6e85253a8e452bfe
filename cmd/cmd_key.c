/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto key: show a key file's ids and its layout key object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <intoto/key.h>

#include "cmd.h"

struct key_opts {
    const char *action;
    const char *file;
    const char *type;
    const char *password;
    int prompt;
    int new_form;
};

static void
usage(FILE *fp)
{
    fprintf(fp,
            "usage: %s id FILE [-t TYPE] [-p | -P PASSWORD]\n"
            "       %s layout FILE [-t TYPE] [--new-keyid] [-p | -P PW]\n"
            "\n"
            "Show the key ids of a key file (public or private; PEM or\n"
            "securesystemslib JSON), or the key object to paste into a\n"
            "layout's \"keys\".\n"
            "\n"
            "Options:\n"
            "  -t, --type TYPE       rsa, ed25519 or ecdsa (default: detect)\n"
            "      --new-keyid       layout: use the new key id form (in-toto\n"
            "                        2.x --verification-keys) instead of the\n"
            "                        legacy one\n"
            "  -p, --prompt          prompt for the password of an encrypted\n"
            "                        private key\n"
            "  -P, --password PW     the password of an encrypted private key\n"
            "      --version         show the version\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 success, 1 failure, 2 usage error.\n",
            cmd_progname, cmd_progname);
}

static const char *const key_valued[] = { "--type", "--password", NULL };
static const char *const key_flags[] = {
    "--help", "--version", "--prompt", "--new-keyid", NULL
};

static int
parse_args(struct key_opts *o, int argc, char **argv)
{
    int i, dashdash = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!dashdash && strcmp(a, "--") == 0) {
            dashdash = 1;
        } else if (dashdash || a[0] != '-' || a[1] == '\0') {
            if (o->action == NULL) {
                o->action = a;
            } else if (o->file == NULL) {
                o->file = a;
            } else {
                return cmd_usage_error("unexpected argument '%s'", a);
            }
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(a, "--version") == 0) {
            printf("%s (in-toto in C) %s\n", cmd_progname, INTOTO_VERSION);
            return -1;
        } else if (strcmp(a, "-t") == 0 || strcmp(a, "--type") == 0) {
            if (++i >= argc) {
                return cmd_usage_error("%s needs a key type", a);
            }
            o->type = argv[i];
        } else if (strcmp(a, "-P") == 0 || strcmp(a, "--password") == 0) {
            if (++i >= argc) {
                return cmd_usage_error("%s needs a password", a);
            }
            o->password = argv[i];
        } else if (strcmp(a, "-p") == 0 || strcmp(a, "--prompt") == 0) {
            o->prompt = 1;
        } else if (strcmp(a, "--new-keyid") == 0) {
            o->new_form = 1;
        } else {
            return cmd_usage_error("unknown option '%s'", a);
        }
    }
    if (o->action == NULL || o->file == NULL) {
        return cmd_usage_error("an action (id, layout) and a key file are "
                               "needed");
    }
    if (strcmp(o->action, "id") != 0 && strcmp(o->action, "layout") != 0) {
        return cmd_usage_error("unknown action '%s' (id, layout)", o->action);
    }
    if (o->type != NULL && strcmp(o->type, "rsa") != 0 &&
        strcmp(o->type, "ed25519") != 0 && strcmp(o->type, "ecdsa") != 0) {
        return cmd_usage_error("unknown key type '%s' (rsa, ed25519, ecdsa)",
                               o->type);
    }
    return EXIT_OK;
}

/* Public key files load directly; encrypted private ones need the
 * password. */
static int
load_key(struct intoto_key **out, const struct key_opts *o,
         struct intoto_error *err)
{
    enum intoto_keyid_form form = o->new_form ? INTOTO_KEYID_NEW
                                              : INTOTO_KEYID_LEGACY;
    char *pw = NULL;
    int rc;

    rc = intoto_key_file_is_encrypted(o->file, err);
    if (rc == 0) {
        return intoto_key_load_public(out, o->file, o->type, form, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (o->password != NULL) {
        pw = strdup(o->password);
    } else if (o->prompt || isatty(STDIN_FILENO)) {
        pw = cmd_read_password("enter the key password: ");
    }
    rc = intoto_key_load_private(out, o->file, o->type, pw, form, err);
    if (pw != NULL) {
        OPENSSL_cleanse(pw, strlen(pw));
        free(pw);
    }
    return rc;
}

static int
print_layout_key(const struct intoto_key *key, struct intoto_error *err)
{
    struct intoto_json_doc *doc = intoto_json_doc_new();
    struct intoto_json *obj = NULL;
    struct intoto_buf out;
    int rc = INTOTO_ENOMEM;

    intoto_buf_init(&out);
    if (doc != NULL) {
        obj = intoto_key_to_json(doc, key);
    }
    if (obj != NULL) {
        rc = intoto_json_pretty(&out, obj);
    }
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "cannot encode the key");
    } else {
        printf("%s\n", out.data);
    }
    intoto_buf_release(&out);
    intoto_json_doc_free(doc);
    return rc;
}

int
cmd_key(int argc, char **argv)
{
    struct key_opts o;
    struct intoto_key *key = NULL;
    struct intoto_error err;
    const char *id;
    int rc;

    memset(&o, 0, sizeof(o));
    intoto_error_init(&err);
    rc = cmd_split_values(&argc, &argv, "tP", key_valued, key_flags);
    if (rc != EXIT_OK) {
        return rc;
    }
    rc = parse_args(&o, argc, argv);
    if (rc != EXIT_OK) {
        return rc < 0 ? EXIT_OK : rc;
    }
    if (load_key(&key, &o, &err) != INTOTO_OK) {
        return cmd_fail(&err);
    }

    if (strcmp(o.action, "layout") == 0) {
        rc = print_layout_key(key, &err) == INTOTO_OK ? EXIT_OK
                                                      : cmd_fail(&err);
        goto out;
    }
    id = intoto_key_id(key);
    printf("legacy: %s\n", intoto_key_id_legacy(key));
    printf("new:    %s\n", intoto_key_id_new(key));
    if (strcmp(id, intoto_key_id_legacy(key)) != 0 &&
        strcmp(id, intoto_key_id_new(key)) != 0) {
        printf("file:   %s\n", id);
    }
    rc = EXIT_OK;

out:
    intoto_key_free(key);
    return rc;
}
