#!/usr/bin/env python3
"""Your own optimizer in Python, run by hwnas's C run loop next to a
built-in one: both logs land in the same directory, so `hwnas trajectory`
and scripts/plot_hv.py compare them (docs/python.md).

    python3 examples/my_optimizer.py [--out DIR] [--evaluations N] [--seed S]

The optimizer is a (mu + lambda) evolution that mutates one gene of a
random parent from its current non-dominated set: ask(n) returns n genomes
(one choice index per gene), tell(genomes, objectives) hears their
objectives (minimised)."""
import argparse

import numpy as np

import hwnas


def non_dominated(f):
    """Indices of the non-dominated rows of f (minimised)."""
    keep = []
    for i in range(len(f)):
        dominated = np.any(np.all(f <= f[i], axis=1) & np.any(f < f[i], axis=1))
        if not dominated:
            keep.append(i)
    return keep


class MutateFront:
    name = "mutate_front"

    def __init__(self, n_init=20):
        self.n_init = n_init

    def start(self, problem):
        """Called before each seed's run: the genome layout and the seed."""
        self.choices = np.asarray(problem.choices)
        self.rng = np.random.default_rng(problem.seed)
        self.x = np.empty((0, problem.n_var))
        self.f = np.empty((0, problem.n_obj))

    def ask(self, n):
        if len(self.x) < self.n_init:  # random start
            return np.floor(self.rng.random((n, len(self.choices))) * self.choices)
        front = self.x[non_dominated(self.f)]
        kids = front[self.rng.integers(len(front), size=n)].copy()
        genes = self.rng.integers(len(self.choices), size=n)
        kids[np.arange(n), genes] = np.floor(self.rng.random(n) * self.choices[genes])
        return kids

    def tell(self, genomes, objectives):
        self.x = np.vstack([self.x, genomes])
        self.f = np.vstack([self.f, objectives])


def config(evaluations, seed, out, optimizer="random_search"):
    return {"name": "my_optimizer_demo", "problem": {"name": "hwgpt", "scale": "s", "device": "a100",
                                                     "objectives": ["perplexity", "latency"]},
            "optimizer": {"name": optimizer}, "budget": {"evaluations": evaluations}, "seeds": [seed],
            "output": out}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="results")
    ap.add_argument("--evaluations", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    mine = hwnas.run(config(a.evaluations, a.seed, a.out), optimizer=MutateFront())
    builtin = hwnas.run(config(a.evaluations, a.seed, a.out + "/builtin"))
    for label, r in (("python:mutate_front", mine), ("random_search", builtin)):
        run = r["runs"][0]
        print(f"{label:22s} hypervolume {run['hypervolume']:.4f}  log {run['log']}")


if __name__ == "__main__":
    main()
