#!/usr/bin/env bash
# The GPU check of the supernet's CUDA forward, for a session lent a GPU:
# builds hwnas with CUDA, runs the CUDA tests (none may skip), runs
# build/bench_supernet (CPU and GPU parts, even when a test failed) and
# prints the figures.
#
#   scripts/gpu_check.sh [BUILD_DIR]     (default build-gpu; about 3-5 minutes)
#
# Needs nvcc, cuBLAS and a CUDA device (nvidia-smi), plus the packages of
# scripts/setup.sh (it is not run here: a GPU machine may have no network).
# The CUDA architecture is the device's (nvidia-smi's compute capability)
# unless CUDAARCHS is set.  Environment: HWNAS_BENCH_RUNS (timed runs of
# bench_supernet, default 5).  Exit 0 only when everything ran and passed;
# the figures end the output (copy them into the issue's closing note).
set -euo pipefail
case "${1:-}" in
-h | --help)
    sed -n '2,14s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
esac
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$src/build-gpu}"
runs="${HWNAS_BENCH_RUNS:-5}"
say() { printf 'gpu_check: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
t0=$(date +%s)

command -v nvidia-smi > /dev/null || die "nvidia-smi not found: no NVIDIA driver on this machine"
nvidia-smi -L || die "nvidia-smi -L failed: no usable GPU"
nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
[ -x "$nvcc" ] || die "nvcc not found (PATH or /usr/local/cuda/bin)"
"$nvcc" --version | tail -n 1
if [ -z "${CUDAARCHS:-}" ]; then
    cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2> /dev/null | head -n 1 | tr -d ' .')
    [ -n "$cap" ] && export CUDAARCHS="$cap"
fi
mkdir -p "$build"
say "configuring $build (CUDA architectures ${CUDAARCHS:-default})"
CUDACXX="$nvcc" cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHWNAS_CUDA=ON > "$build/gpu_check.configure.log" 2>&1 ||
    { tail -n 20 "$build/gpu_check.configure.log" >&2; die "cmake configure (log: $build/gpu_check.configure.log)"; }
! grep -q 'building without CUDA' "$build/gpu_check.configure.log" ||
    die "$(grep -o 'hwnas: .*building without CUDA' "$build/gpu_check.configure.log")"
say "building"
cmake --build "$build" -j "$(nproc)" --target hwnas_cuda hwnas_cli bench_supernet test_supernet_cuda > "$build/gpu_check.build.log" 2>&1 ||
    { grep -E 'error|hwnas_cuda' "$build/gpu_check.build.log" | head -n 20 >&2; die "build (log: $build/gpu_check.build.log)"; }
[ -f "$build/libhwnas_cuda.so" ] || die "no $build/libhwnas_cuda.so: CMake did not find nvcc and cuBLAS (see $build/gpu_check.configure.log)"

failed=""
say "CUDA tests"
(cd "$build" && ctest -R 'supernet_cuda' --output-on-failure) || failed="$failed CUDA tests failed;"
skips=$(bash "$src/tests/skip_report.sh" "$build")
[ -z "$skips" ] || failed="$failed CUDA tests skipped: $skips;"

say "bench_supernet $runs 1024"
timeout 600 "$build/bench_supernet" "$runs" 1024 | tee "$build/gpu_check.bench.txt" || failed="$failed bench_supernet failed;"
! grep -q '^gpu: skipped\|^gpu: failed' "$build/gpu_check.bench.txt" || failed="$failed the GPU part of bench_supernet did not run;"

echo
echo "== figures ($(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1), $(nproc) CPU cores, load $(cut -d' ' -f1 /proc/loadavg), $(($(date +%s) - t0)) s) =="
grep -E '^(gpu|forward|sgemm)' "$build/gpu_check.bench.txt" || true
[ -z "$failed" ] || die "$failed"
say "all passed"
