/* Lookups in registry tables: see registry.h. */
#include "core/registry.h"

#include <stdio.h>
#include <string.h>

const char *hw_registry_name(const void *entry)
{
    /* A pointer to a struct, suitably converted, points to its first member. */
    return *(const char *const *)entry;
}

const void *hw_registry_find(const void *const *table, const char *name)
{
    for (size_t i = 0; name && table[i]; i++)
        if (strcmp(hw_registry_name(table[i]), name) == 0) return table[i];
    return NULL;
}

size_t hw_registry_count(const void *const *table)
{
    size_t n = 0;
    while (table[n]) n++;
    return n;
}

const void *hw_registry_at(const void *const *table, size_t i)
{
    return i < hw_registry_count(table) ? table[i] : NULL;
}

void hw_registry_list(const void *const *table, char *buf, size_t n)
{
    size_t u = 0;
    if (n) buf[0] = 0;
    for (size_t i = 0; table[i] && u < n; i++)
        u += (size_t)snprintf(buf + u, n - u, "%s%s", u ? ", " : "", hw_registry_name(table[i]));
}
