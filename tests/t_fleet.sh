#!/bin/bash
# t_fleet.sh - a real Prometheus scrapes memtop through node_exporter's
# textfile collector, with the rules and the dashboard memtop ships.
#
# Debian's prometheus and prometheus-node-exporter are installed when
# missing (as root, with apt-get; the suite is skipped with the reason
# otherwise), without starting or enabling their services: the suite runs
# its own node_exporter and Prometheus on free loopback ports, with their
# own configuration and data in the suite's temp dir, each in a process
# group of its own that is stopped at exit. A system instance, if any, is
# neither used nor disturbed.
#
# Checked:
#  - contrib/prometheus/memtop.rules.yml passes promtool check rules, and
#    its unit tests (memtop.rules.test.yml) pass promtool test rules; the
#    tests catch an alert that never fires and one that always fires;
#  - memtop --prometheus-file -n 1 -p WORKLOAD (a stopped process) writes
#    into node_exporter's textfile directory, node_exporter serves it
#    without a textfile error, Prometheus scrapes it (the target is up);
#  - every memtop series Prometheus holds is one of the file's with the
#    file's value, and every series of the file is there;
#  - Prometheus's figures equal memtop --json's for the same workload:
#    present bytes, block bytes per order, PMD slots, PMD-mapped bytes,
#    the workload's cgroup;
#  - the recording rules, loaded into that Prometheus, give the huge page
#    share the JSON gives;
#  - contrib/grafana/memtop.json parses, and every query in it (its
#    variables given values) is accepted by that Prometheus and returns
#    data; a query over a series memtop does not write on this machine
#    (a kernel without mTHP statistics, no PAGEMAP_SCAN unprivileged) is
#    a skipped part, said so.
set -u
. "$(dirname "$0")/lib.sh"

RULES=$MEMTOP_ROOT/contrib/prometheus/memtop.rules.yml
RULE_TESTS=$MEMTOP_ROOT/contrib/prometheus/memtop.rules.test.yml
DASHBOARD=$MEMTOP_ROOT/contrib/grafana/memtop.json

need_cmd jq timeout setsid "$PYTHON"
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done

# ---- the packages ------------------------------------------------------------

PKGS="prometheus prometheus-node-exporter"
have_bins() {
	command -v prometheus >/dev/null && command -v promtool >/dev/null &&
		command -v prometheus-node-exporter >/dev/null
}
# Install the packages without starting their services (a policy-rc.d
# that refuses, for the install only, unless one is there already) and
# leave them disabled: nothing of them runs after the suite.
install_pkgs() {
	local policy=/usr/sbin/policy-rc.d own_policy="" rc=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" &&
			own_policy=$policy
	fi
	echo "installing: $PKGS"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $PKGS >"$T/apt.log" 2>&1 || rc=1
	[ -n "$own_policy" ] && rm -f "$own_policy"
	# systemctl disables without a running systemd too (the unit links)
	local now=""
	[ -d /run/systemd/system ] && now=--now
	if [ $rc -eq 0 ] && command -v systemctl >/dev/null; then
		systemctl disable $now prometheus.service \
			prometheus-node-exporter.service >/dev/null 2>&1
	fi
	return $rc
}

mktemp_dir
if ! have_bins; then
	if ! is_root; then
		skip "prometheus, promtool or prometheus-node-exporter missing," \
			"and installing them needs root (apt-get install $PKGS)"
	fi
	command -v apt-get >/dev/null || skip "$PKGS missing and no apt-get"
	install_pkgs || skip "apt-get install $PKGS failed:" \
		"$(tail -3 "$T/apt.log" | tr '\n' ' ')"
	have_bins || skip "$PKGS installed, but their programs are not found"
fi

# ---- the daemons, stopped at exit ------------------------------------------

DAEMONS=()
stop_daemons() {
	local p i
	for p in "${DAEMONS[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null
	done
	for p in "${DAEMONS[@]}"; do
		for ((i = 0; i < 100; i++)); do
			kill -0 -- "-$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	DAEMONS=()
}
trap 'stop_daemons; _cleanup' EXIT

