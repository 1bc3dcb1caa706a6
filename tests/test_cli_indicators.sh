#!/usr/bin/env bash
# hwnas hv / hwnas igd on small files with hand-computed answers, stdin input,
# and bad input (exit status 2 with a one-line message naming the problem).
set -u
bin="$HWNAS_BIN/hwnas"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect_out NAME EXPECTED_STDOUT CMD...: exit 0 and exactly this stdout
expect_out() {
  local name=$1 want=$2; shift 2
  local got rc
  got=$("$@" 2>"$tmp/err"); rc=$?
  [ "$rc" -eq 0 ] || fail "$name: exit $rc ($(cat "$tmp/err"))"
  [ "$got" = "$want" ] || fail "$name: got '$got', want '$want'"
}

# expect_err NAME PATTERN CMD...: exit 2, one stderr line matching PATTERN, no stdout
expect_err() {
  local name=$1 pat=$2; shift 2
  local out rc
  out=$("$@" 2>"$tmp/err" </dev/null); rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, want 2"
  [ -z "$out" ] || fail "$name: unexpected stdout '$out'"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$name: want one stderr line, got: $(cat "$tmp/err")"
  grep -q -- "$pat" "$tmp/err" || fail "$name: stderr '$(cat "$tmp/err")' lacks '$pat'"
}

# 2-D staircase (1,3) (2,2) (3,1), ref (4,4): 3 + 2 + 1 = 6, with a comment,
# a blank line, a dominated point and a point outside the box.
cat >"$tmp/a2.txt" <<'EOF'
# objectives: f1 f2
1 3
2	2

3 1
3.5 3.5
5 0
EOF
expect_out hv_2d 6 "$bin" hv --ref 4,4 "$tmp/a2.txt"
expect_out hv_2d_ref_equals 6 "$bin" hv --ref=4,4 "$tmp/a2.txt"
# Smaller box (3,3): (1,3) and (3,1) lie on its boundary and count nothing;
# (2,2) gives 1x1.  HV = 1.
expect_out hv_2d_boundary 1 "$bin" hv --ref 3,3 "$tmp/a2.txt"

# 3-D: corners (0,1,1) (1,0,1) (1,1,0), ref (2,2,2): 3*2 - 3*1 + 1 = 4.
printf '0 1 1\n1 0 1\n1 1 0\n' >"$tmp/a3.txt"
expect_out hv_3d 4 "$bin" hv --ref 2,2,2 "$tmp/a3.txt"
# Same from stdin
got=$(printf '0 1 1\n1 0 1\n1 1 0\n' | "$bin" hv --ref 2,2,2 -) || fail "hv stdin: exit $?"
[ "$got" = 4 ] || fail "hv stdin: got '$got', want 4"
# 17 significant digits: single point (0.9, 0.9), ref (1,1): (1 - 0.9)^2 in
# binary, where 1 - 0.9 = 0.09999999999999998 (not 0.1), so the square is
# 0.009999999999999995 (python3: "%.17g" % ((1-0.9)*(1-0.9))), not 0.1 * 0.1.
printf '0.9 0.9\n' >"$tmp/p.txt"
want=0.009999999999999995
if command -v python3 >/dev/null; then
  py=$(python3 -c 'print("%.17g" % ((1-0.9)*(1-0.9)))') || fail "python3 reference"
  [ "$py" = "$want" ] || fail "hv_17_digits reference: python3 says $py, the test $want"
fi
expect_out hv_17_digits "$want" "$bin" hv --ref 1,1 "$tmp/p.txt"
# No point in the box and an empty file: HV 0
printf '2 2\n' >"$tmp/out.txt"
expect_out hv_outside 0 "$bin" hv --ref 1,1 "$tmp/out.txt"
printf '# nothing\n' >"$tmp/empty.txt"
expect_out hv_empty 0 "$bin" hv --ref 1,1 "$tmp/empty.txt"

"$bin" hv --help >"$tmp/help" 2>&1 || fail "hv --help: exit $?"
grep -q "usage: hwnas hv" "$tmp/help" || fail "hv --help: no usage line"

