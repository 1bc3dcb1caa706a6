# tests/test_runner.sh — end-to-end tests of run_experiment:
#  1. a suite of malformed configs and arguments: each exits 2 with exactly
#     one line on stderr naming the file and the key, and creates nothing;
#     every config in experiments/ validates;
#  2. a happy-path run (ZDT1 + random search) whose logs are checked line by
#     line with python3: structure, eval order, objectives recomputed from x
#     with the ZDT1 formula, the summary front against a brute-force
#     non-dominated filter of all evaluations, and the hypervolume against an
#     independent 2-D computation;
#  3. identical logs at --threads 1 and 2 (volatile fields stripped);
#  4. resume: complete seeds skipped, incomplete ones redone identically, a
#     complete log of another config refused, --force redoes all;
#  5. SIGINT leaves only an incomplete .tmp log and exits 130.
set -u
BIN="${HWNAS_BIN:?}/run_experiment"
. "$(dirname "$0")/lib_run.sh"

# ---------------------------------------------------------------- 1. bad input
# bad NAME EXPECTED_SUBSTRING JSON [extra args]
bad_cfg() {
    local name="$1" want="$2" json="$3"; shift 3
    local f="$T/$name.json"
    printf '%s\n' "$json" > "$f"
    bad_run "$name" "$want" "$f" "$f" "$@"
}
# bad_run NAME EXPECTED_SUBSTRING FILE_IN_MESSAGE ARGS...
bad_run() {
    local name="$1" want="$2" file="$3"; shift 3
    "$BIN" "$@" --out "$T/out_bad" > "$T/stdout" 2> "$T/stderr"
    local rc=$?
    local lines; lines=$(wc -l < "$T/stderr")
    [ "$rc" -eq 2 ] || fail "$name: exit status $rc, expected 2"
    [ "$lines" -eq 1 ] || fail "$name: $lines lines on stderr, expected 1: $(cat "$T/stderr")"
    grep -qF -- "$want" "$T/stderr" || fail "$name: stderr does not name '$want': $(cat "$T/stderr")"
    [ -z "$file" ] || grep -qF -- "$file" "$T/stderr" || fail "$name: stderr does not name the file $file: $(cat "$T/stderr")"
    [ ! -e "$T/out_bad" ] || { fail "$name: created output"; rm -rf "$T/out_bad"; }
    [ ! -s "$T/stdout" ] || fail "$name: wrote to stdout"
}
P='"problem": {"name": "zdt1", "n_var": 5}'
O='"optimizer": {"name": "random_search"}'
B='"budget": {"evaluations": 10}'
R='"reference_point": [1.1, 1.1]'
bad_cfg top_unknown_key   'colour'                 "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1], $R, \"colour\": 1}"
bad_cfg nested_unknown    'budget.seconds'         "{\"name\": \"x\", $P, $O, \"budget\": {\"evaluations\": 10, \"seconds\": 5}, \"seeds\": [1], $R}"
bad_cfg opt_unknown_key   'optimizer.population_size' "{\"name\": \"x\", $P, \"optimizer\": {\"name\": \"random_search\", \"population_size\": 10}, $B, \"seeds\": [1], $R}"
bad_cfg problem_unknown   'problem.n_vars'         "{\"name\": \"x\", \"problem\": {\"name\": \"zdt1\", \"n_vars\": 5}, $O, $B, \"seeds\": [1], $R}"
bad_cfg wrong_type        'budget.evaluations'     "{\"name\": \"x\", $P, $O, \"budget\": {\"evaluations\": \"10\"}, \"seeds\": [1], $R}"
bad_cfg opt_wrong_type    'optimizer.batch_size'   "{\"name\": \"x\", $P, \"optimizer\": {\"name\": \"random_search\", \"batch_size\": \"8\"}, $B, \"seeds\": [1], $R}"
bad_cfg negative_budget   'budget.evaluations'     "{\"name\": \"x\", $P, $O, \"budget\": {\"evaluations\": -5}, \"seeds\": [1], $R}"
bad_cfg huge_budget       'budget.evaluations'     "{\"name\": \"x\", $P, $O, \"budget\": {\"evaluations\": 1e300}, \"seeds\": [1], $R}"
bad_cfg missing_budget    'budget'                 "{\"name\": \"x\", $P, $O, \"seeds\": [1], $R}"
bad_cfg empty_seeds       'seeds'                  "{\"name\": \"x\", $P, $O, $B, \"seeds\": [], $R}"
bad_cfg duplicate_seeds   'seeds[2]'               "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1, 2, 1], $R}"
bad_cfg fractional_seed   'seeds[0]'               "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1.5], $R}"
bad_cfg negative_seed     'seeds[1]'               "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1, -3], $R}"
bad_cfg huge_seed         'seeds[0]'               "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1e30], $R}"
bad_cfg seeds_string      'seeds'                  "{\"name\": \"x\", $P, $O, $B, \"seeds\": \"1\", $R}"
bad_cfg ref_length        'reference_point'        "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1], \"reference_point\": [1.1, 1.1, 1.1]}"
bad_cfg ref_type          'reference_point[1]'     "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1], \"reference_point\": [1.1, \"a\"]}"
bad_cfg unknown_optimizer 'optimizer.name'         "{\"name\": \"x\", $P, \"optimizer\": {\"name\": \"simulated_annealing\"}, $B, \"seeds\": [1], $R}"
bad_cfg unknown_problem   'problem.name'           "{\"name\": \"x\", \"problem\": {\"name\": \"zdt99\"}, $O, $B, \"seeds\": [1], $R}"
bad_cfg threads_zero      'threads'                "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1], $R, \"threads\": 0}"
bad_cfg name_with_slash   'name'                   "{\"name\": \"../x\", $P, $O, $B, \"seeds\": [1], $R}"
bad_cfg empty_output      'output'                 "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1], $R, \"output\": \"\"}"
bad_cfg top_level_array   'top level'              "[1, 2]"
printf '{\n  "name": "x",\n  "budget": {"evaluations": 10,}\n}\n' > "$T/invalid.json"
bad_run invalid_json      "invalid.json:3:"        "" "$T/invalid.json"
bad_run missing_file      "$T/nope.json"           "" "$T/nope.json"
mkdir -p "$T/adir.json"
bad_run directory         "$T/adir.json"           "" "$T/adir.json"
printf '%s\n' "{\"name\": \"x\", $P, $O, $B, \"seeds\": [1], $R}" > "$T/good_small.json"
bad_run cli_threads_zero  '--threads'              "" "$T/good_small.json" --threads 0
bad_run cli_seed_text     '--seed'                 "" "$T/good_small.json" --seed one
bad_run cli_unknown_opt   '--fast'                 "" "$T/good_small.json" --fast
bad_run cli_no_config     'CONFIG'                 ""

