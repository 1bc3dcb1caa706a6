# tests/lib.sh — the preamble shared by the `hwnas query` shell tests, sourced
# as `. "$(dirname "$0")/lib.sh"`: the binary, source and data paths (env
# HWNAS_BIN, HWNAS_SRC, HWNAS_DATA), a scratch directory removed on exit, the
# check helper that records failures in $fail, and the worked-example
# architecture of the data's README.
set -u
BIN="${HWNAS_BIN:-build}/hwnas"
SRC="${HWNAS_SRC:-.}"
DATA="${HWNAS_DATA:-$SRC/../shared/hwgpt-bench}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() { # check NAME CONDITION...
    local name=$1; shift
    if ! "$@"; then echo "FAIL: $name" >&2; fail=1; fi
}
# skip_without_data PATH WHAT: when PATH (under $DATA) is missing, fail under
# CI, else exit 1 if a check failed so far, or 77 (skipped) saying WHAT passed.
skip_without_data() {
    [ -e "$1" ] && return 0
    if [ "${CI:-}" = "true" ]; then echo "FAIL: data directory $DATA missing" >&2; exit 1; fi
    [ $fail -eq 0 ] || exit 1
    echo "SKIP: no HW-GPT-Bench data at $DATA (HWNAS_DATA; docs/data.md) ($2 passed)" >&2
    exit 77
}
EX="gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False"
