/* supernet/model.c — parameter layout, slices, the activation arena, and the
 * forward and backward passes of a sub-network (layer math in layers.c). */
#include "supernet/supernet.h"
#include "supernet/blas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "supernet/layers.h"

/* ---- config and tensor shapes ------------------------------------------ */

void sn_config_from_space(const hw_space *sp, int vocab, float rot, sn_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->vocab = vocab;
    cfg->max_embed = sp->embed[sp->n_embed - 1];
    cfg->max_layers = sp->layers[sp->n_layers - 1];
    cfg->max_heads = sp->heads[sp->n_heads - 1];
    cfg->max_mlp_ratio = sp->mlp[sp->n_mlp - 1];
    cfg->head_size = sp->head_size;
    cfg->block_size = sp->block_size;
    cfg->rotary_frac = rot;
    cfg->scale = sp->scale;
}

int sn_config_validate(const sn_config *c, hw_err *e)
{
    if (c->vocab < 2 || c->vocab > (1 << 24)) return hw_fail(e, HW_ERANGE, "supernet: vocab %d not in 2..2^24", c->vocab);
    if (c->max_embed < 1 || c->max_layers < 1 || c->max_layers > HW_MAX_LAYERS || c->max_heads < 1 ||
        c->max_mlp_ratio < 1 || c->head_size < 2 || c->block_size < 1)
        return hw_fail(e, HW_ERANGE, "supernet: bad shape (embed %d, layers %d, heads %d, ratio %d, head size %d, block %d)",
                       c->max_embed, c->max_layers, c->max_heads, c->max_mlp_ratio, c->head_size, c->block_size);
    if (!(c->rotary_frac >= 0.0f && c->rotary_frac <= 1.0f))
        return hw_fail(e, HW_ERANGE, "supernet: rotary fraction %g not in [0, 1]", (double)c->rotary_frac);
    return HW_OK;
}

static int rot_dims(const sn_config *c)
{
    int r = (int)(c->rotary_frac * (float)c->head_size);
    return r - r % 2;
}

static const char *const LAYER_NAMES[SN_N_LAYER_TENSORS] = {
    "ln1.w", "ln1.b", "attn.wq", "attn.wk", "attn.wv", "attn.bq", "attn.bk", "attn.bv", "attn.wo", "attn.bo",
    "ln2.w", "ln2.b", "mlp.w1", "mlp.w2", "mlp.b1", "mlp.b2", "mlp.w3", "mlp.b3"};
static const char *const GLOBAL_NAMES[SN_N_GLOBAL_TENSORS] = {"wte", "lnf.w", "lnf.b", "lm_head"};

const char *sn_tensor_name(int layer, int tensor) { return layer < 0 ? GLOBAL_NAMES[tensor] : LAYER_NAMES[tensor]; }

int sn_tensor_is_matrix(int layer, int t)
{
    if (layer < 0) return t == SN_WTE || t == SN_LMHEAD;
    return t == SN_WQ || t == SN_WK || t == SN_WV || t == SN_WO || t == SN_W1 || t == SN_W2 || t == SN_W3;
}

static int is_linear_bias(int t)
{
    return t == SN_BQ || t == SN_BK || t == SN_BV || t == SN_BO || t == SN_B1 || t == SN_B2 || t == SN_B3;
}

/* Shape for embed e, attention width a, hidden f. */
static void shape_of(int layer, int t, int V, int e, int a, int f, int *r, int *c)
{
    *c = 1;
    if (layer < 0) {
        *r = (t == SN_WTE || t == SN_LMHEAD) ? V : e;
        if (t == SN_WTE || t == SN_LMHEAD) *c = e;
        return;
    }
    switch (t) {
    case SN_WQ: case SN_WK: case SN_WV: *r = a; *c = e; break;
    case SN_BQ: case SN_BK: case SN_BV: *r = a; break;
    case SN_WO: *r = e; *c = a; break;
    case SN_W1: case SN_W2: *r = f; *c = e; break;
    case SN_B1: case SN_B2: *r = f; break;
    case SN_W3: *r = e; *c = f; break;
    default: *r = e; break; /* layernorms, bo, b3 */
    }
}

