/* tests/test_supernet.c — the CPU supernet against an independent
 * double-precision reference written here: gradients against central finite
 * differences of the reference loss, sliced logits against a dense model
 * built from copied weights, parameter counts against space/analytic.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_vector.h>

#include "check.h"
#include "core/rng.h"
#include "space/analytic.h"
#include "space/space.h"
#include "supernet/supernet.h"

/* ---- a small supernet with random (not tiny) weights -------------------- */

static sn_config small_config(void)
{
    sn_config c = {0};
    c.vocab = 11;
    c.max_embed = 16;
    c.max_layers = 2;
    c.max_heads = 2;
    c.max_mlp_ratio = 3;
    c.head_size = 8;
    c.block_size = 6;
    c.rotary_frac = 0.5f;
    c.scale = HW_SCALE_XXS;
    return c;
}

/* Weights large enough that every path of the network matters. */
static void randomise(sn_model *m, uint64_t seed)
{
    hw_rng r;
    hw_rng_seed(&r, seed, 77);
    for (int l = -1; l < m->cfg.max_layers; l++) {
        int nt = l < 0 ? SN_N_GLOBAL_TENSORS : SN_N_LAYER_TENSORS, rows, cols;
        for (int t = 0; t < nt; t++) {
            sn_tensor_shape(&m->cfg, l, t, &rows, &cols);
            float *p = sn_param(m, l, t);
            int is_norm_w = l < 0 ? t == SN_LNFW : (t == SN_LN1W || t == SN_LN2W);
            double sd = sn_tensor_is_matrix(l, t) ? 0.4 : 0.2;
            for (int i = 0; i < rows * cols; i++) p[i] = (float)((is_norm_w ? 1.0 : 0.0) + sd * hw_rng_normal(&r));
        }
    }
}

static void random_tokens(int32_t *x, int n, int V, uint64_t seed)
{
    hw_rng r;
    hw_rng_seed(&r, seed, 78);
    for (int i = 0; i < n; i++) x[i] = (int32_t)hw_rng_below(&r, (uint32_t)V);
}

/* A sub-network using part of every dimension, with per-layer differences. */
static sn_dims sliced_dims(int bias)
{
    sn_dims d;
    memset(&d, 0, sizeof d);
    d.embed = 12;
    d.n_layer = 2;
    d.bias = bias;
    d.n_head[0] = 1; d.hidden[0] = 2 * 12;
    d.n_head[1] = 2; d.hidden[1] = 3 * 12;
    return d;
}

/* ---- the double-precision reference forward ----------------------------- */

typedef struct {
    const sn_model *m;
    const double *p; /* the supernet's parameters in double, same layout */
} ref_net;

static const double *rp(const ref_net *r, int layer, int t)
{
    return r->p + (layer < 0 ? r->m->off_global[t] : r->m->off_layer[layer][t]);
}

static void ref_layernorm(double *out, const double *x, const double *w, const double *b, int N, int e)
{
    for (int n = 0; n < N; n++) {
        double mean = 0, var = 0;
        for (int j = 0; j < e; j++) mean += x[n * e + j];
        mean /= e;
        for (int j = 0; j < e; j++) var += (x[n * e + j] - mean) * (x[n * e + j] - mean);
        var /= e;
        for (int j = 0; j < e; j++) out[n * e + j] = (x[n * e + j] - mean) / sqrt(var + 1e-5) * w[j] + b[j];
    }
}

/* out (N, n_out) = x (N, n_in) W^T + b, W with row stride ldw. */
static void ref_linear(double *out, const double *x, const double *W, int ldw, const double *b, int N, int n_out,
                       int n_in)
{
    for (int n = 0; n < N; n++)
        for (int o = 0; o < n_out; o++) {
            double s = b ? b[o] : 0.0;
            for (int i = 0; i < n_in; i++) s += x[n * n_in + i] * W[o * ldw + i];
            out[n * n_out + o] = s;
        }
}

static void ref_rope(double *x, int N, int T, int n_head, int hs, int rot)
{
    int half = rot / 2;
    for (int n = 0; n < N; n++)
        for (int h = 0; h < n_head; h++) {
            double *v = x + n * n_head * hs + h * hs;
            for (int i = 0; i < half; i++) {
                double ang = (n % T) * pow(10000.0, -2.0 * i / rot);
                double a = v[i], b = v[i + half];
                v[i] = a * cos(ang) - b * sin(ang);
                v[i + half] = b * cos(ang) + a * sin(ang);
            }
        }
}

