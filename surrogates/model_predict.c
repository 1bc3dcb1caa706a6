/* surrogates/model_predict.c — prediction with trained models (model.h):
 * the model input of an architecture, a model's mean / std / noise, and the
 * public surrogate_* and sur_models_* prediction calls. */
#include <math.h>
#include <string.h>

#include "surrogates/model_internal.h"

void sur_input_make(const hw_arch *a, sur_input *in)
{
    sur_tree_features(a, in->x);
    in->x[SUR_N_FEAT] = 0;
    in->x[SUR_N_FEAT + 1] = 0;
    in->embed_index = sur_linear_features(a, in->z);
    /* the blend ridge's inputs: 1, tree features 0..10 (embed .. sum_heads),
     * params, FLOPs and their logs */
    in->zb[0] = 1;
    for (int k = 0; k < 11; k++) in->zb[1 + k] = in->x[k];
    in->zb[12] = in->x[13];
    in->zb[13] = in->x[14];
    in->zb[14] = log(in->x[13]);
    in->zb[15] = log(in->x[14]);
    /* the coarse-position view from the fine one (= sur_linear_coarse) */
    const hw_space *sp = hw_space_get(a->scale);
    memset(in->zc, 0, sizeof in->zc);
    memcpy(in->zc, in->z, SUR_LIN_ORDER_FREE * sizeof *in->zc);
    const double *mo = in->z + SUR_LIN_ORDER_FREE, *ho = mo + 3 * sp->max_layers;
    for (int i = 0; i < a->n_layer; i++) {
        double *g = in->zc + SUR_LIN_ORDER_FREE + 6 * (i * SUR_LIN_COARSE_BINS / sp->max_layers);
        for (int c = 0; c < 3; c++) { g[c] += mo[3 * i + c]; g[3 + c] += ho[3 * i + c]; }
    }
}

/* log of the predicted mean; fills the tree input x */
static double mean_log(const sur_model *m, const sur_input *in, float *x)
{
    if (m->flags & SUR_FLAG_STACK) {
        model_x(m, in, x);
        double mu = blend_value(m->blend_b, in);
        for (int j = 0; j < m->stack_n; j++) mu += m->stack_c[j] * in->stack_log[j];
        return mu;
    }
    double mu = model_x(m, in, x) + sur_gbm_predict(&m->mean_gbm, x);
    if (m->flags & SUR_FLAG_BLEND) mu = (1 - m->blend_w) * mu + m->blend_w * blend_value(m->blend_b, in);
    return mu;
}

double sur_model_predict_log(const sur_model *m, const sur_input *in)
{
    float x[SUR_X_LEN];
    return mean_log(m, in, x);
}

/* log mean of a non-stacked model k of s (aux input filled first) */
static double set_log_mean(const sur_set *s, int k, sur_input *in)
{
    const sur_model *m = &s->models[k];
    if (m->flags & SUR_FLAG_AUX)
        in->x[SUR_N_FEAT + 1] = (float)sur_model_predict_log(&s->models[s->index[SUR_LATENCY][m->device]], in);
    return sur_model_predict_log(m, in);
}

void sur_set_predict_model(const sur_set *s, const sur_model *m, sur_input *in, sur_pred *out)
{
    if (m->flags & SUR_FLAG_AUX)
        in->x[SUR_N_FEAT + 1] = (float)sur_model_predict_log(&s->models[s->index[SUR_LATENCY][m->device]], in);
    for (int j = 0; j < m->stack_n; j++)
        in->stack_log[j] = set_log_mean(s, s->index[m->stack_metric[j]][m->stack_device[j]], in);
    sur_model_predict(m, in, out);
}

void sur_set_predict(const sur_set *s, int k, sur_input *in, sur_pred *out)
{
    sur_set_predict_model(s, &s->models[k], in, out);
}

void sur_model_predict(const sur_model *m, const sur_input *in, sur_pred *out)
{
    float x[SUR_X_LEN];
    double mean = exp(mean_log(m, in, x));
    double rn = (m->flags & SUR_FLAG_NOISE) ? exp(sur_gbm_predict(&m->noise_gbm, x)) : 0.0;
    out->mean = mean;
    out->noise_std = mean * rn;
    double cm = m->calib * m->model_sd, an = m->noise_calib * rn;
    out->std = mean * sqrt(an * an + cm * cm);
}

