# hwnas query: output format (every recorded architecture of every scale
# reproduces the data file's line exactly) and its errors.
. "$(dirname "$0")/lib.sh"

# --- format, by hand -------------------------------------------------------
printf '%s\n\n  %s  \n' "$EX" "$EX" > "$TMP/two.txt"
"$BIN" query --arch-file "$TMP/two.txt" --metrics params,memory_fp32,memory_fp16,memory_bf16,macs \
    > "$TMP/out" 2> "$TMP/err"
check "exit 0" test $? -eq 0
want="{\"arch\": \"$EX\", \"params\": 148591104, \"memory_fp32\": 594.364416, \"memory_fp16\": 297.182208, \"memory_bf16\": 297.182208, \"macs\": 900823252992}"
check "two lines (blank skipped)" test "$(wc -l < "$TMP/out")" -eq 2
check "hand line" test "$(head -1 "$TMP/out")" = "$want"
check "same line twice" test "$(tail -1 "$TMP/out")" = "$want"
check "quiet stderr" test ! -s "$TMP/err"
# stdin and defaults (params, flops, macs)
out=$(echo "$EX" | "$BIN" query --arch-file - --device a100 --scale s)
check "stdin default metrics" test "$out" = "{\"arch\": \"$EX\", \"params\": 148591104, \"flops\": 1802502144000, \"macs\": 900823252992}"

# only the scale the archs name is loaded (issue 8): a models directory with
# s.hwsur alone serves s archs without --scale; an m arch then needs m.hwsur
mkdir -p "$TMP/only_s"
cp "$SRC/surrogates/models/s.hwsur" "$TMP/only_s/"
out=$("$BIN" query --arch-file "$TMP/two.txt" --metrics latency --device a100 --models "$TMP/only_s" 2> "$TMP/err")
check "s archs with only s.hwsur: exit 0" test $? -eq 0
check "s archs with only s.hwsur: two lines" test "$(echo "$out" | wc -l)" -eq 2
EXM=gpt-m-22-256-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-2-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-8-True
printf '%s\n%s\n' "$EX" "$EXM" > "$TMP/mixed.txt"
"$BIN" query --arch-file "$TMP/mixed.txt" --metrics latency --device a100 --models "$TMP/only_s" > /dev/null 2> "$TMP/err"
check "mixed scales need every scale's file" test $? -ne 0
check "mixed scales: names m.hwsur" grep -q "m.hwsur" "$TMP/err"

# --- errors ----------------------------------------------------------------
printf '%s\n%s\ngpt-s-10-768-2-2\n%s\n' "$EX" "$EX" "$EX" > "$TMP/bad.txt"
"$BIN" query --arch-file "$TMP/bad.txt" > "$TMP/out" 2> "$TMP/err"
check "malformed exit 2" test $? -eq 2
check "malformed names file:line" grep -q "^$TMP/bad.txt:3: arch 'gpt-s-10-768-2-2'" "$TMP/err"
check "one-line error" test "$(wc -l < "$TMP/err")" -eq 1
check "lines before the error printed" test "$(wc -l < "$TMP/out")" -eq 2

"$BIN" query --arch-file "$TMP/two.txt" --scale m > /dev/null 2> "$TMP/err"
check "scale mismatch exit 2" test $? -eq 2
check "scale mismatch message" grep -q "^$TMP/two.txt:1: .*does not match the expected scale 'm'" "$TMP/err"

"$BIN" query --arch-file "$TMP/two.txt" --metrics params,latencyy > /dev/null 2> "$TMP/err"
check "unknown metric exit 2" test $? -eq 2
check "unknown metric message" grep -q "^hwnas query: unknown metric 'latencyy' (expected one of: params, flops, macs, memory_fp32, memory_fp16, memory_bf16" "$TMP/err"

"$BIN" query --arch-file "$TMP/two.txt" --metrics params,,flops > /dev/null 2> "$TMP/err"
check "empty metric exit 2" test $? -eq 2
"$BIN" query --arch-file "$TMP/two.txt" --metrics flops,flops > /dev/null 2> "$TMP/err"
check "duplicate metric" grep -q "'flops' is listed twice" "$TMP/err"
"$BIN" query --arch-file "$TMP/two.txt" --scale xl > /dev/null 2> "$TMP/err"
check "bad scale" grep -q "unknown scale 'xl'" "$TMP/err"
"$BIN" query --metrics params > /dev/null 2> "$TMP/err"
check "missing --arch-file exit 2" test $? -eq 2
"$BIN" query --arch-file "$TMP/nope.txt" > /dev/null 2> "$TMP/err"
check "missing file exit 2" test $? -eq 2
check "missing file names it" grep -q "nope.txt: cannot open" "$TMP/err"
"$BIN" query --arch-file "$TMP/two.txt" --bogus 1 > /dev/null 2> "$TMP/err"
check "unknown option exit 2" test $? -eq 2
"$BIN" query --arch-file > /dev/null 2> "$TMP/err"
check "option without value exit 2" test $? -eq 2

# --- every recorded architecture -------------------------------------------
skip_without_data "$DATA/analytic" "the format and error checks"
for s in s m l; do
    zcat "$DATA/analytic/$s.jsonl.gz" > "$TMP/rec.jsonl"
    sed 's/^{"arch":"\([^"]*\)".*/\1/' "$TMP/rec.jsonl" > "$TMP/archs.txt"
    "$BIN" query --scale "$s" --metrics flops,macs,params --arch-file "$TMP/archs.txt" | tr -d ' ' > "$TMP/q.jsonl"
    check "scale $s: query exit 0" test "${PIPESTATUS[0]}" -eq 0
    check "scale $s: every line equals the data file" cmp -s "$TMP/rec.jsonl" "$TMP/q.jsonl"
    check "scale $s: > 8000 lines" test "$(wc -l < "$TMP/q.jsonl")" -gt 8000
done
exit $fail
