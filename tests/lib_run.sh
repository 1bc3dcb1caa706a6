# tests/lib_run.sh — the preamble shared by the run_experiment shell tests,
# sourced as `. "$(dirname "$0")/lib_run.sh"`: a scratch directory $T removed
# on exit, fail MESSAGE (counts failures in $fails) and strip LOG (a log's
# lines with the fields allowed to differ between runs removed).
set -u
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

strip() {  # strip LOG: drop the fields allowed to differ between runs
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    for k in ("wall_s", "threads", "host", "started_at", "finished_at", "log_bytes", "log_crc32c"):
        d.pop(k, None)
    d.get("config", {}).pop("output", None)
    print(json.dumps(d, sort_keys=True))' "$1"
}
