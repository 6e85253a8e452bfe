/* SPDX-License-Identifier: Apache-2.0 */
/* Running a command: no shell, optional capture, timeout on the group. */
#ifndef INTOTO_RUN_H
#define INTOTO_RUN_H

#include "buf.h"
#include "error.h"

struct intoto_run_opts {
    double timeout;        /* seconds; 0 = none.  Kills the process group */
    int capture;           /* record stdout and stderr into the result */
    int echo;              /* with capture: also pass them through */
    int quiet;             /* without capture: send output to /dev/null */
    const char *cwd;       /* NULL = current directory */
};

struct intoto_run_result {
    int return_value;      /* exit status, or -1 when killed or not run */
    int signal;            /* terminating signal, 0 if none */
    int timed_out;         /* 1 when the timeout ended it */
    struct intoto_buf out; /* captured stdout (when capture) */
    struct intoto_buf err; /* captured stderr (when capture) */
};

void intoto_run_result_init(struct intoto_run_result *res);
void intoto_run_result_release(struct intoto_run_result *res);

/*
 * Run argv[0] (looked up in PATH when it has no '/') with argv, in its own
 * process group, with the caller's environment.  INTOTO_OK when it ran to
 * an end (any exit status; see res), INTOTO_EIO when it could not be
 * started (message names the program), INTOTO_EVERIFY on timeout (the whole
 * group is killed; message says so).
 */
int intoto_run(struct intoto_run_result *res, const char *const *argv,
               const struct intoto_run_opts *opts, struct intoto_error *err);

#endif
