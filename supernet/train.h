/* supernet/train.h — training the supernet with the sandwich rule, its
 * checkpoints, and evaluating a sub-network's validation loss.
 *
 * One step: a batch of B random windows of T+1 bytes from the training text
 * (the same batch for every sub-network of the step); forward and backward
 * of the largest, the smallest and k random sub-networks of the space, each
 * loss weighted 1/(k+2) (gradients accumulate); global gradient norm clipped
 * to `clip`; AdamW (betas 0.9/0.95, eps 1e-8, decoupled weight decay on the
 * weight matrices only — not on biases and LayerNorms); learning rate linear
 * warm-up over `warmup` steps, then cosine decay to lr/10 at `steps`.
 * Everything random in step s (windows, sub-networks) comes from PCG32
 * stream (splitmix64(seed) + s, HW_STREAM_TRAIN), so a run is deterministic
 * for a seed and thread count, and resuming from a checkpoint continues
 * bit-for-bit.
 *
 * Checkpoint file (little-endian; version SN_CKPT_VERSION):
 *   "HWSNCKPT" | u32 version | u32 header bytes | header fields (config,
 *   options, step, corpus spec and CRC32) | f32 params[n] | [f32 adam m[n],
 *   f32 adam v[n]] | u32 CRC32 of everything before it.
 * Written to NAME.tmp and renamed into place. */
#ifndef HWNAS_SUPERNET_TRAIN_H
#define HWNAS_SUPERNET_TRAIN_H

#include <stdint.h>

#include "core/error.h"
#include "space/space.h"
#include "supernet/corpus.h"
#include "supernet/supernet.h"

#define SN_CKPT_VERSION 1
#define SN_CORPUS_SPEC_LEN 256

typedef struct {
    int scale;          /* the space the sub-networks come from */
    int vocab;          /* 256: bytes */
    float rotary_frac;  /* 0.5: HW-GPT-Bench's evaluation configs */
    int steps;          /* total steps (the schedule's length) */
    int batch;          /* B sequences per step */
    int seq_len;        /* T tokens per sequence (<= the space's block size) */
    float lr;           /* peak learning rate */
    int warmup;         /* linear warm-up steps */
    float weight_decay; /* 0.1 */
    float clip;         /* 1.0 */
    int k_random;       /* random sub-networks per step besides largest and smallest: 2 */
    uint64_t seed;
} sn_train_opts;

/* Defaults for space `scale`: B 16, T = block size, lr 1e-3, warm-up 5% of
 * steps (at least 1), wd 0.1, clip 1, k 2, seed 1, rotary 0.5, V 256. */
void sn_train_opts_default(sn_train_opts *o, int scale, int steps);

typedef struct {
    sn_train_opts opts;
    sn_model model;
    float *adam_m, *adam_v;
    int64_t step;                          /* steps done */
    char corpus_spec[SN_CORPUS_SPEC_LEN];
    uint32_t corpus_crc;
    double last_loss;                      /* mean over the sandwich of the last step */
    double last_grad_norm;
    int finetune;                          /* 1 after sn_finetune_begin */
    sn_dims finetune_dims;                 /* the sub-network being fine-tuned */
} sn_trainer;

/* A fresh trainer (weights from the seed) for corpus c (loaded from spec). */
int sn_trainer_init(sn_trainer *t, const sn_train_opts *o, const char *corpus_spec, const sn_corpus *c, hw_err *e);
void sn_trainer_free(sn_trainer *t);
/* One sandwich step on c's training text. */
int sn_trainer_step(sn_trainer *t, const sn_corpus *c, hw_err *e);
/* Fine-tuning one sub-network alone from its inherited weights: the same
 * AdamW (betas, weight decay on matrices), warm-up (5% of the steps, at
 * least 1) and cosine schedule to lr/10, clipping; fresh optimizer moments;
 * one forward and backward of that sub-network per step on B random windows
 * (PCG32 stream (splitmix64(seed) + s, SN_STREAM_FINETUNE)).  Only the
 * sub-network's slice of every tensor is updated: every other weight keeps
 * its bytes.  Deterministic for a seed and thread count. */
typedef struct {
    int steps, batch, seq_len;
    float lr;
    uint64_t seed;
} sn_finetune_opts;

/* Turn a loaded trainer (weights only is enough) into a fine-tuning run of
 * arch a: step 0, the options above (scale, vocab, weight decay and clip
 * kept), gradients, a backward arena and zeroed AdamW moments.  Fails with
 * one line when a does not fit the supernet or an option is out of range. */
int sn_finetune_begin(sn_trainer *t, const sn_finetune_opts *f, const hw_arch *a, hw_err *e);
/* One fine-tuning step; t->last_loss is its training loss. */
int sn_finetune_step(sn_trainer *t, const sn_corpus *c, hw_err *e);

/* The learning rate of step s (0-based). */
double sn_lr_at(const sn_train_opts *o, int64_t s);

/* Save (with the optimizer state) / load.  Load fails with one line on a
 * wrong magic, version, size or checksum.  with_optimizer = 0 loads the
 * weights only (for evaluation). */
int sn_checkpoint_save(const sn_trainer *t, const char *path, hw_err *e);
int sn_checkpoint_load(sn_trainer *t, const char *path, int with_optimizer, hw_err *e);

/* The largest / smallest sub-network of a space (bias on / off). */
void sn_space_largest(const hw_space *sp, hw_arch *a);
void sn_space_smallest(const hw_space *sp, hw_arch *a);

/* Mean cross-entropy (nats per token) of sub-network a over the first
 * n_windows non-overlapping windows of T tokens of text (targets shifted by
 * one), B windows per forward.  Needs an arena for B x T (any kind).  Fails
 * if the text holds fewer windows. */
/* The windows loop of sn_eval_loss with any forward (the CPU's, or the GPU's
 * in supernet/cuda): forward(ctx, dims, tokens, targets, B, T, &mean loss, e). */
typedef int (*sn_window_forward)(void *ctx, const sn_dims *d, const int32_t *tok, const int32_t *tgt, int B, int T,
                                 float *loss, hw_err *e);
int sn_eval_windows(const sn_config *cfg, const hw_arch *a, const uint8_t *text, size_t n, int T, int B,
                    int n_windows, sn_window_forward forward, void *ctx, double *loss, hw_err *e);
int sn_eval_loss(sn_model *m, const hw_arch *a, const uint8_t *text, size_t n, int T, int B, int n_windows,
                 double *loss, hw_err *e);

#endif
