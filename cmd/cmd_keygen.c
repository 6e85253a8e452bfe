/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto keygen: generate a key pair and write NAME and NAME.pub. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <intoto/key.h>

#include "cmd.h"

struct keygen_opts {
    const char *name;
    const char *type;
    const char *password;
    int bits;
    int prompt;
    enum intoto_key_format format;
};

static void
usage(FILE *fp)
{
    fprintf(fp,
            "usage: %s [-t {rsa,ed25519,ecdsa}] [-b BITS] [-p | -P PASSWORD]\n"
            "       [--sslib | --format {pem,sslib}] NAME\n"
            "\n"
            "Generate a key pair: NAME (private) and NAME.pub (public).\n"
            "By default both are PEM (PKCS#8 private key, encrypted when a\n"
            "password is given; SPKI public key).  --sslib writes the files\n"
            "in-toto 1.3 writes: PEM for rsa, securesystemslib JSON for\n"
            "ed25519 and ecdsa.\n"
            "\n"
            "Options:\n"
            "  -t, --type TYPE       rsa (default), ed25519 or ecdsa (P-256)\n"
            "  -b, --bits BITS       rsa key size (default 3072, at least\n"
            "                        2048)\n"
            "  -p, --prompt          prompt for a password to encrypt the\n"
            "                        private key\n"
            "  -P, --password PW     encrypt the private key with PW\n"
            "      --sslib           same as --format sslib\n"
            "      --format FORMAT   pem (default) or sslib\n"
            "      --version         show the version\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: 0 success, 1 failure, 2 usage error.\n",
            cmd_progname);
}

static int
set_format(struct keygen_opts *o, const char *value)
{
    if (value == NULL) {
        return cmd_usage_error("--format needs pem or sslib");
    }
    if (strcmp(value, "pem") == 0) {
        o->format = INTOTO_KEY_PEM;
    } else if (strcmp(value, "sslib") == 0) {
        o->format = INTOTO_KEY_SSLIB;
    } else {
        return cmd_usage_error("unknown format '%s' (pem, sslib)", value);
    }
    return EXIT_OK;
}

static int
set_bits(struct keygen_opts *o, const char *value)
{
    char *end = NULL;
    long bits;

    if (value == NULL) {
        return cmd_usage_error("--bits needs a number");
    }
    bits = strtol(value, &end, 10);
    if (end == value || *end != '\0' || bits < 2048 || bits > 16384) {
        return cmd_usage_error("invalid key size '%s' (2048 to 16384)",
                               value);
    }
    o->bits = (int)bits;
    return EXIT_OK;
}

static const char *const keygen_valued[] = {
    "--type", "--bits", "--password", "--format", NULL
};

static const char *const keygen_flags[] = {
    "--help", "--version", "--prompt", "--sslib", NULL
};

static int
parse_args(struct keygen_opts *o, int argc, char **argv)
{
    int i, dashdash = 0;
    int rc = EXIT_OK;

    for (i = 1; i < argc && rc == EXIT_OK; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--") == 0 && !dashdash) {
            dashdash = 1;
        } else if (dashdash || (a[0] != '-' || a[1] == '\0')) {
            if (o->name != NULL) {
                rc = cmd_usage_error("unexpected argument '%s'", a);
            }
            o->name = a;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(a, "--version") == 0) {
            printf("%s (in-toto in C) %s\n", cmd_progname, INTOTO_VERSION);
            return -1;
        } else if (strcmp(a, "-t") == 0 || strcmp(a, "--type") == 0) {
            o->type = next;
            i++;
            if (next == NULL || (strcmp(next, "rsa") != 0 &&
                                 strcmp(next, "ed25519") != 0 &&
                                 strcmp(next, "ecdsa") != 0)) {
                rc = cmd_usage_error("%s needs rsa, ed25519 or ecdsa", a);
            }
        } else if (strcmp(a, "-b") == 0 || strcmp(a, "--bits") == 0) {
            rc = set_bits(o, next);
            i++;
        } else if (strcmp(a, "-P") == 0 || strcmp(a, "--password") == 0) {
            o->password = next;
            i++;
            if (next == NULL) {
                rc = cmd_usage_error("%s needs a password", a);
            }
        } else if (strcmp(a, "-p") == 0 || strcmp(a, "--prompt") == 0) {
            o->prompt = 1;
        } else if (strcmp(a, "--sslib") == 0) {
            o->format = INTOTO_KEY_SSLIB;
        } else if (strcmp(a, "--format") == 0) {
            rc = set_format(o, next);
            i++;
        } else if (strncmp(a, "--format=", 9) == 0) {
            rc = set_format(o, a + 9);
        } else {
            rc = cmd_usage_error("unknown option '%s'", a);
        }
    }
    if (rc == EXIT_OK && o->name == NULL) {
        rc = cmd_usage_error("a file name for the keys is needed");
    }
    if (rc == EXIT_OK && o->bits != 0 && strcmp(o->type, "rsa") != 0) {
        rc = cmd_usage_error("-b only applies to rsa keys");
    }
    return rc;
}

/* Ask twice on a terminal so that a typo does not lock the key away. */
static char *
prompt_password(void)
{
    char *pw = cmd_read_password("enter a password to encrypt the key: ");
    char *again;

    if (pw == NULL) {
        cmd_error("no password was read");
        return NULL;
    }
    if (!isatty(STDIN_FILENO)) {
        return pw;
    }
    again = cmd_read_password("enter it again: ");
    if (again == NULL || strcmp(pw, again) != 0) {
        cmd_error("the passwords do not match");
        OPENSSL_cleanse(pw, strlen(pw));
        free(pw);
        pw = NULL;
    }
    if (again != NULL) {
        OPENSSL_cleanse(again, strlen(again));
        free(again);
    }
    return pw;
}

int
cmd_keygen(int argc, char **argv)
{
    struct keygen_opts o;
    struct intoto_key *key = NULL;
    struct intoto_error err;
    char *pw = NULL;
    int rc;

    memset(&o, 0, sizeof(o));
    o.type = "rsa";
    intoto_error_init(&err);
    rc = cmd_split_values(&argc, &argv, "tbP", keygen_valued,
                          keygen_flags);
    if (rc != EXIT_OK) {
        return rc;
    }
    rc = parse_args(&o, argc, argv);
    if (rc != EXIT_OK) {
        return rc < 0 ? EXIT_OK : rc;
    }
    if (o.password != NULL) {
        pw = strdup(o.password);
    } else if (o.prompt) {
        pw = prompt_password();
        if (pw == NULL) {
            return EXIT_FAIL;
        }
    }

    rc = intoto_key_generate(&key, o.type, o.bits, INTOTO_KEYID_LEGACY, &err);
    if (rc == INTOTO_OK) {
        rc = intoto_key_write(key, o.name, o.format, pw, &err);
    }
    if (rc == INTOTO_OK) {
        cmd_info("wrote '%s' and '%s.pub' (key id %s)", o.name, o.name,
                 intoto_key_id(key));
    }
    if (pw != NULL) {
        OPENSSL_cleanse(pw, strlen(pw));
        free(pw);
    }
    intoto_key_free(key);
    return rc == INTOTO_OK ? EXIT_OK : cmd_fail(&err);
}
