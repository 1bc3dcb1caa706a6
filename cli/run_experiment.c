/* run_experiment — run one experiment config (see runner/runner.h). */
#include "runner/runner.h"

int main(int argc, char **argv) { return hw_run_experiment_main(argc, argv); }