# start_daemon LOG PROGRAM ARGS...: PROGRAM in a session (and process
# group) of its own; sets DAEMON_PID.
start_daemon() {
	local log=$1
	shift
	setsid "$@" >"$log" 2>&1 </dev/null &
	DAEMON_PID=$!
	DAEMONS+=("$DAEMON_PID")
}

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# http URL: the body on stdout; fails on errors (5 s limit). curl when
# there is one (it starts faster), else Python.
HAVE_CURL=$(command -v curl || true)
http() {
	if [ -n "$HAVE_CURL" ]; then
		curl -sSf --max-time 5 "$1"
		return
	fi
	"$PYTHON" - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        sys.stdout.write(r.read().decode())
except Exception as e:
    sys.stderr.write('%s\n' % e)
    sys.exit(1)
EOF
}

# wait_until SECONDS CMD...: CMD every 0.2 s until it succeeds.
wait_until() {
	local limit=$(($1 * WAIT_SCALE)) t0=$SECONDS
	shift
	until "$@"; do
		[ $((SECONDS - t0)) -ge "$limit" ] && return 1
		sleep 0.2
	done
}

# ---- the rules -------------------------------------------------------------

if promtool check rules "$RULES" >"$T/check.out" 2>&1; then
	ok "promtool check rules"
else
	bad "promtool check rules: $(tail -5 "$T/check.out")"
fi
if promtool test rules "$RULE_TESTS" >"$T/rtest.out" 2>&1; then
	ok "promtool test rules"
else
	bad "promtool test rules: $(tail -20 "$T/rtest.out")"
fi
# The tests can fail: an alert whose expression never holds, or always
# does, must make them fail.
mkdir "$T/mut"
cp "$RULE_TESTS" "$T/mut/"
for alert in $(sed -n 's/^ *- alert: *//p' "$RULES"); do
	for e in 'vector(0) > 1' 'vector(1)'; do
		"$PYTHON" - "$RULES" "$alert" "$e" "$T/mut/memtop.rules.yml" <<'EOF'
import sys
src, alert, expr, out = sys.argv[1:]
s = open(src).read()
i = s.index('- alert: ' + alert)
j = s.index('expr:', i)
k = s.index('\n        for:', j)
open(out, 'w').write(s[:j] + 'expr: ' + expr + s[k:])
EOF
		if promtool test rules "$T/mut/$(basename "$RULE_TESTS")" \
			>/dev/null 2>&1; then
			bad "the rule tests pass with $alert's expression '$e'"
		else
			ok "the rule tests catch $alert as '$e'"
		fi
	done
done

# ---- the dashboard parses --------------------------------------------------

if jq -e '.panels | length > 0' "$DASHBOARD" >/dev/null 2>&1; then
	ok "the dashboard is JSON with panels"
else
	bad "$DASHBOARD does not parse as a dashboard"
fi

# ---- memtop writes the textfile --------------------------------------------

start_workload "$T/wl.json" -- --dir "$T" || {
	bad "workload starts and stops itself"
	finish
}
WL=$WL_PID
mkdir -m 755 "$T/textfile"
if timeout -k 5 60 "$MEMTOP" --prometheus-file "$T/textfile/memtop.prom" \
	-n 1 -p "$WL" >"$T/memtop.out" 2>&1; then
	ok "memtop --prometheus-file -n 1 writes the textfile"
else
	bad "memtop --prometheus-file exits $? ($(head -c 300 "$T/memtop.out"))"
	finish
fi
run_memtop "$T/wl-json.json" "$T/json.err" "$MEMTOP" --json -p "$WL" ||
	bad "memtop --json -p $WL exits $? ($(head -c 300 "$T/json.err"))"

# ---- node_exporter and Prometheus ------------------------------------------

# Ports are taken free and may be taken by another process before a
# daemon binds them: then try again with others.
NE= PROM=
for ((try = 0; try < 3; try++)); do
	NE=127.0.0.1:$(free_port)
	start_daemon "$T/node_exporter.log" prometheus-node-exporter \
		--web.listen-address="$NE" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$T/textfile"
	NE_PID=$DAEMON_PID
	wait_until 15 eval 'http "http://$NE/metrics" >"$T/ne.txt" 2>/dev/null ||
		! kill -0 $NE_PID 2>/dev/null' 
	kill -0 "$NE_PID" 2>/dev/null && break
