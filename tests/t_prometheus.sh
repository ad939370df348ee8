#!/bin/bash
# t_prometheus.sh - memtop --prometheus and --prometheus-file, read back by
# real parsers.
#
# Every exposition memtop writes is parsed three ways, and all must accept
# it: the Prometheus Python client's parser (Debian python3-prometheus-client),
# a strict reader written here from the text format's rules (HELP and TYPE
# once per family and before its samples, samples of a family together,
# names from their alphabets, only the \\ \" \n escapes, no duplicate series,
# counters named _total), and promtool check metrics when promtool is
# installed (Debian prometheus; PROMTOOL=path picks one). Both Python
# parsers must also agree on every sample.
#
# Checked:
#  - a whole-system scrape: the families, the sums (block bytes add up to
#    present bytes, per process and in all), at most --top processes;
#  - against --json for a stopped workload: present bytes, block bytes per
#    order, labels, PMD slots, collapsible and khugepaged-collapsible
#    bytes, PMD-mapped bytes, the workload's cgroup sums, mappable blocks
#    and PMD-mapped THP bytes (root);
#  - --top N keeps exactly the N largest processes, --top 0 none (and no
#    cgroup), a cgroup sums its processes;
#  - a hostile process name (quote, backslash, newline, ESC) comes out as
#    one escaped label that parses back to the visible form;
#  - --prometheus-file: rewritten every interval, atomically (a reader
#    polling it never sees a partial file), mode 0644 under umask 022, no
#    temporary file left after SIGTERM, -n N ends after N scans, a missing
#    directory fails with status 1;
#  - bad options exit with status 2;
#  - unprivileged: the root-only views are absent (not zeros) and
#    memtop_privileged says so.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq timeout "$PYTHON"
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
mktemp_dir

# The Python client's parser may live only in the system interpreter.
CLIENT_PY=""
for py in "$PYTHON" /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 &&
	   "$py" -c 'import prometheus_client.parser' 2>/dev/null; then
		CLIENT_PY=$py
		break
	fi
done
PROMTOOL=${PROMTOOL:-$(command -v promtool 2>/dev/null || true)}
if [ -z "$CLIENT_PY" ] && [ -z "$PROMTOOL" ]; then
	skip "no Prometheus parser: install python3-prometheus-client" \
		"(or prometheus, for promtool)"
fi
[ -n "$CLIENT_PY" ] || part_skip "python3-prometheus-client not installed"
[ -n "$PROMTOOL" ] || part_skip "promtool not installed (Debian prometheus)"

cat >"$T/strict.py" <<'EOF'
# strict.py FILE [--client]: read a Prometheus text exposition strictly;
# print {"series": [[name, {labels}, value], ...], "types": {family: type}}
# as JSON, or the first problem on stderr with status 1. With --client,
# also parse with prometheus_client and require the same samples.
import json, math, re, sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LNAME = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')

def fail(lineno, msg, line=''):
    sys.stderr.write('line %d: %s: %r\n' % (lineno, msg, line[:200]))
    sys.exit(1)

