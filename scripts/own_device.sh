#!/usr/bin/env bash
# scripts/own_device.sh — the whole own-hardware loop on this machine
# (docs/own_hardware.md): profile architectures, calibrate a latency
# surrogate for this machine from the known devices' models with a few of
# them, check it on the others, run NSGA-II on perplexity against this
# machine's predicted latency, re-measure the final front, report.
#
#   scripts/own_device.sh [--out DIR] [--name NAME] [--archs N] [--calib K] [--seq T] [--samples S]
#                         [--evals E] [--verify-archs V] [--build DIR] [--reuse-profile]
#
# Defaults: --out results/own_device --name thismachine --archs 200 --calib 30
# --seq 8 --samples 3 --evals 2000 --verify-archs 30 --build build.  The
# profile is most of the time: 200 archs x 4 forwards of 8 tokens at
# V = 50,254, 14 minutes on the 2-core development machine loaded 10x by
# other jobs (docs/own_hardware.md), the rest 2-3 minutes.  --reuse-profile keeps DIR/profile from
# an earlier run.  Everything it writes is under DIR: profile/ (the data
# layout), models/ (the shipped models + NAME), run/ (the NSGA-II log),
# verify.csv, verify.png, report.txt.
set -euo pipefail
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
OUT=results/own_device NAME=thismachine ARCHS=200 CALIB=30 SEQ=8 SAMPLES=3 EVALS=2000 BUILD=build VARCHS=30 REUSE=0
while [ $# -gt 0 ]; do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    --reuse-profile) REUSE=1; shift; continue ;;
    --out | --name | --archs | --calib | --seq | --samples | --evals | --build | --verify-archs)
        [ $# -ge 2 ] || { echo "own_device.sh: $1 needs a value" >&2; exit 2; }
        case "$1" in
        --out) OUT=$2 ;; --name) NAME=$2 ;; --archs) ARCHS=$2 ;; --calib) CALIB=$2 ;;
        --seq) SEQ=$2 ;; --samples) SAMPLES=$2 ;; --evals) EVALS=$2 ;; --build) BUILD=$2 ;;
        --verify-archs) VARCHS=$2 ;;
        esac
        shift 2 ;;
    *) echo "own_device.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
for v in ARCHS CALIB SEQ SAMPLES EVALS VARCHS; do
    case "${!v}" in '' | *[!0-9]*) echo "own_device.sh: --$(echo "$v" | tr 'A-Z' 'a-z'): expected a positive integer, got '${!v}'" >&2; exit 2 ;; esac
