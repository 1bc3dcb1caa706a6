# tests/test_evo_runner.sh — MOREA, Pareto local search and grid search
# through run_experiment: identical logs at --threads 1 and 2 (batches of
# several genomes evaluated in parallel), a different seed gives a different
# run, unknown optimizer keys exit 2 naming the key, and grid search on the
# GPT-s space logs distinct architectures.
set -u
BIN="${HWNAS_BIN:?}/run_experiment"
. "$(dirname "$0")/lib_run.sh"


ZDT='"problem": {"name": "zdt1", "n_var": 10}, "reference_point": [1.1, 1.1]'
GPT='"problem": {"name": "hwgpt", "backend": "analytic", "scale": "s"}'
cfg() {  # cfg NAME PROBLEM OPTIMIZER EVALS
    printf '{"name": "%s", %s, "optimizer": %s, "budget": {"evaluations": %s}, "seeds": [1, 2]}\n' \
        "$1" "$2" "$3" "$4" > "$T/$1.json"
}
cfg morea "$ZDT" '{"name": "morea", "population_size": 20, "sample_size": 5, "batch_size": 4, "selection": "hv_contribution"}' 600
cfg ls "$ZDT" '{"name": "local_search", "batch_size": 4, "max_archive": 30}' 600
cfg grid "$GPT" '{"name": "grid_search", "batch_size": 50}' 700

for n in morea ls grid; do
    "$BIN" "$T/$n.json" --threads 1 --out "$T/t1" --quiet > /dev/null 2> "$T/stderr" || fail "$n: threads 1 run failed: $(cat "$T/stderr")"
    "$BIN" "$T/$n.json" --threads 2 --out "$T/t2" --quiet > /dev/null 2> "$T/stderr" || fail "$n: threads 2 run failed: $(cat "$T/stderr")"
    for s in 1 2; do
        strip "$T/t1/$n/seed_$s.jsonl" > "$T/a.$s" && strip "$T/t2/$n/seed_$s.jsonl" > "$T/b.$s" \
            && cmp -s "$T/a.$s" "$T/b.$s" || fail "$n seed $s: logs differ between --threads 1 and 2"
    done
    # metadata + evaluations + summary
    want=$(python3 -c "import json; print(json.load(open('$T/$n.json'))['budget']['evaluations'] + 2)")
    [ "$(wc -l < "$T/a.1")" -eq "$want" ] || fail "$n: log has $(wc -l < "$T/a.1") lines, expected $want"
    # seeds 1 and 2 evaluate different genomes
    python3 - "$T/a.1" "$T/a.2" <<'PY' || fail "$n: seeds 1 and 2 gave the same evaluations"
import json, sys
ev = [[json.loads(l).get("x", json.loads(l).get("arch")) for l in open(p)][1:-1] for p in sys.argv[1:]]
sys.exit(0 if ev[0] != ev[1] else 1)
PY
done

# grid search on GPT-s: every logged architecture distinct
python3 - "$T/t1/grid/seed_1.jsonl" <<'PY' || fail "grid: repeated architectures"
import json, sys
archs = [json.loads(l)["arch"] for l in open(sys.argv[1]) if '"eval"' in l]
assert len(archs) == 700 and len(set(archs)) == 700, (len(archs), len(set(archs)))
PY

# unknown keys: exit 2, one line naming the key
for o in morea local_search grid_search; do
    printf '{"name": "bad", %s, "optimizer": {"name": "%s", "populaton_size": 5}, "budget": {"evaluations": 10}, "seeds": [1]}\n' \
        "$ZDT" "$o" > "$T/bad.json"
    "$BIN" "$T/bad.json" --out "$T/bad" > /dev/null 2> "$T/stderr"
    rc=$?
    [ "$rc" -eq 2 ] || fail "$o: unknown key exit status $rc"
    [ "$(wc -l < "$T/stderr")" -eq 1 ] && grep -q 'optimizer.populaton_size: unknown key' "$T/stderr" \
        || fail "$o: unknown key message: $(cat "$T/stderr")"
done

[ "$fails" -eq 0 ] || exit 1
echo "ok"