def strict(raw):
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        fail(0, 'not UTF-8: %s' % e)
    if text and not text.endswith('\n'):
        fail(0, 'no newline at the end')
    fams, series, seen = {}, [], set()
    cur = None
    for lineno, line in enumerate(text.split('\n')[:-1], 1):
        if any(ord(c) < 0x20 for c in line):
            fail(lineno, 'control character', line)
        if line.startswith('# HELP ') or line.startswith('# TYPE '):
            kind, rest = line[2:6], line[7:]
            m = NAME.match(rest)
            if not m or rest[m.end():m.end() + 1] != ' ':
                fail(lineno, 'bad metric name', line)
            name, arg = m.group(0), rest[m.end() + 1:]
            f = fams.setdefault(name, {'help': None, 'type': None,
                                       'closed': False})
            if f['closed']:
                fail(lineno, 'family again after its samples', line)
            if cur is not None and cur != name:
                fams[cur]['closed'] = True
            cur = name
            if kind == 'HELP':
                if f['help'] is not None:
                    fail(lineno, 'second HELP', line)
                if re.search(r'\\[^\\n]', arg.replace('\\\\', '')):
                    fail(lineno, 'bad escape in HELP', line)
                f['help'] = arg
            else:
                if f['type'] is not None:
                    fail(lineno, 'second TYPE', line)
                if arg not in ('counter', 'gauge', 'untyped', 'summary',
                               'histogram'):
                    fail(lineno, 'bad type', line)
                f['type'] = arg
            continue
        if line.startswith('#') or line == '':
            if line == '':
                fail(lineno, 'empty line')
            continue
        m = NAME.match(line)
        if not m:
            fail(lineno, 'no metric name', line)
        name, p = m.group(0), m.end()
        fam = name if name in fams else (
            name[:-6] if name.endswith('_total') and name[:-6] in fams
            else None)
        if fam is None or not fams[fam]['type'] or fams[fam]['help'] is None:
            fail(lineno, 'sample without HELP and TYPE before it', line)
        if fams[fam]['closed'] or (cur is not None and cur != fam):
            fail(lineno, 'samples of the family not together', line)
        cur = fam
        if fams[fam]['type'] == 'counter' and not name.endswith('_total'):
            fail(lineno, 'counter not named _total', line)
        labels = {}
        if line[p:p + 1] == '{':
            p += 1
            while line[p:p + 1] != '}':
                lm = LNAME.match(line, p)
                if not lm or line[lm.end():lm.end() + 2] != '="':
                    fail(lineno, 'bad label', line)
                lname, p = lm.group(0), lm.end() + 2
                if lname in labels:
                    fail(lineno, 'label twice', line)
                val = []
                while True:
                    if p >= len(line):
                        fail(lineno, 'unterminated label value', line)
                    c = line[p]
                    if c == '"':
                        p += 1
                        break
                    if c == '\\':
                        e = line[p + 1:p + 2]
                        if e == 'n':
                            val.append('\n')
                        elif e in ('\\', '"'):
                            val.append(e)
                        else:
                            fail(lineno, 'bad escape \\' + e, line)
                        p += 2
                        continue
                    val.append(c)
                    p += 1
                labels[lname] = ''.join(val)
                if line[p:p + 1] == ',':
                    p += 1
                elif line[p:p + 1] != '}':
                    fail(lineno, 'junk after a label value', line)
            p += 1
        if line[p:p + 1] != ' ':
            fail(lineno, 'no space before the value', line)
        vtext = line[p + 1:]
        if not re.fullmatch(r'[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|'
                            r'[-+]?Inf|NaN', vtext):
            fail(lineno, 'bad value (or a timestamp)', line)
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            fail(lineno, 'duplicate series', line)
        seen.add(key)
        series.append([name, labels, float(vtext)])
    for name, f in fams.items():
        if f['help'] is None or f['type'] is None:
            fail(0, 'family %s lacks HELP or TYPE' % name)
    return series, {n: f['type'] for n, f in fams.items()}

def client(raw, series):
    from prometheus_client.parser import text_string_to_metric_families
    got = []
    try:
        for fam in text_string_to_metric_families(raw.decode('utf-8')):
            for s in fam.samples:
                got.append((s.name, tuple(sorted(s.labels.items())),
                            s.value))
    except Exception as e:
        sys.stderr.write('prometheus_client rejects it: %s\n' % e)
        sys.exit(1)
    mine = sorted((n, tuple(sorted(l.items())), v) for n, l, v in series)
    got.sort()
    if got != mine:
        diff = [x for x in got if x not in mine][:3] + \
               [x for x in mine if x not in got][:3]
        sys.stderr.write('prometheus_client reads other samples: %r\n'
                         % diff)
        sys.exit(1)

raw = open(sys.argv[1], 'rb').read()
series, types = strict(raw)
if '--client' in sys.argv[2:]:
    client(raw, series)
json.dump({'series': series, 'types': types}, sys.stdout)
EOF