void sn_tensor_shape(const sn_config *c, int layer, int t, int *rows, int *cols)
{
    shape_of(layer, t, c->vocab, c->max_embed, c->head_size * c->max_heads, c->max_mlp_ratio * c->max_embed, rows,
             cols);
}

void sn_tensor_slice(const sn_config *c, const sn_dims *d, int layer, int t, int *rows, int *cols)
{
    if (layer >= d->n_layer || (layer >= 0 && !d->bias && is_linear_bias(t))) { *rows = *cols = 0; return; }
    int a = layer >= 0 ? c->head_size * d->n_head[layer] : 0, f = layer >= 0 ? d->hidden[layer] : 0;
    shape_of(layer, t, c->vocab, d->embed, a, f, rows, cols);
}

int sn_dims_from_arch(const sn_config *c, const hw_arch *a, sn_dims *d, hw_err *e)
{
    if (a->n_layer < 1 || a->n_layer > c->max_layers)
        return hw_fail(e, HW_EINVAL, "supernet: arch has %d layers, the supernet 1..%d", a->n_layer, c->max_layers);
    if (a->embed_dim < 1 || a->embed_dim > c->max_embed)
        return hw_fail(e, HW_EINVAL, "supernet: arch embed %d, the supernet 1..%d", a->embed_dim, c->max_embed);
    memset(d, 0, sizeof *d);
    d->embed = a->embed_dim;
    d->n_layer = a->n_layer;
    d->bias = a->bias ? 1 : 0;
    for (int i = 0; i < a->n_layer; i++) {
        if (a->n_head[i] < 1 || a->n_head[i] > c->max_heads)
            return hw_fail(e, HW_EINVAL, "supernet: layer %d has %d heads, the supernet 1..%d", i, a->n_head[i],
                           c->max_heads);
        if (a->mlp_ratio[i] < 1 || a->mlp_ratio[i] > c->max_mlp_ratio)
            return hw_fail(e, HW_EINVAL, "supernet: layer %d mlp ratio %d, the supernet 1..%d", i, a->mlp_ratio[i],
                           c->max_mlp_ratio);
        d->n_head[i] = a->n_head[i];
        d->hidden[i] = a->mlp_ratio[i] * a->embed_dim;
    }
    return HW_OK;
}

void sn_dims_full(const sn_config *c, sn_dims *d)
{
    memset(d, 0, sizeof *d);
    d->embed = c->max_embed;
    d->n_layer = c->max_layers;
    d->bias = 1;
    for (int i = 0; i < c->max_layers; i++) {
        d->n_head[i] = c->max_heads;
        d->hidden[i] = c->max_mlp_ratio * c->max_embed;
    }
}

int64_t sn_dims_params(const sn_config *c, const sn_dims *d)
{
    int64_t n = 0;
    int r, k;
    for (int t = 0; t < SN_N_GLOBAL_TENSORS; t++) { sn_tensor_slice(c, d, -1, t, &r, &k); n += (int64_t)r * k; }
    for (int l = 0; l < c->max_layers; l++)
        for (int t = 0; t < SN_N_LAYER_TENSORS; t++) { sn_tensor_slice(c, d, l, t, &r, &k); n += (int64_t)r * k; }
    return n;
}

int64_t sn_config_params(const sn_config *c)
{
    int64_t n = 0;
    int r, k;
    for (int t = 0; t < SN_N_GLOBAL_TENSORS; t++) { sn_tensor_shape(c, -1, t, &r, &k); n += (int64_t)r * k; }
    for (int l = 0; l < c->max_layers; l++)
        for (int t = 0; t < SN_N_LAYER_TENSORS; t++) { sn_tensor_shape(c, l, t, &r, &k); n += (int64_t)r * k; }
    return n;
}

/* ---- parameters --------------------------------------------------------- */

