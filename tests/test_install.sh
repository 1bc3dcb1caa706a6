# cmake --install: the installed programs run from another directory with the
# installed models and find libhwnas.so through their RPATH; the installed
# headers and library build a program of their own.
. "$(dirname "$0")/lib.sh"
B="${HWNAS_BIN:-build}"
P="$TMP/prefix"
cmake --install "$B" --prefix "$P" > "$TMP/install.log" 2>&1
check "install exit 0" test $? -eq 0
for f in bin/run_experiment bin/hwnas lib/libhwnas.so share/hwnas/models/s.hwsur share/hwnas/models/m.hwsur \
         share/hwnas/models/l.hwsur include/hwnas/benchmark/problem.h include/hwnas/space/metric.h \
         include/hwnas/core/error.h include/hwnas/optimizers/optimizer.h; do
    check "installed $f" test -e "$P/$f"
done
check "libhwnas has a SONAME" sh -c "readelf -d '$P/lib/libhwnas.so' | grep -q 'SONAME.*libhwnas\.so\.[0-9]'"
for prog in run_experiment hwnas; do
    check "$prog RUNPATH \$ORIGIN/../lib" sh -c "readelf -d '$P/bin/$prog' | grep -Eq 'R(UN)?PATH.*\\\$ORIGIN/\.\./lib'"
    check "$prog finds the installed libhwnas" sh -c "ldd '$P/bin/$prog' | grep -q '$P/bin/\.\./lib/libhwnas\.so'"
done

# A small copy of the shipped nsga2 config, run from an unrelated directory.
mkdir -p "$TMP/elsewhere"
python3 - "$SRC/experiments/nsga2.json" "$TMP/elsewhere/nsga2.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["budget"]["evaluations"] = 300
c["seeds"] = [1]
c["output"] = "out"
json.dump(c, open(sys.argv[2], "w"))
PY
unset HWNAS_MODELS
(cd "$TMP/elsewhere" && "$P/bin/run_experiment" nsga2.json --quiet > stdout.json 2> stderr.txt)
check "installed run_experiment exit 0" test $? -eq 0
check "log written" test -s "$TMP/elsewhere/out/nsga2_hwgpt_s_perplexity_latency_a100/seed_1.jsonl"
# The same hypervolume as the build tree's program.
(cd "$TMP" && "$B/run_experiment" "$TMP/elsewhere/nsga2.json" --quiet --out "$TMP/build_out" > build.json 2>/dev/null)
hv() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["runs"][0]["hypervolume"])' "$1"; }
check "same hypervolume as the build tree" test "$(hv "$TMP/elsewhere/stdout.json")" = "$(hv "$TMP/build.json")"

echo "$EX" > "$TMP/a.txt"
(cd "$TMP/elsewhere" && "$P/bin/hwnas" query --arch-file "$TMP/a.txt" --device a100 --metrics params,latency > q.out 2> q.err)
check "installed hwnas query exit 0" test $? -eq 0
check "query line" grep -q "\"params\": 148591104, \"latency\": " "$TMP/elsewhere/q.out"

# The installed models are the ones read: a broken installed copy fails
# (naming it), and HWNAS_MODELS / --models still win over it.
: > "$P/share/hwnas/models/s.hwsur"
(cd "$TMP/elsewhere" && "$P/bin/run_experiment" nsga2.json --quiet --out out2 > /dev/null 2> err2.txt)
check "broken installed model fails" test $? -ne 0
check "error names the installed model" grep -q "share/hwnas/models/s.hwsur" "$TMP/elsewhere/err2.txt"
(cd "$TMP/elsewhere" && HWNAS_MODELS="$SRC/surrogates/models" "$P/bin/run_experiment" nsga2.json --quiet --out out3 > /dev/null 2>&1)
check "HWNAS_MODELS wins" test $? -eq 0
(cd "$TMP/elsewhere" && "$P/bin/hwnas" query --arch-file "$TMP/a.txt" --device a100 --metrics latency --models "$SRC/surrogates/models" > /dev/null 2>&1)
check "--models wins" test $? -eq 0

# The public headers and the library build a program.
cat > "$TMP/use.c" <<'C'
#include <stdio.h>
#include "benchmark/problem.h"
#include "core/json.h"
int main(void)
{
    hw_err e = {0};
    cJSON *c = cJSON_Parse("{\"name\": \"zdt1\", \"n_var\": 3}");
    hw_problem *p = NULL;
    if (hw_problem_create(c, "problem", &p, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    double x[3] = {0.25, 0, 0}, f[2];
    if (p->evaluate(p, x, NULL, 1, f, NULL, &e)) return 1;
    printf("%.17g %.17g\n", f[0], f[1]);
    hw_problem_destroy(p);
    cJSON_Delete(c);
    return 0;
}
C
san=""
readelf -d "$P/lib/libhwnas.so" | grep -q libasan && san="-fsanitize=address,undefined"
cc -std=c11 $san -I "$P/include/hwnas" "$TMP/use.c" -o "$TMP/use" -L "$P/lib" -lhwnas -lcjson -Wl,-rpath,"$P/lib" \
    2> "$TMP/cc.err"
check "program builds against the installed headers" test $? -eq 0
# ZDT1 at x = (0.25, 0, 0): f = (0.25, 1 - sqrt(0.25)) = (0.25, 0.5)
check "program runs" test "$("$TMP/use")" = "0.25 0.5"
exit $fail