# parse FILE OUT-JSON: every parser must accept FILE.
parse() {
	local f=$1 out=$2 ok_=0
	"$PYTHON" "$T/strict.py" "$f" >"$out" 2>"$T/parse.err" || {
		bad "strict reader rejects $(basename "$f"): $(cat "$T/parse.err")"
		ok_=1
	}
	if [ -n "$CLIENT_PY" ]; then
		"$CLIENT_PY" "$T/strict.py" "$f" --client >/dev/null \
			2>"$T/parse.err" || {
			bad "$(basename "$f"): $(cat "$T/parse.err")"
			ok_=1
		}
	fi
	if [ -n "$PROMTOOL" ]; then
		"$PROMTOOL" check metrics <"$f" >"$T/promtool.out" 2>&1 || {
			bad "promtool check metrics $(basename "$f"): $(head -5 "$T/promtool.out")"
			ok_=1
		}
	fi
	return $ok_
}

# ---- a whole-system scrape -------------------------------------------------

if run_memtop "$T/all.prom" "$T/all.err" "$MEMTOP" --prometheus; then
	ok "memtop --prometheus exits 0"
else
	bad "memtop --prometheus exits $? ($(head -c 300 "$T/all.err"))"
	finish
fi
check "nothing on stderr" test ! -s "$T/all.err"
if parse "$T/all.prom" "$T/all.json"; then
	ok "whole-system scrape parses"
	for fam in memtop_info memtop_scan_seconds memtop_present_bytes \
		memtop_processes memtop_privileged memtop_block_bytes \
		memtop_process_present_bytes memtop_process_block_bytes; do
		jq_check "family $fam" "$T/all.json" ".types[\"$fam\"] == \"gauge\""
	done
	jq_check "at most 20 processes by default, at least one" "$T/all.json" \
		'[.series[] | select(.[0] == "memtop_process_present_bytes")
		  | .[1].pid] | unique | length | . >= 1 and . <= 20'
	jq_check "per-process series only for those processes" "$T/all.json" \
		'([.series[] | select(.[0] == "memtop_process_present_bytes")
		   | .[1].pid] | unique) as $top
		 | [.series[] | select(.[0] | startswith("memtop_process_"))
		    | .[1].pid] | unique | . == $top'
	jq_check "present block bytes add up to present bytes" "$T/all.json" \
		'([.series[] | select(.[0] == "memtop_present_bytes") | .[2]][0]) as $t
		 | [.series[] | select(.[0] == "memtop_block_bytes" and
		    .[1].view == "present") | .[2]] | add == $t'
	jq_check "each process's block bytes add up to its present bytes" \
		"$T/all.json" \
		'[.series[] | select(.[0] == "memtop_process_present_bytes")] as $p
		 | [.series[] | select(.[0] == "memtop_process_block_bytes" and
		    .[1].view == "present")] as $b
		 | all($p[]; . as $x | ([$b[] | select(.[1].pid == $x[1].pid)
		    | .[2]] | add) == $x[2])'
	jq_check "PMD-mapped bytes = mapped PMD slots x PMD size (absent when unknown)" \
		"$T/all.json" \
		'([.series[] | select(.[0] == "memtop_pmd_order") | .[2]][0]) as $o
		 | ([.series[] | select(.[0] == "memtop_page_size_bytes") | .[2]][0]) as $ps
		 | [.series[] | select(.[0] == "memtop_pmd_slots" and
		    .[1].state == "mapped") | .[2] * pow(2; $o) * $ps]
		 == [.series[] | select(.[0] == "memtop_pmd_mapped_bytes") | .[2]]'
	jq_check "at most 20 cgroups by default, at least one" "$T/all.json" \
		'[.series[] | select(.[0] == "memtop_cgroup_present_bytes")
		  | .[1].cgroup] | length | . >= 1 and . <= 20'
	jq_check "cgroup series for the same cgroups in every family" \
		"$T/all.json" \
		'[.series[] | select(.[0] == "memtop_cgroup_present_bytes")
		  | .[1].cgroup] as $c
		 | all(["memtop_cgroup_processes", "memtop_cgroup_present_bytes",
		        "memtop_cgroup_pmd_mapped_bytes"][] as $f
		       | [.series[] | select(.[0] == $f) | .[1].cgroup];
		       . == [] or (sort == ($c | sort)))'
	if pfns_visible && [ -r /proc/kpageflags ]; then
		jq_check "root: mappable and folio views available" "$T/all.json" \
			'[.series[] | select(.[0] == "memtop_privileged") |
			  {(.[1].view): .[2]}] | add == {"present": 1, "mappable": 1,
			  "folios": 1}'
		jq_check "mappable block bytes add up to present bytes" \
			"$T/all.json" \
			'([.series[] | select(.[0] == "memtop_present_bytes") | .[2]][0]) as $t
			 | [.series[] | select(.[0] == "memtop_block_bytes" and
			    .[1].view == "mappable") | .[2]] | add == $t'
	fi
