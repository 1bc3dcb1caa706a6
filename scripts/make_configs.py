#!/usr/bin/env python3
"""Write the shipped experiment configs (experiments/*.json).

    python3 scripts/make_configs.py               # rewrite experiments/
    python3 scripts/make_configs.py --root DIR    # write DIR/experiments/ instead

Three families, one config per optimizer in each:
  experiments/<opt>.json              NAS: GPT-S space, surrogate backend,
                                      perplexity vs A100 latency (the issue's
                                      "NAS-s" problem); EAs 5,000 evaluations x
                                      5 seeds, Bayesian optimization 100 x 10.
  experiments/nas100/<opt>.json       the same problem at 100 evaluations x 10
                                      seeds for every optimizer (populations
                                      scaled down), to compare BO fairly.
  experiments/validation/<p>_<opt>.json
                                      ZDT1 / ZDT2 (30 variables, 25,000
                                      evaluations) and DTLZ2 (3 objectives,
                                      12 variables, 30,000 evaluations), 5
                                      seeds; BO at 100 evaluations on ZDT1 /
                                      ZDT2 with 6 variables and DTLZ2 with 5,
                                      10 seeds.
experiments/nsga2_energy.json, experiments/nsga2_3obj.json,
experiments/nsga2_3obj_devices.json (HW-GPT-Bench's 3-objective case, an
objective per device), experiments/supernet_nsga2.json and
experiments/grid_devices.json (docs/run_experiment.md's grid) are written by
hand and left alone.  Only the standard library; the
output is deterministic.
"""
import argparse
import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

NAS = {"name": "hwgpt", "backend": "surrogate", "scale": "s", "device": "a100",
       "noise": "mean", "objectives": ["perplexity", "latency"]}

OPTIMIZERS = {
    "random_search": ("random search", {}),
    "grid_search": ("grid search (seeded shuffled enumeration)", {}),
    "nsga2": ("NSGA-II", {"population_size": 100}),
    "moead": ("MOEA/D (Tchebycheff; adjusted Tchebycheff from 3 objectives; SBX)", {"population_size": 100}),
    "morea": ("MOREA (multi-objective regularized evolution)",
              {"population_size": 100, "sample_size": 10}),
    "local_search": ("Pareto local search", {}),
    "rsbo": ("Bayesian optimization, random scalarizations", {}),
    "lsbo": ("Bayesian optimization, linear scalarizations", {}),
    "ehvi": ("Bayesian optimization, expected hypervolume improvement", {}),
}
BO = {"rsbo", "lsbo", "ehvi"}

# Smaller populations for a 100-evaluation budget.
SMALL = {
    "nsga2": {"population_size": 20},
    "moead": {"population_size": 20, "neighbourhood_size": 5},
    "morea": {"population_size": 20, "sample_size": 5},
}


def write(root, path, cfg):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("{\n")
        items = list(cfg.items())
        for i, (k, v) in enumerate(items):
            f.write("  %s: %s%s\n" % (json.dumps(k), json.dumps(v), "," if i + 1 < len(items) else ""))
        f.write("}\n")


def config(name, desc, problem, opt, params, evals, seeds, ref, output):
    return {
        "name": name,
        "description": desc,
        "problem": problem,
        "optimizer": dict({"name": opt}, **params),
        "budget": {"evaluations": evals},
        "seeds": list(range(1, seeds + 1)),
        "reference_point": ref,
        "output": output,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=ROOT,
                    help="write ROOT/experiments/... (default: this repository, %(default)s)")
    root = ap.parse_args(argv).root
    for opt, (label, params) in OPTIMIZERS.items():
        bo = opt in BO
        evals, seeds = (100, 10) if bo else (5000, 5)
        write(root, "experiments/%s.json" % opt, config(
            "%s_hwgpt_s_perplexity_latency_a100" % opt,
            "%s on HW-GPT-Bench's GPT-S space with the shipped surrogates: perplexity vs "
            "A100 latency (ms), predicted means; %d evaluations x %d seeds." % (label, evals, seeds),
            NAS, opt, params, evals, seeds, [1.1, 1.1], "results"))
        small = SMALL.get(opt, params)
        write(root, "experiments/nas100/%s.json" % opt, config(
            "nas100_%s" % opt,
            "%s on the NAS-s problem (GPT-S, surrogate perplexity vs A100 latency) at 100 "
            "evaluations x 10 seeds, the budget of the Bayesian-optimization comparison." % label,
            NAS, opt, small, 100, 10, [1.1, 1.1], "results/nas100"))
        for prob, n_var, n_obj, big in (("zdt1", 30, 2, 25000), ("zdt2", 30, 2, 25000),
                                        ("dtlz2", 12, 3, 30000)):
            if bo:
                n_var = 6 if prob.startswith("zdt") else 5
                evals, seeds = 100, 10
                p = small
            else:
                evals, seeds = big, 5
                p = params
            problem = {"name": prob, "n_var": n_var}
            if prob == "dtlz2":
                problem["n_obj"] = n_obj
            write(root, "experiments/validation/%s_%s.json" % (prob, opt), config(
                "%s_%s" % (prob, opt),
                "Validation: %s on %s (%d variables%s), %d evaluations x %d seeds."
                % (label, prob.upper(), n_var, ", %d objectives" % n_obj if prob == "dtlz2" else "",
                   evals, seeds),
                problem, opt, p, evals, seeds, [1.1] * n_obj, "results/validation"))


if __name__ == "__main__":
    main()
