# tests/test_scripts_help.sh — every program under scripts/ answers --help
# with its usage (exit 0) and changes nothing, on a copy of scripts/ and
# experiments/; and scripts/make_configs.py regenerates the shipped configs
# byte for byte (the generated ones; two are written by hand).
set -u
SRC="${HWNAS_SRC:?}"
. "$(dirname "$0")/lib_run.sh"
command -v python3 > /dev/null || { echo "python3 not found (scripts/setup.sh installs it)" >&2; exit 1; }

R="$T/repo"
mkdir -p "$R"
cp -r "$SRC/scripts" "$SRC/experiments" "$R/"
# Python's bytecode caches are not the scripts' doing (and are stale here)
rm -rf "$R/scripts/__pycache__"
export PYTHONDONTWRITEBYTECODE=1
find "$R" -exec touch -d 2000-01-01 {} +   # a rewrite with the same bytes shows in the mtime
snapshot() { (cd "$R" && find . -printf '%p %T@\n' | sort && find . -type f | sort | xargs md5sum) > "$T/now"; }
bytes() { (cd "$R" && find . -type f | sort | xargs md5sum) > "$T/now"; }
snapshot && mv "$T/now" "$T/before"
bytes && mv "$T/now" "$T/bytes"

n=0
for s in "$R"/scripts/*.py "$R"/scripts/*.sh; do
    name=$(basename "$s")
    case "$name" in
    plotlib.py | lib_*.sh) continue ;;  # modules, not programs
    esac
    case "$name" in
    *.py) (cd "$R" && python3 "scripts/$name" --help) > "$T/out" 2> "$T/err" ;;
    *.sh) (cd "$R" && bash "scripts/$name" --help) > "$T/out" 2> "$T/err" ;;
    esac
    rc=$?
    n=$((n + 1))
    [ "$rc" -eq 0 ] || fail "$name --help: exit $rc: $(cat "$T/err")"
    [ ! -s "$T/err" ] || fail "$name --help: stderr: $(cat "$T/err")"
    case "$name" in
    *.py) head -n 1 "$T/out" | grep -q "^usage: $name" || fail "$name --help: no usage line: $(head -n 3 "$T/out")" ;;
    *.sh) grep -q "scripts/$name" "$T/out" || fail "$name --help: does not show how to call it: $(head -n 3 "$T/out")" ;;
    esac
    ! grep -q "%%" "$T/out" || fail "$name --help: prints '%%': $(grep "%%" "$T/out")"
    snapshot
    cmp -s "$T/now" "$T/before" || fail "$name --help changed files: $(diff "$T/before" "$T/now" | head -n 5)"
done
[ "$n" -ge 9 ] || fail "only $n scripts found"

# make_configs.py: into another root, and over the copy itself (no change)
python3 "$R/scripts/make_configs.py" --root "$T/gen" 2> "$T/err" || fail "make_configs --root: $(cat "$T/err")"
(cd "$T/gen/experiments" && find . -type f | sort) > "$T/gen.list"
[ "$(wc -l < "$T/gen.list")" -ge 40 ] || fail "make_configs wrote only $(wc -l < "$T/gen.list") configs"
while IFS= read -r f; do
    cmp -s "$T/gen/experiments/$f" "$SRC/experiments/$f" || fail "experiments/$f differs from what make_configs.py writes"
done < "$T/gen.list"
(cd "$SRC/experiments" && find . -type f -name '*.json' | sort) | grep -vxF -f "$T/gen.list" > "$T/hand.list"
[ "$(tr '\n' ' ' < "$T/hand.list")" = "./grid_devices.json ./nsga2_3obj.json ./nsga2_3obj_devices.json ./nsga2_energy.json ./supernet_nsga2.json " ] ||
    fail "configs neither generated nor listed as hand-written: $(cat "$T/hand.list")"
python3 "$R/scripts/make_configs.py" 2> "$T/err" || fail "make_configs: $(cat "$T/err")"
bytes
cmp -s "$T/now" "$T/bytes" || fail "make_configs.py changed the shipped configs: $(diff "$T/bytes" "$T/now" | head -n 5)"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok: $n scripts"
