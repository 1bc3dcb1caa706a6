/* benchmark/backends.c — the backend registry and environment sets: see
 * backends.h. */
#include "benchmark/backends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/registry.h"
#include "space/analytic.h"
#include "supernet/supernet_backend.h"
#include "surrogates/hwgpt_mlp.h"
#include "surrogates/surrogate.h"

static const void *const REGISTRY[] = {
#define HW_BACKEND(sym) &sym,
#include "benchmark/backends.def"
#undef HW_BACKEND
    NULL};

const hw_backend *hw_backend_find(const char *name)
{
    return hw_registry_find(REGISTRY, name);
}

const hw_backend *hw_backend_at(size_t i)
{
    return hw_registry_at(REGISTRY, i);
}

void hw_backend_list(char *buf, size_t n)
{
    hw_registry_list(REGISTRY, buf, n);
}

const hw_metric *hw_metric_row(const char *backend, const char *name)
{
    const hw_backend *b = hw_backend_find(backend);
    return b ? hw_backend_row(b, name) : NULL;
}

static int in_use(const hw_backend *b, const hw_backend *const *use, int n_use)
{
    for (int k = 0; k < n_use; k++)
        if (use[k] == b) return 1;
    return 0;
}

void hw_metric_list(const hw_backend *const *use, int n_use, char *buf, size_t n)
{
    size_t u = 0;
    if (n) buf[0] = 0;
    for (size_t i = 0; REGISTRY[i]; i++)
        if (in_use(REGISTRY[i], use, n_use)) u = hw_backend_list_rows(REGISTRY[i], buf, n, u);
}

int hw_metric_resolve(const char *name, const hw_backend *const *use, int n_use, const hw_metric **out,
                      hw_err *e)
{
    for (int k = 0; k < n_use; k++)
        if ((*out = hw_backend_row(use[k], name))) return HW_OK;
    char list[512];
    hw_metric_list(use, n_use, list, sizeof list);
    for (size_t i = 0; REGISTRY[i]; i++) {
        const hw_backend *b = REGISTRY[i];
        if (in_use(b, use, n_use) || !hw_backend_row(b, name)) continue;
        char names[128];
        size_t u = 0;
        names[0] = 0;
        for (int k = 0; k < n_use; k++)
            u += (size_t)snprintf(names + u, u < sizeof names ? sizeof names - u : 0, "%s%s", k ? ", " : "",
                                  use[k]->name);
        return hw_fail(e, HW_EINVAL, "metric '%s' needs the %s backend (the %s backend%s: %s)", name, b->name, names,
                       n_use == 1 ? " has" : "s have", list);
    }
    char shown[72];
    hwj_abbrev(shown, sizeof shown, name ? name : "(null)");
    return hw_fail(e, HW_EINVAL, "unknown metric '%s' (expected one of: %s)", shown, list);
}

int hw_metric_split(const char *text, char metric[HW_METRIC_DEVICE_LEN], const char **device)
{
    const char *at = strchr(text, '@');
    size_t len = at ? (size_t)(at - text) : strlen(text);
    *device = at ? at + 1 : NULL;
    if (len >= HW_METRIC_DEVICE_LEN) len = HW_METRIC_DEVICE_LEN - 1;
    memcpy(metric, text, len);
    metric[len] = 0;
    return at && (at == text || !at[1]) ? -1 : 0;
}

int hw_metric_list_parse(const char *spec, const char *prefix, const hw_backend *const *use, int n_use,
                         const char *device, unsigned flags, const hw_metric **out,
                         char (*devices)[HW_METRIC_DEVICE_LEN], char (*texts)[HW_METRIC_DEVICE_LEN], int max,
                         int *n, hw_err *e)
{
    *n = 0;
    const char *p = spec;
    char text[HW_METRIC_DEVICE_LEN], name[HW_METRIC_DEVICE_LEN], dev[HW_METRIC_DEVICE_LEN];
    char (*seen_text)[HW_METRIC_DEVICE_LEN] = malloc((size_t)(max > 0 ? max : 1) * sizeof *seen_text);
    char (*seen_dev)[HW_METRIC_DEVICE_LEN] = malloc((size_t)(max > 0 ? max : 1) * sizeof *seen_dev);
    int rc = HW_OK;
    if (!seen_text || !seen_dev) { rc = hw_fail(e, HW_ENOMEM, "%s: out of memory", prefix); goto done; }
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == 0 || len >= sizeof name) {
            char shown[72];
            hwj_abbrev(shown, sizeof shown, spec);
            rc = hw_fail(e, HW_EINVAL, "%s: empty or overlong metric name in '%s'", prefix, shown);
            goto done;
        }
        if (*n == max) { rc = hw_fail(e, HW_EINVAL, "%s: more than %d metrics", prefix, max); goto done; }
        memcpy(text, p, len);
        text[len] = 0;
        const char *at = NULL;   /* the device after '@' (only when devices are asked for) */
        if (!devices) memcpy(name, text, len + 1);
        else if (hw_metric_split(text, name, &at)) {
            rc = hw_fail(e, HW_EINVAL, "%s: '%s': expected METRIC or METRIC@DEVICE", prefix, text);
            goto done;
        }
        snprintf(dev, sizeof dev, "%s", at ? at : "");
        rc = at ? hw_metric_resolve_per_device(name, use, n_use, &out[*n], e)
                : hw_metric_resolve(name, use, n_use, &out[*n], e);
        if (rc) {
            if (at) rc = hw_err_prefix(e, "%s: '%s'", prefix, text);
            else if (flags & HW_METRIC_LIST_PREFIX_RESOLVE) rc = hw_err_prefix(e, "%s", prefix);
            goto done;
        }
        for (int k = 0; k < *n; k++)
            if (out[k] == out[*n] && strcasecmp(seen_dev[k], dev) == 0) {
                if (strcmp(seen_text[k], text) == 0)
                    rc = hw_fail(e, HW_EINVAL, "%s: '%s' is listed twice", prefix, text);
                else
                    rc = hw_fail(e, HW_EINVAL, "%s: '%s' is listed twice (as '%s')", prefix, text, seen_text[k]);
                goto done;
            }
        if ((flags & HW_METRIC_LIST_NEED_DEVICE) && (out[*n]->flags & HW_METRIC_PER_DEVICE) && !device && !at) {
            if (devices)
                rc = hw_fail(e, HW_EINVAL, "%s: '%s' needs a device (or name one: %s@DEVICE)", prefix, name, name);
            else
                rc = hw_fail(e, HW_EINVAL, "%s: '%s' needs a device", prefix, name);
            goto done;
        }
        memcpy(seen_text[*n], text, sizeof text);
        memcpy(seen_dev[*n], dev, sizeof dev);
        if (devices) memcpy(devices[*n], dev, sizeof dev);
        if (texts) memcpy(texts[*n], text, sizeof text);
        (*n)++;
        if (!c) break;
        p = c + 1;
    }
