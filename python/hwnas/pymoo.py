"""hwnas.pymoo: HW-GPT-Bench's NAS genome as a pymoo Problem.

    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.optimize import minimize
    from hwnas.pymoo import NASProblem
    problem = NASProblem(scale="s", device="a100", objectives=["perplexity", "latency"])
    res = minimize(problem, NSGA2(pop_size=100), ("n_evals", 5000), seed=1)

Variables: the genome of the scale (space/space.h), one integer choice
index per gene in [0, choices-1] (pymoo's integer operators: see
examples/pymoo_nsga2.py); objectives: the metrics, all minimised, in natural
units.  _evaluate is vectorised: one C call per population
(Benchmark.query_genomes)."""
import numpy as np
from pymoo.core.problem import Problem

from .benchmark import Benchmark


class NASProblem(Problem):
    def __init__(self, scale="s", device="a100", objectives=("perplexity", "latency"), noise="mean", seed=0,
                 models=None, **kwargs):
        self.bench = Benchmark(scale=scale, device=device, noise=noise, seed=seed, models=models)
        self.objectives = list(objectives)
        self.bench.metric_flags(self.objectives)  # validates the names now
        choices = np.asarray(self.bench.genome_choices)
        super().__init__(n_var=len(choices), n_obj=len(self.objectives), xl=np.zeros(len(choices)),
                         xu=choices - 1, vtype=int, **kwargs)

    def archs(self, X):
        """The arch strings of a population (n x n_var)."""
        return self.bench.genomes_to_archs(np.rint(np.asarray(X, dtype=float)))

    def _evaluate(self, X, out, *args, **kwargs):
        x = np.clip(np.rint(np.asarray(X, dtype=float)), self.xl, self.xu)
        r = self.bench.query_genomes(x, self.objectives)  # one C call
        out["F"] = np.column_stack([np.asarray(r[m], dtype=float) for m in self.objectives])
