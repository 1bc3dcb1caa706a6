#!/usr/bin/env python3
"""Hypervolume over evaluations, one curve per optimizer (or per run): the
median over seeds with the 25-75 % band, from the CSV of `hwnas trajectory`
(columns run,seed,optimizer,eval,hypervolume).  See docs/analysis.md.

    hwnas trajectory results/*/seed_*.jsonl > hv.csv
    scripts/plot_hv.py hv.csv -o hv.png [--logx] [--by optimizer|run]

Needs matplotlib only for drawing (Debian: apt-get install python3-matplotlib,
or pip install matplotlib); reading and summarising use the standard library.
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plotlib import import_pyplot, save_figure  # noqa: E402

COLUMNS = ["run", "seed", "optimizer", "eval", "hypervolume"]


class CsvError(Exception):
    pass


def read_trajectory(path, by="optimizer"):
    """{group: {seed: [(eval, hv), ...] sorted by eval}} from a trajectory CSV.
    A group is the optimizer name (by="optimizer") or the run name (by="run");
    the seed key is (run, seed) so equal seeds of different runs stay apart."""
    groups = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != COLUMNS:
            raise CsvError("%s:1: expected the header %s, got %s" % (path, ",".join(COLUMNS), header))
        for line, row in enumerate(reader, start=2):
            if len(row) != len(COLUMNS):
                raise CsvError("%s:%d: expected %d fields, got %d" % (path, line, len(COLUMNS), len(row)))
            run, seed, opt, ev, hv = row
            try:
                ev, hv = int(ev), float(hv)
            except ValueError:
                raise CsvError("%s:%d: eval must be an integer and hypervolume a number" % (path, line))
            key = opt if by == "optimizer" else run
            groups.setdefault(key, {}).setdefault((run, seed), []).append((ev, hv))
    for seeds in groups.values():
        for pts in seeds.values():
            pts.sort()
    return groups


def quantile(sorted_vals, q):
    """Linear interpolation between order statistics (numpy's default)."""
    n = len(sorted_vals)
    pos = q * (n - 1)
    i = int(pos)
    if i + 1 >= n:
        return sorted_vals[-1]
    return sorted_vals[i] + (pos - i) * (sorted_vals[i + 1] - sorted_vals[i])


def summarise(seeds):
    """Median and quartiles over seeds on the union of their eval grids.  At
    eval e a seed contributes the hypervolume of its last row at or before e
    (the trajectory is a step function), and only while e lies within its
    own rows (no extrapolation past a seed's budget).
    Returns [(eval, q25, median, q75, n_seeds)]."""
    grid = sorted({ev for pts in seeds.values() for ev, _ in pts})
    runs = list(seeds.values())
    pos = [0] * len(runs)
    out = []
    for ev in grid:
        vals = []
        for k, pts in enumerate(runs):
            while pos[k] + 1 < len(pts) and pts[pos[k] + 1][0] <= ev:
                pos[k] += 1
            if pts[0][0] <= ev <= pts[-1][0]:
                vals.append(pts[pos[k]][1])
        if vals:
            vals.sort()
            out.append((ev, quantile(vals, 0.25), quantile(vals, 0.5), quantile(vals, 0.75), len(vals)))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Median hypervolume over evaluations with the 25-75 % band over seeds.")
    ap.add_argument("csv", nargs="+", help="CSV files of `hwnas trajectory`")
    ap.add_argument("-o", "--out", required=True, help="output image (.png, .pdf, .svg)")
    ap.add_argument("--by", choices=["optimizer", "run"], default="optimizer", help="one curve per (default: optimizer)")
    ap.add_argument("--logx", action="store_true", help="logarithmic evaluation axis")
    ap.add_argument("--title", default="", help="plot title")
    ap.add_argument("--ylabel", default="hypervolume", help="y-axis label")
    ap.add_argument("--width", type=float, default=6.0, help="figure width in inches")
    ap.add_argument("--height", type=float, default=4.0, help="figure height in inches")
    args = ap.parse_args(argv)
    prog = sys.argv[0].rsplit("/", 1)[-1]
    groups = {}
    try:
        for path in args.csv:
            for name, seeds in read_trajectory(path, args.by).items():
                groups.setdefault(name, {}).update(seeds)
    except (OSError, CsvError) as e:
        sys.exit("%s: %s" % (prog, e))
    if not groups:
        sys.exit("%s: no rows in %s" % (prog, ", ".join(args.csv)))
    plt = import_pyplot()
    fig, ax = plt.subplots(figsize=(args.width, args.height))
    print("%-24s %5s %12s %12s %12s" % (args.by, "seeds", "final_q25", "final_median", "final_q75"))
    for name in sorted(groups):
        s = summarise(groups[name])
        ev = [r[0] for r in s]
        line, = ax.plot(ev, [r[2] for r in s], drawstyle="steps-post", label="%s (%d seeds)" % (name, len(groups[name])))
        ax.fill_between(ev, [r[1] for r in s], [r[3] for r in s], step="post", alpha=0.25, color=line.get_color(), lw=0)
        print("%-24s %5d %12.6g %12.6g %12.6g" % (name, s[-1][4], s[-1][1], s[-1][2], s[-1][3]))
    if args.logx:
        ax.set_xscale("log")
    ax.set_xlabel("evaluations")
    ax.set_ylabel(args.ylabel)
    if args.title:
        ax.set_title(args.title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    save_figure(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
