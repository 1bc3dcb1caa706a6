/* tests/opt_instance.h — an hw_optimizer instance (optimizers/instance.c)
 * from a JSON config, for the tests of the ask/tell contract: those go
 * through hw_optimizer_ask/tell, the one place that checks it. */
#ifndef HWNAS_TESTS_OPT_INSTANCE_H
#define HWNAS_TESTS_OPT_INSTANCE_H

#include "core/json.h"
#include "optimizers/optimizer.h"

/* NULL on failure (e filled). */
static inline hw_optimizer *toy_instance(const hw_optimizer_ops *ops, const hw_problem *p, const char *json,
                                         uint64_t seed, hw_err *e)
{
    cJSON *c = NULL;
    if (hwj_parse(json, "config", &c, e)) return NULL;
    hw_optimizer *o = NULL;
    int rc = hw_optimizer_create(ops, p, c, "optimizer", seed, &o, e);
    cJSON_Delete(c);
    return rc ? NULL : o;
}

#endif
