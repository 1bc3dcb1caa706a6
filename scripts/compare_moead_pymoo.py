#!/usr/bin/env python3
"""Compare the final population of hwnas's MOEA/D with pymoo's MOEA/D on the
same problems, budgets and weight vectors, over several seeds.

    python3 scripts/compare_moead_pymoo.py [--build build] [--seeds 5]
                                           [--problems dtlz2,zdt1]
                                           [--optimizer JSON] [--pymoo-decomposition auto]

For each problem (DTLZ2: 3 objectives, 12 variables, 30,000 evaluations;
ZDT1: 30 variables, 25,000 evaluations) and seed:
  * hwnas: `bench_moead` runs the `moead` optimizer (config --optimizer,
    default {"name": "moead"}) and writes its weight vectors and final
    population;
  * pymoo: pymoo.algorithms.moo.moead.MOEAD with those same weights (the
    Das-Dennis lattice for population 100: 105 weights in 3 objectives, 100 in
    2), T = 20 neighbours, delta = 0.9, SBX(prob 1, eta 20), PM(1/n_var,
    eta 20) and pymoo's default decomposition (Tchebycheff for 2 objectives,
    PBI theta 5 for more; --pymoo-decomposition forces one).
Both final populations are scored with the project's exact hypervolume
(`hwnas hv`, reference 1.1 per objective) and divided by the true front's
closed-form HV (ZDT1: 1.21 - 1/3; DTLZ2: 1.1^3 - pi/6).  Both get the same
number of evaluations: whole generations of the population size, the most
that fit in the budget (pymoo's MOEA/D stops only at a generation's end).
Prints the per-seed ratios and the medians; also hwnas's HV ratio of all
evaluations (the run_experiment summary's front).

pymoo is an optional comparison only, never a dependency of the build or the
tests: without it the script says so and exits 0 (skipped).  Install it in a
virtual environment, e.g.
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pymoo
    /tmp/venv/bin/python scripts/compare_moead_pymoo.py
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PROBLEMS = {
    "dtlz2": {"config": {"name": "dtlz2", "n_obj": 3, "n_var": 12}, "evals": 30000, "m": 3,
              "true_hv": 1.1 ** 3 - math.pi / 6},
    "zdt1": {"config": {"name": "zdt1", "n_var": 30}, "evals": 25000, "m": 2,
             "true_hv": 1.21 - 1.0 / 3.0},
}


def hv(build, path, m):
    out = subprocess.run([os.path.join(build, "hwnas"), "hv", "--ref", ",".join(["1.1"] * m), path],
                         check=True, capture_output=True, text=True).stdout
    return float(out)


def run_hwnas(build, prob, optimizer, seeds, evals, workdir):
    cmd = [os.path.join(build, "bench_moead"), "--problem", json.dumps(prob["config"]),
           "--optimizer", optimizer, "--seeds", str(seeds), "--evals", str(evals), "--write", workdir]
    lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    pop, alle = [], []
    for r in rows:
        if r.get("median"):
            continue
        path = os.path.join(workdir, "population_seed%d.txt" % r["seed"])
        pop.append(hv(build, path, prob["m"]) / prob["true_hv"])
        alle.append(r["all_evaluations"])
    return pop, alle


def run_pymoo(build, name, prob, weights, seed, evals, decomposition, workdir):
    import numpy as np
    from pymoo.algorithms.moo.moead import MOEAD
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.optimize import minimize
    from pymoo.problems import get_problem

    kw = {}
    if decomposition == "tchebycheff":
        from pymoo.decomposition.tchebicheff import Tchebicheff
        kw["decomposition"] = Tchebicheff()
    elif decomposition == "pbi":
        from pymoo.decomposition.pbi import PBI
        kw["decomposition"] = PBI(theta=5)
    cfg = prob["config"]
    problem = get_problem(name, n_var=cfg["n_var"], **({"n_obj": cfg["n_obj"]} if "n_obj" in cfg else {}))
    alg = MOEAD(weights, n_neighbors=20, prob_neighbor_mating=0.9, crossover=SBX(prob=1.0, eta=20),
                mutation=PM(eta=20), **kw)
    res = minimize(problem, alg, ("n_eval", evals), seed=seed, verbose=False)
    n_eval = res.algorithm.evaluator.n_eval
    if n_eval != evals:
        raise SystemExit("pymoo ran %d evaluations, expected %d" % (n_eval, evals))
    path = os.path.join(workdir, "pymoo_%s_seed%d.txt" % (name, seed))
    np.savetxt(path, res.algorithm.pop.get("F"), fmt="%.17g")
    return hv(build, path, prob["m"]) / prob["true_hv"]


def fmt(v):
    return " ".join("%.4f" % x for x in v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--problems", default="dtlz2,zdt1")
    ap.add_argument("--optimizer", default='{"name": "moead"}', help="hwnas's optimizer config (JSON)")
    ap.add_argument("--pymoo-decomposition", default="auto", choices=["auto", "tchebycheff", "pbi"])
    args = ap.parse_args()
    try:
        import numpy as np
        import pymoo
    except ImportError:
        print("compare_moead_pymoo: skipped: pymoo is not installed for %s (pip install pymoo in a "
              "virtual environment and run the script with its python)" % sys.executable)
        return 0
    for tool in ("bench_moead", "hwnas"):
        if not os.access(os.path.join(args.build, tool), os.X_OK):
            print("compare_moead_pymoo: %s/%s is missing: build the project first" % (args.build, tool),
                  file=sys.stderr)
            return 2
    names = [n for n in args.problems.split(",") if n]
    for n in names:
        if n not in PROBLEMS:
            print("compare_moead_pymoo: --problems: unknown problem '%s' (expected %s)"
                  % (n, ", ".join(PROBLEMS)), file=sys.stderr)
            return 2
    print("pymoo %s; hwnas optimizer %s; %d seeds; HV of the final population / true front's HV"
          % (pymoo.__version__, args.optimizer, args.seeds))
    for name in names:
        prob = PROBLEMS[name]
        with tempfile.TemporaryDirectory() as workdir:
            # the weights first (one short run), to size the budget in whole generations
            subprocess.run([os.path.join(args.build, "bench_moead"), "--problem", json.dumps(prob["config"]),
                            "--optimizer", args.optimizer, "--seeds", "1", "--evals", "1", "--write", workdir],
                           check=True, capture_output=True)
            weights = np.loadtxt(os.path.join(workdir, "weights.txt"), ndmin=2)
            n = len(weights)
            evals = prob["evals"] // n * n
            ours, alle = run_hwnas(args.build, prob, args.optimizer, args.seeds, evals, workdir)
            theirs = [run_pymoo(args.build, name, prob, weights, s, evals, args.pymoo_decomposition, workdir)
                      for s in range(1, args.seeds + 1)]
        print("%s: %d weights, %d evaluations" % (name, n, evals))
        print("  hwnas final population  median %.4f  (%s)" % (statistics.median(ours), fmt(ours)))
        print("  pymoo final population  median %.4f  (%s)" % (statistics.median(theirs), fmt(theirs)))
        print("  hwnas all evaluations   median %.4f  (%s)" % (statistics.median(alle), fmt(alle)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
