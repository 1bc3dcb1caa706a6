#!/usr/bin/env python3
"""Time moocore's hypervolume on the point sets written by `bench_hv --write DIR`
and compare with hwnas's times and values stored in DIR/hwnas_hv.json.

    build/bench_hv --write /tmp/hvbench && python3 scripts/bench_hv_compare.py /tmp/hvbench

moocore (pip install moocore) is an optional comparison only, never a
dependency of the build or the tests.  Times exclude file loading; each is
the median of --reps calls.  Exits 1 if any HV differs by more than 1e-12
relative."""
import argparse
import json
import statistics
import sys
import time


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="the directory `bench_hv --write DIR` wrote")
    ap.add_argument("--reps", type=int, default=5, help="calls per workload (median; default 5)")
    args = ap.parse_args()
    try:
        import numpy as np
        import moocore
    except ImportError as e:
        print("bench_hv_compare.py: %s (pip install numpy moocore)" % e, file=sys.stderr)
        return 2
    with open(f"{args.dir}/hwnas_hv.json") as f:
        ours = json.load(f)
    one = np.array([[0.5, 0.5]])
    overhead = statistics.median(_timed(lambda: moocore.hypervolume(one, ref=[1.1, 1.1])) for _ in range(50))
    print(f"moocore {moocore.__version__}; per-call overhead of the Python wrapper "
          f"(1-point set): {overhead * 1e6:.1f} us")
    print(f"{'workload':18s} {'hwnas_s':>10s} {'moocore_s':>10s} {'ratio':>7s} {'rel_diff':>9s}  hv")
    ok = True
    for name, r in ours.items():
        pts = np.loadtxt(f"{args.dir}/{name}.txt", ndmin=2)
        ref = np.full(r["d"], 1.1)
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            hv = moocore.hypervolume(pts, ref=ref)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        rel = abs(hv - r["hv"]) / max(abs(hv), abs(r["hv"]), 1e-300)
        ok &= rel <= 1e-12
        print(f"{name:18s} {r['median_s']:10.6f} {med:10.6f} {r['median_s'] / med:7.3f} {rel:9.2e}  "
              f"{r['hv']:.17g} {hv:.17g}")
    if not ok:
        print("hypervolume values disagree beyond 1e-12 relative", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
