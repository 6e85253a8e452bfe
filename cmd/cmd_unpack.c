/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto unpack: safe archive extraction (the library parses argv). */
#include <stdio.h>
#include <string.h>

#include <intoto/archive.h>

#include "cmd.h"

int
cmd_unpack(int argc, char **argv)
{
    struct intoto_error err;
    struct intoto_log log;
    int i, rc;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(intoto_archive_unpack_usage(), stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s (in-toto in C) %s\n", cmd_progname, INTOTO_VERSION);
            return EXIT_OK;
        }
        if (argv[i][0] == '-' && argv[i][1] == 'v' &&
            strspn(argv[i] + 1, "v") == strlen(argv[i] + 1)) {
            cmd_verbosity += (int)strlen(argv[i] + 1);
        } else if (strcmp(argv[i], "--verbose") == 0) {
            cmd_verbosity++;
        } else if (strcmp(argv[i], "-q") == 0 ||
                   strcmp(argv[i], "--quiet") == 0) {
            cmd_verbosity = 0;
        }
    }

    intoto_error_init(&err);
    log = cmd_log();
    rc = intoto_archive_unpack_argv(argc, (const char *const *)argv, &log,
                                    &err);
    if (rc == INTOTO_EINVAL) {
        return cmd_usage_error("%s", intoto_error_message(&err));
    }
    if (rc != INTOTO_OK) {
        return cmd_fail(&err);
    }
    return EXIT_OK;
}