fi

# ---- exact figures against --json for a stopped workload -------------------

start_workload "$T/wl.json" -- --dir "$T" || {
	bad "workload starts and stops itself"
	finish
}
WL=$WL_PID
run_memtop "$T/wl.prom" "$T/wl.err" "$MEMTOP" --prometheus -p "$WL" --top 5 &&
	run_memtop "$T/wl-json.json" "$T/wl.err" "$MEMTOP" --json -p "$WL" ||
	bad "memtop -p $WL runs ($(head -c 300 "$T/wl.err"))"
if parse "$T/wl.prom" "$T/wlp.json"; then
	ok "workload scrape parses"
	jq -s '{prom: .[0], json: .[1]}' "$T/wlp.json" "$T/wl-json.json" \
		>"$T/both.json"
	jq_check "present bytes = present_pages x page_size" "$T/both.json" \
		'.json as $j | ($j.processes[0].present_pages * $j.page_size) as $want
		 | [.prom.series[] | select(.[0] == "memtop_process_present_bytes")
		    | .[2]] == [$want]'
	jq_check "block bytes per order = present_hist" "$T/both.json" \
		'.json as $j | [range(0; $j.max_order + 1) as $o
		  | $j.processes[0].present_hist[$o] * pow(2; $o) * $j.page_size]
		 as $want
		 | [.prom.series[] | select(.[0] == "memtop_process_block_bytes"
		    and .[1].view == "present") | [(.[1].order | tonumber), .[2]]]
		 | sort | map(.[1]) == $want'
	jq_check "labels pid and comm as in --json" "$T/both.json" \
		'.json.processes[0] as $p | [.prom.series[]
		  | select(.[0] == "memtop_process_info") | .[1]]
		 == [{"pid": ($p.pid | tostring), "comm": $p.comm, "user": $p.user,
		      "cgroup": ($p.cgroup // "")}]'
	jq_check "PMD slots as in --json" "$T/both.json" \
		'.json.processes[0].pmd_slots as $j | [.prom.series[]
		  | select(.[0] == "memtop_process_pmd_slots") | {(.[1].state): .[2]}]
		 | add == ({"total": $j.total, "full": $j.full,
		            "partial": $j.partial} +
		           (if $j.mapped == null then {} else {"mapped": $j.mapped} end))'
	jq_check "collapsible bytes as in --json (absent when unknown)" \
		"$T/both.json" \
		'.json as $j | $j.processes[0].pmd_slots.collapsible as $c
		 | [.prom.series[] | select(.[0] == "memtop_process_collapsible_bytes")
		    | .[2]]
		 == (if $c == null then [] else
		     [$c * pow(2; $j.pmd_order) * $j.page_size] end)'
	jq_check "khugepaged-collapsible bytes as in --json (absent when unknown)" \
		"$T/both.json" \
		'.json as $j | $j.processes[0].pmd_slots.khugepaged as $c
		 | [.prom.series[]
		    | select(.[0] == "memtop_process_khugepaged_collapsible_bytes")
		    | .[2]]
		 == (if $c == null then [] else
		     [$c * pow(2; $j.pmd_order) * $j.page_size] end)'
	jq_check "PMD-mapped bytes as in --json (absent when unknown)" \
		"$T/both.json" \
		'.json as $j | $j.processes[0].pmd_slots.mapped as $m
		 | ($m | if . == null then [] else
		     [. * pow(2; $j.pmd_order) * $j.page_size] end) as $want
		 | [.prom.series[] | select(.[0] == "memtop_process_pmd_mapped_bytes")
		    | .[2]] == $want
		   and [.prom.series[] | select(.[0] == "memtop_pmd_mapped_bytes")
		    | .[2]] == $want
		   and [.prom.series[]
		    | select(.[0] == "memtop_cgroup_pmd_mapped_bytes") | .[2]]
		   == $want'
	jq_check "one cgroup, the workload's, with its figures" "$T/both.json" \
		'.json as $j | $j.processes[0] as $p
		 | [.prom.series[] | select(.[0] | startswith("memtop_cgroup_"))
		    | select(.[0] != "memtop_cgroup_pmd_mapped_bytes")
		    | [.[0], .[1], .[2]]] | sort
		 == ([["memtop_cgroup_present_bytes", {"cgroup": $p.cgroup},
		       $p.present_pages * $j.page_size],
		      ["memtop_cgroup_processes", {"cgroup": $p.cgroup}, 1]]
		     | sort)'
	if pfns_visible && [ -r /proc/kpageflags ]; then
		jq_check "mappable block bytes = mappable_hist" "$T/both.json" \
			'.json as $j | [range(0; $j.max_order + 1) as $o
			  | $j.processes[0].mappable_hist[$o] * pow(2; $o) * $j.page_size]
			 as $want
			 | [.prom.series[] | select(.[0] == "memtop_process_block_bytes"
			    and .[1].view == "mappable") | [(.[1].order | tonumber), .[2]]]
			 | sort | map(.[1]) == $want'
		jq_check "PMD-mapped anon THP bytes = folios.anon.pmd_mapped" \
			"$T/both.json" \
			'.json as $j | [.prom.series[]
			  | select(.[0] == "memtop_process_thp_bytes" and
			    .[1].kind == "anon" and .[1].mapping == "pmd") | .[2]]
			 == [$j.processes[0].folios.anon.pmd_mapped * $j.page_size]'
	else
		part_skip "mappable and folio figures need root"
	fi
