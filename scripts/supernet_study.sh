#!/usr/bin/env bash
# The xs supernet study of results/supernet.md: evaluates the largest, the
# smallest and 100 random sub-networks of the committed checkpoint, fine-tunes
# 12 sub-networks spread over the parameter range alone for a fixed budget,
# and draws the figures (results/supernet_*.png) and tables
# (results/supernet_*.csv) with scripts/plot_supernet.py.
#
#   scripts/supernet_study.sh [CKPT (default supernet/models/xs.ckpt)] [OUT_DIR (default results)]
#
# Environment: FT_STEPS (40), FT_LR (2e-4: the checkpoint's final rate), WINDOWS (32 validation windows of
# 256 bytes per perplexity), JOBS (2 processes at a time).  One
# OpenBLAS/OpenMP thread per process, under nice: about 200 CPU-seconds.  Needs build/hwnas
# and a Python with matplotlib (scripts/lib_python.sh).
set -euo pipefail
case "${1:-}" in
-h | --help)
    sed -n '2,13s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
-*)
    echo "$(basename "$0"): unknown option '$1' (see --help)" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."
ckpt=${1:-supernet/models/xs.ckpt}
out=${2:-results}
steps=${FT_STEPS:-40} lr=${FT_LR:-2e-4} windows=${WINDOWS:-32}
. scripts/lib_python.sh
py=$(plot_python)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
$py scripts/plot_supernet.py archs --random 100 --spread 12 --seed 1 "$work"
# largest and smallest first, then the random ones
{ echo gpt-xs-4-256-4-4-4-4-4-4-4-4-True; echo gpt-xs-2-64-2-2-2-2-False; cat "$work/random.txt"; } > "$work/subnets.txt"
# Every evaluation and fine-tuning is its own process (deterministic, one
# thread each), JOBS at a time; outputs are joined in list order.
jobs=${JOBS:-2}
split -n l/4 -d "$work/subnets.txt" "$work/subnets.part."
ls "$work"/subnets.part.* | xargs -P "$jobs" -I{} sh -c \
    'nice build/hwnas supernet eval --ckpt "$1" --arch-file "$2" --eval-windows "$3" --metrics perplexity,params > "$2.jsonl"' \
    sh "$ckpt" {} "$windows" &
eval_pid=$!
# fine-tuning: each sub-network alone, from the same inherited weights
nl -nrz -w2 "$work/spread.txt" | xargs -P "$jobs" -L 1 sh -c \
    'nice build/hwnas supernet finetune --ckpt "$1" --arch "$7" --steps "$2" --lr "$3" --eval-windows "$4" --seed 1 > "$5/ft.$6.jsonl"' \
    sh "$ckpt" "$steps" "$lr" "$windows" "$work"
wait "$eval_pid"
cat "$work"/subnets.part.*.jsonl > "$work/subnets.jsonl"
cat "$work"/ft.*.jsonl > "$work/finetune.jsonl"
$py scripts/plot_supernet.py report "$(dirname "$ckpt")/xs.train.jsonl" "$work/subnets.jsonl" "$work/finetune.jsonl" "$out"
