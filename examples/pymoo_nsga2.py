#!/usr/bin/env python3
"""pymoo's NSGA-II on HW-GPT-Bench's GPT-S space through hwnas's surrogates
(perplexity vs A100 latency), one C call per population (docs/python.md).

    python3 examples/pymoo_nsga2.py [--evaluations N] [--pop-size P] [--seed S]"""
import argparse
import time

import numpy as np
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.operators.repair.rounding import RoundingRepair
from pymoo.operators.sampling.rnd import IntegerRandomSampling
from pymoo.optimize import minimize

from hwnas.pymoo import NASProblem


def nsga2(pop_size):
    """NSGA-II with pymoo's integer operators (SBX and PM rounded)."""
    return NSGA2(pop_size=pop_size, sampling=IntegerRandomSampling(),
                 crossover=SBX(prob=0.9, eta=15, vtype=float, repair=RoundingRepair()),
                 mutation=PM(eta=20, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--evaluations", type=int, default=5000)
    ap.add_argument("--pop-size", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    problem = NASProblem(scale="s", device="a100", objectives=["perplexity", "latency"])
    t0 = time.perf_counter()
    res = minimize(problem, nsga2(a.pop_size), ("n_evals", a.evaluations), seed=a.seed, verbose=False)
    wall = time.perf_counter() - t0
    order = np.argsort(res.F[:, 0])
    print(f"{res.algorithm.evaluator.n_eval} evaluations in {wall:.2f} s; front of {len(res.F)}:")
    for arch, f in zip(problem.archs(res.X[order]), res.F[order]):
        print(f"  perplexity {f[0]:7.3f}  latency {f[1]:7.3f} ms  {arch}")


if __name__ == "__main__":
    main()