done
[ "$CALIB" -ge 3 ] && [ "$CALIB" -lt "$ARCHS" ] || { echo "own_device.sh: need 3 <= --calib < --archs" >&2; exit 2; }
HW=$BUILD/hwnas RUN=$BUILD/run_experiment
[ -x "$HW" ] && [ -x "$RUN" ] || { echo "own_device.sh: $HW or $RUN missing: build first (cmake -S . -B $BUILD && cmake --build $BUILD)" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
T0=$(date +%s)
step() { echo "== $* ($(($(date +%s) - T0)) s)" >&2; }

LAT=$OUT/profile/latency/s/$NAME.jsonl.gz
if [ "$REUSE" = 1 ] && [ -s "$LAT" ]; then
    step "1/5 profile: reusing $LAT"
else
    step "1/5 profile $ARCHS archs of GPT-S on this machine (batch 1 x seq $SEQ, $SAMPLES samples)"
    rm -rf "$OUT/profile"
    "$HW" profile --scale s --device-name "$NAME" --archs "$ARCHS" --seq "$SEQ" --samples "$SAMPLES" --out "$OUT/profile" > "$OUT/profile.json"
fi

step "2/5 calibrate from the known devices with the first $CALIB archs; check on the other $((ARCHS - CALIB))"
gzip -dc "$LAT" | head -n "$CALIB" > "$OUT/calib.jsonl"
gzip -dc "$LAT" | tail -n +"$((CALIB + 1))" > "$OUT/holdout.jsonl"
"$HW" calibrate --base "$HERE/../surrogates/models" --measurements "$OUT/calib.jsonl" --scale s --metric latency \
    --device-name "$NAME" --out "$OUT/models" > "$OUT/calibrate.json"
python3 -c 'import json,sys; [print(json.loads(l)["arch"]) for l in open(sys.argv[1])]' "$OUT/holdout.jsonl" > "$OUT/holdout_archs.txt"
"$HW" query --models "$OUT/models" --device "$NAME" --metrics latency --arch-file "$OUT/holdout_archs.txt" > "$OUT/holdout_pred.jsonl"
python3 - "$OUT/holdout.jsonl" "$OUT/holdout_pred.jsonl" > "$OUT/holdout.json" <<'PY'
import json, statistics, sys
meas = [json.loads(l) for l in open(sys.argv[1])]
pred = {p["arch"]: p for p in map(json.loads, open(sys.argv[2]))}
m = [statistics.median(r["samples"]) for r in meas]
p = [pred[r["arch"]]["latency"] for r in meas]
s = [pred[r["arch"]]["latency_std"] for r in meas]
conc = disc = 0
for i in range(len(m)):
    for j in range(i + 1, len(m)):
        a, b = (m[i] - m[j]) * (p[i] - p[j]), 0
        conc += a > 0
        disc += a < 0
n_in = sum(abs(x - mu) <= 1.6448536269514722 * sd for r, mu, sd in zip(meas, p, s) for x in r["samples"])
n_all = sum(len(r["samples"]) for r in meas)
print(json.dumps({"archs": len(m), "kendall_tau": round((conc - disc) / max(1, conc + disc), 4),
                  "coverage90": round(n_in / n_all, 4)}))
PY

step "3/5 NSGA-II, $EVALS evaluations: perplexity vs latency on $NAME (predicted)"
cat > "$OUT/nsga2_own.json" <<JSON
{"name": "nsga2_own_device", "description": "NSGA-II on GPT-S: perplexity vs the calibrated latency of $NAME (scripts/own_device.sh)",
 "problem": {"name": "hwgpt", "backend": "surrogate", "scale": "s", "device": "$NAME", "models": "$(cd "$OUT" && pwd)/models",
             "noise": "mean", "objectives": ["perplexity", "latency"]},
 "optimizer": {"name": "nsga2", "population_size": 40}, "budget": {"evaluations": $EVALS}, "seeds": [1],
 "reference_point": [1.1, 1.1], "output": "$(cd "$OUT" && pwd)/run"}
JSON
rm -rf "$OUT/run"
"$RUN" "$OUT/nsga2_own.json" > /dev/null

step "4/5 verify the final front on this machine ($VARCHS archs spread along it)"
"$HW" verify "$OUT/run/nsga2_own_device/seed_1.jsonl" --device-name "$NAME" --models "$OUT/models" --max-archs "$VARCHS" \
    --protocol "$OUT/profile/profile/s/$NAME.json" --out "$OUT/verify.csv" > "$OUT/verify.json"
. "$HERE/lib_python.sh"
if py=$(plot_python 2> /dev/null); then
    $py "$HERE/plot_verify.py" "$OUT/verify.csv" -o "$OUT/verify.png" --log --title "$NAME: verified NSGA-II front" || true
fi

step "5/5 report"
python3 - "$OUT" "$NAME" "$(($(date +%s) - T0))" > "$OUT/report.txt" <<'PY'
import json, sys
out, name, secs = sys.argv[1], sys.argv[2], int(sys.argv[3])
prof = json.load(open(out + "/profile/profile/s/%s.json" % name))
cal = json.load(open(out + "/calibrate.json"))
hold = json.load(open(out + "/holdout.json"))
ver = json.load(open(out + "/verify.json"))
print("own device %s: %s, %d online CPUs, load average %.1f at the end of profiling" % (
    name, prof["cpu_model"], prof["online_cpus"], prof["load_average_1min_at_end"]))
print("profile: %d archs, batch %d x seq %d, %d samples + %d warm-up, %.0f s; energy: %s" % (
    prof["archs"], prof["batch"], prof["seq"], prof["samples"], prof["warmup"], prof["seconds"], prof["energy"]))
print("calibration with %d archs: %s, leave-one-out RMS log error %.3f" % (cal["archs"], cal["method"], cal["loo_rms_log"]))
print("held-out %d archs: Kendall tau %.3f, 90%% interval coverage %.3f" % (hold["archs"], hold["kendall_tau"], hold["coverage90"]))
tau = ver["kendall_tau"]
print("verified front (%d archs spread along it): Kendall tau %s, coverage90 %.3f (samples) / %.3f (medians), hypervolume measured %.4f vs predicted %.4f" % (
    ver["front_size"], "n/a" if tau is None else "%.3f" % tau, ver["coverage90_samples"], ver["coverage90_medians"],
    ver["hypervolume_measured"], ver["hypervolume_predicted"]))
print("total %d s; files under %s" % (secs, out))
PY
cat "$OUT/report.txt"
