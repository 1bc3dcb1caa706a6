# tests/test_grid.sh — experiment grids (runner/grid.h) end to end:
#  1. bad grid configs exit 2 with one line naming the file and the key;
#  2. the plan: cells x seeds in the documented order and directory names;
#  3. results do not depend on the thread count (summaries and logs);
#  4. gzip logs read back by python's gzip and hwnas trajectory; each log
#     level: "front" holds exactly the evaluations that entered the front in
#     evaluation order (checked against the "all" log of the same run),
#     "summary" none,
#     and both verify on resume; bytes per evaluation printed;
#  5. "noise": "sample": hypervolume_mean equals the hypervolume (computed
#     here) of the means hwnas query gives for the front's architectures;
#  6. kill -9 at random moments, rerun: the summary equals an uninterrupted
#     one, no log is left truncated;
#  7. --shard i/K then --summary-only, and mpirun -n 2 --oversubscribe
#     (skipped with its reason when mpirun is absent or the build has no
#     MPI), give the summary of one process; each rank takes its share of
#     the node's cores (said on stderr and in the logs' "threads"), and
#     --threads wins.
set -u
BIN="${HWNAS_BIN:?}/run_experiment"
HW="${HWNAS_BIN:?}/hwnas"
. "$(dirname "$0")/lib_run.sh"

# summary FILE: the last stdout line without the fields that vary between
# processes (status, wall_s) and with the output directory cut from the logs.
summary() {
    python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
for r in s["runs"]:
    r.pop("wall_s"); r.pop("status")
    r["log"] = r["log"].split("/grid/", 1)[1]
print(json.dumps(s, sort_keys=True))' "$1"
}

# same_logs DIR_A DIR_B: every gzip log under A equals the one under B apart
# from the fields allowed to differ (lib_run.sh's strip); prints the count.
same_logs() {
    python3 - "$1" "$2" <<'PY'
import gzip, json, os, sys
a, b = sys.argv[1], sys.argv[2]
def stripped(p):
    out = []
    for line in gzip.open(p, "rt"):
        d = json.loads(line)
        for k in ("wall_s", "threads", "host", "started_at", "finished_at", "log_bytes", "log_crc32c"):
            d.pop(k, None)
        d.get("config", {}).pop("output", None)
        out.append(d)
    return out
n = 0
for root, _, files in os.walk(a):
    for f in files:
        if f.endswith(".jsonl.gz"):
            pa = os.path.join(root, f)
            pb = os.path.join(b, os.path.relpath(pa, a))
            assert os.path.exists(pb), pb + " missing"
            assert stripped(pa) == stripped(pb), pa + " differs"
            n += 1
print(n)
PY
}

