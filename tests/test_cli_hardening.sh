# tests/test_cli_hardening.sh — issue 8's command-level classes for the
# analysis commands (hv, igd, query, trajectory, front):
#   2. --out naming a FIFO, a device, a symlink or a directory: written
#      through / target replaced (link kept) / refused — never replaced;
#   5. overflow: hv with a reference point whose hypervolume leaves a double's
#      range and igd of ±1e308 points: exit 2 with one line, never nan/inf;
#      igd of 1e300 points: finite JSON;
#   8. stdout that cannot be written (/dev/full, closed): exit 1 and a
#      message, for every hwnas command that prints;
#   9. trajectory of a 12-objective, 1,000-evaluation log in bounded CPU time
#      (incremental hypervolume; the recomputing version needed ~70 s);
#  10. a .tmp log cut mid-line: --allow-incomplete reads its complete lines;
#  12. a UTF-8 BOM in an arch file; a directory, a FIFO or /dev/zero as a
#      model file (refused at once, named); a trailing comma in a config
#      reported on its own line.
. "$(dirname "$0")/lib.sh"
RUN="${HWNAS_BIN:-build}/run_experiment"

# one_line_err NAME WANT_RC PATTERN CMD...: exit WANT_RC, no stdout, one stderr line with PATTERN
one_line_err() {
    local name=$1 want=$2 pat=$3; shift 3
    local rc=0
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null || rc=$?
    check "$name: exit $rc, want $want ($(cat "$TMP/err"))" [ "$rc" -eq "$want" ]
    check "$name: stdout not empty: $(head -c 200 "$TMP/out")" [ ! -s "$TMP/out" ]
    check "$name: want one stderr line: $(cat "$TMP/err")" [ "$(wc -l <"$TMP/err")" -eq 1 ]
    check "$name: stderr lacks '$pat': $(cat "$TMP/err")" grep -q -- "$pat" "$TMP/err"
}

# ------------------------------------------------------------- a small log
cat >"$TMP/zdt.json" <<JSON
{"name": "z", "problem": {"name": "zdt1", "n_var": 3}, "optimizer": {"name": "random_search"},
 "budget": {"evaluations": 60}, "seeds": [1], "reference_point": [1.1, 1.1], "output": "$TMP/res"}
JSON
"$RUN" "$TMP/zdt.json" --quiet >/dev/null 2>"$TMP/err" || { echo "run_experiment failed: $(cat "$TMP/err")" >&2; exit 1; }
LOG="$TMP/res/z/seed_1.jsonl"
"$BIN" trajectory "$LOG" >"$TMP/trajectory.csv" || fail=1
"$BIN" front "$LOG" >"$TMP/front.csv" || fail=1

# ------------------------------------------------- 2. --out special files
for cmd in trajectory front; do
    want="$TMP/$cmd.csv"
    # FIFO: a reader gets the table, the FIFO stays a FIFO
    mkfifo "$TMP/fifo_$cmd"
    timeout 30 cat "$TMP/fifo_$cmd" >"$TMP/fifo_$cmd.got" &
    reader=$!
    timeout 20 "$BIN" $cmd --out "$TMP/fifo_$cmd" "$LOG" 2>"$TMP/err"
    rc=$?; check "$cmd --out FIFO: exit 0 ($(cat "$TMP/err"))" [ $rc -eq 0 ]
    wait $reader
    check "$cmd --out FIFO: still a FIFO" [ -p "$TMP/fifo_$cmd" ]
    check "$cmd --out FIFO: the reader got the table" cmp -s "$want" "$TMP/fifo_$cmd.got"
    check "$cmd --out FIFO: no .tmp left" [ ! -e "$TMP/fifo_$cmd.tmp" ]
    # a character device: written through, not replaced.  Never a system
    # device (a regressed binary would replace /dev/null for everyone): a
    # private null device node, which only root can create.
    if mknod "$TMP/null_$cmd" c 1 3 2>/dev/null; then
        "$BIN" $cmd --out "$TMP/null_$cmd" "$LOG" 2>"$TMP/err"
        rc=$?; check "$cmd --out DEVICE: exit 0 ($(cat "$TMP/err"))" [ $rc -eq 0 ]
        check "$cmd --out DEVICE: still a character device" [ -c "$TMP/null_$cmd" ]
    fi
    # symlink to a regular file: the link stays, its target gets the table
    echo old >"$TMP/target_$cmd.csv"
    ln -s "$TMP/target_$cmd.csv" "$TMP/link_$cmd.csv"
    "$BIN" $cmd --out "$TMP/link_$cmd.csv" "$LOG" 2>"$TMP/err"
    rc=$?; check "$cmd --out symlink: exit 0 ($(cat "$TMP/err"))" [ $rc -eq 0 ]
    check "$cmd --out symlink: still a symlink" [ -L "$TMP/link_$cmd.csv" ]
    check "$cmd --out symlink: target written" cmp -s "$want" "$TMP/target_$cmd.csv"
    # a directory: refused with one line, left alone
    mkdir "$TMP/dir_$cmd"
    one_line_err "$cmd --out DIR" 1 "is a directory" "$BIN" $cmd --out "$TMP/dir_$cmd" "$LOG"
    check "$cmd --out DIR: still a directory" [ -d "$TMP/dir_$cmd" ]
    # a regular file: replaced atomically with the table
    echo old >"$TMP/reg_$cmd.csv"
    "$BIN" $cmd --out "$TMP/reg_$cmd.csv" "$LOG" || fail=1
    check "$cmd --out FILE" cmp -s "$want" "$TMP/reg_$cmd.csv"
