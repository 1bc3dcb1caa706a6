/* runner/run.h — runs a validated experiment config (runner/config.h), or
 * one seed of it, through the run loop (runner/loop.h): resume detection,
 * the JSON Lines log of each seed (runner/logschema.h), the summary.
 *
 * Output layout: <dir>/seed_<seed>.jsonl (hw_run_config.dir: <output>/<name>
 * for a single-run config; ".jsonl.gz" when the config compresses).  A run holds an flock
 * on seed_<seed>.jsonl.lock (holding "pid host time") while it runs; a run
 * whose lock another process holds is not run (HW_RUN_LOCKED).  A run is
 * written to
 * seed_<seed>.jsonl.tmp and renamed to seed_<seed>.jsonl only after its
 * summary line is on disk, so a .jsonl file is always complete; an
 * interrupted run leaves only the .tmp file, which a rerun redoes from the
 * start.  A log is complete when its summary line's checksum and counts
 * match what precedes it (runner/logschema.h); a seed whose complete log was
 * written by the same config (see hw_config_identity) and the same files
 * (hw_problem.files) is skipped; a log of another config or other files
 * (complete, or with a summary line) is an error unless forced.
 *
 * Parallelism: the config's problem and its evaluator are shared by all
 * seeds.  With T threads and S seeds to run, min(T, S) seeds run
 * concurrently (each its own log and optimizer) and each uses T / min(T, S)
 * threads inside its batches (see runner/evaluator.h): microsecond
 * evaluations are parallel across seeds, millisecond ones inside batches
 * too.  Logs are identical at any thread count apart from the fields
 * wall_s, threads, host, started_at and finished_at. */
#ifndef HWNAS_RUNNER_RUN_H
#define HWNAS_RUNNER_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runner/config.h"
#include "runner/loop.h"

#define HW_RUN_PATH_LEN 4096

typedef enum {
    HW_RUN_PENDING = 0,  /* not run (yet): not started, or failed */
    HW_RUN_SKIPPED = 1,  /* its log was already complete */
    HW_RUN_DONE = 2,     /* run to the end, its log complete */
    HW_RUN_STOPPED = 3,  /* stopped by the stop flag: only the .tmp log */
    HW_RUN_LOCKED = 4    /* another process holds its lock: not run here (note says who) */
} hw_run_status;

/* "pending", "skipped", "done", "interrupted", "locked", indexed by
 * hw_run_status. */
extern const char *const HW_RUN_STATUS_NAMES[];

/* One seed's run.  Release an array of them with hw_run_results_free. */
typedef struct {
    uint64_t seed;
    char *log;                   /* <output>/<name>/seed_<seed>.jsonl */
    int status;                  /* hw_run_status */
    long long evaluations;
    size_t front_size;
    double hv, wall_s;           /* from the summary (done or skipped) */
    int has_hv_mean;             /* "noise": "sample": hv_mean is the hypervolume of the front's noise-free means */
    double hv_mean;
    char *note;                  /* HW_RUN_LOCKED: "LOG: locked by pid N (host H) since T"; else NULL */
} hw_run_result;

void hw_run_results_free(hw_run_result *res, size_t n);

typedef struct {
    int force;                   /* redo complete logs */
    int quiet;                   /* no progress line on stderr */
    const volatile sig_atomic_t *stop; /* optional: nonzero stops the runs between batches */
    const hw_observer *observers;/* optional: more observers of every run, after the log writer */
    size_t n_observers;
} hw_run_options;

/* The runs of c, one result per seed of c (res has c->n_seeds entries): log
 * paths, and the state of existing logs: status HW_RUN_SKIPPED (with the
 * figures of its summary) for a complete log of this config unless force,
 * else HW_RUN_PENDING.  Writes nothing.  Fails (HW_EINVAL) when a log path
 * is taken by something other than a regular file, or when a complete log
 * of another config is in the way (unless force). */
int hw_run_plan(const hw_run_config *c, int force, hw_run_result *res, hw_err *e);

/* Creates the output directory <output>/<name>. */
int hw_run_make_dir(const hw_run_config *c, hw_err *e);

/* Runs every HW_RUN_PENDING entry of res (from hw_run_plan): status becomes
 * HW_RUN_DONE, HW_RUN_STOPPED (the stop flag), HW_RUN_LOCKED (another
 * process holds its lock; not an error) or HW_RUN_SKIPPED (another process
 * completed its log meanwhile); a seed not started stays HW_RUN_PENDING.  On a failure the first failing seed (in seed order) is
 * reported as "FILE: seed N: reason", it stays pending, and seeds not yet
 * started are not started. */
int hw_run_pending(const hw_run_config *c, const hw_run_options *o, hw_run_result *res, hw_err *e);

/* Runs one seed on an evaluator of c's problem that other runs may share
 * (runner/grid.h runs a grid so): as hw_run_seed, without the directory. */
int hw_run_seed_on(const hw_run_config *c, hw_evaluator *ev, const hw_run_options *o, int threads, hw_run_result *r,
                   hw_err *e);

/* Runs one seed (res from hw_run_plan) with up to `threads` threads inside
 * its batches. */
int hw_run_seed(const hw_run_config *c, const hw_run_options *o, int threads, hw_run_result *r, hw_err *e);

#endif