# ------------------------------------------------------------------ 1. bad input
bad() {  # bad NAME EXPECTED JSON
    local f="$T/$1.json"
    printf '%s\n' "$3" > "$f"
    "$BIN" "$f" --out "$T/out_bad" > "$T/stdout" 2> "$T/stderr"
    local rc=$? lines; lines=$(wc -l < "$T/stderr")
    [ "$rc" -eq 2 ] || fail "$1: exit status $rc, expected 2"
    [ "$lines" -eq 1 ] || fail "$1: $lines lines on stderr: $(cat "$T/stderr")"
    grep -qF -- "$2" "$T/stderr" || fail "$1: stderr lacks '$2': $(cat "$T/stderr")"
    grep -qF -- "$f" "$T/stderr" || fail "$1: stderr does not name the file: $(cat "$T/stderr")"
    [ ! -e "$T/out_bad" ] || { fail "$1: created output"; rm -rf "$T/out_bad"; }
}
B='"budget": {"evaluations": 10}, "seeds": [1], "reference_point": [1.1, 1.1]'
Z='{"name": "zdt1", "n_var": 5}'
RS='{"name": "random_search"}'
bad empty_opt_list   'optimizer: expected an object or a non-empty list' "{\"name\": \"g\", \"problem\": $Z, \"optimizer\": [], $B}"
bad opt_not_object   'optimizer[1]: expected an object'   "{\"name\": \"g\", \"problem\": $Z, \"optimizer\": [$RS, 3], $B}"
bad same_dir_problem 'give one a "label"'                 "{\"name\": \"g\", \"problem\": [$Z, {\"name\": \"zdt1\", \"n_var\": 6}], \"optimizer\": $RS, $B}"
bad same_dir_opt     'give one a "label"'                 "{\"name\": \"g\", \"problem\": [$Z], \"optimizer\": [{\"name\": \"nsga2\", \"population_size\": 8}, {\"name\": \"nsga2\"}], $B}"
bad bad_label        'problem[1]: its runs'"'"' directory name' "{\"name\": \"g\", \"problem\": [$Z, {\"name\": \"zdt2\", \"label\": \"a/b\"}], \"optimizer\": $RS, $B}"
bad objectives_mixed 'problem.objectives[1]: expected a list' "{\"name\": \"g\", \"problem\": {\"name\": \"hwgpt\", \"device\": \"a100\", \"objectives\": [[\"perplexity\", \"latency\"], \"energy\"]}, \"optimizer\": $RS, $B}"
bad bad_device       'problem[1]'                         "{\"name\": \"g\", \"problem\": [$Z, {\"name\": \"hwgpt\", \"device\": [\"a100\", \"toaster\"]}], \"optimizer\": $RS, $B}"
bad bad_opt_key      'optimizer[1].colour'                "{\"name\": \"g\", \"problem\": [$Z], \"optimizer\": [$RS, {\"name\": \"nsga2\", \"colour\": 1}], $B}"
bad bad_level        'log'                                "{\"name\": \"g\", \"problem\": [$Z], \"optimizer\": $RS, \"log\": \"some\", $B}"
bad top_typo         'colour'                             "{\"name\": \"g\", \"problem\": [$Z], \"optimizer\": $RS, \"colour\": 1, $B}"
"$BIN" "$T/x.json" --shard 2/2 > /dev/null 2> "$T/stderr"; [ $? -eq 2 ] && grep -q -- '--shard' "$T/stderr" || fail "--shard 2/2 accepted"

# ------------------------------------------------------------------ 2. the plan
cat > "$T/grid.json" <<EOF
{"name": "grid",
 "problem": [{"name": "zdt1", "n_var": 6},
             {"name": "hwgpt", "scale": ["s", "m"], "device": ["a100", "rtx2080"],
              "objectives": [["perplexity", "latency"], ["perplexity", "energy"]]},
             {"name": "hwgpt", "label": "noisy", "device": "a100", "noise": "sample"}],
 "optimizer": [{"name": "random_search"}, {"name": "nsga2", "population_size": 16}],
 "budget": {"evaluations": 96}, "seeds": [1, 2, 3], "reference_point": [1.1, 1.1]}
EOF
"$BIN" "$T/grid.json" --out "$T/dry" --dry-run > "$T/plan.json" 2> "$T/plan.txt" || fail "dry-run: $(cat "$T/plan.txt")"
[ ! -e "$T/dry" ] || fail "dry-run wrote output"
python3 - "$T/plan.json" "$T/plan.txt" <<'EOF' || fail "plan"
import json, sys
runs = json.loads(open(sys.argv[1]).read().splitlines()[-1])["runs"]
probs = ["zdt1"] + ["hwgpt-%s-%s-%s" % (s, d, o) for s in "sm" for d in ("a100", "rtx2080")
                    for o in ("perplexity+latency", "perplexity+energy")] + ["noisy-s-a100"]
want = [(o, p, s) for o in ("random_search", "nsga2") for p in probs for s in (1, 2, 3)]
got = [(r["optimizer"], r["problem"], r["seed"]) for r in runs]
assert got == want, (got[:5], want[:5])
for r in runs:
    assert r["status"] == "pending" and r["hypervolume"] is None
    assert r["log"].endswith("/grid/%s/%s/seed_%d.jsonl.gz" % (r["optimizer"], r["problem"], r["seed"])), r["log"]
    if r["problem"].startswith("hwgpt-m-rtx2080-perplexity+energy"):
        assert r["scale"] == "m" and r["device"] == "rtx2080" and r["objectives"] == ["perplexity", "energy"]
