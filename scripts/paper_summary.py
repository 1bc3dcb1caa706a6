#!/usr/bin/env python3
"""summary.md of scripts/reproduce_paper.sh: what was run, which HW-GPT-Bench
analysis each output corresponds to, the ranks and tests, and where and why
our numbers differ.  Reads DIR/summary.csv, DIR/stats.csv (every optimizer
at the BO budget), DIR/stats_no_bo.csv (the others at the full budget),
DIR/*.out.json.

    scripts/paper_summary.py --out DIR --elapsed SECONDS --quick 0|1 --evals N --bo-evals M > DIR/summary.md
"""
import argparse
import csv
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402


def runs_of(out):
    n_runs, n_evals, wall = 0, 0, 0.0
    for p in sorted(glob.glob(os.path.join(out, "*.out.json"))):
        with open(p) as f:
            last = f.read().strip().splitlines()[-1]
        for r in json.loads(last)["runs"]:
            n_runs += 1
            n_evals += r.get("evaluations", 0)
            wall += r.get("wall_s", 0.0) or 0.0
    return n_runs, n_evals, wall


def read_stats(path):
    """(average ranks, Friedman values, Nemenyi CD list, IQM per optimizer, number of problems) of a stats CSV."""
    stats = list(csv.DictReader(open(path)))
    ranks = {r["optimizer"]: float(r["value"]) for r in stats if r["test"] == "average_rank" and r["statistic"] == "rank"}
    fried = {r["statistic"]: r["value"] or "nan" for r in stats if r["test"] == "friedman"}
    cd = [r["value"] for r in stats if r["test"] == "nemenyi" and r["statistic"] == "cd"]
    iqm = {}
    for r in stats:
        if r["test"] == "iqm":
            iqm.setdefault(r["optimizer"], {})[r["statistic"]] = float(r["value"])
    n_probs = [int(float(r["value"])) for r in stats if r["test"] == "average_rank" and r["statistic"] == "n_problems"]
    return ranks, fried, cd, iqm, max(n_probs) if n_probs else 0


