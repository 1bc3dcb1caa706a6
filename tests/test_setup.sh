# tests/test_setup.sh — scripts/setup.sh's decisions, on a copy of it with a
# PATH of stand-ins (nothing is installed or built):
#  1. not root, no sudo, packages missing: exit 1 with one message naming
#     every missing package and the apt-get command to run as root;
#  2. not root with sudo: apt-get through sudo; when that fails, exit 1 with
#     the same command;
#  3. root with everything installed: no apt-get; cmake configures (extra
#     arguments passed on) and builds, a line per stage on stderr;
#  4. --help prints the usage and does nothing.
set -u
SRC="${HWNAS_SRC:?}"
. "$(dirname "$0")/lib_run.sh"

mkdir -p "$T/src/scripts" "$T/bin"
cp "$SRC/scripts/setup.sh" "$SRC/scripts/lib_python.sh" "$T/src/scripts/"
for tool in bash dirname grep sed cat mkdir nproc tail; do
    ln -s "$(command -v "$tool")" "$T/bin/$tool"
done
# stand-ins, each logging its arguments to $T/calls
stub() { # stub NAME BODY
    printf '#!%s\necho "%s $*" >> "%s/calls"\n%s\n' "$(command -v bash)" "$1" "$T" "$2" > "$T/bin/$1"
    chmod +x "$T/bin/$1"
}
PKGS="build-essential cmake libgsl-dev libcjson-dev zlib1g-dev python3 python3-numpy python3-matplotlib python3-venv git ca-certificates libopenblas-dev libopenblas0-openmp fortunes libopenmpi-dev openmpi-bin"
run_setup() { # run_setup ARGS...: stdout+stderr in $T/out, status in $rc
    rm -f "$T/calls"
    PATH="$T/bin" "$T/bin/bash" "$T/src/scripts/setup.sh" "$@" > "$T/out" 2>&1 < /dev/null
    rc=$?
}

# 1. a user without sudo on a system that lacks everything
stub id 'echo 1000'
stub dpkg-query 'exit 1'
run_setup
[ "$rc" -eq 1 ] || fail "no sudo: exit $rc, want 1: $(cat "$T/out")"
grep -q "not root and there is no sudo" "$T/out" || fail "no sudo: message: $(cat "$T/out")"
grep -q "apt-get install -y --no-install-recommends $PKGS\$" "$T/out" ||
    fail "no sudo: the apt-get command with every package is missing: $(cat "$T/out")"
[ "$(grep -c '^setup:' "$T/out")" -eq 1 ] || fail "no sudo: want one message: $(cat "$T/out")"
[ ! -e "$T/src/build" ] || fail "no sudo: a build directory was created"
grep -q "^cmake" "$T/calls" 2>/dev/null && fail "no sudo: cmake ran"

# 2. with sudo, which fails (not in sudoers, say); two packages missing
stub dpkg-query 'case "$3" in python3-matplotlib|libopenblas-dev) exit 1;; esac; echo "install ok installed"'
stub sudo 'exit 1'
run_setup
[ "$rc" -eq 1 ] || fail "sudo: exit $rc, want 1: $(cat "$T/out")"
grep -q "^sudo apt-get update" "$T/calls" || fail "sudo: apt-get was not run through sudo: $(cat "$T/calls")"
grep -q "installing 2 packages with sudo apt-get: python3-matplotlib libopenblas-dev" "$T/out" ||
    fail "sudo: progress line: $(cat "$T/out")"
grep -q "apt-get install -y --no-install-recommends python3-matplotlib libopenblas-dev\$" "$T/out" ||
    fail "sudo: failure message lacks the command: $(cat "$T/out")"
rm -f "$T/bin/sudo"

# 3. root, everything installed: configure + build with the extra arguments
stub id 'echo 0'
stub dpkg-query 'echo "install ok installed"'
stub apt-get 'exit 0'
stub cmake 'exit 0'
run_setup -DHWNAS_SANITIZE=ON
[ "$rc" -eq 0 ] || fail "root: exit $rc: $(cat "$T/out")"
grep -q "^apt-get" "$T/calls" && fail "root: apt-get ran with nothing missing"
grep -qx "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHWNAS_SANITIZE=ON" "$T/calls" ||
    fail "root: configure call: $(cat "$T/calls")"
grep -qx "cmake --build build -j $(nproc)" "$T/calls" || fail "root: build call: $(cat "$T/calls")"
for stage in "configuring build" "building build" "built build/run_experiment"; do
    grep -q "^setup: $stage" "$T/out" || fail "root: no progress line '$stage': $(cat "$T/out")"
done
# a failing build shows its output
stub cmake 'case "$1" in --build) echo "foo.c:1: error: boom"; exit 2;; esac'
run_setup
[ "$rc" -ne 0 ] || fail "failing build: exit 0"
grep -q "foo.c:1: error: boom" "$T/out" || fail "failing build: output not shown: $(cat "$T/out")"

# 4. --help
rm -rf "$T/src/build"
run_setup --help
[ "$rc" -eq 0 ] || fail "--help: exit $rc"
grep -q "scripts/setup.sh \[extra cmake args" "$T/out" || fail "--help: no usage: $(cat "$T/out")"
[ ! -e "$T/calls" ] || fail "--help ran something: $(cat "$T/calls")"
[ ! -e "$T/src/build" ] || fail "--help created the build directory"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok"
