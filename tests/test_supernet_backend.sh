# The supernet backend end to end: a tiny checkpoint (xxs space, a generated
# text) trained with the CLI, run_experiment configs on it — logs identical
# at 1 and 2 threads when the objectives are perplexity and params, the
# logged perplexity and params equal to `hwnas supernet eval`'s for the same
# archs, measured latency logged, the checkpoint recorded among the run's
# files — and config errors as one line with exit status 2.
. "$(dirname "$0")/lib.sh"
RUN="${HWNAS_BIN:-build}/run_experiment"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

for i in $(seq 1 600); do echo "the quick brown fox $i jumps over the lazy dog number $((i * 7 % 13))."; done > "$TMP/text.txt"
"$BIN" supernet train --space xxs --corpus "$TMP/text.txt" --steps 10 --batch 2 --eval-every 10 --eval-windows 4 \
    --weights-only --out "$TMP/xxs.ckpt" > /dev/null 2>&1
check "train exit 0" test $? -eq 0

config() { # config NAME OBJECTIVES [EXTRA]
    printf '{"name": "%s", "problem": {"name": "hwgpt", "backend": "supernet", "scale": "xxs", "checkpoint": "%s",
  "eval_windows": 4, "objectives": %s%s}, "optimizer": {"name": "nsga2", "population_size": 8},
  "budget": {"evaluations": 32}, "seeds": [1, 2]}\n' "$1" "$TMP/xxs.ckpt" "$2" "${3:-}" > "$TMP/$1.json"
}

# --- deterministic objectives: the same logs at 1 and 2 threads -------------
config det '["perplexity", "params"]'
"$RUN" "$TMP/det.json" --out "$TMP/t1" --threads 1 --quiet > /dev/null 2> "$TMP/err"
check "run at 1 thread exit 0" test $? -eq 0
"$RUN" "$TMP/det.json" --out "$TMP/t2" --threads 2 --quiet > /dev/null 2>> "$TMP/err"
check "run at 2 threads exit 0" test $? -eq 0
python3 - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
varying = {"wall_s", "threads", "host", "started_at", "finished_at", "log_bytes", "log_crc32c"}
def lines(path):
    return [{k: v for k, v in json.loads(l).items() if k not in varying} for l in open(path)]
bad = 0
for seed in (1, 2):
    a, b = lines(f"{tmp}/t1/det/seed_{seed}.jsonl"), lines(f"{tmp}/t2/det/seed_{seed}.jsonl")
    if a != b:
        print(f"FAIL: seed {seed}: logs differ between 1 and 2 threads", file=sys.stderr); bad = 1
    if len(a) != 32 + 2:
        print(f"FAIL: seed {seed}: {len(a)} lines, expected 34", file=sys.stderr); bad = 1
    files = a[0].get("files", [])
    if [f["path"] for f in files] != [f"{tmp}/xxs.ckpt"] or files[0]["bytes"] <= 0:
        print(f"FAIL: files {files} should name the checkpoint", file=sys.stderr); bad = 1
# the logged archs and values, for the comparison with `hwnas supernet eval`
with open(f"{tmp}/archs.txt", "w") as f, open(f"{tmp}/logged.json", "w") as g:
    seen = {}
    for l in lines(f"{tmp}/t1/det/seed_1.jsonl")[1:-1]:
        seen.setdefault(l["arch"], l["f"])
    for arch, v in seen.items():
        f.write(arch + "\n")
    json.dump(seen, g)
sys.exit(bad)
PY
check "logs identical at 1 and 2 threads, checkpoint in files" test $? -eq 0

# --- the same numbers as hwnas supernet eval --------------------------------
"$BIN" supernet eval --ckpt "$TMP/xxs.ckpt" --arch-file "$TMP/archs.txt" --eval-windows 4 \
    --metrics perplexity,params > "$TMP/eval.jsonl" 2> "$TMP/err"
check "eval exit 0" test $? -eq 0
python3 - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
logged = json.load(open(f"{tmp}/logged.json"))
bad, n = 0, 0
for l in open(f"{tmp}/eval.jsonl"):
    r = json.loads(l)
    ppl, params = logged[r["arch"]]
    n += 1
    # eval prints %.6g: equal to 1e-5 relative; params exactly
    if abs(ppl - r["perplexity"]) > 1e-5 * r["perplexity"] or params != r["params"]:
        print(f"FAIL: {r['arch']}: log {ppl} {params}, eval {r['perplexity']} {r['params']}", file=sys.stderr)
        bad = 1
if n < 8:
    print(f"FAIL: only {n} archs compared", file=sys.stderr); bad = 1
sys.exit(bad)
PY
check "perplexity and params equal hwnas supernet eval's" test $? -eq 0

# --- hwnas query --backend supernet: the same numbers as hwnas supernet eval -
HWNAS_SUPERNET_CKPT="$TMP/xxs.ckpt" "$BIN" query --backend supernet --arch-file "$TMP/archs.txt" \
    --metrics perplexity,params,flops > "$TMP/query.jsonl" 2> "$TMP/err"
check "query exit 0" test $? -eq 0
"$BIN" supernet eval --ckpt "$TMP/xxs.ckpt" --arch-file "$TMP/archs.txt" --eval-windows 16 \
    --metrics perplexity,params > "$TMP/eval16.jsonl" 2> "$TMP/err"
