#!/usr/bin/env bash
# tests/test_sparse_logs.sh — the analysis commands on sparse logs (config
# "log": "front" / "summary", runner/logprefix.h): one grid (ZDT1 and NAS-s
# x NSGA-II with batches of 40 and random search x 3 seeds) run three times,
# at each level, into directories of the same run name:
#   - "front" logs give byte-identical hwnas trajectory (every evaluation),
#     hwnas front, hwnas eaf (all evaluations and --budget) and hwnas summary
#     at many budgets (inside and between batches) to the "all" logs, apart
#     from the wall_s column;
#   - "summary" logs give the final-budget summary row, the front and the
#     all-evaluation eaf of the "all" logs; what they cannot answer
#     (trajectory, an earlier budget, --normalise runs) is refused with one
#     line naming the file;
#   - bad sparse logs (a line lost, eval ids out of order, a line that did not
#     enter the front, the summary's level changed, an evaluation line in a
#     "summary" log, truncated) give one line on stderr and exit 2.
. "$(dirname "$0")/lib_run.sh"
HW="${HWNAS_BIN:?}/hwnas"
BIN="${HWNAS_BIN:?}/run_experiment"
cd "$T"

for lv in all front summary; do
    cat > "$lv.json" <<EOF
{"name": "lv", "problem": [{"name": "zdt1", "n_var": 6}, {"name": "hwgpt", "device": "a100", "objectives": [["perplexity", "latency"]]}],
 "optimizer": [{"name": "nsga2", "population_size": 40}, {"name": "random_search"}], "log": "$lv",
 "budget": {"evaluations": 1000}, "seeds": [1, 2, 3], "reference_point": [1.1, 11]}
EOF
    "$BIN" "$lv.json" --out "$lv" --quiet > /dev/null 2> err || fail "run_experiment, log $lv: $(cat err)"
done

