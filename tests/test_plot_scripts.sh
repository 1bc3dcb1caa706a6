# tests/test_plot_scripts.sh — the plot scripts' reading and summarising
# (standard library only; matplotlib is neither needed nor imported):
#  1. read_trajectory + summarise on a hand-made CSV with hand-computed
#     quartiles over seeds (step functions, a seed that starts late);
#  2. malformed CSVs raise an error naming FILE:LINE;
#  3. read_front on the output of `hwnas front` for a real run;
#  4. without matplotlib (a stand-in package that fails to import) each
#     script exits 1 with exactly one line on stderr.
set -u
SRC="${HWNAS_SRC:?}"
RUN="${HWNAS_BIN:?}/run_experiment"
HW="${HWNAS_BIN:?}/hwnas"
. "$(dirname "$0")/lib_run.sh"
command -v python3 >/dev/null || { echo "python3 not found" >&2; exit 1; }

printf '{"name": "p", "problem": {"name": "zdt1", "n_var": 3}, "optimizer": {"name": "random_search", "batch_size": 10},
 "budget": {"evaluations": 60}, "seeds": [3, 4], "reference_point": [1.1, 1.1], "output": "%s"}\n' "$T/res" > "$T/p.json"
"$RUN" "$T/p.json" --quiet > /dev/null 2> "$T/err" || fail "run_experiment: $(cat "$T/err")"
"$HW" front "$T"/res/p/seed_*.jsonl > "$T/front.csv" 2> "$T/err" || fail "hwnas front: $(cat "$T/err")"
"$HW" trajectory --every 10 "$T"/res/p/seed_*.jsonl > "$T/hv.csv" 2> "$T/err" || fail "hwnas trajectory: $(cat "$T/err")"

python3 - "$SRC/scripts" "$T" <<'EOF' || fail "python checks (see above)"
import importlib.util, os, sys
scripts, T = sys.argv[1], sys.argv[2]
def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(scripts, name + ".py"))
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m
hv, fr = load("plot_hv"), load("plot_front")
assert "matplotlib" not in sys.modules, "importing the scripts imported matplotlib"
bad = []
def expect(cond, what):
    if not cond: bad.append(what)
# 1. hand-made trajectory: seeds A, B start at eval 1, C at eval 2
p = os.path.join(T, "t.csv")
open(p, "w").write("run,seed,optimizer,eval,hypervolume\n"
                   "r,1,opt,1,0\nr,1,opt,2,1\nr,1,opt,4,3\n"
                   "r,2,opt,4,4\nr,2,opt,1,0.5\nr,2,opt,3,2\n"
                   "r,3,opt,2,2\nr,3,opt,4,5\n"
                   "s,1,other,1,7\n")
g = hv.read_trajectory(p)
expect(sorted(g) == ["opt", "other"], "groups %r" % sorted(g))
expect(len(g["opt"]) == 3, "seeds of opt %r" % list(g["opt"]))
want = [(1, 0.125, 0.25, 0.375, 2), (2, 0.75, 1.0, 1.5, 3), (3, 1.5, 2.0, 2.0, 3), (4, 3.5, 4.0, 4.5, 3)]
got = hv.summarise(g["opt"])
expect(got == want, "summarise: %r, want %r" % (got, want))
expect(sorted(hv.read_trajectory(p, by="run")) == ["r", "s"], "by run")
expect(hv.quantile([1.0, 2.0, 3.0, 4.0], 0.25) == 1.75, "quantile")
# 2. malformed
for name, text, where in [("h", "run,seed,opt,eval,hv\n", ":1:"),
                          ("n", "run,seed,optimizer,eval,hypervolume\nr,1,o,1\n", ":2:"),
                          ("v", "run,seed,optimizer,eval,hypervolume\nr,1,o,1,0\nr,1,o,x,0\n", ":3:")]:
    q = os.path.join(T, name + ".csv"); open(q, "w").write(text)
    try:
        hv.read_trajectory(q); bad.append("%s: no error" % name)
    except hv.CsvError as e:
        expect(q + where in str(e), "%s: message %r lacks %r" % (name, str(e), q + where))
q = os.path.join(T, "fh.csv"); open(q, "w").write("run,seed,optimizer,eval,f1,x\n")
try:
    fr.read_front(q); bad.append("front header: no error")
except fr.CsvError as e:
    expect(":1:" in str(e), "front header message %r" % str(e))
# 3. real outputs of hwnas
names, fg = fr.read_front(os.path.join(T, "front.csv"))
expect(names == ["f1", "f2"], "front names %r" % names)
expect(sorted(fg) == ["random_search"] and sorted(s for _, s in fg["random_search"]) == ["3", "4"],
       "front groups %r" % {k: list(v) for k, v in fg.items()})
for pts in fg.get("random_search", {}).values():
    s = fr.staircase(pts)
    expect(all(a[0] <= b[0] and a[1] >= b[1] for a, b in zip(s, s[1:])), "staircase not monotone")
tg = hv.read_trajectory(os.path.join(T, "hv.csv"))
rows = hv.summarise(tg["random_search"])
expect([r[0] for r in rows] == [10, 20, 30, 40, 50, 60] and all(r[4] == 2 for r in rows), "real summary %r" % rows)
expect(all(a[2] <= b[2] for a, b in zip(rows, rows[1:])), "median decreases")
for b in bad: print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

# 4. matplotlib absent / broken: one line on stderr, exit 1
mkdir -p "$T/absent/matplotlib" "$T/broken/matplotlib"
printf 'raise ModuleNotFoundError("No module named %s", name="matplotlib")\n' "'matplotlib'" > "$T/absent/matplotlib/__init__.py"
printf 'import sys\nsys.stderr.write("a long\\nmulti-line banner\\n")\nraise ImportError("numpy.core.multiarray failed to import")\n' \
    > "$T/broken/matplotlib/__init__.py"
for variant in absent broken; do
    for s in "plot_hv.py $T/hv.csv" "plot_front.py $T/front.csv"; do
        set -- $s
        PYTHONPATH="$T/$variant" python3 "$SRC/scripts/$1" "$2" -o "$T/x.png" > /dev/null 2> "$T/err"
        rc=$?
        [ "$rc" -eq 1 ] || fail "$variant $1: exit $rc, want 1"
        [ "$(wc -l < "$T/err")" -eq 1 ] || fail "$variant $1: want one stderr line: $(cat "$T/err")"
        grep -q "matplotlib" "$T/err" || fail "$variant $1: stderr does not mention matplotlib: $(cat "$T/err")"
        [ ! -e "$T/x.png" ] || fail "$variant $1: wrote an image"
    done
done

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok"