lines = open(sys.argv[2]).read().splitlines()
assert len(lines) == len(want) + 1 and lines[-1].startswith("60 runs (20 cells x 3 seeds"), lines[-1]
EOF

# ------------------------------------------------- 3. independent of the threads
"$BIN" "$T/grid.json" --out "$T/t1" --threads 1 --quiet > "$T/s_t1.json" 2> "$T/err" || fail "threads 1: $(cat "$T/err")"
"$BIN" "$T/grid.json" --out "$T/t2" --threads 2 --quiet > "$T/s_t2.json" 2> "$T/err" || fail "threads 2: $(cat "$T/err")"
summary "$T/s_t1.json" > "$T/ref_summary"
summary "$T/s_t2.json" | cmp -s - "$T/ref_summary" || fail "summaries differ at 1 and 2 threads"
grep -q '"status":"pending"\|"hypervolume":null' "$T/s_t1.json" && fail "a run did not finish"
n_logs=$(same_logs "$T/t1" "$T/t2") || fail "logs differ at 1 and 2 threads"
[ "$n_logs" = 60 ] || fail "$n_logs logs, expected 60"
# a rerun skips every run and prints the same summary
"$BIN" "$T/grid.json" --out "$T/t1" --quiet > "$T/s_again.json" || fail "rerun"
[ "$(grep -o '"status":"skipped"' "$T/s_again.json" | wc -l)" -eq 60 ] || fail "rerun did not skip every run"
summary "$T/s_again.json" | cmp -s - "$T/ref_summary" || fail "rerun summary differs"
# the cell's log records the cell's own config (scalar optimizer and problem)
python3 - "$T/t1/grid/nsga2/hwgpt-m-a100-perplexity+energy/seed_2.jsonl.gz" <<'EOF' || fail "cell config"
import gzip, json, sys
meta = json.loads(gzip.open(sys.argv[1], "rt").readline())
c = meta["config"]
assert c["optimizer"] == {"name": "nsga2", "population_size": 16}, c["optimizer"]
assert c["problem"] == {"name": "hwgpt", "scale": "m", "device": "a100", "objectives": ["perplexity", "energy"]}, c["problem"]
assert meta["seed"] == 2 and meta["objectives"] == ["perplexity", "energy"]
EOF
"$HW" trajectory "$T/t1/grid/nsga2/zdt1/seed_1.jsonl.gz" > "$T/traj.csv" 2> "$T/err" || fail "hwnas trajectory on .jsonl.gz: $(cat "$T/err")"
[ "$(wc -l < "$T/traj.csv")" -gt 1 ] || fail "hwnas trajectory read nothing from the .jsonl.gz"

# ------------------------------------------------------------------ 4. log levels
for lv in all front summary; do
    cat > "$T/lv_$lv.json" <<EOF
{"name": "lv_$lv", "problem": [{"name": "zdt1", "n_var": 6}, {"name": "hwgpt", "device": "a100", "objectives": [["perplexity", "latency"]]}],
 "optimizer": [{"name": "nsga2", "population_size": 40}], "log": "$lv",
 "budget": {"evaluations": 2000}, "seeds": [5], "reference_point": [1.1, 1.1]}
EOF
    "$BIN" "$T/lv_$lv.json" --out "$T/lv" --quiet > "$T/lv_$lv.out" 2> "$T/err" || fail "log $lv: $(cat "$T/err")"
    "$BIN" "$T/lv_$lv.json" --out "$T/lv" --quiet > "$T/lv_$lv.again" 2> "$T/err"
    [ "$(grep -o '"status":"skipped"' "$T/lv_$lv.again" | wc -l)" -eq 2 ] || fail "log $lv: a complete log is not recognised on rerun"
