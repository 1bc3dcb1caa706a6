/* hwnas — one binary, many subcommands (see cli/commands.def). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/fileio.h"

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} command;

static const command COMMANDS[] = {
#define HW_COMMAND(name, fn, help) {name, fn, help},
#include "cli/commands.def"
#undef HW_COMMAND
    {NULL, NULL, NULL}};

static void usage(FILE *f)
{
    fprintf(f, "usage: hwnas <command> [options]\n\ncommands:\n");
    for (const command *c = COMMANDS; c->name; c++) fprintf(f, "  %-18s %s\n", c->name, c->help);
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
    for (const command *c = COMMANDS; c->name; c++)
        if (strcmp(argv[1], c->name) == 0) {
            char prog[64];
            snprintf(prog, sizeof prog, "hwnas %s", c->name);
            int status = c->fn(argc - 1, argv + 1);
            return hw_close_stdout(prog, status);
        }
    fprintf(stderr, "hwnas: unknown command '%s' (see 'hwnas --help')\n", argv[1]);
    return 2;
}
