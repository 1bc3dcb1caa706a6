#!/usr/bin/env bash
# Compare optimizers: run each experiment config, compute the hypervolume
# trajectories and final fronts of all their seeds, and plot them.
#
#   scripts/compare.sh OUTDIR CONFIG.json [CONFIG.json ...]
#
# Writes OUTDIR/results/<name>/seed_<seed>.jsonl (one run directory per
# config; complete seeds are skipped on a rerun), OUTDIR/hv.csv,
# OUTDIR/front.csv, OUTDIR/hv.png and OUTDIR/front.png.  The configs should
# share the problem and reference point, or the curves are not comparable.
#
# Environment: HWNAS_BUILD (build directory, default build), HWNAS_PYTHON
# (interpreter with numpy and matplotlib; default: the first of python3,
# /usr/bin/python3 that has them, see scripts/lib_python.sh), HWNAS_EVERY
# (trajectory row every K evaluations, default 1), HWNAS_PLOT_ARGS (extra
# plot_hv.py options, default --logx).
set -euo pipefail
case "${1:-}" in
-h | --help)
    sed -n '2,18s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
esac
if [ $# -lt 2 ]; then
    echo "usage: scripts/compare.sh OUTDIR CONFIG.json [CONFIG.json ...] (--help says more)" >&2
    exit 2
fi
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${HWNAS_BUILD:-$src/build}"
. "$src/scripts/lib_python.sh"
# before any run: a missing matplotlib should not cost the runs first
py=$(plot_python) || { echo "compare.sh: cannot plot (see above); nothing was run" >&2; exit 1; }
every="${HWNAS_EVERY:-1}"
out="$1"; shift
mkdir -p "$out"

logs=()
for cfg in "$@"; do
    # the last stdout line lists the runs and their logs
    summary=$("$build/run_experiment" "$cfg" --out "$out/results" | tail -n 1)
    while IFS= read -r log; do logs+=("$log"); done < <(printf '%s\n' "$summary" | grep -o '"log":"[^"]*"' | cut -d'"' -f4)
done

"$build/hwnas" trajectory --every "$every" --out "$out/hv.csv" "${logs[@]}"
"$build/hwnas" front --out "$out/front.csv" "${logs[@]}"
# shellcheck disable=SC2086
$py "$src/scripts/plot_hv.py" "$out/hv.csv" -o "$out/hv.png" ${HWNAS_PLOT_ARGS:---logx}
$py "$src/scripts/plot_front.py" "$out/front.csv" -o "$out/front.png"
echo "wrote $out/hv.csv $out/front.csv $out/hv.png $out/front.png" >&2
