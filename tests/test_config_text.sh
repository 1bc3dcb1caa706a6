# tests/test_config_text.sh — run_experiment end to end on config text that
# is not valid UTF-8 JSON (issue 8, class 6, and the BOM of class 12): each
# bad config exits 2 with exactly one stderr line naming the file and the key
# path and creates no output; a config with a leading BOM and non-ASCII
# strings runs, and its log reads back with Python's json module with the
# strings intact.  Then a differential check: random description strings
# (valid and invalid UTF-8, escapes, control characters, NULs, surrogates)
# are accepted by run_experiment --dry-run exactly when Python's strict UTF-8
# decoding and json.loads accept them and the decoded string has no NUL and
# no unpaired surrogate.
. "$(dirname "$0")/lib.sh"
RE="${HWNAS_BIN:-build}/run_experiment"
REST='"problem":{"name":"zdt1","n_var":4},"optimizer":{"name":"nsga2","population_size":4},"budget":{"evaluations":8},"seeds":[1]'

# bad NAME MESSAGE CONFIG: CONFIG (printf %b) must exit 2 with exactly the
# one line "$TMP/NAME.jsonMESSAGE" and no output directory.
bad() {
    local cfg="$TMP/$1.json"
    printf '%b' "$3" > "$cfg"
    rm -rf "$TMP/out"
    "$RE" "$cfg" --out "$TMP/out" --quiet > "$TMP/stdout" 2> "$TMP/stderr" < /dev/null
    local rc=$?
    check "$1: exit status $rc, expected 2" [ "$rc" -eq 2 ]
    check "$1: stderr is '$(cat "$TMP/stderr")', expected '$cfg$2'" [ "$(cat "$TMP/stderr")" = "$cfg$2" ]
    check "$1: created output" [ ! -e "$TMP/out" ]
}

bad raw_ff ': description: string is not valid UTF-8 (byte 0xff at offset 3)' \
    "{\"name\":\"t\",\"description\":\"abc\xff\",$REST}"
bad overlong_slash ': description: string is not valid UTF-8 (overlong encoding 0xc0 0xaf at offset 2)' \
    "{\"name\":\"t\",\"description\":\"..\xc0\xaf..\",$REST}"
bad encoded_surrogate ': problem.name: string is not valid UTF-8 (encoded UTF-16 surrogate 0xed 0xa0 0x80 at offset 4)' \
    "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\xed\xa0\x80\",\"n_var\":4},\"optimizer\":{\"name\":\"nsga2\"},\"budget\":{\"evaluations\":8},\"seeds\":[1]}"
bad above_max ': optimizer: key "name\xf4\x90\x80\x80" is not valid UTF-8 (code point above U+10FFFF 0xf4 0x90 0x80 0x80 at offset 4)' \
    "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\"},\"optimizer\":{\"name\xf4\x90\x80\x80\":\"nsga2\"},\"budget\":{\"evaluations\":8},\"seeds\":[1]}"
bad nul_in_value ': problem.name: string contains a NUL escape (\u0000 at offset 4)' \
    "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\\\\u0000junk\",\"n_var\":4},\"optimizer\":{\"name\":\"nsga2\"},\"budget\":{\"evaluations\":8},\"seeds\":[1]}"
bad nul_in_key ': key "seeds\u0000junk" contains a NUL escape (\u0000 at offset 5)' \
    "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\"},\"optimizer\":{\"name\":\"nsga2\"},\"budget\":{\"evaluations\":8},\"seeds\\\\u0000junk\":[1]}"
bad bad_hex_escape ': key "seeds\uzzzz" contains an invalid escape (\uzzzz at offset 5: \u takes 4 hex digits)' \
    "{\"name\":\"t\",\"problem\":{\"name\":\"zdt1\"},\"optimizer\":{\"name\":\"nsga2\"},\"budget\":{\"evaluations\":8},\"seeds\\\\uzzzz\":[1]}"
bad lone_surrogate ': reference_point: key "\udc00" contains an unpaired UTF-16 surrogate escape (\udc00 at offset 0)' \
    "{\"name\":\"t\",$REST,\"reference_point\":{\"\\\\udc00\":1}}"
bad raw_tab ': description: string contains a raw control character (0x09 at offset 1; write it as \t)' \
    "{\"name\":\"t\",\"description\":\"a\tb\",$REST}"
