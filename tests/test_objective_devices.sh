# tests/test_objective_devices.sh — objectives on their own device
# ("energy@cpu_xeon_gold", benchmark/hwgpt.h) end to end:
#  1. HW-GPT-Bench's 3-objective case (GPT-L: perplexity, A100 latency, Xeon
#     Gold energy): every logged value equals what `hwnas query` gives for
#     that architecture on that device (one --device per call), and what one
#     `hwnas query --metrics perplexity,latency@a100,energy@cpu_xeon_gold`
#     gives under those keys;
#  2. a two-device run (latency@a100 vs latency@h100, noisy) is deterministic:
#     the same logs with 1 and 2 threads, and rerun;
#  3. labels: hwnas summary's problem column and scripts/plotlib.py's
#     problem_label agree ("hwgpt-l/perplexity+latency@a100+energy@cpu_xeon_gold"),
#     the figure title names the devices, and problems without own devices
#     keep their labels ("hwgpt-s/a100/perplexity+latency");
#  4. a grid whose objectives list of lists holds such names: one directory
#     per variant, named with the '@';
#  5. bad objectives: exit 2 with one line naming objectives[i]; the same
#     for `hwnas query --metrics`.
set -u
BIN="${HWNAS_BIN:?}/run_experiment"
HW="${HWNAS_BIN:?}/hwnas"
SRC="${HWNAS_SRC:?}"
. "$(dirname "$0")/lib_run.sh"

cat > "$T/three.json" <<EOF
{"name": "three", "problem": {"name": "hwgpt", "scale": "l",
  "objectives": ["perplexity", "latency@a100", "energy@cpu_xeon_gold"]},
 "optimizer": {"name": "random_search"}, "budget": {"evaluations": 30}, "seeds": [3], "output": "$T/out"}
EOF
"$BIN" "$T/three.json" --quiet > "$T/three.out" 2> "$T/three.err" || fail "3-objective run: $(cat "$T/three.err")"
LOG="$T/out/three/seed_3.jsonl"

# 1. the logged objectives against hwnas query on each device
python3 - "$LOG" "$T/archs.txt" "$T/f.json" <<'PY' || fail "3-objective log unreadable"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
meta, evals = lines[0], [l for l in lines[1:] if "eval" in l]
assert meta["objectives"] == ["perplexity", "latency@a100", "energy@cpu_xeon_gold"], meta["objectives"]
assert len(evals) == 30
open(sys.argv[2], "w").write("".join(e["arch"] + "\n" for e in evals))
json.dump([e["f"] for e in evals], open(sys.argv[3], "w"))
PY
"$HW" query --arch-file "$T/archs.txt" --scale l --metrics perplexity > "$T/q_ppl.jsonl" &&
"$HW" query --arch-file "$T/archs.txt" --scale l --metrics latency --device a100 > "$T/q_lat.jsonl" &&
"$HW" query --arch-file "$T/archs.txt" --scale l --metrics energy --device cpu_xeon_gold > "$T/q_en.jsonl" &&
"$HW" query --arch-file "$T/archs.txt" --scale l --metrics energy --device a100 > "$T/q_en_a100.jsonl" &&
"$HW" query --arch-file "$T/archs.txt" --metrics perplexity,latency@a100,energy@cpu_xeon_gold > "$T/q_at.jsonl" ||
    fail "hwnas query failed"
python3 - "$T" <<'PY' || fail "3-objective values differ from hwnas query"
import json, sys
t = sys.argv[1]
f = json.load(open(t + "/f.json"))
q = [[json.loads(l)[m] for l in open("%s/q_%s.jsonl" % (t, k))] for k, m in
     (("ppl", "perplexity"), ("lat", "latency"), ("en", "energy"))]
