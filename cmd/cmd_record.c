/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto record start|stop: a link recorded in two parts. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void
usage(FILE *fp)
{
    fprintf(fp, "usage: %s {start,stop} [options]\n\n"
                "Record a step's link in two parts:\n"
                "  start  record materials into a signed preliminary link\n"
                "         '.<name>.<keyid prefix>.link-unfinished'\n"
                "  stop   check that preliminary link, record products, "
                "sign, and write\n"
                "         '<name>.<keyid prefix>.link'\n\n"
                "Run '%s start --help' or '%s stop --help' for their "
                "options.\n", cmd_progname, cmd_progname, cmd_progname);
}

int
cmd_record(int argc, char **argv)
{
    static char prog[96];

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("%s (in-toto in C) %s\n", cmd_progname, INTOTO_VERSION);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "start") != 0 && strcmp(argv[1], "stop") != 0) {
        return cmd_usage_error("invalid choice '%s' (start, stop)", argv[1]);
    }
    snprintf(prog, sizeof(prog), "%s %s", cmd_progname, argv[1]);
    cmd_progname = prog;
    return cmd_step(argc - 1, argv + 1, argv[1]);
}
