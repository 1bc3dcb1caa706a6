"""hwnas.run with built-in and Python optimizers, load_runs, and the
analysis tools on their logs."""
import csv
import gzip
import io
import json
import os
import shutil
import sys

import numpy as np
import pytest

import hwnas
from conftest import SRC, run_cli

sys.path.insert(0, os.path.join(SRC, "scripts"))
import plot_hv  # noqa: E402


def config(out, optimizer="random_search", evaluations=200, seeds=(3,)):
    return {"name": "py_run", "problem": {"name": "hwgpt", "scale": "s", "device": "a100",
                                          "objectives": ["perplexity", "latency"]},
            "optimizer": {"name": optimizer}, "budget": {"evaluations": evaluations}, "seeds": list(seeds),
            "output": str(out)}


class RandomGenomes:
    """Uniform genomes from numpy: the simplest Python optimizer."""
    name = "random_genomes"

    def start(self, problem):
        self.choices = np.asarray(problem.choices)
        self.rng = np.random.default_rng(problem.seed)
        self.told = 0
        self.seeds = getattr(self, "seeds", []) + [problem.seed]

    def ask(self, n):
        return np.floor(self.rng.random((n, len(self.choices))) * self.choices)

    def tell(self, genomes, objectives):
        assert genomes.shape[0] == objectives.shape[0] and objectives.shape[1] == 2
        assert np.all(np.isfinite(objectives))
        self.told += len(genomes)


def test_builtin_run_equals_run_experiment(tmp_path, run_experiment):
    cfg = config(tmp_path / "a")
    res = hwnas.run(cfg)
    assert [r["status"] for r in res["runs"]] == ["done"] and res["runs"][0]["evaluations"] == 200
    path = tmp_path / "cfg.json"
    cfg["output"] = str(tmp_path / "b")
    path.write_text(json.dumps(cfg))
    _, out, _ = run_cli([run_experiment, str(path), "--quiet"])
    want = json.loads(out.splitlines()[-1])
    assert want["runs"][0]["hypervolume"] == res["runs"][0]["hypervolume"]
    again = hwnas.run(config(tmp_path / "a"))  # complete: skipped, as run_experiment skips it
    assert again["runs"][0]["status"] == "skipped"


def test_python_optimizer_logs_like_builtin(tmp_path, hwnas_cli):
    opt = RandomGenomes()
    mine = hwnas.run(config(tmp_path, seeds=(3, 4)), optimizer=opt)
    assert opt.seeds == [3, 4] and opt.told == 200
    builtin = hwnas.run(config(tmp_path / "builtin", seeds=(3, 4)))
    logs = [r["log"] for r in mine["runs"]] + [r["log"] for r in builtin["runs"]]
    with open(logs[0]) as f:
        meta = json.loads(f.readline())
    assert meta["optimizer"] == "python:random_genomes" and meta["config"]["optimizer"] == {
        "name": "python:random_genomes"}
    # hwnas trajectory: the same columns and one row per evaluation for both
    _, out, _ = run_cli([hwnas_cli, "trajectory"] + logs)
    rows = list(csv.DictReader(io.StringIO(out)))
    by_opt = {}
    for r in rows:
        by_opt.setdefault(r["optimizer"], []).append(r)
    assert set(by_opt) == {"python:random_genomes", "random_search"}
    assert len(by_opt["python:random_genomes"]) == len(by_opt["random_search"])
    # scripts/plot_hv.py reads both alike: one group each, two seeds each
    csv_path = tmp_path / "hv.csv"
    csv_path.write_text(out)
    groups = plot_hv.read_trajectory(str(csv_path))
    assert set(groups) == {"python:random_genomes", "random_search"}
    assert all(len(seeds) == 2 for seeds in groups.values())
    for g in groups.values():
        rows_ = plot_hv.summarise(g)
        assert len(rows_) > 0 and all(0 < med <= 1.5 and n == 2 for _, _, med, _, n in rows_)
    # load_runs: the same columns for both
    e1, s1 = hwnas.load_runs(mine["runs"][0]["log"])
    e2, s2 = hwnas.load_runs(builtin["runs"][0]["log"])
    assert list(e1.columns) == list(e2.columns) and list(s1.columns) == list(s2.columns)
    assert len(e1) == 200 and s1["hypervolume"][0] == mine["runs"][0]["hypervolume"]


def test_python_optimizer_replays_builtin(tmp_path):
    """A Python optimizer that asks the genomes a built-in run asked gets the
    same log entries and hypervolume: the run loop evaluates and scores both
    alike."""
    builtin = hwnas.run(config(tmp_path / "b", optimizer="nsga2", evaluations=300))
    evals, summ = hwnas.load_runs(builtin["runs"][0]["log"])
    archs = list(evals["arch"])

    class Replay:
        name = "replay"

        def start(self, problem):
            self.i = 0

        def ask(self, n):
            g = genomes[self.i:self.i + n]
            self.i += len(g)
            return g

        def tell(self, genomes_, objectives):
            pass

    b = hwnas.Benchmark("s")
    genomes = genome_of(b, archs)
    mine = hwnas.run(config(tmp_path / "p", evaluations=300), optimizer=Replay())
    e2, s2 = hwnas.load_runs(mine["runs"][0]["log"])
    assert list(e2["arch"]) == archs
    assert np.array_equal(e2["f_latency"], evals["f_latency"])
    assert s2["hypervolume"][0] == summ["hypervolume"][0]


