#include "space/space.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xs, xxs: vocabulary 256 (bytes).  xs's largest sub-network has 4.3 M
 * parameters at V = 256; xxs is for tests. */
static const hw_space SPACES[HW_N_SPACES] = {
    {"s", HW_SCALE_S, 3, {192, 384, 768}, 3, {10, 11, 12}, 3, {2, 3, 4}, 3, {4, 8, 12}, 12, 64, 1024, 50257, 8},
    {"m", HW_SCALE_M, 3, {256, 512, 1024}, 3, {22, 23, 24}, 3, {2, 3, 4}, 3, {8, 12, 16}, 24, 64, 1024, 50257, 4},
    {"l", HW_SCALE_L, 3, {320, 640, 1280}, 3, {34, 35, 36}, 3, {2, 3, 4}, 3, {8, 16, 20}, 36, 64, 1024, 50257, 1},
    {"xs", HW_SCALE_XS, 3, {64, 128, 256}, 3, {2, 3, 4}, 3, {2, 3, 4}, 3, {2, 3, 4}, 4, 64, 256, 256, 1},
    {"xxs", HW_SCALE_XXS, 2, {16, 32}, 2, {1, 2}, 2, {2, 3}, 2, {1, 2}, 2, 64, 32, 256, 1},
};

const hw_space *hw_space_get(int scale)
{
    return scale >= 0 && scale < HW_N_SPACES ? &SPACES[scale] : NULL;
}

const hw_space *hw_space_by_name(const char *name)
{
    for (int i = 0; i < HW_N_SPACES; i++)
        if (name && strcmp(name, SPACES[i].name) == 0) return &SPACES[i];
    return NULL;
}

int hw_space_lookup(const char *name, const hw_space **out, hw_err *e)
{
    *out = hw_space_by_name(name);
    if (*out && (*out)->scale >= HW_N_SCALES) *out = NULL;
    if (!*out) return hw_fail(e, HW_EINVAL, "unknown scale '%s' (expected s, m or l)", name ? name : "(null)");
    return HW_OK;
}

int hw_scale_list_parse(const char *spec, int want[HW_N_SCALES], hw_err *e)
{
    for (int i = 0; i < HW_N_SCALES; i++) want[i] = 0;
    const char *p = spec;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        char name[8];
        const hw_space *sp = NULL;
        if (len > 0 && len < sizeof name) {
            memcpy(name, p, len);
            name[len] = 0;
            sp = hw_space_by_name(name);
            if (sp && sp->scale >= HW_N_SCALES) sp = NULL;
        }
        if (!sp)
            return hw_fail(e, HW_EINVAL, "'%.*s' in '%.40s' is not a scale (expected a comma-separated list of s, m, l)",
                           (int)(len > 40 ? 40 : len), p, spec);
        if (want[sp->scale]) return hw_fail(e, HW_EINVAL, "scale '%s' is listed twice in '%.40s'", name, spec);
        want[sp->scale] = 1;
        if (!c) return HW_OK;
        p = c + 1;
    }
}

int hw_space_n_genes(const hw_space *sp) { return 3 + 2 * sp->max_layers; }

int hw_space_gene_choices(const hw_space *sp, int g)
{
    int L = sp->max_layers;
    if (g == 0) return sp->n_embed;
    if (g == 1) return sp->n_layers;
    if (g < 2 + L) return sp->n_mlp;
    if (g < 2 + 2 * L) return sp->n_heads;
    return 2;
}

int hw_choice_index(const int *choices, int n, int v)
{
    for (int i = 0; i < n; i++)
        if (choices[i] == v) return i;
    return -1;
}

static void list_choices(char *buf, size_t n, const int *c, int k)
{
    size_t u = 0;
    buf[0] = 0;
    for (int i = 0; i < k && u < n; i++) u += (size_t)snprintf(buf + u, n - u, "%s%d", i ? ", " : "", c[i]);
}

/* Parse a decimal integer field exactly (no sign, no leading '+', no junk). */
static int parse_field(const char *s, size_t len, int *out)
{
    if (len == 0 || len > 9) return 0;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    if (len > 1 && s[0] == '0') return 0;
    *out = v;
    return 1;
}

