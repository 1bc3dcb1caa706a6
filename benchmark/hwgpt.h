/* benchmark/hwgpt.h — the `hwgpt` problem: HW-GPT-Bench's GPT search space as
 * an hw_problem.  Genome = the space's genome (space/space.h, every gene
 * categorical); objectives = metric rows of backends (space/metric.h,
 * benchmark/backends.h), all minimised; describe() writes the arch string;
 * canonicalize() zeroes the inert genes past n_layer (hw_arch_to_genome's
 * form), so optimizers treat genomes of one architecture as one design.
 *
 * Config ("problem": {...}):
 *   name        "hwgpt"
 *   backend     "surrogate" (default) | "analytic" | "supernet"
 *   scale       "s" (default) | "m" | "l"; with the supernet backend also
 *               "xs" (its default) and "xxs"
 *   objectives  array of 1..16 distinct metric names of the backend
 *               (analytic: params, flops, macs, memory_fp32, memory_fp16,
 *               memory_bf16; default ["params", "flops"])
 *               (surrogate: also perplexity, latency, energy — latency and
 *               energy need "device"; default ["perplexity", "latency"]).
 *               A per-device metric may name its own device, "METRIC@DEVICE"
 *               ("energy@cpu_xeon_gold"), measured there instead of on
 *               "device" (the default of those naming none); one metric on
 *               two devices is allowed (["latency@a100", "latency@h100"]),
 *               one metric on one device twice is not.  When some objective
 *               names its device, every per-device objective's name says its
 *               device ("latency@a100"), in logs and headers; otherwise the
 *               names are the metrics' ("latency").  Errors name
 *               objectives[i]: unknown device, no model of the metric on
 *               that device at the scale, a device on a metric that does not
 *               depend on one (perplexity, params, ...).
 *   device      surrogate: one of the 13 HW-GPT-Bench devices or cpu_p100
 *   noise       surrogate: "mean" (default) | "sample"
 *   models      surrogate: model directory (default hw_models_dir():
 *               HWNAS_MODELS, else the installed share/hwnas/models, else
 *               the source tree's surrogates/models)
 *   predictor   "hwgpt-mlp": the objective "perplexity" is the row
 *               ("hwgpt-mlp", "perplexity"), HW-GPT-Bench's own MLP
 *               predictor (surrogates/hwgpt_mlp.h), with either backend;
 *               bounds are its published min/max
 *   checkpoint  that predictor's checkpoint (default:
 *               DATA/predictors/perplexity_<scale>.pt)
 * With "backend": "supernet" (supernet/supernet_backend.h) the objectives
 * are measured on a trained supernet checkpoint: perplexity (validation
 * text), params, latency (CPU forward timed here); keys
 *   checkpoint    the supernet checkpoint (default sn_default_checkpoint():
 *                 HWNAS_SUPERNET_CKPT, the installed share/hwnas/supernet/
 *                 xs.ckpt, the source tree's supernet/models/xs.ckpt); its
 *                 space must be the scale
 *   eval_windows, latency_runs   how much is measured (see the backend)
 *   device, models  scales s, m, l: latency and energy on one of the 13
 *                 devices from the surrogates instead of measured here (as
 *                 are objectives naming their device, "latency@a100")
 * ("predictor" and "noise" do not apply).  The problem is then evaluated in
 * HW_EVAL_BATCH mode, batch_size SN_BACKEND_BATCH: pieces on one thread,
 * each arch measured once per problem (the backend's cache).
 * Objective names resolve among the backends in use, in the priority
 * hwgpt-mlp (with "predictor"), the chosen backend, analytic.  The keys
 * device, models and checkpoint belong to the backends and are read by their
 * open(); the allowed keys are the problem's plus those of the backends in
 * use.  Surrogate metrics are reported in natural units (perplexity,
 * latency in ms, energy in Wh), f_std is the total predictive std.
 *
 * Normalisation: obj_lo / obj_hi are the metric's min / max over the whole
 * space (exact for analytic metrics; for surrogate metrics the min / max of
 * the predicted mean over the scale's training architectures, stored in the
 * model file), so normalised objectives lie in [0, 1] (nearly, for surrogates);
 * the default reference point is 1.1 in every normalised objective (10 %
 * beyond the space's worst value, the usual HV convention). */
#ifndef HWNAS_BENCHMARK_HWGPT_H
#define HWNAS_BENCHMARK_HWGPT_H

#include <cjson/cJSON.h>

#include "benchmark/backends.h"
#include "benchmark/problem.h"
#include "space/space.h"

/* From a config object (path names it in errors). */
int hw_hwgpt_create(const cJSON *cfg, const char *path, hw_problem **out, hw_err *e);

/* From parts: objectives are metric rows, envs (their open backends) are
 * moved into the problem (closed with it, or on failure; *envs is left
 * empty).  noise != 0 replaces each objective by a noisy
 * measurement drawn from hw_rng_eval(id.seed, id.index): the metric's sample()
 * (surrogates: their empirical noise distribution), else N(mean, noise_std^2);
 * the objectives draw in turn from the evaluation's stream, so two objectives
 * (latency on two devices) never share a draw. */
int hw_hwgpt_build(const hw_space *sp, const hw_metric *const *objectives, int n_obj,
                   hw_backend_envs *envs, int noise, hw_problem **out, hw_err *e);

/* The registered kind "hwgpt" (benchmark/problems.def). */
extern const hw_problem_kind hw_hwgpt_kind;

/* The space of an hwgpt problem (NULL if p is not one). */
const hw_space *hw_hwgpt_space(const hw_problem *p);

#endif
