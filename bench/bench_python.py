#!/usr/bin/env python3
"""Speed of the Python package against the C programs (docs/python.md):

 1. querying N archs (default 100,000) in one Benchmark.query call against
    `hwnas query` on the same archs: whole-process times (python3 -c ...
    including `import hwnas` and reading the arch file, vs the hwnas
    program), median of --repeats runs each, interleaved;
 2. pymoo's NSGA-II on hwnas.pymoo.NASProblem at --evaluations (default
    5,000): the share of its wall time spent inside hwnas (the whole of
    NASProblem._evaluate, timed).

    build/venv/bin/python bench/bench_python.py [--archs N] [--evaluations N] [--repeats R] [--hwnas build/hwnas]

Run it with the interpreter hwnas is installed in (scripts/test.sh builds
build/venv)."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import hwnas

METRICS = "perplexity,latency,energy,params"


def timed(args):
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def bench_query(cli, n, repeats):
    b = hwnas.Benchmark("s", device="a100")
    with tempfile.TemporaryDirectory() as tmp:
        archs = os.path.join(tmp, "archs.txt")
        with open(archs, "w") as f:
            f.write("\n".join(b.sample_archs(n, seed=1)) + "\n")
        py = ("import sys, hwnas; archs = open(sys.argv[1]).read().split(); "
              f"r = hwnas.Benchmark('s', device='a100').query(archs, '{METRICS}'.split(',')); "
              "assert len(r['latency']) == len(archs)")
        t_py, t_c = [], []
        for _ in range(repeats):
            t_c.append(timed([cli, "query", "--device", "a100", "--metrics", METRICS, "--arch-file", archs]))
            t_py.append(timed([sys.executable, "-c", py, archs]))
    c, p = statistics.median(t_c), statistics.median(t_py)
    print(f"query {n} archs, metrics {METRICS}: hwnas query {c:.3f} s, python Benchmark.query {p:.3f} s "
          f"(whole processes, median of {repeats}): ratio {p / c:.2f}")
    return p / c


def bench_pymoo(evaluations):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
    import pymoo_nsga2
    from pymoo.optimize import minimize
    from hwnas.pymoo import NASProblem

    problem = NASProblem(scale="s", device="a100", objectives=["perplexity", "latency"])
    inside = [0.0]
    evaluate = problem._evaluate

    def timed_evaluate(*args, **kwargs):  # the time inside hwnas: the whole _evaluate, conversions included
        t = time.perf_counter()
        evaluate(*args, **kwargs)
        inside[0] += time.perf_counter() - t

    problem._evaluate = timed_evaluate
    t0 = time.perf_counter()
    res = minimize(problem, pymoo_nsga2.nsga2(100), ("n_evals", evaluations), seed=1, verbose=False)
    wall = time.perf_counter() - t0
    print(f"pymoo NSGA-II, {res.algorithm.evaluator.n_eval} evaluations: {wall:.2f} s in all, "
          f"{inside[0]:.3f} s inside hwnas (NASProblem._evaluate): {100 * inside[0] / wall:.1f} %")
    return inside[0] / wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archs", type=int, default=100000)
    ap.add_argument("--evaluations", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--hwnas", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build",
                                                    "hwnas"))
    a = ap.parse_args()
    bench_query(a.hwnas, a.archs, a.repeats)
    bench_pymoo(a.evaluations)


if __name__ == "__main__":
    main()
