#!/usr/bin/env bash
# Build and run the whole test suite twice: a normal Release build (build/)
# and an AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/).
# Usage: scripts/test.sh [--no-sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
HWNAS_BUILD=build bash scripts/setup.sh
(cd build && ctest --output-on-failure -j "$jobs")
if [ "${1:-}" != "--no-sanitize" ]; then
  HWNAS_BUILD=build-asan bash scripts/setup.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHWNAS_SANITIZE=ON
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd build-asan && ctest --output-on-failure -j "$jobs")
fi
