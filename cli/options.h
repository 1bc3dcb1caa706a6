/* cli/options.h — the option parsing shared by the subcommands that read
 * logs (trajectory, front, summary, eaf): "--name VALUE" or "--name=VALUE",
 * and the arguments they all take (--allow-incomplete, --quiet, LOG...). */
#ifndef HWNAS_CLI_OPTIONS_H
#define HWNAS_CLI_OPTIONS_H

#include <stdio.h>
#include <string.h>

#include "runner/logread.h"

/* The value of argv[*i] when it is option name ("--name VALUE": *i moves to
 * VALUE; "--name=VALUE"), "" when VALUE is missing, NULL for another
 * argument. */
static inline const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != '\0') return NULL;
    if (*i + 1 >= argc) return "";
    return argv[++*i];
}

/* An argument that is no option of the command's own: --allow-incomplete
 * (HW_LOG_ALLOW_INCOMPLETE into *flags), --quiet (when quiet is not NULL), a
 * LOG (appended to logs[*n_logs]), else an unknown option.  Returns 0, or 2
 * after printing "hwnas CMD: unknown option '...' (see 'hwnas CMD --help')". */
static inline int cli_log_arg(const char *cmd, char *arg, unsigned *flags, int *quiet, char **logs, int *n_logs)
{
    if (strcmp(arg, "--allow-incomplete") == 0) {
        *flags |= HW_LOG_ALLOW_INCOMPLETE;
    } else if (quiet && strcmp(arg, "--quiet") == 0) {
        *quiet = 1;
    } else if (arg[0] == '-' && arg[1] != '\0') {
        fprintf(stderr, "hwnas %s: unknown option '%s' (see 'hwnas %s --help')\n", cmd, arg, cmd);
        return 2;
    } else {
        logs[(*n_logs)++] = arg;
    }
    return 0;
}

#endif