/* Mean cross-entropy of sub-network d; logits (N, V) written if non-NULL. */
static double ref_forward(const ref_net *r, const sn_dims *d, const int32_t *tok, const int32_t *tgt, int B, int T,
                          double *logits_out)
{
    const sn_config *c = &r->m->cfg;
    int N = B * T, E = c->max_embed, e = d->embed, hs = c->head_size, V = c->vocab;
    int Aw = hs * c->max_heads, F = c->max_mlp_ratio * E, rot = (int)(c->rotary_frac * hs) / 2 * 2;
    double *x = calloc((size_t)N * e, sizeof *x), *n1 = calloc((size_t)N * e, sizeof *x);
    size_t big = (size_t)N * (size_t)(hs * c->max_heads + F + V + e);
    double *q = calloc(big, sizeof *x), *k = calloc(big, sizeof *x), *v = calloc(big, sizeof *x),
           *y = calloc(big, sizeof *x), *h1 = calloc(big, sizeof *x), *h2 = calloc(big, sizeof *x),
           *t1 = calloc(big, sizeof *x);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < e; j++) x[n * e + j] = rp(r, -1, SN_WTE)[tok[n] * E + j];
    for (int l = 0; l < d->n_layer; l++) {
        int h = d->n_head[l], a = hs * h, f = d->hidden[l];
        ref_layernorm(n1, x, rp(r, l, SN_LN1W), rp(r, l, SN_LN1B), N, e);
        ref_linear(q, n1, rp(r, l, SN_WQ), E, d->bias ? rp(r, l, SN_BQ) : NULL, N, a, e);
        ref_linear(k, n1, rp(r, l, SN_WK), E, d->bias ? rp(r, l, SN_BK) : NULL, N, a, e);
        ref_linear(v, n1, rp(r, l, SN_WV), E, d->bias ? rp(r, l, SN_BV) : NULL, N, a, e);
        ref_rope(q, N, T, h, hs, rot);
        ref_rope(k, N, T, h, hs, rot);
        for (int b = 0; b < B; b++)
            for (int hh = 0; hh < h; hh++)
                for (int i = 0; i < T; i++) {
                    double s[512], mx = -1e300, z = 0;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int u = 0; u < hs; u++)
                            dot += q[(b * T + i) * a + hh * hs + u] * k[(b * T + j) * a + hh * hs + u];
                        s[j] = dot / sqrt((double)hs);
                        mx = s[j] > mx ? s[j] : mx;
                    }
                    for (int j = 0; j <= i; j++) { s[j] = exp(s[j] - mx); z += s[j]; }
                    for (int u = 0; u < hs; u++) {
                        double acc = 0;
                        for (int j = 0; j <= i; j++) acc += s[j] / z * v[(b * T + j) * a + hh * hs + u];
                        y[(b * T + i) * a + hh * hs + u] = acc;
                    }
                }
        ref_linear(t1, y, rp(r, l, SN_WO), Aw, d->bias ? rp(r, l, SN_BO) : NULL, N, e, a);
        for (int i = 0; i < N * e; i++) x[i] += t1[i];
        ref_layernorm(n1, x, rp(r, l, SN_LN2W), rp(r, l, SN_LN2B), N, e);
        ref_linear(h1, n1, rp(r, l, SN_W1), E, d->bias ? rp(r, l, SN_B1) : NULL, N, f, e);
        ref_linear(h2, n1, rp(r, l, SN_W2), E, d->bias ? rp(r, l, SN_B2) : NULL, N, f, e);
        for (int i = 0; i < N * f; i++) h1[i] = h1[i] / (1.0 + exp(-h1[i])) * h2[i];
        ref_linear(t1, h1, rp(r, l, SN_W3), F, d->bias ? rp(r, l, SN_B3) : NULL, N, e, f);
        for (int i = 0; i < N * e; i++) x[i] += t1[i];
    }
    ref_layernorm(n1, x, rp(r, -1, SN_LNFW), rp(r, -1, SN_LNFB), N, e);
    ref_linear(t1, n1, rp(r, -1, SN_LMHEAD), E, NULL, N, V, e);
    double loss = 0;
    for (int n = 0; n < N; n++) {
        double mx = -1e300, z = 0;
        for (int j = 0; j < V; j++) mx = t1[n * V + j] > mx ? t1[n * V + j] : mx;
        for (int j = 0; j < V; j++) z += exp(t1[n * V + j] - mx);
        if (tgt) loss += log(z) + mx - t1[n * V + tgt[n]];
    }
    if (logits_out) memcpy(logits_out, t1, sizeof(double) * (size_t)N * V);
    free(x); free(n1); free(q); free(k); free(v); free(y); free(h1); free(h2); free(t1);
    return loss / N;
}

static double *params_to_double(const sn_model *m)
{
    double *p = malloc(sizeof(double) * m->n_params);
    for (size_t i = 0; i < m->n_params; i++) p[i] = m->params[i];
    return p;
}

/* ---- gradients ---------------------------------------------------------- */

/* Every tensor the slice uses: float backward vs central differences of the
 * double reference, on up to 6 entries per tensor; entries outside the slice
 * must get exactly zero gradient. */
