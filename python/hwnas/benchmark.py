"""hwnas.Benchmark: HW-GPT-Bench's metrics of architectures through the C
library, one C call per batch (api/hwnas_api.h)."""
import ctypes

import numpy as np

from . import _lib
from ._lib import HwErr, check, enc, lib

_INTEGER, _HAS_STD, _PER_DEVICE = 1, 2, 4


def arch_from_dict(d, scale):
    """HW-GPT-Bench's arch dict (sample_embed_dim, sample_n_layer,
    sample_mlp_ratio, sample_n_head, sample_bias) as an arch string; the
    per-layer lists may be longer than n_layer (their tail is ignored)."""
    keys = ("sample_embed_dim", "sample_n_layer", "sample_mlp_ratio", "sample_n_head", "sample_bias")
    missing = [k for k in keys if k not in d]
    if missing:
        raise ValueError(f"arch dict: missing key {missing[0]} (expected {', '.join(keys)})")
    unknown = sorted(set(d) - set(keys))
    if unknown:
        raise ValueError(f"arch dict: unknown key {unknown[0]} (expected {', '.join(keys)})")
    try:
        n = int(d["sample_n_layer"])
        emb = int(d["sample_embed_dim"])
        mlp = [int(v) for v in list(d["sample_mlp_ratio"])[:n]]
        heads = [int(v) for v in list(d["sample_n_head"])[:n]]
    except (TypeError, ValueError):
        raise ValueError(f"arch dict: expected integers and lists of integers, got {d!r}") from None
    if len(mlp) < n or len(heads) < n:
        raise ValueError(f"arch dict: sample_mlp_ratio and sample_n_head need {n} entries (sample_n_layer)")
    bias = d["sample_bias"]
    if isinstance(bias, str):
        if bias not in ("True", "False"):
            raise ValueError(f"arch dict: sample_bias: expected True or False, got {bias!r}")
        bias = bias == "True"
    return _format(scale, n, emb, mlp, heads, bool(bias))


def _format(scale, n, emb, mlp, heads, bias):
    return "-".join(["gpt", scale, str(n), str(emb)] + [str(v) for v in mlp] + [str(v) for v in heads] +
                    ["True" if bias else "False"])


def arch_to_dict(arch):
    """An arch string as HW-GPT-Bench's arch dict (lists of n_layer entries)."""
    parts = arch.split("-")
    if len(parts) < 5 or parts[0] != "gpt":
        raise ValueError(f"arch '{arch}': not an arch string (gpt-<scale>-<n_layer>-<embed>-...)")
    n = int(parts[2])
    if len(parts) != 5 + 2 * n:
        raise ValueError(f"arch '{arch}': expected {5 + 2 * n} fields, got {len(parts)}")
    return {"sample_embed_dim": int(parts[3]), "sample_n_layer": n,
            "sample_mlp_ratio": [int(v) for v in parts[4:4 + n]],
            "sample_n_head": [int(v) for v in parts[4 + n:4 + 2 * n]],
            "sample_bias": parts[-1] == "True"}


