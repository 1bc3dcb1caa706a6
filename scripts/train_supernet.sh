#!/usr/bin/env bash
# Rebuild the committed xs supernet checkpoint, supernet/models/xs.ckpt, and
# its training log, supernet/models/xs.train.jsonl (one JSON object per
# evaluation: step, lr, train loss, validation loss of the largest and the
# smallest sub-network, tokens/s).
#
#   scripts/train_supernet.sh [OUT_DIR (default supernet/models)]
#
# Deterministic: one OpenBLAS and one OpenMP thread (the thread count is part
# of what makes the bytes reproducible), seed 1, Debian's fortunes as the
# corpus.  About 1,160 CPU-seconds (19 minutes on one core of the project's Xeon); runs
# under nice.  Needs build/hwnas (cmake --build build).
set -euo pipefail
case "${1:-}" in
-h | --help)
    sed -n '2,12s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
-*)
    echo "$(basename "$0"): unknown option '$1' (see --help)" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."
out=${1:-supernet/models}
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
nice build/hwnas supernet train --space xs --corpus auto --seed 1 \
    --steps 1500 --batch 4 --seq-len 256 --lr 2e-3 --k 2 \
    --eval-every 75 --eval-windows 32 --weights-only \
    --out "$out/xs.ckpt" > "$out/xs.train.jsonl"
