# tests/test_robustness.sh — bad input never crashes and always ends in one
# clear line.  A table of malformed configs, files and arguments for
# run_experiment and the hwnas subcommands: each must exit with the given
# status (2 = bad input), print exactly one line on stderr containing the
# given text (the key path, the file, the line and the reason), and
# run_experiment must create no output.  Then valid edge cases (budget 1,
# budget smaller than a population or than BO's initial points, a
# population of 4 with budget 5, one objective, seed 2^53 - 1) must run to
# completion with exactly `budget` evaluation lines and a summary line.
# Under the sanitizer build any ASan/UBSan report fails the one-line check.
set -u
RE="${HWNAS_BIN:?}/run_experiment"
HW="$HWNAS_BIN/hwnas"
SRC="${HWNAS_SRC:?}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
export HWNAS_MODELS="$SRC/surrogates/models"
fails=0
cases=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# err NAME STATUS TEXT CMD...: exit STATUS, one stderr line containing TEXT,
# no output directory $T/out.
err() {
    local name="$1" want_rc="$2" want="$3"; shift 3
    cases=$((cases + 1))
    rm -rf "$T/out"
    "$@" > "$T/stdout" 2> "$T/stderr" < /dev/null
    local rc=$?
    local lines; lines=$(wc -l < "$T/stderr")
    [ "$rc" -eq "$want_rc" ] || fail "$name: exit status $rc, expected $want_rc: $(head -c 600 "$T/stderr")"
    [ "$lines" -eq 1 ] || fail "$name: $lines lines on stderr, expected 1: $(head -c 600 "$T/stderr")"
    grep -qF -- "$want" "$T/stderr" || fail "$name: stderr lacks '$want': $(head -c 600 "$T/stderr")"
    [ ! -e "$T/out" ] || fail "$name: created output"
}
# cfg NAME TEXT: writes $T/NAME.json (printf %b: \xHH escapes allowed)
cfg() { printf '%b' "$2" > "$T/$1.json"; }
# bad NAME TEXT_IN_MESSAGE CONFIG_TEXT: run_experiment on it, exit 2, message names the file too
bad() {
    cfg "$1" "$3"
    err "$1" 2 "$2" "$RE" "$T/$1.json" --out "$T/out" --quiet
    grep -qF -- "$T/$1.json" "$T/stderr" || fail "$1: stderr does not name the file: $(cat "$T/stderr")"
}

Z='"problem":{"name":"zdt1","n_var":4}'
O='"optimizer":{"name":"nsga2","population_size":4}'
B='"budget":{"evaluations":8}'
S='"seeds":[1]'
G='"problem":{"name":"hwgpt","scale":"s","device":"a100","objectives":["perplexity","latency"]}'

