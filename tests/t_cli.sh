#!/bin/bash
# t_cli.sh - the command line: bad options, help, version, no terminal,
# iteration count, --max-order, --proc-root errors, write errors.
#
#  - every bad option or argument exits 2 with a message on stderr naming
#    memtop and nothing on stdout;
#  - -h/--help exit 0 with the usage on stdout; -V/--version print
#    "memtop VERSION" (the Makefile's version);
#  - without -b or --json and with stdout not a terminal, memtop says to
#    use -b or --json and exits 2 without writing to stdout (stdin a file,
#    and stdin a terminal with stdout a file);
#  - -n 3 -d 0.05 --json prints exactly 3 documents, one per line, with
#    increasing times; -n 2 -b prints two reports;
#  - --max-order 0 gives one-element histograms everywhere, --max-order 20
#    21 elements, and sum(hist[n] << n) stays the present page count;
#  - --proc-root to a missing directory or a plain file: a clear error and
#    exit 1; to an empty directory: an empty report and exit 0;
#  - a write error (stdout is /dev/full) is reported, exit 1; a closed pipe
#    ends memtop quietly.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq timeout
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
mktemp_dir

# mt ARGS...: run memtop with stdin from /dev/null; RC, $T/out, $T/err
mt() {
	timeout -k 5 60 "$MEMTOP" "$@" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
}

# bad_opt DESC ARGS...: exit 2, a message on stderr, nothing on stdout
bad_opt() {
	local desc=$1
	shift
	mt "$@"
	if [ $RC -eq 2 ] && [ ! -s "$T/out" ] && grep -q '^memtop\|memtop:' "$T/err"; then
		ok "$desc"
	else
		bad "$desc: exit $RC (want 2), stdout $(wc -c <"$T/out") bytes, stderr: $(head -c 200 "$T/err")"
	fi
}

bad_opt "unknown option" -b --no-such-option
bad_opt "unknown short option" -b -Z
bad_opt "-p abc" -b -p abc
bad_opt "-p 0" -b -p 0
bad_opt "-p empty" -b -p ''
bad_opt "-p 12x" -b -p 12x
bad_opt "-p overflow" -b -p 99999999999999999999
bad_opt "-p without argument" -b -p
bad_opt "-p 1,,2 (empty item)" -b -p 1,,2
bad_opt "-p 1, (trailing comma)" -b -p 1,
bad_opt "-d 0x10 (hex)" -b -d 0x10
bad_opt "-d inf" -b -d inf
bad_opt "-d -1" -b -d -1
bad_opt "-d 0" -b -d 0
bad_opt "-d abc" -b -d abc
bad_opt "-d nan" -b -d nan
bad_opt "-d inf" -b -d inf
bad_opt "-n -1" -b -n -1
bad_opt "-n x" -b -n x
bad_opt "--max-order 99" -b --max-order 99
bad_opt "--max-order 21" -b --max-order 21
bad_opt "--max-order -1" -b --max-order -1
bad_opt "--max-order x" -b --max-order x
bad_opt "-s nope" -b -s nope
bad_opt "-s empty" -b -s ''
bad_opt "--pagemap-method nope" -b --pagemap-method nope
bad_opt "-u unknown user" -b -u no-such-user-memtop
bad_opt "extra argument" -b extra
bad_opt "extra argument after options" --json -n 1 1
bad_opt "-b with --json" -b --json

# --- help and version ---------------------------------------------------
for h in -h --help; do
	mt "$h"
	check "$h exits 0 (got $RC)" [ $RC -eq 0 ]
	check "$h prints the usage on stdout" grep -q '^Usage: memtop' "$T/out"
	check "$h mentions -b and --json" grep -q -- '--json' "$T/out"
	check "$h writes nothing on stderr" [ ! -s "$T/err" ]
done
version=$(sed -n 's/^VERSION *:= *//p' "$MEMTOP_ROOT/Makefile")
for v in -V --version; do
	mt "$v"
	check "$v exits 0 (got $RC)" [ $RC -eq 0 ]
	check "$v prints 'memtop $version' (got '$(head -c 80 "$T/out")')" \
		[ "$(cat "$T/out")" = "memtop $version" ]
