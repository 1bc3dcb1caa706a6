/* cli/commands.h — the hwnas subcommands (declared from commands.def). */
#ifndef HWNAS_CLI_COMMANDS_H
#define HWNAS_CLI_COMMANDS_H

#define HW_COMMAND(name, fn, help) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef HW_COMMAND

#endif
