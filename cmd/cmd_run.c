/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto run, record start/stop and mock: options, keys, output. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <intoto/envelope.h>
#include <intoto/key.h>
#include <intoto/layout.h>
#include <intoto/record.h>

#include "cmd.h"

/* Which subcommands take an option. */
enum mode {
    M_RUN = 1 << 0,
    M_START = 1 << 1,
    M_STOP = 1 << 2,
    M_MOCK = 1 << 3
};
#define M_REC (M_RUN | M_START | M_STOP)

enum arg_kind { A_NONE, A_ONE, A_OPT, A_MULTI };

enum opt_id {
    O_NAME, O_MATERIALS, O_PRODUCTS, O_STREAMS, O_NOCMD, O_KEY, O_KEYTYPE,
    O_SIGNING_KEY, O_PASSWORD, O_GPG, O_GPG_HOME, O_EXCLUDE, O_BASE_PATH,
    O_LSTRIP, O_METADIR, O_DSSE, O_TIMEOUT, O_EOL, O_FOLLOW, O_HASH,
    O_RECORD_ENV, O_ENV_ALLOW, O_VERBOSE, O_QUIET, O_HELP, O_VERSION
};

struct opt {
    char short_name;
    const char *long_name;
    enum arg_kind kind;
    enum opt_id id;
    unsigned modes;
    const char *metavar;
    const char *help;
};

