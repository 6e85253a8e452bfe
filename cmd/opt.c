/* SPDX-License-Identifier: Apache-2.0 */
/* Small option-parsing helpers shared by the subcommands.  They see argv
 * after cmd_split_values(), so "--name=value" is already two words. */
#include <string.h>

#include "cmd.h"

int
cmd_is_opt(const char *arg, const char *shortname, const char *longname)
{
    return (shortname != NULL && strcmp(arg, shortname) == 0) ||
           (longname != NULL && strcmp(arg, longname) == 0);
}

const char *
cmd_opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        return NULL;
    }
    return argv[++*i];
}

size_t
cmd_opt_values(int argc, char **argv, int *i, char ***out)
{
    int start = *i + 1;
    int j = start;

    while (j < argc && !(argv[j][0] == '-' && argv[j][1] != '\0')) {
        j++;
    }
    *out = argv + start;
    *i = j - 1;
    return (size_t)(j - start);
}
