/* cli/commands.h — the hwnas subcommands: each is a function in
 * cli/cmd_<name>.c registered by one line of cli/commands.def; cli/hwnas.c
 * expands the .def into the registry table (core/registry.h). */
#ifndef HWNAS_CLI_COMMANDS_H
#define HWNAS_CLI_COMMANDS_H

typedef struct {
    const char *name;              /* as typed: hwnas <name> (first member: registries find it) */
    int (*fn)(int argc, char **argv);  /* argv[0] is the subcommand name */
    const char *help;              /* one line for hwnas --help */
} hw_command;

#define HW_COMMAND(name, fn, help) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef HW_COMMAND

#endif