int sn_model_init(sn_model *m, const sn_config *cfg, uint64_t seed, hw_err *e)
{
    memset(m, 0, sizeof *m);
    int rc = sn_config_validate(cfg, e);
    if (!rc) rc = sn_blas_load(e);   /* its products need OpenBLAS */
    if (rc) return rc;
    m->cfg = *cfg;
    size_t off = 0;
    int r, k;
    for (int t = 0; t < SN_N_GLOBAL_TENSORS; t++) {
        m->off_global[t] = off;
        sn_tensor_shape(cfg, -1, t, &r, &k);
        off += (size_t)r * k;
    }
    for (int l = 0; l < cfg->max_layers; l++)
        for (int t = 0; t < SN_N_LAYER_TENSORS; t++) {
            m->off_layer[l][t] = off;
            sn_tensor_shape(cfg, l, t, &r, &k);
            off += (size_t)r * k;
        }
    m->n_params = off;
    m->params = malloc(sizeof(float) * off);
    if (!m->params) return hw_fail(e, HW_ENOMEM, "supernet: cannot allocate %zu parameters", off);
    hw_rng rng;
    hw_rng_seed(&rng, seed, HW_STREAM_TRAIN);
    double proj_std = 0.02 / sqrt(2.0 * cfg->max_layers);
    for (int l = -1; l < cfg->max_layers; l++) {
        int nt = l < 0 ? SN_N_GLOBAL_TENSORS : SN_N_LAYER_TENSORS;
        for (int t = 0; t < nt; t++) {
            float *p = sn_param(m, l, t);
            sn_tensor_shape(cfg, l, t, &r, &k);
            size_t n = (size_t)r * k;
            int is_norm_w = l < 0 ? t == SN_LNFW : (t == SN_LN1W || t == SN_LN2W);
            if (sn_tensor_is_matrix(l, t)) {
                double sd = (l >= 0 && (t == SN_WO || t == SN_W3)) ? proj_std : 0.02;
                for (size_t i = 0; i < n; i++) p[i] = (float)(sd * hw_rng_normal(&rng));
            } else {
                for (size_t i = 0; i < n; i++) p[i] = is_norm_w ? 1.0f : 0.0f;
            }
        }
    }
    return HW_OK;
}

int sn_model_alloc_grads(sn_model *m, hw_err *e)
{
    if (m->grads) return HW_OK;
    m->grads = calloc(m->n_params, sizeof(float));
    if (!m->grads) return hw_fail(e, HW_ENOMEM, "supernet: cannot allocate %zu gradients", m->n_params);
    return HW_OK;
}

void sn_zero_grads(sn_model *m)
{
    if (m->grads) memset(m->grads, 0, sizeof(float) * m->n_params);
}

/* ---- activation arena --------------------------------------------------- */

typedef struct {
    float *ln1, *ln1_mean, *ln1_rstd, *q, *k, *v, *att, *y, *xmid, *ln2, *ln2_mean, *ln2_rstd, *h1, *h2, *g;
} layer_acts;

struct sn_arena {
    int B, T, with_backward, rot;
    int att_slots;                       /* sn_attention_slots() at allocation */
    size_t cap;                          /* floats in mem */
    float *mem;
    float *cos_t, *sin_t;                /* (T, rot/2) */
    int32_t *tokens, *targets;           /* copies of the last forward's input (B*T) */
    /* the last forward */
    sn_dims d;
    int fB, fT, has_targets;
    float *x[HW_MAX_LAYERS + 1];         /* residual stream entering layer l (N, e) */
    layer_acts L[HW_MAX_LAYERS];
    float *lnf, *lnf_mean, *lnf_rstd;    /* (N, e), (N), (N) */
    float *logits, *losses;              /* (N, V), (N) */
    /* backward scratch */
    float *dres, *dln;                   /* (N, e) */
    float *dq, *dk, *dv, *dy;            /* (N, a) */
    float *datt;                         /* att_slots x (min(T, SN_ATT_BLOCK), T) */
    float *dh1, *dh2, *dg;               /* (N, f) */
};

