#!/usr/bin/env python3
"""scripts/make_eaf_expected.py — development only: writes the expected
attainment surfaces that tests/test_eaf.c compares hwnas's exact 2-D EAF
(indicators/eaf.h) against, computed by moocore's `eaf` (PyPI).

    python3 -m venv /tmp/mvenv && /tmp/mvenv/bin/pip install moocore
    /tmp/mvenv/bin/python scripts/make_eaf_expected.py > tests/data/eaf_expected/moocore_cases.txt

Neither the build nor the tests need moocore: the output is committed.
Format, per case (numbers in Python's repr, round-trip exact):
    case <n_runs> <n_points> <n_percentiles>
    pct <p1> <p2> ...
    <run> <x> <y>          (n_points lines, runs 0 .. n_runs-1 in order)
    expect <m>
    <percentile> <x> <y>   (m lines, moocore's order)
"""
import argparse
import random
import sys

DEFAULT = [0, 25, 50, 75, 100]


def case(rng, n_runs, per_run, grid, pcts):
    import moocore
    import numpy as np

    pts, sets = [], []
    for r in range(n_runs):
        for _ in range(rng.randint(1, per_run)):
            if grid:  # few distinct values: ties in x, y and whole points
                x, y = rng.randint(0, grid), rng.randint(0, grid)
            else:
                x, y = rng.random() * 10, rng.random() ** 2 * 5
            pts.append((float(x), float(y)))
            sets.append(r + 1)
    got = moocore.eaf(np.array(pts), np.array(sets), percentiles=pcts)
    out = ["case %d %d %d" % (n_runs, len(pts), len(pcts)), "pct " + " ".join(repr(float(p)) for p in pcts)]
    out += ["%d %r %r" % (s - 1, x, y) for (x, y), s in zip(pts, sets)]
    out.append("expect %d" % len(got))
    out += ["%r %r %r" % (float(p), float(x), float(y)) for x, y, p in got]
    return "\n".join(out)


def main():
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    try:
        import moocore
    except ImportError:
        sys.exit("make_eaf_expected.py: needs moocore (python3 -m venv /tmp/mvenv && /tmp/mvenv/bin/pip install moocore)")
    rng = random.Random(20261203)
    cases = []
    shapes = [(1, 5), (2, 4), (3, 10), (4, 8), (5, 20), (7, 6), (10, 15), (12, 30), (3, 1), (6, 25),
              (8, 3), (11, 12)]
    for i, (n, m) in enumerate(shapes):
        cases.append(case(rng, n, m, None, DEFAULT))
        pcts = sorted(set([0, 10, 100.0 / 3, 50, 62.5, 90, 100][: 3 + i % 5]))
        cases.append(case(rng, n, m, 4 + i % 3, pcts))
    sys.stdout.write("# expected attainment surfaces from moocore %s (scripts/make_eaf_expected.py)\n"
                     % moocore.__version__)
    sys.stdout.write("\n".join(cases) + "\n")


if __name__ == "__main__":
    main()
