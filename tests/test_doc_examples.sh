# tests/test_doc_examples.sh — the shell examples of README.md and docs/*.md
# run as shown.  Every command line of a ```sh block (continuation lines
# joined) runs, block by block in one shell, in a scratch directory where
# build/, scripts/ and experiments/ point at the real ones; each must exit 0.
# Exceptions, each reported on stdout:
#   - synopses (a " [" in the line) are not commands;
#   - scripts/setup.sh and scripts/test.sh (they run this test),
#     optimizer_table.py (every config), train-surrogates and
#     surrogate-report (minutes of training on the data) do not run;
#   - configs of the Bayesian optimizers (ehvi, rsbo, lsbo: slow by design)
#     run with --dry-run (validated, not run);
#   - lines marked "# needs the data" must exit 0 with the data, and without
#     it exit 2 with the one-line message pointing at docs/data.md;
#   - the plot scripts run with the Python scripts/lib_python.sh finds (the
#     documented fallback when python3 lacks matplotlib); without one they
#     are reported as not run, or fail under CI=true;
#   - /tmp/ becomes the scratch directory's tmp/.
set -u
SRC="${HWNAS_SRC:?}"
BIN="${HWNAS_BIN:?}"
. "$(dirname "$0")/lib_run.sh"
command -v python3 > /dev/null || { echo "python3 not found (scripts/setup.sh installs it)" >&2; exit 1; }
DATA="${HWNAS_DATA:-$SRC/../shared/hwgpt-bench}"
have_data=0
[ -e "$DATA/analytic/s.jsonl.gz" ] && [ -e "$DATA/predictors/perplexity_s.pt" ] && have_data=1
. "$SRC/scripts/lib_python.sh"
PY=$(plot_python 2> "$T/py.err") || PY=""
if [ -z "$PY" ] && [ "${CI:-}" = "true" ]; then fail "no Python can draw: $(cat "$T/py.err")"; fi

W="$T/work"
mkdir -p "$W/tmp"
ln -s "$(cd "$BIN" && pwd)" "$W/build"
ln -s "$SRC/scripts" "$W/scripts"
ln -s "$SRC/experiments" "$W/experiments"

# Generate one bash script per document: each command followed by its check.
python3 - "$SRC" "$T" "$have_data" "$PY" > "$T/examples.sh" <<'EOF' || fail "extracting the examples"
import glob, os, re, shlex, sys
src, tmp, have_data, py = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
docs = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
NOT_RUN = [("scripts/setup.sh", "installs and builds"), ("scripts/test.sh", "runs this test"),
           ("optimizer_table.py", "runs every config"), ("train-surrogates", "trains for minutes"),
           ("surrogate-report", "trains for minutes"),
           ("supernet train", "trains for minutes"), ("--ckpt xs.ckpt", "needs that trained checkpoint"),
           ("supernet_nsga2.json", "minutes of measurement on the trained xs checkpoint; "
                                   "tests/test_supernet_backend.sh runs the backend end to end"),
           ("query --backend supernet", "needs the trained xs checkpoint; tests/test_supernet_backend.sh runs it"),
           ("train_supernet.sh", "trains for minutes"), ("supernet_study.sh", "minutes of evaluation and fine-tuning"),
           ("cmake --install", "installs into a prefix; tests/test_install.sh checks it"),
           ("~/.local/", "needs that install; tests/test_install.sh checks it"),
           ("scripts/gpu_check.sh", "needs a CUDA GPU (a GPU session runs it)"),
           (" --cuda", "needs a CUDA GPU; tests/test_supernet_cuda_cli.sh checks the no-GPU message"),
           ("venv", "the Python package's environment: scripts/test.sh builds it and runs tests/python"),
           ("own_device.sh", "profiles this machine for minutes; tests/test_own_hardware_cli.sh runs the loop small"),
           ("hwnas profile", "times forwards for minutes; tests/test_own_hardware_cli.sh runs it small"),
           ("hwnas calibrate", "needs a profile; tests/test_own_hardware_cli.sh runs it"),
           ("hwnas verify", "needs a run and times forwards; tests/test_own_hardware_cli.sh runs it"),
           ("plot_verify.py", "needs verify's CSV"),
           ("--device mybox", "needs the calibrated models of the lines above"),
           ("calibration_study.py", "trains for many minutes"),
           ("--random-init", "builds a 124M-parameter supernet and times it; tests/test_supernet_cli.sh runs it"),
           ("reproduce_paper.sh", "runs grids for seconds to minutes; tests/test_reproduce_quick.sh runs --quick"),
           ]
out = ["set -o pipefail", "cd %s/work" % shlex.quote(tmp), "n_run=0"]
def note(where, what):
    out.append("echo %s" % shlex.quote("%s: %s" % (where, what)))
for doc in docs:
    rel = os.path.relpath(doc, src)
    lines = open(doc, encoding="utf-8").read().split("\n")
    i, block = 0, False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            block = line.strip() == "```sh"
            i += 1
            continue
        if not block or not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        start, cmd = i + 1, line
        while cmd.rstrip().endswith(("|", "\\")) and i + 1 < len(lines):
            i += 1
            cmd += "\n" + lines[i]
        i += 1
        where = "%s:%d" % (rel, start)
        if " [" in cmd:
            note(where, "synopsis, not run")
            continue
        skip = [why for pat, why in NOT_RUN if pat in cmd]
        if skip:
            note(where, "not run (%s)" % skip[0])
            continue
        needs_data = "needs the data" in cmd
        cmd = cmd.replace("/tmp/", tmp + "/work/tmp/")
        if re.search(r"run_experiment .*(ehvi|rsbo|lsbo)\.json", cmd):
            cmd = re.sub(r"(\S*(ehvi|rsbo|lsbo)\.json)", r"\1 --dry-run", cmd, count=1)
            note(where, "validated only (--dry-run: Bayesian optimization is slow by design)")
        if re.search(r"plot_(hv|front)\.py|compare\.sh", cmd):
            if not py:
                note(where, "not run: no Python can draw (see scripts/lib_python.sh)")
                continue
            cmd = re.sub(r"^python3 ", py + " ", cmd)
            cmd = "HWNAS_PYTHON=%s %s" % (shlex.quote(py), cmd) if "compare.sh" in cmd else cmd
        want = 0 if (not needs_data or have_data) else 2
        out.append("{ %s\n} > ../out 2> ../err < /dev/null; rc=$?; n_run=$((n_run + 1))" % cmd)
        check = "[ $rc -eq %d ]" % want
        if want == 2:
            check += " && grep -q docs/data.md ../err"
        out.append("%s || fail %s\"$rc: $(tail -n 3 ../err)\"" % (
            check, shlex.quote("%s: want exit %d%s, got " % (where, want, " and a pointer to docs/data.md" if want else ""))))
        note(where, "ran%s" % ("" if want == 0 else " (no data: the missing-data message)"))
out.append('[ "$n_run" -ge 10 ] || fail "only $n_run commands ran"')
print("\n".join(out))
EOF
. "$T/examples.sh"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "ok: $n_run commands ran"
