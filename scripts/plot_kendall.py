#!/usr/bin/env python3
"""Kendall-tau correlation map of metrics and devices (HW-GPT-Bench's
correlation figure): the rank agreement, over sampled architectures, of
perplexity, parameter count and each device's latency and energy as the
shipped surrogates predict them (`hwnas query`), rows and columns ordered by
average-linkage clustering on 1 - tau.  With --data (HW-GPT-Bench's data
directory) a second panel does the same from the measured means of the
architectures every latency file of the scale holds.

    scripts/plot_kendall.py ARCHS_OR_LOG_DIR -o kendall --scale s [--build build] [--n 300] [--data DIR]

ARCHS_OR_LOG_DIR: a file with one architecture per line, or trajectory logs
(a directory; random search's evaluations are uniform samples of the space).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402

DEVICES = ["a100", "a40", "h100", "a6000", "rtx2080", "rtx3080", "v100", "P100", "cpu_xeon_silver",
           "cpu_xeon_gold", "cpu_amd_7502", "cpu_amd_7513", "cpu_amd_7452", "cpu_p100"]


def sample_archs(src, n, scale):
    if os.path.isdir(src):
        archs = []
        for path in plotlib.log_files([src]):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rt") as f:
                for line in f:
                    o = json.loads(line)
                    if "arch" in o and o["arch"].startswith("gpt-%s-" % scale):
                        archs.append(o["arch"])
    else:
        archs = [a.strip() for a in open(src) if a.strip().startswith("gpt-%s-" % scale)]
    archs = list(dict.fromkeys(archs))
    if len(archs) < 10:
        raise plotlib.LogError("%s: %d architectures of scale %s, need at least 10" % (src, len(archs), scale))
    return archs[:n]


def query(build, archs, device, metrics):
    p = subprocess.run([os.path.join(build, "hwnas"), "query", "--arch-file", "-", "--device", device, "--metrics", metrics],
                       input="\n".join(archs) + "\n", capture_output=True, text=True)
    if p.returncode != 0:
        raise plotlib.LogError("hwnas query --device %s: %s" % (device, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "exit %d" % p.returncode))
    return [json.loads(l) for l in p.stdout.splitlines()]


def kendall_tau(x, y):
    """Kendall's tau-b (ties in either variable handled), O(n^2)."""
    import numpy as np
    x, y = np.asarray(x), np.asarray(y)
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    iu = np.triu_indices(len(x), 1)
    a, b = dx[iu], dy[iu]
    num = float((a * b).sum())
    den = float(np.sqrt((a != 0).sum() * (b != 0).sum()))
    return num / den if den else 0.0


def cluster_order(dist):
    """Leaf order of average-linkage agglomerative clustering on a distance matrix."""
    clusters = [[i] for i in range(len(dist))]
    while len(clusters) > 1:
        best = None
        for i in range(len(clusters)):
            for j in range(i + 1, len(clusters)):
                d = sum(dist[a][b] for a in clusters[i] for b in clusters[j]) / (len(clusters[i]) * len(clusters[j]))
                if best is None or d < best[0]:
                    best = (d, i, j)
        _, i, j = best
        clusters[i] = clusters[i] + clusters[j]
        del clusters[j]
    return clusters[0]


def tau_matrix(cols):
    names = list(cols)
    m = [[kendall_tau(cols[a], cols[b]) if a != b else 1.0 for b in names] for a in names]
    order = cluster_order([[1 - v for v in row] for row in m])
    return [names[i] for i in order], [[m[i][j] for j in order] for i in order]


def data_means(data, scale, kind, device):
    path = os.path.join(data, kind, scale, device + ".jsonl.gz")
    if not os.path.exists(path):
        return None
    out = {}
    with gzip.open(path, "rt") as f:
        for line in f:
            o = json.loads(line)
            out[o["arch"]] = o["mean"] if "mean" in o else sum(o["samples"]) / len(o["samples"])
    return out


def draw(ax, names, m, title):
    im = ax.imshow(m, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(names)))
    ax.set_yticks(range(len(names)))
    ax.set_xticklabels(names, rotation=90, fontsize=6)
    ax.set_yticklabels(names, fontsize=6)
    ax.set_title(title, fontsize="medium")
    return im


def label(metric, dev=None):
    return "%s %s" % (metric, plotlib.device_name(dev)) if dev else metric


def main(argv=None):
    ap = argparse.ArgumentParser(description="Kendall-tau correlation map of metrics and devices (surrogates; data when given).")
    ap.add_argument("archs", help="file of architectures, or a directory of trajectory logs")
    ap.add_argument("-o", "--out", required=True, help="output stem (STEM.png and STEM.pdf) or a file name")
    ap.add_argument("--scale", choices=["s", "m", "l"], default="s")
    ap.add_argument("--build", default="build", help="directory of the hwnas binary (default build)")
    ap.add_argument("--n", type=int, default=300, help="architectures to use (default 300)")
    ap.add_argument("--data", help="HW-GPT-Bench's data directory: add the map of the measured means")
    args = ap.parse_args(argv)
    prog = os.path.basename(sys.argv[0])
    try:
        archs = sample_archs(args.archs, args.n, args.scale)
        cols = {}
        for i, dev in enumerate(DEVICES):
            rows = query(args.build, archs, dev, "perplexity,params,latency" + (",energy" if dev != "cpu_p100" else ""))
            if i == 0:
                cols["perplexity"] = [r["perplexity"] for r in rows]
                cols["parameters"] = [r["params"] for r in rows]
            cols[label("latency", dev)] = [r["latency"] for r in rows]
            if dev != "cpu_p100":
                cols[label("energy", dev)] = [r["energy"] for r in rows]
    except (OSError, plotlib.LogError, ValueError, KeyError) as e:
        sys.exit("%s: %s" % (prog, e))
    panels = [("surrogates, %d sampled GPT-%s architectures" % (len(archs), args.scale.upper()), tau_matrix(cols))]
    if args.data:
        dcols = {}
        for kind in ("latency", "energy"):
            for dev in DEVICES:
                d = data_means(args.data, args.scale, kind, dev)
                if d:
                    dcols[label(kind, dev)] = d
        common = set.intersection(*[set(d) for d in dcols.values()]) if dcols else set()
        common = sorted(common)[:args.n]
        if len(common) >= 10:
            panels.append(("measured means, %d GPT-%s architectures in every file" % (len(common), args.scale.upper()),
                           tau_matrix({k: [d[a] for a in common] for k, d in dcols.items()})))
        else:
            print("%s: the data hold %d architectures measured on every device: no data panel" % (prog, len(common)), file=sys.stderr)
    plt = plotlib.import_pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(7.0 * len(panels) + 1.2, 7.6), squeeze=False, layout="constrained")
    for ax, (title, (names, m)) in zip(axes[0], panels):
        im = draw(ax, names, m, title)
    fig.colorbar(im, ax=list(axes[0]), shrink=0.7, label="Kendall tau")
    fig.suptitle("Kendall-tau rank correlation of metrics across devices (ordered by average-linkage clustering)", fontsize="medium")
    plotlib.save_both(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