done
if grep -q '^memtop_info{' "$T/ne.txt" 2>/dev/null; then
	ok "node_exporter serves memtop's series"
else
	bad "node_exporter at $NE does not serve memtop_info ($(tail -3 "$T/node_exporter.log"))"
	finish
fi
check "node_exporter read the textfile without error" \
	grep -qx 'node_textfile_scrape_error 0' "$T/ne.txt"

mkdir "$T/prom-data"
for ((try = 0; try < 3; try++)); do
	PROM=127.0.0.1:$(free_port)
	cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: memtop-e2e
    static_configs:
      - targets: ['$NE']
EOF
	start_daemon "$T/prometheus.log" prometheus \
		--config.file="$T/prometheus.yml" \
		--storage.tsdb.path="$T/prom-data" \
		--web.listen-address="$PROM"
	PROM_PID=$DAEMON_PID
	wait_until 30 eval 'http "http://$PROM/-/ready" >/dev/null 2>&1 ||
		! kill -0 $PROM_PID 2>/dev/null'
	kill -0 "$PROM_PID" 2>/dev/null && break
done
if http "http://$PROM/-/ready" >/dev/null 2>&1; then
	ok "Prometheus is ready"
else
	bad "Prometheus at $PROM is not ready ($(tail -5 "$T/prometheus.log"))"
	finish
fi

target_up() {
	http "http://$PROM/api/v1/targets" >"$T/targets.json" 2>/dev/null &&
		jq -e --arg ne "$NE" '[.data.activeTargets[]
		  | select(.labels.instance == $ne and .health == "up")]
		  | length == 1' "$T/targets.json" >/dev/null 2>&1
}
if wait_until 30 target_up; then
	ok "the node_exporter target is up"
else
	bad "target $NE not up: $(jq -c '.data.activeTargets' "$T/targets.json" 2>/dev/null | head -c 400)"
	finish
fi

# Enough scrapes for rates over 15 s windows: five samples of memtop_info
# in the last 15 s.
QUERY_PY=$T/query.py
cat >"$QUERY_PY" <<'EOF'
# query.py PROM EXPR: the instant query's result as JSON on stdout; status
# 1 and the error on stderr when Prometheus refuses it.
import json, sys, urllib.parse, urllib.request
url = 'http://%s/api/v1/query?%s' % (sys.argv[1],
        urllib.parse.urlencode({'query': sys.argv[2]}))
try:
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
except urllib.error.HTTPError as e:
    body = json.load(e)
except Exception as e:
    sys.stderr.write('%s\n' % e)
    sys.exit(1)
if body.get('status') != 'success':
    sys.stderr.write('%s: %s\n' % (body.get('errorType'), body.get('error')))
    sys.exit(1)
json.dump(body['data'], sys.stdout)
EOF
query() {
	if [ -z "$HAVE_CURL" ]; then
		"$PYTHON" "$QUERY_PY" "$PROM" "$1"
		return
	fi
	local body
	body=$(curl -sS -G --max-time 10 --data-urlencode "query=$1" \
		"http://$PROM/api/v1/query") || return 1
	jq -ce 'if .status == "success" then .data else
		("\(.errorType): \(.error)\n" | halt_error(1)) end' \
		<<<"$body" || return 1
}
enough_samples() {
	query 'count_over_time(memtop_info{job="memtop-e2e"}[15s]) >= 5' \
		>"$T/q.json" 2>/dev/null &&
		jq -e '.result | length == 1' "$T/q.json" >/dev/null
}
wait_until 60 enough_samples ||
	bad "fewer than 5 scrapes of memtop_info in 15 s"

# ---- the file's series in Prometheus ----------------------------------------

query '{__name__=~"memtop_.+",job="memtop-e2e"}' >"$T/all.json" 2>"$T/q.err" ||
	bad "query of all memtop series: $(cat "$T/q.err")"
out=$("$PYTHON" - "$T/textfile/memtop.prom" "$T/all.json" "$NE" <<'EOF'
# The samples of the exposition file against Prometheus's result: the
# same series (labels but job and instance), the same values.
import json, re, sys
prom_file, result_file, instance = sys.argv[1:]
n = failed = 0
def check(ok, msg):
    global n, failed
    n += 1
    if not ok:
        failed += 1
        print('FAIL: t_fleet: ' + msg)

LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
def unescape(v):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n'
                  else m.group(1), v)
