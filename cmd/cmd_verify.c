/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto verify: verify a supply chain against a signed layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intoto/json.h>
#include <intoto/key.h>
#include <intoto/layout.h>
#include <intoto/verify.h>

#include "cmd.h"

struct verify_args {
    const char *layout;
    char **keys;
    size_t n_keys;
    char **types;
    size_t n_types;
    char **vkeys;
    size_t n_vkeys;
    char **gpg;
    size_t n_gpg;
    const char *gpg_home;
    const char *link_dir;
    const char *report;
    double timeout;
    int strict_command;
    struct intoto_param *params;
    size_t n_params;
};

static void
usage(FILE *fp)
{
    fprintf(fp,
            "usage: %s -l LAYOUT (-k KEY... [-t TYPE...] |\n"
            "       --verification-keys KEY... | -g ID... [--gpg-home DIR])\n"
            "       [--link-dir DIR]\n"
            "       [--inspection-timeout SECONDS] [--param NAME=VALUE]...\n"
            "       [--strict-command] [--report FILE] [-v | -q]\n"
            "\n"
            "Verify that a supply chain was carried out as its layout says:\n"
            "layout signatures and expiry, links and their signatures,\n"
            "thresholds, sublayouts, artifact rules and inspections.\n"
            "\n"
            "Options:\n"
            "  -l, --layout LAYOUT     the root layout\n"
            "  -k, --layout-keys KEY...  public keys that must all have\n"
            "                          signed the layout (legacy key ids)\n"
            "  -t, --key-types TYPE...  rsa, ed25519 or ecdsa, one per -k "
            "key\n"
            "                          (default: read from the file)\n"
            "      --verification-keys KEY...  PEM public keys that must "
            "all\n"
            "                          have signed the layout (new key ids)\n"
            "      --link-dir DIR      where the links are (default: .)\n"
            "      --inspection-timeout SECONDS  time limit for each\n"
            "                          inspection command (default: 10)\n"
            "      --param NAME=VALUE  substitute {NAME} in rules, commands\n"
            "                          and inspections (repeatable)\n"
            "      --strict-command    a command that differs from the\n"
            "                          layout's fails verification\n"
            "      --report FILE       write a JSON report of every check\n"
            "  -g, --gpg ID...         OpenPGP keys from gpg's keyring that\n"
            "                          must all have signed the layout\n"
            "      --gpg-home DIR      gpg home directory (default: gpg's)\n"
            "  -v, --verbose           show each check (-vv: more)\n"
            "  -q, --quiet             show errors only\n"
            "      --version           show the version\n"
            "  -h, --help              show this help\n"
            "\n"
            "Links are read from <step>.<keyid8>.link; inspections run in\n"
            "the current directory and write <inspection>.link there.\n"
            "\n"
            "Exit status: 0 verified, 1 verification failed, 2 usage error.\n",
            cmd_progname);
}

static int
add_param(struct verify_args *a, char *spec)
{
    char *eq = strchr(spec, '=');
    struct intoto_param *p;

    if (eq == NULL || eq == spec) {
        return cmd_usage_error("--param needs NAME=VALUE, got '%s'", spec);
    }
    p = realloc(a->params, (a->n_params + 1) * sizeof(*p));
    if (p == NULL) {
        cmd_error("out of memory");
        return EXIT_FAIL;
    }
    a->params = p;
    *eq = '\0';
    p[a->n_params].name = spec;
    p[a->n_params].value = eq + 1;
    a->n_params++;
    return EXIT_OK;
}

static int
parse_timeout(struct verify_args *a, const char *s)
{
    char *end = NULL;

    a->timeout = s ? strtod(s, &end) : -1;
    if (s == NULL || end == s || *end != '\0' || !(a->timeout > 0) ||
        a->timeout > 1e6) {
        return cmd_usage_error("--inspection-timeout needs a number of "
                               "seconds above 0, got '%s'", s ? s : "");
    }
    return EXIT_OK;
}

