"""hwnas.compat: HW-GPT-Bench's API shape (hwgpt/api.py, HWGPTBenchAPI) on
hwnas's surrogates, so a script switches by changing its import:

    from hwnas.compat import HWGPT               # was: from hwgpt.api import HWGPTBenchAPI
    api = HWGPT(search_space="s")
    api.sample_arch()                            # or set_arch(config dict)
    api.query(device="a100", metric="latencies") # {"perplexity": .., "latencies": {"a100": ..}}

Differences that remain are listed in docs/python.md."""
import random

from .benchmark import Benchmark, arch_to_dict

DEVICES = ["a100", "a40", "h100", "rtx2080", "rtx3080", "a6000", "v100", "P100", "cpu_xeon_silver",
           "cpu_xeon_gold", "cpu_amd_7502", "cpu_amd_7513", "cpu_amd_7452"]
# HW-GPT-Bench's metric names -> hwnas's
SURROGATE_METRICS = {"latencies": "latency", "energies": "energy"}
TRUE_METRICS = {"flops": "flops", "params": "params", "float16_memory": "memory_fp16",
                "bfloat16_memory": "memory_bf16"}


def _device_name(device):
    """HW-GPT-Bench spells the P100 'P100'; hwnas's devices are lower case."""
    return device.lower()


class HWGPT:
    """HWGPTBenchAPI's methods: sample_arch() / sample_random_arch(),
    set_arch(config), query(device=None, metric=None) (hw_metric= too).
    Predictions are hwnas's surrogate means; query(..., return_std=True)
    adds "<metric>_std" entries."""

    def __init__(self, search_space="s", models=None, seed=None):
        if search_space not in ("s", "m", "l"):
            raise ValueError(f"search_space: unknown scale '{search_space}' (expected s, m or l)")
        self.search_space_name = search_space
        self.device_list = list(DEVICES)
        self.hw_metrics_surrogate = list(SURROGATE_METRICS)
        self.hw_metrics_true = list(TRUE_METRICS)
        self.config = None
        self._models = models
        self._rng = random.Random(seed)
        self._bench = {}  # device -> Benchmark

    def _benchmark(self, device):
        if device not in self._bench:
            self._bench[device] = Benchmark(scale=self.search_space_name, device=device, models=self._models)
        return self._bench[device]

    def sample_arch(self):
        """A uniformly drawn arch, set as the current one and returned (dict)."""
        arch = self._benchmark(None).sample_archs(1, seed=self._rng.getrandbits(63))[0]
        self.config = arch_to_dict(arch)
        return self.config

    sample_random_arch = sample_arch

    def set_arch(self, config):
        """The current arch: HW-GPT-Bench's dict (sample_embed_dim, ...)."""
        self._benchmark(None).query(config, ["params"])  # validates it
        self.config = dict(config)

    def query(self, device=None, metric=None, hw_metric=None, return_std=False):
        """{"perplexity": float, <surrogate metric>: {device: float}, <exact metric>: number}
        for the current arch, as HWGPTBenchAPI.query returns it: metric None
        gives every metric on every device (or on device)."""
        if self.config is None:
            raise ValueError("Please set arch config before querying")
        metric = metric if metric is not None else hw_metric
        if metric is not None and metric not in SURROGATE_METRICS and metric not in TRUE_METRICS:
            known = ", ".join(list(SURROGATE_METRICS) + list(TRUE_METRICS))
            raise ValueError(f"metric: unknown metric '{metric}' (expected one of: {known})")
        if device is not None and device not in DEVICES and device.lower() not in [d.lower() for d in DEVICES]:
            raise ValueError(f"device: unknown device '{device}' (expected one of: {', '.join(DEVICES)})")
        devices = [device] if device is not None else self.device_list
        if metric is None:
            surrogate, true = list(SURROGATE_METRICS), list(TRUE_METRICS)
        elif metric in SURROGATE_METRICS:
            surrogate, true = [metric], []
        else:
            surrogate, true = [], [metric]
        b = self._benchmark(None)
        out = {}
        r = b.query(self.config, ["perplexity"] + [TRUE_METRICS[m] for m in true])
        out["perplexity"] = float(r["perplexity"][0])
        if return_std:
            out["perplexity_std"] = float(r["perplexity_std"][0])
        for m in surrogate:
            out[m] = {}
            if return_std:
                out[m + "_std"] = {}
            for d in devices:
                rd = self._benchmark(_device_name(d)).query(self.config, [SURROGATE_METRICS[m]])
                out[m][d] = float(rd[SURROGATE_METRICS[m]][0])
                if return_std:
                    out[m + "_std"][d] = float(rd[SURROGATE_METRICS[m] + "_std"][0])
        for m in true:
            v = r[TRUE_METRICS[m]][0]
            out[m] = int(v) if m in ("flops", "params") else float(v)
        return out


HWGPTBenchAPI = HWGPT
