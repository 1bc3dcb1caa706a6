/* benchmark/problem.c — the problem factory: "problem": {"name": ..., ...}. */
#include "benchmark/problem.h"

#include <stdlib.h>
#include <string.h>

#include "benchmark/hwgpt.h"
#include "benchmark/testproblems.h"
#include "core/json.h"

const char *const HW_PROBLEM_NAMES[] = {
    "zdt1", "zdt2", "zdt3", "zdt4", "zdt6",
    "dtlz1", "dtlz2", "dtlz3", "dtlz4", "dtlz5", "dtlz6", "dtlz7",
    "hwgpt",
    NULL};

static int create_zdt(const cJSON *cfg, const char *path, int which,
                      hw_problem **out, hw_err *e)
{
    static const char *const keys[] = {"name", "n_var", NULL};
    int rc = hwj_check_keys(cfg, path, keys, e);
    if (rc) return rc;
    long long n_var = which == HW_ZDT4 || which == HW_ZDT6 ? 10 : 30;
    rc = hwj_get_int(cfg, path, "n_var", 0, 2, HW_TESTPROB_MAX_VAR, &n_var, e);
    if (rc) return rc;
    return hw_zdt_create(which, (int)n_var, out, e);
}

static int create_dtlz(const cJSON *cfg, const char *path, int which,
                       hw_problem **out, hw_err *e)
{
    static const char *const keys[] = {"name", "n_var", "n_obj", NULL};
    int rc = hwj_check_keys(cfg, path, keys, e);
    if (rc) return rc;
    long long n_obj = 3;
    rc = hwj_get_int(cfg, path, "n_obj", 0, 2, HW_MAX_OBJ, &n_obj, e);
    if (rc) return rc;
    long long n_var = hw_dtlz_default_n_var(which, (int)n_obj);
    rc = hwj_get_int(cfg, path, "n_var", 0, n_obj, HW_TESTPROB_MAX_VAR, &n_var, e);
    if (rc) return rc;
    return hw_dtlz_create(which, (int)n_var, (int)n_obj, out, e);
}

int hw_problem_create(const cJSON *cfg, const char *path, hw_problem **out, hw_err *e)
{
    *out = NULL;
    if (!path) path = "problem";
    if (!cJSON_IsObject(cfg)) return hw_fail(e, HW_EINVAL, "%s: expected an object", path);
    int idx = -1;
    int rc = hwj_get_enum(cfg, path, "name", 1, HW_PROBLEM_NAMES, &idx, e);
    if (rc) return rc;
    const char *name = HW_PROBLEM_NAMES[idx];
    if (strncmp(name, "zdt", 3) == 0) return create_zdt(cfg, path, atoi(name + 3), out, e);
    if (strncmp(name, "dtlz", 4) == 0) return create_dtlz(cfg, path, atoi(name + 4), out, e);
    if (strcmp(name, "hwgpt") == 0) return hw_hwgpt_create(cfg, path, out, e);
    return hw_fail(e, HW_EINVAL, "%s.name: '%s' has no constructor", path, name);
}

void hw_problem_destroy(hw_problem *p)
{
    if (p && p->destroy) p->destroy(p);
}
