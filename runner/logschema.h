/* runner/logschema.h — the JSON Lines trajectory log (docs/run_experiment.md):
 * its field names, its writer, and the probe that resume detection reads a
 * log with.  runner/logread.h reads a whole log for analysis
 * (hwnas trajectory, hwnas front) with the same field names.
 *
 * A log is three kinds of lines, in order:
 *   metadata   {"name", "config", "seed", "problem", "n_var", "objectives",
 *               "optimizer", "budget", "batch_size", "reference_point",
 *               ["obj_lo", "obj_hi"], ["files"], "version", "git_commit",
 *               "threads", "host", "started_at"}
 *               files: [{"path", "bytes", "fnv1a64"}] of the models / data /
 *               checkpoints the problem read (hw_problem.files; fnv1a64: the
 *               content's 64-bit FNV-1a hash, 16 hex digits)
 *   evaluation {"eval", "wall_s", "arch" | "x", "f", "f_std"}, one per
 *               evaluation, "eval" = 0, 1, ... in order
 *   summary    {"summary": true, "evaluations", "front", "front_eval",
 *               "front_arch" | "front_x", "hypervolume",
 *               ["hypervolume_true"], ["igd", "igd_plus"], "finished_at",
 *               ["hypervolume_mean"], ["log", "log_lines"], "wall_s",
 *               "log_bytes", "log_crc32c"}
 *               hypervolume_mean: with "noise": "sample", the hypervolume of
 *               the noise-free means of the front's genomes (the front is
 *               chosen on the observed, noisy values)
 *               log, log_lines: a log written at level "front" or "summary"
 *               (config key "log"): the level and its evaluation lines
 * Log levels (config key "log"): "all" writes one evaluation line per
 * evaluation; "front" only the evaluations that entered the front when
 * added in evaluation order (no earlier evaluation weakly dominates them: the
 * front over time, so the front and hypervolume of the first k evaluations
 * are those of the lines with eval < k, for every k); "summary" none.
 * Logs are plain text, or gzip (zlib) when their name ends in ".gz"; the
 * byte count and CRC cover the uncompressed text, and readers (the probe,
 * runner/logread.h) read both through zlib's gzread.
 * log_bytes and log_crc32c (CRC-32C, Castagnoli: the SSE4.2 instruction where
 * the CPU has it, a few GB/s) cover every byte before the summary
 * line, so a complete log is verifiably complete: resume detection
 * (hw_log_probe_read) checks them and the count of evaluation lines.
 * Fields that vary between identical runs: wall_s, threads, host,
 * started_at, finished_at (and version, git_commit between builds). */
#ifndef HWNAS_RUNNER_LOGSCHEMA_H
#define HWNAS_RUNNER_LOGSCHEMA_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "benchmark/problem.h"
#include "core/error.h"
#include "indicators/archive.h"
#include "runner/jbuf.h"
#include "runner/loop.h"

/* Field names ------------------------------------------------------------ */
#define HW_LOG_NAME "name"
#define HW_LOG_CONFIG "config"
#define HW_LOG_SEED "seed"
#define HW_LOG_PROBLEM "problem"
#define HW_LOG_N_VAR "n_var"
#define HW_LOG_OBJECTIVES "objectives"
#define HW_LOG_OPTIMIZER "optimizer"
#define HW_LOG_BUDGET "budget"
#define HW_LOG_BATCH_SIZE "batch_size"
#define HW_LOG_REF "reference_point"
#define HW_LOG_OBJ_LO "obj_lo"
#define HW_LOG_OBJ_HI "obj_hi"
#define HW_LOG_EVAL "eval"
#define HW_LOG_WALL_S "wall_s"
#define HW_LOG_ARCH "arch"
#define HW_LOG_X "x"
#define HW_LOG_F "f"
#define HW_LOG_F_STD "f_std"
#define HW_LOG_SUMMARY "summary"
#define HW_LOG_EVALUATIONS "evaluations"
#define HW_LOG_FRONT "front"
#define HW_LOG_FRONT_EVAL "front_eval"
#define HW_LOG_FRONT_ARCH "front_arch"
#define HW_LOG_FRONT_X "front_x"
#define HW_LOG_HYPERVOLUME "hypervolume"
#define HW_LOG_HYPERVOLUME_TRUE "hypervolume_true"
#define HW_LOG_IGD "igd"
#define HW_LOG_IGD_PLUS "igd_plus"
#define HW_LOG_BYTES "log_bytes"      /* summary: bytes of the log before the summary line */
#define HW_LOG_CRC32C "log_crc32c"    /* summary: their CRC-32C (hw_crc32c) */
#define HW_LOG_FILES "files"          /* metadata: [{"path", "bytes", "fnv1a64"}] of the files the problem read */
#define HW_LOG_HYPERVOLUME_MEAN "hypervolume_mean" /* summary: HV of the front's noise-free means ("noise": "sample") */
#define HW_LOG_LEVEL "log"            /* summary (levels front, summary) and config: the log level */
#define HW_LOG_LINES "log_lines"      /* summary (levels front, summary): evaluation lines written */