done

# --- no terminal ----------------------------------------------------------
no_tty_ok() { # DESC
	local rc=$1 desc=$2
	if [ "$rc" -eq 2 ] && [ ! -s "$T/out" ] &&
		grep -q -- '-b' "$T/err" && grep -q -- '--json' "$T/err" &&
		[ "$(wc -l <"$T/err")" -le 2 ]; then
		ok "$desc"
	else
		bad "$desc: exit $rc (want 2), stdout $(wc -c <"$T/out") bytes, stderr: $(head -c 300 "$T/err" | od -c | head -5)"
	fi
}
mt
no_tty_ok $RC "no terminal: clear message, exit 2, nothing on stdout"
if command -v script >/dev/null 2>&1; then
	# stdin is a terminal (script's), stdout a file
	rm -f "$T/out" "$T/err" "$T/rc"
	timeout -k 5 30 script -qec "'$MEMTOP' >'$T/out' 2>'$T/err'; echo \$? >'$T/rc'" \
		/dev/null </dev/null >/dev/null 2>&1
	if [ -s "$T/rc" ]; then
		no_tty_ok "$(cat "$T/rc")" "stdout a file, stdin a terminal: clear message, exit 2"
	else
		part_skip "script could not give memtop a terminal"
	fi
else
	part_skip "script (util-linux) is not installed"
fi

# --- iterations -------------------------------------------------------------
mt -n 3 -d 0.05 --json
check "-n 3 --json exits 0 (got $RC; $(head -c 200 "$T/err"))" [ $RC -eq 0 ]
check "-n 3 --json: exactly 3 lines" [ "$(wc -l <"$T/out")" -eq 3 ]
check "-n 3 --json: exactly 3 documents" [ "$(jq -s length "$T/out" 2>/dev/null)" = 3 ]
check "-n 3 --json: every line is one document" \
	bash -c 'while IFS= read -r l; do printf "%s" "$l" | jq -e . >/dev/null || exit 1; done <"$1"' _ "$T/out"
jq_check "-n 3 --json: times increase" "$T/out" \
	'[.[].time] | . == sort and (unique | length) == 3' -s
check "-n 3 --json: nothing on stderr" [ ! -s "$T/err" ]

mt -b -n 2 -d 0.05 -p $$
check "-n 2 -b exits 0 (got $RC)" [ $RC -eq 0 ]
check "-n 2 -b: two reports" [ "$(grep -c '^# memtop ' "$T/out")" -eq 2 ]
check "-n 2 -b: two summaries" [ "$(grep -cE '^# [0-9]+ process(es)? scanned' "$T/out")" -eq 2 ]

# --- --max-order -------------------------------------------------------------
hist_len() { # FILE N: every histogram has N elements and sums to the pages
	jq -e --argjson n "$2" '
	  def ok(h): h == null or (h | length) == $n;
	  def pages(h): [range(0; h | length) as $i | h[$i] * pow(2; $i)] | add;
	  .max_order == ($n - 1) and
	  ok(.totals.present_hist) and ok(.totals.mappable_hist) and
	  (.processes | length) > 0 and
	  all(.processes[];
	      ok(.present_hist) and ok(.mappable_hist) and
	      pages(.present_hist) == .present_pages and
	      all(.vmas[]; ok(.present_hist) and ok(.mappable_hist) and
		  pages(.present_hist) == .present_pages))' "$1" >/dev/null
}
mt --json --max-order 0 -p $$
check "--max-order 0 exits 0 (got $RC)" [ $RC -eq 0 ]
check "--max-order 0: one-element histograms" hist_len "$T/out" 1
mt --json --max-order 20 -p $$
check "--max-order 20: 21-element histograms" hist_len "$T/out" 21
mt -b --max-order 0 -p $$
check "--max-order 0 -b: text histograms have one element" \
	grep -qE '^process .* present \[[0-9]+\] ' "$T/out"

