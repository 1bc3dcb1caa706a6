#include <stddef.h>
#include <string.h>

#include "core/json.h"

#include "optimizers/optimizer.h"

#define HW_OPTIMIZER(sym) extern const hw_optimizer_ops sym;
#include "optimizers/optimizers.def"
#undef HW_OPTIMIZER

static const hw_optimizer_ops *const REGISTRY[] = {
#define HW_OPTIMIZER(sym) &sym,
#include "optimizers/optimizers.def"
#undef HW_OPTIMIZER
    NULL};

const hw_optimizer_ops *hw_optimizer_find(const char *name)
{
    for (size_t i = 0; REGISTRY[i]; i++)
        if (name && strcmp(REGISTRY[i]->name, name) == 0) return REGISTRY[i];
    return NULL;
}

const hw_optimizer_ops *hw_optimizer_at(size_t i)
{
    return i < sizeof REGISTRY / sizeof REGISTRY[0] ? REGISTRY[i] : NULL;
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
