# tests/test_runner_hardening.sh — run_experiment against what a hostile
# pass found (issue 8, the runner's classes), one section per class:
#   1  two processes on one output directory (the lock), and a complete log
#      that is verifiably complete (NUL bytes in the middle: redone)
#   3  OMP_NUM_THREADS beyond the 4,096-thread cap
#   4  quadratic validation (10^6 seeds)
#   5  a reference point whose hypervolume box overflows
#   7  a rerun with different model files
#   8  stdout that cannot be written
#   11 statuses after a signal: every seed reported, truthfully
#   12 a seed of 1e-400 (underflows to 0)
. "$(dirname "$0")/lib_run.sh"
BIN="${HWNAS_BIN:-build}/run_experiment"
SRC="${HWNAS_SRC:-.}"

# wait_lines FILE N: until FILE has more than N lines (10 s at most)
wait_lines() {
    for _ in $(seq 200); do
        [ -e "$1" ] && [ "$(wc -l < "$1")" -gt "$2" ] && return 0
        sleep 0.05
    done
    return 1
}

long_config() {  # long_config NAME SEEDS: a run that lasts until interrupted
    cat > "$T/$1.json" <<EOF
{"name": "$1", "problem": {"name": "zdt1", "n_var": 30}, "optimizer": {"name": "random_search"},
 "budget": {"evaluations": 100000000}, "seeds": $2, "reference_point": [1.1, 1.1], "output": "$T/out"}
EOF
}

# ------------------------------------------------- 1. two processes, one run
long_config lock "[1]"
"$BIN" "$T/lock.json" --quiet --threads 1 > "$T/first.out" 2> "$T/first.err" &
first=$!
wait_lines "$T/out/lock/seed_1.jsonl.tmp" 2 || fail "lock: the first run did not start"
before=$(wc -c < "$T/out/lock/seed_1.jsonl.tmp")
timeout 10 "$BIN" "$T/lock.json" --quiet --threads 1 > "$T/second.out" 2> "$T/second.err"
rc=$?
[ "$rc" -eq 1 ] || fail "lock: the second process exited $rc, expected 1"
grep -q "seed_1.jsonl: locked by pid $first (host [^ ]*) since 20" "$T/second.err" \
    || fail "lock: the second process does not say who holds the lock: $(cat "$T/second.err")"
grep -q '"status":"locked"' "$T/second.out" || fail "lock: the result line does not report the seed as locked"
after=$(wc -c < "$T/out/lock/seed_1.jsonl.tmp")
[ "$after" -ge "$before" ] || fail "lock: the second process truncated the first's log ($before -> $after bytes)"
head -c 1 "$T/out/lock/seed_1.jsonl.tmp" | grep -q '{' || fail "lock: the first's log lost its first line"
kill -INT "$first"; wait "$first"
[ ! -e "$T/out/lock/seed_1.jsonl.lock" ] || fail "lock: the lock file was left behind"

# a complete log with NUL bytes in its middle is not complete: redone
cat > "$T/nul.json" <<EOF
{"name": "nul", "problem": {"name": "zdt1", "n_var": 5}, "optimizer": {"name": "nsga2", "population_size": 10},
 "budget": {"evaluations": 200}, "seeds": [1], "reference_point": [1.1, 1.1], "output": "$T/out"}
EOF
"$BIN" "$T/nul.json" --quiet > /dev/null || fail "nul: the first run failed"
L="$T/out/nul/seed_1.jsonl"
cp "$L" "$T/nul.orig"
size=$(wc -c < "$L")
dd if=/dev/zero of="$L" bs=1 seek=$((size / 3)) count=$((size / 3)) conv=notrunc 2> /dev/null
"$BIN" "$T/nul.json" --quiet > "$T/stdout" || fail "nul: the rerun failed"
grep -q '"status":"done"' "$T/stdout" || fail "nul: a log with NUL bytes was taken as complete: $(cat "$T/stdout")"
diff <(strip "$T/nul.orig") <(strip "$L") > /dev/null || fail "nul: the redone log differs from the original"
"$BIN" "$T/nul.json" --quiet > "$T/stdout" && grep -q '"status":"skipped"' "$T/stdout" \
    || fail "nul: an intact complete log is not skipped"
