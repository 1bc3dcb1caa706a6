"""hwnas.load_runs: run logs (JSON Lines, plain or gzip) as pandas DataFrames."""
import glob
import gzip
import json
import os

_META_KEYS = ("config", "optimizer", "budget")


def _log_files(path):
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    files = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            for pat in ("*.jsonl", "*.jsonl.gz"):
                files += glob.glob(os.path.join(p, "**", pat), recursive=True)
        elif any(c in p for c in "*?["):
            files += glob.glob(p, recursive=True)
        elif os.path.exists(p):
            files.append(p)
        else:
            raise ValueError(f"{p}: no such file or directory")
    files = sorted(set(files))
    if not files:
        raise ValueError(f"{path}: no .jsonl or .jsonl.gz logs found")
    return files


def _lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not a JSON object: {exc}") from None


def _flatten(row, key, values, names):
    if isinstance(values, list) and names and len(values) == len(names):
        for n, v in zip(names, values):
            row[f"{key}_{n}"] = v
    else:
        row[key] = values


def load_runs(path):
    """(evaluations, summaries): two pandas DataFrames from a log, a
    directory (searched recursively), a glob or a list of them.  Every row
    names its log, run, seed and optimizer; objective vectors f and f_std are
    split into f_<objective> and f_std_<objective> columns."""
    import pandas as pd

    evals, sums = [], []
    for file in _log_files(path):
        meta = {}
        names = None
        for obj in _lines(file):
            if not isinstance(obj, dict):
                raise ValueError(f"{file}: expected JSON objects, one per line")
            if obj.get("summary"):
                row = {"log": file, "run": meta.get("name"), "seed": meta.get("seed"),
                       "optimizer": meta.get("optimizer")}
                for k, v in obj.items():
                    if k != "summary":
                        row[k] = v
                row["front_size"] = len(obj.get("front") or [])
                sums.append(row)
            elif not meta and all(k in obj for k in _META_KEYS):
                meta = obj
                names = obj.get("objectives")
            else:
                row = {"log": file, "run": meta.get("name"), "seed": meta.get("seed"),
                       "optimizer": meta.get("optimizer")}
                for k, v in obj.items():
                    if k in ("f", "f_std"):
                        _flatten(row, k, v, names)
                    else:
                        row[k] = v
                evals.append(row)
    return pd.DataFrame(evals), pd.DataFrame(sums)
