#!/usr/bin/env bash
# tests/skip_report.sh BUILD_DIR — prints why tests were skipped in the last
# ctest run of BUILD_DIR: the "SKIP..." lines each skipped test printed (the
# C harness's hwt_skip, tests/lib.sh's skip_without_data), one line per test:
#
#   skipped test_cli_query: SKIP: data directory /x/hwgpt-bench missing (...)
#
# ctest runs it after every run (CTEST_CUSTOM_POST_TEST, written by
# tests/CMakeLists.txt) since its own summary lists skipped tests without the
# reason; scripts/test.sh prints it again at the end.  Reads
# Testing/Temporary/LastTest.log, or the .tmp ctest writes it as until the
# run ends.  Prints nothing when nothing was skipped.
set -u
dir="${1:?usage: tests/skip_report.sh BUILD_DIR}/Testing/Temporary"
log="$dir/LastTest.log"
[ -f "$log.tmp" ] && { [ ! -f "$log" ] || [ "$log.tmp" -nt "$log" ]; } && log="$log.tmp"
[ -f "$log" ] || exit 0
# A test's block: "N/M Test: NAME", "Output:", its output, "<end of output>",
# then "Test Passed." / "Test Failed." / ...; ctest 3.25 logs a skipped test
# (exit 77) as passed, so a SKIP line in a test that did not fail is a skip.
# Tests skipped for the same reason share a line.
awk '
/^[0-9]+\/[0-9]+ Test: /   { name = $3; why = ""; inout = 0; next }
/^Output:$/                { inout = 1; next }
/^<end of output>$/        { inout = 0; next }
inout && /^SKIP/ && why == "" {
    why = $0
    sub(/^SKIP( \[[^]]*\])?:? */, "", why)
    next
}
/^Test Failed/             { why = ""; next }
/^"[^"]*" end time:/ {
    if (why != "") {
        if (count[why]++) tests[why] = tests[why] ", " name
        else { order[nr++] = why; tests[why] = name }
        total++
    }
    why = ""
}
END {
    if (!total) exit
    printf "skipped %d test%s:\n", total, (total > 1 ? "s" : "")
    for (i = 0; i < nr; i++) printf "  %s: %s\n", order[i], tests[order[i]]
}
' "$log"