/* Options with values; returns -1 when `a` is not one of them. */
static int
parse_valued(struct verify_args *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];

    if (cmd_is_opt(a, "-l", "--layout")) {
        o->layout = cmd_opt_value(argc, argv, i);
        return o->layout ? EXIT_OK
                         : cmd_usage_error("%s needs a layout file", a);
    }
    if (cmd_is_opt(a, NULL, "--link-dir")) {
        o->link_dir = cmd_opt_value(argc, argv, i);
        return o->link_dir ? EXIT_OK
                           : cmd_usage_error("%s needs a directory", a);
    }
    if (cmd_is_opt(a, NULL, "--gpg-home")) {
        o->gpg_home = cmd_opt_value(argc, argv, i);
        return o->gpg_home ? EXIT_OK
                           : cmd_usage_error("%s needs a directory", a);
    }
    if (cmd_is_opt(a, NULL, "--report")) {
        o->report = cmd_opt_value(argc, argv, i);
        return o->report ? EXIT_OK : cmd_usage_error("%s needs a file", a);
    }
    if (cmd_is_opt(a, NULL, "--inspection-timeout")) {
        return parse_timeout(o, cmd_opt_value(argc, argv, i));
    }
    if (cmd_is_opt(a, NULL, "--param")) {
        a = cmd_opt_value(argc, argv, i);
        return a ? add_param(o, (char *)a)
                 : cmd_usage_error("--param needs NAME=VALUE");
    }
    return -1;
}

static const char *const verify_valued[] = {
    "--layout", "--layout-keys", "--key-types", "--verification-keys",
    "--link-dir", "--gpg", "--gpg-home", "--report", "--inspection-timeout",
    "--param", NULL
};

static const char *const verify_flags[] = {
    "--help", "--version", "--strict-command", "--verbose", "--quiet", NULL
};

static int
parse_args(struct verify_args *o, int argc, char **argv)
{
    int i, rc;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        rc = parse_valued(o, argc, argv, &i);
        if (rc >= 0) {
            if (rc != EXIT_OK) {
                return rc;
            }
        } else if (cmd_is_opt(a, "-h", "--help")) {
            usage(stdout);
            return -1;
        } else if (cmd_is_opt(a, NULL, "--version")) {
            printf("%s (in-toto in C) %s\n", cmd_progname, INTOTO_VERSION);
            return -1;
        } else if (cmd_is_opt(a, "-k", "--layout-keys")) {
            o->n_keys = cmd_opt_values(argc, argv, &i, &o->keys);
            if (o->n_keys == 0) {
                return cmd_usage_error("%s needs at least one key file", a);
            }
        } else if (cmd_is_opt(a, "-t", "--key-types")) {
            o->n_types = cmd_opt_values(argc, argv, &i, &o->types);
            if (o->n_types == 0) {
                return cmd_usage_error("%s needs at least one type", a);
            }
        } else if (cmd_is_opt(a, NULL, "--verification-keys")) {
            o->n_vkeys = cmd_opt_values(argc, argv, &i, &o->vkeys);
            if (o->n_vkeys == 0) {
                return cmd_usage_error("%s needs at least one key file", a);
            }
        } else if (cmd_is_opt(a, "-g", "--gpg")) {
            o->n_gpg = cmd_opt_values(argc, argv, &i, &o->gpg);
            if (o->n_gpg == 0) {
                return cmd_usage_error("%s needs at least one key id", a);
            }
        } else if (cmd_is_opt(a, NULL, "--strict-command")) {
            o->strict_command = 1;
        } else if (cmd_is_opt(a, "-v", "--verbose")) {
            cmd_verbosity = cmd_verbosity < 2 ? 2 : cmd_verbosity + 1;
        } else if (strcmp(a, "-vv") == 0) {
            cmd_verbosity = 3;
        } else if (cmd_is_opt(a, "-q", "--quiet")) {
            cmd_verbosity = 0;
        } else {
            return cmd_usage_error("unknown argument '%s'", a);
        }
    }
    return EXIT_OK;
}

