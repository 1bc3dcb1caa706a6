"""Shared by the plot scripts (scripts/plot_hv.py, scripts/plot_front.py):
importing matplotlib with a one-line error when it cannot be used."""
import sys


def import_pyplot():
    """matplotlib.pyplot (Agg backend), or exit with one line saying why not.
    What a broken install prints while failing to import is discarded."""
    import os
    import tempfile
    prog = sys.argv[0].rsplit("/", 1)[-1]
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                import matplotlib
                matplotlib.use("Agg")
                import matplotlib.pyplot as plt
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    except ModuleNotFoundError as e:
        what = "matplotlib is not installed" if e.name == "matplotlib" else "matplotlib cannot be imported (%s)" % e
        sys.exit("%s: %s for %s; %s" % (prog, what, sys.executable, _what_to_do()))
    except Exception as e:  # a broken install, e.g. Debian's matplotlib under a user-site numpy 2
        sys.exit("%s: matplotlib cannot be imported for %s (%s: %s); %s"
                 % (prog, sys.executable, type(e).__name__, e, _what_to_do()))
    finally:
        os.close(saved)
    return plt


DEBIAN_PYTHON = "/usr/bin/python3"


def _what_to_do():
    """The one thing to do when matplotlib cannot be imported here: run the
    script with Debian's Python when that one can draw (user-site packages
    ignored, -s), else install it (the same choice as scripts/lib_python.sh)."""
    import os
    import subprocess
    here = os.path.realpath(sys.executable or "")
    if os.path.exists(DEBIAN_PYTHON):
        for cmd in ([DEBIAN_PYTHON], [DEBIAN_PYTHON, "-s"]):
            if here == os.path.realpath(DEBIAN_PYTHON) and cmd == [DEBIAN_PYTHON]:
                continue
            try:
                ok = subprocess.run(cmd + ["-c", "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, timeout=60).returncode == 0
            except (OSError, subprocess.SubprocessError):
                ok = False
            if ok:
                return "%s can draw: run %s %s (HWNAS_PYTHON for scripts/compare.sh)" % (
                    " ".join(cmd), " ".join(cmd), " ".join(sys.argv))
        return ("install it: apt-get install python3-numpy python3-matplotlib (for %s; scripts/setup.sh does), "
                "or %s -m pip install matplotlib" % (DEBIAN_PYTHON, sys.executable))
    return "install it: %s -m pip install matplotlib" % sys.executable


def save_figure(fig, path):
    """fig.savefig(path) (dpi 150) after tight_layout, or exit with one line
    naming the file and the reason."""
    prog = sys.argv[0].rsplit("/", 1)[-1]
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=150)
    except (OSError, ValueError) as e:
        sys.exit("%s: cannot write %s: %s" % (prog, path, e))


# ---------------------------------------------------------------------------
# One name and one colour per optimizer, shared by every figure.
OPTIMIZERS = [  # (config name, human name, colour)
    ("random_search", "RS", "#7f7f7f"),
    ("grid_search", "Grid search", "#bcbd22"),
    ("local_search", "LS", "#8c564b"),
    ("nsga2", "NSGA-II", "#1f77b4"),
    ("moead", "MOEA/D", "#17becf"),
    ("morea", "MOREA", "#2ca02c"),
    ("rsbo", "RSBO", "#ff7f0e"),
    ("lsbo", "LSBO", "#9467bd"),
    ("ehvi", "EHVI", "#d62728"),
]
_OPT = {k: (h, c) for k, h, c in OPTIMIZERS}
_ORDER = {k: i for i, (k, _, _) in enumerate(OPTIMIZERS)}


def human_name(opt):
    """NSGA-II for nsga2; an unknown name is returned as it is."""
    return _OPT.get(opt, (opt, None))[0]


def colour(opt):
    """The optimizer's colour in every figure (unknown ones: black)."""
    return _OPT.get(opt, (None, "#000000"))[1]


def optimizer_order(names):
    """Optimizers in the table's order (unknown ones last, by name)."""
    return sorted(names, key=lambda n: (_ORDER.get(n, len(_ORDER)), n))


UNITS = {"perplexity": "perplexity", "latency": "latency (ms)", "energy": "energy (Wh)",
         "params": "parameters", "flops": "FLOPs", "memory_fp32": "memory (bytes)"}
DEVICES = {"a100": "A100", "a40": "A40", "h100": "H100", "a6000": "RTX A6000", "rtx2080": "RTX 2080",
           "rtx3080": "RTX 3080", "v100": "V100", "P100": "P100", "cpu_xeon_silver": "Xeon Silver",
           "cpu_xeon_gold": "Xeon Gold", "cpu_amd_7502": "AMD 7502", "cpu_amd_7513": "AMD 7513",
           "cpu_amd_7452": "AMD 7452", "cpu_p100": "CPU (P100 host)"}


def axis_label(objective):
    """'latency (ms)' for latency: the objective with its unit; an objective
    on its own device says it: 'A100 latency (ms)' for latency@a100."""
    metric, at, dev = objective.partition("@")
    return "%s %s" % (device_name(dev), UNITS.get(metric, metric)) if at else UNITS.get(objective, objective)


def objective_name(objective):
    """'A100 latency' for latency@a100; other objectives as they are."""
    metric, at, dev = objective.partition("@")
    return "%s %s" % (device_name(dev), metric) if at else objective


def device_name(dev):
    return DEVICES.get(dev, dev)


def problem_title(label):
    """A readable title for a problem label of hwnas summary/eaf
    ('hwgpt-s/rtx2080/perplexity+energy' -> 'GPT-S on RTX 2080: perplexity vs energy';
    'hwgpt-l/perplexity+latency@a100+energy@cpu_xeon_gold' ->
    'GPT-L: perplexity vs A100 latency vs Xeon Gold energy')."""
    parts = label.split("/")
    if parts[0].startswith("hwgpt-") and len(parts) == 3:
        return "GPT-%s on %s: %s" % (parts[0][6:].upper(), device_name(parts[1]),
                                     " vs ".join(objective_name(o) for o in parts[2].split("+")))
    if parts[0].startswith("hwgpt-") and len(parts) == 2:
        return "GPT-%s: %s" % (parts[0][6:].upper(), " vs ".join(objective_name(o) for o in parts[1].split("+")))
    return label.replace("/", ": ", 1)


def hv_label(ref):
    """The y label of a hypervolume axis: normalised, with its reference point."""
    return "hypervolume (objectives normalised to [0, 1], ref. (%s))" % ", ".join("%g" % r for r in ref)


class LogError(Exception):
    pass


def log_files(paths):
    """The trajectory logs named by paths: files as given, directories searched
    recursively for *.jsonl and *.jsonl.gz (sorted)."""
    import os
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                out += [os.path.join(root, f) for f in sorted(files) if f.endswith((".jsonl", ".jsonl.gz"))]
        elif os.path.exists(p):
            out.append(p)
        else:
            raise LogError("%s: no such file or directory" % p)
    return out


def read_log(path):
    """(meta, evals, summary) of a trajectory log (.jsonl or .jsonl.gz):
    evals = [(wall_s, f list)] in order; a log without a summary is an error
    naming the file (an incomplete run)."""
    import gzip
    import json
    opener = gzip.open if path.endswith(".gz") else open
    meta, evals, summary = None, [], None
    try:
        with opener(path, "rt") as f:
            for n, line in enumerate(f, start=1):
                try:
                    o = json.loads(line)
                except ValueError as e:
                    raise LogError("%s:%d: invalid JSON (%s)" % (path, n, e))
                if meta is None:
                    meta = o
                elif o.get("summary"):
                    summary = o
                else:
                    evals.append((o.get("wall_s", 0.0), o["f"]))
    except (OSError, EOFError) as e:
        raise LogError("%s: %s" % (path, e))
    except KeyError as e:
        raise LogError("%s: evaluation line without %s" % (path, e))
    if meta is None or summary is None:
        raise LogError("%s: no summary line (incomplete log)" % path)
    return meta, evals, summary


def problem_label(meta):
    """The problem label hwnas summary writes: metadata problem, the config's
    device when it has one (not when objectives name their own:
    'latency@a100'), the objectives joined by '+', separated by '/'."""
    parts = [meta["problem"]]
    dev = meta.get("config", {}).get("problem", {}).get("device")
    if isinstance(dev, str) and not any("@" in o for o in meta["objectives"]):
        parts.append(dev)
    parts.append("+".join(meta["objectives"]))
    return "/".join(parts)


def refuse_pooling(problems, prog, hint):
    """Exit with one line when runs of several problems would share one band."""
    if len(problems) > 1:
        names = sorted(problems)
        sys.exit("%s: the runs are of %d problems (%s%s): one band would pool different problems; %s"
                 % (prog, len(names), ", ".join(names[:4]), ", ..." if len(names) > 4 else "", hint))


def hv2d(points, ref):
    """Exact hypervolume of 2-D points (minimised) against ref."""
    pts = sorted(p for p in points if p[0] < ref[0] and p[1] < ref[1])
    hv, best_y = 0.0, ref[1]
    for x, y in pts:
        if y < best_y:
            hv += (ref[0] - x) * (best_y - y)
            best_y = y
    return hv


def nondominated(points):
    """The non-dominated points of a list of tuples (all objectives minimised)."""
    out = []
    for p in points:
        if any(all(q[i] <= p[i] for i in range(len(p))) and q != p for q in points):
            continue
        if p not in out:
            out.append(p)
    return out


def save_both(fig, path_stem):
    """Save fig (already laid out) as path_stem.png (dpi 150) and
    path_stem.pdf; a stem given with an extension writes that one format
    only.  A file that cannot be written: exit with one line."""
    import os
    prog = sys.argv[0].rsplit("/", 1)[-1]
    paths = [path_stem] if os.path.splitext(path_stem)[1] in (".png", ".pdf", ".svg") else [path_stem + ".png", path_stem + ".pdf"]
    for p in paths:
        try:
            fig.savefig(p, dpi=150)
        except (OSError, ValueError) as e:
            sys.exit("%s: cannot write %s: %s" % (prog, p, e))


def legend_below(fig, entries, ncol=5, top=1.0):
    """One legend for the whole figure, below the panels (off the data):
    entries = [(handle, label)]; the panels are laid out above it."""
    ncol = max(1, min(ncol, len(entries)))
    rows = (len(entries) + ncol - 1) // ncol
    fig.legend([h for h, _ in entries], [lab for _, lab in entries], loc="lower center", ncol=ncol,
               fontsize="small", frameon=False)
    h = fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, min(0.5, (0.15 + 0.22 * rows) / h), 1, top))
