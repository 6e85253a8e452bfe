/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto match-products: compare local files with a link's products. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <intoto/envelope.h>
#include <intoto/json.h>
#include <intoto/record.h>
#include <intoto/verify.h>

#include "cmd.h"

struct match_args {
    const char *link;
    char **paths;
    size_t n_paths;
    char **excludes;
    size_t n_excludes;
    int excludes_given;
    char **lstrip;
    size_t n_lstrip;
};

static void
usage(FILE *fp)
{
    fprintf(fp,
            "usage: %s -l LINK [-p PATH...] [-e PATTERN...]\n"
            "       [--lstrip-paths PREFIX...] [-v | -q]\n"
            "\n"
            "Check that local artifacts match the products of a link: the\n"
            "same names with the same hashes.  The link's signature is not\n"
            "checked.\n"
            "\n"
            "Options:\n"
            "  -l, --link LINK         the link file\n"
            "  -p, --paths PATH...     files or directories to record\n"
            "                          (default: .)\n"
            "  -e, --exclude PATTERN...  gitignore-style patterns of paths\n"
            "                          not to record (replace the defaults)\n"
            "      --lstrip-paths PREFIX...  prefixes stripped from names\n"
            "  -v, --verbose           show more output\n"
            "  -q, --quiet             print nothing, only set the status\n"
            "      --version           show the version\n"
            "  -h, --help              show this help\n"
            "\n"
            "Differences are printed as 'Only in products: NAME', 'Not in\n"
            "products: NAME' and 'Hashes differ: NAME'.\n"
            "\n"
            "Exit status: 0 match, 1 differences or failure, 2 usage error.\n",
            cmd_progname);
}

static const char *const match_valued[] = {
    "--link", "--paths", "--exclude", "--lstrip-paths", NULL
};

static const char *const match_flags[] = {
    "--help", "--version", "--verbose", "--quiet", NULL
};

static int
parse_args(struct match_args *o, int argc, char **argv)
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
        } else if (cmd_is_opt(a, "-l", "--link")) {
            if (i + 1 >= argc) {
                return cmd_usage_error("%s needs a link file", a);
            }
            o->link = argv[++i];
        } else if (cmd_is_opt(a, "-p", "--paths")) {
            o->n_paths = cmd_opt_values(argc, argv, &i, &o->paths);
            if (o->n_paths == 0) {
                return cmd_usage_error("%s needs at least one path", a);
            }
        } else if (cmd_is_opt(a, "-e", "--exclude")) {
            o->n_excludes = cmd_opt_values(argc, argv, &i, &o->excludes);
            o->excludes_given = 1;
            if (o->n_excludes == 0) {
                return cmd_usage_error("%s needs at least one pattern", a);
            }
        } else if (cmd_is_opt(a, NULL, "--lstrip-paths")) {
            o->n_lstrip = cmd_opt_values(argc, argv, &i, &o->lstrip);
            if (o->n_lstrip == 0) {
                return cmd_usage_error("%s needs at least one prefix", a);
            }
        } else if (cmd_is_opt(a, "-v", "--verbose")) {
            cmd_verbosity = cmd_verbosity < 2 ? 2 : cmd_verbosity + 1;
        } else if (cmd_is_opt(a, "-q", "--quiet")) {
            cmd_verbosity = 0;
        } else {
            return cmd_usage_error("unknown argument '%s'", a);
        }
    }
    if (o->link == NULL) {
        return cmd_usage_error("-l/--link is required");
    }
    return EXIT_OK;
}

static int
record_local(struct intoto_json_doc *doc, struct intoto_json **out,
             const struct match_args *o, const struct intoto_log *log,
             struct intoto_error *err)
{
    static const char *const dot[] = { "." };
    struct intoto_record_opts ro;
    struct intoto_json *obj = intoto_json_new_object(doc);

    *out = obj;
    if (obj == NULL) {
        return intoto_error_set(err, INTOTO_ENOMEM, "out of memory");
    }
    intoto_json_set_root(doc, obj);
    intoto_record_opts_init(&ro);
    ro.excludes = (const char *const *)o->excludes;
    ro.n_excludes = o->n_excludes;
    ro.excludes_given = o->excludes_given;
    ro.lstrip = (const char *const *)o->lstrip;
    ro.n_lstrip = o->n_lstrip;
    ro.log = log;
    return intoto_artifacts_record(doc, obj,
                                   o->n_paths ? (const char *const *)o->paths
                                              : dot,
                                   o->n_paths ? o->n_paths : 1, &ro, err);
}

/* Print the names of `a` that `b` lacks (or, with `b` NULL and `other`
 * set, the common names whose hashes differ). */
static size_t
print_names(const char *label, const struct intoto_json *a,
            const struct intoto_json *b, int hashes)
{
    size_t i, len, n = 0;
    const char *k;
    const struct intoto_json *v;

    for (i = 0; i < intoto_json_len(a); i++) {
        k = intoto_json_key_at(a, i, &len);
        v = intoto_json_getl(b, k, len);
        if (hashes ? (v != NULL &&
                      !intoto_json_equal(v, intoto_json_value_at(a, i)))
                   : v == NULL) {
            if (cmd_verbosity > 0) {
                printf("%s: ", label);
                cmd_put_escaped(stdout, k, len);
                putchar('\n');
            }
            n++;
        }
    }
    return n;
}

static int
compare(const struct intoto_json *products, const struct intoto_json *local)
{
    size_t n = 0;

    n += print_names("Only in products", products, local, 0);
    n += print_names("Not in products", local, products, 0);
    n += print_names("Hashes differ", products, local, 1);
    if (n == 0 && cmd_verbosity > 1) {
        printf("local artifacts match the products of the link\n");
    }
    return n == 0 ? EXIT_OK : EXIT_FAIL;
}

/* Opening a FIFO would block: refuse anything but a regular file. */
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
cmd_match_products(int argc, char **argv)
{
    struct match_args o;
    struct intoto_envelope *env = NULL;
    struct intoto_json_doc *doc = NULL;
    struct intoto_json *local = NULL;
    const struct intoto_json *payload;
    struct intoto_log log = cmd_log();
    struct intoto_error err;
    int rc;

    memset(&o, 0, sizeof(o));
    intoto_error_init(&err);
    rc = cmd_split_values(&argc, &argv, "lpe", match_valued,
                          match_flags);
    if (rc != EXIT_OK) {
        return rc;
    }
    rc = parse_args(&o, argc, argv);
    if (rc != EXIT_OK) {
        return rc < 0 ? EXIT_OK : rc;
    }

    rc = check_regular(o.link, &err);
    if (rc == INTOTO_OK) {
        rc = intoto_envelope_load(&env, o.link, &err);
    }
    if (rc == INTOTO_OK) {
        payload = intoto_envelope_payload(env);
        rc = intoto_link_check(payload, NULL, &err);
        if (rc != INTOTO_OK) {
            intoto_error_wrap(&err, "'%s'", o.link);
        }
    }
    if (rc == INTOTO_OK) {
        doc = intoto_json_doc_new();
        rc = doc ? record_local(doc, &local, &o, &log, &err)
                 : intoto_error_set(&err, INTOTO_ENOMEM, "out of memory");
    }
    if (rc == INTOTO_OK) {
        rc = compare(intoto_json_get(payload, "products"), local);
    } else {
        rc = cmd_fail(&err);
    }
    intoto_json_doc_free(doc);
    intoto_envelope_free(env);
    return rc;
}
