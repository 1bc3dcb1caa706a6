# hwnas supernet train / eval: a tiny run end to end (xxs space, a generated
# text file), resumption through the CLI, eval output, and input errors.
. "$(dirname "$0")/lib.sh"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

for i in $(seq 1 600); do echo "the quick brown fox $i jumps over the lazy dog number $((i * 7 % 13))."; done > "$TMP/text.txt"

# --- train, and the same run in two halves --------------------------------
"$BIN" supernet train --space xxs --corpus "$TMP/text.txt" --steps 6 --batch 2 --eval-every 3 --eval-windows 4 \
    --out "$TMP/full.ckpt" > "$TMP/log" 2> "$TMP/err"
check "train exit 0" test $? -eq 0
check "two evaluation lines" test "$(grep -c '"val_loss_largest"' "$TMP/log")" -eq 2
check "summary on stderr" grep -q "^supernet train: 6 steps in .* peak memory" "$TMP/err"
"$BIN" supernet train --space xxs --corpus "$TMP/text.txt" --steps 6 --batch 2 --eval-every 3 --eval-windows 4 \
    --stop-at 3 --out "$TMP/half.ckpt" > /dev/null 2>&1
check "half exit 0" test $? -eq 0
"$BIN" supernet train --resume "$TMP/half.ckpt" --eval-windows 4 --out "$TMP/resumed.ckpt" > /dev/null 2>&1
check "resume exit 0" test $? -eq 0
check "resumed = straight run, byte for byte" cmp -s "$TMP/full.ckpt" "$TMP/resumed.ckpt"

# --- eval -------------------------------------------------------------------
printf 'gpt-xxs-2-32-3-3-2-2-True\n\ngpt-xxs-1-16-2-1-False\n' > "$TMP/archs.txt"
"$BIN" supernet eval --ckpt "$TMP/full.ckpt" --arch-file "$TMP/archs.txt" --eval-windows 4 \
    --metrics perplexity,params > "$TMP/out" 2> "$TMP/err"
check "eval exit 0" test $? -eq 0
check "one line per arch" test "$(wc -l < "$TMP/out")" -eq 2
check "eval line format" grep -q '^{"arch": "gpt-xxs-1-16-2-1-False", "perplexity": [0-9.]*, "params": [0-9]*}$' "$TMP/out"
# perplexity of a barely trained byte model: between 1 and 256
ppl=$(sed -n 's/.*"perplexity": \([0-9.]*\).*/\1/p' "$TMP/out" | head -1)
check "perplexity in (1, 256]" awk -v p="$ppl" 'BEGIN { exit !(p > 1 && p <= 256) }'

# random-init params of s archs equal hwnas query's analytic params
echo "$EX" > "$TMP/s.txt"
got=$("$BIN" supernet eval --space s --random-init --arch-file "$TMP/s.txt" --metrics params)
check "s params = analytic" test "$got" = "{\"arch\": \"$EX\", \"params\": 148591104}"

# --- finetune one sub-network -------------------------------------------------
"$BIN" supernet finetune --ckpt "$TMP/full.ckpt" --arch gpt-xxs-1-16-2-1-False --steps 20 --lr 3e-3 --batch 2 \
    --eval-windows 4 --out "$TMP/ft.ckpt" > "$TMP/ft" 2> "$TMP/err"
check "finetune exit 0" test $? -eq 0
check "finetune line format" grep -q '^{"arch": "gpt-xxs-1-16-2-1-False", "params": [0-9]*, "steps": 20, .*"perplexity_before": [0-9.]*, "perplexity_after": [0-9.]*,' "$TMP/ft"
check "finetune lowers the sub-network's perplexity" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not d["perplexity_after"] < d["perplexity_before"])' "$TMP/ft"
echo gpt-xxs-1-16-2-1-False > "$TMP/one.txt"
"$BIN" supernet eval --ckpt "$TMP/ft.ckpt" --arch-file "$TMP/one.txt" --eval-windows 4 --metrics perplexity > "$TMP/ftev"
check "the fine-tuned checkpoint evaluates to the reported perplexity" python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(abs(a["perplexity_after"] - b["perplexity"]) > 1e-4 * b["perplexity"])' "$TMP/ft" "$TMP/ftev"
"$BIN" supernet finetune --ckpt "$TMP/full.ckpt" --arch gpt-xxs-1-16-2-1-False --steps 20 --lr 3e-3 --batch 2 \
    --eval-windows 4 --out "$TMP/ft2.ckpt" > /dev/null 2>&1
check "finetune is deterministic" cmp -s "$TMP/ft.ckpt" "$TMP/ft2.ckpt"
"$BIN" supernet finetune --ckpt "$TMP/full.ckpt" --arch gpt-xxs-1-64-2-1-False --steps 2 > /dev/null 2> "$TMP/err"
check "finetune: bad arch exit 2" test $? -eq 2
check "  one line" test "$(wc -l < "$TMP/err")" -eq 1
"$BIN" supernet finetune --ckpt "$TMP/full.ckpt" --arch gpt-xxs-1-16-2-1-False > /dev/null 2> "$TMP/err"
check "finetune: --steps required" test $? -eq 2

# --- errors: one line, exit 2 ----------------------------------------------
"$BIN" supernet eval --space s --random-init --arch-file "$TMP/s.txt" --metrics perplexity > /dev/null 2> "$TMP/err"
check "random-init perplexity refused" test $? -eq 2
check "  one line" test "$(wc -l < "$TMP/err")" -eq 1
"$BIN" supernet eval --ckpt "$TMP/full.ckpt" --arch-file "$TMP/s.txt" --metrics params > /dev/null 2> "$TMP/err"
check "arch of another space: exit 2" test $? -eq 2
check "  names file:line" grep -q "^$TMP/s.txt:1: " "$TMP/err"
"$BIN" supernet train --space xxs --corpus "$TMP/nope.txt" --steps 2 --out "$TMP/x.ckpt" > /dev/null 2> "$TMP/err"
check "missing corpus: exit 2" test $? -eq 2
check "  names the file" grep -q "nope.txt" "$TMP/err"
"$BIN" supernet train --space xl --corpus "$TMP/text.txt" --steps 2 --out "$TMP/x.ckpt" > /dev/null 2> "$TMP/err"
check "unknown space: exit 2" test $? -eq 2
"$BIN" supernet train --space xxs --corpus "$TMP/text.txt" --steps 2 --seq-len 999 --out "$TMP/x.ckpt" > /dev/null 2> "$TMP/err"
check "sequence longer than the block: exit 2" test $? -eq 2
check "  says the range" grep -q "sequence length 999 not in 2..32" "$TMP/err"
head -c 1000 "$TMP/full.ckpt" > "$TMP/trunc.ckpt"
"$BIN" supernet eval --ckpt "$TMP/trunc.ckpt" --arch-file "$TMP/archs.txt" --metrics params > /dev/null 2> "$TMP/err"
check "truncated checkpoint: exit 2" test $? -eq 2
check "  one line" test "$(wc -l < "$TMP/err")" -eq 1
"$BIN" supernet frobnicate > /dev/null 2>&1
check "unknown subcommand: exit 2" test $? -eq 2
exit $fail
