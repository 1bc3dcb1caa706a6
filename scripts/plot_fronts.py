#!/usr/bin/env python3
"""Pareto fronts from trajectory logs (.jsonl, .jsonl.gz, directories): for
each problem (e.g. one per device) and optimizer, the non-dominated set of the
final fronts of all its seeds (the best any seed found), in natural units.
Two objectives: one panel per problem (staircases); three objectives: for each
problem the three pairwise projections, points coloured by optimizer.

    scripts/plot_fronts.py LOG_OR_DIR... -o fronts [--problem LABEL ...] [--max-panels 16]
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402


def load(paths):
    """{problem: {optimizer: [front points of all seeds]}}, {problem: objective names}, {(problem, opt): seeds}."""
    fronts, names, seeds = {}, {}, {}
    for path in plotlib.log_files(paths):
        meta, _, summary = plotlib.read_log(path)
        prob = plotlib.problem_label(meta)
        fronts.setdefault(prob, {}).setdefault(meta["optimizer"], []).extend(tuple(p) for p in summary["front"])
        names[prob] = meta["objectives"]
        seeds[(prob, meta["optimizer"])] = seeds.get((prob, meta["optimizer"]), 0) + 1
    return fronts, names, seeds


def main(argv=None):
    ap = argparse.ArgumentParser(description="Pareto fronts per problem and optimizer (all seeds' fronts combined).")
    ap.add_argument("logs", nargs="+")
    ap.add_argument("-o", "--out", required=True, help="output stem (STEM.png and STEM.pdf) or a file name")
    ap.add_argument("--problem", action="append", help="problem label to draw (repeatable; default: all)")
    ap.add_argument("--max-panels", type=int, default=16)
    ap.add_argument("--logy", action="store_true", help="logarithmic second objective")
    args = ap.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    try:
        fronts, names, seeds = load(args.logs)
    except plotlib.LogError as e:
        sys.exit("%s: %s" % (prog, e))
    if args.problem:
        miss = [p for p in args.problem if p not in fronts]
        if miss:
            sys.exit("%s: no runs of problem %s (there are: %s)" % (prog, miss[0], ", ".join(sorted(fronts))))
        fronts = {p: fronts[p] for p in args.problem}
    if not fronts:
        sys.exit("%s: no logs" % prog)
    dims = {len(names[p]) for p in fronts}
    if len(dims) > 1:
        sys.exit("%s: problems with 2 and 3 objectives: draw them separately with --problem" % prog)
    m = dims.pop()
    probs = sorted(fronts)
    panels = len(probs) * (1 if m == 2 else 3)
    if panels > args.max_panels:
        sys.exit("%s: %d panels, more than --max-panels %d: pick problems with --problem" % (prog, panels, args.max_panels))
    if m not in (2, 3):
        sys.exit("%s: %d objectives: fronts are drawn for 2 or 3" % (prog, m))
    plt = plotlib.import_pyplot()
    cols = min(4, panels) if m == 2 else 3
    rows = math.ceil(panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.1 * rows + 0.8), squeeze=False)
    flat = list(axes.flat)
    for i, prob in enumerate(probs):
        on = names[prob]
        pairs = [(0, 1)] if m == 2 else [(0, 1), (0, 2), (1, 2)]
        for j, (a, b) in enumerate(pairs):
            ax = flat[i * len(pairs) + j]
            for opt in plotlib.optimizer_order(fronts[prob]):
                pts = plotlib.nondominated(fronts[prob][opt]) if m == 2 else fronts[prob][opt]
                lab = "%s (%d seeds)" % (plotlib.human_name(opt), seeds[(prob, opt)])
                if m == 2:
                    pts = sorted(pts)
                    xs, ys = [], []
                    for x, y in pts:
                        if xs:
                            xs.append(x)
                            ys.append(ys[-1])
                        xs.append(x)
                        ys.append(y)
                    ax.plot(xs, ys, color=plotlib.colour(opt), lw=1.3, label=lab)
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], "o", ms=2, color=plotlib.colour(opt))
                else:
                    ax.plot([p[a] for p in pts], [p[b] for p in pts], "o", ms=2.5, alpha=0.6,
                            color=plotlib.colour(opt), label=lab)
            ax.set_xlabel(plotlib.axis_label(on[a]))
            ax.set_ylabel(plotlib.axis_label(on[b]))
            if args.logy:
                ax.set_yscale("log")
            ax.set_title(plotlib.problem_title(prob) if m == 2 else "%s vs %s" % (plotlib.objective_name(on[a]), plotlib.objective_name(on[b])), fontsize="small")
            ax.grid(True, alpha=0.3, lw=0.5)
    for ax in flat[panels:]:
        ax.axis("off")
    if m == 3:
        fig.suptitle("Three-objective fronts (all seeds' final fronts): " + plotlib.problem_title(probs[0]), fontsize="medium")
    else:
        fig.suptitle("Pareto fronts (non-dominated set of all seeds' final fronts)", fontsize="medium")
    seen = {}
    for ax in flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab.split(" (")[0], (h, lab))
    plotlib.legend_below(fig, list(seen.values()))
    plotlib.save_both(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
