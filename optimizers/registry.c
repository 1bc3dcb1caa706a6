#include <stddef.h>
#include <string.h>

#include "core/json.h"
#include "core/registry.h"

#include "optimizers/optimizer.h"

#define HW_OPTIMIZER(sym) extern const hw_optimizer_ops sym;
#include "optimizers/optimizers.def"
#undef HW_OPTIMIZER

/* The registry table (core/registry.h). */
static const void *const REGISTRY[] = {
#define HW_OPTIMIZER(sym) &sym,
#include "optimizers/optimizers.def"
#undef HW_OPTIMIZER
    NULL};

const hw_optimizer_ops *hw_optimizer_find(const char *name)
{
    return hw_registry_find(REGISTRY, name);
}

const hw_optimizer_ops *hw_optimizer_at(size_t i)
{
    return hw_registry_at(REGISTRY, i);
}

void hw_optimizer_list(char *buf, size_t n)
{
    hw_registry_list(REGISTRY, buf, n);
}

int hw_opt_check_table(const char *path, const char *key, long long rows, long long cols, const char *cols_name,
                       hw_err *e)
{
    if (rows <= 0 || cols <= 0 || rows <= HW_OPT_MAX_TABLE / cols) return HW_OK;
    char p[512];
    hwj_path(p, sizeof p, path, key);
    return hw_fail(e, HW_EINVAL, "%s: %lld rows of %lld %s are too many for memory (at most %lld values)", p, rows, cols,
                   cols_name, HW_OPT_MAX_TABLE);
}
