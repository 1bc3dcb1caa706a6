/* cli/cmd_hv.c — `hwnas hv --ref R1,R2,... FILE`: exact hypervolume
 * (minimisation) of the points in FILE, printed with 17 significant digits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/refpoint.h"
#include "indicators/indicators.h"

static void hv_usage(FILE *f)
{
    fprintf(f,
            "usage: hwnas hv --ref R1,R2,...,Rd FILE\n"
            "\n"
            "Exact hypervolume (all objectives minimised) of the points in FILE with\n"
            "respect to the reference point; prints it as %%.17g.\n"
            "FILE: one point per line, d whitespace-separated numbers ('-' = stdin);\n"
            "blank lines and lines starting with '#' are ignored.  Points not strictly\n"
            "better than the reference in every objective contribute nothing.\n");
}

int cmd_hv(int argc, char **argv)
{
    const char *ref_arg = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { hv_usage(stdout); return 0; }
        if (strcmp(argv[i], "--ref") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "hwnas hv: --ref needs a value like 1.1,1.1\n"); return 2; }
            ref_arg = argv[++i];
        } else if (strncmp(argv[i], "--ref=", 6) == 0) {
            ref_arg = argv[i] + 6;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "hwnas hv: unknown option '%s' (see 'hwnas hv --help')\n", argv[i]);
            return 2;
        } else if (file) {
            fprintf(stderr, "hwnas hv: more than one input file ('%s', '%s')\n", file, argv[i]);
            return 2;
        } else {
            file = argv[i];
        }
    }
    if (!ref_arg) { fprintf(stderr, "hwnas hv: missing --ref (e.g. --ref 1.1,1.1)\n"); return 2; }
    if (!file) { fprintf(stderr, "hwnas hv: missing input FILE ('-' reads stdin)\n"); return 2; }
    enum { MAXD = 64 };
    double ref[MAXD];
    int d = 0;
    if (cli_parse_ref(ref_arg, ref, MAXD, &d) != 0) {
        fprintf(stderr, "hwnas hv: bad --ref '%s': expected 1 to %d finite numbers separated by commas\n",
                ref_arg, MAXD);
        return 2;
    }
    hw_err e;
    double *pts;
    size_t n;
    int rc = hw_read_points(file, d, &pts, &n, NULL, &e);
    if (rc != HW_OK) { fprintf(stderr, "hwnas hv: %s\n", e.msg); return hw_exit_code(rc); }
    double hv = 0;
    rc = hw_hypervolume(pts, n, d, ref, &hv, &e);
    free(pts);
    if (rc != HW_OK) { fprintf(stderr, "hwnas hv: %s\n", e.msg); return hw_exit_code(rc); }
    printf("%.17g\n", hv);
    return 0;
}
