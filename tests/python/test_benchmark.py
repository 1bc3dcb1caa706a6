"""hwnas.Benchmark against `hwnas query` and the C runner."""
import json
import re

import numpy as np
import pytest

import hwnas
from conftest import run_cli

ALL_METRICS = ["params", "flops", "macs", "memory_fp32", "memory_fp16", "memory_bf16", "perplexity", "latency",
               "energy"]


def cli_query(cli, archs, metrics, device, scale=None):
    args = [cli, "query", "--device", device, "--metrics", ",".join(metrics), "--arch-file", "-"]
    if scale:
        args += ["--scale", scale]
    _, out, _ = run_cli(args, stdin="\n".join(archs) + "\n")
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("scale,device,n", [("s", "a100", 1000), ("m", "rtx2080", 200), ("l", "h100", 200)])
def test_query_equals_hwnas_query(hwnas_cli, scale, device, n):
    b = hwnas.Benchmark(scale=scale, device=device)
    archs = b.sample_archs(n, seed=7)
    assert len(archs) == n and len(set(archs)) > n * 0.9
    got = b.query(archs, ALL_METRICS)
    want = cli_query(hwnas_cli, archs, ALL_METRICS, device)
    assert got["arch"] == [w["arch"] for w in want]
    keys = [k for k in want[0] if k != "arch"]
    assert sorted(keys) == sorted(k for k in got if k != "arch")
    assert "latency_std" in keys and "energy_noise_std" in keys
    for k in keys:
        w = np.array([row[k] for row in want], dtype=float)
        assert np.array_equal(np.asarray(got[k], dtype=float), w), k  # exact, not approximate
    assert got["params"].dtype == np.int64


def test_query_one_arch_and_dicts():
    b = hwnas.Benchmark(scale="s", device="a100")
    archs = b.sample_archs(20, seed=3)
    many = b.query(archs, ["perplexity", "latency"])
    dicts = b.query([hwnas.arch_to_dict(a) for a in archs], ["perplexity", "latency"])
    one = b.query(archs[4], ["perplexity", "latency"])
    assert np.array_equal(many["latency"], dicts["latency"])
    assert one["latency"][0] == many["latency"][4] and one["arch"] == [archs[4]]
    # HW-GPT-Bench's dicts carry lists of the maximal length: the tail is ignored
    d = hwnas.arch_to_dict(archs[0])
    d["sample_mlp_ratio"] = d["sample_mlp_ratio"] + [4] * 5
    d["sample_bias"] = "True" if d["sample_bias"] else "False"
    assert b.query(d, ["params"])["params"][0] == many_params(b, archs[0])


def many_params(b, arch):
    return b.query([arch], ["params"])["params"][0]


def test_sample_archs_seeded():
    b = hwnas.Benchmark(scale="m", backend="analytic")
    assert b.sample_archs(50, seed=1) == b.sample_archs(50, seed=1)
    assert b.sample_archs(50, seed=1) != b.sample_archs(50, seed=2)
    assert all(a.startswith("gpt-m-") for a in b.sample_archs(50, seed=1))


def test_noise_sample_equals_runner(tmp_path):
    objectives = ["perplexity", "latency", "energy"]
    cfg = {"name": "noisy", "problem": {"name": "hwgpt", "scale": "s", "device": "a100", "noise": "sample",
                                        "objectives": objectives},
           "optimizer": {"name": "random_search"}, "budget": {"evaluations": 300}, "seeds": [11],
           "output": str(tmp_path)}
    res = hwnas.run(cfg)
    evals, _ = hwnas.load_runs(res["runs"][0]["log"])
    b = hwnas.Benchmark(scale="s", device="a100", noise="sample", seed=11)
    first = b.query(list(evals["arch"][:100]), objectives)
    rest = b.query(list(evals["arch"][100:]), objectives)  # continues the evaluation count
    for k, m in enumerate(objectives):
        got = np.concatenate([first[m], rest[m]])
        assert np.array_equal(got, evals[f"f_{m}"].to_numpy()), m
    mean = hwnas.Benchmark(scale="s", device="a100").query(list(evals["arch"]), objectives)
    assert not np.array_equal(mean["latency"], evals["f_latency"].to_numpy())  # the draws are noisy
    again = b.query(list(evals["arch"][:100]), objectives, index=0)
    assert np.array_equal(again["energy"], first["energy"])


