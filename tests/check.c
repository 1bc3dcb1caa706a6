#include "check.h"

#include <stdarg.h>
#include <sys/stat.h>

#include "core/util.h"

#define HWT_MAX 512
static struct { const char *name; hwt_fn fn; } cases[HWT_MAX];
static int n_cases;
static int failures;
static const char *current;

void hwt_register(const char *name, hwt_fn fn)
{
    if (n_cases < HWT_MAX) { cases[n_cases].name = name; cases[n_cases].fn = fn; n_cases++; }
}

void hwt_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: [%s] FAIL: ", file, line, current ? current : "?");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    failures++;
}

int hwt_failures(void) { return failures; }

void hwt_skip(const char *reason)
{
    fprintf(stderr, "SKIP [%s]: %s\n", current ? current : "?", reason);
    exit(77);
}

const char *hwt_data_dir(void)
{
    const char *d = hw_default_data_dir();
    struct stat st;
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/analytic/s.jsonl.gz", d);
    if (stat(probe, &st) == 0) return d;
    char msg[4400];
    snprintf(msg, sizeof msg, "needs the HW-GPT-Bench data at %s (set HWNAS_DATA; docs/data.md); not found", d);
    const char *ci = getenv("CI");
    if (ci && *ci && strcmp(ci, "false") != 0) {
        fprintf(stderr, "FAIL [%s]: %s, and CI must have it\n", current ? current : "?", msg);
        exit(1);
    }
    hwt_skip(msg);
    return NULL;
}

const char *hwt_src_dir(void)
{
    const char *s = getenv("HWNAS_SRC");
    return s && *s ? s : HWNAS_SOURCE_DIR;
}

const char *hwt_bin_dir(void)
{
    const char *s = getenv("HWNAS_BIN");
    return s && *s ? s : ".";
}

int main(int argc, char **argv)
{
    int ran = 0;
    for (int i = 0; i < n_cases; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0) continue;
        current = cases[i].name;
        int before = failures;
        cases[i].fn();
        ran++;
        fprintf(stderr, "%s %s\n", failures == before ? "ok  " : "FAIL", cases[i].name);
    }
    current = NULL;
    if (ran == 0) { fprintf(stderr, "no test case named '%s'\n", argc > 1 ? argv[1] : ""); return 1; }
    return failures ? 1 : 0;
}
