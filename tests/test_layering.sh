# Layering: no include cycle between top-level folders (core -> space ->
# backends -> benchmark -> optimizers/runner -> cli), and optimizers/ sees only
# the problem interface: no include of benchmark/hwgpt.h, space/ or
# surrogates/.  Reads every #include "folder/..." of the sources.
. "$(dirname "$0")/lib.sh"
python3 - "$SRC" <<'PY'
import os, re, sys
src = sys.argv[1]
skip = {"build", "build-asan", ".git", "results", "experiments", "docs", "scripts"}
folders = sorted(d for d in os.listdir(src)
                 if os.path.isdir(os.path.join(src, d)) and d not in skip and not d.startswith((".", "build")))
inc = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/([^"]+)"', re.M)
edges = {}          # folder -> {included folder: example "file -> header"}
bad = []
for top in folders:
    for root, dirs, files in os.walk(os.path.join(src, top)):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            if not f.endswith((".c", ".h", ".cu", ".def")):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)
            for m in inc.finditer(open(path, errors="replace").read()):
                dst, header = m.group(1), m.group(1) + "/" + m.group(2)
                if dst not in folders or dst == top:
                    continue
                edges.setdefault(top, {}).setdefault(dst, f"{rel} includes {header}")
                if top == "optimizers" and (header == "benchmark/hwgpt.h" or dst in ("space", "surrogates")):
                    bad.append(f"{rel} includes {header}: optimizers see only the problem interface")
# Cycles: Tarjan's strongly connected components of the folder graph.
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in edges.get(v, {}):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
for v in folders:
    if v not in index: visit(v)
for comp in sccs:
    why = [edges[a][b] for a in comp for b in edges.get(a, {}) if b in comp]
    bad.append("include cycle between " + ", ".join(comp) + " (" + "; ".join(why) + ")")
for b in bad:
    print("FAIL: " + b, file=sys.stderr)
if not edges:
    print("FAIL: no includes found under " + src, file=sys.stderr); sys.exit(1)
sys.exit(1 if bad else 0)
PY
check "layering" test $? -eq 0
exit $fail