# --------------------------------------------------- run_experiment configs
bad empty_file           "empty, expected a JSON value" ''
bad bom_only             "empty, expected a JSON value" '\xef\xbb\xbf'
bad trailing_garbage     "unexpected text after the value" "{\"name\":\"t\",$Z,$O,$B,$S} x"
bad truncated            "unexpected end of input" "{\"name\":\"t\",$Z,$O,$B"
bad comment              "invalid JSON near '// c'" "// c\n{\"name\":\"t\",$Z,$O,$B,$S}"
bad leading_zero         "invalid JSON number '04'" "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\",\"n_var\":04},$O,$B,$S}"
bad nan_literal          "invalid JSON near 'NaN" "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\",\"n_var\":NaN},$O,$B,$S}"
bad too_deep             "nested deeper than 1000 levels" "{\"name\":\"t\",\"description\":$(printf '[%.0s' $(seq 1200))"
bad nul_byte             "NUL byte" "{\"name\":\"t\"\x00,$Z,$O,$B,$S}"
bad top_array            "(top level): expected an object" '[1,2]'
bad unknown_top_key      "bogus: unknown key (allowed: name," "{\"name\":\"t\",$Z,$O,$B,$S,\"bogus\":{\"x\":1}}"
bad duplicate_key        "name: duplicate key" "{\"name\":\"t\",\"name\":\"u\",$Z,$O,$B,$S}"
bad newline_in_key       'a\nb: unknown key' "{\"name\":\"t\",$Z,$O,$B,$S,\"a\\\\nb\":1}"
bad name_slash           "name: expected 1-200 letters" "{\"name\":\"../x\",$Z,$O,$B,$S}"
bad name_newline         "got 'a\\nb'" "{\"name\":\"a\\\\nb\",$Z,$O,$B,$S}"
bad long_name_abbrev     "aaaaaaaa...'" "{\"name\":\"$(printf 'a%.0s' $(seq 5000))\",$Z,$O,$B,$S}"
bad budget_zero          "budget.evaluations: 0 is out of range [1, 1000000000]" "{\"name\":\"t\",$Z,$O,\"budget\":{\"evaluations\":0},$S}"
bad budget_string        "budget.evaluations: expected an integer, got a string" "{\"name\":\"t\",$Z,$O,\"budget\":{\"evaluations\":\"8\"},$S}"
bad budget_huge          "budget.evaluations: 1e+300 is out of range" "{\"name\":\"t\",$Z,$O,\"budget\":{\"evaluations\":1e300},$S}"
bad budget_2p63          "budget.evaluations: 9.223372036854776e+18 is out of range" "{\"name\":\"t\",$Z,$O,\"budget\":{\"evaluations\":9223372036854775808},$S}"
bad budget_overflow      "budget.evaluations: expected an integer, got a number beyond the double range" "{\"name\":\"t\",$Z,$O,\"budget\":{\"evaluations\":1e999},$S}"
bad budget_fraction      "budget.evaluations: expected an integer, got 8.5" "{\"name\":\"t\",$Z,$O,\"budget\":{\"evaluations\":8.5},$S}"
bad budget_unknown_key   "budget.max: unknown key (allowed: evaluations)" "{\"name\":\"t\",$Z,$O,\"budget\":{\"evaluations\":8,\"max\":1},$S}"
bad seeds_empty          "seeds: expected a non-empty array" "{\"name\":\"t\",$Z,$O,$B,\"seeds\":[]}"
bad seeds_negative       "seeds[0]: expected an integer in [0, 2^53 - 1]" "{\"name\":\"t\",$Z,$O,$B,\"seeds\":[-1]}"
bad seeds_2p53           "seeds[1]: expected an integer in [0, 2^53 - 1]" "{\"name\":\"t\",$Z,$O,$B,\"seeds\":[1,9007199254740993]}"
bad seeds_duplicate      "seeds[1]: duplicate seed 3" "{\"name\":\"t\",$Z,$O,$B,\"seeds\":[3,3]}"
bad threads_zero         "threads: 0 is out of range [1, 4096]" "{\"name\":\"t\",$Z,$O,$B,$S,\"threads\":0}"
bad output_empty         "output: expected a directory name" "{\"name\":\"t\",$Z,$O,$B,$S,\"output\":\"\"}"
bad ref_wrong_length     "reference_point: expected 2 numbers, got 3" "{\"name\":\"t\",$Z,$O,$B,$S,\"reference_point\":[1,1,1]}"
bad ref_not_number       "reference_point[1]: expected a number, got a string" "{\"name\":\"t\",$Z,$O,$B,$S,\"reference_point\":[1,\"x\"]}"
bad problem_unknown      "problem.name: unknown value 'zdt9'" "{\"name\":\"t\",\"problem\":{\"name\":\"zdt9\"},$O,$B,$S}"
bad problem_null         "problem: expected an object, got null" "{\"name\":\"t\",\"problem\":null,$O,$B,$S}"
bad dtlz_nvar_lt_nobj    "problem.n_var: 3 is out of range [5, 100000]" "{\"name\":\"t\",\"problem\":{\"name\":\"dtlz2\",\"n_obj\":5,\"n_var\":3},$O,$B,$S}"
bad optimizer_unknown    "optimizer.name: unknown optimizer 'nsga3'" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"nsga3\"},$B,$S}"
bad optimizer_nested_key "optimizer.params: unknown key" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"nsga2\",\"params\":{\"x\":1}},$B,$S}"
bad nsga2_pop_3          "optimizer.population_size: 3 is out of range [4, 20000]" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"nsga2\",\"population_size\":3},$B,$S}"
bad nsga2_pop_bool       "optimizer.population_size: expected an integer, got a boolean" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"nsga2\",\"population_size\":true},$B,$S}"
bad moead_one_objective  "moead needs a problem with variables and 2 to 16 objectives" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"backend\":\"analytic\",\"objectives\":[\"params\"]},\"optimizer\":{\"name\":\"moead\"},$B,$S}"
bad morea_sample_gt_pop  "optimizer.sample_size: 9 exceeds population_size (4)" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"morea\",\"population_size\":4,\"sample_size\":9},$B,$S}"
bad bo_candidates_small  "optimizer.candidates: 8 is out of range [16, 1000000]" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"ehvi\",\"candidates\":8},$B,$S}"
bad rsbo_weights         "optimizer.weights: only the lsbo optimizer takes weights" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"rsbo\",\"weights\":[1,0]},$B,$S}"
bad lsbo_weights_zero    "optimizer.weights: weights must not all be zero" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"lsbo\",\"weights\":[0,0]},$B,$S}"
bad nsga2_pop_too_big     "optimizer.population_size: 40000 rows of 100000 variables are too many for memory" "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\",\"n_var\":100000},\"optimizer\":{\"name\":\"nsga2\",\"population_size\":20000},$B,$S}"
bad ehvi_too_many_vars   "optimizer.candidates: 200258 rows of 100000 variables are too many for memory" "{\"name\":\"t\",\"problem\":{\"name\":\"dtlz2\",\"n_var\":100000},\"optimizer\":{\"name\":\"ehvi\"},$B,$S}"
bad moead_neighbours_too_big "optimizer.neighbourhood_size: 20000 rows of 20000 neighbours are too many" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"moead\",\"population_size\":20000,\"neighbourhood_size\":20000},$B,$S}"
bad grid_order           "optimizer.order: unknown value 'random'" "{\"name\":\"t\",$Z,\"optimizer\":{\"name\":\"grid_search\",\"order\":\"random\"},$B,$S}"
bad hwgpt_objectives_empty "problem.objectives: expected 1 to 16 metric names, got 0" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"objectives\":[]},$O,$B,$S}"
bad hwgpt_objective_twice "problem.objectives[1]: 'perplexity' is listed twice" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"objectives\":[\"perplexity\",\"perplexity\"]},$O,$B,$S}"
bad hwgpt_objective_unknown "problem.objectives[1]: unknown metric 'accuracy'" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"objectives\":[\"perplexity\",\"accuracy\"]},$O,$B,$S}"
bad hwgpt_too_many       "problem.objectives: expected 1 to 16 metric names, got 17" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"backend\":\"analytic\",\"objectives\":[$(printf '"params",%.0s' $(seq 16))\"flops\"]},$O,$B,$S}"
bad hwgpt_no_device      "problem.device: required by the objective 'latency'" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"objectives\":[\"perplexity\",\"latency\"]},$O,$B,$S}"
bad hwgpt_device_unknown "problem.device: unknown device 'tpu'" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"device\":\"tpu\"},$O,$B,$S}"
bad hwgpt_analytic_device "problem.device: unknown key" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"backend\":\"analytic\",\"device\":\"a100\"},$O,$B,$S}"
bad hwgpt_scale          "problem.scale: unknown value 'xl'" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"scale\":\"xl\"},$O,$B,$S}"
bad hwgpt_models_missing "problem.models: $T/nope/s.hwsur: cannot open" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"device\":\"a100\",\"models\":\"$T/nope\"},$O,$B,$S}"
bad hwgpt_checkpoint_bad "problem.checkpoint: $T/nope.pt: cannot open" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"device\":\"a100\",\"predictor\":\"hwgpt-mlp\",\"checkpoint\":\"$T/nope.pt\"},$O,$B,$S}"
bad hwgpt_checkpoint_alone "problem.checkpoint: needs \"predictor\": \"hwgpt-mlp\"" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"device\":\"a100\",\"checkpoint\":\"x.pt\"},$O,$B,$S}"

