# tests/test_figure_scripts.sh — the publication figure scripts on a tiny grid
# (2 optimizers x 2 devices x 2 seeds, 60 evaluations): each writes its PNG and
# PDF; plot_hv_curves.py refuses to pool runs of different problems into one
# band (one line, exit 1) and draws one panel row each with --panels; the
# shared name table (NSGA-II) and a hand-checked 2-D hypervolume.
set -u
SRC="${HWNAS_SRC:?}"
RUN="${HWNAS_BIN:?}/run_experiment"
HW="${HWNAS_BIN:?}/hwnas"
. "$(dirname "$0")/lib_run.sh"
. "$SRC/scripts/lib_python.sh"
python3 - "$SRC/scripts" <<'PY' || fail "plotlib checks"
import sys; sys.path.insert(0, sys.argv[1]); import plotlib as p
assert p.human_name("nsga2") == "NSGA-II" and p.human_name("moead") == "MOEA/D", "names"
assert len({p.colour(k) for k, _, _ in p.OPTIMIZERS}) == len(p.OPTIMIZERS), "colours not distinct"
assert p.hv2d([(0.0, 1.0), (1.0, 0.0), (0.5, 0.5)], (2.0, 2.0)) == 3.25, "hv2d"
assert p.problem_title("hwgpt-s/rtx2080/perplexity+energy") == "GPT-S on RTX 2080: perplexity vs energy"
PY
PY="$(plot_python 2>/dev/null)" || { echo "SKIP: no Python with numpy and matplotlib (scripts/setup.sh installs Debian's)"; exit 77; }
printf '{"name":"g","problem":{"name":"hwgpt","backend":"surrogate","scale":"s","device":["a100","rtx2080"],"objectives":["perplexity","latency"]},
 "optimizer":[{"name":"random_search"},{"name":"nsga2","population_size":10}],"budget":{"evaluations":60},"seeds":[1,2],
 "reference_point":[1.1,1.1],"output":"%s"}\n' "$T/res" > "$T/g.json"
printf '{"name":"t","problem":{"name":"hwgpt","backend":"surrogate","scale":"s","device":"a100","objectives":["perplexity","latency","energy"]},
 "optimizer":{"name":"nsga2","population_size":10},"budget":{"evaluations":60},"seeds":[1,2],
 "reference_point":[1.1,1.1,1.1],"output":"%s"}\n' "$T/res3" > "$T/t.json"