static void check_gradients(int bias, int B, int T)
{
    sn_config c = small_config();
    c.block_size = T;
    sn_model m;
    hw_err e = {0};
    CHECK_OK(sn_model_init(&m, &c, 5, &e));
    randomise(&m, 11);
    CHECK_OK(sn_model_alloc_grads(&m, &e));
    int N = B * T;
    CHECK_OK(sn_model_alloc_arena(&m, B, T, 1, &e));
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)N), *tgt = malloc(sizeof(int32_t) * (size_t)N);
    random_tokens(tok, N, c.vocab, 1);
    random_tokens(tgt, N, c.vocab, 2);
    sn_dims d = sliced_dims(bias);
    float loss;
    CHECK_OK(sn_forward(&m, &d, tok, tgt, B, T, &loss, &e));
    CHECK_OK(sn_backward(&m, 1.0f, &e));
    double *p = params_to_double(&m);
    ref_net r = {&m, p};
    double ref_loss = ref_forward(&r, &d, tok, tgt, B, T, NULL);
    CHECK_REL(loss, ref_loss, 1e-5);
    int checked = 0;
    for (int l = -1; l < c.max_layers; l++) {
        int nt = l < 0 ? SN_N_GLOBAL_TENSORS : SN_N_LAYER_TENSORS;
        for (int t = 0; t < nt; t++) {
            int fr, fc, sr, sc;
            sn_tensor_shape(&c, l, t, &fr, &fc);
            sn_tensor_slice(&c, &d, l, t, &sr, &sc);
            size_t off = l < 0 ? m.off_global[t] : m.off_layer[l][t];
            /* outside the slice: exactly zero */
            int outside_nonzero = 0;
            for (int i = 0; i < fr; i++)
                for (int j = 0; j < fc; j++)
                    if ((i >= sr || j >= sc) && m.grads[off + (size_t)i * fc + j] != 0.0f) outside_nonzero++;
            CHECK_MSG(outside_nonzero == 0, "layer %d %s: %d gradients outside the slice", l, sn_tensor_name(l, t),
                      outside_nonzero);
            if (sr * sc == 0) continue;
            double gmax = 0, errmax = 0;
            for (int s = 0; s < 6; s++) {
                int i = (s * 7 + 3) % sr, j = (s * 5 + 1) % sc;
                size_t at = off + (size_t)i * fc + j;
                double keep = p[at], h = 1e-5;
                p[at] = keep + h;
                double lp = ref_forward(&r, &d, tok, tgt, B, T, NULL);
                p[at] = keep - h;
                double lm = ref_forward(&r, &d, tok, tgt, B, T, NULL);
                p[at] = keep;
                double fd = (lp - lm) / (2 * h), g = m.grads[at];
                gmax = fmax(gmax, fabs(fd));
                errmax = fmax(errmax, fabs(fd - g));
            }
            CHECK_MSG(gmax > 1e-6, "layer %d %s: finite differences all ~0 (%g): the check would be vacuous", l,
                      sn_tensor_name(l, t), gmax);
            CHECK_MSG(errmax <= 1e-3 * gmax + 1e-6, "layer %d %s: gradient error %g (largest gradient %g)", l,
                      sn_tensor_name(l, t), errmax, gmax);
            checked++;
        }
    }
    CHECK_EQ_INT(checked, SN_N_GLOBAL_TENSORS + 2 * (bias ? SN_N_LAYER_TENSORS : SN_N_LAYER_TENSORS - 7));
    free(p);
    free(tok);
    free(tgt);
    sn_model_free(&m);
}

/* This program links OpenBLAS (the supernet's matrix products), which also
 * exports cblas_*: GSL must still bind to its own reference CBLAS, or every
 * GSL result (the Bayesian optimizers' GPs) would change with the BLAS build
 * and the CPU.  GSL's reference ddot sums in index order, so it equals the
 * plain loop bit for bit; OpenBLAS's vectorised ddot sums in another order. */
TEST(gsl_keeps_its_reference_cblas_next_to_openblas)
{
    enum { N = 1001 };
    gsl_vector *x = gsl_vector_alloc(N), *y = gsl_vector_alloc(N);
    hw_rng r;
    hw_rng_seed(&r, 5, 1);
    double plain = 0;
    for (int i = 0; i < N; i++) {
        double a = hw_rng_normal(&r) * 1e3, b = hw_rng_normal(&r);
        gsl_vector_set(x, i, a);
        gsl_vector_set(y, i, b);
        plain += a * b;
    }
    double got = 0;
    CHECK(gsl_blas_ddot(x, y, &got) == 0);
    CHECK_MSG(got == plain, "gsl_blas_ddot %.17g, index-order sum %.17g: GSL is bound to another CBLAS", got, plain);
    gsl_vector_free(x);
    gsl_vector_free(y);
}

