#!/usr/bin/env python3
"""Per-row comparison of the hwnas surrogates against a quick off-the-shelf
regression stack on the same withheld architectures.

Development-only comparison: needs numpy, scipy and scikit-learn, which are
never dependencies of the build or the tests.

For every split seed, every scale x metric x device row:
  * the split is exactly the C side's (surrogates/data.c sur_is_validation:
    splitmix64(fnv1a(arch) ^ splitmix64(seed + 0x5EED)) % 5 == 0 -> validation);
  * the target is log of the per-arch median of the samples (CPU energy: the
    given mean; perplexity: the one value), as in surrogates/model_fit.c;
  * order-free engineered features: embed, n_layer, bias, counts of each MLP
    ratio and head choice, sums of MLP ratios and heads, exact params and FLOPs
    (analytic files);
  * ridge: standardised features, alpha by leave-one-out CV (RidgeCV);
    GBM: HistGradientBoostingRegressor (learning rate 0.05, up to 500 trees,
    early stopping on 10% of the training rows, min 20 rows per leaf);
  * ours: kendall_tau of `hwnas surrogate-report --seed N` (same split).
Kendall tau-b of each prediction against the observed centre on the
validation rows; "stack" = max(ridge, GBM) per row.

Usage:
  python3 scripts/surrogate_baseline.py --data ../shared/hwgpt-bench --seeds 1,2,3 \
      --hwnas build/hwnas --out results/surrogate_vs_baseline
(--ours-dir DIR reads DIR/seed<N>/surrogate_quality.csv instead of running hwnas;
 --reuse FILE.csv takes the ridge and GBM taus from an earlier output.)
"""
import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile

# numpy, scipy and scikit-learn: imported by import_stack() once the arguments
# are parsed, so that --help works without them.
np = kendalltau = HistGradientBoostingRegressor = RidgeCV = make_pipeline = StandardScaler = None


def import_stack():
    """Import the development-only stack, or exit with one line saying what to install."""
    global np, kendalltau, HistGradientBoostingRegressor, RidgeCV, make_pipeline, StandardScaler
    try:
        import numpy as np
        from scipy.stats import kendalltau
        from sklearn.ensemble import HistGradientBoostingRegressor
        from sklearn.linear_model import RidgeCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError as e:
        sys.exit("surrogate_baseline.py: %s: needs numpy, scipy and scikit-learn (Debian: apt-get install "
                 "python3-numpy python3-scipy python3-sklearn; or pip install numpy scipy scikit-learn)" % e)

DEVICES = ["a100", "a40", "h100", "a6000", "rtx2080", "rtx3080", "v100", "P100",
           "cpu_xeon_silver", "cpu_xeon_gold", "cpu_amd_7502", "cpu_amd_7513", "cpu_amd_7452", "cpu_p100"]
N_GPUS = 8
SPACES = {"s": ([2, 3, 4], [4, 8, 12]), "m": ([2, 3, 4], [8, 12, 16]), "l": ([2, 3, 4], [8, 16, 20])}
M64 = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def fnv1a(s):
    h = 1469598103934665603
    for c in s.encode():
        h = ((h ^ c) * 1099511628211) & M64
    return h


def is_validation(arch, seed):
    return splitmix64(fnv1a(arch) ^ splitmix64((seed + 0x5EED) & M64)) % 5 == 0


def read_jsonl(path):
    with gzip.open(path, "rt") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def features(arch, analytic, scale):
    f = arch.split("-")
    L, e = int(f[2]), int(f[3])
    mlp = [int(v) for v in f[4:4 + L]]
    heads = [int(v) for v in f[4 + L:4 + 2 * L]]
    bias = 1.0 if f[4 + 2 * L] == "True" else 0.0
    mc, hc = SPACES[scale]
    a = analytic[arch]
    return [e, L, bias] + [mlp.count(c) for c in mc] + [heads.count(c) for c in hc] + \
        [sum(mlp), sum(heads), a["params"], a["flops"]]


