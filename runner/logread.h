/* runner/logread.h — reads and validates one trajectory log written by
 * run_experiment (docs/run_experiment.md): the metadata line, the evaluation
 * lines in eval order, the summary line; field names from runner/logschema.h,
 * the module that writes logs.  Every problem is reported as one
 * line "FILE:LINE: reason" (or "FILE: reason" for the file as a whole).
 * Plain and gzip logs (".jsonl.gz") are read alike (core/lines.h reads
 * through zlib). */
#ifndef HWNAS_RUNNER_LOGREAD_H
#define HWNAS_RUNNER_LOGREAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HW_LOG_MAX_OBJ 16

typedef enum { HW_LOG_GENOME_X = 1, HW_LOG_GENOME_ARCH = 2 } hw_log_genome;

/* hw_log_read flags */
enum {
    HW_LOG_KEEP_GENOMES = 1,     /* keep each evaluation's x / arch as text */
    HW_LOG_ALLOW_INCOMPLETE = 2, /* accept a .tmp log or one without a summary */
    HW_LOG_ALLOW_SPARSE = 4      /* accept logs of level "front" or "summary" (config "log"): their
                                    evaluation lines are a subset, eval_id says which */
};

typedef struct {
    char *path;
    /* metadata line */
    char *name, *problem, *optimizer;
    char *config_problem;         /* the metadata config's "problem" member as compact JSON, */
    char *config_optimizer;       /* and its "optimizer" member ("null" when absent): they tell
                                     apart runs with the same names (hwnas summary, eaf) */
    uint64_t seed;
    int n_obj, n_var;
    char **obj_names;             /* n_obj */
    double *ref;                  /* n_obj, the reference point of the run */
    double *obj_lo, *obj_hi;      /* n_obj each, NULL when the problem does not normalise */
    long long budget;
    /* evaluation lines */
    hw_log_genome genome_kind;    /* x or arch, from the first evaluation line */
    int level;                    /* HW_LOG_LEVEL_* (runner/logschema.h), from the config's "log" */
    size_t n_eval;                /* evaluation lines (all evaluations at level "all") */
    uint64_t *eval_id;            /* n_eval: each line's "eval" (i at level "all"; increasing) */
    long long evaluations;        /* the run's evaluations: the summary's count (n_eval while incomplete) */
    double *f;                    /* n_eval x n_obj, natural units */
    char **genome;                /* n_eval (HW_LOG_KEEP_GENOMES only, else NULL): the
                                     arch string, or x as numbers separated by spaces */
    /* summary line (complete == 0: absent, the fields below are zero) */
    int complete;
    double hypervolume;
    double wall_s;                /* the run's wall time (summary's wall_s; 0 when absent) */
    size_t n_front;
    double *front_f;              /* n_front x n_obj, natural units */
    uint64_t *front_eval;         /* n_front */
    char **front_genome;          /* n_front (HW_LOG_KEEP_GENOMES only, else NULL): front_arch, or
                                     front_x as numbers separated by spaces */
} hw_log;

/* Reads path into *log (zeroed first; release with hw_log_free, also after a
 * failure).  A name ending in ".tmp" or a log without its summary line is
 * refused unless HW_LOG_ALLOW_INCOMPLETE; with it, a last line that is not
 * valid JSON (a log cut mid-line by a full disk or kill -9) is ignored and
 * the complete lines before it are read (and a gzip log cut short is read
 * up to where it ends).  A log of level "front" or "summary" is refused
 * (naming its level) unless HW_LOG_ALLOW_SPARSE; its summary must then say
 * its level ("log") and its number of evaluation lines ("log_lines"), and a
 * "summary" log has no evaluation line.  runner/logprefix.h reads the first
 * k evaluations of a log of any level. */
int hw_log_read(const char *path, unsigned flags, hw_log *log, hw_err *e);
void hw_log_free(hw_log *log);

#endif