# Bad input
expect_err hv_missing_ref "missing --ref" "$bin" hv "$tmp/a2.txt"
expect_err hv_bad_ref "bad --ref '4,x'" "$bin" hv --ref 4,x "$tmp/a2.txt"
expect_err hv_bad_ref_nan "bad --ref" "$bin" hv --ref 4,nan "$tmp/a2.txt"
expect_err hv_bad_ref_empty "bad --ref" "$bin" hv --ref 4, "$tmp/a2.txt"
expect_err hv_missing_file "nope.txt: cannot open" "$bin" hv --ref 4,4 "$tmp/nope.txt"
expect_err hv_wrong_dim "a3.txt:1: expected 2 numbers, got 3" "$bin" hv --ref 4,4 "$tmp/a3.txt"
printf '1 2\n1 2\n3\n' >"$tmp/short.txt"
expect_err hv_short_line "short.txt:3: expected 2 numbers, got 1" "$bin" hv --ref 4,4 "$tmp/short.txt"
printf '1 2\n1 abc\n' >"$tmp/word.txt"
expect_err hv_non_numeric "word.txt:2: not a number: 'abc'" "$bin" hv --ref 4,4 "$tmp/word.txt"
printf '1 2\n\n1 nan\n' >"$tmp/nan.txt"
expect_err hv_nan "nan.txt:3: value 2 is not finite" "$bin" hv --ref 4,4 "$tmp/nan.txt"
printf '1 2\ninf 1\n' >"$tmp/inf.txt"
expect_err hv_inf "inf.txt:2: value 1 is not finite" "$bin" hv --ref 4,4 "$tmp/inf.txt"
expect_err hv_unknown_option "unknown option '--bogus'" "$bin" hv --bogus --ref 4,4 "$tmp/a2.txt"

# IGD: reference front (0,1) (1,0), approximation (0.5,0.5): each reference
# point is sqrt(0.5) away; IGD+ counts only the worse part: 0.5 each.
printf '0 1\n1 0\n' >"$tmp/zf.txt"
printf '0.5 0.5\n' >"$tmp/af.txt"
expect_out igd_hand '{"igd": 0.70710678118654757, "igd_plus": 0.5}' "$bin" igd "$tmp/zf.txt" "$tmp/af.txt"
# Approximation (1,1) against the same front: both 1.
printf '1 1\n' >"$tmp/af1.txt"
expect_out igd_hand2 '{"igd": 1, "igd_plus": 1}' "$bin" igd "$tmp/zf.txt" "$tmp/af1.txt"
# A set against itself: 0, reading the approximation from stdin.
got=$("$bin" igd "$tmp/a3.txt" - <"$tmp/a3.txt") || fail "igd stdin: exit $?"
[ "$got" = '{"igd": 0, "igd_plus": 0}' ] || fail "igd stdin: got '$got'"
"$bin" igd --help >"$tmp/help" 2>&1 || fail "igd --help: exit $?"
grep -q "usage: hwnas igd" "$tmp/help" || fail "igd --help: no usage line"

expect_err igd_dim_mismatch "a3.txt:1: expected 2 numbers, got 3" "$bin" igd "$tmp/zf.txt" "$tmp/a3.txt"
expect_err igd_empty_ref "no points in the reference front" "$bin" igd "$tmp/empty.txt" "$tmp/af.txt"
expect_err igd_empty_approx "no points in the approximation set" "$bin" igd "$tmp/zf.txt" "$tmp/empty.txt"
expect_err igd_missing_file "nope.txt: cannot open" "$bin" igd "$tmp/zf.txt" "$tmp/nope.txt"
expect_err igd_one_file "expected REF_FILE and APPROX_FILE" "$bin" igd "$tmp/zf.txt"
expect_err igd_bad_token "word.txt:2: not a number" "$bin" igd "$tmp/word.txt" "$tmp/af.txt"

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed" >&2
  exit 1
fi
echo "all hv/igd CLI checks passed"
