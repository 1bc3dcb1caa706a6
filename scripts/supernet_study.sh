#!/usr/bin/env bash
# The xs supernet study of results/supernet.md: evaluates the largest, the
# smallest and 100 random sub-networks of the committed checkpoint, fine-tunes
# 12 sub-networks spread over the parameter range alone for a fixed budget,
# and draws the figures (results/supernet_*.png) and tables
# (results/supernet_*.csv) with scripts/plot_supernet.py.
#
#   scripts/supernet_study.sh [CKPT (default supernet/models/xs.ckpt)] [OUT_DIR (default results)]
#
# Environment: FT_STEPS (40), FT_LR (1e-3), WINDOWS (32 validation windows of
# 256 bytes per perplexity).  One OpenBLAS/OpenMP thread per process, two
# processes at a time, under nice: about 200 CPU-seconds.  Needs build/hwnas
# and a Python with matplotlib (scripts/lib_python.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ckpt=${1:-supernet/models/xs.ckpt}
out=${2:-results}
steps=${FT_STEPS:-40} lr=${FT_LR:-1e-3} windows=${WINDOWS:-32}
. scripts/lib_python.sh
py=$(plot_python)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
$py scripts/plot_supernet.py archs --random 100 --spread 12 --seed 1 "$work"
# largest and smallest first, then the random ones
{ echo gpt-xs-4-256-4-4-4-4-4-4-4-4-True; echo gpt-xs-2-64-2-2-2-2-False; cat "$work/random.txt"; } > "$work/subnets.txt"
nice build/hwnas supernet eval --ckpt "$ckpt" --arch-file "$work/subnets.txt" --eval-windows "$windows" \
    --metrics perplexity,params > "$work/subnets.jsonl" &
eval_pid=$!
# fine-tuning: each sub-network from the same inherited weights
while read -r arch; do
    nice build/hwnas supernet finetune --ckpt "$ckpt" --arch "$arch" --steps "$steps" --lr "$lr" \
        --eval-windows "$windows" --seed 1
done < "$work/spread.txt" > "$work/finetune.jsonl"
wait "$eval_pid"
$py scripts/plot_supernet.py report "$(dirname "$ckpt")/xs.train.jsonl" "$work/subnets.jsonl" "$work/finetune.jsonl" "$out"
