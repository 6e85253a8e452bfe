/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the command line: subcommands, messages, exit codes. */
#ifndef INTOTO_CMD_H
#define INTOTO_CMD_H

#include <stdio.h>

#include <stddef.h>

#include <intoto/error.h>

/* Exit codes, as the reference has them. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* The name messages are prefixed with ("in-toto-run", "in-toto verify"). */
extern const char *cmd_progname;
/* -q (0), default (1), -v (2), -vv (3). */
extern int cmd_verbosity;
/* Path of the running binary as invoked (argv[0]). */
extern const char *cmd_argv0;

void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage problem and a hint naming --help; returns EXIT_USAGE. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "error: <message of err>"; returns EXIT_FAIL. */
int cmd_fail(const struct intoto_error *err);
/* A log sink printing through the functions above at cmd_verbosity. */
struct intoto_log cmd_log(void);
/* Write len bytes of text to fp with control bytes escaped (\n, \xNN),
 * so that a name read from a file cannot start a line or drive the
 * terminal. */
void cmd_put_escaped(FILE *fp, const char *text, size_t len);
/* As the reference's argument parser: a long option may be shortened to
 * any unambiguous prefix; "--name=value" (for the long options in the
 * NULL-terminated `valued`; `flags` lists the others), "-kVALUE" and
 * "-k=VALUE" (for the letters in `shorts`) are taken as two words.  argc
 * and argv are replaced by a rewritten copy, with each long option spelt
 * out, that lives until exit.  Nothing after "--" changes.  Returns
 * EXIT_OK, or EXIT_USAGE (an ambiguous prefix) or EXIT_FAIL after a
 * message. */
int cmd_split_values(int *argc, char ***argv, const char *shorts,
                     const char *const *valued, const char *const *flags);
/* Option helpers (cmd/opt.c), for argv after cmd_split_values().
 * cmd_is_opt: arg is the short or the long spelling (either may be NULL).
 * cmd_opt_value: the word after argv[*i] (advancing *i), or NULL.
 * cmd_opt_values: the words after argv[*i] up to the next option, as
 * argparse's nargs="+" takes them; *out points into argv, *i is advanced
 * to the last one; returns how many. */
int cmd_is_opt(const char *arg, const char *shortname, const char *longname);
const char *cmd_opt_value(int argc, char **argv, int *i);
size_t cmd_opt_values(int argc, char **argv, int *i, char ***out);
/* Read a password from the terminal (no echo) into a malloc'd string. */
char *cmd_read_password(const char *prompt);

int cmd_run(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_mock(int argc, char **argv);
int cmd_match_products(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
/* run, record start/stop and mock share one parser (cmd_run.c). */
int cmd_step(int argc, char **argv, const char *mode);

#endif