TEST(gradients_match_finite_differences_with_bias) { check_gradients(1, 2, 6); }

TEST(gradients_match_finite_differences_without_bias) { check_gradients(0, 2, 6); }

/* Longer than one 128-row attention block: the blocked causal kernels. */
TEST(gradients_match_finite_differences_long_sequence) { check_gradients(1, 1, 300); }

/* Backward adds: two backward passes of the same forward give twice the
 * gradient, and the scale argument scales it. */
TEST(backward_accumulates_and_scales)
{
    sn_config c = small_config();
    sn_model m;
    hw_err e = {0};
    CHECK_OK(sn_model_init(&m, &c, 5, &e));
    randomise(&m, 12);
    CHECK_OK(sn_model_alloc_grads(&m, &e));
    CHECK_OK(sn_model_alloc_arena(&m, 1, 6, 1, &e));
    int32_t tok[6], tgt[6];
    random_tokens(tok, 6, c.vocab, 3);
    random_tokens(tgt, 6, c.vocab, 4);
    sn_dims d = sliced_dims(1);
    CHECK_OK(sn_forward(&m, &d, tok, tgt, 1, 6, NULL, &e));
    CHECK_OK(sn_backward(&m, 1.0f, &e));
    CHECK(sn_backward(&m, 1.0f, &e) == HW_ESTATE); /* the logits were consumed */
    float *g1 = malloc(sizeof(float) * m.n_params);
    memcpy(g1, m.grads, sizeof(float) * m.n_params);
    CHECK_OK(sn_forward(&m, &d, tok, tgt, 1, 6, NULL, &e));
    CHECK_OK(sn_backward(&m, 0.5f, &e));
    double worst = 0, gmax = 0;
    for (size_t i = 0; i < m.n_params; i++) {
        worst = fmax(worst, fabs(m.grads[i] - 1.5 * g1[i]));
        gmax = fmax(gmax, fabs(g1[i]));
    }
    CHECK(gmax > 0);
    CHECK(worst <= 1e-5 * gmax);
    free(g1);
    sn_model_free(&m);
}

/* ---- slices ------------------------------------------------------------- */

static double max_rel_diff(const float *a, const double *b, size_t n)
{
    double diff = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        diff = fmax(diff, fabs(a[i] - b[i]));
        scale = fmax(scale, fabs(b[i]));
    }
    return diff / scale;
}

/* A slice with different heads and hidden widths per layer gives the logits
 * of the double reference (which reads the slice with its own indexing). */
TEST(sliced_logits_match_reference)
{
    sn_config c = small_config();
    sn_model m;
    hw_err e = {0};
    CHECK_OK(sn_model_init(&m, &c, 6, &e));
    randomise(&m, 13);
    CHECK_OK(sn_model_alloc_arena(&m, 2, 6, 0, &e));
    int32_t tok[12];
    random_tokens(tok, 12, c.vocab, 5);
    for (int bias = 0; bias < 2; bias++) {
        sn_dims d = sliced_dims(bias);
        CHECK_OK(sn_forward(&m, &d, tok, NULL, 2, 6, NULL, &e));
        double *p = params_to_double(&m), *ref = malloc(sizeof(double) * 12 * (size_t)c.vocab);
        ref_net r = {&m, p};
        ref_forward(&r, &d, tok, NULL, 2, 6, ref);
        double rel = max_rel_diff(sn_logits(&m), ref, 12 * (size_t)c.vocab);
        CHECK_MSG(rel <= 1e-5, "bias %d: logits differ from the reference by %g (relative)", bias, rel);
        free(p);
        free(ref);
    }
    sn_model_free(&m);
}

/* A sub-network run as a slice of the supernet equals a dense model of its
 * own size built separately, with the slice's weights copied into it. */