typedef struct {
    float *base;
    size_t used;
} bump;

static float *take(bump *b, size_t n)
{
    float *p = b->base ? b->base + b->used : NULL;
    b->used += (n + 15) & ~(size_t)15; /* 64-byte aligned blocks */
    return p;
}

/* Lay out the activations of dims d at B x T into A (A->mem, or count only
 * when A->mem is NULL); returns the floats used.  Without backward, all
 * layers share one block and the residual stream alternates two buffers. */
static size_t arena_layout(sn_arena *A, const sn_config *c, const sn_dims *d, int B, int T)
{
    bump b = {A->mem, 0};
    size_t N = (size_t)B * T, e = (size_t)d->embed;
    size_t amax = 0, fmax = 0;
    for (int l = 0; l < d->n_layer; l++) {
        size_t a = (size_t)c->head_size * d->n_head[l], f = (size_t)d->hidden[l];
        amax = a > amax ? a : amax;
        fmax = f > fmax ? f : fmax;
    }
    size_t att_scratch = sn_attention_scratch_floats(A->att_slots, T);
    int half = A->rot / 2;
    A->cos_t = take(&b, (size_t)T * half);
    A->sin_t = take(&b, (size_t)T * half);
    int keep = A->with_backward;
    float *ping[2] = {NULL, NULL};
    if (!keep) { ping[0] = take(&b, N * e); ping[1] = take(&b, N * e); }
    A->x[0] = keep ? take(&b, N * e) : ping[0];
    for (int l = 0; l < d->n_layer; l++) {
        layer_acts *la = &A->L[l];
        if (!keep && l > 0) {
            *la = A->L[0];
        } else {
            size_t a = keep ? (size_t)c->head_size * d->n_head[l] : amax, f = keep ? (size_t)d->hidden[l] : fmax;
            size_t h = keep ? (size_t)d->n_head[l] : amax / c->head_size;
            la->ln1 = take(&b, N * e);
            la->ln1_mean = take(&b, N);
            la->ln1_rstd = take(&b, N);
            la->q = take(&b, N * a);
            la->k = take(&b, N * a);
            la->v = take(&b, N * a);
            la->att = take(&b, keep ? (size_t)B * h * T * T : att_scratch);
            la->y = take(&b, N * a);
            la->xmid = take(&b, N * e);
            la->ln2 = take(&b, N * e);
            la->ln2_mean = take(&b, N);
            la->ln2_rstd = take(&b, N);
            la->h1 = take(&b, N * f);
            la->h2 = take(&b, N * f);
            la->g = take(&b, N * f);
        }
        A->x[l + 1] = keep ? take(&b, N * e) : ping[(l + 1) % 2];
    }
    A->lnf = take(&b, N * e);
    A->lnf_mean = take(&b, N);
    A->lnf_rstd = take(&b, N);
    A->logits = take(&b, N * (size_t)c->vocab);
    A->losses = take(&b, N);
    if (keep) {
        A->dres = take(&b, N * e);
        A->dln = take(&b, N * e);
        A->dq = take(&b, N * amax);
        A->dk = take(&b, N * amax);
        A->dv = take(&b, N * amax);
        A->dy = take(&b, N * amax);
        A->datt = take(&b, att_scratch);
        A->dh1 = take(&b, N * fmax);
        A->dh2 = take(&b, N * fmax);
        A->dg = take(&b, N * fmax);
    }
    return b.used;
}

static void arena_free(sn_arena *A)
{
    if (!A) return;
    free(A->mem);
    free(A->tokens);
    free(A);
}

