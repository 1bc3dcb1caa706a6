"""hwnas.compat (HW-GPT-Bench's API shape) and hwnas.pymoo."""
import numpy as np
import pytest

import hwnas
from hwnas.compat import DEVICES, HWGPT, HWGPTBenchAPI


def test_compat_keys_like_hwgpt_bench():
    api = HWGPT(search_space="s", seed=1)
    with pytest.raises(ValueError, match="Please set arch config before querying"):
        api.query()
    arch = api.sample_arch()
    assert set(arch) == {"sample_embed_dim", "sample_n_layer", "sample_mlp_ratio", "sample_n_head", "sample_bias"}
    assert len(arch["sample_mlp_ratio"]) == arch["sample_n_layer"]
    r = api.query(device="a100", metric="latencies")
    assert set(r) == {"perplexity", "latencies"} and set(r["latencies"]) == {"a100"}
    r = api.query(device="rtx2080", metric="energies")
    assert set(r) == {"perplexity", "energies"} and set(r["energies"]) == {"rtx2080"}
    for m in ("flops", "params", "float16_memory", "bfloat16_memory"):
        r = api.query(metric=m)
        assert set(r) == {"perplexity", m}
    full = api.query()
    assert set(full) == {"perplexity", "latencies", "energies", "flops", "params", "float16_memory",
                         "bfloat16_memory"}
    assert list(full["latencies"]) == DEVICES and "P100" in full["energies"]
    # the numbers are Benchmark's
    b = hwnas.Benchmark("s", device="a100")
    q = b.query(arch, ["perplexity", "latency", "params", "memory_fp16"])
    assert full["latencies"]["a100"] == q["latency"][0] and full["perplexity"] == q["perplexity"][0]
    assert full["params"] == q["params"][0] and full["float16_memory"] == q["memory_fp16"][0]
    assert HWGPTBenchAPI is HWGPT


def test_compat_set_arch_and_errors():
    api = HWGPT("m")
    b = hwnas.Benchmark("m", backend="analytic")
    arch = hwnas.arch_to_dict(b.sample_archs(1, seed=5)[0])
    api.set_arch(arch)
    assert api.query(metric="params")["params"] == b.query(arch, ["params"])["params"][0]
    with pytest.raises(ValueError, match="unknown metric 'latency'"):
        api.query(metric="latency")
    with pytest.raises(ValueError, match="arch dict"):
        api.set_arch({"sample_embed_dim": 1})
    with pytest.raises(ValueError, match="unknown scale"):
        HWGPT("xl")


def test_pymoo_nsga2_on_nasproblem():
    pytest.importorskip("pymoo")  # installed by scripts/test.sh: a missing pymoo fails there
    from pymoo.optimize import minimize
    from hwnas.pymoo import NASProblem
    import importlib.util
    import os
    import sys
    from conftest import SRC
    spec = importlib.util.spec_from_file_location("pymoo_nsga2", os.path.join(SRC, "examples", "pymoo_nsga2.py"))
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    problem = NASProblem(scale="s", device="a100", objectives=["perplexity", "latency"])
    calls = []
    query = problem.bench.query_genomes
    problem.bench.query_genomes = lambda *a, **k: calls.append(len(a[0])) or query(*a, **k)
    res = minimize(problem, ex.nsga2(50), ("n_evals", 500), seed=1, verbose=False)
    assert res.algorithm.evaluator.n_eval >= 500
    assert sum(calls) == res.algorithm.evaluator.n_eval and all(c > 1 for c in calls)  # one query per population
    want = hwnas.Benchmark("s", device="a100").query(problem.archs(res.X), ["perplexity", "latency"])
    assert np.array_equal(res.F[:, 0], want["perplexity"]) and np.array_equal(res.F[:, 1], want["latency"])
    assert len(res.F) >= 5 and sys.modules.get("hwnas.pymoo") is not None