def genome_of(b, archs):
    """Genomes of arch strings (found by matching the formatted genome)."""
    out = []
    for a in archs:
        d = hwnas.arch_to_dict(a)
        sp = {"s": ([192, 384, 768], [10, 11, 12], [2, 3, 4], [4, 8, 12])}[b.scale]
        n_max = max(sp[1])
        g = [sp[0].index(d["sample_embed_dim"]), sp[1].index(d["sample_n_layer"])]
        mlp = [sp[2].index(v) for v in d["sample_mlp_ratio"]] + [0] * (n_max - d["sample_n_layer"])
        heads = [sp[3].index(v) for v in d["sample_n_head"]] + [0] * (n_max - d["sample_n_layer"])
        g += mlp + heads + [0 if d["sample_bias"] else 1]
        out.append(g)
    x = np.array(out, dtype=float)
    assert b.genomes_to_archs(x) == list(archs)
    return x


def test_load_runs_reads_gzip_and_directories(tmp_path):
    res = hwnas.run(config(tmp_path / "r", seeds=(1, 2), evaluations=50))
    log = res["runs"][0]["log"]
    gz = tmp_path / "copy" / "seed_1.jsonl.gz"
    gz.parent.mkdir()
    with open(log, "rb") as f, gzip.open(gz, "wb") as g:
        shutil.copyfileobj(f, g)
    e_plain, s_plain = hwnas.load_runs(log)
    e_gz, s_gz = hwnas.load_runs(str(gz))
    assert e_plain.drop(columns="log").equals(e_gz.drop(columns="log"))
    e_dir, s_dir = hwnas.load_runs(str(tmp_path / "r"))
    assert len(e_dir) == 100 and sorted(s_dir["seed"]) == [1, 2]
    with pytest.raises(ValueError, match="no such file"):
        hwnas.load_runs(str(tmp_path / "missing.jsonl"))


def test_bad_config_raises_the_c_message(tmp_path, run_experiment):
    cfg = config(tmp_path)
    cfg["budget"]["evaluation"] = 3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(cfg))
    rc, _, err = run_cli([run_experiment, str(path)], check=False)
    assert rc == 2
    with pytest.raises(ValueError) as exc:
        hwnas.run(str(path))
    assert str(exc.value) == err.strip()
    with pytest.raises(ValueError) as exc:
        hwnas.run(cfg)
    assert str(exc.value) == err.strip().replace(str(path), "<config>")
    with pytest.raises(ValueError, match="optimizer: object has no method ask"):
        hwnas.run(config(tmp_path), optimizer=object())


def test_python_optimizer_errors(tmp_path):
    class Broken(RandomGenomes):
        def tell(self, genomes, objectives):
            raise KeyError("boom")

    with pytest.raises(RuntimeError, match=r"<config>: seed 3: python:random_genomes: tell: KeyError: 'boom'") as exc:
        hwnas.run(config(tmp_path / "a"), optimizer=Broken())
    assert isinstance(exc.value.__cause__, KeyError)

    class OutOfRange(RandomGenomes):
        def ask(self, n):
            return np.full((n, len(self.choices)), 7.0)

    with pytest.raises(RuntimeError, match=r"python:random_genomes: asked genome 0, gene 0 = 7 is outside its variable"):
        hwnas.run(config(tmp_path / "b"), optimizer=OutOfRange())

    class WrongShape(RandomGenomes):
        def ask(self, n):
            return np.zeros((n, 3))

    with pytest.raises(RuntimeError, match=r"expected \(n, 27\)"):
        hwnas.run(config(tmp_path / "c"), optimizer=WrongShape())


def test_grid_config_runs_as_run_experiment_runs_it(tmp_path, run_experiment):
    """A grid (lists of optimizers and devices) from Python: the same runs,
    logs and hypervolumes as run_experiment's result line."""
    cfg = config(tmp_path / "py", evaluations=60, seeds=(1, 2))
    cfg["optimizer"] = [{"name": "random_search"}, {"name": "nsga2"}]
    cfg["problem"]["device"] = ["a100", "rtx2080"]
    res = hwnas.run(cfg)
    assert len(res["runs"]) == 2 * 2 * 2 and all(r["status"] == "done" for r in res["runs"])
    assert all(r["log"].endswith(".jsonl.gz") and os.path.exists(r["log"]) for r in res["runs"])
    path = tmp_path / "grid.json"
    cfg["output"] = str(tmp_path / "cli")
    path.write_text(json.dumps(cfg))
    _, out, _ = run_cli([run_experiment, str(path), "--quiet"])
    want = json.loads(out.splitlines()[-1])["runs"]
    key = lambda r: (r["optimizer"], r["device"], r["seed"])  # noqa: E731
    assert sorted(map(key, want)) == sorted(map(key, res["runs"]))
    hv = {key(r): r["hypervolume"] for r in want}
    assert all(hv[key(r)] == r["hypervolume"] for r in res["runs"])
    evals, summaries = hwnas.load_runs(str(tmp_path / "py"))
    assert len(summaries) == 8 and len(evals) == 8 * 60
