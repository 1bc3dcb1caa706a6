# tests/test_trajectory.sh — hwnas trajectory / hwnas front end to end:
#  1. run_experiment on a small ZDT1 config (random_search and nsga2), then
#     `hwnas trajectory`: one row per evaluation, eval 1..n, hypervolume
#     non-decreasing, the last row equal to the summary's hypervolume;
#     --every K rows are the K-th rows of the full trajectory
#     plus the last; --out writes the same bytes; --ref agrees with
#     `hwnas hv` on the summary front;
#  2. `hwnas front`: rows mutually non-dominated, equal to the summary's front
#     (ids, objectives, genomes);
#  3. bad logs (truncated line, missing summary, wrong JSON, out-of-order
#     evals, a .tmp log, a missing file, bad options): exit 2, one stderr line
#     naming FILE:LINE or the option, nothing on stdout, no --out file.
# Checks use python3 with the standard library only.
set -u
RUN="${HWNAS_BIN:?}/run_experiment"
HW="${HWNAS_BIN:?}/hwnas"
. "$(dirname "$0")/lib_run.sh"
command -v python3 >/dev/null || { echo "python3 not found: cannot check the CSV" >&2; exit 1; }

# ---------------------------------------------------------------- 1. runs
cfg() { # NAME OPTIMIZER_JSON
    printf '{"name": "%s", "problem": {"name": "zdt1", "n_var": 3}, "optimizer": %s,
 "budget": {"evaluations": 400}, "seeds": [1, 2], "reference_point": [1.1, 1.1], "output": "%s"}\n' \
        "$1" "$2" "$T/res" > "$T/$1.json"
}
cfg rs '{"name": "random_search", "batch_size": 25}'
"$RUN" "$T/rs.json" --quiet > /dev/null 2> "$T/err" || fail "run_experiment random_search: $(cat "$T/err")"
logs=("$T/res/rs/seed_1.jsonl" "$T/res/rs/seed_2.jsonl")
cfg ns '{"name": "nsga2", "population_size": 20}'
"$RUN" "$T/ns.json" --quiet > /dev/null 2> "$T/err" || fail "run_experiment nsga2: $(cat "$T/err")"
logs+=("$T/res/ns/seed_1.jsonl" "$T/res/ns/seed_2.jsonl")

"$HW" trajectory "${logs[@]}" > "$T/traj.csv" 2> "$T/err" || fail "trajectory: exit $? ($(cat "$T/err"))"
[ ! -s "$T/err" ] || fail "trajectory wrote to stderr: $(cat "$T/err")"
"$HW" trajectory --every 7 "${logs[@]}" > "$T/traj7.csv" 2> "$T/err" || fail "trajectory --every 7: $(cat "$T/err")"
"$HW" trajectory --every=7 --out "$T/traj7_out.csv" "${logs[@]}" > "$T/stdout" 2> "$T/err" || fail "trajectory --out: $(cat "$T/err")"
[ ! -s "$T/stdout" ] || fail "trajectory --out also wrote to stdout"
cmp -s "$T/traj7.csv" "$T/traj7_out.csv" || fail "trajectory --out differs from stdout"
[ ! -e "$T/traj7_out.csv.tmp" ] || fail "trajectory --out left its .tmp file"
"$HW" front "${logs[@]}" > "$T/front.csv" 2> "$T/err" || fail "front: exit $? ($(cat "$T/err"))"
[ ! -s "$T/err" ] || fail "front wrote to stderr: $(cat "$T/err")"

# --ref: the last row against `hwnas hv` on the normalised (here: natural) summary front
"$HW" trajectory --ref 2,12 "${logs[0]}" > "$T/traj_ref.csv" 2> "$T/err" || fail "trajectory --ref: $(cat "$T/err")"
python3 - "${logs[0]}" > "$T/front_pts.txt" <<'EOF'
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
for p in s["front"]: print(" ".join(repr(v) for v in p))
EOF
want_hv=$("$HW" hv --ref 2,12 "$T/front_pts.txt")
got_hv=$(tail -1 "$T/traj_ref.csv" | cut -d, -f5)
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if a == b and a > 0 else 1)" \
    "$got_hv" "$want_hv" || fail "--ref 2,12: last row $got_hv, hwnas hv on the summary front $want_hv"