TEST(sliced_logits_match_dense_copy)
{
    const hw_space *sp = hw_space_get(HW_SCALE_XS);
    sn_config c;
    sn_config_from_space(sp, 256, 0.5f, &c);
    sn_model super;
    hw_err e = {0};
    CHECK_OK(sn_model_init(&super, &c, 7, &e));
    randomise(&super, 14);
    /* the middle choice of every dimension */
    hw_arch a;
    memset(&a, 0, sizeof a);
    a.scale = HW_SCALE_XS;
    a.embed_dim = sp->embed[1];
    a.n_layer = sp->layers[1];
    a.bias = 1;
    for (int i = 0; i < a.n_layer; i++) { a.mlp_ratio[i] = sp->mlp[1]; a.n_head[i] = sp->heads[1]; }
    sn_dims d;
    CHECK_OK(sn_dims_from_arch(&c, &a, &d, &e));
    sn_config dc = c;
    dc.max_embed = a.embed_dim;
    dc.max_layers = a.n_layer;
    dc.max_heads = a.n_head[0];
    dc.max_mlp_ratio = a.mlp_ratio[0];
    sn_model dense;
    CHECK_OK(sn_model_init(&dense, &dc, 99, &e));
    for (int l = -1; l < dc.max_layers; l++) {
        int nt = l < 0 ? SN_N_GLOBAL_TENSORS : SN_N_LAYER_TENSORS;
        for (int t = 0; t < nt; t++) {
            int fr, fc, sr, sc, dr, dcol;
            sn_tensor_shape(&c, l, t, &fr, &fc);
            sn_tensor_slice(&c, &d, l, t, &sr, &sc);
            sn_tensor_shape(&dc, l, t, &dr, &dcol);
            CHECK(sr == dr && sc == dcol);
            for (int i = 0; i < sr; i++)
                for (int j = 0; j < sc; j++)
                    sn_param(&dense, l, t)[(size_t)i * dcol + j] = sn_param(&super, l, t)[(size_t)i * fc + j];
        }
    }
    CHECK_EQ_INT(dense.n_params, sn_dims_params(&c, &d));
    int B = 2, T = 40, N = B * T;
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)N);
    random_tokens(tok, N, 256, 6);
    CHECK_OK(sn_model_alloc_arena(&super, B, T, 0, &e));
    CHECK_OK(sn_model_alloc_arena(&dense, B, T, 0, &e));
    CHECK_OK(sn_forward(&super, &d, tok, NULL, B, T, NULL, &e));
    sn_dims dd;
    sn_dims_full(&dc, &dd);
    CHECK_OK(sn_forward(&dense, &dd, tok, NULL, B, T, NULL, &e));
    const float *ls = sn_logits(&super), *ld = sn_logits(&dense);
    double diff = 0, scale = 0;
    for (size_t i = 0; i < (size_t)N * 256; i++) {
        diff = fmax(diff, fabs(ls[i] - ld[i]));
        scale = fmax(scale, fabs(ld[i]));
    }
    CHECK(scale > 0.1);
    CHECK_MSG(diff <= 1e-5 * scale, "slice vs dense copy: max difference %g, largest logit %g", diff, scale);
    free(tok);
    sn_model_free(&super);
    sn_model_free(&dense);
}

/* ---- parameter counts --------------------------------------------------- */

TEST(sliced_params_equal_analytic)
{
    hw_rng r;
    hw_rng_seed(&r, 2024, 1);
    hw_err e = {0};
    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        const hw_space *sp = hw_space_get(i % HW_N_SCALES);
        sn_config c;
        sn_config_from_space(sp, HW_ANALYTIC_VOCAB, 0.25f, &c);
        hw_arch a;
        hw_arch_sample(sp, &r, &a);
        sn_dims d;
        CHECK_OK(sn_dims_from_arch(&c, &a, &d, &e));
        if (sn_dims_params(&c, &d) != hw_analytic_params(&a)) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    /* the largest s architecture is the whole supernet */
    sn_config c;
    sn_config_from_space(hw_space_get(HW_SCALE_S), HW_ANALYTIC_VOCAB, 0.25f, &c);
    hw_arch lo, hi;
    hw_analytic_extreme_archs(hw_space_get(HW_SCALE_S), &lo, &hi);
    CHECK_EQ_INT(sn_config_params(&c), hw_analytic_params(&hi));
}

TEST(small_spaces_round_trip)
{
    hw_rng r;
    hw_rng_seed(&r, 3, 1);
    hw_err e = {0};
    for (int s = HW_SCALE_XS; s <= HW_SCALE_XXS; s++) {
        const hw_space *sp = hw_space_get(s);
        CHECK(sp && hw_space_by_name(sp->name) == sp);
        for (int i = 0; i < 200; i++) {
            hw_arch a, b;
            hw_arch_sample(sp, &r, &a);
            char buf[HW_ARCH_STRLEN];
            hw_arch_format(&a, buf, sizeof buf);
            CHECK(strncmp(buf, s == HW_SCALE_XS ? "gpt-xs-" : "gpt-xxs-", s == HW_SCALE_XS ? 7 : 8) == 0);
            CHECK_OK(hw_arch_parse(buf, sp, &b, &e));
            CHECK(memcmp(&a, &b, sizeof a) == 0);
        }
    }
    /* the small spaces are not HW-GPT-Bench scales: no surrogate lookups */
    const hw_space *sp;
    CHECK(hw_space_lookup("xs", &sp, &e) == HW_EINVAL);
    int want[HW_N_SCALES];
    CHECK(hw_scale_list_parse("s,xs", want, &e) == HW_EINVAL);
    /* xs's largest sub-network: a few million parameters at V = 256 */
    sn_config c;
    sn_config_from_space(hw_space_get(HW_SCALE_XS), 256, 0.5f, &c);
    int64_t n = sn_config_params(&c);
    CHECK(n > 2000000 && n < 8000000);
}

