# hwnas calibrate on a GPU it had never seen: results/h200_latency.csv holds
# HW-GPT-Bench-protocol latencies that `hwnas profile --cuda` measured on an
# NVIDIA H200 (results/h200.md).  Calibrated on the first 10 architectures of
# each scale, the other 20 must be ranked with Kendall tau >= 0.85 and
# predicted within a median 5% relative error.  No GPU and no data needed.
. "$(dirname "$0")/lib.sh"
CSV="$SRC/results/h200_latency.csv"
MODELS="$SRC/surrogates/models"
python3 - "$CSV" "$TMP" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for sc in "sml":
    r = [x for x in rows if x["scale"] == sc]
    assert len(r) == 30, (sc, len(r))
    with open(f"{sys.argv[2]}/cal_{sc}.jsonl", "w") as f:
        for x in r[:10]:
            f.write(json.dumps({"arch": x["arch"], "samples": [float(x[f"sample_{i}_ms"]) for i in range(1, 11)], "unit": "ms"}) + "\n")
    open(f"{sys.argv[2]}/held_{sc}.txt", "w").write("".join(x["arch"] + "\n" for x in r[10:]))
PY
check "split the CSV" test $? -eq 0
for sc in s m l; do
    "$BIN" calibrate --base "$MODELS" --measurements "$TMP/cal_$sc.jsonl" --scale $sc --metric latency \
        --device-name h200 --out "$TMP/models_$sc" > /dev/null 2> "$TMP/err"
    rc=$?; check "calibrate $sc: $(tail -1 "$TMP/err")" test $rc -eq 0
    "$BIN" query --models "$TMP/models_$sc" --device h200 --metrics latency --arch-file "$TMP/held_$sc.txt" \
        > "$TMP/pred_$sc.jsonl" 2> "$TMP/err"
    rc=$?; check "query $sc: $(tail -1 "$TMP/err")" test $rc -eq 0
done
python3 - "$CSV" "$TMP" > "$TMP/pyout" 2>&1 <<'PY'
import csv, json, statistics as st, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for sc in "sml":
    meas = [float(x["median_ms"]) for x in rows if x["scale"] == sc][10:]
    pred = [json.loads(l)["latency"] for l in open(f"{sys.argv[2]}/pred_{sc}.jsonl")]
    assert len(pred) == len(meas) == 20, (sc, len(pred))
    n = len(meas)
    c = sum(((meas[i] - meas[j]) * (pred[i] - pred[j]) > 0) - ((meas[i] - meas[j]) * (pred[i] - pred[j]) < 0)
            for i in range(n) for j in range(i + 1, n))
    tau = c / (n * (n - 1) / 2)
    err = st.median(abs(p / m - 1) for p, m in zip(pred, meas))
    print(f"{sc}: tau {tau:.3f} median relative error {err:.4f}")
    assert tau >= 0.85 and err < 0.05, (sc, tau, err)
PY
rc=$?; check "held-out H200 latencies: $(tr '\n' ' ' < "$TMP/pyout")" test $rc -eq 0
exit $fail
