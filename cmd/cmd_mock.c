/* SPDX-License-Identifier: Apache-2.0 */
/* in-toto mock: run a command and write an unsigned link <name>.link. */
#include "cmd.h"

int
cmd_mock(int argc, char **argv)
{
    return cmd_step(argc, argv, "mock");
}
