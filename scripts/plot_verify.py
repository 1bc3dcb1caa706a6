#!/usr/bin/env python3
"""Predicted against measured values of a verified front, from the CSV of
`hwnas verify` (columns arch,predicted_mean,predicted_std,measured_median,
measured_mean,measured_std,samples,inside90,median_inside90): one point per
architecture at (measured median, predicted mean), the predicted 90% interval
(mean +- 1.645 std) as a vertical bar, the measured standard deviation as a
horizontal bar, and the diagonal.  See docs/own_hardware.md.

    hwnas verify results/own/seed_1.jsonl --device-name mybox --out verify.csv
    scripts/plot_verify.py verify.csv -o verify.png [--title TEXT] [--log]

Needs matplotlib only for drawing (Debian: apt-get install python3-matplotlib,
or pip install matplotlib); reading uses the standard library.
"""
import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plotlib import import_pyplot, save_figure  # noqa: E402

COLUMNS = ["arch", "predicted_mean", "predicted_std", "measured_median", "measured_mean", "measured_std",
           "samples", "inside90", "median_inside90"]
Z90 = 1.6448536269514722


class CsvError(Exception):
    pass


def read_verify(path):
    """List of dicts with float fields from a verify CSV; errors name FILE:LINE."""
    rows = []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != COLUMNS:
            raise CsvError("%s:1: expected the header %s, got %s" % (path, ",".join(COLUMNS), header))
        for line, row in enumerate(reader, start=2):
            if len(row) != len(COLUMNS):
                raise CsvError("%s:%d: expected %d fields, got %d" % (path, line, len(COLUMNS), len(row)))
            r = {"arch": row[0]}
            for k, v in zip(COLUMNS[1:], row[1:]):
                try:
                    r[k] = float(v)
                except ValueError:
                    raise CsvError("%s:%d: %s: not a number: %r" % (path, line, k, v))
                if not math.isfinite(r[k]):
                    raise CsvError("%s:%d: %s: not finite" % (path, line, k))
            rows.append(r)
    if not rows:
        raise CsvError("%s: no architectures" % path)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(prog="plot_verify.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", help="the CSV of hwnas verify")
    ap.add_argument("-o", "--out", default="verify.png", help="output image (default verify.png)")
    ap.add_argument("--title", default=None, help="figure title")
    ap.add_argument("--log", action="store_true", help="log-log axes")
    a = ap.parse_args(argv)
    try:
        rows = read_verify(a.csv)
    except (OSError, CsvError) as exc:
        print("plot_verify.py: %s" % exc, file=sys.stderr)
        return 2
    plt = import_pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4.8))
    inside = [r for r in rows if r["median_inside90"] >= 0.5]
    outside = [r for r in rows if r["median_inside90"] < 0.5]
    for group, colour, label in ((inside, "tab:blue", "median inside the 90% interval"),
                                 (outside, "tab:red", "median outside")):
        if not group:
            continue
        ax.errorbar([r["measured_median"] for r in group], [r["predicted_mean"] for r in group],
                    yerr=[Z90 * r["predicted_std"] for r in group], xerr=[r["measured_std"] for r in group],
                    fmt="o", ms=4, color=colour, ecolor=colour, elinewidth=0.8, alpha=0.8,
                    label="%s (%d)" % (label, len(group)))
    lo = min(min(r["measured_median"], r["predicted_mean"]) for r in rows)
    hi = max(max(r["measured_median"], r["predicted_mean"]) for r in rows)
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=1, ls="--", label="predicted = measured")
    if a.log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("measured (median of the samples)")
    ax.set_ylabel("predicted mean, 90% interval")
    ax.set_title(a.title or "front of %s: %d archs" % (os.path.basename(a.csv), len(rows)), fontsize=9)
    ax.legend(fontsize=7)
    save_figure(fig, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
