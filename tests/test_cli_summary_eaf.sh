#!/usr/bin/env bash
# tests/test_cli_summary_eaf.sh — hwnas summary and hwnas eaf on a small
# study written by run_experiment (ZDT1, ZDT2 x random search, NSGA-II,
# local search x 4 seeds), checked against values computed independently
# from the logs (Python's json and statistics), against hwnas trajectory and
# hwnas front, and bad input (exit 2, one line naming the problem).
. "$(dirname "$0")/lib_run.sh"
B="$HWNAS_BIN"

cd "$T"
for o in random_search nsga2 local_search; do
  for p in zdt1 zdt2; do
    cat > "${o}_$p.json" <<JSON
{"name": "${o}_$p", "problem": {"name": "$p", "n_var": 6}, "optimizer": {"name": "$o"},
 "budget": {"evaluations": 120}, "seeds": [1, 2, 3, 4], "reference_point": [1.1, 11], "output": "res"}
JSON
    "$B/run_experiment" "${o}_$p.json" > /dev/null 2>&1 || fail "run_experiment ${o}_$p"
  done
done

# --- summary at the default budget (all evaluations) against the logs' summary lines
"$B/hwnas" summary res --stats st.csv --out sum.csv 2> err || fail "summary: exit $? ($(cat err))"
python3 - sum.csv st.csv res > py.out 2>&1 <<'PY' || fail "summary against the logs: $(cat py.out)"
import csv, glob, json, math, os, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
groups = {}
for path in glob.glob(os.path.join(sys.argv[3], "*", "seed_*.jsonl")):
    lines = [json.loads(l) for l in open(path)]
    meta, summ = lines[0], lines[-1]
    groups.setdefault(("%s/f1+f2" % meta["problem"], meta["optimizer"]), []).append(summ)
assert len(rows) == len(groups) == 6, (len(rows), len(groups))
def q(v, p):  # numpy's default quantile
    v = sorted(v); h = (len(v) - 1) * p; lo = math.floor(h)
    return v[lo] if lo + 1 >= len(v) else v[lo] + (h - lo) * (v[lo + 1] - v[lo])
means = {}
for r in rows:
    s = groups[(r["problem"], r["optimizer"])]
    hv = [x["hypervolume"] for x in s]
    assert int(r["n_seeds"]) == 4 and int(r["budget"]) == 120, r
    for col, want in (("hv_mean", statistics.mean(hv)), ("hv_se", statistics.stdev(hv) / 2),
                      ("hv_median", statistics.median(hv)), ("hv_q25", q(hv, .25)), ("hv_q75", q(hv, .75)),
                      ("front_size", statistics.mean(len(x["front"]) for x in s)),
                      ("wall_s", statistics.mean(x["wall_s"] for x in s))):
        assert abs(float(r[col]) - want) <= 1e-12 * max(1, abs(want)), (col, r[col], want)
    assert r["normalisation"] == "problem" and r["reference_point"] == "1.1 11", r
    assert json.loads(r["problem_config"])["name"] == r["problem"].split("/")[0]
    assert json.loads(r["optimizer_config"])["name"] == r["optimizer"]
    means.setdefault(r["problem"], {})[r["optimizer"]] = float(r["hv_mean"])
avg = {}
for r in rows:
    m = means[r["problem"]]
    want = 1 + sum(v > m[r["optimizer"]] for v in m.values()) + (sum(v == m[r["optimizer"]] for v in m.values()) - 1) / 2
    assert float(r["rank"]) == want, (r["rank"], want)
    avg[r["optimizer"]] = avg.get(r["optimizer"], 0) + want / 2
st = {(r["test"], r["optimizer"], r["optimizer_b"], r["statistic"]): r["value"] for r in csv.DictReader(open(sys.argv[2]))}
for o, v in avg.items():
    assert float(st[("average_rank", o, "", "rank")]) == v, (o, v)
assert st[("friedman", "", "", "k")] == "3" and st[("friedman", "", "", "n_problems")] == "2"
assert abs(float(st[("nemenyi", "", "", "cd")]) - 2.343700586 * math.sqrt(3 * 4 / 12)) < 1e-6
for key in (("wilcoxon_holm", "local_search", "nsga2", "p_holm"), ("iqm", "nsga2", "", "ci_hi")):
    assert key in st, key
