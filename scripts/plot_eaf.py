#!/usr/bin/env python3
"""Median attainment surfaces with the 25-75 % band per optimizer, from the
CSV of `hwnas eaf --percentiles 25,50,75` (docs/analysis.md), one panel per
problem (at most --max-panels; --problem picks one).

    hwnas eaf DIR --percentiles 25,50,75 --out eaf.csv
    scripts/plot_eaf.py eaf.csv -o eaf [--problem LABEL] [--title TEXT]
"""
import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402

COLUMNS = ["problem", "optimizer", "percentile", "level", "n_runs", "x", "y", "x_name", "y_name"]


def read_eaf(path):
    """{problem: {optimizer: {percentile: [(x, y)]}}}, {problem: (x_name, y_name)}, {(problem, opt): n_runs}."""
    surf, names, nruns = {}, {}, {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r, None)
        if head != COLUMNS:
            raise plotlib.LogError("%s:1: expected the header %s" % (path, ",".join(COLUMNS)))
        for line, row in enumerate(r, start=2):
            if len(row) != len(COLUMNS):
                raise plotlib.LogError("%s:%d: expected %d fields, got %d" % (path, line, len(COLUMNS), len(row)))
            try:
                p, x, y, n = float(row[2]), float(row[5]), float(row[6]), int(row[4])
            except ValueError:
                raise plotlib.LogError("%s:%d: percentile, x, y must be numbers" % (path, line))
            surf.setdefault(row[0], {}).setdefault(row[1], {}).setdefault(p, []).append((x, y))
            names[row[0]] = (row[7], row[8])
            nruns[(row[0], row[1])] = n
    return surf, names, nruns


def stairs(pts, xmax, ymax):
    """x, y of the staircase through the corners (sorted by x), closed at the
    plot's edges."""
    pts = sorted(pts)
    xs, ys = [pts[0][0]], [ymax]
    for x, y in pts:
        xs += [x, x]
        ys += [ys[-1], y]
    xs.append(xmax)
    ys.append(ys[-1])
    return xs, ys


def draw(ax, by_opt, xy_names, nruns, prob):
    allp = [p for o in by_opt.values() for s in o.values() for p in s]
    xmax = max(p[0] for p in allp) * 1.02
    ymax = max(p[1] for p in allp) * 1.02
    for opt in plotlib.optimizer_order(by_opt):
        s, c = by_opt[opt], plotlib.colour(opt)
        if 50.0 in s:
            xs, ys = stairs(s[50.0], xmax, ymax)
            ax.plot(xs, ys, color=c, lw=1.6, label="%s (%d runs)" % (plotlib.human_name(opt), nruns[(prob, opt)]))
        if 25.0 in s and 75.0 in s:
            x25, y25 = stairs(s[25.0], xmax, ymax)
            x75, y75 = stairs(s[75.0], xmax, ymax)
            grid = sorted(set(x25) | set(x75))
            ax.fill_between(grid, [_at(x25, y25, g) for g in grid], [_at(x75, y75, g) for g in grid],
                            step="post", color=c, alpha=0.18, lw=0)
    ax.set_xlabel(plotlib.axis_label(xy_names[0]))
    ax.set_ylabel(plotlib.axis_label(xy_names[1]))
    ax.set_title(plotlib.problem_title(prob), fontsize="medium")
    ax.grid(True, alpha=0.3, lw=0.5)
    ax.set_xlim(right=xmax)
    ax.set_ylim(top=ymax)


def _at(xs, ys, g):
    """The staircase's y at g (the value after the last step at or before g)."""
    v = ys[0]
    for x, y in zip(xs, ys):
        if x > g:
            break
        v = y
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(description="Median attainment surfaces with 25-75 % bands (hwnas eaf output).")
    ap.add_argument("csv", help="CSV of hwnas eaf (with percentiles 25, 50, 75)")
    ap.add_argument("-o", "--out", required=True, help="output stem (STEM.png and STEM.pdf) or a file name")
    ap.add_argument("--problem", action="append", help="problem label to draw (repeatable; default: all)")
    ap.add_argument("--max-panels", type=int, default=12, help="refuse more panels than this (default 12)")
    ap.add_argument("--title", default="", help="what the runs are (added to the title, e.g. 'at 100 evaluations')")
    args = ap.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    try:
        surf, names, nruns = read_eaf(args.csv)
    except (OSError, plotlib.LogError) as e:
        sys.exit("%s: %s" % (prog, e))
    if args.problem:
        miss = [p for p in args.problem if p not in surf]
        if miss:
            sys.exit("%s: no surfaces of problem %s in %s" % (prog, miss[0], args.csv))
        surf = {p: surf[p] for p in args.problem}
    if not surf:
        sys.exit("%s: no surfaces in %s" % (prog, args.csv))
    if len(surf) > args.max_panels:
        sys.exit("%s: %d problems, more than --max-panels %d: pick some with --problem" % (prog, len(surf), args.max_panels))
    plt = plotlib.import_pyplot()
    probs = list(args.problem) if args.problem else sorted(surf)  # the order asked for
    cols = 2 if len(probs) == 4 else min(3, len(probs))  # 2 x 2 rather than 3 + 1
    rows = math.ceil(len(probs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows + 0.7), squeeze=False)
    for i, prob in enumerate(probs):
        draw(axes[i // cols][i % cols], surf[prob], names[prob], nruns, prob)
    for j in range(len(probs), rows * cols):
        axes[j // cols][j % cols].axis("off")
    seen = {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab.split(" (")[0], (h, lab))
    fig.suptitle("Median attainment surfaces (lines) and 25-75 % attainment band" + (", " + args.title if args.title else ""),
                 fontsize="medium")
    plotlib.legend_below(fig, list(seen.values()))
    plotlib.save_both(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
