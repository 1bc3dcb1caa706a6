# hwnas supernet eval --cuda: without a GPU (or without CUDA in the build) one
# line saying why and a non-zero exit; with a GPU, perplexity equal to the
# CPU's to 1e-3 relative on a tiny trained xxs checkpoint, positive latency,
# the same params.  The GPU half skips with the reason when there is none.
. "$(dirname "$0")/lib.sh"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

for i in $(seq 1 400); do echo "the quick brown fox $i jumps over the lazy dog number $((i * 7 % 13))."; done > "$TMP/text.txt"
"$BIN" supernet train --space xxs --corpus "$TMP/text.txt" --steps 4 --batch 2 --eval-windows 4 \
    --out "$TMP/x.ckpt" > /dev/null 2>&1
check "train exit 0" test $? -eq 0
printf 'gpt-xxs-2-32-2-3-2-1-True\ngpt-xxs-1-16-2-1-False\n' > "$TMP/archs.txt"
"$BIN" supernet eval --ckpt "$TMP/x.ckpt" --arch-file "$TMP/archs.txt" --eval-windows 4 \
    --metrics perplexity,params > "$TMP/cpu" 2> "$TMP/err"
check "cpu eval exit 0" test $? -eq 0
"$BIN" supernet eval --ckpt "$TMP/x.ckpt" --arch-file "$TMP/archs.txt" --eval-windows 4 \
    --metrics perplexity,params,latency --cuda > "$TMP/gpu" 2> "$TMP/err"
rc=$?
if [ $rc -ne 0 ]; then
    check "no GPU: exit 2" test $rc -eq 2
    check "no GPU: one line" test "$(wc -l < "$TMP/err")" -eq 1
    check "no GPU: says why" grep -Eq '^hwnas supernet eval: CUDA: (no CUDA device: cudaGetDeviceCount|hwnas was built without CUDA|cannot load)' "$TMP/err"
    check "no GPU: nothing on stdout" test ! -s "$TMP/gpu"
    [ $fail -eq 0 ] || exit 1
    echo "SKIP: $(sed 's/^hwnas supernet eval: //' "$TMP/err") (the no-GPU error checks passed)" >&2
    exit 77
fi
check "gpu: one line per arch" test "$(wc -l < "$TMP/gpu")" -eq 2
python3 - "$TMP/cpu" "$TMP/gpu" <<'PY' || fail=1
import json, sys
cpu = [json.loads(l) for l in open(sys.argv[1])]
gpu = [json.loads(l) for l in open(sys.argv[2])]
for c, g in zip(cpu, gpu):
    assert c["arch"] == g["arch"] and c["params"] == g["params"], (c, g)
    assert abs(c["perplexity"] - g["perplexity"]) <= 1e-3 * c["perplexity"], (c, g)
    assert 0 < g["latency"] < 1e4, g
PY
exit $fail