fi

# ---- --top keeps the largest -------------------------------------------------

pids=()
for mib in 12 6 3; do
	start_workload "$T/hog$mib.json" -- --shapes unaligned --hog "$mib" || {
		bad "hog workload of $mib MiB starts"
		finish
	}
	pids+=("$WL_PID")
done
list=$(IFS=,; echo "${pids[*]}")
for top in 0 1 2 3 10; do
	run_memtop "$T/top$top.prom" "$T/top.err" "$MEMTOP" --prometheus \
		-p "$list" --top "$top" || bad "--top $top exits $?"
	parse "$T/top$top.prom" "$T/top$top.json" || continue
	want=$(printf '%s\n' "${pids[@]:0:$top}" | jq -R . | jq -sc 'map(select(. != "")) | sort')
	jq_check "--top $top: the $top largest processes" "$T/top$top.json" \
		"[.series[] | select(.[0] == \"memtop_process_info\") | .[1].pid]
		 | sort == $want"
	jq_check "--top $top: totals over all three" "$T/top$top.json" \
		'[.series[] | select(.[0] == "memtop_processes" and
		  .[1].state == "scanned") | .[2]] == [3]'
done
jq_check "--top 0: no per-process family at all" "$T/top0.json" \
	'[.types | keys[] | select(startswith("memtop_process_"))] == []'
jq_check "--top 0: no per-cgroup family either" "$T/top0.json" \
	'[.types | keys[] | select(startswith("memtop_cgroup_"))] == []'
jq_check "--top 10: the three in their cgroup, its present bytes their sum" \
	"$T/top10.json" \
	'([.series[] | select(.[0] == "memtop_process_present_bytes") | .[2]]
	  | add) as $sum
	 | [.series[] | select(.[0] == "memtop_cgroup_processes") | .[2]] == [3]
	   and [.series[] | select(.[0] == "memtop_cgroup_present_bytes")
	        | .[2]] == [$sum]'

# ---- a hostile process name ------------------------------------------------