static int
check_args(const struct verify_args *o)
{
    size_t i;

    if (o->layout == NULL) {
        return cmd_usage_error("-l/--layout is required");
    }
    if (o->n_keys == 0 && o->n_vkeys == 0 && o->n_gpg == 0) {
        return cmd_usage_error("give the layout keys with -k/--layout-keys, "
                               "--verification-keys or -g/--gpg");
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
    return EXIT_OK;
}

/* -k keys (legacy key ids, type from -t or else from the file),
 * --verification-keys (new key ids, type detected), then -g keys exported
 * from gpg's keyring. */
static int
load_keys(struct intoto_key **keys, const struct verify_args *o)
{
    struct intoto_error err;
    size_t i, nk = o->n_keys, nv = o->n_vkeys;
    int rc;

    for (i = 0; i < nk + nv + o->n_gpg; i++) {
        intoto_error_init(&err);
        if (i < nk) {
            /* Without -t the type is read from the file: the reference
             * assumes rsa, which fails for any other key anyway. */
            rc = intoto_key_load_public(&keys[i], o->keys[i],
                                        o->n_types ? o->types[i] : NULL,
                                        INTOTO_KEYID_LEGACY, &err);
        } else if (i < nk + nv) {
            rc = intoto_key_load_public(&keys[i], o->vkeys[i - nk], NULL,
                                        INTOTO_KEYID_NEW, &err);
        } else {
            rc = intoto_key_from_gpg(&keys[i], o->gpg[i - nk - nv],
                                     o->gpg_home, &err);
        }
        if (rc != INTOTO_OK) {
            return cmd_fail(&err);
        }
    }
    return EXIT_OK;
}

static int
write_report(const struct intoto_json_doc *doc, const char *path)
{
    struct intoto_error err;

    intoto_error_init(&err);
    if (intoto_verify_report_write(doc, path, &err) != INTOTO_OK) {
        return cmd_fail(&err);
    }
    return EXIT_OK;
}

static int
run_verify(const struct verify_args *o, struct intoto_key *const *keys)
{
    struct intoto_verify_opts vo;
    struct intoto_log log = cmd_log();
    struct intoto_json_doc *doc = NULL;
    struct intoto_error err;
    int rc, status;

    intoto_error_init(&err);
    intoto_verify_opts_init(&vo);
    vo.layout_path = o->layout;
    vo.layout_keys = keys;
    vo.n_layout_keys = o->n_keys + o->n_vkeys + o->n_gpg;
    vo.link_dir = o->link_dir;
    if (o->timeout > 0) {
        vo.inspection_timeout = o->timeout;
    }
    vo.params = o->params;
    vo.n_params = o->n_params;
    vo.substitute = o->n_params > 0;
    vo.strict_command = o->strict_command;
    vo.log = &log;
    if (o->report != NULL) {
        doc = intoto_json_doc_new();
        if (doc == NULL) {
            cmd_error("out of memory");
            return EXIT_FAIL;
        }
        vo.report = doc;
    }

    rc = intoto_verify(&vo, &err);
    status = rc == INTOTO_OK ? EXIT_OK : cmd_fail(&err);
    if (doc != NULL && write_report(doc, o->report) != EXIT_OK) {
        status = EXIT_FAIL;
    }
    if (status == EXIT_OK && cmd_verbosity > 0) {
        printf("the supply chain verified\n");
    }
    intoto_json_doc_free(doc);
    return status;
}

int
cmd_verify(int argc, char **argv)
{
    struct verify_args o;
    struct intoto_key **keys = NULL;
    size_t i, n = 0;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = cmd_split_values(&argc, &argv, "lktg", verify_valued,
                          verify_flags);
    if (rc != EXIT_OK) {
        return rc;
    }
    rc = parse_args(&o, argc, argv);
    if (rc == EXIT_OK) {
        rc = check_args(&o);
    }
    if (rc != EXIT_OK) {
        free(o.params);
        return rc < 0 ? EXIT_OK : rc;
    }

    n = o.n_keys + o.n_vkeys + o.n_gpg;
    keys = calloc(n, sizeof(*keys));
    if (keys == NULL) {
        cmd_error("out of memory");
        rc = EXIT_FAIL;
    } else {
        rc = load_keys(keys, &o);
    }
    if (rc == EXIT_OK) {
        rc = run_verify(&o, keys);
    }
    for (i = 0; keys != NULL && i < n; i++) {
        intoto_key_free(keys[i]);
    }
    free(keys);
    free(o.params);
    return rc;
}
