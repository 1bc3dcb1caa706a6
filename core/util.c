#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef HWNAS_SOURCE_DIR
#define HWNAS_SOURCE_DIR "."
#endif

int hw_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void hw_progress_init(hw_progress *p, int quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->start = p->last = hw_now();
}

void hw_progress_update(hw_progress *p, const char *label, size_t done, size_t total)
{
    if (!p->enabled) return;
    double t = hw_now();
    if (t - p->last < 0.1 && done < total) return;
    p->last = t;
    if (total)
        fprintf(stderr, "\r%s %zu/%zu (%.0f%%) %.1fs ", label, done, total, 100.0 * (double)done / (double)total, t - p->start);
    else
        fprintf(stderr, "\r%s %zu %.1fs ", label, done, t - p->start);
    fflush(stderr);
}

void hw_progress_done(hw_progress *p)
{
    if (!p->enabled) return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

int hw_mkdir_p(const char *path, hw_err *e)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return hw_fail(e, HW_EINVAL, "bad directory path '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return hw_fail(e, HW_EIO, "%s: cannot create directory: %s", buf, strerror(errno));
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return hw_fail(e, HW_EIO, "%s: not a directory", path);
    return HW_OK;
}

const char *hw_default_data_dir(void)
{
    const char *d = getenv("HWNAS_DATA");
    return d && *d ? d : HWNAS_SOURCE_DIR "/../shared/hwgpt-bench";
}

int hw_data_require(const char *dir, const char *path, hw_err *e)
{
    struct stat st;
    if (stat(path, &st) == 0) return HW_OK;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return hw_fail(e, HW_EMISSING,
                       "%s: no HW-GPT-Bench data there (needed: %s): put HW-GPT-Bench's converted measurements "
                       "there, or point --data or HWNAS_DATA at them; where to get them: docs/data.md",
                       dir, path);
    return hw_fail(e, HW_EMISSING,
                   "%s: missing: %s is not a complete copy of HW-GPT-Bench's converted measurements "
                   "(layout and source: docs/data.md)", path, dir);
}

const char *hw_default_models_dir(void)
{
    const char *d = getenv("HWNAS_MODELS");
    return d && *d ? d : HWNAS_SOURCE_DIR "/surrogates/models";
}

int hw_installed_path(const char *rel, char *buf, size_t n)
{
    char exe[HW_PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return 0;
    exe[len] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return 0;
    *slash = 0;
    int w = snprintf(buf, n, "%s/../share/hwnas/%s", exe, rel);
    return w >= 0 && (size_t)w < n;
}

/* <dir of the running program>/../share/hwnas/models into buf, if it is a
 * directory; else 0. */
static int installed_models_dir(char *buf, size_t n)
{
    struct stat st;
    return hw_installed_path("models", buf, n) && stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *hw_models_dir(char *buf, size_t n)
{
    const char *d = getenv("HWNAS_MODELS");
    if (d && *d) return d;
    if (installed_models_dir(buf, n)) return buf;
    snprintf(buf, n, "%s", HWNAS_SOURCE_DIR "/surrogates/models");
    return buf;
}