done

# ---------------------------------------------------------------- 5. overflow
printf '0 0\n0.5 0.25\n' >"$TMP/p2.txt"
one_line_err "hv --ref 1e200,1e200" 2 "beyond the range of a double" "$BIN" hv --ref 1e200,1e200 "$TMP/p2.txt"
one_line_err "hv --ref 1e308 vs -1e308" 2 "beyond the range of a double" \
    "$BIN" hv --ref 1e308,1 <(printf -- '-1e308 0.5\n')
out=$("$BIN" hv --ref 1e150,1e150 "$TMP/p2.txt") || fail=1
check "hv --ref 1e150: finite ($out)" python3 -c 'import math,sys; sys.exit(0 if math.isfinite(float(sys.argv[1])) and float(sys.argv[1]) > 9e299 else 1)' "$out"
printf '1e308 1e308\n-1e308 -1e308\n' >"$TMP/zbig.txt"
printf '1e308 -1e308\n' >"$TMP/abig.txt"
one_line_err "igd ±1e308" 2 "range of a double" "$BIN" igd "$TMP/zbig.txt" "$TMP/abig.txt"
printf '1e300 1e300\n-1e300 -1e300\n' >"$TMP/z300.txt"
printf '1e300 -1e300\n' >"$TMP/a300.txt"
out=$("$BIN" igd "$TMP/z300.txt" "$TMP/a300.txt" 2>"$TMP/err") || fail=1
check "igd 1e300: valid JSON with finite numbers ($out)" python3 -c '
import json, math, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["igd"] == 2e300 and d["igd_plus"] == 1e300 else 1)' "$out"
one_line_err "trajectory --ref 1e200,1e200" 2 "beyond the range of a double" \
    "$BIN" trajectory --ref 1e200,1e200 "$LOG"

# ---------------------------------------------------------- 8. stdout errors
if [ -w /dev/full ]; then
    printf '%s\n' "$EX" >"$TMP/arch.txt"
    for args in "hv --ref 1,1 $TMP/p2.txt" "igd $TMP/p2.txt $TMP/p2.txt" "trajectory $LOG" "front $LOG" \
                "query --scale s --metrics params --arch-file $TMP/arch.txt" "hv --help" "--help" "--version"; do
        # shellcheck disable=SC2086
        one_line_err "hwnas $args >/dev/full" 1 "cannot write" sh -c '"$0" "$@" >/dev/full' "$BIN" $args
    done
fi
# shellcheck disable=SC2086
"$BIN" hv --ref 1,1 "$TMP/p2.txt" >&- 2>"$TMP/err"
check "hv >&-: exit 1" [ $? -eq 1 ]
check "hv >&-: says so" grep -q "cannot write to stdout" "$TMP/err"