# --- --proc-root -------------------------------------------------------------
mt -b --proc-root "$T/no-such-dir"
check "--proc-root missing: exit 1 (got $RC)" [ $RC -eq 1 ]
check "--proc-root missing: message names the directory" \
	grep -q "$T/no-such-dir" "$T/err"
check "--proc-root missing: nothing on stdout" [ ! -s "$T/out" ]
check "--proc-root missing: one line on stderr" [ "$(wc -l <"$T/err")" -eq 1 ]
: >"$T/plain-file"
mt --json --proc-root "$T/plain-file"
check "--proc-root a file: exit 1 (got $RC)" [ $RC -eq 1 ]
check "--proc-root a file: a message" [ -s "$T/err" ]
mkdir "$T/empty"
mt --json --proc-root "$T/empty" --sys-root "$T/empty"
check "--proc-root empty dir: exit 0 (got $RC)" [ $RC -eq 0 ]
jq_check "--proc-root empty dir: no processes" "$T/out" \
	'.summary.listed == 0 and (.processes | length) == 0'
mt -b --sys-root "$T/no-such-dir" -p $$
check "--sys-root missing: exit 1 (got $RC)" [ $RC -eq 1 ]
check "--sys-root missing: a message" grep -q "$T/no-such-dir" "$T/err"

# --- no /proc/PID/pagemap (CONFIG_PROC_PAGE_MONITOR=n) ------------------------
# a proc tree whose "self" has maps but no pagemap: nothing can be shown
mkdir -p "$T/nopm/self" "$T/nopm/4242"
printf '00400000-00401000 r-xp 00000000 00:00 0 \n' >"$T/nopm/self/maps"
printf 'Name:\tx\nState:\tS (sleeping)\nPPid:\t1\nUid:\t0\t0\t0\t0\n' \
	>"$T/nopm/4242/status"
cp "$T/nopm/self/maps" "$T/nopm/4242/maps"
for mode in --json -b; do
	mt $mode --proc-root "$T/nopm" --sys-root "$T/empty"
	check "no pagemap ($mode): exit 1 (got $RC)" [ $RC -eq 1 ]
	check "no pagemap ($mode): says why" \
		grep -q 'no /proc/PID/pagemap (built without CONFIG_PROC_PAGE_MONITOR)' "$T/err"
	check "no pagemap ($mode): nothing on stdout" [ ! -s "$T/out" ]
done
# the same tree with a pagemap file is scanned
: >"$T/nopm/self/pagemap"
mt --json --proc-root "$T/nopm" --sys-root "$T/empty"
check "with a pagemap: exit 0 (got $RC)" [ $RC -eq 0 ]

# --- PFNs without /proc/kpageflags --------------------------------------------
# (a fixture's PFNs follow the privilege of the caller: root only)
if is_root && has_sys_admin; then
	mkdir -p "$T/nokpf/4243"
	cp "$T/nopm/4242/status" "$T/nokpf/4243/status"
	printf '00400000-00402000 rw-p 00000000 00:00 0 \n' >"$T/nokpf/4243/maps"
	"$PYTHON" -c 'import struct, sys
f = open(sys.argv[1], "wb"); f.seek(0x400 * 8)
f.write(struct.pack("<2Q", (1 << 63) | 0x1234, (1 << 63) | 0x1235))' \
		"$T/nokpf/4243/pagemap"
	mt --json --proc-root "$T/nokpf" --sys-root "$T/empty"
	check "no kpageflags: exit 0 (got $RC)" [ $RC -eq 0 ]
	jq_check "no kpageflags: PFNs yes, folios unavailable with the reason" \
		"$T/out" '.privileged.pfns == true and
		.privileged.kpageflags == false and
		(.privileged.kpageflags_why | test("^/proc/kpageflags: "))
		and .processes[0].folios == null and
		.processes[0].mappable_hist[1] == 1'
else
	part_skip "PFNs in a fixture tree need CAP_SYS_ADMIN"
fi