python3 -c '
import json, sys
table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    table.append(c)
def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = (c >> 8) ^ table[(c ^ b) & 0xFF]
    return c ^ 0xFFFFFFFF
assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
data = open(sys.argv[1], "rb").read()
body, last = data[:data.rstrip(b"\n").rfind(b"\n") + 1], data.rstrip(b"\n").rsplit(b"\n", 1)[1]
s = json.loads(last)
assert s["log_bytes"] == len(body) and s["log_crc32c"] == crc32c(body), (s["log_bytes"], len(body))
assert s["evaluations"] == body.count(b"\n") - 1' "$L" || fail "nul: log_bytes / log_crc32c do not match the log"

# -------------------------------------------------- 3. OMP_NUM_THREADS cap
OMP_NUM_THREADS=100000 "$BIN" "$T/nul.json" --quiet --force --threads 1 > /dev/null 2> "$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "OMP_NUM_THREADS=100000: exit status $rc, expected 2"
grep -q "OMP_NUM_THREADS: expected at most 4096 threads, got 100000" "$T/stderr" \
    || fail "OMP_NUM_THREADS=100000: no clear message: $(cat "$T/stderr")"

# -------------------------------------------- 4. 10^6 seeds validate quickly
python3 -c '
import json, sys
seeds = list(range(1000000)) + [5]
json.dump({"name": "many", "problem": {"name": "zdt1"}, "optimizer": {"name": "nsga2"},
           "budget": {"evaluations": 10}, "seeds": seeds, "output": sys.argv[2]}, open(sys.argv[1], "w"))' \
    "$T/many.json" "$T/out"
start=$(date +%s%N)
timeout 60 "$BIN" "$T/many.json" --dry-run > /dev/null 2> "$T/stderr"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" -eq 2 ] || fail "10^6 seeds: exit status $rc, expected 2 (a duplicate)"
grep -q "seeds\[1000000\]: duplicate seed 5" "$T/stderr" || fail "10^6 seeds: wrong message: $(cat "$T/stderr")"
# quadratic validation of 10^6 seeds would take hours: 30 s leaves room for a loaded sanitizer build
[ "$ms" -lt 30000 ] || fail "10^6 seeds: validation took $ms ms"

# ------------------------------------------ 5. reference point that overflows
cat > "$T/ref.json" <<EOF
{"name": "ref", "problem": {"name": "zdt1", "n_var": 5}, "optimizer": {"name": "random_search"},
 "budget": {"evaluations": 20}, "seeds": [1], "reference_point": [1e300, 1e300], "output": "$T/out"}
EOF
"$BIN" "$T/ref.json" --quiet > "$T/stdout" 2> "$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "reference point 1e300: exit status $rc, expected 2"
grep -q "ref.json: reference_point: its hypervolume box (up to 1e600) overflows a double" "$T/stderr" \
    || fail "reference point 1e300: no clear message: $(cat "$T/stderr")"
[ ! -e "$T/out/ref" ] || fail "reference point 1e300: output written"