# ------------------------------------------------- 10. a log cut mid-line
n_lines=$(wc -l <"$LOG")
head -n 31 "$LOG" >"$TMP/cut.jsonl.tmp"                        # metadata + evals 0..29
sed -n 32p "$LOG" | head -c 25 >>"$TMP/cut.jsonl.tmp"          # eval 30, cut
"$BIN" trajectory --allow-incomplete "$TMP/cut.jsonl.tmp" >"$TMP/cut.csv" 2>"$TMP/err"
rc=$?; check "trajectory --allow-incomplete on a cut log: exit 0 ($(cat "$TMP/err"))" [ $rc -eq 0 ]
check "cut log: 30 rows" [ "$(($(wc -l <"$TMP/cut.csv") - 1))" -eq 30 ]
check "cut log: rows equal the full log's first 30" cmp -s "$TMP/cut.csv" <(head -n 31 "$TMP/trajectory.csv")
"$BIN" front --allow-incomplete "$TMP/cut.jsonl.tmp" >"$TMP/cutf.csv" 2>"$TMP/err"
rc=$?; check "front --allow-incomplete on a cut log: exit 0 ($(cat "$TMP/err"))" [ $rc -eq 0 ]
one_line_err "cut log without --allow-incomplete" 2 "incomplete log" "$BIN" trajectory "$TMP/cut.jsonl.tmp"
# a bad line that is not the last stays an error
{ head -n 5 "$LOG"; echo '{"eval": 4, "f": [1,'; sed -n '7,$p' "$LOG"; } >"$TMP/mid.jsonl.tmp"
one_line_err "broken middle line" 2 "mid.jsonl.tmp:6: invalid JSON" "$BIN" trajectory --allow-incomplete "$TMP/mid.jsonl.tmp"
check "log has $n_lines lines" [ "$n_lines" -gt 32 ]

# --------------------------------------------------------- 12. small ones
printf '\357\273\277%s\n' "$EX" >"$TMP/bom.txt"
out=$("$BIN" query --scale s --metrics params --arch-file "$TMP/bom.txt" 2>"$TMP/err")
rc=$?; check "arch file with a BOM: exit 0 ($(cat "$TMP/err"))" [ $rc -eq 0 ]
check "arch file with a BOM: the arch ($out)" grep -q "\"arch\": \"$EX\"" <<<"$out"
printf '\357\273\2770.5 0.5\n' >"$TMP/pbom.txt"
out=$("$BIN" hv --ref 1,1 "$TMP/pbom.txt") || fail=1
check "point file with a BOM ($out)" [ "$out" = 0.25 ]
printf '%s\n' "$EX" >"$TMP/arch.txt"
mkdir -p "$TMP/mdir/s.hwsur" "$TMP/mfifo" "$TMP/mzero"
mkfifo "$TMP/mfifo/s.hwsur"
ln -s /dev/zero "$TMP/mzero/s.hwsur"
one_line_err "model file is a directory" 2 "s.hwsur: model file is a directory" \
    "$BIN" query --scale s --metrics perplexity --arch-file "$TMP/arch.txt" --models "$TMP/mdir"
one_line_err "model file is a FIFO" 2 "s.hwsur: model file is a FIFO" \
    timeout 20 "$BIN" query --scale s --metrics perplexity --arch-file "$TMP/arch.txt" --models "$TMP/mfifo"
one_line_err "model file is /dev/zero" 2 "s.hwsur: model file is a character device" \
    timeout 20 "$BIN" query --scale s --metrics perplexity --arch-file "$TMP/arch.txt" --models "$TMP/mzero"
one_line_err "checkpoint is a FIFO" 2 "s.hwsur: checkpoint is a FIFO" \
    timeout 20 "$BIN" query --predictor hwgpt-mlp --scale s --metrics perplexity --arch-file "$TMP/arch.txt" \
    --checkpoint "$TMP/mfifo/s.hwsur"
printf '{"name": "x",\n "seeds": [1, 2],\n}\n' >"$TMP/comma.json"
one_line_err "trailing comma" 2 "comma.json:2:17: invalid JSON: trailing comma before '}'" "$RUN" "$TMP/comma.json" --dry-run

# --------------------------------------- 9. a 12-objective log, bounded CPU
cat >"$TMP/d12.json" <<JSON
{"name": "d12", "problem": {"name": "dtlz2", "n_var": 15, "n_obj": 12}, "optimizer": {"name": "random_search"},
 "budget": {"evaluations": 1000}, "seeds": [1], "output": "$TMP/res",
 "reference_point": [1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1]}
JSON
"$RUN" "$TMP/d12.json" --quiet >/dev/null 2>"$TMP/err" || { echo "FAIL: run_experiment d12: $(cat "$TMP/err")" >&2; fail=1; }
# CPU seconds, not wall time (the machine may be busy): the run itself takes
# about 1 s (mostly its summary's hypervolume); recomputing after every
# change took ~70 s, the incremental trajectory ~3 s (x3 under ASan).
(ulimit -t 40; "$BIN" trajectory "$TMP/res/d12/seed_1.jsonl" >"$TMP/d12.csv" 2>"$TMP/err")
check "12-objective trajectory within 40 CPU seconds: exit $? ($(cat "$TMP/err"))" [ -s "$TMP/d12.csv" ]
check "12-objective trajectory: 1000 rows" [ "$(($(wc -l <"$TMP/d12.csv") - 1))" -eq 1000 ]
exit $fail