a100 = [json.loads(l)["energy"] for l in open(t + "/q_en_a100.jsonl")]
bad = [(i, j, f[i][j], q[j][i]) for i in range(len(f)) for j in range(3) if f[i][j] != q[j][i]]
assert not bad, bad[:3]
assert all(f[i][2] != a100[i] for i in range(len(f))), "energy equals A100's: the device was not used"
at = [json.loads(l) for l in open(t + "/q_at.jsonl")]
keys = ("perplexity", "latency@a100", "energy@cpu_xeon_gold")
assert [[r[k] for k in keys] for r in at] == f, "query --metrics with @DEVICE differs from the run"
assert all("latency@a100_std" in r and "energy@cpu_xeon_gold_noise_std" in r for r in at)
PY

# 2. two devices, noisy: deterministic across thread counts and reruns
cat > "$T/two.json" <<EOF
{"name": "two", "problem": {"name": "hwgpt", "noise": "sample", "objectives": ["latency@a100", "latency@h100"]},
 "optimizer": {"name": "nsga2", "population_size": 20}, "budget": {"evaluations": 100}, "seeds": [1, 2],
 "output": "$T/two"}
EOF
for run in a b; do
    th=1; [ $run = b ] && th=2
    "$BIN" "$T/two.json" --quiet --threads $th --out "$T/two_$run" > "$T/two_$run.out" 2> "$T/two_$run.err" ||
        fail "two-device run $run: $(cat "$T/two_$run.err")"
done
for s in 1 2; do
    a="$T/two_a/two/seed_$s.jsonl"; b="$T/two_b/two/seed_$s.jsonl"
    [ -s "$a" ] && [ "$(strip "$a")" = "$(strip "$b")" ] || fail "two-device seed $s: logs differ between runs"
done
python3 - "$T/two_a/two/seed_1.jsonl" <<'PY' || fail "two-device log: objectives or noise wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["objectives"] == ["latency@a100", "latency@h100"], lines[0]["objectives"]
f = [l["f"] for l in lines[1:] if "eval" in l]
assert len(f) == 100 and any(a != b for a, b in f)
PY

# 3. labels: summary and plotlib agree; problems without own devices keep theirs
cat > "$T/plain.json" <<EOF
{"name": "plain", "problem": {"name": "hwgpt", "device": "a100", "objectives": ["perplexity", "latency"]},
 "optimizer": {"name": "random_search"}, "budget": {"evaluations": 20}, "seeds": [1], "output": "$T/out"}
EOF
"$BIN" "$T/plain.json" --quiet > /dev/null 2> "$T/plain.err" || fail "plain run: $(cat "$T/plain.err")"
"$HW" summary "$T/out" --quiet > "$T/summary.csv" 2> "$T/summary.err" || fail "hwnas summary: $(cat "$T/summary.err")"
python3 - "$SRC/scripts" "$T/summary.csv" "$LOG" "$T/out/plain/seed_1.jsonl" <<'PY' || fail "labels"
import csv, json, sys
sys.path.insert(0, sys.argv[1])
import plotlib
labels = sorted({r["problem"] for r in csv.DictReader(open(sys.argv[2]))})
want = ["hwgpt-l/perplexity+latency@a100+energy@cpu_xeon_gold", "hwgpt-s/a100/perplexity+latency"]
assert labels == want, labels
mine = sorted(plotlib.problem_label(json.loads(open(p).readline())) for p in sys.argv[3:])
assert mine == want, mine
assert plotlib.problem_title(want[0]) == "GPT-L: perplexity vs A100 latency vs Xeon Gold energy", plotlib.problem_title(want[0])
assert plotlib.axis_label("energy@cpu_xeon_gold") == "Xeon Gold energy (Wh)"
assert plotlib.axis_label("latency") == "latency (ms)"
PY

# 4. a grid over objective sets with own devices
cat > "$T/grid.json" <<EOF
{"name": "g", "problem": {"name": "hwgpt", "scale": ["s", "m"], "device": "rtx2080",
  "objectives": [["perplexity", "latency"], ["perplexity", "latency", "energy@cpu_xeon_gold"], ["latency@a100", "latency@h100"]]},
 "optimizer": {"name": "random_search"}, "budget": {"evaluations": 10}, "seeds": [1], "output": "$T/grid"}
