#!/usr/bin/env python3
"""Critical-difference diagram (Demsar 2006) of the optimizers' average ranks
across problems, from the stats CSV of `hwnas summary --stats` (average_rank,
nemenyi cd, wilcoxon_holm): optimizers on a rank axis (1 = best), the
Nemenyi critical difference drawn as a bar, and thick lines joining groups of
optimizers that pairwise Wilcoxon-Holm does not tell apart.

    hwnas summary DIR --stats stats.csv --out summary.csv
    scripts/plot_cd.py stats.csv -o cd [--title T]
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402


def read_stats(path):
    """(ranks {opt: rank}, n_problems, cd, alpha, {(a, b): reject})."""
    ranks, cd, alpha, npb, reject = {}, None, None, None, {}
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        if r.fieldnames != ["test", "optimizer", "optimizer_b", "statistic", "value"]:
            raise plotlib.LogError("%s:1: not a stats CSV of hwnas summary --stats" % path)
        for line, row in enumerate(r, start=2):
            if row["value"] == "":  # undefined (e.g. Iman-Davenport's F when every rank agrees)
                continue
            try:
                v = float(row["value"])
            except ValueError:
                raise plotlib.LogError("%s:%d: value is not a number" % (path, line))
            t, s = row["test"], row["statistic"]
            if t == "average_rank" and s == "rank":
                ranks[row["optimizer"]] = v
            elif t == "nemenyi" and s == "cd":
                cd = v
            elif t == "nemenyi" and s == "alpha":
                alpha = v
            elif t == "friedman" and s == "n_problems":
                npb = int(v)
            elif t == "wilcoxon_holm" and s == "reject":
                reject[(row["optimizer"], row["optimizer_b"])] = v == 1
    if not ranks or cd is None:
        raise plotlib.LogError("%s: no average ranks or no Nemenyi cd" % path)
    return ranks, npb, cd, alpha, reject


def cliques(order, ranks, reject):
    """Maximal runs of optimizers (in rank order) no pair of which is
    rejected by Wilcoxon-Holm."""
    def same(a, b):
        return not reject.get((a, b), reject.get((b, a), False))
    out = []
    for i in range(len(order)):
        j = i
        while j + 1 < len(order) and all(same(order[k], order[j + 1]) for k in range(i, j + 1)):
            j += 1
        if j > i and not any(a <= i and j <= b for a, b in out):
            out.append((i, j))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Critical-difference diagram from hwnas summary --stats.")
    ap.add_argument("csv")
    ap.add_argument("-o", "--out", required=True, help="output stem (STEM.png and STEM.pdf) or a file name")
    ap.add_argument("--title", default="", help="what the problems are (added to the title)")
    args = ap.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    try:
        ranks, npb, cd, alpha, reject = read_stats(args.csv)
    except (OSError, plotlib.LogError) as e:
        sys.exit("%s: %s" % (prog, e))
    plt = plotlib.import_pyplot()
    order = sorted(ranks, key=lambda o: ranks[o])
    k = len(order)
    fig, ax = plt.subplots(figsize=(7.5, 1.6 + 0.28 * k))
    lo, hi = 1, max(k, 2)
    ax.set_xlim(lo - 0.3, hi + 0.3)
    ax.set_ylim(-(((k + 1) // 2) * 0.6 + 0.5), 1.8)
    ax.axis("off")
    ax.hlines(0, lo, hi, color="k", lw=1)
    for t in range(lo, hi + 1):
        ax.vlines(t, 0, 0.15, color="k", lw=1)
        ax.text(t, 0.3, str(t), ha="center", va="bottom", fontsize="small")
    ax.plot([lo, lo + cd], [1.2, 1.2], color="k", lw=2)
    ax.text(lo + cd / 2, 1.35, "CD = %.2f (Nemenyi, alpha %g)" % (cd, alpha or 0.05), ha="center", va="bottom", fontsize="small")
    half = (k + 1) // 2
    for i, opt in enumerate(order):
        left = i < half
        y = -(i + 1) * 0.6 if left else -(k - i) * 0.6
        x_end = lo - 0.2 if left else hi + 0.2
        ax.plot([ranks[opt], ranks[opt], x_end], [0, y, y], color=plotlib.colour(opt), lw=1.2)
        ax.text(x_end + (-0.05 if left else 0.05), y, "%s (%.2f)" % (plotlib.human_name(opt), ranks[opt]),
                ha="right" if left else "left", va="center", fontsize="small", color=plotlib.colour(opt))
    for n, (i, j) in enumerate(cliques(order, ranks, reject)):
        y = -0.25 - 0.12 * n
        ax.plot([ranks[order[i]] - 0.03, ranks[order[j]] + 0.03], [y, y], color="k", lw=3, solid_capstyle="round")
    ax.set_title("Average rank of the normalised hypervolume (1 = best) over %s problems%s\n"
                 "bars join optimizers Wilcoxon-Holm does not separate" % (npb, ("\n" + args.title) if args.title else ""),
                 fontsize="small")
    fig.tight_layout()
    plotlib.save_both(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
