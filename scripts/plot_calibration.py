#!/usr/bin/env python3
"""Calibration curves of the surrogates' predictive intervals per device:
for each nominal level p, the fraction of HW-GPT-Bench's measured samples
(latency: every repeated sample; energy: GPU samples, CPU means) that fall in
the central interval mean +- z_p * std the shipped surrogate predicts
(`hwnas query`, total predictive std).  A calibrated surrogate lies on the
diagonal; above it the intervals are too wide, below too narrow.  Needs the
data (--data); the measured architectures include the surrogates' training
set, so this is in-sample calibration.

    scripts/plot_calibration.py --data DIR --scale s -o calibration [--build build] [--n 200]
"""
import argparse
import gzip
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402
from plot_kendall import DEVICES, query  # noqa: E402

LEVELS = [0.1 * i for i in range(1, 10)] + [0.95, 0.99]


def measured(data, scale, kind, device, n):
    path = os.path.join(data, kind, scale, device + ".jsonl.gz")
    if not os.path.exists(path):
        return None
    out = []
    with gzip.open(path, "rt") as f:
        for line in f:
            o = json.loads(line)
            out.append((o["arch"], o["samples"] if "samples" in o else [o["mean"]]))
            if len(out) >= n:
                break
    return out


def coverage(rows, preds, kind):
    nd = statistics.NormalDist()
    cov = []
    for p in LEVELS:
        z = nd.inv_cdf(0.5 + p / 2)
        inside = total = 0
        for (_, samples), q in zip(rows, preds):
            m, s = q[kind], q[kind + "_std"]
            for v in samples:
                inside += abs(v - m) <= z * s
                total += 1
        cov.append(inside / total)
    return cov


def main(argv=None):
    ap = argparse.ArgumentParser(description="Calibration curves of the surrogates' intervals per device (needs the data).")
    ap.add_argument("--data", required=True, help="HW-GPT-Bench's data directory (docs/data.md)")
    ap.add_argument("-o", "--out", required=True, help="output stem (STEM.png and STEM.pdf) or a file name")
    ap.add_argument("--scale", choices=["s", "m", "l"], default="s")
    ap.add_argument("--build", default="build", help="directory of the hwnas binary (default build)")
    ap.add_argument("--n", type=int, default=200, help="measured architectures per device (default 200, the file's first)")
    args = ap.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    if not os.path.isdir(os.path.join(args.data, "latency", args.scale)):
        sys.exit("%s: %s: no HW-GPT-Bench latency data for scale %s (docs/data.md)" % (prog, args.data, args.scale))
    curves = {"latency": {}, "energy": {}}
    try:
        for kind in curves:
            for dev in DEVICES:
                rows = measured(args.data, args.scale, kind, dev, args.n)
                if rows:
                    preds = query(args.build, [a for a, _ in rows], dev, kind)
                    curves[kind][dev] = coverage(rows, preds, kind)
    except (OSError, plotlib.LogError, ValueError, KeyError) as e:
        sys.exit("%s: %s" % (prog, e))
    plt = plotlib.import_pyplot()
    cmap = plt.get_cmap("tab20")
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2), layout="constrained")
    for ax, kind in zip(axes, ("latency", "energy")):
        ax.plot([0, 1], [0, 1], color="k", lw=0.8, ls="--", label="calibrated")
        for i, dev in enumerate(DEVICES):
            if dev in curves[kind]:
                ax.plot(LEVELS, curves[kind][dev], marker="o", ms=3, lw=1.2, color=cmap(i), label=plotlib.device_name(dev))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("nominal coverage of the central interval")
        ax.set_ylabel("measured samples inside")
        ax.set_title("%s (%s), GPT-%s, first %d measured archs per device"
                     % (kind, "ms" if kind == "latency" else "Wh", args.scale.upper(), args.n), fontsize="medium")
        ax.grid(True, alpha=0.3, lw=0.5)
    axes[1].legend(*axes[0].get_legend_handles_labels(), loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize="small", frameon=False)
    fig.suptitle("Calibration of the surrogates' predictive intervals (in-sample: measured archs include the training set)", fontsize="medium")
    plotlib.save_both(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