done
python3 - "$T/lv" <<'EOF' || fail "log levels"
import gzip, json, os, sys
d = sys.argv[1]
def dominates(a, b):
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))
for prob in ("zdt1", "hwgpt-s-a100-perplexity+latency"):
    logs, size = {}, {}
    for lv in ("all", "front", "summary"):
        p = os.path.join(d, "lv_" + lv, "nsga2", prob, "seed_5.jsonl.gz")
        logs[lv] = [json.loads(l) for l in gzip.open(p, "rt")]
        size[lv] = os.path.getsize(p)
    full = logs["all"]
    meta, evals, summ = full[0], full[1:-1], full[-1]
    n, batch = summ["evaluations"], meta["batch_size"]
    assert n == 2000 and len(evals) == n
    # front over time: the evaluations that entered the front in evaluation
    # order (no earlier evaluation weakly dominates them), including those a
    # later point of the same batch evicts
    want, front, evicted_in_batch = [], [], 0
    for i, e in enumerate(evals):
        f = e["f"]
        if any(dominates(q, f) or q == f for q in front):
            continue
        want.append(i)
        front = [q for q in front if not dominates(f, q)] + [f]
    after = set()
    for b0 in range(0, n, batch):
        seen = evals[:b0 + batch]
        after |= {i for i in range(b0, min(b0 + batch, n))
                  if not any(dominates(o["f"], evals[i]["f"]) or (o["f"] == evals[i]["f"] and o["eval"] < i) for o in seen)}
    evicted_in_batch = len(set(want) - after)
    assert evicted_in_batch > 0, (prob, "no point entered and left the front within a batch: the check is weak")
    fr = logs["front"]
    got = [e["eval"] for e in fr[1:-1]]
    assert got == want, (prob, len(got), len(want))
    for e in fr[1:-1]:
        assert e["f"] == evals[e["eval"]]["f"]
    assert fr[-1]["log"] == "front" and fr[-1]["log_lines"] == len(want)
    assert len(logs["summary"]) == 2 and logs["summary"][-1]["log_lines"] == 0
    for lv in ("front", "summary"):
        s = logs[lv][-1]
        for k in ("hypervolume", "front", "front_eval", "evaluations"):
            assert s[k] == summ[k], (prob, lv, k)
    print("bytes per evaluation, %s (gzip): all %.1f, front %.1f, summary %.1f"
          % (prob, size["all"] / n, size["front"] / n, size["summary"] / n), file=sys.stderr)
EOF
# (the analysis commands on these levels: tests/test_sparse_logs.sh)

# ------------------------------------------------------------ 5. noise: hv_mean
NOISY="$T/t1/grid/random_search/noisy-s-a100/seed_1.jsonl.gz"
python3 - "$NOISY" "$T/archs.txt" <<'EOF' || fail "noisy log"
import gzip, json, sys
s = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")][-1]
assert "hypervolume_mean" in s and s["hypervolume_mean"] != s["hypervolume"], s.get("hypervolume_mean")
open(sys.argv[2], "w").write("".join(a + "\n" for a in s["front_arch"]))
EOF
"$HW" query --arch-file "$T/archs.txt" --metrics perplexity,latency --device a100 > "$T/means.jsonl" 2> "$T/err" || fail "query: $(cat "$T/err")"
python3 - "$NOISY" "$T/means.jsonl" "$T/s_t1.json" <<'EOF' || fail "hypervolume_mean differs from the hypervolume of the queried means"
import gzip, json, sys
lines = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
meta, s = lines[0], lines[-1]
lo, hi, ref = meta["obj_lo"], meta["obj_hi"], meta["reference_point"]
pts = [[(q[m] - lo[k]) / (hi[k] - lo[k]) for k, m in enumerate(("perplexity", "latency"))]
       for q in map(json.loads, open(sys.argv[2]))]
