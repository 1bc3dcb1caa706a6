/* space/analytic.h — exact parameter, MAC and FLOP counts of an hw_arch,
 * and the memory its weights take, equal to HW-GPT-Bench's recorded values
 * (analytic/<scale>.jsonl.gz) for every architecture.
 *
 * The profiled model (HW-GPT-Bench's gpt_base GPT, a litgpt-style decoder):
 *   wte      token embedding, V x E            (no position embedding: RoPE)
 *   per layer i (h_i heads of size 64, MLP ratio r_i):
 *     norm_1, norm_2   LayerNorm(E), weight and bias (bias even when the
 *                      linear layers have none)
 *     attn     Linear(E -> 3 * 64 h_i)   fused q, k, v
 *     proj     Linear(64 h_i -> E)
 *     fc_1, fc_2  Linear(E -> r_i E)     (LLaMA-style MLP: silu(fc_1) * fc_2)
 *     proj     Linear(r_i E -> E)
 *   ln_f     LayerNorm(E)
 *   lm_head  Linear(E -> V), no bias, not tied to wte
 * with V = HW_ANALYTIC_VOCAB = 50254 rows.  V is not GPT-2's 50257 nor its
 * padded 50304: it is what the data say.  Exact integer regression of all
 * 24335 recorded architectures on (1, n_layer, sum r, sum h) per embed dim and
 * bias gives an lm_head MAC count of exactly 50254 E per token and a
 * parameter constant of exactly (2 * 50254 + 2) E (wte + lm_head + ln_f);
 * 50254 is the vocabulary size of the GPT-NeoX tokenizer.
 *
 * Counting rules of the profiler that recorded the values (DeepSpeed's FLOPs
 * profiler): a Linear on T tokens costs T in out MACs and 2 T in out FLOPs
 * (its bias adds nothing); LayerNorm costs 5 E FLOPs per token and no MACs;
 * SiLU costs one FLOP per element (r_i E per token); the embedding lookup,
 * RoPE, the attention product inside scaled_dot_product_attention, the gating
 * product and residual additions are not counted.  Hence, with b = bias,
 * L = n_layer, R = sum_i r_i, H = sum_i h_i, T = batch * 1024 tokens
 * (batch 8 / 4 / 1 for scales s / m / l):
 *
 *   params = (2V + 2) E + L (4E + 2bE) + R (3E^2 + 2bE) + H (256E + 192b)
 *   macs   = T E (V + 3E R + 256 H)
 *   flops  = T E (2V + 5 + 10 L + (6E + 1) R + 512 H)
 *
 * Every count is exactly linear in L, R and H for a fixed (E, b), and every
 * coefficient is positive, so each metric is smallest at the smallest choice
 * of every gene (bias False) and largest at the largest (bias True).
 *
 * Weight memory: params x bytes per parameter (4 float32, 2 float16 and
 * bfloat16) in MB of 10^6 bytes — HW-GPT-Bench's memory unit
 * (torch.cuda.memory_allocated() / 1e6).  Weights only: activations and the
 * allocator's overhead are not included.
 *
 * These counts are also the analytic backend's metric rows (bottom of this
 * header). */
#ifndef HWNAS_BENCHMARK_ANALYTIC_H
#define HWNAS_BENCHMARK_ANALYTIC_H

#include <stdint.h>

#include "space/metric.h"
#include "space/space.h"

#define HW_ANALYTIC_VOCAB 50254
#define HW_ANALYTIC_SEQ_LEN 1024

int64_t hw_analytic_params(const hw_arch *a);
/* Of the profiled forward pass: profile_batch x 1024 tokens of a's scale. */
int64_t hw_analytic_macs(const hw_arch *a);
int64_t hw_analytic_flops(const hw_arch *a);
/* params x bytes_per_param / 1e6. */
double hw_analytic_memory_mb(const hw_arch *a, int bytes_per_param);

/* The architectures with the smallest and largest value of every analytic
 * metric in the space (all smallest / all largest choices). */
void hw_analytic_extreme_archs(const hw_space *sp, hw_arch *smallest, hw_arch *largest);

/* The analytic backend (space/metric.h): rows params, flops, macs
 * (HW_METRIC_INTEGER), memory_fp32, memory_fp16, memory_bf16; exact, no
 * environment, no config keys; bounds from the extreme architectures. */
extern const hw_backend hw_analytic_backend;

#endif