/* ---- bad input ---------------------------------------------------------- */

TEST(bad_input_is_refused)
{
    sn_config c = small_config();
    sn_model m;
    hw_err e = {0};
    CHECK_OK(sn_model_init(&m, &c, 1, &e));
    sn_dims d = sliced_dims(1);
    int32_t tok[6] = {0, 1, 2, 3, 4, 11}, tgt[6] = {0};
    CHECK(sn_forward(&m, &d, tok, NULL, 1, 6, NULL, &e) == HW_ESTATE);
    CHECK(sn_model_alloc_arena(&m, 1, 7, 0, &e) == HW_ERANGE);
    CHECK_OK(sn_model_alloc_arena(&m, 1, 6, 0, &e));
    CHECK(sn_forward(&m, &d, tok, NULL, 1, 6, NULL, &e) == HW_ERANGE);
    CHECK(strstr(e.msg, "token 11") != NULL);
    tok[5] = 3;
    CHECK(sn_forward(&m, &d, tok, NULL, 2, 6, NULL, &e) == HW_ERANGE);
    d.n_head[1] = 3;
    CHECK(sn_forward(&m, &d, tok, NULL, 1, 6, NULL, &e) == HW_EINVAL);
    d = sliced_dims(1);
    CHECK_OK(sn_forward(&m, &d, tok, tgt, 1, 6, NULL, &e));
    CHECK(sn_backward(&m, 1.0f, &e) == HW_ESTATE); /* no gradients */
    CHECK_OK(sn_model_alloc_grads(&m, &e));
    CHECK(sn_backward(&m, 1.0f, &e) == HW_ESTATE); /* arena not kept for backward */
    hw_arch a;
    hw_arch_sample(hw_space_get(HW_SCALE_S), &(hw_rng){1, 1}, &a);
    CHECK(sn_dims_from_arch(&c, &a, &d, &e) == HW_EINVAL);
    sn_config bad = c;
    bad.rotary_frac = 2.0f;
    sn_model m2;
    CHECK(sn_model_init(&m2, &bad, 1, &e) == HW_ERANGE);
    sn_model_free(&m);
}

/* ---- training, checkpoints ---------------------------------------------- */

#include "supernet/train.h"

/* A small text file (about 20 kB of words) for the training tests. */
static const char *write_corpus(char *path, size_t n)
{
    snprintf(path, n, "%s/test_supernet_corpus_%d.txt", hwt_bin_dir(), (int)getpid());
    FILE *f = fopen(path, "w");
    static const char *const W[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "runs",
                                    "away", "from", "a", "big", "red", "barn", ".", ",", "\n"};
    hw_rng r;
    hw_rng_seed(&r, 9, 1);
    for (int i = 0; i < 4000; i++) fprintf(f, "%s ", W[hw_rng_below(&r, 19)]);
    fclose(f);
    return path;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)len + 1);
    *n = fread(p, 1, (size_t)len, f);
    fclose(f);
    return p;
}

static int files_equal(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *pa = slurp(a, &na), *pb = slurp(b, &nb);
    int eq = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
    free(pa);
    free(pb);
    return eq;
}

static void train_to(const char *corpus_path, uint64_t seed, int steps, int stop, const char *out)
{
    hw_err e = {0};
    sn_corpus c;
    CHECK_OK(sn_corpus_load(corpus_path, &c, &e));
    sn_train_opts o;
    sn_train_opts_default(&o, HW_SCALE_XXS, steps);
    o.batch = 2;
    o.seed = seed;
    sn_trainer t;
    CHECK_OK(sn_trainer_init(&t, &o, corpus_path, &c, &e));
    for (int s = 0; s < stop; s++) CHECK_OK(sn_trainer_step(&t, &c, &e));
    CHECK(isfinite(t.last_loss) && t.last_loss > 0);
    CHECK_OK(sn_checkpoint_save(&t, out, &e));
    sn_trainer_free(&t);
    sn_corpus_free(&c);
}

TEST(same_seed_same_checkpoint_bytes)
{
    char corpus[4096], a[4200], b[4200], c[4200];
    write_corpus(corpus, sizeof corpus);
    snprintf(a, sizeof a, "%s.a.ckpt", corpus);
    snprintf(b, sizeof b, "%s.b.ckpt", corpus);
    snprintf(c, sizeof c, "%s.c.ckpt", corpus);
    train_to(corpus, 3, 4, 4, a);
    train_to(corpus, 3, 4, 4, b);
    train_to(corpus, 4, 4, 4, c);
    CHECK(files_equal(a, b));
    CHECK(!files_equal(a, c)); /* the seed matters: the comparison can fail */
    remove(a); remove(b); remove(c); remove(corpus);
}

