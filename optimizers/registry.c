#include <stddef.h>
#include <string.h>

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