class Benchmark:
    """Metrics of architectures of one HW-GPT-Bench scale.

    Benchmark(scale="s", device="a100", backend="surrogate", noise="mean",
              seed=0, models=None, predictor=None, checkpoint=None)

    backend "surrogate" gives perplexity, latency, energy (with their std and
    measurement-noise std) and the analytic metrics (params, flops, macs,
    memory_*); "analytic" only those.  noise="sample" makes query() return
    noisy measurements: query number i (counted over the Benchmark's queries,
    or from index=) draws from the stream of the runner's evaluation
    {seed, i}, so the draws equal those of a run with these metrics as
    objectives."""

    def __init__(self, scale="s", device=None, backend="surrogate", noise="mean", seed=0, models=None,
                 predictor=None, checkpoint=None):
        self.scale, self.device, self.backend, self.noise = scale, device, backend, noise
        self.seed = int(seed)
        if self.seed < 0 or self.seed >= 2 ** 64:
            raise ValueError(f"seed: expected an integer in [0, 2^64), got {seed}")
        self.next_index = 0
        self._h = ctypes.c_void_p()
        err = HwErr()
        rc = lib.hwnas_bench_open(enc(scale), enc(backend), enc(device), enc(models or _lib.models_dir()),
                                  enc(noise), enc(predictor), enc(checkpoint), ctypes.byref(self._h),
                                  ctypes.byref(err))
        check(rc, err)
        n = ctypes.c_int()
        choices = (ctypes.c_int * 256)()
        check(lib.hwnas_bench_genome(self._h, choices, 256, ctypes.byref(n), ctypes.byref(err)), err)
        self.genome_choices = list(choices[:n.value])

    def close(self):
        if getattr(self, "_h", None) and self._h.value:
            lib.hwnas_bench_close(self._h)
            self._h = ctypes.c_void_p()

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def sample_archs(self, n, seed=0):
        """n arch strings drawn uniformly over the genome (stream = seed)."""
        n = int(n)
        if n < 0:
            raise ValueError(f"n: expected a count >= 0, got {n}")
        buf = ctypes.create_string_buffer(n * _lib.ARCH_MAXLEN + 1)
        used = ctypes.c_size_t()
        err = HwErr()
        check(lib.hwnas_bench_sample(self._h, n, int(seed), buf, len(buf), ctypes.byref(used), ctypes.byref(err)),
              err)
        return buf.raw[:used.value].decode("ascii").splitlines()

    def genomes_to_archs(self, genomes):
        """Genomes (n x n_var choice indices, the run loop's layout) as arch strings."""
        x = np.ascontiguousarray(np.atleast_2d(np.asarray(genomes, dtype=np.float64)))
        if x.shape[1] != len(self.genome_choices):
            raise ValueError(f"genomes: expected {len(self.genome_choices)} genes each, got {x.shape[1]}")
        buf = ctypes.create_string_buffer(x.shape[0] * _lib.ARCH_MAXLEN + 1)
        err = HwErr()
        check(lib.hwnas_bench_genomes_to_archs(self._h, x.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                               x.shape[0], buf, len(buf), ctypes.byref(err)), err)
        return buf.value.decode("ascii").splitlines()

    def _arch_text(self, archs):
        if isinstance(archs, (str, dict)):
            archs = [archs]
        out = []
        for i, a in enumerate(archs):
            if isinstance(a, dict):
                a = arch_from_dict(a, self.scale)
            elif not isinstance(a, str):
                raise ValueError(f"archs[{i}]: expected an arch string or an arch dict, got {type(a).__name__}")
            if "\n" in a:
                raise ValueError(f"archs[{i}]: an arch string has no newline")
            out.append(a)
        return out, "\n".join(out).encode("ascii", "replace")

    def metric_flags(self, metrics):
        """(names, flags) of a metric list, validated by the C library (cached)."""
        names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        cache = self.__dict__.setdefault("_flags", {})
        if names not in cache:
            flags = (ctypes.c_int * 64)()
            n = ctypes.c_int()
            err = HwErr()
            check(lib.hwnas_bench_metrics(self._h, enc(",".join(names)), flags, 64, ctypes.byref(n),
                                          ctypes.byref(err)), err)
            cache[names] = list(flags[:n.value])
        return list(names), cache[names]

    def query(self, archs, metrics=("params", "flops", "macs"), index=None):
        """Metrics of one arch or a list (arch strings or HW-GPT-Bench arch
        dicts): {"arch": [...], m: array, m_std: array, m_noise_std: array}
        (the _std keys for metrics with a predictive distribution, as
        `hwnas query` prints them; integer metrics as int64)."""
        arch_list, text = self._arch_text(archs)
        out = self._query(lib.hwnas_bench_query, text, len(arch_list), metrics, index)
        out["arch"] = arch_list
        return out

    def query_genomes(self, genomes, metrics, index=None):
        """The same for genomes (n x n_var choice indices, the run loop's and
        pymoo's layout), in one C call; no "arch" key."""
        x = np.ascontiguousarray(np.atleast_2d(np.asarray(genomes, dtype=np.float64)))
        if x.ndim != 2 or x.shape[1] != len(self.genome_choices):
            raise ValueError(f"genomes: expected {len(self.genome_choices)} genes each, got shape {x.shape}")
        return self._query(lib.hwnas_bench_query_genomes, x.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                           x.shape[0], metrics, index)

    def _query(self, fn, what, n, metrics, index):
        names, flags = self.metric_flags(metrics)
        m = len(names)
        mean = np.empty((n, m))
        std = np.empty((n, m))
        noise_std = np.empty((n, m))
        first = self.next_index if index is None else int(index)
        err = HwErr()
        dp = ctypes.POINTER(ctypes.c_double)
        rc = fn(self._h, what, n, enc(",".join(names)), self.seed, first, mean.ctypes.data_as(dp),
                std.ctypes.data_as(dp), noise_std.ctypes.data_as(dp), ctypes.byref(err))
        check(rc, err)
        if self.noise == "sample":
            self.next_index = first + n
        out = {}
        for k, (name, fl) in enumerate(zip(names, flags)):
            col = mean[:, k].copy()
            exact = fl & _INTEGER and self.noise != "sample"
            out[name] = col.astype(np.int64) if exact else col
            if fl & _HAS_STD:
                out[name + "_std"] = std[:, k].copy()
                out[name + "_noise_std"] = noise_std[:, k].copy()
        return out