def rank_table(w, title, stats):
    ranks, fried, cd, iqm, n_probs = stats
    w("\n## %s (%d problems)\n\n| optimizer | average rank | IQM of normalised HV [95 %% CI] |\n|---|---|---|\n"
      % (title, n_probs))
    for o in sorted(ranks, key=ranks.get):
        q = iqm.get(o, {})
        w("| %s | %.2f | %s |\n" % (plotlib.human_name(o), ranks[o],
                                    "%.4f [%.4f, %.4f]" % (q["iqm"], q["ci_lo"], q["ci_hi"]) if "iqm" in q else ""))
    if fried:
        w("\nFriedman chi2 = %.2f (p = %.3g), Iman-Davenport F = %.2f (p = %.3g); Nemenyi CD = %s.\n"
          % (float(fried.get("chi2", "nan")), float(fried.get("p_value", "nan")), float(fried.get("iman_davenport_f", "nan")),
             float(fried.get("p_value_f", "nan")), "%.2f" % float(cd[0]) if cd else "n/a"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--elapsed", type=int, required=True)
    ap.add_argument("--quick", type=int, choices=[0, 1], default=0)
    ap.add_argument("--evals", type=int, default=200, help="evaluations per run of the non-BO optimizers")
    ap.add_argument("--bo-evals", type=int, default=100, help="evaluations per run of the Bayesian optimizers")
    a = ap.parse_args()
    n_runs, n_evals, wall = runs_of(a.out)
    every = read_stats(os.path.join(a.out, "stats.csv"))
    no_bo = read_stats(os.path.join(a.out, "stats_no_bo.csv"))
    summ = list(csv.DictReader(open(os.path.join(a.out, "summary.csv"))))
    budgets = sorted({int(r["budget"]) for r in summ})
    bo = sorted({r["optimizer"] for r in summ if r["optimizer"] in ("rsbo", "lsbo", "ehvi")},
                key=plotlib.optimizer_order(["rsbo", "lsbo", "ehvi"]).index)
    bo_names = ", ".join(plotlib.human_name(o) for o in bo) or "none"
    w = sys.stdout.write
    w("# Reproducing HW-GPT-Bench's optimizer comparison with hwnas%s\n\n" % (" (--quick)" if a.quick else ""))
    w("Made by `scripts/reproduce_paper.sh%s`: %d runs, %d evaluations (surrogate backend, noise-free means), "
      "%.1f s of run wall time summed over runs, %d s for the whole script (figures included) on a 2-core machine.\n\n"
      % (" --quick" if a.quick else "", n_runs, n_evals, wall, a.elapsed))
    w("## Outputs and the HW-GPT-Bench analysis each corresponds to\n\n")
    w("| output | HW-GPT-Bench analysis | ours |\n|---|---|---|\n")
    w("| `hv_*.png` | hypervolume over evaluations (mean, band std/sqrt(#evaluations)) | mean with a band of one standard error over seeds (std/sqrt(#seeds)), over evaluations and over wall time, log x axis; objectives normalised with the surrogate's range over the search space, reference point 1.1; the Bayesian optimizers' curves end at %d evaluations |\n" % a.bo_evals)
    w("| `eaf_s.png`, `eaf.csv` | median attainment surfaces (25-75 %% band) | exact surfaces from `hwnas eaf` (checked against moocore), natural units, every optimizer at %d evaluations (the Bayesian optimizers' budget) |\n" % a.bo_evals)
    w("| `fronts_s_latency_devices.png` | Pareto fronts across devices | non-dominated set of all seeds' final fronts per optimizer and device |\n")
    w("| `fronts_3obj_l.png` | 3-objective fronts (perplexity, A100 latency, Xeon Gold energy, GPT-L) | the same objectives (`\"objectives\": [\"perplexity\", \"latency@a100\", \"energy@cpu_xeon_gold\"]`: each per-device objective on its own device), pairwise projections |\n")
    w("| `cd.png`, `stats.csv`, `stats_no_bo.csv` | (none; the paper reports per-problem curves only) | average ranks, Friedman / Iman-Davenport, Nemenyi CD, Wilcoxon-Holm, IQM with bootstrap CI: every optimizer at %d evaluations (`stats.csv`, `cd.png`), the non-BO ones also at %d (`stats_no_bo.csv`) |\n" % (a.bo_evals, a.evals))
    w("| `summary.csv`, `summary_runs_normalised.csv` | normalised hypervolume per optimizer and problem | mean, SE, median, IQR over seeds at budgets %s (the Bayesian optimizers' rows stop at %d: they are compared at budgets <= %d); the second normalises by the runs' own range (HW-GPT-Bench's [0, 1] normalisation) |\n"
      % (", ".join(map(str, budgets)), a.bo_evals, a.bo_evals))
    if os.path.exists(os.path.join(a.out, "kendall_s.png")):
        w("| `kendall_s.png` | Kendall-tau correlation maps of metrics and devices | from the surrogates' predictions on 200 architectures random search sampled uniformly (GPT-S), and, when HW-GPT-Bench's data are present, from the measured means of the architectures every latency/energy file holds (the measured map is much weaker than the surrogates': measurement noise, and surrogates that rank by size more consistently than the devices do) |\n")
    rank_table(w, "Average ranks of every optimizer at %d evaluations (the Bayesian optimizers' budget)" % a.bo_evals, every)
    rank_table(w, "Average ranks without the Bayesian optimizers at %d evaluations" % a.evals, no_bo)
    w("\n## Where and why our numbers differ from HW-GPT-Bench\n\n")
    w("- **Band of the hypervolume curves**: HW-GPT-Bench divides the standard deviation by the square root of the number of "
      "evaluations, which shrinks the band as a run grows and does not measure the spread across seeds; we divide by the "
      "square root of the number of seeds (a standard error of the mean over runs).\n")
    w("- **Normalisation**: `summary.csv` normalises with the surrogate's range over the whole search space (fixed per "
      "problem, comparable across studies); HW-GPT-Bench normalises by the observed range ([0, 1]), which is "
      "`summary_runs_normalised.csv`. Absolute values differ; ranks rarely do.\n")
    w("- **Objectives are surrogate means** (noise-free, `noise: mean`); HW-GPT-Bench's runs query its own predictors "
      "(the MLP for perplexity, GP/ensemble surrogates for hardware) and draw each hardware value from N(mean, std), so "
      "fronts differ within the surrogates' error. (`\"noise\": \"sample\"` in a config gives noisy runs; their summary "
      "reports the hypervolume of the observed values and that of the noise-free means of the returned front.)\n")
    w("- **Budgets**: the non-BO optimizers run %d evaluations per run (HW-GPT-Bench runs longer, with fewer seeds); "
      "the Bayesian optimizers (%s) run %d on the same problems and seeds (a BO run costs a fraction of a second to "
      "seconds where the others cost milliseconds, and more than linearly in its budget: `HWNAS_PAPER_BO_EVALS` sets it, "
      "and the default of 50 keeps the whole script under 10 minutes on a 2-core machine), so every comparison that includes them is at budgets <= %d: "
      "their rows in `summary.csv` stop there, `stats.csv` and `cd.png` rank every optimizer at %d, and the non-BO "
      "optimizers are ranked at %d on their own (`stats_no_bo.csv`).\n"
      % (a.evals, bo_names, a.bo_evals, a.bo_evals, a.bo_evals, a.evals))
    w("- **Populations**: NSGA-II, MOEA/D and MOREA use populations of 20 (50 in the 3-objective case); with their default of 100 "
      "the first 100 evaluations are random samples, identical to random search's for the same seed, half of a 200-evaluation budget.\n")
    w("- **3-objective case**: as HW-GPT-Bench, perplexity, A100 latency and Xeon Gold energy on GPT-L (each per-device "
      "objective names its own device); with surrogate means instead of its predictors, and RS, NSGA-II, MOREA and LS "
      "(populations of 50) at %s evaluations.\n" % ("300" if a.quick else "1000"))
    w("- **MOASHA is omitted**: in HW-GPT-Bench it runs with grace period 1 and max_t 5, but each trial reports once "
      "(PROTOCOL.md: no real fidelity is used), so no trial is ever stopped early and MOASHA samples as random search "
      "does; our random search stands for it.\n")
    w("- **Devices**: 14 latency devices (cpu_p100 has no energy file, so 27 problems per scale).\n")
    if os.path.exists(os.path.join(a.out, "calibration_s.png")):
        w("- **Calibration** (`calibration_s.png`, HW-GPT-Bench's calibration curves): in-sample, the measured architectures include the surrogates' training set; where the curve lies below the diagonal the surrogate's intervals are too narrow for that device.\n")
    else:
        w("- **Calibration curves** need HW-GPT-Bench's data (HWNAS_DATA or ../shared/hwgpt-bench); they were not there, so `calibration_s.png` was not drawn.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
