# The own-hardware loop through the command line (docs/own_hardware.md):
# profile writes the data layout, which train-surrogates and calibrate accept;
# a calibrated device works in a run_experiment config and in query; verify
# re-measures a run's front; bad inputs get one line and status 2.
. "$(dirname "$0")/lib.sh"
RUN="${HWNAS_BIN:-build}/run_experiment"
MODELS="$SRC/surrogates/models"
one_line() { [ "$(wc -l < "$1")" -eq 1 ]; }

# --- profile: 22 archs (train-surrogates needs 20), tiny forwards -------------
"$BIN" profile --scale s --device-name tiny-box --archs 22 --seq 2 --samples 2 --warmup 0 --out "$TMP/prof" --quiet \
    > "$TMP/out" 2> "$TMP/err"
check "profile exit 0" test $? -eq 0
check "profile says why no energy, or wrote it" \
    bash -c "grep -q 'energy not measured' '$TMP/err' || test -f '$TMP/prof/energy/s/tiny-box.jsonl.gz'"
for f in latency/s/tiny-box.jsonl.gz memory/s/tiny-box.jsonl.gz analytic/s.jsonl.gz profile/s/tiny-box.json; do
    check "profile wrote $f" test -s "$TMP/prof/$f"
done
python3 - "$TMP/prof" > "$TMP/pyout" 2>&1 <<'PY'
import gzip, json, sys
d = sys.argv[1]
lat = [json.loads(l) for l in gzip.open(d + "/latency/s/tiny-box.jsonl.gz", "rt")]
ana = {j["arch"]: j for j in map(json.loads, gzip.open(d + "/analytic/s.jsonl.gz", "rt"))}
mem = [json.loads(l) for l in gzip.open(d + "/memory/s/tiny-box.jsonl.gz", "rt")]
meta = json.load(open(d + "/profile/s/tiny-box.json"))
assert len(lat) == 22 and len({r["arch"] for r in lat}) == 22, "22 distinct archs"
for r in lat:
    assert set(r) == {"arch", "samples", "unit"} and r["unit"] == "ms", r
    assert len(r["samples"]) == 2 and all(x > 0 for x in r["samples"]), r
    assert r["arch"] in ana and ana[r["arch"]]["params"] > 0, r["arch"]
for m in mem:
    assert m["weights_mb"] > 0 and (m["memory_mb"] is None or m["memory_mb"] >= m["weights_mb"]), m
assert (meta["batch"], meta["seq"], meta["samples"], meta["warmup"]) == (1, 2, 2, 0), meta
for k in ("cpu_model", "openblas", "openblas_threading", "openblas_library", "blas_threads", "date", "weights", "energy", "memory"):
    assert k in meta, k
PY
rc=$?; check "profile files in the data layout: $(cat "$TMP/pyout")" test $rc -eq 0

# --- train-surrogates accepts the profile directory --------------------------
"$BIN" train-surrogates --data "$TMP/prof" --scales s --out "$TMP/trained" --quiet 2> "$TMP/err"
rc=$?; check "train-surrogates on a profile: $(cat "$TMP/err")" test $rc -eq 0
echo "$EX" > "$TMP/ex.txt"
"$BIN" query --models "$TMP/trained" --device tiny-box --metrics latency --arch-file "$TMP/ex.txt" > "$TMP/q" 2> "$TMP/err"
check "query the trained own device" grep -q '"latency": ' "$TMP/q"
"$BIN" train-surrogates --data "$TMP/prof" --scales s --out "$TMP/t2" --devices nosuch --quiet 2> "$TMP/err"
check "--devices unknown: status 2" test $? -eq 2
check "--devices unknown: one line naming the own device" bash -c "grep -q \"unknown device 'nosuch'.*tiny-box\" '$TMP/err' && [ \$(wc -l < '$TMP/err') -eq 1 ]"
"$BIN" train-surrogates --data "$TMP/prof" --scales s --out "$TMP/t3" --exclude-devices tiny-box --quiet 2> "$TMP/err"
check "--exclude-devices leaves nothing to train: refused or empty, never a crash" test $? -le 2

# --- calibrate: base models + the new device -----------------------------------
gzip -dc "$TMP/prof/latency/s/tiny-box.jsonl.gz" | head -n 8 > "$TMP/m8.jsonl"
"$BIN" calibrate --base "$MODELS" --measurements "$TMP/m8.jsonl" --scale s --metric latency --device-name tiny-box \
    --out "$TMP/cal" > "$TMP/cal.json" 2> "$TMP/err"
