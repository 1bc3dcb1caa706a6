#!/usr/bin/env python3
"""Normalised hypervolume over evaluations and over wall time, one curve per
optimizer: the mean over seeds with a band of one standard error (sample
standard deviation / sqrt(number of seeds)), from trajectory logs
(.jsonl or .jsonl.gz, files or directories searched recursively).

    scripts/plot_hv_curves.py LOG_OR_DIR... -o hv [--problem LABEL | --panels]

Writes hv.png and hv.pdf (or the one format an extension names): left the
hypervolume over evaluations, right over wall time, both on log x axes (the
first evaluations are shared by every optimizer).  Objectives are normalised
as the runner does, (f - obj_lo) / (obj_hi - obj_lo) with the log's bounds,
against the log's reference point.  Runs of different problems are never
pooled: with several problems the script refuses unless --problem picks one
or --panels draws one row of panels per problem.
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402


def checkpoints(n, count=60):
    """Log-spaced evaluation counts 1..n (always n)."""
    pts = sorted({max(1, min(n, int(round(math.exp(i * math.log(n) / (count - 1)))))) for i in range(count)} | {n})
    return pts


def run_curves(meta, evals):
    """[(evals, hv)] at log-spaced checkpoints and [(wall_s, hv)] after each
    improvement, objectives normalised with the log's bounds."""
    lo, hi, ref = meta["obj_lo"], meta["obj_hi"], meta["reference_point"]
    if len(ref) != 2:
        raise plotlib.LogError("%s objectives: hypervolume curves are drawn for 2" % len(ref))
    norm = [tuple((f[i] - lo[i]) / (hi[i] - lo[i]) for i in range(2)) for _, f in evals]
    by_eval, by_time, front = [], [], []
    cps = set(checkpoints(len(norm)))
    last = 0.0
    for k, p in enumerate(norm, start=1):
        if not any(q[0] <= p[0] and q[1] <= p[1] for q in front):
            front = [q for q in front if not (p[0] <= q[0] and p[1] <= q[1])] + [p]
            hv = plotlib.hv2d(front, ref)
            if hv != last:
                by_time.append((evals[k - 1][0], hv))
                last = hv
        if k in cps:
            by_eval.append((k, last))
    return by_eval, by_time


def mean_se(values):
    n = len(values)
    m = sum(values) / n
    se = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1) / n) if n > 1 else 0.0
    return m, se


def load(paths):
    """{problem: {optimizer: [(by_eval, by_time)]}} and {problem: reference point}."""
    data, refs = {}, {}
    for path in plotlib.log_files(paths):
        meta, evals, _ = plotlib.read_log(path)
        try:
            curves = run_curves(meta, evals)
        except plotlib.LogError as e:
            raise plotlib.LogError("%s: %s" % (path, e))
        prob = plotlib.problem_label(meta)
        data.setdefault(prob, {}).setdefault(meta["optimizer"], []).append(curves)
        refs[prob] = meta["reference_point"]
    return data, refs


def step_value(curve, t):
    v = 0.0
    for x, hv in curve:
        if x > t:
            break
        v = hv
    return v


def draw_problem(ax_e, ax_t, runs_by_opt, ref, title):
    t_all = [t for runs in runs_by_opt.values() for _, bt in runs for t, _ in bt if t > 0]
    t_lo, t_hi = (min(t_all), max(t_all)) if t_all else (1e-6, 1.0)
    tgrid = [t_lo * (t_hi / t_lo) ** (i / 79) for i in range(80)] if t_hi > t_lo else [t_lo]
    for opt in plotlib.optimizer_order(runs_by_opt):
        runs = runs_by_opt[opt]
        c, name = plotlib.colour(opt), "%s (%d seeds)" % (plotlib.human_name(opt), len(runs))
        n = min(len(be) for be, _ in runs)
        xs = [runs[0][0][i][0] for i in range(n)]
        ms = [mean_se([be[i][1] for be, _ in runs]) for i in range(n)]
        ax_e.plot(xs, [m for m, _ in ms], color=c, label=name, lw=1.5)
        ax_e.fill_between(xs, [m - s for m, s in ms], [m + s for m, s in ms], color=c, alpha=0.12, lw=0)
        mt = [mean_se([step_value(bt, t) for _, bt in runs]) for t in tgrid]
        ax_t.plot(tgrid, [m for m, _ in mt], color=c, lw=1.5)
        ax_t.fill_between(tgrid, [m - s for m, s in mt], [m + s for m, s in mt], color=c, alpha=0.12, lw=0)
    for ax, xl in ((ax_e, "evaluations"), (ax_t, "wall time (s)")):
        ax.set_xscale("log")
        ax.set_xlabel(xl)
        ax.grid(True, alpha=0.3, which="both", lw=0.5)
    ax_e.set_ylabel("normalised hypervolume\n(ref. point (%s))" % ", ".join("%g" % r for r in ref))
    ax_e.set_title(title + ", over evaluations", fontsize="medium")
    ax_t.set_title(title + ", over wall time", fontsize="medium")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Normalised hypervolume over evaluations and wall time, mean +- standard error over seeds.")
    ap.add_argument("logs", nargs="+", help="trajectory logs or directories")
    ap.add_argument("-o", "--out", required=True, help="output stem (writes STEM.png and STEM.pdf) or a file name")
    ap.add_argument("--problem", help="the problem label to draw (as hwnas summary writes it)")
    ap.add_argument("--panels", action="store_true", help="one row of panels per problem")
    args = ap.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    try:
        data, refs = load(args.logs)
    except plotlib.LogError as e:
        sys.exit("%s: %s" % (prog, e))
    if args.problem:
        if args.problem not in data:
            sys.exit("%s: no runs of problem %s (there are: %s)" % (prog, args.problem, ", ".join(sorted(data))))
        data = {args.problem: data[args.problem]}
    if not data:
        sys.exit("%s: no logs in %s" % (prog, " ".join(args.logs)))
    if not args.panels:
        plotlib.refuse_pooling(data, prog, "pick one with --problem or draw one panel each with --panels")
    plt = plotlib.import_pyplot()
    probs = sorted(data)
    fig, axes = plt.subplots(len(probs), 2, figsize=(10, 3.2 * len(probs) + 0.6), squeeze=False)
    for row, prob in enumerate(probs):
        draw_problem(axes[row][0], axes[row][1], data[prob], refs[prob], plotlib.problem_title(prob))
    handles, labels = {}, []
    for ax in axes[:, 0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            key = lab.split(" (")[0]
            if key not in handles:
                handles[key] = h
                labels.append(lab)
    plotlib.legend_below(fig, [(handles[lab.split(' (')[0]], lab) for lab in labels])
    try:
        plotlib.save_both(fig, args.out)
    except OSError as e:
        sys.exit("%s: cannot write %s: %s" % (prog, args.out, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