PY

# --- budgets: each row's mean equals the mean of hwnas trajectory's rows at that evaluation
"$B/hwnas" summary res --budgets 30,120,500 --out sumb.csv 2> err || fail "summary --budgets: $(cat err)"
"$B/hwnas" trajectory res/*/seed_*.jsonl --out traj.csv || fail "trajectory"
python3 - sumb.csv traj.csv > py.out 2>&1 <<'PY' || fail "summary --budgets against trajectory: $(cat py.out)"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
traj = {}
for r in csv.DictReader(open(sys.argv[2])):
    traj.setdefault((r["run"], int(r["eval"])), []).append(float(r["hypervolume"]))
assert len(rows) == 12, len(rows)          # budget 500: no run reaches it, no row
for r in rows:
    prob = r["problem"].split("/")[0]
    want = statistics.mean(traj[("%s_%s" % (r["optimizer"], prob), int(r["budget"]))])
    assert abs(float(r["hv_mean"]) - want) <= 1e-12 * want, (r, want)
PY

# --- --normalise runs: every objective in [0, 1] over all runs of a problem, reference point 1.1
"$B/hwnas" summary res --normalise runs --out sumr.csv 2> err || fail "summary --normalise runs: $(cat err)"
python3 - sumr.csv > py.out 2>&1 <<'PY' || fail "--normalise runs: $(cat py.out)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6
for r in rows:
    assert r["normalisation"] == "runs" and r["reference_point"] == "1.1 1.1", r
    assert 0 < float(r["hv_q25"]) <= float(r["hv_median"]) <= float(r["hv_q75"]) <= 1.21, r
PY

# --- deterministic: the same tables twice (stats: seeded bootstrap)
"$B/hwnas" summary res --stats st2.csv --out sum2.csv 2> /dev/null
cmp -s st.csv st2.csv && cmp -s sum.csv sum2.csv || fail "summary is not deterministic"

# --- gzip logs (found in directories as *.jsonl.gz) give the same rows
mkdir gz && cp -r res/*_zdt1 gz/ && gzip gz/*/seed_*.jsonl
"$B/hwnas" summary gz --out gz.csv 2> err || fail "summary of gzip logs: $(cat err)"
[ "$(grep -c . gz.csv)" -eq 4 ] && cmp -s <(grep -v '^problem,' gz.csv) <(grep '^zdt1/' sum.csv) ||
  fail "gzip logs: $(diff <(grep -v '^problem,' gz.csv) <(grep '^zdt1/' sum.csv) | head -3)"

# --- eaf: one run's best surface is its front (hwnas front), sorted by f1
"$B/hwnas" eaf res/nsga2_zdt1/seed_1.jsonl --percentiles 0 --out e1.csv 2> err || fail "eaf one run: $(cat err)"
"$B/hwnas" front res/nsga2_zdt1/seed_1.jsonl --out f1.csv || fail "front"
python3 - e1.csv f1.csv > py.out 2>&1 <<'PY' || fail "eaf of one run against hwnas front: $(cat py.out)"
import csv, sys
e = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(open(sys.argv[1]))]
f = sorted((float(r["f1"]), float(r["f2"])) for r in csv.DictReader(open(sys.argv[2])))
assert e == f and len(e) > 1, (e, f)
PY
"$B/hwnas" eaf res --budget 60 > eaf.csv 2> err || fail "eaf: $(cat err)"
python3 - eaf.csv > py.out 2>&1 <<'PY' || fail "eaf table: $(cat py.out)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
seen = {(r["problem"], r["optimizer"], r["percentile"], r["level"]) for r in rows}
assert len(seen) == 6 * 5, len(seen)
for r in rows:
    assert r["n_runs"] == "4" and r["x_name"] == "f1" and r["y_name"] == "f2"
    assert int(r["level"]) == {"0": 1, "25": 1, "50": 2, "75": 3, "100": 4}[r["percentile"]], r
PY

