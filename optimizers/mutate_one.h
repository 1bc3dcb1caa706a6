/* optimizers/mutate_one.h — the single-parent mutation shared by MOREA and
 * Pareto local search (change exactly one gene, optionally plus a few more),
 * and the genome checks for problems with inert genes.
 *
 * A chosen categorical gene moves to a different value, uniformly among the
 * other n_cat - 1 (a gene with one choice stays).  A chosen real gene gets
 * the bounded polynomial mutation of hw_var_mutate (Deb & Goyal 1996) with
 * distribution index eta_m, i.e. a step whose spread scales with the range
 * [lo, hi] and shrinks as eta_m grows; it stays inside the bounds.
 *
 * Inert genes.  A problem whose genome has genes that do not change the
 * design (the hwgpt problem's genes of layers >= n_layer) says so through
 * its canonicalize hook (benchmark/problem.h): two genomes are one design
 * when their canonical genomes are equal.  On a problem without the hook all
 * genes count.  Only the problem interface is used here. */
#ifndef HWNAS_OPTIMIZERS_MUTATE_ONE_H
#define HWNAS_OPTIMIZERS_MUTATE_ONE_H

#include "benchmark/problem.h"
#include "core/rng.h"

/* Mutate gene g of x (see above). */
void hw_mutate_gene(const hw_problem *p, hw_rng *r, double *x, int g, double eta_m);

/* Mutate one gene chosen uniformly at random — with skip_inert, uniformly
 * among the genes that change the architecture (a draw that picks an inert
 * gene is redrawn) — then, if extra_rate > 0, every other gene independently
 * with probability extra_rate.  Returns the gene certainly mutated. */
int hw_mutate_one(const hw_problem *p, hw_rng *r, double *x, double eta_m, double extra_rate,
                  int skip_inert);

/* 1 if a and b differ only in inert genes (same design: canonicalize(a) ==
 * canonicalize(b)) — on problems without the hook, 1 if they are identical. */
int hw_genome_same_design(const hw_problem *p, const double *a, const double *b);

/* 1 if x is its own canonical genome (hwgpt: every inert gene holds 0, the
 * form hw_arch_to_genome writes), so that each design has exactly one
 * canonical genome; always 1 on problems without the hook. */
int hw_genome_canonical(const hw_problem *p, const double *x);

/* Write the canonical genome of x's design into x; returns 1 if genes
 * [0, n_check) already held their canonical values. */
int hw_genome_canonicalize(const hw_problem *p, double *x, int n_check);

#endif