name=$(printf 'q"b\\c\n\033Z' | od -An -tx1 | tr -d ' \n')
start_workload "$T/nasty.json" -- --shapes unaligned --comm-hex "$name" || {
	bad "workload with a hostile name starts"
	finish
}
NASTY=$WL_PID
run_memtop "$T/nasty.prom" "$T/nasty.err" "$MEMTOP" --prometheus -p "$NASTY" &&
	run_memtop "$T/nasty-json.json" "$T/nasty.err" "$MEMTOP" --json -p "$NASTY" ||
	bad "memtop on the hostile name runs"
check "no raw ESC byte in the exposition" \
	bash -c "! grep -q \$'\\x1b' '$T/nasty.prom'"
if parse "$T/nasty.prom" "$T/nasty-p.json"; then
	# the label must be the name from --json with control characters made
	# visible (\xHH), as mt_escape_visible does
	want=$("$PYTHON" -c '
import json, sys
c = json.load(open(sys.argv[1]))["processes"][0]["comm"]
print(json.dumps("".join(ch if 0x20 <= ord(ch) < 0x7f or ord(ch) >= 0xa0
                         else "\\x%02x" % ord(ch) for ch in c)))' \
		"$T/nasty-json.json")
	jq_check "hostile name is one visible label ($want)" "$T/nasty-p.json" \
		"[.series[] | select(.[0] == \"memtop_process_info\") | .[1].comm]
		 == [$want]"
	jq_check "the name holds the quote, the backslash and \\x1b" \
		"$T/nasty-p.json" \
		'[.series[] | select(.[0] == "memtop_process_info") | .[1].comm
		  | test("\"") and test("\\\\") and test("\\\\x1b")] == [true]'
fi

# ---- --prometheus-file ------------------------------------------------------

mkdir -m 755 "$T/tf"
prom_file=$T/tf/memtop.prom
(umask 022 && exec "$MEMTOP" --prometheus-file "$prom_file" -d 0.2 \
	-p "$WL" >"$T/tf.out" 2>"$T/tf.err") &
MP=$!
kill_later "$MP"
for ((i = 0; i < 100; i++)); do
	[ -s "$prom_file" ] && break
	kill -0 "$MP" 2>/dev/null || break
	sleep 0.1
done
if [ -s "$prom_file" ]; then
	ok "--prometheus-file writes the file"
	parse "$prom_file" "$T/tf.json" && ok "the file parses"
	check "file mode 0644 under umask 022" \
		test "$(stat -c %a "$prom_file")" = 644
	# poll the file while memtop rewrites it: every read must be whole
	"$PYTHON" - "$prom_file" "$T/strict.py" >"$T/poll.out" 2>&1 <<'EOF'
import subprocess, sys, time, json
path, strict = sys.argv[1], sys.argv[2]
stamps, reads, t0 = set(), 0, time.time()
while time.time() - t0 < 2.5:
    with open(path, 'rb') as f:
        raw = f.read()
    reads += 1
    if not raw.endswith(b'\n') or b'# HELP memtop_info' not in raw:
        print('partial read %d: %d bytes' % (reads, len(raw)))
        sys.exit(1)
    for line in raw.split(b'\n'):
        if line.startswith(b'memtop_scan_timestamp_seconds '):
            stamps.add(line)
    if reads % 25 == 0:
        tmp = path + '.check'
        open(tmp, 'wb').write(raw)
        r = subprocess.run([sys.executable, strict, tmp],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode:
            print('read %d does not parse: %s' % (reads, r.stderr.decode()))
            sys.exit(1)
    time.sleep(0.002)
print('reads %d, versions %d' % (reads, len(stamps)))
sys.exit(0 if len(stamps) >= 3 else 2)
EOF
	rc=$?
	rm -f "$prom_file.check"
	case $rc in
	0) ok "rewritten every interval, never seen partial ($(cat "$T/poll.out"))" ;;
	2) bad "file not rewritten every 0.2 s: $(cat "$T/poll.out")" ;;
	*) bad "a reader saw a broken file: $(cat "$T/poll.out")" ;;
	esac
	kill -TERM "$MP" 2>/dev/null
	wait "$MP"
	rc=$?
	check "SIGTERM ends --prometheus-file with status 0 (got $rc)" \
		test "$rc" -eq 0
	left=$(ls -A "$T/tf" | grep -v '^memtop\.prom$')
	check "no temporary file left behind (${left:-none})" test -z "$left"
	parse "$prom_file" "$T/tf2.json" && ok "the file is whole after SIGTERM"
