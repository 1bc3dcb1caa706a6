#!/usr/bin/env bash
# Install what the build, the tests and the documented workflow need (Debian
# 12, from Debian's packages) when missing, then configure and build hwnas
# into build/ (or $HWNAS_BUILD).
#
#   scripts/setup.sh [extra cmake args...]
#
# Packages: the build (build-essential cmake libgsl-dev libcjson-dev
# zlib1g-dev), the tests and scripts (python3, python3-venv), the plots (python3-numpy
# python3-matplotlib), git (the commit recorded in every log) with
# ca-certificates, libopenblas-dev and libopenblas0-openmp (the supernet's matrix
# products; the OpenMP build shares the loops' threads),
# fortunes (its English text corpus) and libopenmpi-dev openmpi-bin (mpirun
# spreads a grid's runs over ranks; the build works without them).  As root
# it runs apt-get; otherwise through sudo; without sudo it prints the one
# apt-get command to run as root and exits 1.  Progress goes
# to stderr, a line per stage; on a terminal the build's own output too (else
# it is kept in $HWNAS_BUILD/setup.log and shown on failure).
set -euo pipefail
case "${1:-}" in
-h | --help)
    sed -n '2,18s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
esac
cd "$(dirname "$0")/.."
pkgs=(build-essential cmake libgsl-dev libcjson-dev zlib1g-dev
      python3 python3-numpy python3-matplotlib python3-venv
      git ca-certificates libopenblas-dev libopenblas0-openmp fortunes libopenmpi-dev openmpi-bin)
say() { echo "setup: $*" >&2; }
SECONDS=0

install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends"
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
else
    say "not a Debian system (no dpkg-query): make sure the equivalents of ${pkgs[*]} are installed; building anyway"
fi
if ((${#missing[@]})); then
    priv=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            priv=(sudo)
        else
            say "missing Debian packages: ${missing[*]}. You are not root and there is no sudo, so nothing can be installed from here: as root (su -, or ask your administrator) run
    $install_cmd ${missing[*]}
then run scripts/setup.sh again."
            exit 1
        fi
    fi
    say "installing ${#missing[@]} packages with ${priv[*]:+${priv[*]} }apt-get: ${missing[*]} (a few minutes on a fresh system)"
    if ! { "${priv[@]}" apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive "${priv[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
        say "installing failed (see above); as root run
    $install_cmd ${missing[*]}
then run scripts/setup.sh again."
        exit 1
    fi
    say "installed in ${SECONDS} s"
fi

build=${HWNAS_BUILD:-build}
jobs=$(nproc)
mkdir -p "$build"
log="$build/setup.log"
# run_stage WHAT CMD...: the command's output on a terminal, else into $log
# (printed when it fails)
run_stage() {
    local what=$1 t0=$SECONDS
    shift
    say "$what"
    if [ -t 2 ]; then
        "$@" >&2
    elif ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        say "$what: failed (output above, also in $log)"
        return 1
    fi
    [ $((SECONDS - t0)) -lt 2 ] || say "  done in $((SECONDS - t0)) s"
}
run_stage "configuring $build (cmake)" cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
run_stage "building $build with $jobs jobs (about a minute from scratch)" cmake --build "$build" -j "$jobs"
say "built $build/run_experiment and $build/hwnas (${SECONDS} s in all)"

# The plot scripts need a Python with numpy and matplotlib; say now if the one
# on PATH is not it (a pyenv or conda interpreter, say).
. scripts/lib_python.sh
if py=$(plot_python 2>/dev/null); then
    [ "$py" = python3 ] || say "note: python3 on PATH ($(command -v python3 || echo none)) cannot import matplotlib; the scripts use $py (set HWNAS_PYTHON to choose)"
else
    plot_python >/dev/null || true
    say "note: the plot scripts will not run until that is fixed (everything else does)"
fi
