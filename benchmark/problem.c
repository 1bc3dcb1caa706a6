/* benchmark/problem.c — the problem registry (problems.def, core/registry.h)
 * and the factory: "problem": {"name": ..., ...}. */
#include "benchmark/problem.h"

#include "benchmark/hwgpt.h"
#include "benchmark/testproblems.h"
#include "core/json.h"
#include "core/registry.h"

static const void *const REGISTRY[] = {
#define HW_PROBLEM(sym) &sym,
#include "benchmark/problems.def"
#undef HW_PROBLEM
    NULL};

#define MAX_KINDS 64

const hw_problem_kind *hw_problem_kind_find(const char *name)
{
    return hw_registry_find(REGISTRY, name);
}

const hw_problem_kind *hw_problem_kind_at(size_t i)
{
    return hw_registry_at(REGISTRY, i);
}

void hw_problem_kind_list(char *buf, size_t n)
{
    hw_registry_list(REGISTRY, buf, n);
}

int hw_problem_create(const cJSON *cfg, const char *path, hw_problem **out, hw_err *e)
{
    *out = NULL;
    if (!path) path = "problem";
    if (!cJSON_IsObject(cfg)) return hw_fail(e, HW_EINVAL, "%s: expected an object", path);
    const char *names[MAX_KINDS + 1];
    size_t n = 0;
    for (; n < MAX_KINDS && REGISTRY[n]; n++) names[n] = hw_registry_name(REGISTRY[n]);
    names[n] = NULL;
    int idx = -1;
    int rc = hwj_get_enum(cfg, path, "name", 1, names, &idx, e);
    if (rc) return rc;
    const hw_problem_kind *k = REGISTRY[idx];
    return k->create(k, cfg, path, out, e);
}

void hw_problem_destroy(hw_problem *p)
{
    if (p && p->destroy) p->destroy(p);
}