int sn_model_alloc_arena(sn_model *m, int B, int T, int with_backward, hw_err *e)
{
    if (B < 1 || T < 1 || T > m->cfg.block_size)
        return hw_fail(e, HW_ERANGE, "supernet: batch %d x %d tokens (block size %d)", B, T, m->cfg.block_size);
    arena_free(m->arena);
    m->arena = NULL;
    sn_arena *A = calloc(1, sizeof *A);
    if (!A) return hw_fail(e, HW_ENOMEM, "supernet: cannot allocate the arena");
    A->B = B;
    A->T = T;
    A->with_backward = with_backward;
    A->rot = rot_dims(&m->cfg);
    A->att_slots = sn_attention_slots();
    sn_dims full;
    sn_dims_full(&m->cfg, &full);
    A->cap = arena_layout(A, &m->cfg, &full, B, T);
    A->mem = malloc(sizeof(float) * A->cap);
    A->tokens = malloc(sizeof(int32_t) * 2 * (size_t)B * T);
    if (!A->mem || !A->tokens) {
        size_t cap = A->cap;
        arena_free(A);
        return hw_fail(e, HW_ENOMEM, "supernet: cannot allocate %zu activation floats", cap);
    }
    A->targets = A->tokens + (size_t)B * T;
    m->arena = A;
    return HW_OK;
}

void sn_model_free(sn_model *m)
{
    if (!m) return;
    free(m->params);
    free(m->grads);
    arena_free(m->arena);
    memset(m, 0, sizeof *m);
}

const float *sn_logits(const sn_model *m) { return m->arena ? m->arena->logits : NULL; }

/* ---- forward ------------------------------------------------------------ */

static void block_forward(const sn_model *m, sn_arena *A, int l, int N, int B, int T)
{
    const sn_config *c = &m->cfg;
    const sn_dims *d = &A->d;
    layer_acts *la = &A->L[l];
    int E = c->max_embed, e = d->embed, hs = c->head_size, h = d->n_head[l], a = hs * h, f = d->hidden[l];
    int Awidth = c->head_size * c->max_heads, F = c->max_mlp_ratio * c->max_embed;
    const float *xin = A->x[l];
    float *xout = A->x[l + 1];
#define P(t) sn_param(m, l, t)
#define BIAS(t) (d->bias ? P(t) : NULL)
    sn_layernorm_forward(la->ln1, la->ln1_mean, la->ln1_rstd, xin, P(SN_LN1W), P(SN_LN1B), N, e);
    sn_linear_forward(la->q, a, la->ln1, e, P(SN_WQ), E, BIAS(SN_BQ), N, a, e, 0.0f);
    sn_linear_forward(la->k, a, la->ln1, e, P(SN_WK), E, BIAS(SN_BK), N, a, e, 0.0f);
    sn_linear_forward(la->v, a, la->ln1, e, P(SN_WV), E, BIAS(SN_BV), N, a, e, 0.0f);
    sn_rope_apply(la->q, a, A->cos_t, A->sin_t, N, T, h, hs, A->rot, +1);
    sn_rope_apply(la->k, a, A->cos_t, A->sin_t, N, T, h, hs, A->rot, +1);
    sn_attention_forward(la->y, la->att, A->with_backward ? (size_t)T * T : 0, A->att_slots, la->q, la->k, la->v, a, B,
                         T, h, hs);
    memcpy(la->xmid, xin, sizeof(float) * (size_t)N * e);
    sn_linear_forward(la->xmid, e, la->y, a, P(SN_WO), Awidth, BIAS(SN_BO), N, e, a, 1.0f);
    sn_layernorm_forward(la->ln2, la->ln2_mean, la->ln2_rstd, la->xmid, P(SN_LN2W), P(SN_LN2B), N, e);
    sn_linear_forward(la->h1, f, la->ln2, e, P(SN_W1), E, BIAS(SN_B1), N, f, e, 0.0f);
    sn_linear_forward(la->h2, f, la->ln2, e, P(SN_W2), E, BIAS(SN_B2), N, f, e, 0.0f);
    sn_swiglu_forward(la->g, la->h1, la->h2, (size_t)N * f);
    memcpy(xout, la->xmid, sizeof(float) * (size_t)N * e);
    sn_linear_forward(xout, e, la->g, f, P(SN_W3), F, BIAS(SN_B3), N, e, f, 1.0f);
#undef P
#undef BIAS
}