TEST(resume_is_bit_for_bit)
{
    char corpus[4096], full[4200], half[4200], resumed[4200];
    write_corpus(corpus, sizeof corpus);
    snprintf(full, sizeof full, "%s.full.ckpt", corpus);
    snprintf(half, sizeof half, "%s.half.ckpt", corpus);
    snprintf(resumed, sizeof resumed, "%s.resumed.ckpt", corpus);
    train_to(corpus, 5, 6, 6, full);
    train_to(corpus, 5, 6, 3, half);
    hw_err e = {0};
    sn_trainer t;
    CHECK_OK(sn_checkpoint_load(&t, half, 1, &e));
    CHECK_EQ_INT(t.step, 3);
    sn_corpus c;
    CHECK_OK(sn_corpus_load(t.corpus_spec, &c, &e));
    for (int s = 0; s < 3; s++) CHECK_OK(sn_trainer_step(&t, &c, &e));
    CHECK_OK(sn_checkpoint_save(&t, resumed, &e));
    sn_trainer_free(&t);
    sn_corpus_free(&c);
    CHECK(files_equal(full, resumed));
    CHECK(!files_equal(full, half));
    remove(full); remove(half); remove(resumed); remove(corpus);
}

TEST(corrupt_checkpoints_are_refused)
{
    char corpus[4096], ck[4200], bad[4200];
    write_corpus(corpus, sizeof corpus);
    snprintf(ck, sizeof ck, "%s.ckpt", corpus);
    snprintf(bad, sizeof bad, "%s.bad.ckpt", corpus);
    train_to(corpus, 1, 2, 1, ck);
    size_t n = 0;
    char *p = slurp(ck, &n);
    CHECK(p && n > 1000);
    hw_err e = {0};
    sn_trainer t;
    /* one flipped bit in the weights */
    p[n / 2] ^= 1;
    FILE *f = fopen(bad, "wb");
    fwrite(p, 1, n, f);
    fclose(f);
    CHECK(sn_checkpoint_load(&t, bad, 0, &e) == HW_EPARSE);
    CHECK(strstr(e.msg, "checksum") != NULL);
    p[n / 2] ^= 1;
    /* truncated */
    f = fopen(bad, "wb");
    fwrite(p, 1, n - 100, f);
    fclose(f);
    CHECK(sn_checkpoint_load(&t, bad, 0, &e) == HW_EPARSE);
    /* another version */
    p[8] = 9;
    f = fopen(bad, "wb");
    fwrite(p, 1, n, f);
    fclose(f);
    CHECK(sn_checkpoint_load(&t, bad, 0, &e) == HW_EPARSE);
    CHECK(strstr(e.msg, "version 9") != NULL);
    CHECK(sn_checkpoint_load(&t, "/nonexistent/x.ckpt", 0, &e) == HW_EIO);
    /* the intact file loads, weights only and for resuming */
    CHECK_OK(sn_checkpoint_load(&t, ck, 0, &e));
    CHECK(t.adam_m == NULL && t.step == 1);
    sn_trainer_free(&t);
    CHECK_OK(sn_checkpoint_load(&t, ck, 1, &e));
    sn_trainer_free(&t);
    free(p);
    remove(ck); remove(bad); remove(corpus);
}

TEST(learning_rate_schedule)
{
    sn_train_opts o;
    sn_train_opts_default(&o, HW_SCALE_XS, 100);
    o.warmup = 10;
    o.lr = 1e-3f;
    CHECK_REL(sn_lr_at(&o, 0), 1e-4, 1e-6);
    CHECK_REL(sn_lr_at(&o, 9), 1e-3, 1e-6);
    CHECK_REL(sn_lr_at(&o, 55), 0.1e-3 + 0.45e-3, 1e-6); /* half-way through the cosine */
    CHECK_REL(sn_lr_at(&o, 100), 1e-4, 1e-6);
    CHECK(sn_lr_at(&o, 30) > sn_lr_at(&o, 31));
}

/* ---- fine-tuning one sub-network ---------------------------------------- */

/* Whether parameter index i lies in the slice of sub-network d. */
static int in_slice(const sn_model *m, const sn_dims *d, size_t i)
{
    for (int l = -1; l < m->cfg.max_layers; l++) {
        int nt = l < 0 ? SN_N_GLOBAL_TENSORS : SN_N_LAYER_TENSORS;
        for (int t = 0; t < nt; t++) {
            size_t off = l < 0 ? m->off_global[t] : m->off_layer[l][t];
            int r, c, sr, sc;
            sn_tensor_shape(&m->cfg, l, t, &r, &c);
            if (i < off || i >= off + (size_t)r * c) continue;
            sn_tensor_slice(&m->cfg, d, l, t, &sr, &sc);
            size_t k = i - off;
            return (int)(k / (size_t)c) < sr && (int)(k % (size_t)c) < sc;
        }
    }
    return 0;
}

