#!/bin/sh
# fuzz/run.sh [SECONDS] [TARGET] — builds fuzz/fuzz_inputs.c with clang's
# libFuzzer, ASan and UBSan over the library sources, seeds a corpus from the
# repo (experiment configs, a log, points, arch strings, small model files
# written by fuzz/model_seed.c) and fuzzes for SECONDS (default 60): all
# targets (the first input byte picks one), or only TARGET (0-5, see
# fuzz_inputs.c; FUZZ_TARGET), each with its own corpus under build-fuzz/.
# Not part of the default build or the test suite.
set -eu
SRC="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${FUZZ_OUT:-$SRC/build-fuzz}"
SECS="${1:-60}"
TARGET="${2:-}"
LIBSRC="$SRC/core/*.c $SRC/space/*.c $SRC/benchmark/*.c $SRC/indicators/*.c $SRC/optimizers/*.c $SRC/surrogates/*.c $SRC/runner/*.c"
FLAGS="-std=c11 -g -D_DEFAULT_SOURCE -DHWNAS_SOURCE_DIR=\"$SRC\" -DHWNAS_VERSION=\"fuzz\" -I$SRC"
LIBS="-fopenmp -lcjson -lgsl -lgslcblas -lz -lm"
mkdir -p "$OUT"
# rebuilt only when a source is newer than the binaries (one build takes minutes)
if [ ! -x "$OUT/model_seed" ] || [ -n "$(find "$SRC" -path "$OUT" -prune -o -name '*.[ch]' -newer "$OUT/model_seed" -print | head -1)" ]; then
    # shellcheck disable=SC2086
    clang $FLAGS -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        "$SRC"/fuzz/fuzz_inputs.c $LIBSRC $LIBS -o "$OUT/fuzz_inputs"
    # shellcheck disable=SC2086
    clang $FLAGS -O1 "$SRC"/fuzz/model_seed.c $LIBSRC $LIBS -o "$OUT/model_seed"
fi
C="$OUT/corpus${TARGET}"
mkdir -p "$C"
i=0
if [ -z "$TARGET" ] || [ "$TARGET" = 1 ]; then
    for f in "$SRC"/experiments/*.json; do printf '\001' | cat - "$f" > "$C/cfg$i"; i=$((i + 1)); done
fi
if [ -z "$TARGET" ] || [ "$TARGET" = 0 ]; then
    printf '\000gpt-s-12-384-3-4-2-2-4-2-4-2-3-3-4-3-8-4-12-8-4-8-4-12-12-12-4-12-False' > "$C/arch"
fi
if [ -z "$TARGET" ] || [ "$TARGET" = 2 ]; then
    printf '\0021 2\n0.5 3\n# c\n\n2 0.1\n' > "$C/points"
    printf '\002\357\273\2771e308 -1e308\n-0 5e-324\n' > "$C/points_bom"
fi
if [ -z "$TARGET" ] || [ "$TARGET" = 3 ]; then
    {
        printf '\003{"name":"t","problem":"zdt1","optimizer":"random_search","seed":1,"n_var":2,"budget":3,'
        printf '"objectives":["f1","f2"],"reference_point":[1.1,1.1],"obj_lo":[0,0],"obj_hi":[1,2]}\n'
        printf '{"eval":0,"wall_s":0.001,"x":[0.5,0.5],"f":[0.5,0.8]}\n{"eval":1,"x":[0.1,0.2],"f":[0.1,0.9]}\n'
        printf '{"eval":2,"arch":"gpt-s","f":[0.2,0.95]}\n'
        printf '{"summary":true,"evaluations":3,"hypervolume":0.1,"front":[[0.5,0.8],[0.1,0.9]],"front_eval":[0,1]}\n'
    } > "$C/log"
    head -c 200 "$C/log" > "$C/log_cut"
fi
if [ -z "$TARGET" ] || [ "$TARGET" = 4 ] || [ "$TARGET" = 5 ]; then
    "$OUT/model_seed" "$C/model"
    if [ "$TARGET" = 5 ]; then # raw files: with their CRC
        for f in "$C"/model_*; do
            printf '\005' > "$f.raw"; tail -c +2 "$f" >> "$f.raw"
            python3 -c 'import sys,zlib; b=open(sys.argv[1],"rb").read()[1:]; open(sys.argv[1],"ab").write(zlib.crc32(b).to_bytes(4,"little"))' "$f.raw"
            rm "$f"
        done
    fi
fi
if [ -n "$TARGET" ]; then export FUZZ_TARGET="$TARGET"; fi
"$OUT/fuzz_inputs" -max_total_time="$SECS" -max_len=8192 -timeout=20 -rss_limit_mb=4096 -close_fd_mask=1 \
    -print_final_stats=1 "$C"
