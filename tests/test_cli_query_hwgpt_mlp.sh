# hwnas query --predictor hwgpt-mlp: perplexity of every architecture in
# HW-GPT-Bench's reference predictions (computed with PyTorch) within 1e-4
# relative, for each scale, and the option errors.
. "$(dirname "$0")/lib.sh"

# --- option errors (no data needed) ----------------------------------------
echo "$EX" > "$TMP/ex.txt"
"$BIN" query --arch-file "$TMP/ex.txt" --checkpoint x.pt --metrics perplexity > /dev/null 2> "$TMP/err"
check "checkpoint without predictor exit 2" test $? -eq 2
check "checkpoint without predictor message" grep -q "^hwnas query: --checkpoint needs --predictor hwgpt-mlp$" "$TMP/err"
"$BIN" query --arch-file "$TMP/ex.txt" --predictor mlp --metrics perplexity > /dev/null 2> "$TMP/err"
check "unknown predictor exit 2" test $? -eq 2
check "unknown predictor message" grep -q "unknown predictor 'mlp' (expected hwgpt-mlp)" "$TMP/err"
"$BIN" query --arch-file "$TMP/ex.txt" --predictor hwgpt-mlp --metrics perplexity > /dev/null 2> "$TMP/err"
check "predictor without scale or checkpoint exit 2" test $? -eq 2
"$BIN" query --arch-file "$TMP/ex.txt" --predictor hwgpt-mlp --checkpoint "$TMP/none.pt" > /dev/null 2> "$TMP/err"
check "missing checkpoint exit 2" test $? -eq 2
check "missing checkpoint message" grep -q "none.pt: cannot open" "$TMP/err"

skip_without_data "$DATA/predictors/perplexity_s.pt" "the option checks"

# --- the README's worked example, with another metric ----------------------
out=$("$BIN" query --predictor hwgpt-mlp --scale s --metrics perplexity,params --arch-file "$TMP/ex.txt")
check "worked example exit 0" test $? -eq 0
check "worked example line" test "$out" = "{\"arch\": \"$EX\", \"perplexity\": 25.150846481323242, \"params\": 148591104}"

# --- the reference predictions of every scale ------------------------------
for s in s m l; do
    ref="$DATA/predictors/reference_predictions_$s.jsonl"
    sed 's/^{"arch":"\([^"]*\)".*/\1/' "$ref" > "$TMP/archs.txt"
    sed 's/.*"raw_output":\([^,}]*\).*/\1/' "$ref" > "$TMP/want.txt"
    # the scale comes from the checkpoint
    "$BIN" query --predictor hwgpt-mlp --checkpoint "$DATA/predictors/perplexity_$s.pt" --metrics perplexity \
        --arch-file "$TMP/archs.txt" > "$TMP/q.jsonl" 2> "$TMP/err"
    check "scale $s: exit 0" test $? -eq 0
    sed 's/.*"perplexity": \([^,}]*\).*/\1/' "$TMP/q.jsonl" > "$TMP/got.txt"
    check "scale $s: 200 lines" test "$(wc -l < "$TMP/got.txt")" -eq 200
    check "scale $s: archs in order" cmp -s "$TMP/archs.txt" <(sed 's/^{"arch": "\([^"]*\)".*/\1/' "$TMP/q.jsonl")
    bad=$(paste "$TMP/got.txt" "$TMP/want.txt" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (!(d <= 1e-4 * $2)) n++ } END { print n + 0 }')
    check "scale $s: every prediction within 1e-4 relative of PyTorch ($bad off)" test "$bad" -eq 0
done

# --- a corrupt checkpoint and a checkpoint of another scale ----------------
head -c 100000 "$DATA/predictors/perplexity_s.pt" > "$TMP/trunc.pt"
"$BIN" query --predictor hwgpt-mlp --checkpoint "$TMP/trunc.pt" --metrics perplexity --arch-file "$TMP/ex.txt" \
    > "$TMP/out" 2> "$TMP/err"
check "truncated checkpoint exit 2" test $? -eq 2
check "truncated checkpoint one line" test "$(wc -l < "$TMP/err")" -eq 1
check "truncated checkpoint message" grep -q "trunc.pt: corrupt checkpoint (no end-of-central-directory record" "$TMP/err"
check "truncated checkpoint no output" test ! -s "$TMP/out"
"$BIN" query --predictor hwgpt-mlp --scale s --checkpoint "$DATA/predictors/perplexity_l.pt" --metrics perplexity \
    --arch-file "$TMP/ex.txt" > /dev/null 2> "$TMP/err"
check "wrong-scale checkpoint exit 2" test $? -eq 2
check "wrong-scale checkpoint message" grep -q "checkpoint is for scale l, not s" "$TMP/err"
exit $fail