pts = sorted(p for p in pts if p[0] < ref[0] and p[1] < ref[1])
hv, best = 0.0, ref[1]
for x, y in pts:  # 2-D hypervolume by a sweep over the first objective
    if y < best:
        hv += (ref[0] - x) * (best - y)
        best = y
assert abs(hv - s["hypervolume_mean"]) <= 1e-9 * max(1, hv), (hv, s["hypervolume_mean"])
run = [r for r in json.loads(open(sys.argv[3]).read().splitlines()[-1])["runs"]
       if r["problem"] == "noisy-s-a100" and r["optimizer"] == "random_search" and r["seed"] == 1][0]
assert run["hypervolume_mean"] == s["hypervolume_mean"] and run["noise"] == "sample"
EOF

# --------------------------------------------------- 6. kill -9, resume, compare
cat > "$T/kill.json" <<EOF
{"name": "grid",
 "problem": [{"name": "zdt1", "n_var": 6}, {"name": "hwgpt", "device": ["a100", "rtx2080"]}],
 "optimizer": [{"name": "random_search"}, {"name": "nsga2", "population_size": 20}],
 "budget": {"evaluations": 3000}, "seeds": [1, 2, 3, 4], "reference_point": [1.1, 1.1]}
EOF
t0=$(date +%s%N)
"$BIN" "$T/kill.json" --out "$T/k_ref" --quiet --threads 2 > "$T/k_ref.json" 2> "$T/err" || fail "kill reference: $(cat "$T/err")"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
summary "$T/k_ref.json" > "$T/k_ref.sum"
kills=0 partial=0
# kill -9 at random fractions of the uninterrupted run's time
for frac in $(python3 -c 'import random; print(" ".join("%.2f" % random.uniform(0.05, 0.25) for _ in range(6)))'); do
    delay=$(python3 -c "print($frac * $ms / 1000.0)")
    "$BIN" "$T/kill.json" --out "$T/k" --quiet --threads 2 > /dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2> /dev/null && kills=$((kills + 1))
    wait "$pid" 2> /dev/null
    # every finished log is complete: gzip intact, summary last
    n_done=0
    for f in $(find "$T/k" -name 'seed_*.jsonl.gz'); do
        gzip -t "$f" 2> /dev/null || fail "kill after ${delay}s: $f is damaged"
        gzip -dc "$f" | tail -n 1 | grep -q '"summary":true' || fail "kill after ${delay}s: $f has no summary line"
        n_done=$((n_done + 1))
    done
    [ "$n_done" -gt 0 ] && [ "$n_done" -lt 24 ] && partial=$((partial + 1))
done
"$BIN" "$T/kill.json" --out "$T/k" --quiet > "$T/k_final.json" 2> "$T/err" || fail "resume: $(cat "$T/err")"
summary "$T/k_final.json" | cmp -s - "$T/k_ref.sum" || fail "resumed summary differs from the uninterrupted one"
[ -z "$(find "$T/k" -name '*.tmp')" ] || fail "resume left .tmp logs"
n_logs=$(same_logs "$T/k_ref" "$T/k") || fail "resumed logs differ from uninterrupted ones"
[ "$n_logs" = 24 ] || fail "$n_logs resumed logs compared, expected 24"
echo "killed $kills times (uninterrupted: $ms ms), $partial of them left a partly complete grid" >&2
[ "$partial" -gt 0 ] || fail "no kill landed mid-grid: the resume was not exercised"

# ------------------------------------------------------- 7. shards and MPI ranks
for i in 0 1 2; do
    "$BIN" "$T/grid.json" --out "$T/sh" --shard "$i/3" --quiet > "$T/sh$i.json" 2> "$T/err" || fail "shard $i: $(cat "$T/err")"
    n=$(python3 -c 'import json,sys; print(len(json.loads(open(sys.argv[1]).read().splitlines()[-1])["runs"]))' "$T/sh$i.json")
    [ "$n" -eq 20 ] || fail "shard $i/3 printed $n runs, expected 20"
