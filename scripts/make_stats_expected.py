#!/usr/bin/env python3
"""scripts/make_stats_expected.py — development only: writes the scipy values
that tests/test_stats.c checks indicators/stats.h against.

    python3 -m venv /tmp/mvenv && /tmp/mvenv/bin/pip install scipy
    /tmp/mvenv/bin/python scripts/make_stats_expected.py > tests/data/stats_expected/scipy_cases.txt

Lines (numbers in Python's repr, round-trip exact):
    wilcoxon <n> <a_1..a_n> <b_1..b_n> <w_plus> <w_minus> <p>     scipy.stats.wilcoxon(a, b)
    friedman <n> <k> <row-major n x k scores> <chi2> <p>          scipy.stats.friedmanchisquare (no ties)
    nemenyi <k> <alpha> <q>                                         studentized_range.ppf(1 - alpha, k, inf) / sqrt(2)
    iqm <n> <x_1..x_n> <iqm>                                        scipy.stats.trim_mean(x, 0.25)
"""
import argparse
import math
import random
import sys


def r(v):
    return " ".join(repr(float(x)) for x in v)


def wilcoxon(np, stats, a, b):
    res = stats.wilcoxon(a, b)
    d = np.asarray(a) - np.asarray(b)
    d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    wp, wm = ranks[d > 0].sum(), ranks[d < 0].sum()
    print("wilcoxon %d %s %s %r %r %r" % (len(a), r(a), r(b), float(wp), float(wm), float(res.pvalue)))


def main():
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    try:
        import numpy as np
        import scipy
        from scipy import stats
    except ImportError:
        sys.exit("make_stats_expected.py: needs scipy (python3 -m venv /tmp/mvenv && /tmp/mvenv/bin/pip install scipy)")
    rng = random.Random(7)
    print("# scipy %s (scripts/make_stats_expected.py)" % scipy.__version__)
    # no ties, no zeros: exact
    for n in (5, 8, 10, 14, 20, 30):
        a = [rng.random() for _ in range(n)]
        b = [x + rng.gauss(0.1, 0.3) for x in a]
        wilcoxon(np, stats, a, b)
    # ties among |d|: normal approximation with tie correction
    for n in (12, 25):
        a = [float(rng.randint(0, 6)) for _ in range(n)]
        b = [x + rng.choice([-2.0, -1.0, 1.0, 2.0, 3.0]) for x in a]
        wilcoxon(np, stats, a, b)
    # more than 50 pairs: normal approximation
    a = [rng.random() for _ in range(60)]
    b = [x + rng.gauss(0.05, 0.3) for x in a]
    wilcoxon(np, stats, a, b)
    # Friedman without ties (scipy's tie correction is then void)
    for n, k in ((5, 3), (14, 4), (10, 6)):
        s = [[rng.random() + 0.1 * j for j in range(k)] for _ in range(n)]
        res = stats.friedmanchisquare(*[[row[j] for row in s] for j in range(k)])
        print("friedman %d %d %s %r %r" % (n, k, r(sum(s, [])), float(res.statistic), float(res.pvalue)))
    for k in (2, 3, 4, 5, 8, 10, 20):
        for alpha in (0.05, 0.1):
            q = stats.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
            print("nemenyi %d %r %r" % (k, alpha, float(q)))
    for n in (1, 2, 3, 4, 5, 7, 10, 13):
        x = [rng.random() for _ in range(n)]
        print("iqm %d %s %r" % (n, r(x), float(stats.trim_mean(x, 0.25))))


if __name__ == "__main__":
    main()