# without_wall CSV: the CSV without its wall_s column (the runs' own times)
without_wall() {
    python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
i = rows[0].index("wall_s")
w = csv.writer(sys.stdout, lineterminator="\n")
for r in rows:
    del r[i]
    w.writerow(r)' "$1"
}
# same NAME A B: A and B are identical files
same() { cmp -s "$2" "$3" || fail "$1: $2 and $3 differ: $(diff "$2" "$3" | head -4)"; }
# refused NAME WANT CMD...: exit 2, one line on stderr containing WANT, nothing on stdout
refused() {
    local name=$1 want=$2; shift 2
    "$@" > out 2> err
    local rc=$?
    [ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2 ($(head -c 300 err))"
    [ "$(wc -l < err)" -eq 1 ] || fail "$name: expected one line on stderr, got: $(head -c 600 err)"
    grep -qF -- "$want" err || fail "$name: stderr lacks '$want': $(cat err)"
    [ ! -s out ] || fail "$name: wrote to stdout"
}

# ------------------------------------------------------------- "front" = "all"
BUDGETS=1,2,7,39,40,41,79,80,333,500,999,1000
for lv in all front summary; do
    "$HW" summary "$lv" --quiet --out "s_$lv.csv" 2> err || fail "summary, log $lv: $(cat err)"
    without_wall "s_$lv.csv" > "sw_$lv.csv"
    "$HW" eaf "$lv" --quiet --out "e_$lv.csv" 2> err || fail "eaf, log $lv: $(cat err)"
    for p in zdt1 hwgpt-s-a100-perplexity+latency; do
        "$HW" front "$lv"/lv/*/"$p"/seed_*.jsonl.gz --out "f_${lv}_$p.csv" 2> err || fail "front $p, log $lv: $(cat err)"
    done
done
for lv in all front; do
    "$HW" summary "$lv" --quiet --budgets "$BUDGETS" --out "sb_$lv.csv" 2> err || fail "summary --budgets, log $lv: $(cat err)"
    without_wall "sb_$lv.csv" > "sbw_$lv.csv"
    "$HW" trajectory "$lv"/lv/*/*/seed_*.jsonl.gz --out "t_$lv.csv" 2> err || fail "trajectory, log $lv: $(cat err)"
    [ ! -s err ] || fail "trajectory, log $lv: a warning: $(cat err)"
    "$HW" trajectory --every 7 "$lv"/lv/*/*/seed_*.jsonl.gz --out "t7_$lv.csv" 2> err || fail "trajectory --every 7, log $lv: $(cat err)"
    "$HW" eaf "$lv" --budget 333 --quiet --out "eb_$lv.csv" 2> err || fail "eaf --budget, log $lv: $(cat err)"
done
same "summary, front vs all" sw_all.csv sw_front.csv
same "summary --budgets, front vs all" sbw_all.csv sbw_front.csv
same "trajectory, front vs all" t_all.csv t_front.csv
same "trajectory --every 7, front vs all" t7_all.csv t7_front.csv
same "eaf, front vs all" e_all.csv e_front.csv
same "eaf --budget 333, front vs all" eb_all.csv eb_front.csv
same "summary, final budget, summary vs all" sw_all.csv sw_summary.csv
same "eaf, summary vs all" e_all.csv e_summary.csv
for p in zdt1 hwgpt-s-a100-perplexity+latency; do
    same "front $p, front vs all" "f_all_$p.csv" "f_front_$p.csv"
    same "front $p, summary vs all" "f_all_$p.csv" "f_summary_$p.csv"
done
python3 - <<'EOF' || fail "the comparisons are not trivial"
import csv
sb = list(csv.DictReader(open("sb_all.csv")))
assert len(sb) == 2 * 2 * 12, len(sb)                      # problems x optimizers x budgets
assert len({r["hv_mean"] for r in sb}) > 30                 # the budgets give different hypervolumes
t = list(csv.DictReader(open("t_all.csv")))
assert len(t) == 2 * 2 * 3 * 1000, len(t)                   # every evaluation of every run
s = list(csv.DictReader(open("s_all.csv")))
assert {r["budget"] for r in s} == {"1000"} and all(r["n_seeds"] == "3" for r in s), s
EOF
# the front logs hold fewer lines; each log's line count is its summary's log_lines
python3 - <<'EOF' || fail "front logs are not smaller"
import glob, gzip
n = {lv: sum(sum(1 for _ in gzip.open(p, "rt")) - 2 for p in glob.glob(lv + "/lv/*/*/seed_*.jsonl.gz")) for lv in ("all", "front", "summary")}
assert n["all"] == 12 * 1000 and 0 < n["front"] < n["all"] / 3 and n["summary"] == 0, n
EOF

# ---------------------------------------------- "summary": what it cannot say
S1="summary/lv/nsga2/zdt1/seed_1.jsonl.gz"
refused "trajectory of a summary log" "$S1: written with \"log\": \"summary\"" "$HW" trajectory "$S1"
refused "summary at an earlier budget" 'not the first 500' "$HW" summary summary --quiet --budgets 500,1000
refused "eaf --budget on a summary log" 'not the first 333' "$HW" eaf summary --quiet --budget 333
refused "--normalise runs on front logs" '--normalise runs needs every evaluation' "$HW" summary front --quiet --normalise runs
"$HW" summary summary --quiet --budgets 1000,5000 > sx.csv 2> err || fail "summary log, budget beyond the runs: $(cat err)"
[ "$(grep -c '^zdt1' sx.csv)" -eq 2 ] || fail "summary log: a budget no run reaches is not left out: $(cat sx.csv)"

# ----------------------------------------------------------- bad sparse logs
F1="front/lv/nsga2/zdt1/seed_1.jsonl.gz"
gzip -dc "$F1" > front.jsonl
gzip -dc "$S1" > summary.jsonl
n=$(wc -l < front.jsonl)
[ "$n" -gt 10 ] || fail "front log too short to edit ($n lines)"
sed '5d' front.jsonl > lost.jsonl
refused "a lost line" 'lost.jsonl' "$HW" trajectory lost.jsonl
refused "a lost line (log_lines)" 'log_lines: expected' "$HW" summary lost.jsonl --quiet
awk 'NR == 4 { l4 = $0; next } NR == 5 { print; print l4; next } { print }' front.jsonl > swapped.jsonl
refused "eval ids out of order" 'swapped.jsonl:5: eval: expected an integer above' "$HW" front swapped.jsonl
# a line whose point an earlier line dominates (not a front log): line 4's f replaced by line 3's plus 1
python3 - <<'EOF'
import json
lines = open("front.jsonl").read().splitlines()
a, b = json.loads(lines[2]), json.loads(lines[3])
b["f"] = [v + 1 for v in a["f"]]
lines[3] = json.dumps(b)
open("dominated.jsonl", "w").write("\n".join(lines) + "\n")
EOF
refused "a dominated line" 'weakly dominated by an earlier line' "$HW" trajectory dominated.jsonl
sed '$ s/"log":"front"/"log":"all"/' front.jsonl > level.jsonl
refused "summary's level changed" 'log: expected "front"' "$HW" summary level.jsonl --quiet
head -n -1 front.jsonl > cut.jsonl
refused "truncated front log" 'no summary line' "$HW" trajectory cut.jsonl
head -c -40 front.jsonl > cutline.jsonl
refused "front log cut mid-line" 'invalid JSON' "$HW" front cutline.jsonl
{ head -n 1 summary.jsonl; sed -n 2p front.jsonl; tail -n 1 summary.jsonl; } > evalline.jsonl
refused "an evaluation line in a summary log" 'evalline.jsonl:2: an evaluation line in a log written with "log": "summary"' \
    "$HW" front evalline.jsonl
head -n 1 summary.jsonl > summary_cut.jsonl
refused "truncated summary log" 'no summary line' "$HW" summary summary_cut.jsonl --quiet

if [ "$fails" -ne 0 ]; then echo "$fails failure(s)" >&2; exit 1; fi
exit 0