bad bom_in_middle ':1:13: invalid JSON: a byte order mark (U+FEFF) is allowed only at the start of the text' \
    "{\"name\":\"t\",\xef\xbb\xbf$REST}"
bad bom_twice ':1:4: invalid JSON: a byte order mark (U+FEFF) is allowed only at the start of the text' \
    "\xef\xbb\xbf\xef\xbb\xbf{\"name\":\"t\",$REST}"

# A leading BOM is accepted, and non-ASCII text reaches the log intact.
printf '%b' "\xef\xbb\xbf{\"name\":\"t\",\"description\":\"caf\xc3\xa9 \\\\u00e9 \\\\ud83d\\\\ude00 \xf4\x8f\xbf\xbf \\\\u0001\",$REST}\n" > "$TMP/bom.json"
"$RE" "$TMP/bom.json" --out "$TMP/good" --quiet > "$TMP/stdout" 2> "$TMP/stderr"
rc=$?
check "bom: exit status $rc: $(cat "$TMP/stderr")" [ "$rc" -eq 0 ]
check "bom: no log" [ -s "$TMP/good/t/seed_1.jsonl" ]

if ! command -v python3 > /dev/null; then
    [ $fail -eq 0 ] || exit 1
    echo "SKIP: python3 is missing: the log read-back and the differential check need it (the rest passed)" >&2
    exit 77
fi

python3 - "$TMP/good/t/seed_1.jsonl" "$TMP/stdout" << 'EOF' || fail=1
import json, sys
lines = open(sys.argv[1], 'rb').read().decode('utf-8').splitlines()
meta = json.loads(lines[0])
want = 'caf\u00e9 \u00e9 \U0001F600 \U0010FFFF \u0001'
assert meta['config']['description'] == want, repr(meta['config']['description'])
for line in lines[1:]:
    json.loads(line)
json.loads(open(sys.argv[2], 'rb').read().decode('utf-8').splitlines()[-1])
EOF

# Differential check against Python on random description strings.
python3 - "$TMP" "$REST" << 'EOF' > "$TMP/cases" || fail=1
import json, random, sys
tmp, rest = sys.argv[1], sys.argv[2]
pieces = [b'a', b' ', b'\\"', b'\\\\', b'\\/', b'\\n', b'\\u0041', b'\\u00e9', b'\\ud83d\\ude00', b'\\uDBFF\\uDFFF',
          b'\\u0000', b'\\ud800', b'\\udc00', b'\\ud800\\u0041', b'\\uzz00', b'\\u12', b'\\q', b'\\x41',
          '\u00e9'.encode(), '\u20ac'.encode(), '\U0001F600'.encode(), b'\xef\xbb\xbf', b'\x7f', b'\t', b'\x01',
          b'\xc0\xaf', b'\xed\xa0\x80', b'\xf4\x90\x80\x80', b'\xe2\x82', b'\x80', b'\xff']
rng = random.Random(8)
for i in range(120):
    content = b''
    for _ in range(rng.randrange(1, 5)):
        if rng.random() < 0.75:
            content += rng.choice(pieces)
        else:
            b = rng.choice([c for c in range(1, 256) if c not in (0x22, 0x5c)])
            content += bytes([b])
    text = b'{"name":"t","description":"' + content + b'",' + rest.encode() + b'}'
    try:
        desc = json.loads(text.decode('utf-8'))['description']
        desc.encode('utf-8')            # no unpaired surrogate
        ok = '\x00' not in desc
    except (UnicodeError, ValueError):
        ok = False
    open('%s/d%d.json' % (tmp, i), 'wb').write(text)
    print(i, 0 if ok else 2)
EOF
n_ok=0
n_bad=0
while read -r i want; do
    "$RE" "$TMP/d$i.json" --dry-run --quiet --out "$TMP/dry" > /dev/null 2> "$TMP/stderr"
    rc=$?
    check "random case $i: exit status $rc, Python says $want: $(cat "$TMP/stderr")" [ "$rc" -eq "$want" ]
    check "random case $i: stderr has $(wc -l < "$TMP/stderr") lines" [ "$(wc -l < "$TMP/stderr")" -eq "$((want / 2))" ]
    if [ "$want" -eq 0 ]; then n_ok=$((n_ok + 1)); else n_bad=$((n_bad + 1)); fi
done < "$TMP/cases"
check "random cases: $n_ok accepted, $n_bad rejected: both must occur often" [ "$n_ok" -ge 20 -a "$n_bad" -ge 20 ]
exit $fail
