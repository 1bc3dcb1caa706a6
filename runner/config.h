/* runner/config.h — an experiment config (docs/run_experiment.md): parsed
 * and validated whole before any work.  Unknown keys, wrong types and
 * ranges give one line naming the file and the key path
 * ("FILE: budget.evaluations: ..."); the problem is built once here (it
 * checks its own config) and serves every seed of the config; the optimizer
 * config is checked by creating the optimizer once with the first seed; the
 * reference point is checked against the problem's objectives. */
#ifndef HWNAS_RUNNER_CONFIG_H
#define HWNAS_RUNNER_CONFIG_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "benchmark/problem.h"
#include "core/error.h"
#include "optimizers/optimizer.h"

#define HW_RUN_MAX_BUDGET 1000000000LL
#define HW_RUN_MAX_THREADS 4096
/* 2^53 - 1: JSON numbers are doubles, and every larger integer rounds to a
 * double >= 2^53, so no seed is silently read as a neighbouring one. */
#define HW_RUN_MAX_SEED 9007199254740991LL

/* What the command line may override (zero = not given). */
typedef struct {
    int has_seed;
    uint64_t seed;       /* run only this seed (replaces "seeds") */
    const char *out;     /* replaces "output" */
    int threads;         /* replaces "threads"; 0 = not given */
    int share_cores;     /* > 1: processes sharing this node's cores (MPI ranks on one node): without
                            --threads or "threads", each gets max(1, omp_get_max_threads() / share_cores) */
} hw_config_overrides;

typedef struct {
    const char *file;            /* the config's path, as given */
    cJSON *root;                 /* the whole config */
    const char *name;
    const cJSON *problem_cfg, *optimizer_cfg;
    const hw_optimizer_ops *ops;
    long long budget;            /* evaluations per seed */
    uint64_t *seeds;             /* n_seeds, distinct */
    size_t n_seeds;
    double *ref;                 /* n_obj values in the indicator space; NULL = the problem's default */
    int threads;                 /* >= 1: "threads", --threads, else omp_get_max_threads() (divided by
                                    hw_config_overrides.share_cores when it is above 1) */
    const char *output;          /* the output directory ("results" by default) */
    hw_problem *problem;         /* built once, serves every seed */
    /* Optional, set by the caller after loading: makes each seed's optimizer
     * instead of hw_optimizer_create with ops (an optimizer outside the
     * registry wrapped with hw_optimizer_wrap: the Python binding's,
     * api/hwnas_api.h); the log still names ops->name. */
    int (*make_optimizer)(void *ctx, const hw_problem *p, uint64_t seed, hw_optimizer **out, hw_err *e);
    void *make_optimizer_ctx;
    /* Added for grids (runner/grid.h); a single-run config keeps the layout
     * <output>/<name>/seed_<seed>.jsonl. */
    char *subdir;                /* a grid cell's logs are in <output>/<name>/<subdir>; NULL: <output>/<name> */
    int compress;                /* logs are gzip: seed_<seed>.jsonl.gz ("compress"; grids default to 1) */
    int log_level;               /* HW_LOG_LEVEL_* ("log": "all" (default), "front", "summary") */
    hw_problem *mean_problem;    /* "noise": "sample": the same problem without noise (the means); else NULL */
    int borrowed_problems;       /* problem and mean_problem belong to a grid (not freed here) */
    char problem_path[96];       /* how errors name the problem: "problem" or "problem[i]" */
    char optimizer_path[96];     /* "optimizer" or "optimizer[i]" */
} hw_run_config;

/* Loads file and validates all of it (with the overrides applied).  On
 * failure *c is released (hw_config_free is still safe).  HW_ENOMEM for out
 * of memory, another code for bad input. */
int hw_config_load(const char *file, const hw_config_overrides *ov, hw_run_config *c, hw_err *e);
/* The same from the config's JSON text (file only names it in messages),
 * with an optimizer outside the registry: ops (may be NULL) is used when
 * "optimizer.name" is ops->name, and its create() validates the optimizer
 * object. */
int hw_config_load_text(const char *file, const char *text, const hw_optimizer_ops *ops,
                        const hw_config_overrides *ov, hw_run_config *c, hw_err *e);

/* What a config built from an already parsed JSON needs (runner/grid.h
 * builds each cell of a grid so). */
typedef struct {
    const char *subdir;          /* the logs' directory is <output>/<name>/<subdir>; NULL: <output>/<name> */
    int default_compress;        /* "compress" when the key is absent */
    hw_problem *problem;         /* NULL: built from the config; else borrowed */
    hw_problem *mean_problem;    /* borrowed with problem (NULL when not noisy) */
    const char *problem_path, *optimizer_path; /* NULL: "problem", "optimizer" */
    const hw_optimizer_ops *ops; /* NULL, or an optimizer outside the registry used when
                                    "optimizer.name" is ops->name (hw_config_load_text) */
} hw_config_cell;

/* As hw_config_load, from root (taken over: freed with c, also on failure). */
int hw_config_from_json(const char *file, cJSON *root, const hw_config_overrides *ov, const hw_config_cell *cell,
                        hw_run_config *c, hw_err *e);

/* 1 when root is a grid (runner/grid.h): "optimizer" or "problem" is a list,
 * or an hwgpt problem's "scale", "device" or "objectives" is. */
int hw_config_is_grid(const cJSON *root);

/* The noise-free twin of a problem config with "noise": "sample" (a copy
 * with "noise": "mean"); NULL when the config is not noisy (*oom set when
 * out of memory). */
cJSON *hw_config_mean_problem(const cJSON *problem_cfg, int *oom);
void hw_config_free(hw_run_config *c);

/* The reference point of the runs (the config's, else the problem's). */
const double *hw_config_ref(const hw_run_config *c);

/* The part of a config that determines a run's results: all of it except
 * the keys that only choose which runs happen, where, and how fast
 * ("seeds", "threads", "output", "description", "compress").  NULL when
 * out of memory. */
cJSON *hw_config_identity(const cJSON *cfg);

#endif