/* Fine-tunes arch s of ckpt for `steps` steps; returns the parameters (caller
 * frees) and the validation loss before and after. */
static float *finetune_run(const char *ckpt, const char *s, int steps, double *before, double *after, sn_dims *d,
                           size_t *n_params)
{
    hw_err e = {0};
    sn_trainer t;
    CHECK_OK(sn_checkpoint_load(&t, ckpt, 0, &e));
    sn_corpus c;
    CHECK_OK(sn_corpus_load(t.corpus_spec, &c, &e));
    hw_arch a;
    CHECK_OK(hw_arch_parse(s, hw_space_get(t.opts.scale), &a, &e));
    sn_finetune_opts f = {steps, 4, 32, 3e-3f, 7};
    CHECK_OK(sn_finetune_begin(&t, &f, &a, &e));
    *d = t.finetune_dims;
    CHECK_OK(sn_eval_loss(&t.model, &a, c.val, c.n_val, 32, 4, 8, before, &e));
    for (int k = 0; k < steps; k++) CHECK_OK(sn_finetune_step(&t, &c, &e));
    CHECK_EQ_INT(t.step, steps);
    CHECK_OK(sn_eval_loss(&t.model, &a, c.val, c.n_val, 32, 4, 8, after, &e));
    *n_params = t.model.n_params;
    float *p = malloc(sizeof(float) * t.model.n_params);
    memcpy(p, t.model.params, sizeof(float) * t.model.n_params);
    sn_trainer_free(&t);
    sn_corpus_free(&c);
    return p;
}

TEST(finetune_lowers_its_loss_and_touches_only_its_slice)
{
    char corpus[4096], ck[4200];
    write_corpus(corpus, sizeof corpus);
    snprintf(ck, sizeof ck, "%s.ft.ckpt", corpus);
    train_to(corpus, 2, 4, 4, ck);
    hw_err e = {0};
    sn_trainer t;
    CHECK_OK(sn_checkpoint_load(&t, ck, 0, &e));
    size_t n = t.model.n_params;
    float *orig = malloc(sizeof(float) * n);
    memcpy(orig, t.model.params, sizeof(float) * n);

    const char *arch = "gpt-xxs-2-16-3-2-1-2-False"; /* 2 layers, embed 16 of 32, mixed heads and ratios */
    double before, after, before2, after2;
    sn_dims d;
    size_t n2;
    float *p = finetune_run(ck, arch, 30, &before, &after, &d, &n2);
    CHECK(n2 == n);
    CHECK(after < before - 0.05); /* the validation loss of that sub-network goes down */
    size_t inside = 0, changed_inside = 0, changed_outside = 0;
    for (size_t i = 0; i < n; i++) {
        int diff = memcmp(&p[i], &orig[i], sizeof(float)) != 0;
        if (in_slice(&t.model, &d, i)) { inside++; changed_inside += diff; }
        else changed_outside += diff;
    }
    CHECK(inside > 0 && inside < n);
    CHECK_EQ_INT((long long)changed_outside, 0);  /* every other weight keeps its bytes */
    CHECK(changed_inside > inside / 2);           /* and the slice did train */

    /* deterministic: the same run gives the same bytes */
    float *q = finetune_run(ck, arch, 30, &before2, &after2, &d, &n2);
    CHECK(memcmp(p, q, sizeof(float) * n) == 0);
    CHECK(before2 == before && after2 == after);
    free(q);
    free(p);
    free(orig);
    sn_trainer_free(&t);
    remove(ck);
    remove(corpus);
}

TEST(finetune_refuses_bad_input)
{
    char corpus[4096], ck[4200];
    write_corpus(corpus, sizeof corpus);
    snprintf(ck, sizeof ck, "%s.ftbad.ckpt", corpus);
    train_to(corpus, 2, 2, 1, ck);
    hw_err e = {0};
    sn_trainer t;
    CHECK_OK(sn_checkpoint_load(&t, ck, 0, &e));
    sn_corpus c;
    CHECK_OK(sn_corpus_load(t.corpus_spec, &c, &e));
    CHECK(sn_finetune_step(&t, &c, &e) == HW_ESTATE);  /* not begun */
    hw_arch a;
    CHECK_OK(hw_arch_parse("gpt-xxs-1-16-2-1-False", hw_space_get(HW_SCALE_XXS), &a, &e));
    a.embed_dim = 64;  /* wider than the supernet */
    sn_finetune_opts f = {5, 2, 32, 1e-3f, 1};
    CHECK(sn_finetune_begin(&t, &f, &a, &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "embed 64") != NULL);
    a.embed_dim = 16;
    f.seq_len = 999;
    CHECK(sn_finetune_begin(&t, &f, &a, &e) == HW_ERANGE);
    sn_trainer_free(&t);
    sn_corpus_free(&c);
    remove(ck);
    remove(corpus);
}