# A corrupt model file (one flipped byte) and a truncated one.
mkdir -p "$T/models"
python3 - "$SRC/surrogates/models/s.hwsur" "$T/models/s.hwsur" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[5000] ^= 0x10
open(sys.argv[2], "wb").write(bytes(b))
EOF
bad model_flipped_byte   "problem.models: $T/models/s.hwsur: corrupt model file (checksum mismatch)" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"device\":\"a100\",\"models\":\"$T/models\"},$O,$B,$S}"
head -c 1000 "$SRC/surrogates/models/s.hwsur" > "$T/models/s.hwsur"
bad model_truncated      "corrupt model file" "{\"name\":\"t\",\"problem\":{\"name\":\"hwgpt\",\"device\":\"a100\",\"models\":\"$T/models\"},$O,$B,$S}"

# Command line and paths.
cfg good "{\"name\":\"t\",$Z,$O,$B,$S}"
err re_missing_file      2 "$T/none.json: cannot open: No such file or directory" "$RE" "$T/none.json" --out "$T/out"
err re_directory         2 "is a directory, expected a JSON config file" "$RE" "$T" --out "$T/out"
err re_empty_name        2 "empty config file name" "$RE" "" --out "$T/out"
err re_seed_negative     2 "--seed: expected an integer in [0, 2^53 - 1], got '-1'" "$RE" "$T/good.json" --seed -1 --out "$T/out"
err re_seed_blank        2 "--seed: expected an integer in [0, 2^53 - 1], got ' 5'" "$RE" "$T/good.json" --seed " 5" --out "$T/out"
err re_threads_huge      2 "--threads: expected an integer in [1, 4096]" "$RE" "$T/good.json" --threads 100000 --out "$T/out"
err re_unknown_option    2 "unknown option '--bogus'" "$RE" "$T/good.json" --bogus
printf 'x' > "$T/afile"
err re_out_is_file       2 "--out: $T/afile/t: cannot create directory: Not a directory" "$RE" "$T/good.json" --out "$T/afile" --quiet
err re_out_proc          2 "--out: /proc/hwnas_no_such: cannot create directory" "$RE" "$T/good.json" --out /proc/hwnas_no_such --quiet
mkdir -p "$T/taken/t/seed_1.jsonl"
err re_log_is_dir        2 "$T/taken/t/seed_1.jsonl exists and is not a regular file" "$RE" "$T/good.json" --out "$T/taken" --quiet

