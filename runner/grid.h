/* runner/grid.h — an experiment grid: one config whose "optimizer" and
 * "problem" may each be a list, and inside whose problems "scale", "device"
 * and "objectives" (a list of lists) may be lists (docs/run_experiment.md).
 * The grid is the product optimizers x problem variants x seeds; a config
 * without any list is a grid of one cell, run exactly as a single-run
 * config (runner/run.h).  This is the entry point for whole configs (the
 * run_experiment program, the Python binding); runner/run.h runs one cell.
 *
 * Cells and names.  A problem entry expands into its variants in the order
 * scale, device, objectives (each list in its order); the cells are
 * optimizer-major: for each optimizer (in config order), each problem
 * variant.  Runs are cell-major: run k is cell k / n_seeds, seed
 * k % n_seeds.  Each cell's logs go to
 *     <output>/<name>/<optimizer>/<problem>/seed_<seed>.jsonl.gz
 * where <optimizer> is the entry's "label", else its "name", and <problem>
 * is the entry's "label", else its "name", followed for hwgpt by
 * "-<scale>" (default s), "-<device>" (when given) and "-<obj1>+<obj2>..."
 * (when "objectives" is given): e.g. nsga2/hwgpt-s-a100-perplexity+latency,
 * nsga2/hwgpt-l-perplexity+latency@a100+energy@cpu_xeon_gold (objectives on
 * their own device keep their '@': names are letters, digits, '_', '-', '.',
 * '+', '@').
 * Two cells with the same directory are an error (give one a "label").
 * Grid logs are gzip by default ("compress": false writes plain .jsonl);
 * a single-run config keeps <output>/<name>/seed_<seed>.jsonl.
 *
 * Each distinct problem variant is built once and shared by every cell and
 * seed that uses it (with one evaluator); "noise": "sample" also builds its
 * noise-free twin for the summary's hypervolume_mean.  Each cell's log
 * records the cell's own config (scalar "optimizer" and "problem"), so a
 * run's identity does not change when the grid grows.
 *
 * Parallelism is across runs: the pending runs are spread over the threads
 * (dynamic schedule); with fewer runs than threads each run gets the
 * spare threads inside its batches.  Logs and summaries do not depend on
 * the thread count, the shard split or the number of MPI ranks. */
#ifndef HWNAS_RUNNER_GRID_H
#define HWNAS_RUNNER_GRID_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/error.h"
#include "runner/config.h"
#include "runner/jbuf.h"
#include "runner/run.h"

typedef struct {
    char *optimizer;             /* the optimizer's directory name */
    char *problem;               /* the problem variant's directory name */
    size_t problem_index;        /* into hw_grid.problems */
    const cJSON *problem_cfg;    /* the variant's config (in cfg.root) */
    hw_run_config cfg;           /* one optimizer on one problem variant, every seed */
} hw_grid_cell;

typedef struct {
    const char *file;
    int is_grid;                 /* 0: a single-run config (one cell, the old layout) */
    size_t n_cells, n_seeds, n_runs; /* n_runs = n_cells * n_seeds */
    hw_grid_cell *cells;
    hw_problem **problems;       /* n_problems distinct variants, owned */
    hw_problem **mean_problems;  /* n_problems: the noise-free twins (NULL when not noisy), owned */
    size_t n_problems;
    int threads;
} hw_grid;

/* Loads and validates a whole config (every cell: keys, problems,
 * optimizers, reference point) before any work.  Errors name the file and
 * the key path ("FILE: problem[1].device: ...").  On failure *g is released. */
int hw_grid_load(const char *file, const hw_config_overrides *ov, hw_grid *g, hw_err *e);
/* The same from the config's JSON text (file only names it in messages). */
int hw_grid_load_text(const char *file, const char *text, const hw_config_overrides *ov, hw_grid *g, hw_err *e);
void hw_grid_free(hw_grid *g);

/* Run k's cell and seed. */
static inline const hw_grid_cell *hw_grid_cell_of(const hw_grid *g, size_t k) { return &g->cells[k / g->n_seeds]; }

/* One result per run (res: n_runs entries, cell-major), as hw_run_plan:
 * complete logs of the same run are HW_RUN_SKIPPED with their figures,
 * others HW_RUN_PENDING.  Writes nothing. */
int hw_grid_plan(const hw_grid *g, int force, hw_run_result *res, hw_err *e);

/* Shards: run k belongs to shard k % count (round-robin over the planned
 * runs; an MPI rank is shard rank / size). */
static inline int hw_grid_in_shard(size_t k, int index, int count) { return count <= 1 || (int)(k % (size_t)count) == index; }

/* Runs the HW_RUN_PENDING runs of shard index/count (count 1: all) over
 * g->threads threads, as hw_run_pending does for one config: statuses
 * become done / interrupted / locked / skipped; on a failure the first
 * failing run (in plan order) is reported as "FILE: OPT/PROBLEM seed N:
 * reason" and runs not yet started are not started.  A progress line
 * (runs done / total, elapsed, ETA) on a terminal unless o->quiet. */
int hw_grid_run(const hw_grid *g, const hw_run_options *o, int shard_index, int shard_count, hw_run_result *res,
                hw_err *e);

/* Results as numbers, for gathering them across MPI ranks: HW_GRID_PACKED
 * doubles per run (status, evaluations, front_size, hypervolume, wall_s,
 * has_hv_mean, hv_mean); a run another rank ran is all zeros, so the sum
 * over ranks is every run's result.  unpack fills the runs whose status is
 * pending from the gathered numbers. */
#define HW_GRID_PACKED 7
void hw_grid_pack(const hw_run_result *res, size_t n, double *out);
void hw_grid_unpack(const double *in, size_t n, hw_run_result *res);

/* Appends run k's result as one JSON object (the summary's "runs" entry):
 * for a grid {"optimizer", "problem", ["scale", "device", "objectives"],
 * "seed", "status", "evaluations", "front_size", "hypervolume",
 * ["hypervolume_mean"], "wall_s", "log"}; a single-run config's entries
 * keep their old fields (seed first). */
void hw_grid_result_json(const hw_grid *g, size_t k, const hw_run_result *r, hw_jbuf *b);

#endif