int hw_arch_parse(const char *s, const hw_space *want, hw_arch *a, hw_err *e)
{
    if (!s) return hw_fail(e, HW_EPARSE, "arch string is missing");
    enum { MAXF = 5 + 2 * HW_MAX_LAYERS + 1 };
    const char *fs[MAXF + 1];
    size_t fl[MAXF + 1];
    int nf = 0;
    const char *p = s;
    for (;;) {
        const char *d = strchr(p, '-');
        size_t len = d ? (size_t)(d - p) : strlen(p);
        if (nf > MAXF) return hw_fail(e, HW_EPARSE, "arch '%.80s': too many fields", s);
        fs[nf] = p; fl[nf] = len; nf++;
        if (!d) break;
        p = d + 1;
    }
    if (nf < 5 || fl[0] != 3 || strncmp(fs[0], "gpt", 3) != 0)
        return hw_fail(e, HW_EPARSE, "arch '%.80s': expected 'gpt-<scale>-<n_layer>-<embed>-...'", s);
    char sc[8] = "";
    if (fl[1] < sizeof sc) { memcpy(sc, fs[1], fl[1]); sc[fl[1]] = 0; }
    const hw_space *sp = hw_space_by_name(sc);
    if (!sp) return hw_fail(e, HW_EPARSE, "arch '%.80s': unknown scale '%s' (expected s, m, l, xs or xxs)", s, sc);
    if (want && want != sp)
        return hw_fail(e, HW_EPARSE, "arch '%.80s': scale '%s' does not match the expected scale '%s'", s, sp->name, want->name);
    memset(a, 0, sizeof *a);
    a->scale = sp->scale;
    char buf[64];
    int nl;
    if (!parse_field(fs[2], fl[2], &nl))
        return hw_fail(e, HW_EPARSE, "arch '%.80s': n_layer '%.*s' is not a number", s, (int)fl[2], fs[2]);
    if (hw_choice_index(sp->layers, sp->n_layers, nl) < 0) {
        list_choices(buf, sizeof buf, sp->layers, sp->n_layers);
        return hw_fail(e, HW_EPARSE, "arch '%.80s': n_layer %d not in scale %s's choices {%s}", s, nl, sp->name, buf);
    }
    if (nf != 5 + 2 * nl)
        return hw_fail(e, HW_EPARSE, "arch '%.80s': %d fields, expected %d for %d layers", s, nf, 5 + 2 * nl, nl);
    a->n_layer = nl;
    int ed;
    if (!parse_field(fs[3], fl[3], &ed))
        return hw_fail(e, HW_EPARSE, "arch '%.80s': embed_dim '%.*s' is not a number", s, (int)fl[3], fs[3]);
    if (hw_choice_index(sp->embed, sp->n_embed, ed) < 0) {
        list_choices(buf, sizeof buf, sp->embed, sp->n_embed);
        return hw_fail(e, HW_EPARSE, "arch '%.80s': embed_dim %d not in scale %s's choices {%s}", s, ed, sp->name, buf);
    }
    a->embed_dim = ed;
    for (int i = 0; i < nl; i++) {
        int v, f = 4 + i;
        if (!parse_field(fs[f], fl[f], &v))
            return hw_fail(e, HW_EPARSE, "arch '%.80s': mlp_ratio of layer %d '%.*s' is not a number", s, i, (int)fl[f], fs[f]);
        if (hw_choice_index(sp->mlp, sp->n_mlp, v) < 0) {
            list_choices(buf, sizeof buf, sp->mlp, sp->n_mlp);
            return hw_fail(e, HW_EPARSE, "arch '%.80s': mlp_ratio %d of layer %d not in {%s}", s, v, i, buf);
        }
        a->mlp_ratio[i] = v;
    }
    for (int i = 0; i < nl; i++) {
        int v, f = 4 + nl + i;
        if (!parse_field(fs[f], fl[f], &v))
            return hw_fail(e, HW_EPARSE, "arch '%.80s': n_head of layer %d '%.*s' is not a number", s, i, (int)fl[f], fs[f]);
        if (hw_choice_index(sp->heads, sp->n_heads, v) < 0) {
            list_choices(buf, sizeof buf, sp->heads, sp->n_heads);
            return hw_fail(e, HW_EPARSE, "arch '%.80s': n_head %d of layer %d not in scale %s's choices {%s}", s, v, i, sp->name, buf);
        }
        a->n_head[i] = v;
    }
    const char *b = fs[4 + 2 * nl];
    size_t bl = fl[4 + 2 * nl];
    if (bl == 4 && strncmp(b, "True", 4) == 0) a->bias = 1;
    else if (bl == 5 && strncmp(b, "False", 5) == 0) a->bias = 0;
    else return hw_fail(e, HW_EPARSE, "arch '%.80s': bias '%.*s' must be True or False", s, (int)bl, b);
    return HW_OK;
}