rc=$?; check "calibrate exit 0: $(cat "$TMP/err")" test $rc -eq 0
check "calibrate reports 8 archs" grep -q '"archs": 8' "$TMP/cal.json"
for sc in s m l; do check "calibrated models hold $sc" test -s "$TMP/cal/$sc.hwsur"; done
"$BIN" query --models "$TMP/cal" --device tiny-box --metrics latency,perplexity --arch-file "$TMP/ex.txt" > "$TMP/q" 2> "$TMP/err"
check "query the calibrated device" grep -q '"latency": ' "$TMP/q"
HWNAS_MODELS="$TMP/cal" "$BIN" query --device a100 --metrics latency --arch-file "$TMP/ex.txt" > "$TMP/q2"
"$BIN" query --device a100 --metrics latency --arch-file "$TMP/ex.txt" --models "$MODELS" > "$TMP/q3"
check "the base devices are unchanged" cmp -s "$TMP/q2" "$TMP/q3"

# --- a run_experiment config on the calibrated device, then verify -----------
cat > "$TMP/run.json" <<JSON
{"name": "own", "problem": {"name": "hwgpt", "backend": "surrogate", "scale": "s", "device": "tiny-box",
 "models": "$TMP/cal", "noise": "mean", "objectives": ["perplexity", "latency"]},
 "optimizer": {"name": "nsga2", "population_size": 8}, "budget": {"evaluations": 24}, "seeds": [1],
 "reference_point": [1.1, 1.1], "output": "$TMP/runs"}
JSON
"$RUN" "$TMP/run.json" > "$TMP/run.out" 2> "$TMP/err"
rc=$?; check "run_experiment with \"device\": \"tiny-box\": $(tail -1 "$TMP/err")" test $rc -eq 0
LOG="$TMP/runs/own/seed_1.jsonl"
check "the run's log" test -s "$LOG"
"$BIN" verify "$LOG" --device-name tiny-box --models "$TMP/cal" --protocol "$TMP/prof/profile/s/tiny-box.json" \
    --samples 2 --max-archs 4 --out "$TMP/v.csv" --quiet > "$TMP/v.json" 2> "$TMP/err"
rc=$?; check "verify exit 0: $(tail -1 "$TMP/err")" test $rc -eq 0
"$BIN" verify "$LOG" --device-name tiny-box --models "$TMP/cal" --protocol "$TMP/prof/profile/s/tiny-box.json" \
    --samples 1 --out "$TMP/vall.csv" --quiet > "$TMP/vall.json" 2> "$TMP/err"
rc=$?; check "verify of the whole front exit 0: $(tail -1 "$TMP/err")" test $rc -eq 0
python3 - "$LOG" "$TMP/v.csv" "$TMP/v.json" "$TMP/vall.json" > "$TMP/pyout" 2>&1 <<'PY'
import csv, json, sys
summ = [json.loads(l) for l in open(sys.argv[1])][-1]
rows = list(csv.DictReader(open(sys.argv[2])))
v = json.loads(open(sys.argv[3]).read())
vall = json.loads(open(sys.argv[4]).read())
# the whole front: verify's predicted hypervolume is the run's own (printed to 17 digits)
assert vall["front_size"] == len(summ["front_arch"]), (vall, len(summ["front_arch"]))
assert abs(vall["hypervolume_predicted"] - summ["hypervolume"]) < 1e-12 * max(1, summ["hypervolume"]), (vall, summ["hypervolume"])
assert set(r["arch"] for r in rows) <= set(summ["front_arch"]), "rows are front archs"
assert len(rows) == min(4, len(summ["front_arch"])) and v["front_size"] == len(rows)
for r in rows:
    assert float(r["predicted_mean"]) > 0 and float(r["measured_median"]) > 0 and int(r["samples"]) == 2
    assert 0 <= float(r["inside90"]) <= 1
cov = sum(float(r["inside90"]) for r in rows) / len(rows)
assert abs(cov - v["coverage90_samples"]) < 1e-3, (cov, v)
if len(rows) == len(summ["front_arch"]):
    assert abs(v["hypervolume_predicted"] - summ["hypervolume"]) < 1e-9 * max(1, summ["hypervolume"]), (v, summ["hypervolume"])
else:
    assert 0 < v["hypervolume_predicted"] <= summ["hypervolume"] + 1e-12, (v, summ["hypervolume"])
assert v["kendall_tau"] is None or -1 <= v["kendall_tau"] <= 1
PY
rc=$?; check "verify CSV and summary agree with the log: $(cat "$TMP/pyout")" test $rc -eq 0

# the same objective named with its device ("latency@tiny-box" on an a100
# problem): the same run, and verify measures it
sed 's/"device": "tiny-box"/"device": "a100"/; s/"latency"\]/"latency@tiny-box"]/; s/"name": "own"/"name": "own_at"/' \
    "$TMP/run.json" > "$TMP/run_at.json"
