# tests/test_reproduce_quick.sh — scripts/reproduce_paper.sh --quick (CI):
# it finishes, and writes every figure (PNG and PDF, non-empty, PNG magic),
# the CSVs and summary.md (non-empty, names the runs and the differences);
# the Bayesian optimizer (EHVI) is in the main comparison, at its own budget
# only; the 3-objective case is HW-GPT-Bench's (A100 latency, Xeon Gold
# energy); no run logs are left behind.  Needs a Python that can draw (skips
# saying so).
set -u
SRC="${HWNAS_SRC:?}"
. "$(dirname "$0")/lib_run.sh"
. "$SRC/scripts/lib_python.sh"
if ! plot_python > /dev/null 2>&1; then
    echo "SKIP: no Python with numpy and matplotlib (scripts/setup.sh installs Debian's)"
    exit 77
fi
HWNAS_BUILD="${HWNAS_BIN:?}" "$SRC/scripts/reproduce_paper.sh" --quick --out "$T/paper" > "$T/out" 2> "$T/err" \
    || { cat "$T/err" >&2; fail "reproduce_paper.sh --quick failed"; }
for f in hv_s_a100_latency hv_s_rtx2080_energy eaf_s fronts_s_latency_devices fronts_3obj_l cd kendall_s; do
    for ext in png pdf; do
        [ -s "$T/paper/$f.$ext" ] || fail "$f.$ext missing or empty"
    done
    [ "$(head -c 8 "$T/paper/$f.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f.png is not a PNG"
done
for f in summary.csv stats.csv stats_no_bo.csv eaf.csv summary_runs_normalised.csv summary.md; do
    [ -s "$T/paper/$f" ] || fail "$f missing or empty"
done
grep -q '^# Reproducing' "$T/paper/summary.md" || fail "summary.md lacks its title"
grep -q 'Where and why our numbers differ' "$T/paper/summary.md" || fail "summary.md lacks the differences"
grep -qE '[0-9]+ runs, [0-9]+ evaluations' "$T/paper/summary.md" || fail "summary.md does not state runs and evaluations"
[ "$(grep -c '^| ' "$T/paper/summary.md")" -ge 8 ] || fail "summary.md tables too short"
[ ! -e "$T/paper/runs" ] || fail "run logs left in the output"
python3 - "$T/paper" <<'PY' || fail "BO rows, ranks or the 3-objective case wrong"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/summary.csv")))
bo = {int(r["budget"]) for r in rows if r["optimizer"] == "ehvi"}
assert bo and max(bo) == 30, bo                      # EHVI at 30 evaluations, compared at budgets <= 30
assert 200 in {int(r["budget"]) for r in rows if r["optimizer"] == "nsga2"}
ranked = {r["optimizer"] for r in csv.DictReader(open(d + "/stats.csv")) if r["test"] == "average_rank"}
assert "ehvi" in ranked and "nsga2" in ranked, ranked
no_bo = {r["optimizer"] for r in csv.DictReader(open(d + "/stats_no_bo.csv")) if r["test"] == "average_rank"}
assert "ehvi" not in no_bo and "nsga2" in no_bo, no_bo
runs = json.loads(open(d + "/three.out.json").read().strip().splitlines()[-1])["runs"]
assert {r["problem"] for r in runs} == {"hwgpt-l-perplexity+latency@a100+energy@cpu_xeon_gold"}, runs[0]["problem"]
md = open(d + "/summary.md").read()
assert "Xeon Gold energy" in md and "future work" not in md and "budgets <= 30" in md
PY
[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo ok