# --- SIGTERM ends a repeating run between two scans ---------------------------
timeout -k 5 120 "$MEMTOP" --json -n 0 -d 0.05 -p $$ >"$T/term.out" 2>"$T/err" &
mpid=$!
for ((i = 0; i < 200 * WAIT_SCALE; i++)); do
	[ "$(wc -l <"$T/term.out")" -ge 2 ] && break
	sleep 0.05
done
pkill -TERM -P $mpid -x memtop 2>/dev/null || kill -TERM $mpid
wait $mpid
rc=$?
check "SIGTERM: exit 0 (got $rc)" [ $rc -eq 0 ]
check "SIGTERM: every document whole (jq)" jq -e . "$T/term.out" >/dev/null
check "SIGTERM: nothing on stderr" [ ! -s "$T/err" ]

# --- output errors -------------------------------------------------------------
if [ -w /dev/full ]; then
	timeout -k 5 30 "$MEMTOP" -b -p $$ </dev/null >/dev/full 2>"$T/err"
	rc=$?
	check "stdout /dev/full: exit 1 (got $rc)" [ $rc -eq 1 ]
	check "stdout /dev/full: write error reported" grep -qi 'error' "$T/err"
else
	part_skip "/dev/full is not writable"
fi
# a reader that goes away: memtop ends (SIGPIPE or EPIPE), says nothing
( timeout -k 5 20 "$MEMTOP" --json -n 0 -d 0.05 -p $$ 2>"$T/err"; echo $? >"$T/rc" ) |
	head -c 10 >/dev/null
rc=$(cat "$T/rc")
check "closed pipe: memtop ends by itself (exit $rc)" [ "$rc" != 124 -a "$rc" != 137 ]
check "closed pipe: nothing on stderr ($(head -c 200 "$T/err"))" [ ! -s "$T/err" ]
# -b names a VMA without a path by its kind, as the viewer does ([anon]),
# never an empty path; --json keeps "path":"" beside "kind"
sleep 30 & SP=$!
"$MEMTOP" -b -p $SP >"$T/anon.txt" 2>"$T/err"
"$MEMTOP" --json -p $SP >"$T/anon.json" 2>>"$T/err"
kill $SP 2>/dev/null; wait $SP 2>/dev/null
check "-b: anonymous VMAs are shown as [anon]" grep -q ' \[anon\]$' "$T/anon.txt"
check "-b: no VMA line ends with an empty path" \
	sh -c "! grep -E '^  [0-9a-f]+-[0-9a-f]+ .* $' '$T/anon.txt'"
check "--json: an anonymous VMA keeps an empty path and kind anon" \
	grep -q '"path":"","kind":"anon"' "$T/anon.json"
# an mTHP size without an anonymous "enabled" file is "shmem only" in
# every output, never "?"
so=""
for d in /sys/kernel/mm/transparent_hugepage/hugepages-*kB; do
	[ -d "$d" ] && [ ! -e "$d/enabled" ] && so=${d##*hugepages-} && break
done
if [ -n "$so" ]; then
	kb=${so%kB}
	"$MEMTOP" --json -p $$ >"$T/so.json" 2>"$T/err"
	check "--json: the $so size is shmem only (enabled null)" \
		grep -q "{\"size_kb\":$kb,\"enabled\":null,\"shmem_only\":true" "$T/so.json"
	"$MEMTOP" --prometheus -p $$ >"$T/so.prom" 2>"$T/err"
	check "--prometheus: the $so size is enabled=\"shmem only\"" \
		grep -q "memtop_mthp_info{size=\"$so\",enabled=\"shmem only\"" "$T/so.prom"
	check "--prometheus: no mTHP size reads enabled=\"?\"" \
		sh -c "! grep -q 'memtop_mthp_info{[^}]*enabled=\"?\"' '$T/so.prom'"
	"$MEMTOP" -b -p $$ >"$T/so.txt" 2>"$T/err"
	check "-b: the system line does not list the $so size as ?" \
		sh -c "! grep -q '^# system:.* ${so%kB}K ?' '$T/so.txt'"
else
	part_skip "every mTHP size has an anonymous enabled file here"
fi
finish