# every shipped config validates (--dry-run writes nothing)
for f in "${HWNAS_SRC:?}"/experiments/*.json "$HWNAS_SRC"/experiments/*/*.json; do
    "$BIN" "$f" --dry-run --out "$T/out_dry" > "$T/stdout" 2> "$T/stderr"
    rc=$?
    if [ "$rc" -ne 0 ] && [ ! -e "$HWNAS_SRC/supernet/models/xs.ckpt" ] && grep -q "no supernet checkpoint at" "$T/stderr"; then
        echo "note: $f not validated: it needs the supernet checkpoint supernet/models/xs.ckpt (not built)" >&2
    elif [ "$rc" -ne 0 ]; then
        fail "$f: does not validate: $(cat "$T/stderr")"
    else
        grep -q '"status":"pending"' "$T/stdout" || fail "$f: --dry-run printed no plan"
    fi
    [ ! -e "$T/out_dry" ] || { fail "$f: --dry-run created output"; rm -rf "$T/out_dry"; }
done

# ---------------------------------------------------------------- 2. happy path
cat > "$T/rs.json" <<EOF
{"name": "rs_zdt1", "problem": {"name": "zdt1", "n_var": 8},
 "optimizer": {"name": "random_search", "batch_size": 16},
 "budget": {"evaluations": 300}, "seeds": [3, 4], "reference_point": [1.1, 7.0],
 "output": "$T/out"}
EOF
"$BIN" "$T/rs.json" --threads 2 > "$T/stdout" 2> "$T/stderr" || fail "happy path: exit status $?: $(cat "$T/stderr")"
grep -q 'rs_zdt1 seed 3: done' "$T/stderr" || fail "happy path: no human summary on stderr"
python3 - "$T" <<'EOF' || fail "happy path: log checks"
import json, math, os, sys
T = sys.argv[1]
cfg = json.load(open(f"{T}/rs.json"))
out = [l for l in open(f"{T}/stdout").read().splitlines() if l.strip()]
res = json.loads(out[-1])
assert res["name"] == "rs_zdt1", res
assert [r["seed"] for r in res["runs"]] == [3, 4], res
assert not any(n.endswith(".tmp") for n in os.listdir(f"{T}/out/rs_zdt1")), os.listdir(f"{T}/out/rs_zdt1")

def dominates(a, b):
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))

