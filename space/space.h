/* space/space.h — the GPT search spaces, architectures, their genomes and
 * HW-GPT-Bench's arch string.
 *
 * A space is pure data (hw_space): the choices for embedding dimension, layer
 * count, per-layer MLP ratio and head count, and bias.  HW-GPT-Bench's three
 * scales s, m, l are built in; tiny spaces for the in-repo supernet are added
 * as more table entries.
 *
 * Genome layout (every gene categorical, stored as a double holding the choice
 * index 0..k-1):
 *   gene 0                    embed_dim index
 *   gene 1                    n_layer index
 *   genes 2 .. 2+L-1          mlp_ratio index of layer i   (L = max layers)
 *   genes 2+L .. 2+2L-1       n_head index of layer i
 *   gene 2+2L                 bias index (0 = True, 1 = False)
 * Genes of layers i >= n_layer are inert: they do not change the architecture.
 *
 * Arch string: "gpt-" scale "-" n_layer "-" embed "-" mlp_0..mlp_{n-1} "-"
 *              heads_0..heads_{n-1} "-" True|False */
#ifndef HWNAS_BENCHMARK_SPACE_H
#define HWNAS_BENCHMARK_SPACE_H

#include <stddef.h>

#include "core/error.h"
#include "core/rng.h"

#define HW_MAX_LAYERS 36
#define HW_ARCH_STRLEN 512

/* HW_N_SCALES counts HW-GPT-Bench's scales (the ones with data, surrogates
 * and predictors); xs and xxs are small spaces of the same structure for
 * training the in-repo supernet (supernet/), after them. */
typedef enum {
    HW_SCALE_S = 0, HW_SCALE_M = 1, HW_SCALE_L = 2, HW_N_SCALES = 3,
    HW_SCALE_XS = 3, HW_SCALE_XXS = 4, HW_N_SPACES = 5
} hw_scale;

typedef struct {
    const char *name;       /* "s", "m", "l", "xs", "xxs" */
    int scale;              /* hw_scale */
    int n_embed;  int embed[3];
    int n_layers; int layers[3];   /* ascending */
    int n_mlp;    int mlp[3];
    int n_heads;  int heads[3];
    int max_layers;         /* = layers[n_layers-1] */
    int head_size;          /* 64 */
    int block_size;         /* 1024 tokens (xs 256, xxs 32) */
    int vocab_size;         /* 50257 (padded: see analytic.h) */
    int profile_batch;      /* batch of the profiled forward pass: 8, 4, 1 (xs, xxs: 1) */
} hw_space;

typedef struct {
    int scale;                       /* hw_scale */
    int embed_dim;
    int n_layer;
    int mlp_ratio[HW_MAX_LAYERS];    /* entries >= n_layer are 0 */
    int n_head[HW_MAX_LAYERS];       /* entries >= n_layer are 0 */
    int bias;                        /* 1 = True */
} hw_arch;

/* Any space, 0 .. HW_N_SPACES-1. */
const hw_space *hw_space_get(int scale);
/* "s" | "m" | "l" | "xs" | "xxs" -> space; NULL if unknown. */
const hw_space *hw_space_by_name(const char *name);
/* HW-GPT-Bench's scales only (s, m, l: the ones surrogates and data exist
 * for); fails with "unknown scale 'x' (expected s, m or l)". */
int hw_space_lookup(const char *name, const hw_space **out, hw_err *e);

/* A comma-separated scale list ("s,m,l", "m"): want[scale] = 1 for each
 * named scale.  Fails on an empty, unknown or repeated entry. */
int hw_scale_list_parse(const char *spec, int want[HW_N_SCALES], hw_err *e);

int hw_space_n_genes(const hw_space *sp);
/* Number of choices for gene g. */
int hw_space_gene_choices(const hw_space *sp, int g);

/* Parse an arch string; the scale comes from the string.  If sp != NULL the
 * string's scale must match it.  Errors say what is wrong (field count, value
 * not in the space, bad bias word, ...). */
int hw_arch_parse(const char *s, const hw_space *sp, hw_arch *a, hw_err *e);
/* Write the arch string; returns its length (snprintf semantics). */
int hw_arch_format(const hw_arch *a, char *buf, size_t n);
/* Check every field of a against its space. */
int hw_arch_validate(const hw_arch *a, hw_err *e);

/* Genome <-> arch.  from_genome rounds each gene to the nearest index and
 * clamps into range.  to_genome writes 0 into inert genes. */
void hw_arch_from_genome(const hw_space *sp, const double *x, hw_arch *a);
void hw_arch_to_genome(const hw_arch *a, double *x);
/* Uniform over the genome (all genes, inert ones too): embed, n_layer,
 * each layer's mlp ratio and heads and bias independent and uniform. */
void hw_arch_sample(const hw_space *sp, hw_rng *r, hw_arch *a);

/* Index of value v in choices, or -1. */
int hw_choice_index(const int *choices, int n, int v);

#endif
