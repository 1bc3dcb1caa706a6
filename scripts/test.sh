#!/usr/bin/env bash
# Build and run the whole test suite twice: a normal Release build (build/)
# and an AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/);
# after the first, the Python package's tests (pip install . into build/venv).
#
#   scripts/test.sh [--no-sanitize]
#
# Each build goes through scripts/setup.sh (which installs what is missing).
# Ends with the reasons of the tests each build skipped (tests/skip_report.sh;
# under CI=true a test that needs the HW-GPT-Bench data fails instead).
set -euo pipefail
case "${1:-}" in
-h | --help)
    sed -n '2,10s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
--no-sanitize | "") ;;
*)
    echo "scripts/test.sh: unknown option '$1' (usage: scripts/test.sh [--no-sanitize])" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."
jobs=$(nproc)
builds=(build)
HWNAS_BUILD=build bash scripts/setup.sh
(cd build && ctest --output-on-failure -j "$jobs")
# The Python package (docs/python.md): installed into the virtual
# environment build/venv the way the README says, with pytest, pandas and
# pymoo from PyPI; its tests compare it with the programs of build/.
echo "test.sh: the Python package: pip install . into build/venv, then pytest tests/python" >&2
[ -x build/venv/bin/python ] || python3 -m venv build/venv
build/venv/bin/python -m pip install -q --upgrade pip
build/venv/bin/python -m pip install -q . pytest pandas pymoo
HWNAS_BIN=build build/venv/bin/python -m pytest -q tests/python
if [ "${1:-}" != "--no-sanitize" ]; then
  builds+=(build-asan)
  HWNAS_BUILD=build-asan bash scripts/setup.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHWNAS_SANITIZE=ON
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd build-asan && ctest --output-on-failure -j "$jobs")
fi
for b in "${builds[@]}"; do
  skips=$(bash tests/skip_report.sh "$b")
  if [ -n "$skips" ]; then printf 'test.sh: %s: %s\n' "$b" "$skips"; else echo "test.sh: $b: all tests ran and passed"; fi
done