want = {}
for line in open(prom_file, encoding='utf-8'):
    line = line.rstrip('\n')
    if not line or line.startswith('#'):
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
    labels = tuple(sorted((k, unescape(v))
                          for k, v in LABEL.findall(m.group(2) or '')))
    want[(m.group(1), labels)] = float(m.group(3))
got, strays = {}, []
for r in json.load(open(result_file))['result']:
    met = dict(r['metric'])
    name = met.pop('__name__')
    if (met.pop('instance', None), met.pop('job', None)) != \
            (instance, 'memtop-e2e'):
        strays.append(name)
    got[(name, tuple(sorted(met.items())))] = float(r['value'][1])
check(not strays, 'series without the target\'s job and instance: %r'
      % strays[:3])
check(len(want) > 50, 'the file holds %d series' % len(want))
missing = [k for k in want if k not in got]
extra = [k for k in got if k not in want]
check(not missing, '%d of the file\'s series not in Prometheus: %r'
      % (len(missing), missing[:3]))
check(not extra, '%d series in Prometheus not in the file: %r'
      % (len(extra), extra[:3]))
differ = [(k, want[k], got[k]) for k in want if k in got and got[k] != want[k]]
check(not differ, '%d values differ (file, Prometheus): %r'
      % (len(differ), differ[:3]))
print('series: %d' % len(want))
print('assertions: %d failed: %d' % (n, failed))
EOF
)
py_check "$(grep -v '^series: ' <<<"$out")"
echo "memtop series on the workload's scrape: $(sed -n 's/^series: //p' <<<"$out")"

# ---- Prometheus's figures against memtop --json ------------------------------

# value EXPR: the single value of an instant query, or "none".
value() {
	query "$1" 2>/dev/null |
		jq -r 'if (.result | length) == 1 then .result[0].value[1]
		       else "none" end' 2>/dev/null || echo none
}
# same DESC EXPR JQ-FILTER: the query's value equals the filter's over the
# --json document (both read as numbers).
same() {
	local desc=$1 expr=$2 filter=$3 got want
	got=$(value "$expr")
	want=$(jq -r "$filter" "$T/wl-json.json" 2>/dev/null)
	if [ "$got" != none ] && [ -n "$want" ] && [ "$want" != null ] &&
	   jq -ne --arg a "$got" --arg b "$want" '($a | tonumber) == ($b | tonumber)' \
		>/dev/null; then
		ok "$desc"
	else
		bad "$desc: Prometheus $expr = $got, --json $filter = $want"
	fi
}
J='.processes[0]'
S='{job="memtop-e2e"}'
same "present bytes" "memtop_process_present_bytes$S" \
	"$J.present_pages * .page_size"
same "system present bytes (one process)" "memtop_present_bytes$S" \
	"$J.present_pages * .page_size"
same "swapped bytes" "memtop_process_swapped_bytes$S" \
	"$J.swapped_pages * .page_size"
max_order=$(jq -r .max_order "$T/wl-json.json")
for ((o = 0; o <= max_order; o++)); do
	same "block bytes of order $o" \
		"memtop_process_block_bytes{job=\"memtop-e2e\",view=\"present\",order=\"$o\"}" \
		"$J.present_hist[$o] * pow(2; $o) * .page_size"
done
for st in total full partial; do
	same "PMD slots $st" \
		"memtop_process_pmd_slots{job=\"memtop-e2e\",state=\"$st\"}" \
		"$J.pmd_slots.$st"
done
same "scanned processes" \
	'memtop_processes{job="memtop-e2e",state="scanned"}' '1'
check "the workload's labels" test "$(query 'memtop_process_info{job="memtop-e2e"}' |
	jq -c '[.result[].metric | {pid, comm}]')" = \
	"$(jq -c "[$J | {pid: (.pid | tostring), comm}]" "$T/wl-json.json")"
same "cgroup present bytes" \
	"memtop_cgroup_present_bytes{job=\"memtop-e2e\",cgroup=$(jq "$J.cgroup" "$T/wl-json.json")}" \
	"$J.present_pages * .page_size"
