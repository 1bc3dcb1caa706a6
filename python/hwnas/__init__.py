"""hwnas: hardware-aware multi-objective NAS on HW-GPT-Bench's GPT spaces,
through the C library libhwnas (docs/python.md).

    import hwnas
    b = hwnas.Benchmark(scale="s", device="a100")
    r = b.query(b.sample_archs(1000, seed=1), ["perplexity", "latency"])
    hwnas.run("experiments/nsga2.json")              # a built-in optimizer
    hwnas.run(config, optimizer=MyOptimizer())       # one in Python (ask/tell)
    evals, summaries = hwnas.load_runs("results/nsga2")
"""
from ._lib import lib as _clib
from ._lib import models_dir
from .benchmark import Benchmark, arch_from_dict, arch_to_dict
from .logs import load_runs
from .run import RunProblem, run

__version__ = _clib.hwnas_version().decode()
__all__ = ["Benchmark", "RunProblem", "arch_from_dict", "arch_to_dict", "load_runs", "models_dir", "run"]
