# hwnas query with surrogate metrics (shipped models), train-surrogates and
# model-file errors through the command line.
. "$(dirname "$0")/lib.sh"
EXL="gpt-l-34-320-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-True"
MODELS="$SRC/surrogates/models"

# --- fields and values ------------------------------------------------------
printf '%s\n%s\n' "$EX" "$EX" > "$TMP/a.txt"
"$BIN" query --scale s --device v100 --metrics perplexity,latency,energy,params --arch-file "$TMP/a.txt" \
    --models "$MODELS" > "$TMP/out" 2> "$TMP/err"
check "exit 0" test $? -eq 0
check "quiet stderr" test ! -s "$TMP/err"
check "two lines" test "$(wc -l < "$TMP/out")" -eq 2
line=$(head -1 "$TMP/out")
for k in arch perplexity perplexity_std perplexity_noise_std latency latency_std latency_noise_std \
         energy energy_std energy_noise_std params; do
    check "field $k" grep -q "\"$k\": " <<< "$line"
done
check "params exact" grep -q '"params": 148591104' <<< "$line"
check "identical lines for one arch" test "$(sort -u "$TMP/out" | wc -l)" -eq 1
# values in the data's units: the measured v100 latency of this arch is ~28 ms,
# its perplexity ~25, its energy ~1e-3 Wh (README of the data); std > noise_std > 0
val() { sed -E "s/.*\"$1\": ([-0-9.e+]+).*/\1/" <<< "$line"; }
check "latency plausible" awk -v v="$(val latency)" 'BEGIN { exit !(v > 10 && v < 60) }'
check "perplexity plausible" awk -v v="$(val perplexity)" 'BEGIN { exit !(v > 20 && v < 30) }'
check "energy plausible" awk -v v="$(val energy)" 'BEGIN { exit !(v > 1e-4 && v < 1e-2) }'
check "latency std >= noise_std > 0" awk -v s="$(val latency_std)" -v n="$(val latency_noise_std)" 'BEGIN { exit !(s >= n && n > 0) }'
check "perplexity noise 0" awk -v n="$(val perplexity_noise_std)" 'BEGIN { exit !(n == 0) }'

# any scale without --scale: the arch string's scale picks the models
printf '%s\n%s\n' "$EX" "$EXL" | "$BIN" query --device a100 --metrics latency --arch-file - --models "$MODELS" > "$TMP/out2"
check "mixed scales" test "$(wc -l < "$TMP/out2")" -eq 2

# --- errors: one line, exit 2 ---------------------------------------------------
err1() { # err1 NAME PATTERN COMMAND...
    local name=$1 pat=$2; shift 2
    "$@" > /dev/null 2> "$TMP/err"
    local rc=$?
    check "$name: exit 2" test $rc -eq 2
    check "$name: one line" test "$(wc -l < "$TMP/err")" -eq 1
    check "$name: message" grep -q -- "$pat" "$TMP/err"
}
err1 "wrong device" "unknown device 'tpu'" "$BIN" query --device tpu --metrics latency --arch-file "$TMP/a.txt" --models "$MODELS"
err1 "no device" "needs --device" "$BIN" query --metrics energy --arch-file "$TMP/a.txt" --models "$MODELS"
err1 "energy on cpu_p100" "no surrogate model for energy on device cpu_p100" \
    "$BIN" query --device cpu_p100 --metrics energy --arch-file "$TMP/a.txt" --models "$MODELS"
err1 "wrong metric" "unknown metric 'energyy'" "$BIN" query --device a100 --metrics energyy --arch-file "$TMP/a.txt" --models "$MODELS"
err1 "wrong scale" "unknown scale 'xl'" "$BIN" query --scale xl --device a100 --metrics latency --arch-file "$TMP/a.txt" --models "$MODELS"
mkdir -p "$TMP/m"
cp "$MODELS/s.hwsur" "$TMP/m/s.hwsur"
printf 'XXXX' | dd of="$TMP/m/s.hwsur" bs=1 seek=1000 conv=notrunc 2> /dev/null
err1 "corrupt model" "s.hwsur: corrupt model file (checksum mismatch)" \
    "$BIN" query --scale s --device a100 --metrics latency --arch-file "$TMP/a.txt" --models "$TMP/m"
err1 "missing model" "l.hwsur: cannot open" "$BIN" query --scale l --device a100 --metrics latency --arch-file "$TMP/a.txt" --models "$TMP/m"
err1 "train: bad data dir" "nodata: no HW-GPT-Bench data there (needed: $TMP/nodata/analytic/s.jsonl.gz)" "$BIN" train-surrogates --data "$TMP/nodata" --out "$TMP/o" --quiet
err1 "train: bad seed" "expected a non-negative integer" "$BIN" train-surrogates --seed x
exit $fail