/* The reference's spellings (1.3 and 2.x) and Go's extra flags. */
static const struct opt opts[] = {
    { 'n', "step-name", A_ONE, O_NAME, M_REC, "<name>",
      "step name; the link is written to <name>.<keyid prefix>.link" },
    { 'n', "name", A_ONE, O_NAME, M_MOCK, "<name>",
      "step name; the link is written to <name>.link" },
    { 'm', "materials", A_MULTI, O_MATERIALS, M_RUN | M_START, "<path>",
      "paths recorded as materials (before the command)" },
    { 'p', "products", A_MULTI, O_PRODUCTS, M_RUN | M_STOP, "<path>",
      "paths recorded as products (after the command)" },
    { 's', "record-streams", A_NONE, O_STREAMS, M_RUN | M_MOCK, NULL,
      "record (and still show) the command's stdout and stderr" },
    { 'x', "no-command", A_NONE, O_NOCMD, M_RUN, NULL,
      "record without running a command" },
    { 'k', "key", A_ONE, O_KEY, M_REC, "<path>",
      "private key to sign with (PEM or securesystemslib JSON)" },
    { 't', "key-type", A_ONE, O_KEYTYPE, M_REC, "{rsa,ed25519,ecdsa}",
      "type of the --key key (default: detected)" },
    { 0, "signing-key", A_ONE, O_SIGNING_KEY, M_REC, "<path>",
      "PKCS#8 PEM private key to sign with (2.x key ids)" },
    { 'P', "password", A_OPT, O_PASSWORD, M_REC, "[<password>]",
      "password of an encrypted key; -P alone prompts" },
    { 'g', "gpg", A_OPT, O_GPG, M_REC, "[<id>]",
      "sign with this gpg key (no id: gpg's default key)" },
    { 0, "gpg-home", A_ONE, O_GPG_HOME, M_REC, "<path>",
      "gpg's home directory (default: gpg's own)" },
    { 0, "exclude", A_MULTI, O_EXCLUDE, M_REC, "<pattern>",
      "gitignore-style patterns of paths not to record (replace the "
      "defaults)" },
    { 0, "base-path", A_ONE, O_BASE_PATH, M_REC, "<path>",
      "look up artifacts relative to this directory" },
    { 0, "lstrip-paths", A_MULTI, O_LSTRIP, M_REC, "<path>",
      "prefixes stripped from recorded artifact names" },
    { 'd', "metadata-directory", A_ONE, O_METADIR, M_RUN | M_STOP,
      "<directory>", "directory to write the link to" },
    { 0, "use-dsse", A_NONE, O_DSSE, M_REC | M_MOCK, NULL,
      "write a DSSE envelope instead of a Metablock" },
    { 0, "run-timeout", A_ONE, O_TIMEOUT, M_RUN | M_MOCK, "<seconds>",
      "stop the command's process group after this many seconds" },
    { 0, "normalize-line-endings", A_NONE, O_EOL, M_REC, NULL,
      "hash files with CRLF and CR turned into LF" },
    { 0, "follow-symlink-dirs", A_NONE, O_FOLLOW, M_REC, NULL,
      "follow symlinked directories (always done)" },
    { 0, "hash", A_ONE, O_HASH, M_REC, "{sha256,sha512}",
      "digest algorithm to record (repeatable; default sha256)" },
    { 0, "record-env", A_NONE, O_RECORD_ENV, M_RUN, NULL,
      "record the environment, without secret-looking variables" },
    { 0, "env-allow", A_ONE, O_ENV_ALLOW, M_RUN, "<name>",
      "with --record-env, record this variable even if it looks secret" },
    { 'v', "verbose", A_NONE, O_VERBOSE, M_REC | M_MOCK, NULL,
      "show more output" },
    { 'q', "quiet", A_NONE, O_QUIET, M_REC | M_MOCK, NULL,
      "show errors only" },
    { 'h', "help", A_NONE, O_HELP, M_REC | M_MOCK, NULL,
      "show this help and exit" },
    { 0, "version", A_NONE, O_VERSION, M_REC | M_MOCK, NULL,
      "show the version and exit" },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

/* A growable list of borrowed argv strings. */
struct list {
    const char **v;
    size_t n;
    size_t cap;
};

struct args {
    unsigned mode;
    const char *name;
    struct list materials, products, command, exclude, lstrip, hash, allow;
    int have_exclude;
    int streams, no_command, dsse, eol, record_env, verbose, quiet;
    const char *key, *keytype, *signing_key, *password, *metadir;
    const char *base_path;
    int password_prompt;
    int gpg;
    const char *gpg_keyid, *gpg_home;
    double timeout;
};

static int
list_add(struct list *l, const char *s)
{
    const char **nv;
    size_t cap;

    if (l->n == l->cap) {
        cap = l->cap ? l->cap * 2 : 8;
        nv = realloc(l->v, cap * sizeof(*nv));
        if (nv == NULL) {
            return -1;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static void
args_release(struct args *a)
{
    free(a->materials.v);
    free(a->products.v);
    free(a->command.v);
    free(a->exclude.v);
    free(a->lstrip.v);
    free(a->hash.v);
    free(a->allow.v);
}

static const char *
mode_usage(unsigned mode)
{
    switch (mode) {
    case M_START:
        return "-n <name> (-k <path> | --signing-key <path>) [options] "
               "[-m <path>...]";
    case M_STOP:
        return "-n <name> (-k <path> | --signing-key <path>) [options] "
               "[-p <path>...]";
    case M_MOCK:
        return "-n <name> [options] -- <command> [args]";
    default:
        return "-n <name> (-k <path> | --signing-key <path>) [options] "
               "-- <command> [args]";
    }
}

/* Print text from column `col` (already reached), wrapped at 79. */
static void
print_wrapped(const char *text, int col)
{
    int pos = col, len;

    while (*text != '\0') {
        len = (int)strcspn(text, " ");
        if (pos > col && pos + 1 + len > 79) {
            printf("\n%*s", col, "");
            pos = col;
        } else if (pos > col) {
            putchar(' ');
            pos++;
        }
        printf("%.*s", len, text);
        pos += len;
        text += len;
        text += strspn(text, " ");
    }
    putchar('\n');
}

static void
usage(unsigned mode)
{
    char left[64];
    size_t i;

    printf("usage: %s ", cmd_progname);
    print_wrapped(mode_usage(mode), 7 + (int)strlen(cmd_progname) + 1);
    printf("\nOptions:\n");
    for (i = 0; i < N_OPTS; i++) {
        if (!(opts[i].modes & mode)) {
            continue;
        }
        if (opts[i].short_name) {
            snprintf(left, sizeof(left), "-%c, --%s %s", opts[i].short_name,
                     opts[i].long_name, opts[i].metavar ? opts[i].metavar
                                                        : "");
        } else {
            snprintf(left, sizeof(left), "    --%s %s", opts[i].long_name,
                     opts[i].metavar ? opts[i].metavar : "");
        }
        if (strlen(left) > 28) {
            printf("  %s\n%31s", left, "");
        } else {
            printf("  %-28s ", left);
        }
        print_wrapped(opts[i].help, 31);
    }
    if (mode == M_MOCK) {
        printf("\nRuns the command, records all of '.' as materials and "
               "products with the\nstreams, and writes the unsigned link "
               "<name>.link.\n");
    }
    printf("\nExit status: 0 success, 1 failure, 2 usage error");
    printf(mode & (M_RUN | M_MOCK) ? ";\na command that ran and failed: "
                                     "its own status.\n" : ".\n");
}

static const struct opt *
find_long(unsigned mode, const char *name, size_t len, int *ambiguous)
{
    const struct opt *hit = NULL;
    size_t i;

    *ambiguous = 0;
    for (i = 0; i < N_OPTS; i++) {
        if (!(opts[i].modes & mode) ||
            strncmp(opts[i].long_name, name, len) != 0) {
            continue;
        }
        if (strlen(opts[i].long_name) == len) {
            return &opts[i];
        }
        if (hit != NULL && hit->id != opts[i].id) {
            *ambiguous = 1;
        }
        hit = &opts[i];
    }
    return *ambiguous ? NULL : hit;
}

static const struct opt *
find_short(unsigned mode, char c)
{
    size_t i;

    for (i = 0; i < N_OPTS; i++) {
        if ((opts[i].modes & mode) && opts[i].short_name == c) {
            return &opts[i];
        }
    }
    return NULL;
}

/* The field a string option stores into, or NULL. */
static const char **
string_slot(struct args *a, enum opt_id id)
{
    switch (id) {
    case O_NAME:
        return &a->name;
    case O_KEY:
        return &a->key;
    case O_KEYTYPE:
        return &a->keytype;
    case O_SIGNING_KEY:
        return &a->signing_key;
    case O_BASE_PATH:
        return &a->base_path;
    case O_METADIR:
        return &a->metadir;
    default:
        return NULL;
    }
}

/* The flag a valueless option sets, or NULL. */
static int *
flag_slot(struct args *a, enum opt_id id)
{
    switch (id) {
    case O_STREAMS:
        return &a->streams;
    case O_NOCMD:
        return &a->no_command;
    case O_DSSE:
        return &a->dsse;
    case O_EOL:
        return &a->eol;
    case O_RECORD_ENV:
        return &a->record_env;
    case O_QUIET:
        return &a->quiet;
    default:
        return NULL;
    }
}

static int
set_timeout(struct args *a, const char *v)
{
    char *end = NULL;

    a->timeout = strtod(v, &end);
    if (end == v || *end != '\0' || !(a->timeout > 0)) {
        cmd_usage_error("--run-timeout: not a positive number of seconds: "
                        "'%s'", v);
        return -1;
    }
    return 0;
}

/* Store a flag or a value; -1 on a usage error (printed). */
static int
apply_value(struct args *a, const struct opt *o, const char *v)
{
    const char **str = string_slot(a, o->id);
    int *flag = flag_slot(a, o->id);

    if (str != NULL) {
        *str = v;
        return 0;
    }
    if (flag != NULL) {
        *flag = 1;
        return 0;
    }
    switch (o->id) {
    case O_PASSWORD:
        a->password = v;
        a->password_prompt = v == NULL;
        return 0;
    case O_GPG:
        a->gpg = 1;
        a->gpg_keyid = v;
        return 0;
    case O_GPG_HOME:
        a->gpg_home = v;
        return 0;
    case O_VERBOSE:
        a->verbose++;
        return 0;
    case O_HASH:
        return list_add(&a->hash, v);
    case O_ENV_ALLOW:
        return list_add(&a->allow, v);
    case O_TIMEOUT:
        return set_timeout(a, v);
    default:
        return 0; /* --follow-symlink-dirs: the default */
    }
}

static struct list *
multi_list(struct args *a, enum opt_id id)
{
    switch (id) {
    case O_MATERIALS:
        return &a->materials;
    case O_PRODUCTS:
        return &a->products;
    case O_EXCLUDE:
        a->have_exclude = 1;
        return &a->exclude;
    default:
        return &a->lstrip;
    }
}

static int
looks_like_option(const char *s)
{
    return s[0] == '-' && s[1] != '\0';
}

/*
 * Take an option's value(s) the way argparse does: A_ONE needs the next
 * word (or "=value"), A_OPT takes the next word unless it is an option,
 * A_MULTI takes words up to the next option or "--".  Returns the index
 * of the last word used, or -1 on a usage error (already printed).
 */
static int
take_values(struct args *a, const struct opt *o, const char *inline_v,
            int argc, char **argv, int i, const char *shown)
{
    struct list *l;
    int r;

    if (o->kind == A_NONE) {
        if (inline_v != NULL) {
            cmd_usage_error("%s takes no value", shown);
            return -1;
        }
        r = apply_value(a, o, NULL);
        return r < 0 ? -1 : i;
    }
    if (o->kind == A_MULTI) {
        l = multi_list(a, o->id);
        if (inline_v != NULL) {
            return list_add(l, inline_v) ? -1 : i;
        }
        if (i + 1 >= argc || looks_like_option(argv[i + 1]) ||
            strcmp(argv[i + 1], "--") == 0) {
            cmd_usage_error("%s expects at least one argument", shown);
            return -1;
        }
        while (i + 1 < argc && !looks_like_option(argv[i + 1]) &&
               strcmp(argv[i + 1], "--") != 0) {
            if (list_add(l, argv[++i]) != 0) {
                return -1;
            }
        }
        return i;
    }
    if (inline_v == NULL && i + 1 < argc && !looks_like_option(argv[i + 1]) &&
        strcmp(argv[i + 1], "--") != 0) {
        inline_v = argv[++i];
    }
    if (inline_v == NULL && o->kind == A_ONE) {
        cmd_usage_error("%s expects one argument", shown);
        return -1;
    }
    r = apply_value(a, o, inline_v);
    return r < 0 ? -1 : i;
}

/* One word starting with '-' at argv[i]; returns the last index used. */
static int
parse_option(struct args *a, int argc, char **argv, int i)
{
    const char *w = argv[i], *eq;
    const struct opt *o;
    char shown[8];
    int amb = 0, j;

    if (w[1] == '-') {
        eq = strchr(w + 2, '=');
        o = find_long(a->mode, w + 2, eq ? (size_t)(eq - w - 2)
                                         : strlen(w + 2), &amb);
        if (o == NULL) {
            cmd_usage_error("%s option '%s'", amb ? "ambiguous"
                                                  : "unrecognized", w);
            return -1;
        }
        return take_values(a, o, eq ? eq + 1 : NULL, argc, argv, i, w);
    }
    for (j = 1; w[j] != '\0'; j++) {
        o = find_short(a->mode, w[j]);
        snprintf(shown, sizeof(shown), "-%c", w[j]);
        if (o == NULL) {
            cmd_usage_error("unrecognized option '%s'", shown);
            return -1;
        }
        if (o->kind != A_NONE) {
            return take_values(a, o, w[j + 1] ? w + j + 1 : NULL, argc,
                               argv, i, shown);
        }
        if (take_values(a, o, NULL, argc, argv, i, shown) < 0) {
            return -1;
        }
    }
    return i;
}

/* Parse argv into a; 0, or an exit code (help, version, usage). */
static int
parse_args(struct args *a, int argc, char **argv, int *done)
{
    int i;

    *done = 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0 || !looks_like_option(argv[i])) {
            i += strcmp(argv[i], "--") == 0;
            for (; i < argc; i++) {
                if (list_add(&a->command, argv[i]) != 0) {
                    return EXIT_FAIL;
                }
            }
            break;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(a->mode);
            *done = 1;
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s (in-toto in C) %s\n", cmd_progname, INTOTO_VERSION);
            *done = 1;
            return EXIT_OK;
        }
        i = parse_option(a, argc, argv, i);
        if (i < 0) {
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

static int
check_args(struct args *a)
{
    struct intoto_error err;

    if (a->name == NULL) {
        return cmd_usage_error("the step name (-n) is required");
    }
    /* The name becomes a file name; no layout could use another. */
    if (intoto_layout_check_name(a->name, "step", &err) != INTOTO_OK) {
        return cmd_usage_error("%s", intoto_error_message(&err));
    }
    if (a->verbose && a->quiet) {
        return cmd_usage_error("-v and -q cannot be used together");
    }
    if (a->mode != M_MOCK &&
        (a->key != NULL) + (a->signing_key != NULL) + a->gpg != 1) {
        return cmd_usage_error("give exactly one of --key <path>, "
                               "--signing-key <path> and --gpg [<id>]");
    }
    if (a->gpg && a->dsse) {
        return cmd_usage_error("OpenPGP signatures need a Metablock link: "
                               "--gpg cannot be used with --use-dsse");
    }
    if (a->keytype != NULL && strcmp(a->keytype, "rsa") != 0 &&
        strcmp(a->keytype, "ed25519") != 0 &&
        strcmp(a->keytype, "ecdsa") != 0) {
        return cmd_usage_error("--key-type: invalid choice '%s' (rsa, "
                               "ed25519, ecdsa)", a->keytype);
    }
    if (a->mode == M_RUN && !a->no_command && a->command.n == 0) {
        return cmd_usage_error("no command given; put it after '--', or "
                               "use --no-command");
    }
    if (a->mode == M_MOCK && a->command.n == 0) {
        return cmd_usage_error("no command given; put it after '--'");
    }
    if (a->mode != M_RUN && a->mode != M_MOCK && a->command.n > 0) {
        return cmd_usage_error("unexpected argument '%s'", a->command.v[0]);
    }
    return EXIT_OK;
}

/* Load the signing key; NULL key means none was asked for (mock). */
static int
load_key(struct intoto_key **key, struct args *a)
{
    struct intoto_error err;
    char *prompted = NULL;
    const char *pw = a->password;
    int rc;

    *key = NULL;
    intoto_error_init(&err);
    if (a->key == NULL && a->signing_key == NULL) {
        return EXIT_OK;
    }
    if (a->password_prompt) {
        prompted = cmd_read_password("Enter password for the key: ");
        pw = prompted && prompted[0] ? prompted : NULL;
    }
    if (a->key != NULL) {
        rc = intoto_key_load_private(key, a->key, a->keytype, pw,
                                     INTOTO_KEYID_LEGACY, &err);
    } else {
        rc = intoto_key_load_private(key, a->signing_key, NULL, pw,
                                     INTOTO_KEYID_NEW, &err);
    }
    if (prompted != NULL) {
        explicit_bzero(prompted, strlen(prompted));
        free(prompted);
    }
    if (rc != INTOTO_OK && pw == NULL && !a->password_prompt &&
        intoto_key_file_is_encrypted(a->key ? a->key : a->signing_key,
                                     NULL) == 1) {
        cmd_error("%s (give it with -P <password>, or -P alone to be "
                  "asked)", intoto_error_message(&err));
        return EXIT_FAIL;
    }
    return rc == INTOTO_OK ? EXIT_OK : cmd_fail(&err);
}

/* Progress on a terminal: shown once hashing has taken a second. */
struct progress {
    struct timespec start;
    size_t n;
    uint64_t bytes;
    int shown;
};

static double
elapsed(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) +
           (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
progress_end(struct progress *p)
{
    if (p->shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
        p->shown = 0;
    }
}

static void
progress_cb(void *ctx, size_t files, size_t n, uint64_t bytes)
{
    struct progress *p = ctx;
    double t;

    if (n != p->n || bytes < p->bytes) {
        clock_gettime(CLOCK_MONOTONIC, &p->start);
        p->start.tv_nsec -= 200000000L;
        if (p->start.tv_nsec < 0) {
            p->start.tv_nsec += 1000000000L;
            p->start.tv_sec--;
        }
        p->n = n;
    }
    p->bytes = bytes;
    if (files == n) {
        progress_end(p);
        return;
    }
    t = elapsed(&p->start);
    if (t < 1.0) {
        return;
    }
    fprintf(stderr, "\r%s: hashing %zu/%zu files, %.1f MiB, %.1f MiB/s\033[K",
            cmd_progname, files, n, (double)bytes / 1048576.0,
            (double)bytes / 1048576.0 / t);
    fflush(stderr);
    p->shown = 1;
}

static void
fill_step(struct intoto_step_opts *step, struct args *a,
          const struct intoto_log *log, struct progress *prog)
{
    intoto_step_opts_init(step);
    step->name = a->name;
    step->materials = a->materials.v;
    step->n_materials = a->materials.n;
    step->products = a->products.v;
    step->n_products = a->products.n;
    if (!a->no_command) {
        step->command = a->command.v;
        step->n_command = a->command.n;
    }
    step->record_streams = a->streams;
    step->timeout = a->timeout;
    step->record_env = a->record_env;
    step->dsse = a->dsse;
    step->gpg = a->gpg;
    step->gpg_keyid = a->gpg_keyid;
    step->gpg_home = a->gpg_home;
    step->env_allow = a->allow.v;
    step->n_env_allow = a->allow.n;
    step->record.excludes = a->exclude.v;
    step->record.n_excludes = a->exclude.n;
    step->record.excludes_given = a->have_exclude;
    step->record.base_path = a->base_path;
    step->record.lstrip = a->lstrip.v;
    step->record.n_lstrip = a->lstrip.n;
    step->record.normalize_line_endings = a->eol;
    step->record.hash_algs = a->hash.v;
    step->record.n_hash_algs = a->hash.n;
    step->record.log = log;
    if (isatty(STDERR_FILENO) && cmd_verbosity >= 1) {
        step->record.progress = 1;
        step->record.progress_fn = progress_cb;
        step->record.progress_ctx = prog;
    }
}

/* The exit status for a command that ran and failed. */
static int
command_status(const struct intoto_run_result *res, const char *path)
{
    if (res->signal) {
        cmd_error("the command was ended by signal %d; link written to "
                  "'%s'", res->signal, path);
        return 128 + res->signal;
    }
    cmd_error("the command exited with status %d; link written to '%s'",
              res->return_value, path);
    return res->return_value;
}

static int
do_run(struct args *a, const struct intoto_key *key,
       struct intoto_step_opts *step)
{
    struct intoto_json_doc *doc = NULL;
    struct intoto_run_result res;
    struct intoto_error err;
    struct intoto_buf path;
    int rc, status = EXIT_OK;

    intoto_run_result_init(&res);
    intoto_buf_init(&path);
    intoto_error_init(&err);
    rc = intoto_record_step(&doc, &res, step, &err);
    if (rc == INTOTO_OK && a->gpg) {
        rc = intoto_record_sign_write_gpg(doc, step, a->metadir, 0, &path,
                                          &err);
        doc = NULL;
    } else if (rc == INTOTO_OK &&
        intoto_record_link_path(&path, a->mode == M_MOCK ? NULL : a->metadir,
                                a->name, key ? intoto_key_id(key) : NULL,
                                0) != INTOTO_OK) {
        rc = intoto_error_set(&err, INTOTO_ENOMEM, "out of memory");
    }
    if (rc == INTOTO_OK && doc != NULL) {
        rc = intoto_record_sign_write(doc, key, a->dsse ? INTOTO_ENVELOPE_DSSE
                                      : INTOTO_ENVELOPE_METABLOCK,
                                      path.data, &err);
        doc = NULL;
    }
    if (rc != INTOTO_OK) {
        status = cmd_fail(&err);
    } else if (res.return_value != 0 && step->n_command > 0) {
        status = command_status(&res, path.data);
    } else {
        cmd_info("link written to '%s'", path.data);
    }
    intoto_json_doc_free(doc);
    intoto_run_result_release(&res);
    intoto_buf_release(&path);
    return status;
}

static int
do_record(struct args *a, const struct intoto_key *key,
          struct intoto_step_opts *step)
{
    struct intoto_error err;
    struct intoto_buf path;
    int rc;

    intoto_error_init(&err);
    intoto_buf_init(&path);
    if (a->mode == M_START) {
        rc = intoto_record_start(step, key, a->dsse ? INTOTO_ENVELOPE_DSSE
                                 : INTOTO_ENVELOPE_METABLOCK, &path, &err);
    } else {
        rc = intoto_record_stop(step, key, a->metadir, &path, &err);
    }
    if (rc == INTOTO_OK) {
        cmd_info("%s written to '%s'", a->mode == M_START
                 ? "preliminary link" : "link", path.data);
    }
    intoto_buf_release(&path);
    return rc == INTOTO_OK ? EXIT_OK : cmd_fail(&err);
}

static unsigned
mode_of(const char *mode)
{
    if (strcmp(mode, "start") == 0) {
        return M_START;
    }
    if (strcmp(mode, "stop") == 0) {
        return M_STOP;
    }
    return strcmp(mode, "mock") == 0 ? M_MOCK : M_RUN;
}

int
cmd_step(int argc, char **argv, const char *mode)
{
    struct intoto_step_opts step;
    struct intoto_key *key = NULL;
    struct progress prog;
    struct intoto_log log;
    struct stat st;
    struct args a;
    int rc, done;

    memset(&a, 0, sizeof(a));
    memset(&prog, 0, sizeof(prog));
    a.mode = mode_of(mode);
    rc = parse_args(&a, argc, argv, &done);
    if (rc != EXIT_OK || done) {
        goto out;
    }
    rc = check_args(&a);
    if (rc != EXIT_OK) {
        goto out;
    }
    cmd_verbosity = a.quiet ? 0 : 1 + a.verbose;
    if (a.mode == M_MOCK) {
        a.streams = 1;
        a.materials.n = a.products.n = 0;
        list_add(&a.materials, ".");
        list_add(&a.products, ".");
    }
    rc = load_key(&key, &a);
    if (rc != EXIT_OK) {
        goto out;
    }
    /* Fail before the command runs rather than after. */
    if (a.metadir != NULL && stat(a.metadir, &st) != 0) {
        cmd_error("metadata directory '%s': %s", a.metadir, strerror(errno));
        rc = EXIT_FAIL;
        goto out;
    }
    if (a.metadir != NULL && !S_ISDIR(st.st_mode)) {
        cmd_error("metadata directory '%s' is not a directory", a.metadir);
        rc = EXIT_FAIL;
        goto out;
    }
    /* Echoing the command's output into a closed pipe must not kill us
     * before the link is written; the command gets SIGPIPE back. */
    signal(SIGPIPE, SIG_IGN);
    /* A fixed threshold keeps the large short-lived buffers (file lists,
     * digests, encodings) in their own mappings, returned when freed,
     * instead of letting glibc raise it and leave them in the heap:
     * about 4 MiB less peak memory on a 30,000 file tree. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    log = cmd_log();
    fill_step(&step, &a, &log, &prog);
    if (a.mode == M_START || a.mode == M_STOP) {
        rc = do_record(&a, key, &step);
    } else {
        rc = do_run(&a, key, &step);
    }
    progress_end(&prog);
out:
    intoto_key_free(key);
    args_release(&a);
    return rc;
}

int
cmd_run(int argc, char **argv)
{
    return cmd_step(argc, argv, "run");
}
