#!/bin/sh
# fuzz/run.sh [SECONDS] — builds fuzz/fuzz_inputs.c with clang's libFuzzer,
# ASan and UBSan over the library sources, seeds a corpus from the repo
# (experiment configs, a log, points, arch strings) and fuzzes for SECONDS
# (default 60).  Not part of the default build or the test suite.
set -eu
SRC="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${FUZZ_OUT:-$SRC/build-fuzz}"
SECS="${1:-60}"
mkdir -p "$OUT/corpus"
clang -std=c11 -O1 -g -D_DEFAULT_SOURCE -DHWNAS_SOURCE_DIR="\"$SRC\"" -DHWNAS_VERSION='"fuzz"' \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$SRC" \
    "$SRC"/fuzz/fuzz_inputs.c "$SRC"/core/*.c "$SRC"/space/*.c "$SRC"/benchmark/*.c "$SRC"/indicators/*.c \
    "$SRC"/optimizers/*.c "$SRC"/surrogates/*.c "$SRC"/runner/*.c \
    -fopenmp -lcjson -lgsl -lgslcblas -lz -lm -o "$OUT/fuzz_inputs"
i=0
for f in "$SRC"/experiments/*.json; do printf '\001' | cat - "$f" > "$OUT/corpus/cfg$i"; i=$((i + 1)); done
printf '\000gpt-s-12-384-3-4-2-2-4-2-4-2-3-3-4-3-8-4-12-8-4-8-4-12-12-12-4-12-False' > "$OUT/corpus/arch"
printf '\0021 2\n0.5 3\n# c\n\n2 0.1\n' > "$OUT/corpus/points"
"$OUT/fuzz_inputs" -max_total_time="$SECS" -max_len=8192 -timeout=20 -rss_limit_mb=4096 -close_fd_mask=1 "$OUT/corpus"
