/* supernet/profile.h — measuring architectures on this machine (`hwnas
 * profile`, `hwnas verify`; docs/own_hardware.md): the forward pass of the
 * CPU supernet (supernet.h) with random weights — latency does not depend on
 * the weights' values — timed per architecture, with energy from RAPL
 * powercap counters where the machine exposes them and the peak memory of
 * the forward pass.
 *
 * Protocol: for each architecture, `warmup` untimed forwards, then `samples`
 * timed forwards of a batch of `batch` sequences of `seq` random token ids
 * (V = 50,254, HW-GPT-Bench's shapes); one sample = one forward's wall time
 * in ms (hw_now).  Energy: the sum over the top-level RAPL zones
 * (<powercap>/intel-rapl:N/energy_uj; packages and, where present, DRAM are
 * sub-zones and already inside) read before and after each timed forward,
 * with wraparound at max_energy_range_uj, in Wh.  Memory: before the first
 * forward of an arch the activation arena is mapped afresh and the peak RSS
 * is reset (/proc/self/clear_refs, 5); the peak RSS growth over the
 * architecture's forwards (VmHWM - VmRSS before) is its activation memory,
 * to which the fp32 weights of its slice are added (the supernet's weights
 * are resident throughout, so they cannot be measured per slice).
 *
 * Output (the data layout of docs/data.md, so train-surrogates and calibrate
 * read it):
 *   DIR/latency/<S>/<NAME>.jsonl.gz   {"arch", "samples": [ms...], "unit": "ms"}
 *   DIR/energy/<S>/<NAME>.jsonl.gz    {"arch", "samples": [Wh...], "unit": "Wh"}  (RAPL only)
 *   DIR/memory/<S>/<NAME>.jsonl.gz    {"arch", "activation_mb", "weights_mb", "memory_mb", "unit": "MB"}
 *   DIR/analytic/<S>.jsonl.gz         {"arch", "flops", "macs", "params"} (space/analytic.h;
 *                                     merged with the archs already there)
 *   DIR/profile/<S>/<NAME>.json       the protocol: batch, seq, threads, CPU model, library
 *                                     versions, date, what energy and memory mean here */
#ifndef HWNAS_SUPERNET_PROFILE_H
#define HWNAS_SUPERNET_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "space/space.h"

typedef struct {
    int scale;               /* HW_SCALE_S, _M or _L */
    int batch, seq;          /* tokens per forward: batch x seq */
    int samples, warmup;     /* timed and untimed forwards per arch */
    uint64_t seed;           /* weights and tokens */
    int quiet;               /* no progress line */
    const char *powercap;    /* RAPL root (default /sys/class/powercap) */
    int cuda;                /* time the GPU forward (supernet/cuda/sn_cuda.h): latency = device
                                time by CUDA events, memory = peak device memory in use growth,
                                no energy (NVML is not read) */
} hw_profile_opts;

/* This machine's default protocol (docs/own_hardware.md): batch 1, seq 8,
 * 10 samples, 1 warm-up forward. */
void hw_profile_opts_default(hw_profile_opts *o, int scale);

/* One architecture's measurements. */
typedef struct {
    double *lat_ms;          /* samples values */
    double *energy_wh;       /* samples values, or NULL without RAPL */
    double activation_mb, weights_mb;
} hw_profile_result;

typedef struct hw_profiler hw_profiler;

/* Builds the supernet of o->scale (random weights) and opens the energy
 * counters; *why_no_energy (buf of n bytes) says why energy is not
 * measured, or is empty. */
int hw_profiler_open(const hw_profile_opts *o, hw_profiler **out, char *why_no_energy, size_t n, hw_err *e);
void hw_profiler_close(hw_profiler *p);
int hw_profiler_has_energy(const hw_profiler *p);
/* Measure arch a (of the profiler's scale) into r (arrays of o->samples,
 * owned by the caller: free with hw_profile_result_free). */
int hw_profiler_measure(hw_profiler *p, const hw_arch *a, hw_profile_result *r, hw_err *e);
void hw_profile_result_free(hw_profile_result *r);

/* Profile n archs and write DIR's files for device `name` (see above). */
int hw_profile_run(const hw_profile_opts *o, const hw_arch *archs, size_t n, const char *dir, const char *name,
                   hw_err *e);

/* RAPL energy counters (the top-level zones under root): exposed for tests. */
typedef struct {
    int n;
    char path[8][512];            /* .../intel-rapl:N/energy_uj */
    double max_uj[8];             /* max_energy_range_uj (wraparound) */
    double last_uj[8];
} hw_rapl;
/* HW_OK, or HW_EMISSING with the reason in e (no powercap, no zones, not
 * readable: the counters are root-only on kernels since 5.10). */
int hw_rapl_open(hw_rapl *r, const char *root, hw_err *e);
/* Energy in joules since the previous call (or since open), wraparound
 * handled; negative when a counter cannot be read. */
double hw_rapl_joules(hw_rapl *r);

#endif
