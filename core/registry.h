/* core/registry.h — the one registry style of hwnas, for problems,
 * optimizers, metric backends and hwnas commands.
 *
 * A kind has a .def file of X-macro lines, one per registered entry
 * (benchmark/problems.def, optimizers/optimizers.def, benchmark/backends.def,
 * cli/commands.def), and one registry .c that expands it into a
 * NULL-terminated const table of pointers to the entries.  Every entry is a
 * const struct whose first member is `const char *name` (the name typed in
 * configs and on the command line).  Adding one is its own source file and
 * one line in the .def.  The functions below work on any such table. */
#ifndef HWNAS_CORE_REGISTRY_H
#define HWNAS_CORE_REGISTRY_H

#include <stddef.h>

/* The entry called name (NULL if none, or name is NULL). */
const void *hw_registry_find(const void *const *table, const char *name);
/* Number of entries before the NULL. */
size_t hw_registry_count(const void *const *table);
/* Entry i, or NULL past the end. */
const void *hw_registry_at(const void *const *table, size_t i);
/* The name of an entry. */
const char *hw_registry_name(const void *entry);
/* "a, b, c": every entry's name into buf (truncated to n). */
void hw_registry_list(const void *const *table, char *buf, size_t n);

#endif
