/* surrogates/surrogate.h — the public surrogate API: predict perplexity,
 * latency and energy of an architecture on an HW-GPT-Bench device, each as a
 * mean and two spreads, from the trained model files shipped in
 * surrogates/models (see surrogates/README.md for models and file format).
 *
 *   mean       predicted per-architecture median measurement (natural units:
 *              perplexity, latency in ms, energy in Wh)
 *   std        total predictive standard deviation of a NEW measurement of
 *              this architecture (model error + measurement noise), calibrated
 *              so that mean +- 1.645 std covers ~90% of measurements
 *   noise_std  the measurement noise alone for this architecture: the
 *              standard deviation of its repeated measurements (predicted);
 *              0 where the data have no repeats (perplexity; s cpu_amd_7513)
 *
 * A loaded sur_set is immutable: surrogate_predict is reentrant and may be
 * called from many threads at once. */
#ifndef HWNAS_SURROGATES_SURROGATE_H
#define HWNAS_SURROGATES_SURROGATE_H

#include <stddef.h>

#include "space/metric.h"
#include "space/space.h"
#include "core/error.h"
#include "core/fileid.h"
#include "core/rng.h"

typedef enum { SUR_PERPLEXITY = 0, SUR_LATENCY = 1, SUR_ENERGY = 2, SUR_N_METRICS = 3 } sur_metric;

/* The 13 HW-GPT-Bench devices, then cpu_p100 (latency only). */
#define SUR_N_DEVICES 14
#define SUR_N_GPUS 8
extern const char *const SUR_DEVICE_NAMES[SUR_N_DEVICES];
/* Own devices (docs/own_hardware.md): a model set or a data directory may
 * also hold up to SUR_N_OWN devices named by the user (profiled with
 * `hwnas profile`, calibrated with `hwnas calibrate`).  Their indices follow
 * the built-in ones: SUR_N_DEVICES + slot, the slot being the position of
 * the name in the set's (or the data's) own-device list. */
#define SUR_N_OWN 8
#define SUR_MAX_DEVICES (SUR_N_DEVICES + SUR_N_OWN)
#define SUR_DEVICE_NAME_MAX 32
/* An own device's name: 1 to 31 characters of [A-Za-z0-9_.-], not starting
 * with '.', and not a built-in device name (case-insensitively). */
int sur_own_device_name_check(const char *name, hw_err *e);
extern const char *const SUR_METRIC_NAMES[SUR_N_METRICS];
extern const char *const SUR_METRIC_UNITS[SUR_N_METRICS];

/* Name -> index, with "unknown device 'x' (expected a100, ...)" errors.
 * Device names match case-insensitively (P100 = p100). */
int sur_device_lookup(const char *name, int *device, hw_err *e);
int sur_metric_lookup(const char *name, int *metric, hw_err *e);
/* 1 when the data (and hence a model) exist for this metric x device. */
int sur_metric_has_device(int metric, int device);

typedef struct {
    double mean, std, noise_std;
} sur_pred;

typedef struct sur_set sur_set;   /* all models of one scale */

/* Load DIR/<scale>.hwsur.  Errors: "FILE: cannot open: ...",
 * "FILE: corrupt model file (reason)". */
int surrogate_load(const char *models_dir, int scale, sur_set **out, hw_err *e);
void surrogate_free(sur_set *s);
int surrogate_scale(const sur_set *s);
/* The identity (path, size, FNV-1a 64) of the file the set was loaded from. */
const hw_file_id *surrogate_file(const sur_set *s);
/* The name of device index `device` in set s (built-in or own; "?" when
 * neither). */
const char *surrogate_device_name(const sur_set *s, int device);
/* Name -> index: the built-in devices (case-insensitively), then the set's
 * own devices (exactly); else "unknown device 'x' (expected a100, ...; own
 * devices of this set: ...)". */
int surrogate_device_lookup(const sur_set *s, const char *name, int *device, hw_err *e);
/* 1 if the set holds a model for metric x device (device ignored for
 * perplexity). */
int surrogate_has(const sur_set *s, int metric, int device);

/* One prediction.  Fails (EINVAL) for a metric/device without a model or an
 * arch of another scale. */
int surrogate_predict(const sur_set *s, const hw_arch *a, int metric, int device, sur_pred *out,
                      hw_err *e);
/* Several metrics of one arch sharing one feature computation:
 * out[k] for (metrics[k], devices[k]). */
int surrogate_predict_many(const sur_set *s, const hw_arch *a, int k, const int *metrics,
                           const int *devices, sur_pred *out, hw_err *e);
/* Draw one measurement from the predicted measurement-noise distribution
 * (the empirical distribution of standardised residuals of the training
 * data, scaled by noise_std around mean).  Deterministic for the stream. */
double surrogate_sample(const sur_set *s, int metric, int device, const sur_pred *p, hw_rng *r);

/* Documented objective bounds of a metric over the space (used to normalise
 * objectives for hypervolume): the min and max of the predicted mean over
 * the training architectures of the scale, stored in the model file. */
int surrogate_bounds(const sur_set *s, int metric, int device, double *lo, double *hi, hw_err *e);

/* What a problem or `hwnas query` holds: one set per scale (NULL where not
 * loaded) and the device of per-device metrics (-1 when none was given; an
 * own device has the same index in every loaded set that holds it). */
typedef struct {
    sur_set *set[HW_N_SCALES];
    int device;
    char device_name[SUR_DEVICE_NAME_MAX];
    int borrowed;   /* the sets belong to another sur_models (a device view): sur_models_free leaves them */
} sur_models;

/* scale < 0 loads every scale's file.  device may be NULL; an own device
 * must be in at least one loaded set, at the same index in each set that
 * has it.  Errors name the file or the device. */
int sur_models_load(const char *dir, int scale, const char *device, sur_models **out, hw_err *e);
/* Sets ms->device (and device_name) from a name looked up in the loaded sets. */
int sur_models_set_device(sur_models *ms, const char *device, hw_err *e);
/* A view of ms measuring on another device: shares ms's sets (ms must
 * outlive it; free it with sur_models_free, which leaves the sets).  Errors
 * as sur_models_set_device. */
int sur_models_view(const sur_models *ms, const char *device, sur_models **out, hw_err *e);
/* Frees a sur_models (void * so it is the surrogate backend's close). */
void sur_models_free(void *models);
/* Prediction of metric for a through the models of a's scale. */
int sur_models_predict(const sur_models *ms, const hw_arch *a, int metric, sur_pred *out, hw_err *e);

/* The surrogate backend (space/metric.h, surrogate_backend.c): rows
 * perplexity, latency, energy (latency and energy per device), each with std
 * and noise_std; environment: a sur_models of the space's scale (all scales
 * when opened without a space); keys: device, noise (read by the problem),
 * models (default hw_models_dir()).  Opening checks that every requested row
 * has its device and a model for it.  open_device gives a view
 * (sur_models_view) on another device, for objectives that name their own
 * ("energy@cpu_xeon_gold", benchmark/hwgpt.h). */
extern const hw_backend hw_surrogate_backend;

#endif