python3 - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
ev = {r["arch"]: r for r in map(json.loads, open(f"{tmp}/eval16.jsonl"))}
rows = [json.loads(l) for l in open(f"{tmp}/query.jsonl")]
bad = len(rows) != len(ev) or any(abs(r["perplexity"] - ev[r["arch"]]["perplexity"]) > 1e-5 * r["perplexity"]
                                  or r["params"] != ev[r["arch"]]["params"] or r["flops"] <= 0 for r in rows)
sys.exit(bad)
PY
check "query = hwnas supernet eval at 16 windows (flops from the analytic backend)" test $? -eq 0
"$BIN" query --backend supernet --checkpoint "$TMP/xxs.ckpt" --scale xs --arch-file "$TMP/archs.txt" > /dev/null 2> "$TMP/err"
check "query, checkpoint of another space: exit 2" test $? -eq 2
check "  one line naming --checkpoint" test "$(grep -c '^hwnas query: --checkpoint: .*supernet of space xxs' "$TMP/err")" -eq 1
"$BIN" query --backend supernet --checkpoint "$TMP/xxs.ckpt" --device a100 --arch-file "$TMP/archs.txt" > /dev/null 2> "$TMP/err"
check "query --backend supernet --device: exit 2" test $? -eq 2

# --- measured latency: logged, positive, one value per arch -------------------
config lat '["perplexity", "latency"]' ', "latency_runs": 2'
"$RUN" "$TMP/lat.json" --out "$TMP/t3" --threads 2 --quiet > /dev/null 2> "$TMP/err"
check "latency run exit 0" test $? -eq 0
python3 - "$TMP/t3/lat/seed_1.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])][1:-1]
by_arch = {}
bad = len(rows) != 32
for r in rows:
    if not r["f"][1] > 0: bad = 1
    if by_arch.setdefault(r["arch"], r["f"]) != r["f"]: bad = 1   # a re-evaluated arch: the cached measurement
sys.exit(bad)
PY
check "latency logged, the same for a repeated arch" test $? -eq 0

# --- errors: one line, exit 2 ------------------------------------------------
expect_error() { # expect_error NAME PATTERN
    "$RUN" "$TMP/$1.json" --out "$TMP/bad" --quiet > /dev/null 2> "$TMP/err"
    local rc=$?
    check "$1: exit 2 (got $rc)" test $rc -eq 2
    check "$1: one line" test "$(wc -l < "$TMP/err")" -eq 1
    check "$1: says '$2'" grep -q -- "$2" "$TMP/err"
}
printf '{"name": "b1", "problem": {"name": "hwgpt", "backend": "supernet", "scale": "xxs", "checkpoint": "%s/nope.ckpt"},
  "optimizer": {"name": "nsga2"}, "budget": {"evaluations": 8}, "seeds": [1]}\n' "$TMP" > "$TMP/b1.json"
expect_error b1 "problem.checkpoint: .*nope.ckpt"
printf '{"name": "b2", "problem": {"name": "hwgpt", "backend": "supernet", "scale": "xs", "checkpoint": "%s/xxs.ckpt"},
  "optimizer": {"name": "nsga2"}, "budget": {"evaluations": 8}, "seeds": [1]}\n' "$TMP" > "$TMP/b2.json"
expect_error b2 "is a supernet of space xxs, but the scale is xs"
config b3 '["perplexity"]' ', "eval_tokens": 4096'
expect_error b3 "problem.eval_tokens: unknown key"
printf '{"name": "b4", "problem": {"name": "hwgpt", "backend": "supernet"},
  "optimizer": {"name": "nsga2"}, "budget": {"evaluations": 8}, "seeds": [1]}\n' > "$TMP/b4.json"
HWNAS_SUPERNET_CKPT="$TMP/missing.ckpt" "$RUN" "$TMP/b4.json" --out "$TMP/bad" --quiet > /dev/null 2> "$TMP/err"
check "missing default checkpoint: exit 2" test $? -eq 2
check "  one line" test "$(wc -l < "$TMP/err")" -eq 1
check "  says how to train it" grep -q "hwnas supernet train --space xs" "$TMP/err"

# --- the default checkpoint next to the program: <bin>/../share/hwnas/supernet/xs.ckpt
mkdir -p "$TMP/inst/bin" "$TMP/inst/share/hwnas/supernet"
cp "$RUN" "$TMP/inst/bin/run_experiment"
cp "$TMP/xxs.ckpt" "$TMP/inst/share/hwnas/supernet/xs.ckpt"   # any space: the test config says xxs
printf '{"name": "inst", "problem": {"name": "hwgpt", "backend": "supernet", "scale": "xxs", "eval_windows": 4,
  "objectives": ["perplexity", "params"]}, "optimizer": {"name": "random_search"}, "budget": {"evaluations": 4},
  "seeds": [1]}\n' > "$TMP/inst.json"
(unset HWNAS_SUPERNET_CKPT; "$TMP/inst/bin/run_experiment" "$TMP/inst.json" --out "$TMP/t4" --quiet > /dev/null 2> "$TMP/err")
check "installed default checkpoint: exit 0" test $? -eq 0
check "  the log names it" grep -q "\"path\":\"$TMP/inst/bin/../share/hwnas/supernet/xs.ckpt\"" "$TMP/t4/inst/seed_1.jsonl"
(HWNAS_SUPERNET_CKPT="$TMP/xxs.ckpt" "$TMP/inst/bin/run_experiment" "$TMP/inst.json" --out "$TMP/t5" --quiet > /dev/null 2>&1)
check "HWNAS_SUPERNET_CKPT wins" grep -q "\"path\":\"$TMP/xxs.ckpt\"" "$TMP/t5/inst/seed_1.jsonl"
exit $fail
