/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the subcommand lands: refuses to run. */
#include "cmd.h"

int
cmd_unpack(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cmd_error("this command is not available in this build");
    return EXIT_FAIL;
}
