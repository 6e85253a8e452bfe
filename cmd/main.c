/* SPDX-License-Identifier: Apache-2.0 */
/* The multi-call binary: dispatch on program name or first argument. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"

const char *cmd_progname = "in-toto";
int cmd_verbosity = 1;
const char *cmd_argv0 = "in-toto";

struct subcommand {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *alias;     /* reference program name, or NULL */
    const char *summary;
};

static const struct subcommand commands[] = {
    { "run", cmd_run, "in-toto-run",
      "run a step's command and record a signed link" },
    { "record", cmd_record, "in-toto-record",
      "record a step in two parts: record start, record stop" },
    { "verify", cmd_verify, "in-toto-verify",
      "verify a supply chain against a signed layout" },
    { "sign", cmd_sign, "in-toto-sign",
      "sign or verify a layout or link file" },
    { "keygen", cmd_keygen, "in-toto-keygen",
      "generate a key pair" },
    { "mock", cmd_mock, "in-toto-mock",
      "run a command and write an unsigned link" },
    { "match-products", cmd_match_products, "in-toto-match-products",
      "compare local files with the products of a link" },
    { "key", cmd_key, NULL,
      "show key ids and the layout key object of a key file" },
    { "unpack", cmd_unpack, NULL,
      "safely extract an archive (tar, zip, ar, cpio)" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Write text with its control bytes escaped: names from links and archives
 * reach messages, and must neither start a line nor drive the terminal. */
void
cmd_put_escaped(FILE *fp, const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i;

    for (i = 0; i < len; i++) {
        if (p[i] == '\n') {
            fputs("\\n", fp);
        } else if (p[i] < 0x20 || p[i] == 0x7f) {
            fprintf(fp, "\\x%02x", p[i]);
        } else {
            fputc(p[i], fp);
        }
    }
}

static void
put_escaped(const char *text)
{
    cmd_put_escaped(stderr, text, strlen(text));
}

static void
vmessage(const char *kind, const char *fmt, va_list ap)
{
    char small[1024];
    char *text = small;
    va_list copy;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= (int)sizeof(small)) {
        text = malloc((size_t)n + 1);
        if (text != NULL) {
            vsnprintf(text, (size_t)n + 1, fmt, copy);
        }
    }
    va_end(copy);
    fprintf(stderr, "%s: %s", cmd_progname, kind);
    put_escaped(n < 0 ? "" : text != NULL ? text : small);
    fputc('\n', stderr);
    if (text != small) {
        free(text);
    }
}

void
cmd_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("error: ", fmt, ap);
    va_end(ap);
}