# ------------------------------------------------- 7. other model files
mkdir -p "$T/models"
cp "$SRC"/surrogates/models/*.hwsur "$T/models/"
cat > "$T/models.json" <<EOF
{"name": "models", "problem": {"name": "hwgpt", "scale": "s", "device": "a100", "objectives": ["perplexity", "latency"]},
 "optimizer": {"name": "random_search"}, "budget": {"evaluations": 30}, "seeds": [1, 2], "output": "$T/out"}
EOF
HWNAS_MODELS="$T/models" "$BIN" "$T/models.json" --quiet --seed 1 > /dev/null || fail "models: the first run failed"
python3 -c '
import json, sys
meta = json.loads(open(sys.argv[1]).readline())
(f,) = meta["files"]
data = open(f["path"], "rb").read()
h = 14695981039346656037
for b in data:
    h = ((h ^ b) * 1099511628211) % 2**64
assert f["path"].endswith("/s.hwsur") and f["bytes"] == len(data) and f["fnv1a64"] == "%016x" % h, f' \
    "$T/out/models/seed_1.jsonl" || fail "models: the metadata does not identify the model file"
# the same models elsewhere are the same run: skipped
HWNAS_MODELS="$SRC/surrogates/models" "$BIN" "$T/models.json" --quiet --seed 1 > "$T/stdout" \
    && grep -q '"status":"skipped"' "$T/stdout" || fail "models: the same models in another directory redo the run"
# a valid model file with other content (one coefficient changed, checksum redone)
python3 -c '
import struct, sys, zlib
d = bytearray(open(sys.argv[1], "rb").read()[:-4])
d[-12] ^= 1
open(sys.argv[1], "wb").write(bytes(d) + struct.pack("<I", zlib.crc32(bytes(d))))' "$T/models/s.hwsur"
HWNAS_MODELS="$T/models" "$BIN" "$T/models.json" --quiet > "$T/stdout" 2> "$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "models: a rerun with other models exited $rc, expected 2"
grep -q "seed_1.jsonl is a complete log of a different config or other model files" "$T/stderr" \
    || fail "models: no clear message: $(cat "$T/stderr")"
[ ! -e "$T/out/models/seed_2.jsonl" ] || fail "models: seed 2 ran with the other models"
HWNAS_MODELS="$T/models" "$BIN" "$T/models.json" --quiet --force > /dev/null || fail "models: --force failed"

# ---------------------------------------------------- 8. stdout unwritable
if [ -w /dev/full ]; then
    "$BIN" "$T/nul.json" --quiet --force > /dev/full 2> "$T/stderr"
    rc=$?
    [ "$rc" -eq 1 ] || fail "stdout /dev/full: exit status $rc, expected 1"
    grep -q "run_experiment: cannot write the result to stdout: No space left on device" "$T/stderr" \
        || fail "stdout /dev/full: no message: $(cat "$T/stderr")"
    "$BIN" "$T/nul.json" --dry-run > /dev/full 2> /dev/null && fail "stdout /dev/full: --dry-run exited 0"
fi

# ------------------------------------------- 11. every seed, truthful status
long_config sig "[1, 2, 3]"
"$BIN" "$T/sig.json" --quiet --threads 1 > "$T/stdout" 2> "$T/stderr" &
pid=$!
wait_lines "$T/out/sig/seed_1.jsonl.tmp" 2 || fail "signal: the run did not start"
kill -TERM "$pid"; wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || fail "signal: exit status $rc, expected 143"
python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
got = [(x["seed"], x["status"]) for x in r["runs"]]
assert got == [(1, "interrupted"), (2, "pending"), (3, "pending")], got
assert r["runs"][1]["hypervolume"] is None' "$T/stdout" || fail "signal: statuses not reported for every seed"

# ------------------------------------------------------ 12. 1e-400 as a seed
cat > "$T/tiny.json" <<EOF
{"name": "tiny", "problem": {"name": "zdt1"}, "optimizer": {"name": "nsga2"},
 "budget": {"evaluations": 10}, "seeds": [1e-400], "output": "$T/out"}
EOF
"$BIN" "$T/tiny.json" --dry-run > /dev/null 2> "$T/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "seed 1e-400: exit status $rc, expected 2"
grep -q "tiny.json:2:43: number '1e-400' is too small for a double (it would read as 0)" "$T/stderr" \
    || fail "seed 1e-400: no clear message: $(cat "$T/stderr")"

if [ "$fails" -ne 0 ]; then echo "$fails failure(s)" >&2; exit 1; fi
echo "all run_experiment hardening checks passed"