int surrogate_scale(const sur_set *s) { return s->scale; }

int surrogate_has(const sur_set *s, int metric, int device)
{
    if (metric < 0 || metric >= SUR_N_METRICS) return 0;
    if (metric == SUR_PERPLEXITY) device = 0;
    if (device < 0 || device >= SUR_MAX_DEVICES) return 0;
    return s->index[metric][device] >= 0;
}

static int check_model(const sur_set *s, const hw_arch *a, int metric, int device, hw_err *e)
{
    if (a->scale != s->scale)
        return hw_fail(e, HW_EINVAL, "arch of scale %s given to the scale-%s surrogate", hw_space_get(a->scale) ? hw_space_get(a->scale)->name : "?",
                       hw_space_get(s->scale)->name);
    if (!surrogate_has(s, metric, device))
        return hw_fail(e, HW_EINVAL, "no surrogate model for %s on device %s at scale %s",
                       metric >= 0 && metric < SUR_N_METRICS ? SUR_METRIC_NAMES[metric] : "?",
                       surrogate_device_name(s, device), hw_space_get(s->scale)->name);
    return HW_OK;
}

int surrogate_predict(const sur_set *s, const hw_arch *a, int metric, int device, sur_pred *out, hw_err *e)
{
    return surrogate_predict_many(s, a, 1, &metric, &device, out, e);
}

int surrogate_predict_many(const sur_set *s, const hw_arch *a, int k, const int *metrics, const int *devices,
                           sur_pred *out, hw_err *e)
{
    for (int j = 0; j < k; j++) {
        int rc = check_model(s, a, metrics[j], devices[j], e);
        if (rc) return rc;
    }
    sur_input in;
    sur_input_make(a, &in);
    for (int j = 0; j < k; j++) {
        int dev = metrics[j] == SUR_PERPLEXITY ? 0 : devices[j];
        sur_set_predict(s, s->index[metrics[j]][dev], &in, &out[j]);
    }
    return HW_OK;
}

double surrogate_sample(const sur_set *s, int metric, int device, const sur_pred *p, hw_rng *r)
{
    if (metric == SUR_PERPLEXITY) device = 0;
    if (!surrogate_has(s, metric, device) || p->noise_std <= 0) return p->mean;
    const sur_model *m = &s->models[s->index[metric][device]];
    double u = hw_rng_uniform(r) * SUR_NQ - 0.5;
    double z;
    if (u <= 0) z = m->noise_q[0];
    else if (u >= SUR_NQ - 1) z = m->noise_q[SUR_NQ - 1];
    else {
        int q = (int)u;
        z = m->noise_q[q] + (u - q) * (m->noise_q[q + 1] - m->noise_q[q]);
    }
    double v = p->mean + p->noise_std * z;
    return v > 0.01 * p->mean ? v : 0.01 * p->mean;
}

int surrogate_bounds(const sur_set *s, int metric, int device, double *lo, double *hi, hw_err *e)
{
    if (!surrogate_has(s, metric, device))
        return hw_fail(e, HW_EINVAL, "no surrogate model for %s on device %s at scale %s",
                       metric >= 0 && metric < SUR_N_METRICS ? SUR_METRIC_NAMES[metric] : "?",
                       surrogate_device_name(s, device), hw_space_get(s->scale)->name);
    const sur_model *m = &s->models[s->index[metric][metric == SUR_PERPLEXITY ? 0 : device]];
    *lo = m->bound_lo;
    *hi = m->bound_hi;
    return HW_OK;
}

int sur_models_predict(const sur_models *ms, const hw_arch *a, int metric, sur_pred *out, hw_err *e)
{
    if (a->scale < 0 || a->scale >= HW_N_SCALES || !ms->set[a->scale])
        return hw_fail(e, HW_EINVAL, "no surrogate models loaded for scale %s",
                       hw_space_get(a->scale) ? hw_space_get(a->scale)->name : "?");
    if (metric != SUR_PERPLEXITY && ms->device < 0)
        return hw_fail(e, HW_EINVAL, "%s needs a device", SUR_METRIC_NAMES[metric]);
    return surrogate_predict(ms->set[a->scale], a, metric, metric == SUR_PERPLEXITY ? 0 : ms->device, out, e);
}