for run in res["runs"]:
    path = f"{T}/out/rs_zdt1/seed_{run['seed']}.jsonl"
    assert run["log"] == path, run
    lines = [json.loads(l) for l in open(path)]
    assert all(isinstance(l, dict) for l in lines)
    meta, evals, summ = lines[0], lines[1:-1], lines[-1]
    assert meta["config"] == cfg, meta["config"]
    assert meta["seed"] == run["seed"] and meta["problem"] == "zdt1" and meta["optimizer"] == "random_search"
    assert len(meta["objectives"]) == 2 and meta["reference_point"] == [1.1, 7.0]
    for k in ("version", "git_commit", "threads", "host", "started_at", "n_var", "budget"):
        assert k in meta, k
    assert len(evals) == 300
    keys = set(evals[0])
    assert keys == {"eval", "wall_s", "x", "f", "f_std"}, keys
    pts = []
    for i, e in enumerate(evals):
        assert set(e) == keys and e["eval"] == i, e
        x = e["x"]
        assert len(x) == 8 and all(0 <= v <= 1 for v in x)
        g = 1 + 9 * sum(x[1:]) / 7
        f = [x[0], g * (1 - math.sqrt(x[0] / g))]
        assert all(abs(a - b) <= 1e-12 * max(1, abs(b)) for a, b in zip(e["f"], f)), (e["f"], f)
        assert e["f_std"] == [0, 0] and e["wall_s"] >= 0
        pts.append(e["f"])
    assert summ["summary"] is True and summ["evaluations"] == 300
    # brute-force front of all evaluations (first of equal points kept)
    front_ids = [i for i, p in enumerate(pts)
                 if not any(dominates(q, p) or (q == p and j < i) for j, q in enumerate(pts))]
    assert summ["front_eval"] == front_ids, (summ["front_eval"], front_ids)
    assert summ["front"] == [pts[i] for i in front_ids]
    assert summ["front_x"] == [evals[i]["x"] for i in front_ids]
    front = summ["front"]
    assert all(not dominates(a, b) for a in front for b in front)
    ref = meta["reference_point"]
    inside = sorted(p for p in front if p[0] < ref[0] and p[1] < ref[1])
    hv, y = 0.0, ref[1]
    for p in inside:
        if p[1] < y:
            hv += (ref[0] - p[0]) * (y - p[1]); y = p[1]
    assert hv > 0, "reference point chosen so that the front has volume"
    assert abs(summ["hypervolume"] - hv) <= 1e-12 * hv, (summ["hypervolume"], hv)
    assert abs(run["hypervolume"] - hv) <= 1e-12 * hv and run["front_size"] == len(front)
    assert run["evaluations"] == 300 and run["status"] == "done"
    for k in ("finished_at", "wall_s", "front_x"):
        assert k in summ, k
EOF

# the summary's hypervolume agrees with `hwnas hv` on the summary's front
# (the hv command is present once the indicators module is in the build)
if "${HWNAS_BIN}/hwnas" hv --help > /dev/null 2>&1; then
    for s in 3 4; do
        python3 -c '
import json, sys
summ = json.loads(open(sys.argv[1]).read().splitlines()[-1])
for p in summ["front"]:
    print(" ".join(repr(v) for v in p))
print(repr(summ["hypervolume"]), file=sys.stderr)' "$T/out/rs_zdt1/seed_$s.jsonl" > "$T/front.txt" 2> "$T/hv_log"
        hv_cli=$("${HWNAS_BIN}/hwnas" hv --ref 1.1,7.0 "$T/front.txt") || fail "hwnas hv failed"
        python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); assert abs(a - b) <= 1e-12 * abs(b), (a, b)' \
            "$hv_cli" "$(cat "$T/hv_log")" || fail "seed $s: hypervolume $(cat "$T/hv_log") != hwnas hv $hv_cli"
    done
fi

# ---------------------------------------------------------------- 3. threads
"$BIN" "$T/rs.json" --threads 1 --out "$T/t1" --quiet > /dev/null 2> "$T/stderr" || fail "threads 1 run failed"
"$BIN" "$T/rs.json" --threads 2 --out "$T/t2" --quiet > /dev/null 2> "$T/stderr" || fail "threads 2 run failed"
[ ! -s "$T/stderr" ] || fail "--quiet still wrote to stderr: $(cat "$T/stderr")"
for s in 3 4; do
    strip "$T/t1/rs_zdt1/seed_$s.jsonl" > "$T/a" && strip "$T/t2/rs_zdt1/seed_$s.jsonl" > "$T/b" \
        && cmp -s "$T/a" "$T/b" || fail "seed $s: logs differ between --threads 1 and 2"
    [ "$(wc -l < "$T/a")" -eq 302 ] || fail "seed $s: stripped log has $(wc -l < "$T/a") lines"
done