# --- bad input: exit 2, one stderr line naming the problem, nothing on stdout
expect_err() {
  local name=$1 pat=$2; shift 2
  local out rc
  out=$("$@" 2> err < /dev/null); rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, want 2"
  [ -z "$out" ] || fail "$name: unexpected stdout"
  [ "$(wc -l < err)" -eq 1 ] || fail "$name: want one stderr line, got: $(cat err)"
  grep -q -- "$pat" err || fail "$name: stderr '$(cat err)' lacks '$pat'"
}
expect_err "same run twice" "the same run (nsga2 on zdt1/f1+f2, seed 1) twice" "$B/hwnas" summary res res/nsga2_zdt1/seed_1.jsonl
expect_err "unknown option" "unknown option '--bogus'" "$B/hwnas" summary --bogus res
expect_err "bad budgets" "--budgets: expected positive integers" "$B/hwnas" summary --budgets 10,x res
expect_err "bad normalise" "--normalise: expected 'problem' or 'runs'" "$B/hwnas" summary --normalise max res
expect_err "bad percentiles" "--percentiles: expected numbers in \[0, 100\]" "$B/hwnas" eaf --percentiles 50,101 res
expect_err "eaf budget too large" "--budget 500, but the run has 120 evaluations" "$B/hwnas" eaf --budget 500 res
mkdir empty
expect_err "empty directory" "empty: no logs" "$B/hwnas" summary empty
expect_err "no logs" "no LOG_OR_DIR given" "$B/hwnas" eaf
head -c 300 res/nsga2_zdt2/seed_2.jsonl > cut.jsonl
expect_err "broken log" "cut.jsonl:1" "$B/hwnas" summary cut.jsonl
# one label, two problem configs (n_var 6 and 8): never pooled
sed 's/"n_var": 6/"n_var": 8/; s/"res"/"res8"/' nsga2_zdt1.json > n8.json
"$B/run_experiment" n8.json > /dev/null 2>&1 || fail "run_experiment n8"
expect_err "two configs, one label" "two problem configs under one label 'zdt1/f1+f2'" "$B/hwnas" summary res res8
cat > dtlz.json <<'JSON'
{"name": "d3", "problem": {"name": "dtlz2", "n_var": 6, "n_obj": 3}, "optimizer": {"name": "random_search"},
 "budget": {"evaluations": 20}, "seeds": [1], "reference_point": [1.1, 1.1, 1.1], "output": "res3"}
JSON
"$B/run_experiment" dtlz.json > /dev/null 2>&1 || fail "run_experiment dtlz2"
expect_err "eaf of 3 objectives" "has 3 objectives; attainment surfaces need 2" "$B/hwnas" eaf res3
"$B/hwnas" summary res3 > /dev/null 2> err || fail "summary of a 3-objective run: $(cat err)"
"$B/hwnas" summary res > /dev/full 2> err; rc=$?
[ "$rc" -eq 1 ] && grep -q "cannot write to stdout" err || fail "summary > /dev/full: exit $rc, $(cat err)"

# --- an incomplete log (no summary line): refused, or read with --allow-incomplete
mkdir -p inc && head -n -1 res/nsga2_zdt1/seed_3.jsonl > inc/seed_3.jsonl
expect_err "incomplete log" "no summary line after 120 evaluations" "$B/hwnas" summary inc
"$B/hwnas" summary --allow-incomplete inc > inc.csv 2> err || fail "summary --allow-incomplete: $(cat err)"
python3 - inc.csv res/nsga2_zdt1/seed_3.jsonl > py.out 2>&1 <<'PY' || fail "incomplete log: $(cat py.out)"
import csv, json, sys
r, = list(csv.DictReader(open(sys.argv[1])))
summ = json.loads(open(sys.argv[2]).readlines()[-1])
assert float(r["hv_mean"]) == summ["hypervolume"] and float(r["front_size"]) == len(summ["front"]), r
assert r["wall_s"] == "" and r["hv_se"] == "" and r["n_seeds"] == "1", r
PY

[ "$fails" -eq 0 ] || exit 1
echo "summary and eaf: all checks passed"