/* Log levels (config "log"), indexed by HW_LOG_LEVEL_NAMES. */
enum { HW_LOG_LEVEL_ALL = 0, HW_LOG_LEVEL_FRONT = 1, HW_LOG_LEVEL_SUMMARY = 2 };
extern const char *const HW_LOG_LEVEL_NAMES[]; /* "all", "front", "summary", NULL */

/* Writer ------------------------------------------------------------------ */

typedef struct {
    const char *name;            /* the config's name */
    const cJSON *config;         /* the whole config */
    uint64_t seed;
    const char *optimizer;
    long long budget;
    size_t batch;                /* genomes per ask */
    const double *ref;           /* n_obj values */
    int threads;
    const hw_file_id *files;     /* the files the problem read (hw_problem.files) */
    size_t n_files;
} hw_log_meta;

/* Appends the metadata line of a run of p. */
void hw_logw_meta(hw_jbuf *b, const hw_problem *p, const hw_log_meta *m);
/* Appends one evaluation line per genome of the batch. */
int hw_logw_evals(hw_jbuf *b, const hw_problem *p, const hw_batch_event *ev, hw_err *e);

typedef struct {
    long long evaluations;
    const hw_pareto_archive *front;       /* natural units */
    double hypervolume;
    int has_hv_true, has_igd, has_hv_mean;
    double hv_true, igd, igd_plus, hv_mean;
    int level;                   /* HW_LOG_LEVEL_*: front and summary write "log" and "log_lines" */
    uint64_t log_lines;          /* evaluation lines written (levels front and summary) */
    double wall_s;
    uint64_t log_bytes;          /* bytes written before the summary line */
    uint32_t log_crc32c;         /* their CRC-32C */
} hw_log_summary;

/* Appends the summary line. */
int hw_logw_summary(hw_jbuf *b, const hw_problem *p, const hw_log_summary *s, hw_err *e);

/* CRC-32C (Castagnoli, as iSCSI and ext4) of n bytes continuing crc (0 to
 * start): hw_crc32c(hw_crc32c(0, a), b) = hw_crc32c(0, a || b). */
uint32_t hw_crc32c(uint32_t crc, const void *p, size_t n);

/* Probe (resume detection) ------------------------------------------------ */

typedef struct {
    cJSON *meta;                 /* the first line parsed (NULL if unreadable) */
    cJSON *summary;              /* the last line, when it is a summary line; else NULL */
    int verified;                /* the summary's log_bytes, log_crc32c and evaluations match the
                                    bytes and the evaluation lines before it */
} hw_log_probe;

/* Reads path (plain or gzip): its first line, its last line and the
 * checksum of everything before the last line (uncompressed).  Returns 0 when the file cannot be opened, 1 when it
 * can (probe filled; release with hw_log_probe_free). */
int hw_log_probe_read(const char *path, hw_log_probe *pr);
void hw_log_probe_free(hw_log_probe *pr);

#endif
