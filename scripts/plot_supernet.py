#!/usr/bin/env python3
"""usage: plot_supernet.py archs ... | report ...

The xs supernet study (results/supernet.md), driven by scripts/supernet_study.sh.

  plot_supernet.py archs --random N --spread K --seed S OUTDIR
      writes OUTDIR/random.txt (N random xs architectures) and OUTDIR/spread.txt
      (K architectures spread over the parameter range: the smallest, the
      largest and K-2 at evenly spaced parameter quantiles of 2,000 samples)
  plot_supernet.py report TRAIN_LOG RANDOM_JSONL FINETUNE_JSONL OUTDIR
      writes OUTDIR/supernet_training.png, supernet_subnets.png,
      supernet_finetune.png, supernet_subnets.csv, supernet_finetune.csv and
      prints the figures of results/supernet.md as JSON

The xs space (space/space.c): embed 64/128/256, 2-4 layers, 2-4 heads and MLP
ratio 2-4 per layer, bias True/False, vocabulary 256, head size 64.  Kendall's
tau is tau-b, written here (no SciPy needed)."""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

EMBED, LAYERS, HEADS, RATIOS, V, HS = (64, 128, 256), (2, 3, 4), (2, 3, 4), (2, 3, 4), 256, 64


def arch_string(L, e, ratios, heads, bias):
    return "gpt-xs-%d-%d-%s-%s-%s" % (L, e, "-".join(map(str, ratios)), "-".join(map(str, heads)),
                                      "True" if bias else "False")


def params(L, e, ratios, heads, bias):
    """Parameter count of a slice (supernet/model.c's sn_dims_params)."""
    n = 2 * V * e + 2 * e  # wte, lm_head, final LayerNorm
    for r, h in zip(ratios, heads):
        a, f = HS * h, r * e
        n += 4 * e  # two LayerNorms
        n += 3 * a * e + e * a + 3 * f * e  # q, k, v, o, w1, w2, w3
        if bias:
            n += 3 * a + e + 2 * f + e
    return n


def sample(rng):
    L = rng.choice(LAYERS)
    return (L, rng.choice(EMBED), tuple(rng.choice(RATIOS) for _ in range(L)),
            tuple(rng.choice(HEADS) for _ in range(L)), rng.random() < 0.5)


def cmd_archs(argv):
    opts = {"--random": 100, "--spread": 12, "--seed": 1}
    out = None
    i = 0
    while i < len(argv):
        if argv[i] in opts and i + 1 < len(argv):
            opts[argv[i]] = int(argv[i + 1])
            i += 2
        elif out is None and not argv[i].startswith("-"):
            out = argv[i]
            i += 1
        else:
            sys.exit("plot_supernet.py archs: unexpected argument '%s'" % argv[i])
    if out is None:
        sys.exit("plot_supernet.py archs: OUTDIR is required")
    rng = random.Random(opts["--seed"])
    with open(os.path.join(out, "random.txt"), "w") as f:
        for _ in range(opts["--random"]):
            f.write(arch_string(*sample(rng)) + "\n")
    k = opts["--spread"]
    pool = sorted({sample(rng) for _ in range(2000)}, key=lambda a: (params(*a), arch_string(*a)))
    smallest = (2, 64, (2, 2), (2, 2), False)
    largest = (4, 256, (4,) * 4, (4,) * 4, True)
    picks = [smallest] + [pool[round((j + 1) * (len(pool) - 1) / (k - 1))] for j in range(k - 2)] + [largest]
    with open(os.path.join(out, "spread.txt"), "w") as f:
        for a in picks:
            f.write(arch_string(*a) + "\n")


