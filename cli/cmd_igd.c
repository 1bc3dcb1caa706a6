/* cli/cmd_igd.c — `hwnas igd REF_FILE APPROX_FILE`: IGD and IGD+ of an
 * approximation set against a reference front, printed as one JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "indicators/indicators.h"

static void igd_usage(FILE *f)
{
    fprintf(f,
            "usage: hwnas igd REF_FILE APPROX_FILE\n"
            "\n"
            "IGD (mean Euclidean distance from each reference point to the nearest\n"
            "approximation point) and IGD+ (Ishibuchi et al. 2015; only the amounts by\n"
            "which an approximation point is worse count), all objectives minimised.\n"
            "Prints {\"igd\": x, \"igd_plus\": y} with 17 significant digits.\n"
            "Files: one point per line, whitespace-separated numbers ('-' = stdin);\n"
            "blank lines and lines starting with '#' are ignored; both files must have\n"
            "the same number of objectives.\n");
}

int cmd_igd(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { igd_usage(stdout); return 0; }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "hwnas igd: unknown option '%s' (see 'hwnas igd --help')\n", argv[i]);
            return 2;
        }
        if (nf == 2) { fprintf(stderr, "hwnas igd: expected two files, got a third ('%s')\n", argv[i]); return 2; }
        files[nf++] = argv[i];
    }
    if (nf < 2) { fprintf(stderr, "hwnas igd: expected REF_FILE and APPROX_FILE (see 'hwnas igd --help')\n"); return 2; }
    if (strcmp(files[0], "-") == 0 && strcmp(files[1], "-") == 0) {
        fprintf(stderr, "hwnas igd: only one of the two files can be stdin ('-')\n");
        return 2;
    }
    hw_err e;
    double *z = NULL, *a = NULL;
    size_t nz = 0, na = 0;
    int d = 0;
    int rc = hw_read_points(files[0], 0, &z, &nz, &d, &e);
    if (rc == HW_OK && nz == 0) rc = hw_fail(&e, HW_EINVAL, "%s: no points in the reference front", files[0]);
    /* The approximation set must have the reference front's dimension; the
     * reader names the first line that does not. */
    if (rc == HW_OK) rc = hw_read_points(files[1], d, &a, &na, NULL, &e);
    if (rc == HW_OK && na == 0) rc = hw_fail(&e, HW_EINVAL, "%s: no points in the approximation set", files[1]);
    double igd = 0, igd_plus = 0;
    if (rc == HW_OK) rc = hw_igd(z, nz, a, na, d, &igd, &igd_plus, &e);
    free(z);
    free(a);
    if (rc != HW_OK) { fprintf(stderr, "hwnas igd: %s\n", e.msg); return hw_exit_code(rc); }
    printf("{\"igd\": %.17g, \"igd_plus\": %.17g}\n", igd, igd_plus);
    return 0;
}
