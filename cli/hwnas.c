/* hwnas — one binary, many subcommands (see cli/commands.def). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/fileio.h"
#include "core/registry.h"

#define HW_COMMAND(name, fn, help) static const hw_command command_##fn = {name, fn, help};
#include "cli/commands.def"
#undef HW_COMMAND

/* The registry table (core/registry.h). */
static const void *const COMMANDS[] = {
#define HW_COMMAND(name, fn, help) &command_##fn,
#include "cli/commands.def"
#undef HW_COMMAND
    NULL};

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas <command> [options]\n\ncommands:\n");
    for (size_t i = 0; COMMANDS[i]; i++) {
        const hw_command *c = COMMANDS[i];
        fprintf(f, "  %-18s %s\n", c->name, c->help);
    }
    fprintf(f, "\n'hwnas <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "hwnas: missing command (see 'hwnas --help')\n");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return hw_close_stdout("hwnas", 0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hwnas %s\n", HWNAS_VERSION);
        return hw_close_stdout("hwnas", 0);
    }
    /* every command's output is checked once, here: a full disk or a closed
     * stdout is an error (exit 1), never a silent success */
    const hw_command *c = hw_registry_find(COMMANDS, argv[1]);
    if (c) {
        char prog[64];
        snprintf(prog, sizeof prog, "hwnas %s", c->name);
        return hw_close_stdout(prog, c->fn(argc - 1, argv + 1));
    }
    char list[512];
    hw_registry_list(COMMANDS, list, sizeof list);
    fprintf(stderr, "hwnas: unknown command '%s' (expected one of: %s; see 'hwnas --help')\n", argv[1], list);
    return 2;
}