int hw_arch_format(const hw_arch *a, char *buf, size_t n)
{
    const hw_space *sp = hw_space_get(a->scale);
    size_t u = 0;
    int w = snprintf(buf, n, "gpt-%s-%d-%d", sp ? sp->name : "?", a->n_layer, a->embed_dim);
    u = (size_t)w;
    for (int i = 0; i < a->n_layer; i++) {
        w = snprintf(u < n ? buf + u : NULL, u < n ? n - u : 0, "-%d", a->mlp_ratio[i]);
        u += (size_t)w;
    }
    for (int i = 0; i < a->n_layer; i++) {
        w = snprintf(u < n ? buf + u : NULL, u < n ? n - u : 0, "-%d", a->n_head[i]);
        u += (size_t)w;
    }
    w = snprintf(u < n ? buf + u : NULL, u < n ? n - u : 0, "-%s", a->bias ? "True" : "False");
    u += (size_t)w;
    return (int)u;
}

int hw_arch_validate(const hw_arch *a, hw_err *e)
{
    const hw_space *sp = hw_space_get(a->scale);
    if (!sp) return hw_fail(e, HW_EINVAL, "arch: unknown scale %d", a->scale);
    if (hw_choice_index(sp->layers, sp->n_layers, a->n_layer) < 0)
        return hw_fail(e, HW_EINVAL, "arch: n_layer %d not in scale %s", a->n_layer, sp->name);
    if (hw_choice_index(sp->embed, sp->n_embed, a->embed_dim) < 0)
        return hw_fail(e, HW_EINVAL, "arch: embed_dim %d not in scale %s", a->embed_dim, sp->name);
    for (int i = 0; i < a->n_layer; i++) {
        if (hw_choice_index(sp->mlp, sp->n_mlp, a->mlp_ratio[i]) < 0)
            return hw_fail(e, HW_EINVAL, "arch: mlp_ratio %d of layer %d not in scale %s", a->mlp_ratio[i], i, sp->name);
        if (hw_choice_index(sp->heads, sp->n_heads, a->n_head[i]) < 0)
            return hw_fail(e, HW_EINVAL, "arch: n_head %d of layer %d not in scale %s", a->n_head[i], i, sp->name);
    }
    if (a->bias != 0 && a->bias != 1) return hw_fail(e, HW_EINVAL, "arch: bias must be 0 or 1");
    return HW_OK;
}

static int gene_index(double x, int k)
{
    if (!(x == x)) return 0; /* NaN */
    double r = floor(x + 0.5);
    if (r < 0) return 0;
    if (r > k - 1) return k - 1;
    return (int)r;
}

void hw_arch_from_genome(const hw_space *sp, const double *x, hw_arch *a)
{
    int L = sp->max_layers;
    memset(a, 0, sizeof *a);
    a->scale = sp->scale;
    a->embed_dim = sp->embed[gene_index(x[0], sp->n_embed)];
    a->n_layer = sp->layers[gene_index(x[1], sp->n_layers)];
    for (int i = 0; i < a->n_layer; i++) {
        a->mlp_ratio[i] = sp->mlp[gene_index(x[2 + i], sp->n_mlp)];
        a->n_head[i] = sp->heads[gene_index(x[2 + L + i], sp->n_heads)];
    }
    a->bias = gene_index(x[2 + 2 * L], 2) == 0;
}

void hw_arch_to_genome(const hw_arch *a, double *x)
{
    const hw_space *sp = hw_space_get(a->scale);
    int L = sp->max_layers;
    for (int g = 0; g < hw_space_n_genes(sp); g++) x[g] = 0.0;
    x[0] = hw_choice_index(sp->embed, sp->n_embed, a->embed_dim);
    x[1] = hw_choice_index(sp->layers, sp->n_layers, a->n_layer);
    for (int i = 0; i < a->n_layer; i++) {
        x[2 + i] = hw_choice_index(sp->mlp, sp->n_mlp, a->mlp_ratio[i]);
        x[2 + L + i] = hw_choice_index(sp->heads, sp->n_heads, a->n_head[i]);
    }
    x[2 + 2 * L] = a->bias ? 0.0 : 1.0;
}

void hw_arch_sample(const hw_space *sp, hw_rng *r, hw_arch *a)
{
    double x[3 + 2 * HW_MAX_LAYERS];
    int n = hw_space_n_genes(sp);
    for (int g = 0; g < n; g++) x[g] = (double)hw_rng_below(r, (uint32_t)hw_space_gene_choices(sp, g));
    hw_arch_from_genome(sp, x, a);
}