else
	bad "--prometheus-file wrote nothing in 10 s ($(head -c 300 "$T/tf.err"))"
fi

mkdir "$T/tf3"
if timeout -k 5 30 "$MEMTOP" --prometheus-file "$T/tf3/m.prom" -n 2 -d 0.1 \
	-p "$WL" >"$T/tf3.out" 2>"$T/tf3.err"; then
	ok "--prometheus-file -n 2 ends by itself with status 0"
	parse "$T/tf3/m.prom" "$T/tf3.json" && ok "its file parses"
	check "nothing but the file in the directory" \
		test "$(ls -A "$T/tf3")" = m.prom
else
	bad "--prometheus-file -n 2 exits $? ($(head -c 300 "$T/tf3.err"))"
fi
timeout -k 5 30 "$MEMTOP" --prometheus-file "$T/nodir/m.prom" -n 1 -p "$WL" \
	>/dev/null 2>"$T/nodir.err"
rc=$?
check "--prometheus-file into a missing directory exits 1 (got $rc)" \
	test "$rc" -eq 1
check "... with a message" test -s "$T/nodir.err"
check "... creating nothing" test ! -e "$T/nodir"

# ---- bad options -----------------------------------------------------------

for args in "--top -1" "--top x" "--top" "--top 1e3" "--prometheus --json" \
	"--prometheus -b" "--prometheus --prometheus-file $T/x.prom" \
	"--prometheus-file"; do
	# shellcheck disable=SC2086
	timeout -k 5 30 "$MEMTOP" $args >/dev/null 2>"$T/badopt.err" </dev/null
	rc=$?
	check "memtop $args exits 2 (got $rc)" test "$rc" -eq 2
done

# ---- unprivileged ----------------------------------------------------------

if is_root && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
   as_user nobody true 2>/dev/null; then
	BIN=$MEMTOP
	if ! as_user nobody test -x "$BIN"; then
		mkdir -m 755 "$T/bin"
		cp "$MEMTOP" "$T/bin/memtop"
		chmod 755 "$T/bin/memtop"
		BIN=$T/bin/memtop
	fi
	mkdir -m 777 "$T/nb"
	start_workload "$T/nb/wl.json" --as nobody -- --shapes unaligned --hog 2 ||
		bad "workload starts as nobody"
	NB=$WL_PID
	as_user nobody timeout -k 5 30 "$BIN" --prometheus -p "$NB" \
		>"$T/nb.prom" 2>"$T/nb.err" || bad "memtop --prometheus as nobody"
	run_memtop "$T/nb-root.json" "$T/nb.err" "$MEMTOP" --json -p "$NB"
	if parse "$T/nb.prom" "$T/nb.json"; then
		jq_check "nobody: memtop_privileged present 1, mappable 0, folios 0" \
			"$T/nb.json" \
			'[.series[] | select(.[0] == "memtop_privileged") |
			  {(.[1].view): .[2]}] | add == {"present": 1, "mappable": 0,
			  "folios": 0}'
		jq_check "nobody: no mappable series, not zeros" "$T/nb.json" \
			'[.series[] | select(.[0] != "memtop_privileged" and
			  .[1].view == "mappable")] == []'
		jq_check "nobody: no THP families" "$T/nb.json" \
			'[.types | keys[] | select(test("thp_(pte_|node_)?bytes"))] == []'
		jq -s '{prom: .[0], json: .[1]}' "$T/nb.json" "$T/nb-root.json" \
			>"$T/nb-both.json"
		jq_check "nobody: present bytes as root sees them" "$T/nb-both.json" \
			'.json as $j | [.prom.series[]
			  | select(.[0] == "memtop_process_present_bytes") | .[2]]
			 == [$j.processes[0].present_pages * $j.page_size]'
	fi
else
	part_skip "unprivileged part needs root, setpriv and user nobody"
fi

finish
