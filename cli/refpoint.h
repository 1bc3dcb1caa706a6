/* cli/refpoint.h — parsing of the --ref R1,R2,... option shared by the
 * analysis subcommands (hv, trajectory). */
#ifndef HWNAS_CLI_REFPOINT_H
#define HWNAS_CLI_REFPOINT_H

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Parses "a,b,c" (spaces allowed before a comma) into at most max finite
 * numbers; *d gets how many.  Returns 0, or -1 for a malformed list. */
static inline int cli_parse_ref(const char *s, double *ref, int max, int *d)
{
    int k = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || !isfinite(x) || errno == ERANGE || k == max) return -1;
        ref[k++] = x;
        while (*end == ' ') end++;
        if (*end == '\0') break;
        if (*end != ',') return -1;
        p = end + 1;
    }
    *d = k;
    return 0;
}

#endif