@pytest.mark.parametrize("call,message", [
    (lambda: hwnas.Benchmark(scale="xl"), "scale: unknown scale 'xl' (expected s, m or l)"),
    (lambda: hwnas.Benchmark(device="tpu"), "device: unknown device 'tpu'"),
    (lambda: hwnas.Benchmark(backend="gpu"), "backend: unknown backend 'gpu' (expected surrogate or analytic)"),
    (lambda: hwnas.Benchmark(noise="loud"), "noise: expected mean or sample, got 'loud'"),
    (lambda: hwnas.Benchmark().query(["gpt-s-1-2"], ["params"]), "archs[0]: "),
    (lambda: hwnas.Benchmark().query(["gpt-m-12-512-2-2-2-2-2-2-2-2-2-2-2-2-8-8-8-8-8-8-8-8-8-8-8-8-True"],
                                     ["params"]), "archs[0]: "),
    (lambda: hwnas.Benchmark().query([], ["latency"]), "metrics: 'latency' needs a device"),
    (lambda: hwnas.Benchmark().query([], ["params", "nope"]), "metrics: unknown metric 'nope'"),
    (lambda: hwnas.Benchmark().query([], ["params", "params"]), "metrics: 'params' is listed twice"),
    (lambda: hwnas.Benchmark(models="/nonexistent").query([], ["perplexity"]), "/nonexistent"),
    (lambda: hwnas.Benchmark().query([{"sample_embed_dim": 768}], ["params"]), "arch dict: missing key"),
])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError) as exc:
        call()
    text = str(exc.value)
    assert message in text
    assert "\n" not in text


def test_query_error_equals_cli(hwnas_cli):
    bad = "gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-13-False"
    rc, _, err = run_cli([hwnas_cli, "query", "--metrics", "params", "--arch-file", "-"], stdin=bad + "\n",
                         check=False)
    assert rc == 2
    cli_reason = err.strip().split(": ", 1)[1]  # after "-:1"
    with pytest.raises(ValueError) as exc:
        hwnas.Benchmark().query([bad], ["params"])
    assert str(exc.value) == "archs[0]: " + cli_reason


def test_metrics_on_their_own_device(hwnas_cli):
    """'latency@a100' (a metric on its own device, as in problem configs):
    the values of a Benchmark on that device, and of `hwnas query` with the
    same names; noisy draws of two devices are not one draw."""
    names = ["perplexity", "latency@a100", "energy@cpu_xeon_gold", "latency@h100"]
    b = hwnas.Benchmark(scale="l")
    archs = b.sample_archs(50, seed=3)
    got = b.query(archs, names)
    for metric, device in (("latency", "a100"), ("energy", "cpu_xeon_gold"), ("latency", "h100")):
        one = hwnas.Benchmark(scale="l", device=device).query(archs, [metric])
        for suffix in ("", "_std", "_noise_std"):
            assert np.array_equal(got[f"{metric}@{device}{suffix}"], one[metric + suffix]), (metric, device, suffix)
    _, out, _ = run_cli([hwnas_cli, "query", "--metrics", ",".join(names), "--arch-file", "-"],
                        stdin="\n".join(archs) + "\n")
    want = [json.loads(line) for line in out.splitlines()]
    for k in names:
        assert np.array_equal(got[k], np.array([w[k] for w in want])), k
    noisy = hwnas.Benchmark(scale="l", noise="sample", seed=5).query([archs[0]] * 300, ["latency@a100", "latency@h100"])
    za = np.argsort(np.argsort(noisy["latency@a100"]))
    zb = np.argsort(np.argsort(noisy["latency@h100"]))
    assert abs(np.corrcoef(za, zb)[0, 1]) < 0.2   # one shared draw would give rank correlation 1
    for bad, msg in ((["perplexity@a100"], "perplexity does not depend on the device"),
                     (["latency@tpu"], "unknown device 'tpu'"),
                     (["latency"], "'latency' needs a device (or name one: latency@DEVICE)"),
                     (["latency@a100", "latency@A100"], "'latency@A100' is listed twice")):
        with pytest.raises(ValueError, match=re.escape(msg)):
            b.query(archs[:1], bad)
