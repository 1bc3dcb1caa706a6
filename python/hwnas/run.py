"""hwnas.run: a config through the C run loop (runner/run.h), with a
built-in optimizer or one written in Python (ask/tell)."""
import ctypes
import json
import os

import numpy as np

from ._lib import ASK, START, TELL, ExternalOptimizer, HwErr, check, enc, lib, take_text


class RunProblem:
    """What a Python optimizer's start() is told about a run: seed, n_var,
    n_obj and, for HW-GPT-Bench problems, choices[g] (the number of values of
    gene g: every gene is a choice index 0..choices[g]-1)."""

    def __init__(self, seed, n_var, n_obj, choices):
        self.seed, self.n_var, self.n_obj, self.choices = seed, n_var, n_obj, choices

    def __repr__(self):
        return f"RunProblem(seed={self.seed}, n_var={self.n_var}, n_obj={self.n_obj})"


def _config_args(config):
    """(text, path) for the C call: a dict is sent as JSON text, a path as is."""
    if isinstance(config, dict):
        return json.dumps(config).encode("utf-8"), b"<config>"
    if isinstance(config, (str, os.PathLike)):
        return None, os.fsencode(config)
    raise ValueError(f"config: expected a dict or a path, got {type(config).__name__}")


def _genome_choices(config):
    """The gene choices of an hwgpt problem's scale (None for other problems)."""
    if isinstance(config, dict):
        cfg = config
    else:
        try:
            with open(config, encoding="utf-8") as f:
                cfg = json.load(f)
        except (OSError, ValueError):
            return None  # the C library reports it
    prob = cfg.get("problem") if isinstance(cfg, dict) else None
    if not isinstance(prob, dict) or prob.get("name") != "hwgpt":
        return None
    from .benchmark import Benchmark
    try:
        with Benchmark(scale=prob.get("scale", "s"), backend="analytic") as b:
            return b.genome_choices
    except ValueError:
        return None


class _Bridge:
    """The ctypes callbacks around a Python optimizer: exceptions become the
    C call's one-line message and are re-raised after the run."""

    def __init__(self, opt, choices):
        self.opt, self.choices, self.error = opt, choices, None
        self.n_var = self.n_obj = 0
        self.cb_start, self.cb_ask, self.cb_tell = START(self.start), ASK(self.ask), TELL(self.tell)

    def _fail(self, exc, msg, msg_len):
        self.error = exc
        text = f"{type(exc).__name__}: {exc}".replace("\n", " ").encode("utf-8", "replace")[:msg_len - 1]
        ctypes.memmove(msg, text + b"\0", len(text) + 1)
        return 1

    def start(self, ctx, seed, n_var, n_obj, msg, msg_len):
        try:
            self.n_var, self.n_obj = n_var, n_obj
            if hasattr(self.opt, "start"):
                self.opt.start(RunProblem(seed, n_var, n_obj, self.choices))
            return 0
        except BaseException as exc:  # noqa: B902 - every failure goes back to C as a message
            return self._fail(exc, msg, msg_len)

    def ask(self, ctx, x, max_n, n, msg, msg_len):
        try:
            g = np.asarray(self.opt.ask(int(max_n)), dtype=np.float64)
            if g.size == 0:
                n[0] = 0
                return 0
            g = np.atleast_2d(g)
            if g.ndim != 2 or g.shape[1] != self.n_var:
                raise ValueError(f"ask returned an array of shape {g.shape}, expected (n, {self.n_var})")
            if g.shape[0] > max_n:
                raise ValueError(f"ask returned {g.shape[0]} genomes, at most {max_n} were asked for")
            ctypes.memmove(x, np.ascontiguousarray(g).ctypes.data, g.nbytes)
            n[0] = g.shape[0]
            return 0
        except BaseException as exc:  # noqa: B902
            return self._fail(exc, msg, msg_len)

    def tell(self, ctx, x, f, n, msg, msg_len):
        try:
            genomes = np.ctypeslib.as_array(x, shape=(n, self.n_var)).copy() if n else np.empty((0, self.n_var))
            objs = np.ctypeslib.as_array(f, shape=(n, self.n_obj)).copy() if n else np.empty((0, self.n_obj))
            self.opt.tell(genomes, objs)
            return 0
        except BaseException as exc:  # noqa: B902
            return self._fail(exc, msg, msg_len)


def run(config, optimizer=None, out=None, force=False, quiet=True, threads=None, name=None):
    """Run a config (a dict or a path to a JSON file) as run_experiment does
    and return its result line as a dict {"name", "runs": [{"seed", "status",
    "evaluations", "front_size", "hypervolume", "wall_s", "log"}]}.

    optimizer: None (the config's built-in optimizer) or an object with
    ask(n) -> genomes (at most n rows of n_var genes; an empty array ends the
    run) and tell(genomes, objectives); its optional start(problem) is called
    before each seed's run (problem: RunProblem).  The log names it
    "python:<name>" (name=, else optimizer.name, else its class name)."""
    text, path = _config_args(config)
    err = HwErr()
    res = ctypes.c_void_p()
    if optimizer is None:
        if threads is not None and int(threads) < 1:
            raise ValueError(f"threads: expected a count >= 1, got {threads}")
        rc = lib.hwnas_run(text, path, enc(out), int(threads or 0), int(bool(force)), int(bool(quiet)),
                           ctypes.byref(res), ctypes.byref(err))
        result = take_text(res)
        check(rc, err)
        return json.loads(result)
    for attr in ("ask", "tell"):
        if not callable(getattr(optimizer, attr, None)):
            raise ValueError(f"optimizer: {type(optimizer).__name__} has no method {attr}()")
    label = name or getattr(optimizer, "name", None) or type(optimizer).__name__
    bridge = _Bridge(optimizer, _genome_choices(config))
    ext = ExternalOptimizer(enc(f"python:{label}"), None, bridge.cb_start, bridge.cb_ask, bridge.cb_tell,
                            int(getattr(optimizer, "batch_size", 0) or 0))
    rc = lib.hwnas_run_external(text, path, enc(out), int(bool(force)), int(bool(quiet)), ctypes.byref(ext),
                                ctypes.byref(res), ctypes.byref(err))
    result = take_text(res)
    if rc and bridge.error is not None and not isinstance(bridge.error, Exception):
        raise bridge.error  # KeyboardInterrupt, SystemExit
    if rc and bridge.error is not None:
        raise RuntimeError(err.msg.decode("utf-8", "replace")) from bridge.error
    check(rc, err)
    return json.loads(result)
