# tests/test_skip_report.sh — ctest's normal output says why tests were
# skipped: a small project with this tree's tests/skip_report.cmake, three
# tests skipped for two reasons (a C harness line "SKIP [case]: ..." and a
# shell line "SKIP: ..."), one passing, one failing after printing a SKIP
# line; plain `ctest` must print the two reasons and the skipped tests'
# names (after its summary), and nothing about the others.  Then the same report read back by
# tests/skip_report.sh from the finished LastTest.log.
set -u
SRC="${HWNAS_SRC:?}"
. "$(dirname "$0")/lib_run.sh"
command -v cmake > /dev/null && command -v ctest > /dev/null || { echo "cmake/ctest not found" >&2; exit 1; }

mkdir -p "$T/p"
cat > "$T/p/CMakeLists.txt" <<EOC
cmake_minimum_required(VERSION 3.18)
project(skips NONE)
enable_testing()
add_test(NAME c_one COMMAND sh -c "echo 'ok  a'; echo 'SKIP [c_one]: needs the data at /x' >&2; exit 77")
add_test(NAME c_two COMMAND sh -c "echo 'SKIP [c_two]: needs the data at /x' >&2; exit 77")
add_test(NAME sh_one COMMAND sh -c "echo 'SKIP: no GPU here (the CPU checks passed)' >&2; exit 77")
add_test(NAME passes COMMAND sh -c "echo fine")
add_test(NAME fails COMMAND sh -c "echo 'SKIP: not really' >&2; exit 1")
set_tests_properties(c_one c_two sh_one passes fails PROPERTIES SKIP_RETURN_CODE 77)
include("$SRC/tests/skip_report.cmake")
EOC
cmake -S "$T/p" -B "$T/b" > "$T/cfg" 2>&1 || fail "configure: $(cat "$T/cfg")"
(cd "$T/b" && ctest) > "$T/out" 2>&1   # exits 8: one test fails
cat > "$T/want" <<'EOW'
skipped 3 tests:
  needs the data at /x: c_one, c_two
  no GPU here (the CPU checks passed): sh_one
EOW
grep -A 2 -x "skipped 3 tests:" "$T/out" | cmp -s - "$T/want" || fail "ctest's output lacks the skip reasons: $(tail -n 8 "$T/out")"
grep -q "not really" "$T/out" && fail "a failed test's SKIP line was reported as a skip"
bash "$SRC/tests/skip_report.sh" "$T/b" | cmp -s - "$T/want" ||
    fail "skip_report.sh on the finished log: $(bash "$SRC/tests/skip_report.sh" "$T/b")"
# nothing skipped: nothing printed
(cd "$T/b" && ctest -R passes) > "$T/out2" 2>&1 || fail "ctest -R passes: $(cat "$T/out2")"
grep -q "skipped" "$T/out2" && fail "a run without skips printed: $(grep skipped "$T/out2")"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok"