# ------------------------------------------------------------ hwnas commands
A=gpt-s-12-384-3-4-2-2-4-2-4-2-3-3-4-3-8-4-12-8-4-8-4-12-12-12-4-12-False
printf '%s\n' "$A" > "$T/arch.txt"
err hw_no_command        2 "hwnas: missing command" "$HW"
err hw_unknown_command   2 "unknown command 'bogus'" "$HW" bogus
printf '%s\n' "${A/-12-384-/-13-384-}" > "$T/a1.txt"
err query_bad_layers     2 "$T/a1.txt:1: arch '${A/-12-384-/-13-384-}': n_layer 13 not in scale s's choices {10, 11, 12}" "$HW" query --arch-file "$T/a1.txt"
printf '%s\n%s\n' "$A" "${A%-False}-Maybe" > "$T/a2.txt"
err query_bad_bias_line2 2 "$T/a2.txt:2: arch" "$HW" query --arch-file "$T/a2.txt"
printf '%s-1\n' "$A" > "$T/a3.txt"
err query_extra_field    2 "30 fields, expected 29 for 12 layers" "$HW" query --arch-file "$T/a3.txt"
printf '%s\x00junk\n' "$A" > "$T/a4.txt"
err query_nul_in_line    2 "$T/a4.txt:1: line contains a NUL byte" "$HW" query --arch-file "$T/a4.txt"
printf 'gpt-s-%s\n' "$(printf '1-%.0s' $(seq 3000))" > "$T/a5.txt"
err query_long_line      2 "too many fields" "$HW" query --arch-file "$T/a5.txt"
err query_unknown_metric 2 "unknown metric 'bogus'" "$HW" query --arch-file "$T/arch.txt" --metrics params,bogus
err query_empty_metric   2 "--metrics: empty or overlong metric name in 'params,,flops'" "$HW" query --arch-file "$T/arch.txt" --metrics params,,flops
err query_no_device      2 "metric 'latency' needs --device" "$HW" query --arch-file "$T/arch.txt" --metrics latency
err query_scale_missing  2 "--scale needs a value" "$HW" query --arch-file "$T/arch.txt" --scale
err query_scale_mismatch 2 "scale 's' does not match the expected scale 'm'" "$HW" query --arch-file "$T/arch.txt" --scale m
err query_models_missing 2 "$T/nope/s.hwsur: cannot open" "$HW" query --arch-file "$T/arch.txt" --scale s --metrics perplexity --models "$T/nope"
err query_models_empty   2 "--models: empty directory name" "$HW" query --arch-file "$T/arch.txt" --metrics perplexity --models ""
cp "$SRC/surrogates/models/s.hwsur" "$T/models/s.hwsur"
printf 'junk' >> "$T/models/s.hwsur"
err query_model_corrupt  2 "$T/models/s.hwsur: corrupt model file" "$HW" query --arch-file "$T/arch.txt" --scale s --metrics perplexity --models "$T/models"
err query_arch_dir       2 "$T: is a directory, expected a file" "$HW" query --arch-file "$T"
printf 'not a checkpoint' > "$T/bad.pt"
err query_checkpoint_bad 2 "--checkpoint: $T/bad.pt: corrupt checkpoint" "$HW" query --arch-file "$T/arch.txt" --scale s --metrics perplexity,latency --device a100 --predictor hwgpt-mlp --checkpoint "$T/bad.pt"
printf '%s\n%s\n' "$A" "$A" | gzip | head -c 60 > "$T/trunc.gz"
err query_truncated_gz   2 "read error: truncated gzip data" "$HW" query --arch-file "$T/trunc.gz"

