#include "space/analytic.h"

#include <string.h>

typedef struct {
    int64_t E, L, R, H, b, T;
} arch_sums;

static arch_sums sums(const hw_arch *a)
{
    arch_sums s = {a->embed_dim, a->n_layer, 0, 0, a->bias ? 1 : 0, 0};
    for (int i = 0; i < a->n_layer; i++) { s.R += a->mlp_ratio[i]; s.H += a->n_head[i]; }
    const hw_space *sp = hw_space_get(a->scale);
    s.T = (int64_t)(sp ? sp->profile_batch : 1) * HW_ANALYTIC_SEQ_LEN;
    return s;
}

int64_t hw_analytic_params(const hw_arch *a)
{
    arch_sums s = sums(a);
    const int64_t V = HW_ANALYTIC_VOCAB, E = s.E;
    return (2 * V + 2) * E                       /* wte, lm_head, ln_f */
           + s.L * (4 * E + 2 * s.b * E)         /* norm_1, norm_2; attn.proj and mlp.proj biases */
           + s.R * (3 * E * E + 2 * s.b * E)     /* fc_1, fc_2, proj weights; fc_1, fc_2 biases */
           + s.H * (256 * E + 192 * s.b);        /* q, k, v, proj weights; q, k, v biases */
}

int64_t hw_analytic_macs(const hw_arch *a)
{
    arch_sums s = sums(a);
    return s.T * s.E * (HW_ANALYTIC_VOCAB + 3 * s.E * s.R + 256 * s.H);
}

int64_t hw_analytic_flops(const hw_arch *a)
{
    arch_sums s = sums(a);
    return s.T * s.E * (2 * HW_ANALYTIC_VOCAB + 5 + 10 * s.L + (6 * s.E + 1) * s.R + 512 * s.H);
}

double hw_analytic_memory_mb(const hw_arch *a, int bytes_per_param)
{
    return (double)(hw_analytic_params(a) * bytes_per_param) / 1e6;
}

void hw_analytic_extreme_archs(const hw_space *sp, hw_arch *smallest, hw_arch *largest)
{
    memset(smallest, 0, sizeof *smallest);
    memset(largest, 0, sizeof *largest);
    smallest->scale = largest->scale = sp->scale;
    smallest->embed_dim = sp->embed[0];
    largest->embed_dim = sp->embed[sp->n_embed - 1];
    smallest->n_layer = sp->layers[0];
    largest->n_layer = sp->layers[sp->n_layers - 1];
    for (int i = 0; i < smallest->n_layer; i++) {
        smallest->mlp_ratio[i] = sp->mlp[0];
        smallest->n_head[i] = sp->heads[0];
    }
    for (int i = 0; i < largest->n_layer; i++) {
        largest->mlp_ratio[i] = sp->mlp[sp->n_mlp - 1];
        largest->n_head[i] = sp->heads[sp->n_heads - 1];
    }
    smallest->bias = 0;
    largest->bias = 1;
}
