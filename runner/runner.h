/* runner/runner.h — runs one experiment config: builds the problem and the
 * optimizer, drives ask/evaluate/tell within the budget (batches evaluated
 * in parallel with OpenMP), writes one JSON Lines trajectory log per seed and
 * the summary.  Programs call hw_run_experiment_main; tests may call it too. */
#ifndef HWNAS_RUNNER_RUNNER_H
#define HWNAS_RUNNER_RUNNER_H

/* The whole run_experiment program: argument parsing, validation, running,
 * printing.  Returns the process exit status (0 ok, 2 bad input, 1 failure). */
int hw_run_experiment_main(int argc, char **argv);

#endif
