/* surrogates/model.h — one surrogate model (metric x device of one scale),
 * a set of them (one scale), their fitting and their binary file format.
 *
 * Model (all in log space of the natural unit):
 *   base   optional weighted ridge fit in natural units on the first lin_n
 *          linear features (features.h) of the arch's embed group, weights
 *          1/y^2 (relative error); b = max(z . lin[embed], floor); the trees
 *          see log b as an extra feature
 *   mu     = log b + mean_gbm(x)            (or mean_gbm(x) without a base)
 *   mean   = exp(mu)                        predicted per-arch median
 *   rn     = exp(noise_gbm(x))              relative noise spread (sample std
 *                                           over median; IQR/1.349 with
 *                                           noise_sd = 0 at fit time)
 *   noise_std = mean * rn
 *   std    = mean * sqrt((noise_calib * rn)^2 + (calib * model_sd)^2)
 * With BLEND, mu = (1 - blend_w) mu + blend_w (blend_b . zb): a ridge on log y
 * over the order-free features zb (sur_input), blend_w in (0, 1) chosen by the
 * out-of-fold squared log error of the blended prediction.
 * model_sd is the RMS out-of-fold error of mu against log of the observed
 * median; calib >= 0 is set so mean +- 1.645 std covers 90.5% of the training
 * measurements (out-of-fold means) with noise_calib = 1 (then std >=
 * noise_std); only when the noise alone covers more, calib = 0 and
 * noise_calib < 1 is fitted instead.  noise_q holds SUR_NQ quantiles of the
 * standardised measurement residuals (y - median) / (median * rel_spread),
 * pooled over the training archs, used by surrogate_sample.
 *
 * File <dir>/<scale>.hwsur, little-endian:
 *   "HWNASSUR" (8 bytes) | u32 version (2, or 3 with own devices) | u32 feature set | u32 scale
 *   | u32 n_models | [version 3: u32 n_own | n_own x char name[SUR_DEVICE_NAME_MAX] (NUL-padded)]
 *   per model: u32 metric | u32 device | u32 flags (1 base, 2 noise model)
 *              u32 lin_n | f64 lin[3 * lin_n] | f64 floor | f64 model_sd | f64 calib
 *              f64 noise_calib | f64 bound_lo | f64 bound_hi
 *              gbm mean | [gbm noise] | f32 noise_q[SUR_NQ]
 *              [f64 blend_w | f64 blend_b[SUR_BLEND_P]]   (flag 64)
 *              [u32 stack_n | stack_n x (u32 metric, u32 device, f64 coef)
 *               | f64 blend_b[SUR_BLEND_P]]              (flag 128)
 *   gbm: u32 n_feat | u32 depth | u32 n_trees | f64 base
 *        u8 feat[T*(2^D-1)] | f32 thr[T*(2^D-1)] | f32 leaf[T*2^D]
 *   u32 crc32 (zlib) of every byte before it. */
#ifndef HWNAS_SURROGATES_MODEL_H
#define HWNAS_SURROGATES_MODEL_H

#include <stdint.h>

#include "surrogates/data.h"
#include "surrogates/features.h"
#include "surrogates/gbm.h"
#include "surrogates/surrogate.h"

#define SUR_FILE_VERSION 2
#define SUR_FILE_VERSION_OWN 3   /* written only when the set has own devices */
#define SUR_NQ 128
/* tree input: features, log base, aux (energy: the predicted log latency of
 * the same device, from the latency model of the set) */
#define SUR_X_LEN (SUR_N_FEAT + 2)

/* BASE: linear base present; NOISE: noise model present; LOGBASE: the base
 * is fitted to log y (b = exp(z . lin), unweighted); SHARED: one linear group
 * for all embed widths (lin[0 .. lin_n)); AUX: the trees also read the
 * predicted log latency of the same device (the set must hold that model);
 * COARSE: the base reads the coarse-position features (sur_linear_coarse). */
enum { SUR_FLAG_BASE = 1, SUR_FLAG_NOISE = 2, SUR_FLAG_LOGBASE = 4, SUR_FLAG_SHARED = 8, SUR_FLAG_AUX = 16,
       SUR_FLAG_COARSE = 32, SUR_FLAG_BLEND = 64, SUR_FLAG_STACK = 128 };
/* STACK (calibrated models, surrogates/calibrate.h): the log mean is a linear
 * function of other models' log means in the same set plus the blend inputs,
 *   mu = sum_j stack_c[j] log mean(model stack_metric[j] x stack_device[j])
 *        + blend_b . zb
 * (no base, no mean trees; the referenced models are not STACK ones). */
#define SUR_STACK_MAX 32
/* blend ridge inputs: 1, embed, n_layer, bias, counts of each MLP ratio and
 * head choice, sums of MLP ratios and heads, params, FLOPs, log params,
 * log FLOPs */
#define SUR_BLEND_P 16