printf '1 1\n0.5 nan\n' > "$T/p_nan.txt"
err hv_nan               2 "$T/p_nan.txt:2: value 2 is not finite ('nan')" "$HW" hv --ref 2,2 "$T/p_nan.txt"
printf '1 1\n0.5 0.5 0.5\n' > "$T/p_dims.txt"
err hv_inconsistent_dims 2 "$T/p_dims.txt:2: expected 2 numbers, got 3" "$HW" hv --ref 2,2 "$T/p_dims.txt"
printf '1 1\x002 2\n' > "$T/p_nul.txt"
err hv_nul               2 "$T/p_nul.txt:1: line contains a NUL byte" "$HW" hv --ref 2,2 "$T/p_nul.txt"
printf '1 1\n' > "$T/p_ok.txt"
err hv_bad_ref           2 "bad --ref '2,2,'" "$HW" hv --ref 2,2, "$T/p_ok.txt"
printf '# nothing\n' > "$T/p_empty.txt"
err igd_empty_approx     2 "$T/p_empty.txt: no points in the approximation set" "$HW" igd "$T/p_ok.txt" "$T/p_empty.txt"
printf '1 x\n' > "$T/p_text.txt"
err igd_not_a_number     2 "$T/p_text.txt:1: not a number: 'x'" "$HW" igd "$T/p_ok.txt" "$T/p_text.txt"

# Logs: one good run, then edited copies.
"$RE" "$T/good.json" --out "$T/runs" --quiet > /dev/null 2>&1 || fail "good config did not run"
L="$T/runs/t/seed_1.jsonl"
head -n 3 "$L" > "$T/l_nosum.jsonl"
err trajectory_incomplete 2 "$T/l_nosum.jsonl: no summary line after 2 evaluations (incomplete log)" "$HW" trajectory "$T/l_nosum.jsonl"
{ sed -n 1p "$L"; sed -n 3p "$L"; sed -n '2p;4,$p' "$L"; } > "$T/l_order.jsonl"
err trajectory_out_of_order 2 "$T/l_order.jsonl:2: eval: expected 0 (evaluations in order from 0)" "$HW" trajectory "$T/l_order.jsonl"
{ head -n 2 "$L"; sed -n 3p "$L" | head -c 30; } > "$T/l_cut.jsonl"
err front_truncated_line 2 "$T/l_cut.jsonl:3: invalid JSON" "$HW" front "$T/l_cut.jsonl"
: > "$T/l_empty.jsonl"
err front_empty_log      2 "$T/l_empty.jsonl: empty file (no metadata line)" "$HW" front "$T/l_empty.jsonl"
err trajectory_every_0   2 "--every: expected a positive integer, got '0'" "$HW" trajectory --every 0 "$L"