def load_rows(data, scale):
    """Yields (metric, device, {arch: centre})."""
    ppl = {r["arch"]: r["perplexity"] for r in read_jsonl(f"{data}/perplexity/{scale}.jsonl.gz")}
    yield "perplexity", "", ppl
    for d in DEVICES:
        yield "latency", d, {r["arch"]: float(np.median(r["samples"]))
                             for r in read_jsonl(f"{data}/latency/{scale}/{d}.jsonl.gz")}
    for d in DEVICES:
        p = f"{data}/energy/{scale}/{d}.jsonl.gz"
        if not os.path.exists(p):
            continue
        rows = {}
        for r in read_jsonl(p):
            c = r["mean"] if "mean" in r else float(np.median(r["samples"]))
            if c > 0:
                rows[r["arch"]] = c
        yield "energy", d, rows


def group(metric, device):
    if metric == "perplexity":
        return "perplexity"
    return f"{metric} {'GPU' if DEVICES.index(device) < N_GPUS else 'CPU'}"


def fit_predict(Xtr, ytr, Xva, seed):
    ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-4, 3, 15)))
    ridge.fit(Xtr, ytr)
    gbm = HistGradientBoostingRegressor(learning_rate=0.05, max_iter=500, min_samples_leaf=20,
                                        early_stopping=True, validation_fraction=0.1,
                                        n_iter_no_change=20, random_state=seed)
    gbm.fit(Xtr, ytr)
    return ridge.predict(Xva), gbm.predict(Xva)