if [ "$(jq "$J.pmd_slots.mapped" "$T/wl-json.json")" != null ]; then
	same "PMD slots mapped" \
		'memtop_process_pmd_slots{job="memtop-e2e",state="mapped"}' \
		"$J.pmd_slots.mapped"
	same "PMD-mapped bytes" "memtop_process_pmd_mapped_bytes$S" \
		"$J.pmd_slots.mapped * pow(2; .pmd_order) * .page_size"
	same "cgroup PMD-mapped bytes" "memtop_cgroup_pmd_mapped_bytes$S" \
		"$J.pmd_slots.mapped * pow(2; .pmd_order) * .page_size"
	# the recording rules, evaluated every second
	rec_ready() {
		[ "$(value "instance:memtop_huge_share:ratio$S")" != none ] &&
			[ "$(value "instance_cgroup:memtop_huge_share:ratio$S")" != none ]
	}
	wait_until 30 rec_ready
	same "recorded huge share per host" \
		"instance:memtop_huge_share:ratio$S" \
		"$J.pmd_slots.mapped * pow(2; .pmd_order) / $J.present_pages"
	same "recorded huge share of the cgroup" \
		"instance_cgroup:memtop_huge_share:ratio$S" \
		"$J.pmd_slots.mapped * pow(2; .pmd_order) / $J.present_pages"
else
	part_skip "memtop cannot tell PMD mappings here (no PAGEMAP_SCAN, not root)"
fi

# ---- every dashboard query returns data --------------------------------------

# Dashboard variables: the instance of this target (a regex: its dots
# match themselves too), every cgroup, and a rate window of 15 s.
subst() {
	"$PYTHON" -c 'import re, sys
e, inst = sys.argv[1:]
for var, val in (("instance", re.escape(inst).replace("\\", "\\\\")),
                 ("cgroup", ".*"), ("__rate_interval", "15s")):
    e = e.replace("${%s}" % var, val).replace("$" + var, val)
sys.stdout.write(e)' "$1" "$NE"
}
# The panels' queries, and the variables' label_values(SERIES, LABEL) as
# the series with that label.
jq -r '.panels[].targets[].expr' "$DASHBOARD" >"$T/exprs" 2>/dev/null
jq -r '.templating.list[] | select(.type == "query") | .query.query // .query' \
	"$DASHBOARD" 2>/dev/null |
	sed -n 's/^label_values(\(.*\), *\([a-zA-Z_]*\))$/count by (\2) (\1)/p' \
	>>"$T/exprs"
n_exprs=$(wc -l <"$T/exprs")
check "the dashboard has queries ($n_exprs)" test "$n_exprs" -ge 8
check "every query is the panels' or a variable's" test \
	"$n_exprs" -eq "$(( $(jq '[.panels[].targets[]] | length' "$DASHBOARD") +
		$(jq '[.templating.list[] | select(.type == "query")] | length' "$DASHBOARD") ))"
while IFS= read -r e; do
	q=$(subst "$e")
	case $q in *'$'*) bad "unsubstituted variable in: $q"; continue ;; esac
	# a series memtop does not write here cannot return data
	absent=""
	for m in $(grep -o 'memtop_[a-z_]*' <<<"$q" | sort -u); do
		grep -q "^$m[{ ]" "$T/textfile/memtop.prom" || absent="$absent $m"
	done
	if [ -n "$absent" ]; then
		part_skip "memtop writes no$absent here: $q"
		continue
	fi
	# data, or a refusal (no use asking again)
	has_data() {
		: >"$T/d.err"
		query "$q" >"$T/d.json" 2>"$T/d.err" || return 0
		jq -e '.result | length > 0' "$T/d.json" >/dev/null
	}
	wait_until 10 has_data
	if [ -s "$T/d.err" ]; then
		bad "Prometheus refuses the dashboard query $q: $(cat "$T/d.err")"
	elif jq -e '.result | length > 0' "$T/d.json" >/dev/null 2>&1; then
		ok "dashboard query returns data: $q"
	else
		bad "dashboard query returns no data: $q"
	fi
done <"$T/exprs"

stop_daemons
check "node_exporter and Prometheus stopped" \
	bash -c "! kill -0 $NE_PID 2>/dev/null && ! kill -0 $PROM_PID 2>/dev/null"
finish