python3 - "$T/traj.csv" "$T/traj7.csv" "$T/front.csv" "${logs[@]}" <<'EOF' || fail "CSV checks (see above)"
import csv, json, sys
traj, traj7, front_csv, logs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
bad = []
def read(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        return next(r), list(r)
def load(path):
    lines = [json.loads(l) for l in open(path)]
    return lines[0], lines[1:-1], lines[-1]

head, rows = read(traj)
if head != ["run", "seed", "optimizer", "eval", "hypervolume"]: bad.append("trajectory header %r" % head)
head7, rows7 = read(traj7)
fhead, frows = read(front_csv)
if fhead != ["run", "seed", "optimizer", "eval", "f1", "f2", "x"]: bad.append("front header %r" % fhead)
for path in logs:
    meta, evals, summ = load(path)
    key = [meta["name"], str(meta["seed"]), meta["optimizer"]]
    mine = [r for r in rows if r[:3] == key]
    n = len(evals)
    if [int(r[3]) for r in mine] != list(range(1, n + 1)):
        bad.append("%s: eval column is not 1..%d" % (path, n)); continue
    hv = [float(r[4]) for r in mine]
    for i in range(1, n):
        if hv[i] < hv[i - 1] - 1e-12 * max(1.0, hv[i - 1]):
            bad.append("%s: hypervolume decreases at eval %d: %r -> %r" % (path, i + 1, hv[i - 1], hv[i]))
    if abs(hv[-1] - summ["hypervolume"]) > 1e-12:
        bad.append("%s: last %r, summary %r" % (path, hv[-1], summ["hypervolume"]))
    if hv[-1] <= 0: bad.append("%s: zero final hypervolume (test too weak)" % path)
    if len(set(hv)) < 5: bad.append("%s: hypervolume changed fewer than 5 times (test too weak)" % path)
    # --every 7: rows 7, 14, ... and the last, identical to the full trajectory's
    mine7 = [r for r in rows7 if r[:3] == key]
    want_k = list(range(7, n + 1, 7)) + ([n] if n % 7 else [])
    if [int(r[3]) for r in mine7] != want_k: bad.append("%s: --every 7 evals %r" % (path, [r[3] for r in mine7][:5]))
    elif any(r7[4] != mine[k - 1][4] for r7, k in zip(mine7, want_k)): bad.append("%s: --every 7 values differ" % path)
    # front: mutually non-dominated, equal to the summary's front (order, ids, values, x)
    fr = [r for r in frows if r[:3] == key]
    pts = [(float(r[4]), float(r[5])) for r in fr]
    for i, p in enumerate(pts):
        for j, q in enumerate(pts):
            if i != j and q[0] <= p[0] and q[1] <= p[1]: bad.append("%s: front row %d dominated by row %d" % (path, i, j))
    if [int(r[3]) for r in fr] != summ["front_eval"]: bad.append("%s: front ids differ from the summary's" % path)
    if [list(p) for p in pts] != summ["front"]: bad.append("%s: front values differ from the summary's" % path)
    if [[float(v) for v in r[6].split()] for r in fr] != summ["front_x"]: bad.append("%s: front x differ" % path)
    # brute force over all evaluations
    F = [tuple(e["f"]) for e in evals]
    brute = [i for i, p in enumerate(F)
             if not any(j != i and q[0] <= p[0] and q[1] <= p[1] and (q != p or j < i) for j, q in enumerate(F))]
    if brute != [int(r[3]) for r in fr]: bad.append("%s: front differs from a brute-force filter" % path)
for b in bad: print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

# 3 objectives (DTLZ2, the archive scan and recomputation path): the last row
# equals the summary's hypervolume, the front its front
printf '{"name": "d3", "problem": {"name": "dtlz2", "n_var": 4, "n_obj": 3}, "optimizer": {"name": "random_search"},
 "budget": {"evaluations": 300}, "seeds": [5], "reference_point": [2, 2, 2], "output": "%s"}\n' "$T/res" > "$T/d3.json"
"$RUN" "$T/d3.json" --quiet > /dev/null 2> "$T/err" || fail "run_experiment dtlz2: $(cat "$T/err")"
D3="$T/res/d3/seed_5.jsonl"
"$HW" trajectory --every 50 "$D3" > "$T/d3_traj.csv" 2> "$T/err" || fail "trajectory dtlz2: $(cat "$T/err")"
"$HW" front "$D3" > "$T/d3_front.csv" 2> "$T/err" || fail "front dtlz2: $(cat "$T/err")"
python3 - "$D3" "$T/d3_traj.csv" "$T/d3_front.csv" <<'PY' || fail "dtlz2 checks (see above)"
import csv, json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
t = list(csv.reader(open(sys.argv[2])))
f = list(csv.reader(open(sys.argv[3])))
bad = []
if [r[3] for r in t[1:]] != [str(k) for k in range(50, 301, 50)]: bad.append("dtlz2 --every 50 rows %r" % [r[3] for r in t[1:]])
if float(t[-1][4]) != s["hypervolume"] or s["hypervolume"] <= 0: bad.append("dtlz2 last %s vs summary %r" % (t[-1][4], s["hypervolume"]))
hv = [float(r[4]) for r in t[1:]]
if any(b < a for a, b in zip(hv, hv[1:])): bad.append("dtlz2 hypervolume decreases")
if f[0] != ["run", "seed", "optimizer", "eval", "f1", "f2", "f3", "x"]: bad.append("dtlz2 front header %r" % f[0])
if [int(r[3]) for r in f[1:]] != s["front_eval"]: bad.append("dtlz2 front ids differ from the summary")
if [[float(v) for v in r[4:7]] for r in f[1:]] != s["front"]: bad.append("dtlz2 front values differ")
for b in bad: print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
# front: logs with other objectives cannot share one CSV
"$HW" front "${logs[0]}" "$D3" > "$T/stdout" 2> "$T/stderr"
[ $? -eq 2 ] && grep -q "objectives (f1, f2, f3) differ" "$T/stderr" && [ ! -s "$T/stdout" ] \
    || fail "front with mixed objectives: $(cat "$T/stderr")"

