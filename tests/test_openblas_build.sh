# Which OpenBLAS the supernet loads (supernet/blas.h): the OpenMP build when
# Debian's libopenblas0-openmp is installed (scripts/setup.sh installs it, so
# CI always has it), else the system's libopenblas.so.0; $HWNAS_OPENBLAS
# names another.  Both builds give the same bytes (a short xs training run
# with each); the training summary names the build.
. "$(dirname "$0")/lib.sh"
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2

multiarch=$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)
OMPLIB="/usr/lib/$multiarch/openblas-openmp/libopenblas.so.0"
PTHLIB="/usr/lib/$multiarch/openblas-pthread/libopenblas.so.0"
if [ ! -e "$OMPLIB" ]; then
    if [ "${CI:-}" = "true" ]; then echo "FAIL: $OMPLIB missing (scripts/setup.sh installs libopenblas0-openmp)" >&2; exit 1; fi
    echo "SKIP: no OpenMP build of OpenBLAS at $OMPLIB (apt-get install libopenblas0-openmp)" >&2
    exit 77
fi

for i in $(seq 1 300); do echo "a line of text number $i for the byte model, $((i * 13 % 7)) times."; done > "$TMP/text.txt"
train() { # train CKPT [ENV...]: two xs steps; the summary line goes to CKPT.err
    local ckpt=$1; shift
    env "$@" "$BIN" supernet train --space xs --corpus "$TMP/text.txt" --steps 2 --batch 4 --seq-len 64 \
        --eval-windows 2 --out "$ckpt" > /dev/null 2> "$ckpt.err"
}
train "$TMP/omp.ckpt"
check "train with the default build: exit 0" test $? -eq 0
check "default: the OpenMP build ($(tail -1 "$TMP/omp.ckpt.err"))" \
    grep -q "OpenBLAS openmp build with 2 threads (/.*/openblas-openmp/libopenblas.so.0)" "$TMP/omp.ckpt.err"
if [ -e "$PTHLIB" ]; then
    train "$TMP/pth.ckpt" HWNAS_OPENBLAS="$PTHLIB"
    check "train with the pthreads build: exit 0" test $? -eq 0
    check "\$HWNAS_OPENBLAS names the pthreads build ($(tail -1 "$TMP/pth.ckpt.err"))" \
        grep -q "OpenBLAS pthreads build with 2 threads ($PTHLIB)" "$TMP/pth.ckpt.err"
    check "the OpenMP and pthreads builds train the same bytes" cmp -s "$TMP/omp.ckpt" "$TMP/pth.ckpt"
fi

HWNAS_OPENBLAS=/nonexistent/libopenblas.so.0 "$BIN" supernet train --space xxs --corpus "$TMP/text.txt" --steps 1 \
    --out "$TMP/y.ckpt" > /dev/null 2> "$TMP/err"
rc=$?
check "a bad \$HWNAS_OPENBLAS: status 2 (got $rc)" test $rc -eq 2
check "a bad \$HWNAS_OPENBLAS: one line naming it" bash -c "[ \$(wc -l < '$TMP/err') -eq 1 ] &&
    grep -q 'OpenBLAS: \$HWNAS_OPENBLAS=/nonexistent/libopenblas.so.0: ' '$TMP/err'"
exit $fail
