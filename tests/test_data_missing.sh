# tests/test_data_missing.sh — without HW-GPT-Bench's data, every command that
# needs it ends with one line (exit 2) saying which directory lacks what, and
# where to read how to get it; with an incomplete copy, which file is missing.
# Needs no data.
set -u
RUN="${HWNAS_BIN:?}/run_experiment"
HW="${HWNAS_BIN:?}/hwnas"
. "$(dirname "$0")/lib_run.sh"
EX="gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False"
echo "$EX" > "$T/archs.txt"
printf '{"name": "m", "problem": {"name": "hwgpt", "scale": "s", "predictor": "hwgpt-mlp", "device": "a100",
 "objectives": ["perplexity", "latency"]}, "optimizer": {"name": "random_search"}, "budget": {"evaluations": 4},
 "seeds": [1], "output": "%s/out"}\n' "$T" > "$T/mlp.json"

# expect_missing NAME PATTERN CMD...: exit 2, one stderr line matching PATTERN
# that points at docs/data.md, nothing on stdout
expect_missing() {
    local name=$1 pat=$2; shift 2
    "$@" > "$T/out" 2> "$T/err" < /dev/null
    local rc=$?
    [ "$rc" -eq 2 ] || fail "$name: exit $rc, want 2 ($(cat "$T/err"))"
    [ ! -s "$T/out" ] || fail "$name: stdout: $(cat "$T/out")"
    [ "$(wc -l < "$T/err")" -eq 1 ] || fail "$name: want one line: $(cat "$T/err")"
    grep -q -- "$pat" "$T/err" || fail "$name: '$(cat "$T/err")' lacks '$pat'"
    grep -q "docs/data.md" "$T/err" || fail "$name: '$(cat "$T/err")' does not say where to read more"
}

none="$T/no-data"
nodir="$none: no HW-GPT-Bench data there"
export HWNAS_DATA="$none"
expect_missing train "$nodir (needed: $none/analytic/s.jsonl.gz)" "$HW" train-surrogates --out "$T/models"
expect_missing train_data_option "$nodir" "$HW" train-surrogates --data "$none" --out "$T/models"
expect_missing report "$nodir (needed: $none/analytic/m.jsonl.gz)" "$HW" surrogate-report --scales m
expect_missing query_mlp "$nodir (needed: $none/predictors/perplexity_s.pt)" \
    "$HW" query --predictor hwgpt-mlp --scale s --metrics perplexity --arch-file "$T/archs.txt"
expect_missing run_mlp "problem.predictor: $nodir" "$RUN" "$T/mlp.json" --quiet

# an incomplete copy: the directory exists, the file does not
mkdir -p "$T/part/analytic" "$T/part/predictors"
export HWNAS_DATA="$T/part"
expect_missing train_incomplete "$T/part/analytic/s.jsonl.gz: missing: $T/part is not a complete copy" \
    "$HW" train-surrogates --out "$T/models"
expect_missing query_incomplete "$T/part/predictors/perplexity_s.pt: missing" \
    "$HW" query --predictor hwgpt-mlp --scale s --metrics perplexity --arch-file "$T/archs.txt"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok"