done
"$BIN" "$T/grid.json" --out "$T/sh" --summary-only --quiet > "$T/sh_all.json" || fail "--summary-only"
summary "$T/sh_all.json" | cmp -s - "$T/ref_summary" || fail "--shard summary differs from one process"
if ! command -v mpirun > /dev/null; then
    echo "SKIP: mpirun is absent (apt-get install openmpi-bin libopenmpi-dev; scripts/setup.sh): MPI part not run (the rest passed)" >&2
elif ! grep -q '^HWNAS_MPI:BOOL=ON' "${HWNAS_BIN}/CMakeCache.txt" 2> /dev/null || ! ldd "$BIN" | grep -q libmpi; then
    echo "SKIP: run_experiment built without MPI (libopenmpi-dev missing at configure time): MPI part not run (the rest passed)" >&2
else
    # AddressSanitizer build: OpenMPI's plugins leave allocations that
    # LeakSanitizer cannot attribute (the plugins are unloaded at
    # MPI_Finalize), so leaks are not checked under mpirun; the same code
    # paths are leak-checked in the one-process runs above.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent=false \
        timeout 300 mpirun -n 2 --oversubscribe "$BIN" "$T/grid.json" --out "$T/mpi" > "$T/mpi.json" 2> "$T/err" ||
        fail "mpirun: $(tail -5 "$T/err")"
    summary "$T/mpi.json" | cmp -s - "$T/ref_summary" || fail "mpirun -n 2 summary differs from one process"
    [ "$(grep -c . "$T/mpi.json")" -eq 1 ] || fail "mpirun: more than rank 0 printed a summary"
    # threads per rank: one process takes all its CPUs (P, the logs' "threads"
    # without --threads); the 2 ranks of this node take max(1, P / 2) each,
    # or OMP_NUM_THREADS when it is set; --threads wins
    cat > "$T/tiny.json" <<EOF
{"name": "tiny", "problem": [{"name": "zdt1", "n_var": 6}], "optimizer": [{"name": "random_search"}],
 "budget": {"evaluations": 10}, "seeds": [1, 2], "reference_point": [1.1, 11]}
EOF
    "$BIN" "$T/tiny.json" --out "$T/one" --quiet > /dev/null 2>&1 || fail "tiny grid, one process"
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent=false \
        timeout 120 mpirun -n 2 --oversubscribe "$BIN" "$T/tiny.json" --out "$T/mpi3" --threads 3 > /dev/null 2> "$T/err3" ||
        fail "mpirun --threads 3: $(tail -5 "$T/err3")"
    python3 - "$T" <<'EOF' || fail "threads per MPI rank"
import glob, gzip, json, os, re, sys
t = sys.argv[1]
def threads(pattern):
    return {json.loads(gzip.open(p, "rt").readline())["threads"] for p in glob.glob(os.path.join(t, pattern))}
(p,) = threads("one/tiny/*/*/seed_*.jsonl.gz")
want = p if os.environ.get("OMP_NUM_THREADS") else max(1, p // 2)
got = threads("mpi/grid/*/*/seed_*.jsonl.gz")
assert got == {want}, ("ranks' threads in the logs", got, "expected", want, "one process", p)
said = sorted(re.findall(r"rank (\d) of 2: (\d+) threads? \(2 ranks on this node\)", open(os.path.join(t, "err")).read()))
assert said == [("0", str(want)), ("1", str(want))], ("ranks' stderr", said)
assert threads("mpi3/tiny/*/*/seed_*.jsonl.gz") == {3}, "--threads 3 under mpirun"
said = sorted(re.findall(r"rank (\d) of 2: (\d+) threads", open(os.path.join(t, "err3")).read()))
assert said == [("0", "3"), ("1", "3")], said
print("threads: one process %d, each of 2 MPI ranks %d" % (p, want), file=sys.stderr)
EOF
fi

if [ "$fails" -ne 0 ]; then echo "$fails failure(s)" >&2; exit 1; fi
exit 0