def ours_tau(args, seed, tmp):
    if args.ours_dir:
        path = f"{args.ours_dir}/seed{seed}/surrogate_quality.csv"
    else:
        out = f"{tmp}/seed{seed}"
        subprocess.run([args.hwnas, "surrogate-report", "--data", args.data, "--seed", str(seed),
                        "--out-dir", out, "--quiet"], check=True)
        path = f"{out}/surrogate_quality.csv"
    with open(path) as f:
        return {(r["scale"], r["metric"], r["device"]): float(r["kendall_tau"]) for r in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/hwgpt-bench", help="HW-GPT-Bench data directory (docs/data.md)")
    ap.add_argument("--seeds", default="1,2,3", help="split seeds, comma-separated (default 1,2,3)")
    ap.add_argument("--scales", default="s,m,l", help="scales, comma-separated (default s,m,l)")
    ap.add_argument("--hwnas", default="build/hwnas", help="the hwnas binary (default build/hwnas)")
    ap.add_argument("--ours-dir", default=None, help="read DIR/seed<N>/surrogate_quality.csv instead of running hwnas")
    ap.add_argument("--out", default="results/surrogate_vs_baseline", help="output prefix (.csv and .md)")
    ap.add_argument("--reuse", default=None, help="take ridge and GBM taus from an earlier output CSV")
    args = ap.parse_args()
    import_stack()
    seeds = [int(s) for s in args.seeds.split(",")]
    scales = args.scales.split(",")
    tmp = tempfile.mkdtemp(prefix="hwnas_sur_")
    base = []  # (scale, metric, device, seed, n_val, ridge, gbm)
    if args.reuse:
        with open(args.reuse) as f:
            base = [(r["scale"], r["metric"], r["device"], int(r["seed"]), int(r["n_val"]), float(r["tau_ridge"]),
                     float(r["tau_gbm"])) for r in csv.DictReader(f) if int(r["seed"]) in seeds]
        scales = []
    for scale in scales:
        analytic = {r["arch"]: r for r in read_jsonl(f"{args.data}/analytic/{scale}.jsonl.gz")}
        feats = {a: features(a, analytic, scale) for a in analytic}
        for metric, device, centre in load_rows(args.data, scale):
            archs = sorted(centre)
            X = np.array([feats[a] for a in archs], dtype=float)
            y = np.log(np.array([centre[a] for a in archs]))
            for seed in seeds:
                va = np.array([is_validation(a, seed) for a in archs])
                pr, pg = fit_predict(X[~va], y[~va], X[va], seed)
                tr = kendalltau(pr, y[va]).statistic
                tg = kendalltau(pg, y[va]).statistic
                base.append((scale, metric, device, seed, int(va.sum()), tr, tg))
                print(f"{scale} {metric:10s} {device:16s} seed {seed}: ridge {tr:.4f} gbm {tg:.4f}",
                      file=sys.stderr)
    ours = {s: ours_tau(args, s, tmp) for s in seeds}
    out = [b + (ours[b[3]].get((b[0], b[1], b[2]), float("nan")),) for b in base]
    write(args, seeds, out)


def write(args, seeds, out):
    with open(args.out + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scale", "metric", "device", "seed", "n_val", "tau_ridge", "tau_gbm", "tau_stack", "tau_ours"])
        for s, m, d, seed, n, tr, tg, to in out:
            w.writerow([s, m, d, seed, n, f"{tr:.4f}", f"{tg:.4f}", f"{max(tr, tg):.4f}", f"{to:.4f}"])
    # per row: mean over seeds
    rows = {}
    for s, m, d, seed, n, tr, tg, to in out:
        rows.setdefault((s, m, d), []).append((tr, tg, max(tr, tg), to))
    mean = {k: np.mean(np.array(v), axis=0) for k, v in rows.items()}
    groups = {}
    for (s, m, d), v in mean.items():
        groups.setdefault(group(m, d), []).append(v)
        if m != "perplexity":
            groups.setdefault(m, []).append(v)
        else:
            groups.setdefault(f"perplexity {s}", []).append(v)
    order = ["latency", "latency GPU", "latency CPU", "energy", "energy GPU", "energy CPU", "perplexity",
             "perplexity s", "perplexity m", "perplexity l"]
    L = []
    L.append("# Surrogates against a quick ridge / boosting stack (same withheld archs)\n")
    L.append(f"Generated by `python3 scripts/surrogate_baseline.py --data {args.data} --seeds "
             f"{','.join(map(str, seeds))} --hwnas {args.hwnas} --out {args.out}` (numpy, scipy, scikit-learn; "
             "development only). Split: exactly `sur_is_validation` (a hash of the arch string and the seed, "
             "20% validation), for each seed. Baseline features (order-free): embed, n_layer, bias, counts of "
             "each MLP ratio and head choice, sums of MLP ratios and heads, exact params and FLOPs. Target: log of "
             "the per-arch median (CPU energy: the given mean). Ridge: standardised features, alpha by LOO CV. "
             "GBM: sklearn HistGradientBoostingRegressor (learning rate 0.05, <= 500 trees, early stopping, "
             "min 20 rows per leaf). Stack = max(ridge, GBM) per row, the bar to beat. Ours: "
             "`hwnas surrogate-report --seed N`. Each row's tau is the mean over the seeds; groups give the "
             "median (min) over their rows.\n")
    L.append("## By group\n")
    L.append("| group | rows | ridge | GBM | stack | ours | rows ours < stack | worst ours - stack |")
    L.append("|---|---|---|---|---|---|---|---|")
    for g in order:
        if g not in groups:
            continue
        v = np.array(groups[g])
        cell = [f"{np.median(v[:, j]):.3f} ({v[:, j].min():.3f})" for j in range(4)]
        lose = int(np.sum(v[:, 3] < v[:, 2]))
        L.append(f"| {g} | {len(v)} | {' | '.join(cell)} | {lose} | {np.min(v[:, 3] - v[:, 2]):+.4f} |")
    L.append("\n## Per row (mean over seeds)\n")
    L.append("| scale | metric | device | ridge | GBM | stack | ours | ours - stack |")
    L.append("|---|---|---|---|---|---|---|---|")
    for (s, m, d), v in mean.items():
        L.append(f"| {s} | {m} | {d or '-'} | {v[0]:.4f} | {v[1]:.4f} | {v[2]:.4f} | {v[3]:.4f} | {v[3] - v[2]:+.4f} |")
    per_seed = [(r[7] - max(r[5], r[6])) for r in out]
    L.append(f"\nSingle (row, seed) pairs: ours below the stack in {sum(d < 0 for d in per_seed)} of "
             f"{len(per_seed)}, by at most {-min(per_seed):.4f}.")
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(L) + "\n")
    print("\n".join(L[:16]))


if __name__ == "__main__":
    main()