typedef struct {
    int metric, device, flags;
    int lin_n;                        /* 0 = no base */
    double lin[3 * SUR_LIN_GROUP];    /* [embed choice][lin_n] */
    double floor;
    double model_sd, calib;
    double noise_calib;           /* a <= 1: scales rn in std when the noise alone over-covers */
    double bound_lo, bound_hi;    /* min / max predicted mean over the training archs */
    sur_gbm mean_gbm, noise_gbm;
    float noise_q[SUR_NQ];
    double blend_w;                   /* 0: no blend */
    double blend_b[SUR_BLEND_P];
    int stack_n;                      /* STACK: terms */
    int stack_metric[SUR_STACK_MAX], stack_device[SUR_STACK_MAX];
    double stack_c[SUR_STACK_MAX];
} sur_model;

struct sur_set {
    int scale;
    int n_models;
    sur_model *models;
    int index[SUR_N_METRICS][SUR_MAX_DEVICES]; /* model index or -1 */
    int n_own;                                 /* own devices (surrogate.h) */
    char own[SUR_N_OWN][SUR_DEVICE_NAME_MAX];
    hw_file_id file;                           /* the file it was loaded from (sur_set_load_file) */
};

/* Settings of one fit (chosen on the validation split; see train.c). */
typedef struct {
    int use_base;           /* 0 none, 1 order-free linear features, 2 with layer positions,
                               3 with coarse positions (6 bins) */
    double ridge;           /* ridge penalty relative to the mean diagonal */
    int base_log;           /* fit the base to log y */
    int base_shared;        /* one linear group for all widths */
    int use_aux;            /* energy: read the same device's latency prediction */
    int noise_sd;           /* noise model target: 1 sample std, 0 IQR/1.349 */
    sur_gbm_params mean, noise;
    int cv_trees;           /* > 0: the mean trees' count is chosen in [cv_trees, mean.n_trees]
                               by the out-of-fold squared log error (one ensemble only) */
    int folds;              /* out-of-fold folds for model_sd and calibration */
    int blend;              /* > 0: try blend weights 0.1 .. blend/10 with the log ridge */
    double blend_ridge;     /* its ridge penalty relative to the mean diagonal */
    double target_coverage; /* of the 90% interval, e.g. 0.90 */
} sur_fit_opts;

/* Targets of one metric x device over the rows `rows` of d. */
typedef struct {
    const sur_data *d;
    int metric, device;
} sur_target;

/* Observed per-arch summary: median (or mean for CPU energy / perplexity) and
 * relative spread (IQR/1.349 over median, std/mean for CPU energy; 0 when
 * there are no repeats).  Returns 0 when arch i has no measurement. */
int sur_observed(const sur_data *d, int metric, int device, size_t i, double *center, double *rel_spread);
/* Sample standard deviation (n - 1) of arch i's measurements over their
 * median (CPU energy: std / mean); 0 without repeats. */
double sur_observed_rel_sd(const sur_data *d, int metric, int device, size_t i);

/* Fit one model on rows[0..n) of d (archs with a measurement); aux (may be
 * NULL) is the latency model whose prediction the trees may read. */
int sur_model_fit(const sur_data *d, int metric, int device, const size_t *rows, size_t n,
                  const sur_fit_opts *o, const sur_model *aux, uint64_t seed, sur_model *m, hw_err *e);
void sur_model_free(sur_model *m);

/* Inputs computed once per arch, shared by all models of a scale. */
typedef struct {
    float x[SUR_X_LEN];
    double z[SUR_LIN_GROUP];
    double zc[SUR_LIN_COARSE];
    double zb[SUR_BLEND_P];
    int embed_index;
    double stack_log[SUR_STACK_MAX];  /* STACK: the referenced log means (sur_set_predict fills them) */
} sur_input;
void sur_input_make(const hw_arch *a, sur_input *in);
void sur_model_predict(const sur_model *m, const sur_input *in, sur_pred *out);
/* Model k of set s on in (fills the aux and stack inputs first when the
 * model reads them). */
void sur_set_predict(const sur_set *s, int k, sur_input *in, sur_pred *out);
/* The same for a model m that need not be in s (its aux / stack references
 * are looked up in s, which must hold them). */
void sur_set_predict_model(const sur_set *s, const sur_model *m, sur_input *in, sur_pred *out);
/* Add model m (taken over: *m is zeroed) to set s, replacing the model of
 * the same metric x device; an own device (index >= SUR_N_DEVICES) must be
 * in s's own list already (sur_set_own_slot). */
int sur_set_put(sur_set *s, sur_model *m, hw_err *e);
/* The index of own device `name` in s, added to its list when absent. */
int sur_set_own_slot(sur_set *s, const char *name, int *device, hw_err *e);
/* A gbm that predicts the constant v (no trees). */
int sur_gbm_constant(sur_gbm *g, double v);
/* Same with the log-mean only (for training diagnostics). */
double sur_model_predict_log(const sur_model *m, const sur_input *in);

/* Coverage of mean +- z*std over the measurements of arch i (fraction). */
double sur_coverage(const sur_data *d, int metric, int device, size_t i, double mean, double std, double z);

int sur_set_save(const sur_set *s, const char *path, hw_err *e);
int sur_set_load_file(const char *path, sur_set **out, hw_err *e);

#endif