# ---------------------------------------------------------------- 3. bad logs
# bad NAME EXPECTED_SUBSTRING ARGS...: exit 2, one stderr line with the substring, no stdout
bad() {
    local name="$1" want="$2"; shift 2
    "$HW" "$@" > "$T/stdout" 2> "$T/stderr"
    local rc=$?
    [ "$rc" -eq 2 ] || fail "$name: exit status $rc, expected 2"
    [ "$(wc -l < "$T/stderr")" -eq 1 ] || fail "$name: expected one stderr line: $(cat "$T/stderr")"
    grep -qF -- "$want" "$T/stderr" || fail "$name: stderr lacks '$want': $(cat "$T/stderr")"
    [ ! -s "$T/stdout" ] || fail "$name: wrote to stdout"
}
L="${logs[0]}"
n=$(wc -l < "$L")
# truncated: the summary gone and the last evaluation line cut in half
head -n $((n - 2)) "$L" > "$T/trunc.jsonl"
tail -n 2 "$L" | head -n 1 | cut -c1-40 | tr -d '\n' >> "$T/trunc.jsonl"
bad truncated_line "trunc.jsonl:$((n - 1)): invalid JSON" trajectory "$T/trunc.jsonl"
head -n $((n - 1)) "$L" > "$T/nosum.jsonl"
bad missing_summary "nosum.jsonl: no summary line" trajectory "$T/nosum.jsonl"
bad missing_summary_front "nosum.jsonl: no summary line" front "$T/nosum.jsonl"
sed '5s/"f":\[/"f":["a",/' "$L" > "$T/wrongf.jsonl"
bad wrong_f_type "wrongf.jsonl:5: f" trajectory "$T/wrongf.jsonl"
sed '3s/{"eval":1,/{"eval":7,/' "$L" > "$T/order.jsonl"
bad eval_order "order.jsonl:3: eval" trajectory "$T/order.jsonl"
sed '4s/^{/[/' "$L" > "$T/notjson.jsonl"
bad not_json "notjson.jsonl:4: invalid JSON" trajectory "$T/notjson.jsonl"
sed '1s/"objectives":\[[^]]*\]/"objectives":7/' "$L" > "$T/meta.jsonl"
bad meta_objectives "meta.jsonl:1: objectives" trajectory "$T/meta.jsonl"
{ cat "$L"; tail -n 1 "$L"; } > "$T/extra.jsonl"
bad after_summary "extra.jsonl:$((n + 1)): a line after the summary" trajectory "$T/extra.jsonl"
sed "\$s/\"evaluations\":400/\"evaluations\":399/" "$L" > "$T/count.jsonl"
bad summary_count "count.jsonl:$n: evaluations" trajectory "$T/count.jsonl"
: > "$T/empty.jsonl"
bad empty_file "empty.jsonl: empty file" trajectory "$T/empty.jsonl"
bad missing_file "nope.jsonl" trajectory "$T/nope.jsonl"
head -n 101 "$L" > "$T/run.jsonl.tmp"
bad tmp_log "run.jsonl.tmp: an incomplete log" trajectory "$T/run.jsonl.tmp"
bad tmp_log_front "run.jsonl.tmp: an incomplete log" front "$T/run.jsonl.tmp"
bad every_zero "--every" trajectory --every 0 "$L"
bad every_text "--every" trajectory --every x "$L"
bad ref_length "--ref has 3 numbers" trajectory --ref 1,1,1 "$L"
bad ref_text "--ref" trajectory --ref 1,a "$L"
bad unknown_opt "--fast" trajectory --fast "$L"
bad no_logs "no LOG" trajectory
bad out_not_written "nosum.jsonl" trajectory --out "$T/never.csv" "$L" "$T/nosum.jsonl"
[ ! -e "$T/never.csv" ] || fail "out_not_written: a failing run wrote --out"
# --allow-incomplete: the .tmp log's 100 evaluations
"$HW" trajectory --allow-incomplete "$T/run.jsonl.tmp" > "$T/inc.csv" 2> "$T/err" || fail "--allow-incomplete: $(cat "$T/err")"
[ "$(wc -l < "$T/inc.csv")" -eq 101 ] || fail "--allow-incomplete: $(wc -l < "$T/inc.csv") lines, want 101"
[ "$(tail -1 "$T/inc.csv" | cut -d, -f4)" = 100 ] || fail "--allow-incomplete: last eval not 100"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok"
