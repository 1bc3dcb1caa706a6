#!/usr/bin/env python3
"""Pareto fronts of several optimizers overlaid, from the CSV of `hwnas front`
(columns run,seed,optimizer,eval,<objectives...>,x|arch; all objectives
minimised).  Two objectives: one staircase per (optimizer, seed), the seeds of
an optimizer in its colour; three or more: a scatter plot for every pair of
objectives.  See docs/analysis.md.

    hwnas front results/*/seed_*.jsonl > front.csv
    scripts/plot_front.py front.csv -o front.png [--seed 1] [--logx] [--logy]

Needs matplotlib only for drawing (Debian: apt-get install python3-matplotlib,
or pip install matplotlib); reading uses the standard library.
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plotlib import import_pyplot, save_figure  # noqa: E402


class CsvError(Exception):
    pass


def read_front(path, by="optimizer"):
    """(objective names, {group: {(run, seed): [point tuple, ...]}}) from a front CSV."""
    groups = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header or header[:4] != ["run", "seed", "optimizer", "eval"] or len(header) < 7 \
                or header[-1] not in ("x", "arch"):
            raise CsvError("%s:1: expected the header run,seed,optimizer,eval,<objectives...>,x|arch, got %s"
                           % (path, header))
        names = header[4:-1]
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise CsvError("%s:%d: expected %d fields, got %d" % (path, line, len(header), len(row)))
            try:
                pt = tuple(float(v) for v in row[4:-1])
            except ValueError:
                raise CsvError("%s:%d: the objectives must be numbers" % (path, line))
            key = row[2] if by == "optimizer" else row[0]
            groups.setdefault(key, {}).setdefault((row[0], row[1]), []).append(pt)
    return names, groups


def staircase(points):
    """The points of a 2-D front sorted by the first objective (the order a
    steps-post line needs to draw the attained region's boundary)."""
    return sorted(points)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Overlay the Pareto fronts of several optimizers.")
    ap.add_argument("csv", nargs="+", help="CSV files of `hwnas front` (same objectives)")
    ap.add_argument("-o", "--out", required=True, help="output image (.png, .pdf, .svg)")
    ap.add_argument("--by", choices=["optimizer", "run"], default="optimizer", help="one colour per (default: optimizer)")
    ap.add_argument("--seed", help="plot only this seed")
    ap.add_argument("--logx", action="store_true", help="logarithmic first objective (2 objectives)")
    ap.add_argument("--logy", action="store_true", help="logarithmic second objective (2 objectives)")
    ap.add_argument("--title", default="", help="plot title")
    args = ap.parse_args(argv)
    prog = sys.argv[0].rsplit("/", 1)[-1]
    names, groups = None, {}
    try:
        for path in args.csv:
            n, g = read_front(path, args.by)
            if names is not None and n != names:
                raise CsvError("%s: objectives %s differ from %s" % (path, ",".join(n), ",".join(names)))
            names = n
            for k, seeds in g.items():
                groups.setdefault(k, {}).update(seeds)
    except (OSError, CsvError) as e:
        sys.exit("%s: %s" % (prog, e))
    if args.seed is not None:
        groups = {k: {rs: p for rs, p in v.items() if rs[1] == args.seed} for k, v in groups.items()}
        groups = {k: v for k, v in groups.items() if v}
    if not groups:
        sys.exit("%s: no front points to plot" % prog)
    plt = import_pyplot()
    d = len(names)
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    if d == 2:
        fig, axes = plt.subplots(figsize=(6, 4.5))
        axes = [axes]
    else:
        cols = min(3, len(pairs))
        rows = (len(pairs) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.8 * rows), squeeze=False)
        axes = [a for r in axes for a in r]
        for a in axes[len(pairs):]:
            a.set_visible(False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for gi, name in enumerate(sorted(groups)):
        colour = colours[gi % len(colours)]
        seeds = groups[name]
        label = "%s (%d seed%s)" % (name, len(seeds), "" if len(seeds) == 1 else "s")
        for si, (rs, pts) in enumerate(sorted(seeds.items())):
            lab = label if si == 0 else None
            if d == 2:
                s = staircase(pts)
                axes[0].plot([p[0] for p in s], [p[1] for p in s], drawstyle="steps-post", color=colour,
                             alpha=0.8, lw=1.2, marker="o", ms=2.5, label=lab)
            else:
                for a, (i, j) in zip(axes, pairs):
                    a.scatter([p[i] for p in pts], [p[j] for p in pts], s=8, color=colour, alpha=0.6,
                              label=lab)
    for a, (i, j) in zip(axes, pairs):
        a.set_xlabel(names[i])
        a.set_ylabel(names[j])
        a.grid(True, alpha=0.3)
    if d == 2:
        if args.logx:
            axes[0].set_xscale("log")
        if args.logy:
            axes[0].set_yscale("log")
    axes[0].legend(fontsize="small")
    if args.title:
        fig.suptitle(args.title)
    save_figure(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
