/* supernet/supernet_backend.h — the `supernet` metric backend
 * (space/metric.h, registered in benchmark/backends.def): metrics of an
 * architecture measured on a trained weight-sharing supernet checkpoint
 * (supernet/train.h) on this machine.
 *
 * Rows:
 *   perplexity  exp(mean cross-entropy per byte) of the sub-network over the
 *               first eval_windows non-overlapping windows of T = block size
 *               bytes of the checkpoint's validation text (sn_eval_loss with
 *               8 windows per forward: the same numbers as
 *               `hwnas supernet eval --eval-windows W`, bit for bit)
 *   params      the slice's parameter count at the checkpoint's vocabulary
 *               (exact)
 *   latency     ms: median wall time of latency_runs CPU forward passes at
 *               batch 1 x T on this machine, after one warm-up pass.  A
 *               measurement: not reproducible between runs or machines.
 * Every arch is measured at most once per open environment: perplexity and
 * latency are cached by the canonical arch string, so a re-evaluated arch
 * costs nothing and its latency stays the same within a run.
 *
 * Config keys (read by open):
 *   checkpoint     the supernet checkpoint (default: sn_default_checkpoint);
 *                  its space must be the problem's scale
 *   eval_windows   windows for perplexity (default SN_BACKEND_EVAL_WINDOWS:
 *                  16 x 256 = 4,096 bytes on xs)
 *   latency_runs   timed forward passes per arch (default 3)
 *
 * Threads: unlike the other backends the environment is mutable (activation
 * arena, cache); every eval and bounds call takes the environment's lock, so
 * calls are safe from any thread but run one at a time.  The hwgpt problem
 * evaluates it in HW_EVAL_BATCH mode (pieces of SN_BACKEND_BATCH archs on one
 * thread); the matrix products inside use OpenBLAS's threads. */
#ifndef HWNAS_SUPERNET_SUPERNET_BACKEND_H
#define HWNAS_SUPERNET_SUPERNET_BACKEND_H

#include <stddef.h>

#include "space/metric.h"

#define SN_BACKEND_EVAL_WINDOWS 16
#define SN_BACKEND_EVAL_BATCH 8     /* windows per forward pass (as `hwnas supernet eval`) */
#define SN_BACKEND_LATENCY_RUNS 3
#define SN_BACKEND_BATCH 8          /* the hwgpt problem's batch_size with this backend */
#define SN_CKPT_ENV "HWNAS_SUPERNET_CKPT"

extern const hw_backend hw_supernet_backend;

/* The default checkpoint path into buf (returned): env HWNAS_SUPERNET_CKPT,
 * else the installed <dir of the program>/../share/hwnas/supernet/xs.ckpt
 * when it exists, else the source tree's supernet/models/xs.ckpt (which may
 * not exist: training it is a separate step, docs/supernet.md). */
const char *sn_default_checkpoint(char *buf, size_t n);

/* What an open environment has done so far (for tests and logs). */
typedef struct {
    long long perplexity_evals;     /* sub-networks whose perplexity was computed */
    long long latency_measurements; /* sub-networks whose latency was timed */
    long long cache_hits;           /* perplexity / latency requests served from the cache */
} sn_backend_stats;

void sn_backend_get_stats(const void *env, sn_backend_stats *s);

#endif