EOF
"$BIN" "$T/grid.json" --quiet > "$T/grid.out" 2> "$T/grid.err" || fail "grid: $(cat "$T/grid.err")"
got=$(cd "$T/grid/g/random_search" 2>/dev/null && ls | sort | tr '\n' ' ')
want="hwgpt-m-rtx2080-latency@a100+latency@h100 hwgpt-m-rtx2080-perplexity+latency hwgpt-m-rtx2080-perplexity+latency+energy@cpu_xeon_gold hwgpt-s-rtx2080-latency@a100+latency@h100 hwgpt-s-rtx2080-perplexity+latency hwgpt-s-rtx2080-perplexity+latency+energy@cpu_xeon_gold "
[ "$got" = "$want" ] || fail "grid directories: got '$got'"
"$HW" summary "$T/grid" --quiet 2>/dev/null | cut -d, -f1 | sort -u | grep -qx "hwgpt-s/perplexity+latency@rtx2080+energy@cpu_xeon_gold" ||
    fail "mixed-device label (the problem's device named on its objective)"

# 5. bad objectives: exit 2, one line naming objectives[i]
bad() { # bad OBJECTIVES_JSON EXPECTED_PREFIX
    printf '{"name":"b","problem":{"name":"hwgpt","scale":"l","objectives":%s},"optimizer":{"name":"random_search"},"budget":{"evaluations":5},"seeds":[1],"output":"%s"}\n' \
        "$1" "$T/bad" > "$T/bad.json"
    "$BIN" "$T/bad.json" --quiet > /dev/null 2> "$T/bad.err"
    local rc=$?
    [ $rc -eq 2 ] || fail "$1: exit $rc, expected 2"
    [ "$(wc -l < "$T/bad.err")" -eq 1 ] || fail "$1: not one line: $(cat "$T/bad.err")"
    grep -qF "$T/bad.json: $2" "$T/bad.err" || fail "$1: '$(cat "$T/bad.err")' lacks '$2'"
}
bad '["perplexity","energy@tpu"]' "problem.objectives[1]: unknown device 'tpu'"
bad '["perplexity","energy@cpu_p100"]' "problem.objectives[1]: no surrogate model for energy on device cpu_p100 at scale l"
bad '["perplexity@a100","latency@a100"]' "problem.objectives[0]: 'perplexity@a100': perplexity does not depend on the device"
bad '["params@a100"]' "problem.objectives[0]: 'params@a100': params does not depend on the device"
bad '["latency@a100","latency@a100"]' "problem.objectives[1]: 'latency@a100' is listed twice"
bad '["latency@h100","latency@H100"]' "problem.objectives[1]: 'latency@H100' is listed twice: it measures latency@h100"

qbad() { # qbad METRICS EXPECTED
    "$HW" query --arch-file "$T/archs.txt" --metrics "$1" > /dev/null 2> "$T/qbad.err"
    local rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l < "$T/qbad.err")" -eq 1 ] && grep -qF "hwnas query: $2" "$T/qbad.err" ||
        fail "query --metrics $1: exit $rc, '$(cat "$T/qbad.err")' lacks '$2'"
}
qbad latency@tpu "--metrics: 'latency@tpu': unknown device 'tpu'"
qbad perplexity@a100 "--metrics: 'perplexity@a100': perplexity does not depend on the device"
qbad energy@cpu_p100 "--metrics: 'energy@cpu_p100': no surrogate model for energy on device cpu_p100 at scale l"
qbad latency@a100,latency@A100 "--metrics: 'latency@A100' is listed twice (as 'latency@a100')"
qbad latency@ "--metrics: 'latency@': expected METRIC or METRIC@DEVICE"

[ $fails -eq 0 ] || exit 1
echo "objective devices: values equal hwnas query, two-device runs deterministic, labels, grid names, errors"