def kendall_tau_b(x, y):
    n, conc, disc, tx, ty = len(x), 0, 0, 0, 0
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif (dx > 0) == (dy > 0):
                conc += 1
            else:
                disc += 1
    den = ((conc + disc + tx) * (conc + disc + ty)) ** 0.5
    return (conc - disc) / den if den else float("nan")


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_report(argv):
    if len(argv) != 4:
        sys.exit("plot_supernet.py report: TRAIN_LOG RANDOM_JSONL FINETUNE_JSONL OUTDIR")
    train_log, random_jsonl, finetune_jsonl, out = argv
    from plotlib import import_pyplot
    plt = import_pyplot()
    log, subs, ft = read_jsonl(train_log), read_jsonl(random_jsonl), read_jsonl(finetune_jsonl)
    fig = {}

    # training curve
    steps = [r["step"] for r in log]
    p = plt.figure(figsize=(6, 3.6))
    plt.plot(steps, [r["train_loss"] for r in log], "o-", ms=3, label="train (sandwich mean, last step)")
    plt.plot(steps, [r["val_loss_largest"] for r in log], "s-", ms=3, label="validation, largest")
    plt.plot(steps, [r["val_loss_smallest"] for r in log], "^-", ms=3, label="validation, smallest")
    plt.xlabel("step")
    plt.ylabel("loss (nats per byte)")
    plt.title("xs supernet training")
    plt.grid(alpha=0.3)
    plt.legend()
    plt.tight_layout()
    p.savefig(os.path.join(out, "supernet_training.png"), dpi=90)
    last = log[-1]
    fig["train"] = {"steps": last["step"], "val_loss_largest": last["val_loss_largest"],
                    "val_loss_smallest": last["val_loss_smallest"], "elapsed_s": last["elapsed_s"],
                    "tokens_per_s": last["tokens_per_s"]}

    # sub-networks: the first two lines are the largest and the smallest
    with open(os.path.join(out, "supernet_subnets.csv"), "w") as f:
        f.write("kind,arch,params,perplexity\n")
        for i, r in enumerate(subs):
            kind = "largest" if i == 0 else "smallest" if i == 1 else "random"
            f.write("%s,%s,%d,%.6g\n" % (kind, r["arch"], r["params"], r["perplexity"]))
    rnd = subs[2:]
    xp, yp = [r["params"] for r in rnd], [r["perplexity"] for r in rnd]
    p = plt.figure(figsize=(6, 3.6))
    plt.scatter([x / 1e6 for x in xp], yp, s=12, alpha=0.7, label="%d random" % len(rnd))
    plt.scatter([subs[0]["params"] / 1e6], [subs[0]["perplexity"]], marker="*", s=120, c="C2", label="largest")
    plt.scatter([subs[1]["params"] / 1e6], [subs[1]["perplexity"]], marker="v", s=60, c="C3", label="smallest")
    plt.xlabel("parameters (millions)")
    plt.ylabel("validation perplexity (per byte)")
    plt.title("xs sub-networks with inherited weights")
    plt.grid(alpha=0.3)
    plt.legend()
    plt.tight_layout()
    p.savefig(os.path.join(out, "supernet_subnets.png"), dpi=90)
    fig["subnets"] = {"largest": subs[0]["perplexity"], "smallest": subs[1]["perplexity"], "n_random": len(rnd),
                      "random_min": min(yp), "random_median": sorted(yp)[len(yp) // 2], "random_max": max(yp),
                      "tau_params_perplexity": kendall_tau_b(xp, yp)}

    # fine-tuning
    with open(os.path.join(out, "supernet_finetune.csv"), "w") as f:
        f.write("arch,params,perplexity_inherited,perplexity_finetuned,steps,lr\n")
        for r in ft:
            f.write("%s,%d,%.6g,%.6g,%d,%.6g\n" % (r["arch"], r["params"], r["perplexity_before"],
                                                   r["perplexity_after"], r["steps"], r["lr"]))
    xi, yf = [r["perplexity_before"] for r in ft], [r["perplexity_after"] for r in ft]
    p = plt.figure(figsize=(4.6, 4.2))
    plt.scatter(xi, yf, s=18)
    lo, hi = min(xi + yf), max(xi + yf)
    plt.plot([lo, hi], [lo, hi], "k:", lw=1, label="y = x")
    plt.xlabel("inherited perplexity (supernet slice)")
    plt.ylabel("perplexity after fine-tuning alone")
    plt.title("%d xs sub-networks, %d steps each" % (len(ft), ft[0]["steps"]))
    plt.grid(alpha=0.3)
    plt.legend()
    plt.tight_layout()
    p.savefig(os.path.join(out, "supernet_finetune.png"), dpi=90)
    fig["finetune"] = {"n": len(ft), "steps": ft[0]["steps"], "tau_inherited_finetuned": kendall_tau_b(xi, yf),
                       "mean_gain": sum(a - b for a, b in zip(xi, yf)) / len(ft)}
    print(json.dumps(fig, indent=1))


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0)
    if len(sys.argv) < 2 or sys.argv[1] not in ("archs", "report"):
        sys.exit("usage: plot_supernet.py archs ... | report ... (see the docstring)")
    (cmd_archs if sys.argv[1] == "archs" else cmd_report)(sys.argv[2:])
