#!/usr/bin/env bash
# scripts/reproduce_paper.sh [--quick] [--out DIR] — HW-GPT-Bench's optimizer
# comparison, regenerated with hwnas (grids -> hwnas summary/eaf -> figures).
# Writes DIR (default results/paper): figures (PNG + PDF), summary.csv,
# stats.csv, stats_no_bo.csv, eaf.csv and summary.md (what each output
# corresponds to in HW-GPT-Bench, and where our numbers differ).  Budgets
# (see summary.md):
#   main grid: RS, grid search, LS, NSGA-II, MOEA/D, MOREA (populations of 20:
#     a default population of 100 would be random search for half the budget) x scales s, m, l x
#     14 devices x {perplexity-latency, perplexity-energy where energy exists}
#     x 10 seeds x 200 evaluations;
#   BO grid:   RSBO, LSBO, EHVI on the same problems x 10 seeds x 50
#     evaluations (its own grid call: BO_OPTS, BO_SEEDS, BO_EVALS; 50 keeps
#     the whole script under 10 minutes on 2 cores, HWNAS_PAPER_BO_EVALS=100
#     runs them at 100); every optimizer is compared at budgets <= BO_EVALS
#     (stats.csv, cd), the cheap ones also at 200 (stats_no_bo.csv);
#   3 objectives: perplexity, A100 latency, Xeon Gold energy on GPT-L (as
#     HW-GPT-Bench), 5 seeds x 1000.
# --quick: scale s, 2 devices, RS / LS / NSGA-II / MOREA at 200 evaluations
# and EHVI at 30, 3 seeds, the 3-objective case at 300 evaluations (CI).
# Env: HWNAS_BUILD (default build), HWNAS_PYTHON (default: one that can draw),
# HWNAS_PAPER_BO_EVALS (the BO grid's budget, default 50; not with --quick).
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${HWNAS_BUILD:-$SRC/build}"
OUT="$SRC/results/paper"
QUICK=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --out) [ $# -ge 2 ] || { echo "reproduce_paper.sh: --out needs a directory" >&2; exit 2; }; OUT="$2"; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "reproduce_paper.sh: unknown argument $1 (--quick, --out DIR)" >&2; exit 2 ;;
    esac
    shift
done
for b in run_experiment hwnas; do
    [ -x "$BUILD/$b" ] || { echo "reproduce_paper.sh: $BUILD/$b not found: build first (cmake -S . -B build && cmake --build build)" >&2; exit 2; }
done
. "$SRC/scripts/lib_python.sh"
PY="$(plot_python)" || exit 2
mkdir -p "$OUT"
RUNS="$OUT/runs"
start=$(date +%s)
say() { [ -t 2 ] && echo "reproduce_paper: $* ($(( $(date +%s) - start )) s)" >&2 || true; }

DEVICES='"a100","a40","h100","a6000","rtx2080","rtx3080","v100","P100","cpu_xeon_silver","cpu_xeon_gold","cpu_amd_7502","cpu_amd_7513","cpu_amd_7452"'
CHEAP='{"name":"random_search"},{"name":"grid_search"},{"name":"local_search"},{"name":"nsga2","population_size":20},{"name":"moead","population_size":20},{"name":"morea","population_size":20}'
if [ "$QUICK" = 1 ]; then
    SCALES='"s"'; DEVS='"a100","rtx2080"'; OPTS='{"name":"random_search"},{"name":"local_search"},{"name":"nsga2","population_size":20},{"name":"morea","population_size":20}'
    SEEDS='[1,2,3]'; EVALS=200; EVALS3=300; SEEDS3='[1,2,3]'; CPU_P100=0
    BO_OPTS='{"name":"ehvi"}'; BO_SEEDS="$SEEDS"; BO_EVALS=30
else
    SCALES='"s","m","l"'; DEVS="$DEVICES"; OPTS="$CHEAP"; SEEDS='[1,2,3,4,5,6,7,8,9,10]'; EVALS=200; EVALS3=1000; SEEDS3='[1,2,3,4,5]'; CPU_P100=1
    BO_OPTS='{"name":"rsbo"},{"name":"lsbo"},{"name":"ehvi"}'; BO_SEEDS="$SEEDS"; BO_EVALS=${HWNAS_PAPER_BO_EVALS:-50}
fi
# the budgets of summary.csv: every optimizer reaches those <= BO_EVALS
BUDGETS=$(printf '%s\n' 50 "$BO_EVALS" 100 "$EVALS" | awk -v m="$EVALS" '$1 <= m' | sort -un | paste -sd, -)
grid() { # name problem-json optimizers seeds evals ref
    printf '{"name":"%s","problem":%s,"optimizer":[%s],"budget":{"evaluations":%s},"seeds":%s,"reference_point":%s,"output":"%s","log":"all"}\n' \
        "$1" "$2" "$3" "$5" "$4" "$6" "$RUNS" > "$OUT/$1.json"
    say "grid $1"
    "$BUILD/run_experiment" "$OUT/$1.json" --quiet > "$OUT/$1.out.json"
}
PAIRS='"objectives":[["perplexity","latency"],["perplexity","energy"]]'
grid main "{\"name\":\"hwgpt\",\"backend\":\"surrogate\",\"scale\":[$SCALES],\"device\":[$DEVS],$PAIRS}" \
    "$OPTS" "$SEEDS" "$EVALS" '[1.1,1.1]'
# the Bayesian optimizers: the same problems, their own budget and seeds
grid bo "{\"name\":\"hwgpt\",\"backend\":\"surrogate\",\"scale\":[$SCALES],\"device\":[$DEVS],$PAIRS}" \
    "$BO_OPTS" "$BO_SEEDS" "$BO_EVALS" '[1.1,1.1]'
if [ "$CPU_P100" = 1 ]; then   # cpu_p100 has latency only (no energy file)
    P100='{"name":"hwgpt","backend":"surrogate","scale":['"$SCALES"'],"device":"cpu_p100","objectives":["perplexity","latency"]}'
    grid main_cpu_p100 "$P100" "$OPTS" "$SEEDS" "$EVALS" '[1.1,1.1]'
    grid bo_cpu_p100 "$P100" "$BO_OPTS" "$BO_SEEDS" "$BO_EVALS" '[1.1,1.1]'
fi
# HW-GPT-Bench's 3-objective case: each per-device objective on its own device
grid three '{"name":"hwgpt","backend":"surrogate","scale":"l","objectives":["perplexity","latency@a100","energy@cpu_xeon_gold"]}' \
    '{"name":"random_search"},{"name":"nsga2","population_size":50},{"name":"morea","population_size":50},{"name":"local_search"}' "$SEEDS3" "$EVALS3" '[1.1,1.1,1.1]'

say "summary and statistics"
MAINDIRS=("$RUNS/main"); [ "$CPU_P100" = 1 ] && MAINDIRS+=("$RUNS/main_cpu_p100")
ALLDIRS=("${MAINDIRS[@]}" "$RUNS/bo"); [ "$CPU_P100" = 1 ] && ALLDIRS+=("$RUNS/bo_cpu_p100")
# every optimizer at the BO budget; the cheap ones alone at their full budget
"$BUILD/hwnas" summary "${ALLDIRS[@]}" --budgets "$BUDGETS" --stats "$OUT/stats.csv" --stats-budget "$BO_EVALS" \
    --out "$OUT/summary.csv" --quiet 2> "$OUT/stats.log"
"$BUILD/hwnas" summary "${MAINDIRS[@]}" --budgets "$EVALS" --stats "$OUT/stats_no_bo.csv" --out /dev/null --quiet 2>> "$OUT/stats.log"
"$BUILD/hwnas" summary "${ALLDIRS[@]}" --normalise runs --budgets "$BO_EVALS,$EVALS" --out "$OUT/summary_runs_normalised.csv" --quiet
"$BUILD/hwnas" eaf "$RUNS/main/"*/hwgpt-s-* "$RUNS/bo/"*/hwgpt-s-* --budget "$BO_EVALS" --percentiles 25,50,75 \
    --out "$OUT/eaf.csv" --quiet

say "figures"
P="$SRC/scripts"
$PY "$P/plot_hv_curves.py" "$RUNS/main" "$RUNS/bo" --problem hwgpt-s/a100/perplexity+latency -o "$OUT/hv_s_a100_latency"
$PY "$P/plot_hv_curves.py" "$RUNS/main" "$RUNS/bo" --problem hwgpt-s/rtx2080/perplexity+energy -o "$OUT/hv_s_rtx2080_energy"
$PY "$P/plot_eaf.py" "$OUT/eaf.csv" --problem hwgpt-s/a100/perplexity+latency --problem hwgpt-s/a100/perplexity+energy \
    --problem hwgpt-s/rtx2080/perplexity+latency --problem hwgpt-s/rtx2080/perplexity+energy \
    --title "every optimizer at $BO_EVALS evaluations" -o "$OUT/eaf_s"
FR=(); for d in ${DEVS//\"/ }; do d=${d//,/}; [ -n "$d" ] && FR+=(--problem "hwgpt-s/$d/perplexity+latency"); done
$PY "$P/plot_fronts.py" "$RUNS/main" "${FR[@]}" -o "$OUT/fronts_s_latency_devices"
$PY "$P/plot_fronts.py" "$RUNS/three" -o "$OUT/fronts_3obj_l"
$PY "$P/plot_cd.py" "$OUT/stats.csv" --title "$( [ "$QUICK" = 1 ] && echo 'GPT-S, 2 devices x 2 objective pairs' || echo 'scales s, m, l x devices x objective pairs'), $BO_EVALS evaluations" -o "$OUT/cd"
DATA="${HWNAS_DATA:-$SRC/../shared/hwgpt-bench}"
KD=(); [ -d "$DATA/latency/s" ] && KD=(--data "$DATA")   # the measured map too when the data are there
$PY "$P/plot_kendall.py" "$RUNS/main/random_search" --build "$BUILD" --scale s --n 200 "${KD[@]}" -o "$OUT/kendall_s"
[ ${#KD[@]} -gt 0 ] && $PY "$P/plot_calibration.py" "${KD[@]}" --build "$BUILD" --scale s -o "$OUT/calibration_s"
elapsed=$(( $(date +%s) - start ))
$PY "$P/paper_summary.py" --out "$OUT" --elapsed "$elapsed" --quick "$QUICK" --evals "$EVALS" --bo-evals "$BO_EVALS" \
    > "$OUT/summary.md"
rm -rf "$RUNS"
echo "reproduce_paper.sh: wrote $OUT in ${elapsed} s" >&2