done:
    free(seen_text);
    free(seen_dev);
    return rc;
}

int hw_metric_resolve_per_device(const char *name, const hw_backend *const *use, int n_use, const hw_metric **out,
                                 hw_err *e)
{
    const hw_metric *other = NULL;
    char list[256];
    size_t u = 0;
    list[0] = 0;
    for (int k = 0; k < n_use; k++) {
        const hw_metric *r = hw_backend_row(use[k], name);
        if (r && (r->flags & HW_METRIC_PER_DEVICE)) {
            *out = r;
            return HW_OK;
        }
        if (r && !other) other = r;
        for (const hw_metric *m = use[k]->rows; m->name && u < sizeof list; m++)
            if ((m->flags & HW_METRIC_PER_DEVICE) && !strstr(list, m->name))
                u += (size_t)snprintf(list + u, sizeof list - u, "%s%s", u ? ", " : "", m->name);
    }
    if (!other) return hw_metric_resolve(name, use, n_use, out, e);
    *out = NULL;
    char shown[72];
    hwj_abbrev(shown, sizeof shown, name);
    return hw_fail(e, HW_EINVAL, "%s does not depend on the device (only %s take @DEVICE)", shown,
                   u ? list : "per-device metrics");
}

void hw_backend_envs_close(hw_backend_envs *s)
{
    for (int k = s->n_views - 1; k >= 0; k--) /* views borrow from the environments: close them first */
        if (s->view_backend[k]->close) s->view_backend[k]->close(s->view[k]);
    for (int k = s->n - 1; k >= 0; k--)
        if (s->backend[k]->close) s->backend[k]->close(s->env[k]);
    memset(s, 0, sizeof *s);
}

int hw_backend_envs_open(hw_backend_envs *s, const hw_backend *const *use, int n_use, const hw_metric *const *rows,
                         int n_rows, const cJSON *cfg, const char *path, const hw_space *sp, hw_err *e)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; REGISTRY[i]; i++) {
        const hw_backend *b = REGISTRY[i];
        if (!in_use(b, use, n_use)) continue;
        if (s->n == HW_MAX_BACKENDS) {
            hw_backend_envs_close(s);
            return hw_fail(e, HW_EINVAL, "more than %d backends", HW_MAX_BACKENDS);
        }
        const hw_metric *mine[64];
        int n_mine = 0;
        for (int j = 0; j < n_rows && n_mine < 64; j++)
            if (strcmp(rows[j]->backend, b->name) == 0) mine[n_mine++] = rows[j];
        void *env = NULL;
        int rc = b->open(b, cfg, path, sp, mine, n_mine, &env, e);
        if (rc) {
            hw_backend_envs_close(s);
            return rc;
        }
        s->backend[s->n] = b;
        s->env[s->n++] = env;
    }
    return HW_OK;
}

size_t hw_backend_envs_files(const hw_backend_envs *s, hw_file_id *out, size_t max)
{
    size_t n = 0;
    for (int k = 0; k < s->n && n < max; k++)
        if (s->backend[k]->files && s->env[k]) n += s->backend[k]->files(s->env[k], out + n, max - n);
    return n;
}

void *hw_backend_envs_get(const hw_backend_envs *s, const hw_metric *row)
{
    for (int k = 0; k < s->n; k++)
        if (strcmp(s->backend[k]->name, row->backend) == 0) return s->env[k];
    return NULL;
}

int hw_backend_envs_device(hw_backend_envs *s, const hw_metric *row, const char *device, const void **env,
                           const char **device_name, hw_err *e)
{
    *env = NULL;
    *device_name = NULL;
    if (!(row->flags & HW_METRIC_PER_DEVICE))
        return hw_fail(e, HW_EINVAL, "metric '%s' does not depend on the device", row->name);
    const hw_backend *b = hw_backend_find(row->backend);
    void *base = hw_backend_envs_get(s, row);
    if (!b || !b->open_device || !base)
        return hw_fail(e, HW_EINVAL, "metric '%s': the %s backend cannot measure on another device", row->name,
                       row->backend);
    if (s->n_views == HW_MAX_DEVICE_VIEWS) return hw_fail(e, HW_EINVAL, "more than %d device views", HW_MAX_DEVICE_VIEWS);
    void *v = NULL;
    int rc = b->open_device(b, base, device, &row, 1, &v, device_name, e);
    if (rc) return rc;
    s->view_backend[s->n_views] = b;
    s->view[s->n_views++] = v;
    *env = v;
    return HW_OK;
}