int sn_forward(sn_model *m, const sn_dims *d, const int32_t *tokens, const int32_t *targets, int B, int T,
               float *loss, hw_err *e)
{
    sn_arena *A = m->arena;
    const sn_config *c = &m->cfg;
    if (!A) return hw_fail(e, HW_ESTATE, "supernet: forward without an arena (sn_model_alloc_arena)");
    if (B < 1 || T < 1 || B > A->B || T > A->T)
        return hw_fail(e, HW_ERANGE, "supernet: batch %d x %d exceeds the arena's %d x %d", B, T, A->B, A->T);
    if (d->n_layer < 1 || d->n_layer > c->max_layers || d->embed < 1 || d->embed > c->max_embed)
        return hw_fail(e, HW_EINVAL, "supernet: sub-network (%d layers, embed %d) does not fit", d->n_layer, d->embed);
    for (int l = 0; l < d->n_layer; l++)
        if (d->n_head[l] < 1 || d->n_head[l] > c->max_heads || d->hidden[l] < 1 ||
            d->hidden[l] > c->max_mlp_ratio * c->max_embed)
            return hw_fail(e, HW_EINVAL, "supernet: layer %d (%d heads, hidden %d) does not fit", l, d->n_head[l],
                           d->hidden[l]);
    int N = B * T;
    for (int n = 0; n < N; n++) {
        if (tokens[n] < 0 || tokens[n] >= c->vocab || (targets && (targets[n] < 0 || targets[n] >= c->vocab)))
            return hw_fail(e, HW_ERANGE, "supernet: token %d at position %d outside the vocabulary 0..%d",
                           targets && (targets[n] < 0 || targets[n] >= c->vocab) ? targets[n] : tokens[n], n,
                           c->vocab - 1);
    }
    A->d = *d;
    A->fB = B;
    A->fT = T;
    A->has_targets = targets != NULL;
    arena_layout(A, c, d, B, T);
    sn_rope_tables(A->cos_t, A->sin_t, T, A->rot);
    memcpy(A->tokens, tokens, sizeof(int32_t) * (size_t)N);
    if (targets) memcpy(A->targets, targets, sizeof(int32_t) * (size_t)N);

    sn_embed_forward(A->x[0], tokens, sn_param(m, -1, SN_WTE), c->max_embed, N, d->embed);
    for (int l = 0; l < d->n_layer; l++) block_forward(m, A, l, N, B, T);
    sn_layernorm_forward(A->lnf, A->lnf_mean, A->lnf_rstd, A->x[d->n_layer], sn_param(m, -1, SN_LNFW),
                         sn_param(m, -1, SN_LNFB), N, d->embed);
    sn_linear_forward(A->logits, c->vocab, A->lnf, d->embed, sn_param(m, -1, SN_LMHEAD), c->max_embed, NULL, N,
                      c->vocab, d->embed, 0.0f);
    if (targets) {
        double mean = sn_crossentropy_forward(A->losses, A->logits, targets, N, c->vocab);
        if (loss) *loss = (float)mean;
    }
    return HW_OK;
}

/* ---- backward ----------------------------------------------------------- */