"$RUN" "$T/g.json" --quiet > /dev/null 2> "$T/err" || fail "grid: $(cat "$T/err")"
"$RUN" "$T/t.json" --quiet > /dev/null 2> "$T/err" || fail "3-obj: $(cat "$T/err")"
"$HW" summary "$T/res" --stats "$T/stats.csv" --out "$T/summary.csv" --quiet 2> /dev/null || fail "summary"
"$HW" eaf "$T/res" --percentiles 25,50,75 --out "$T/eaf.csv" --quiet || fail "eaf"
S="$SRC/scripts"
check() { # check STEM: STEM.png (PNG magic) and STEM.pdf written, non-empty
    [ -s "$1.png" ] && [ -s "$1.pdf" ] || { fail "$1.png/.pdf not written"; return; }
    [ "$(head -c 4 "$1.png" | od -An -tx1 | tr -d ' \n')" = 89504e47 ] || fail "$1.png is not a PNG"
}
$PY "$S/plot_hv_curves.py" "$T/res" --problem hwgpt-s/a100/perplexity+latency -o "$T/hv" 2> "$T/err" || fail "plot_hv_curves: $(cat "$T/err")"; check "$T/hv"
$PY "$S/plot_hv_curves.py" "$T/res" --panels -o "$T/hvp" 2> "$T/err" || fail "plot_hv_curves --panels: $(cat "$T/err")"; check "$T/hvp"
$PY "$S/plot_eaf.py" "$T/eaf.csv" -o "$T/eaf" 2> "$T/err" || fail "plot_eaf: $(cat "$T/err")"; check "$T/eaf"
$PY "$S/plot_fronts.py" "$T/res" -o "$T/fr" 2> "$T/err" || fail "plot_fronts: $(cat "$T/err")"; check "$T/fr"
$PY "$S/plot_fronts.py" "$T/res3" -o "$T/fr3" 2> "$T/err" || fail "plot_fronts 3-obj: $(cat "$T/err")"; check "$T/fr3"
$PY "$S/plot_cd.py" "$T/stats.csv" -o "$T/cd" 2> "$T/err" || fail "plot_cd: $(cat "$T/err")"; check "$T/cd"
$PY "$S/plot_kendall.py" "$T/res/g/random_search" --build "$HWNAS_BIN" --scale s --n 50 -o "$T/kt" 2> "$T/err" || fail "plot_kendall: $(cat "$T/err")"; check "$T/kt"
$PY - "$S" <<'PY' || fail "kendall_tau / cluster_order"
import sys; sys.path.insert(0, sys.argv[1]); import plot_kendall as k
# tau-b by hand: x = 1 2 3 4, y = 1 3 2 4: 5 concordant, 1 discordant pair -> 4/6
assert abs(k.kendall_tau([1, 2, 3, 4], [1, 3, 2, 4]) - 4 / 6) < 1e-12
assert k.kendall_tau([1, 2, 3], [3, 2, 1]) == -1.0
# ties: x = 1 1 2, y = 1 2 3: n0 = 3, n1 = 1, n2 = 0, C - D = 2 -> 2 / sqrt(2 * 3)
assert abs(k.kendall_tau([1, 1, 2], [1, 2, 3]) - 2 / 6 ** 0.5) < 1e-12
d = [[0, 9, 1, 9], [9, 0, 9, 1], [1, 9, 0, 9], [9, 1, 9, 0]]
o = k.cluster_order(d)
assert abs(o.index(0) - o.index(2)) == 1 and abs(o.index(1) - o.index(3)) == 1, o
PY
DATA="${HWNAS_DATA:-$SRC/../shared/hwgpt-bench}"
if [ -d "$DATA/latency/s" ]; then
    $PY "$S/plot_calibration.py" --data "$DATA" --build "$HWNAS_BIN" --scale s --n 20 -o "$T/cal" 2> "$T/err" || fail "plot_calibration: $(cat "$T/err")"; check "$T/cal"
else
    echo "plot_calibration not run: no HW-GPT-Bench data at $DATA"
fi
$PY "$S/plot_calibration.py" --data "$T/nodata" -o "$T/cal2" > /dev/null 2> "$T/err" && fail "plot_calibration without data succeeded"
grep -q "no HW-GPT-Bench latency data" "$T/err" || fail "plot_calibration without data: $(cat "$T/err")"
# pooling two problems into one band is refused: one line, exit 1, no figure
$PY "$S/plot_hv_curves.py" "$T/res" -o "$T/pooled" > /dev/null 2> "$T/err"; rc=$?
[ "$rc" -eq 1 ] || fail "pooling: exit $rc, want 1"
[ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "pool different problems" "$T/err" || fail "pooling message: $(cat "$T/err")"
[ ! -e "$T/pooled.png" ] || fail "pooling wrote a figure"
# mixing 2- and 3-objective problems in one fronts figure is refused too
$PY "$S/plot_fronts.py" "$T/res" "$T/res3" -o "$T/mix" > /dev/null 2> "$T/err" && fail "2- and 3-objective fronts pooled"
$PY "$S/plot_eaf.py" "$T/summary.csv" -o "$T/bad" > /dev/null 2> "$T/err" && fail "plot_eaf read a summary CSV"
grep -q "summary.csv:1:" "$T/err" || fail "plot_eaf bad header message: $(cat "$T/err")"
[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo ok