"$RUN" "$TMP/run_at.json" > /dev/null 2> "$TMP/err"
rc=$?; check "run_experiment with \"latency@tiny-box\": $(tail -1 "$TMP/err")" test $rc -eq 0
LOG_AT="$TMP/runs/own_at/seed_1.jsonl"
"$BIN" verify "$LOG_AT" --device-name tiny-box --models "$TMP/cal" --protocol "$TMP/prof/profile/s/tiny-box.json" \
    --samples 2 --max-archs 4 --out "$TMP/v_at.csv" --quiet > /dev/null 2> "$TMP/err"
rc=$?; check "verify latency@tiny-box exit 0: $(tail -1 "$TMP/err")" test $rc -eq 0
check "verify latency@tiny-box: the same archs and predictions as for 'latency' on tiny-box" \
    cmp -s <(cut -d, -f1-3 "$TMP/v.csv") <(cut -d, -f1-3 "$TMP/v_at.csv")

# --- one-line errors, status 2 -----------------------------------------------
bad() { # bad NAME EXPECTED-TEXT COMMAND...
    local name=$1 want=$2; shift 2
    "$@" > /dev/null 2> "$TMP/err"
    local rc=$?
    check "$name: status 2 (got $rc)" test $rc -eq 2
    check "$name: one line" one_line "$TMP/err"
    check "$name: says '$want' (got: $(cat "$TMP/err"))" grep -qF -- "$want" "$TMP/err"
}
: > "$TMP/empty.jsonl"
bad "empty measurements" "empty.jsonl: no measurements" \
    "$BIN" calibrate --base "$MODELS" --measurements "$TMP/empty.jsonl" --scale s --metric latency --device-name x --out "$TMP/o"
bad "wrong scale" "m8.jsonl:1: arch of scale s, expected scale m" \
    "$BIN" calibrate --base "$MODELS" --measurements "$TMP/m8.jsonl" --scale m --metric latency --device-name x --out "$TMP/o"
printf '{"arch": "gpt-s-9-768-2-2-2-2-2-2-2-2-2-4-4-4-4-4-4-4-4-4-False", "samples": [1.0]}\n' > "$TMP/space.jsonl"
bad "arch not in the space" "space.jsonl:1: not an architecture of the s space" \
    "$BIN" calibrate --base "$MODELS" --measurements "$TMP/space.jsonl" --scale s --metric latency --device-name x --out "$TMP/o"
printf '{"arch": "%s", "samples": [1.0, 1e999]}\n' "$EX" > "$TMP/inf.jsonl"
bad "non-finite sample" "inf.jsonl:1: samples[1] is not a positive finite number" \
    "$BIN" calibrate --base "$MODELS" --measurements "$TMP/inf.jsonl" --scale s --metric latency --device-name x --out "$TMP/o"
bad "built-in device name" "is HW-GPT-Bench's device a100" \
    "$BIN" calibrate --base "$MODELS" --measurements "$TMP/m8.jsonl" --scale s --metric latency --device-name A100 --out "$TMP/o"
# --cuda: without a GPU (or a CUDA build) one line naming CUDA; with one, the files
if "$BIN" profile --scale s --device-name gpu --archs 2 --samples 2 --seq 16 --out "$TMP/gpu" --cuda --quiet 2> "$TMP/err"; then
    check "profile --cuda writes latency" test -s "$TMP/gpu/latency/s/gpu.jsonl.gz"
    check "profile --cuda metadata says cuda" grep -q '"backend": *"cuda"' "$TMP/gpu/profile/s/gpu.json"
else
    check "profile --cuda: one line" one_line "$TMP/err"
    check "profile --cuda: says CUDA (got: $(cat "$TMP/err"))" grep -qF "CUDA: " "$TMP/err"
fi
bad "profile xs space" "expected s, m or l" "$BIN" profile --scale xs --device-name x --archs 1 --out "$TMP/o"
bad "verify unknown device" "unknown device 'nobox'" \
    "$BIN" verify "$LOG" --device-name nobox --models "$TMP/cal" --samples 1
sed 's/"latency@tiny-box"/"latency@a100"/; s/"name": "own_at"/"name": "own_a100"/' "$TMP/run_at.json" > "$TMP/run_a100.json"
"$RUN" "$TMP/run_a100.json" > /dev/null 2>&1
bad "verify without an objective of that device" "no objective 'latency', 'energy', 'latency@tiny-box' or 'energy@tiny-box' to measure (objectives: perplexity, latency@a100)" \
    "$BIN" verify "$TMP/runs/own_a100/seed_1.jsonl" --device-name tiny-box --models "$TMP/cal" --samples 1
bad "config with an unknown device" "device: unknown device 'nobox'" \
    "$RUN" <(sed 's/tiny-box/nobox/' "$TMP/run.json")
exit $fail