/* dres holds d(loss)/d(x[l+1]) on entry and d(loss)/d(x[l]) on exit. */
static void block_backward(sn_model *m, sn_arena *A, int l, int N, int B, int T)
{
    const sn_config *c = &m->cfg;
    const sn_dims *d = &A->d;
    layer_acts *la = &A->L[l];
    int E = c->max_embed, e = d->embed, hs = c->head_size, h = d->n_head[l], a = hs * h, f = d->hidden[l];
    int Awidth = c->head_size * c->max_heads, F = c->max_mlp_ratio * c->max_embed;
    float *dres = A->dres, *dln = A->dln;
#define P(t) sn_param(m, l, t)
#define G(t) sn_grad(m, l, t)
#define GB(t) (d->bias ? G(t) : NULL)
    /* MLP: x[l+1] = xmid + g W3^T + b3 */
    sn_linear_backward(A->dg, f, 0.0f, G(SN_W3), F, GB(SN_B3), dres, e, la->g, P(SN_W3), N, e, f);
    sn_swiglu_backward(A->dh1, A->dh2, A->dg, la->h1, la->h2, (size_t)N * f);
    sn_linear_backward(dln, e, 0.0f, G(SN_W1), E, GB(SN_B1), A->dh1, f, la->ln2, P(SN_W1), N, f, e);
    sn_linear_backward(dln, e, 1.0f, G(SN_W2), E, GB(SN_B2), A->dh2, f, la->ln2, P(SN_W2), N, f, e);
    sn_layernorm_backward(dres, G(SN_LN2W), G(SN_LN2B), dln, la->xmid, P(SN_LN2W), la->ln2_mean, la->ln2_rstd, N, e);
    /* attention: xmid = x[l] + y Wo^T + bo */
    sn_linear_backward(A->dy, a, 0.0f, G(SN_WO), Awidth, GB(SN_BO), dres, e, la->y, P(SN_WO), N, e, a);
    sn_attention_backward(A->dq, A->dk, A->dv, A->datt, A->att_slots, A->dy, la->att, la->q, la->k, la->v, a, B, T, h,
                          hs);
    sn_rope_apply(A->dq, a, A->cos_t, A->sin_t, N, T, h, hs, A->rot, -1);
    sn_rope_apply(A->dk, a, A->cos_t, A->sin_t, N, T, h, hs, A->rot, -1);
    sn_linear_backward(dln, e, 0.0f, G(SN_WQ), E, GB(SN_BQ), A->dq, a, la->ln1, P(SN_WQ), N, a, e);
    sn_linear_backward(dln, e, 1.0f, G(SN_WK), E, GB(SN_BK), A->dk, a, la->ln1, P(SN_WK), N, a, e);
    sn_linear_backward(dln, e, 1.0f, G(SN_WV), E, GB(SN_BV), A->dv, a, la->ln1, P(SN_WV), N, a, e);
    sn_layernorm_backward(dres, G(SN_LN1W), G(SN_LN1B), dln, A->x[l], P(SN_LN1W), la->ln1_mean, la->ln1_rstd, N, e);
#undef P
#undef G
#undef GB
}

int sn_backward(sn_model *m, float scale, hw_err *e)
{
    sn_arena *A = m->arena;
    const sn_config *c = &m->cfg;
    if (!m->grads) return hw_fail(e, HW_ESTATE, "supernet: backward without gradients (sn_model_alloc_grads)");
    if (!A || !A->with_backward) return hw_fail(e, HW_ESTATE, "supernet: backward needs an arena kept for backward");
    if (!A->has_targets || A->fB == 0) return hw_fail(e, HW_ESTATE, "supernet: backward without a forward with targets");
    int B = A->fB, T = A->fT, N = B * T, ed = A->d.embed;
    /* Consumes the logits: they become dlogits. */
    sn_crossentropy_backward(A->logits, A->targets, N, c->vocab, scale / (float)N);
    memset(A->dres, 0, sizeof(float) * (size_t)N * ed);
    sn_linear_backward(A->dln, ed, 0.0f, sn_grad(m, -1, SN_LMHEAD), c->max_embed, NULL, A->logits, c->vocab, A->lnf,
                       sn_param(m, -1, SN_LMHEAD), N, c->vocab, ed);
    sn_layernorm_backward(A->dres, sn_grad(m, -1, SN_LNFW), sn_grad(m, -1, SN_LNFB), A->dln, A->x[A->d.n_layer],
                          sn_param(m, -1, SN_LNFW), A->lnf_mean, A->lnf_rstd, N, ed);
    for (int l = A->d.n_layer - 1; l >= 0; l--) block_backward(m, A, l, N, B, T);
    sn_embed_backward(sn_grad(m, -1, SN_WTE), c->max_embed, A->dres, A->tokens, N, ed);
    A->has_targets = 0; /* the logits are gone: one backward per forward */
    return HW_OK;
}