# ---------------------------------------------------------------- 4. resume
L3="$T/out/rs_zdt1/seed_3.jsonl"; L4="$T/out/rs_zdt1/seed_4.jsonl"
cp "$L3" "$T/seed3.orig"; cp "$L4" "$T/seed4.orig"
"$BIN" "$T/rs.json" --quiet > "$T/stdout" 2>&1 || fail "rerun failed"
grep -q '"seed":3,"status":"skipped"' "$T/stdout" && grep -q '"seed":4,"status":"skipped"' "$T/stdout" \
    || fail "rerun of a complete config did not skip: $(cat "$T/stdout")"
cmp -s "$L3" "$T/seed3.orig" || fail "a skipped log was rewritten"
head -n -1 "$T/seed4.orig" > "$L4"          # seed 4 loses its summary line: incomplete
"$BIN" "$T/rs.json" --quiet > "$T/stdout" 2>&1 || fail "resume failed"
grep -q '"seed":3,"status":"skipped"' "$T/stdout" && grep -q '"seed":4,"status":"done"' "$T/stdout" \
    || fail "resume did not redo the incomplete seed only: $(cat "$T/stdout")"
strip "$L4" > "$T/a"; strip "$T/seed4.orig" > "$T/b"
cmp -s "$T/a" "$T/b" || fail "redone seed 4 differs from the original run"
cmp -s "$L3" "$T/seed3.orig" || fail "resume rewrote the complete seed 3"
rm "$L4"; head -n 5 "$T/seed4.orig" > "$L4.tmp"  # interrupted earlier: only a .tmp
"$BIN" "$T/rs.json" --quiet > "$T/stdout" 2>&1 || fail "resume from .tmp failed"
grep -q '"seed":4,"status":"done"' "$T/stdout" && [ ! -e "$L4.tmp" ] && [ -e "$L4" ] \
    || fail "resume from a .tmp did not redo seed 4"
sed 's/"evaluations": 300/"evaluations": 200/' "$T/rs.json" > "$T/rs200.json"
"$BIN" "$T/rs200.json" --quiet > "$T/stdout" 2> "$T/stderr"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l < "$T/stderr")" -eq 1 ] && grep -q 'different config' "$T/stderr" \
    || fail "a complete log of another config was not refused (rc $rc): $(cat "$T/stderr")"
"$BIN" "$T/rs200.json" --quiet --force > "$T/stdout" 2>&1 || fail "--force failed"
python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert [(x["seed"], x["status"], x["evaluations"]) for x in r["runs"]] == [(3, "done", 200), (4, "done", 200)], r' "$T/stdout" \
    || fail "--force did not redo every seed with the new budget"
"$BIN" "$T/rs.json" --seed 11 --out "$T/o11" --quiet > /dev/null 2>&1 || fail "--seed run failed"
[ -e "$T/o11/rs_zdt1/seed_11.jsonl" ] && [ ! -e "$T/o11/rs_zdt1/seed_3.jsonl" ] || fail "--seed/--out not applied"

# ---------------------------------------------------------------- 5. SIGINT
cat > "$T/long.json" <<EOF
{"name": "long", "problem": {"name": "zdt1", "n_var": 30}, "optimizer": {"name": "random_search"},
 "budget": {"evaluations": 100000000}, "seeds": [1, 2], "reference_point": [1.1, 1.1], "output": "$T/out"}
EOF
"$BIN" "$T/long.json" --quiet --threads 1 > "$T/stdout" 2> "$T/stderr" &
pid=$!
for _ in $(seq 200); do
    [ -e "$T/out/long/seed_1.jsonl.tmp" ] && [ "$(wc -l < "$T/out/long/seed_1.jsonl.tmp")" -gt 2 ] && break
    sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT: exit status $rc, expected 130"
[ ! -e "$T/out/long/seed_1.jsonl" ] || fail "SIGINT: a final log exists"
[ ! -e "$T/out/long/seed_2.jsonl.tmp" ] || fail "SIGINT: went on to the next seed"
python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert "config" in lines[0] and not any(l.get("summary") for l in lines)
assert [l["eval"] for l in lines[1:]] == list(range(len(lines) - 1))
r = json.loads(open(sys.argv[2]).read().splitlines()[-1])
assert r["runs"][0]["status"] == "interrupted" and r["runs"][0]["evaluations"] == len(lines) - 1, r' \
    "$T/out/long/seed_1.jsonl.tmp" "$T/stdout" || fail "SIGINT: the .tmp log is not a clean incomplete log"

if [ "$fails" -ne 0 ]; then echo "$fails failure(s)" >&2; exit 1; fi
echo "all run_experiment checks passed"
