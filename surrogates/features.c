#include "surrogates/features.h"

#include <string.h>

#include "space/analytic.h"

static const char *const FEATURE_NAMES[SUR_N_FEAT] = {
    "embed", "n_layer", "bias", "n_mlp2", "n_mlp3", "n_mlp4", "n_head0", "n_head1", "n_head2",
    "sum_mlp", "sum_heads", "embed_x_sum_heads", "embed2_x_sum_mlp", "params_m", "gflops",
    "n_m0h0", "n_m0h1", "n_m0h2", "n_m1h0", "n_m1h1", "n_m1h2", "n_m2h0", "n_m2h1", "n_m2h2",
    "sum_mlp_first_half", "sum_heads_first_half", "embed_x_n_layer"};

const char *sur_feature_name(int i) { return i >= 0 && i < SUR_N_FEAT ? FEATURE_NAMES[i] : "?"; }

/* Index of the layer's choices in the space (0..2); the arch is assumed valid. */
static void layer_index(const hw_space *sp, const hw_arch *a, int i, int *mi, int *hi)
{
    *mi = hw_choice_index(sp->mlp, sp->n_mlp, a->mlp_ratio[i]);
    *hi = hw_choice_index(sp->heads, sp->n_heads, a->n_head[i]);
    if (*mi < 0) *mi = 0;
    if (*hi < 0) *hi = 0;
}

void sur_tree_features(const hw_arch *a, float *x)
{
    const hw_space *sp = hw_space_get(a->scale);
    double e = a->embed_dim, H = 0, M = 0, H1 = 0, M1 = 0;
    int cm[3] = {0, 0, 0}, ch[3] = {0, 0, 0}, joint[9] = {0};
    for (int i = 0; i < a->n_layer; i++) {
        int mi, hi;
        layer_index(sp, a, i, &mi, &hi);
        cm[mi]++; ch[hi]++; joint[3 * mi + hi]++;
        H += a->n_head[i]; M += a->mlp_ratio[i];
        if (2 * i < a->n_layer) { H1 += a->n_head[i]; M1 += a->mlp_ratio[i]; }
    }
    int k = 0;
    x[k++] = (float)e;
    x[k++] = (float)a->n_layer;
    x[k++] = (float)a->bias;
    for (int j = 0; j < 3; j++) x[k++] = (float)cm[j];
    for (int j = 0; j < 3; j++) x[k++] = (float)ch[j];
    x[k++] = (float)M;
    x[k++] = (float)H;
    x[k++] = (float)(e * H);
    x[k++] = (float)(e * e * M * 1e-6);
    x[k++] = (float)((double)hw_analytic_params(a) * 1e-6);
    x[k++] = (float)((double)hw_analytic_flops(a) * 1e-9);
    for (int j = 0; j < 9; j++) x[k++] = (float)joint[j];
    x[k++] = (float)M1;
    x[k++] = (float)H1;
    x[k++] = (float)(e * a->n_layer);
}

int sur_linear_len(int scale)
{
    const hw_space *sp = hw_space_get(scale);
    return SUR_LIN_ORDER_FREE + 6 * (sp ? sp->max_layers : HW_MAX_LAYERS);
}

int sur_linear_features(const hw_arch *a, double *g)
{
    const hw_space *sp = hw_space_get(a->scale);
    int L = sp->max_layers;
    memset(g, 0, (size_t)sur_linear_len(a->scale) * sizeof *g);
    int ei = hw_choice_index(sp->embed, sp->n_embed, a->embed_dim);
    if (ei < 0) ei = 0;
    g[0] = 1.0;
    for (int i = 0; i < a->n_layer; i++) {
        int mi, hi;
        layer_index(sp, a, i, &mi, &hi);
        g[1 + 3 * mi + hi] += 1.0;
        g[SUR_LIN_ORDER_FREE + 3 * i + mi] = 1.0;
        g[SUR_LIN_ORDER_FREE + 3 * L + 3 * i + hi] = 1.0;
    }
    g[10] = a->bias;
    g[11] = a->bias * (double)a->n_layer;
    g[12] = ei == 1;
    g[13] = ei == 2;
    return ei;
}

void sur_linear_coarse(const hw_arch *a, double *g)
{
    const hw_space *sp = hw_space_get(a->scale);
    double fine[SUR_LIN_GROUP];
    sur_linear_features(a, fine);
    memset(g, 0, SUR_LIN_COARSE * sizeof *g);
    memcpy(g, fine, SUR_LIN_ORDER_FREE * sizeof *g);
    for (int i = 0; i < a->n_layer; i++) {
        int mi, hi, bin = i * SUR_LIN_COARSE_BINS / sp->max_layers;
        layer_index(sp, a, i, &mi, &hi);
        g[SUR_LIN_ORDER_FREE + 6 * bin + mi] += 1.0;
        g[SUR_LIN_ORDER_FREE + 6 * bin + 3 + hi] += 1.0;
    }
}