void
cmd_warn(const char *fmt, ...)
{
    va_list ap;

    if (cmd_verbosity < 1) {
        return;
    }
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void
cmd_info(const char *fmt, ...)
{
    va_list ap;

    if (cmd_verbosity < 2) {
        return;
    }
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

int
cmd_usage_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("error: ", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", cmd_progname);
    return EXIT_USAGE;
}

int
cmd_fail(const struct intoto_error *err)
{
    const char *msg = intoto_error_message(err);

    cmd_error("%s", msg[0] ? msg : intoto_strstatus(err ? err->code : -1));
    return EXIT_FAIL;
}

/* The rewritten argument vector and the short option names it points
 * to: they live until exit. */
static char **split_argv;
static char *split_names;

/* The long option `name` (len bytes) stands for: an exact match or the
 * only option it is a prefix of, as argparse allows.  NULL when none;
 * *ambiguous when several. */
static const char *
find_long(const char *name, size_t len, const char *const *valued,
          const char *const *flags, int *is_valued, int *ambiguous)
{
    const char *const *lists[2] = { valued, flags };
    const char *hit = NULL;
    size_t i, k;

    *ambiguous = 0;
    for (k = 0; k < 2; k++) {
        for (i = 0; lists[k][i] != NULL; i++) {
            if (strncmp(lists[k][i], name, len) != 0) {
                continue;
            }
            if (lists[k][i][len] == '\0') {
                *ambiguous = 0;
                *is_valued = k == 0;
                return lists[k][i];
            }
            *ambiguous = hit != NULL;
            *is_valued = k == 0;
            hit = lists[k][i];
        }
    }
    return *ambiguous ? NULL : hit;
}

static void
free_split(void)
{
    free(split_argv);
    free(split_names);
}

int
cmd_split_values(int *argc, char ***argv, const char *shorts,
                 const char *const *valued, const char *const *flags)
{
    char **in = *argv, **out;
    char *names;
    const char *eq, *full;
    size_t n;
    int i, o = 0, rest = 0, is_valued, ambiguous;

    out = calloc((size_t)*argc * 2 + 1, sizeof(*out));
    names = calloc((size_t)*argc + 1, 3);
    if (out == NULL || names == NULL) {
        free(out);
        free(names);
        cmd_error("out of memory");
        return EXIT_FAIL;
    }
    for (i = 0; i < *argc; i++) {
        char *a = in[i];

        if (i == 0 || rest) {
            out[o++] = a;
        } else if (strcmp(a, "--") == 0) {
            rest = 1;
            out[o++] = a;
        } else if (strncmp(a, "--", 2) == 0) {
            eq = strchr(a, '=');
            n = eq != NULL ? (size_t)(eq - a) : strlen(a);
            full = find_long(a, n, valued, flags, &is_valued, &ambiguous);
            if (ambiguous) {
                free(out);
                free(names);
                a[n] = '\0';
                return cmd_usage_error("ambiguous option '%s'", a);
            }
            if (full == NULL || (eq != NULL && !is_valued)) {
                out[o++] = a;
            } else {
                out[o++] = (char *)full;
                if (eq != NULL) {
                    out[o++] = a + n + 1;
                }
            }
        } else if (a[0] == '-' && a[1] != '\0' && a[1] != '-' &&
                   a[2] != '\0' && strchr(shorts, a[1]) != NULL) {
            char *name = names + 3 * (size_t)i;

            name[0] = '-';
            name[1] = a[1];
            out[o++] = name;
            out[o++] = a + (a[2] == '=' ? 3 : 2);
        } else {
            out[o++] = a;
        }
    }
    if (split_argv == NULL) {
        atexit(free_split);
    }
    split_argv = out;
    split_names = names;
    *argc = o;
    *argv = out;
    return EXIT_OK;
}

static void
log_sink(void *ctx, enum intoto_log_level level, const char *msg)
{
    (void)ctx;
    switch (level) {
    case INTOTO_LOG_ERROR:
        cmd_error("%s", msg);
        break;
    case INTOTO_LOG_WARN:
        cmd_warn("%s", msg);
        break;
    case INTOTO_LOG_INFO:
        if (cmd_verbosity >= 2) {
            fprintf(stderr, "%s: ", cmd_progname);
            put_escaped(msg);
            fputc('\n', stderr);
        }
        break;
    case INTOTO_LOG_DEBUG:
        if (cmd_verbosity >= 3) {
            fprintf(stderr, "%s: debug: ", cmd_progname);
            put_escaped(msg);
            fputc('\n', stderr);
        }
        break;
    }
}

struct intoto_log
cmd_log(void)
{
    struct intoto_log log = { log_sink, NULL, INTOTO_LOG_WARN };

    if (cmd_verbosity <= 0) {
        log.level = INTOTO_LOG_ERROR;
    } else if (cmd_verbosity == 2) {
        log.level = INTOTO_LOG_INFO;
    } else if (cmd_verbosity >= 3) {
        log.level = INTOTO_LOG_DEBUG;
    }
    return log;
}

char *
cmd_read_password(const char *prompt)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    char line[1024];
    char *out = NULL;
    size_t len;

    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    } else {
        tty = 0;
    }
    if (fgets(line, sizeof(line), stdin) != NULL) {
        len = strcspn(line, "\r\n");
        line[len] = '\0';
        out = strdup(line);
    }
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    explicit_bzero(line, sizeof(line));
    return out;
}

static void
usage(FILE *fp)
{
    size_t i;

    fprintf(fp, "usage: in-toto <command> [options]\n\n"
                "Supply chain integrity with in-toto.  Commands:\n");
    for (i = 0; i < N_COMMANDS; i++) {
        fprintf(fp, "  %-16s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(fp, "\nEach command is also installed under its reference name "
                "(in-toto-run, in-toto-verify, ...).\n"
                "Run 'in-toto <command> --help' for its options.\n");
}

static const struct subcommand *
find_command(const char *name)
{
    size_t i;

    for (i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0 ||
            (commands[i].alias && strcmp(commands[i].alias, name) == 0)) {
            return &commands[i];
        }
    }
    return NULL;
}

static int
dispatch(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    const struct subcommand *cmd;
    static char prog[64];

    base = base ? base + 1 : argv[0];
    cmd = find_command(base);
    if (cmd != NULL && strcmp(base, cmd->name) != 0) {
        cmd_progname = cmd->alias;
        return cmd->fn(argc, argv);
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("in-toto %s\n", INTOTO_VERSION);
        return EXIT_OK;
    }
    cmd = find_command(argv[1]);
    if (cmd == NULL) {
        cmd_progname = "in-toto";
        return cmd_usage_error("unknown command '%s'", argv[1]);
    }
    snprintf(prog, sizeof(prog), "in-toto %s", cmd->name);
    cmd_progname = prog;
    return cmd->fn(argc - 1, argv + 1);
}

int
main(int argc, char **argv)
{
    int rc;

    if (argc < 1) {
        return EXIT_USAGE;
    }
    cmd_argv0 = argv[0];
    rc = dispatch(argc, argv);
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == EXIT_OK) {
        cmd_error("cannot write to standard output: %s", strerror(errno));
        rc = EXIT_FAIL;
    }
    return rc;
}