# Surrogate training input: argument checks come before any data is read.
err train_bad_scales     2 "--scales: 'x' in 's,x' is not a scale" "$HW" train-surrogates --data "$T/none" --out "$T/out" --scales s,x
err train_dup_scales     2 "--scales: scale 'm' is listed twice" "$HW" train-surrogates --data "$T/none" --out "$T/out" --scales m,m
err train_seed_negative  2 "--seed: expected a non-negative integer, got '-1'" "$HW" train-surrogates --data "$T/none" --out "$T/out" --seed -1
err train_missing_data   2 "$T/none: no HW-GPT-Bench data there (needed: $T/none/analytic/s.jsonl.gz)" "$HW" train-surrogates --data "$T/none" --out "$T/tsout" --scales s
err report_bad_scales    2 "--scales: '' in 's,' is not a scale" "$HW" surrogate-report --data "$T/none" --out-dir "$T/out" --scales s,
mkdir -p "$T/data/analytic"
printf '{"arch":"gpt-s-10-192' | gzip > "$T/data/analytic/s.jsonl.gz"
err train_truncated_line 2 "$T/data/analytic/s.jsonl.gz:1:" "$HW" train-surrogates --data "$T/data" --out "$T/tsout" --scales s
gzip -c "$SRC/README.md" | head -c 200 > "$T/data/analytic/s.jsonl.gz"
err train_truncated_gz   2 "$T/data/analytic/s.jsonl.gz" "$HW" train-surrogates --data "$T/data" --out "$T/tsout" --scales s

# ------------------------------------------------------- valid edge cases
# ok NAME BUDGET CONFIG_TEXT: runs to completion with BUDGET evaluation lines.
ok() {
    local name="$1" budget="$2"
    cases=$((cases + 1))
    cfg "$name" "$3"
    rm -rf "$T/okout"
    if ! "$RE" "$T/$name.json" --out "$T/okout" --quiet > "$T/stdout" 2> "$T/stderr"; then
        fail "$name: exit status $?: $(head -c 600 "$T/stderr")"
        return
    fi
    [ ! -s "$T/stderr" ] || fail "$name: stderr not empty: $(head -c 600 "$T/stderr")"
    local log; log=$(ls "$T"/okout/*/seed_*.jsonl 2> /dev/null | head -n 1)
    [ -n "$log" ] || { fail "$name: no log written"; return; }
    local evals; evals=$(grep -c '^{"eval":' "$log")
    [ "$evals" -eq "$budget" ] || fail "$name: $evals evaluation lines, expected $budget"
    tail -n 1 "$log" | grep -q "^{\"summary\":true,\"evaluations\":$budget," || fail "$name: no summary line of $budget evaluations"
}
for opt in random_search nsga2 moead morea local_search grid_search rsbo lsbo ehvi; do
    ok "budget1_$opt" 1 "{\"name\":\"b1\",$Z,\"optimizer\":{\"name\":\"$opt\"},\"budget\":{\"evaluations\":1},$S}"
done
ok nsga2_pop4_budget5     5 "{\"name\":\"p4\",$Z,\"optimizer\":{\"name\":\"nsga2\",\"population_size\":4},\"budget\":{\"evaluations\":5},$S}"
ok moead_pop5_budget7     7 "{\"name\":\"p5\",$Z,\"optimizer\":{\"name\":\"moead\",\"population_size\":5},\"budget\":{\"evaluations\":7},$S}"
ok morea_pop3_default_sample 9 "{\"name\":\"p3\",$Z,\"optimizer\":{\"name\":\"morea\",\"population_size\":3},\"budget\":{\"evaluations\":9},$S}"
ok ehvi_budget_lt_initial 3 "{\"name\":\"e3\",$Z,\"optimizer\":{\"name\":\"ehvi\",\"initial_points\":10},\"budget\":{\"evaluations\":3},$S}"
ok lsbo_one_objective     4 "{\"name\":\"l1\",\"problem\":{\"name\":\"hwgpt\",\"backend\":\"analytic\",\"objectives\":[\"params\"]},\"optimizer\":{\"name\":\"lsbo\",\"initial_points\":2},\"budget\":{\"evaluations\":4},$S}"
ok hwgpt_budget3_seed_max 3 "{\"name\":\"g3\",$G,\"optimizer\":{\"name\":\"nsga2\"},\"budget\":{\"evaluations\":3},\"seeds\":[9007199254740991]}"
ok bom_and_crlf           4 '\xef\xbb\xbf{"name":"bom",\r\n"problem":{"name":"zdt2","n_var":2},\r\n"optimizer":{"name":"random_search","batch_size":3},"budget":{"evaluations":4},"seeds":[0]}\r\n'

[ "$cases" -ge 40 ] || fail "only $cases cases"
if [ "$fails" -ne 0 ]; then
    echo "$fails of $cases robustness checks failed" >&2
    exit 1
fi
echo "all $cases robustness checks passed"
