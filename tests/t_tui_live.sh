#!/bin/bash
# t_tui_live.sh - the viewer's live views in a private tmux server: the
# system view (settings, counters, free memory), cgroup rows and the
# process tree, the demo's adoption as the screen shows it (the THP share
# of demo-collapse rises), and settings kept in memtoprc across runs
# (--no-config ignores the file; a foreign file is never written over).
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux jq timeout
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
mktemp_dir
export MEMTOPRC=$T/memtoprc
# column arithmetic below counts characters, not bytes
export LC_ALL=C.UTF-8

tui_setup LC_ALL=C.UTF-8 "MEMTOPRC=$MEMTOPRC"

start_workload "$T/wl.json" -- --shapes thp,file,holes \
	--comm-hex "$(hex livewl-thp)" || { bad "workload"; finish; }
WL=$WL_PID

# ---- the system view ------------------------------------------------------
start_ui 120 40 -p "$WL" || { bad "memtop did not start"; finish; }
expect "the header sums up huge pages" "^huge pages .*(faults|free in)"
keys s
expect "s opens the system view" "^Settings +/sys/kernel/mm/transparent_hugepage"
expect "THP settings shown" "^  enabled (always|madvise|never|\\?) +defrag "
# the kernel's zero page use, as the batch output reports it
zp=$("$MEMTOP" --json -p "$WL" | jq -r '.kernel.zero_page |
	if . == true then "used" elif . == false then "not used" else "unknown" end')
expect "the system view says whether the kernel maps the zero page ($zp)" \
	" zero page $zp +huge zero page (used|not used|unknown)"
if [ -r /sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan ]; then
	expect "khugepaged settings shown" "^  khugepaged .*[a-z_]+ [0-9]+"
	expect "khugepaged pages_to_scan shown" " pages_to_scan [0-9]+"
fi
expect "counters with totals and rates" \
	"^Counters +/proc/vmstat: total, and per second"
if grep -q '^thp_fault_alloc ' /proc/vmstat; then
	n=$(awk '$1 == "thp_fault_alloc" {print $2}' /proc/vmstat)
	expect "thp_fault_alloc listed with its total" \
		"thp_fault_alloc +[0-9.]+[KMG]? +(-|0|[0-9.]+[KMG]?/s)"
fi
expect "the overview has time plots" "^  RSS +[0-9.]+[BKMGT]"
# a second scan gives rates
expect "rates after the second scan" "thp_fault_alloc +[0-9.]+[KMG]? +(0|[0-9.]+[KMG]?/s)" 10
keys End
expect "End scrolls to meminfo" "^meminfo +/proc/meminfo"
expect "free memory per order with the PMD share" \
	"node [0-9]+: .* free, .*% in blocks of [0-9]+[KMG] or more"
expect "a sparkline per zone" "zone (DMA|DMA32|Normal|Movable)"
if ls -d /sys/kernel/mm/transparent_hugepage/hugepages-*kB >/dev/null 2>&1; then
	keys Home
	for ((i = 0; i < 8; i++)); do
		screen | grep -q '^mTHP ' && break
		keys NPage
	done
	expect "mTHP sizes listed" "^  size +[0-9]+K +"
else
	part_skip "no mTHP sizes on this kernel"
fi
keys s
expect "s again: back to the processes" "PID.*COMMAND"
expect_gone "the system view is gone" "^Counters "
keys s Escape
expect "Esc leaves the system view too" "PID.*COMMAND"
expect "COLL column in the process pane" "ALGN% +THP% +COLL "
keys D
expect "D shows the HUGE/s column" "COLL +HUGE/s "
keys D
expect_gone "D hides it again" "COLL +HUGE/s"
keys Enter
expect "VMA pane has the slot figures" "COLL SLOTS m/f/p"
expect "VMA pane sums up the PMD slots" "PMD slots [0-9]+: "
keys Left
quit_ui "quit from the live views"

# ---- cgroups and the process tree -----------------------------------------
"$MEMTOP" --json -p "$WL" >"$T/cg.json" 2>/dev/null
CG=$(jq -r '.processes[0].cgroup' "$T/cg.json")
if [ -z "$CG" ] || [ "$CG" = null ]; then
	part_skip "no cgroup path for the workload"
else
	# a parent and its child: bash runs sleep, then becomes sleep itself
	bash -c 'sleep 600 & exec sleep 601' &
	PARENT=$!
	kill_later "$PARENT"
	CHILD=""
	for ((i = 0; i < 100; i++)); do
		CHILD=$(pgrep -P "$PARENT" -x sleep | head -1)
		[ -n "$CHILD" ] && grep -q '^sleep' "/proc/$PARENT/comm" && break
		sleep 0.05
	done
	kill_later "$CHILD"
	start_ui 120 40 -p "$WL,$PARENT,$CHILD" || bad "memtop did not start"
	keys g
	tail=${CG: -20}
	expect "g shows a cgroup row" "[0-9] procs? .*(▸|\\[\\+\\]) .*${tail//./\\.}"
	expect "the header counts the cgroups" "shown in [0-9]+ cgroups?"
	expect_gone "processes folded into their cgroup" "livewl-thp"
	# select the workload's cgroup row and open it
	keys Home
	for ((i = 0; i < 6; i++)); do
		screen | grep -q "view: cgroup .*${tail//./\\.}" && break
		keys Down
	done
	keys Enter
	expect "Enter opens the cgroup row" "(▾|\\[-\\]) .*${tail//./\\.}"
	expect "its processes listed under it" "(├─|└─) livewl-thp"
	keys Left
	expect_gone "Left closes it" "(├─|└─) livewl-thp"
	keys g
	expect "g again: one row per process" "livewl-thp"
	keys t
	expect "t: the child under its parent" "└─ sleep"
	expect "the header says tree" "│ tree │"
	keys t
	expect_gone "t again: a flat list" "└─ sleep"
	quit_ui "quit after cgroups and tree"
fi

# ---- the demo: adoption as the screen shows it ------------------------------
# Column value under a title (right aligned cells): the characters of the
# row that end where the title ends.
cell() { # TITLE ROW-REGEX
	local s hdr row end
	s=$(screen)
	hdr=$(printf '%s\n' "$s" | grep -m1 -E '^ +PID')
	row=$(printf '%s\n' "$s" | grep -m1 -E -- "$2")
	[ -n "$hdr" ] && [ -n "$row" ] || return 1
	local pre=${hdr%%"$1"*}
	[ "$pre" != "$hdr" ] || return 1
	end=$((${#pre} + ${#1}))
	local v=${row:$((end - 7)):7}
	v=${v##* }
	printf '%s\n' "$v"
}
num() { # "99.3" ">99.9" "<0.1" "0" -> a number, "" if none
	case $1 in
	'>'*) echo 99.95 ;;
	'<'*) echo 0.05 ;;
	[0-9]*) echo "$1" ;;
	*) echo "" ;;
	esac
}
bytes() { # 120M -> bytes
	awk -v s="$1" 'BEGIN { n = s + 0; u = substr(s, length(s));
		m = u == "K" ? 1024 : u == "M" ? 1048576 : u == "G" ? 1073741824 : 1;
		printf "%d\n", n * m }'
}

start_ui 120 40 --demo || bad "memtop --demo did not start"
expect "the demo sorts by PID" "PID▲"
expect "the demo shows HUGE/s" "HUGE/s"
expect "demo-collapse is listed" "demo-collapse" 10
expect "demo-collapse is selected (histogram)" "view: PID [0-9]+ demo-collapse"
# its 128 MiB touched with 4K pages (the first 3 s of the workload)
for ((i = 0; i < 100; i++)); do
	rss=$(cell RSS '^ *[0-9]+ .* demo-collapse( |$)')
	[ -n "$rss" ] && [ "$(bytes "$rss")" -ge $((100 << 20)) ] && break
	sleep 0.1
done
t0=$SECONDS
thp0=$(cell THP% '^ *[0-9]+ .* demo-collapse( |$)')
coll0=$(cell COLL '^ *[0-9]+ .* demo-collapse( |$)')
echo "demo-collapse at start: RSS $rss THP% $thp0 COLL $coll0"
# collapsing takes the workload about 20 s; a busy machine takes longer:
# watch for the change itself, up to 30 s times the wait scale
for ((i = 0; i < 30 * WAIT_SCALE; i++)); do
	sleep 1
	thp1=$(cell THP% '^ *[0-9]+ .* demo-collapse( |$)')
	coll1=$(cell COLL '^ *[0-9]+ .* demo-collapse( |$)')
	if [ -n "$(num "$thp0")" ] && [ -n "$(num "$thp1")" ]; then
		awk -v a="$(num "$thp0")" -v b="$(num "$thp1")" \
			'BEGIN { exit !(b >= a + 50) }' && break
	elif [ -n "$coll0" ] && [ -n "$coll1" ] &&
		[ "$(bytes "$coll1")" -lt "$(bytes "$coll0")" ]; then
		break
	fi
done
echo "demo-collapse after $((SECONDS - t0)) s: THP% $thp1 COLL $coll1"
screen | sed -n '5,10p' | sed 's/^/    | /'
if [ -n "$(num "$thp0")" ] && [ -n "$(num "$thp1")" ]; then
	if awk -v a="$(num "$thp0")" -v b="$(num "$thp1")" 'BEGIN { exit !(b >= a + 50) }'; then
		ok "demo-collapse THP% rose: $thp0 -> $thp1"
	else
		bad "demo-collapse THP% did not rise: $thp0 -> $thp1"
	fi
else
	# without root the folio view is missing: collapsible memory falls
	if [ -n "$coll0" ] && [ -n "$coll1" ] &&
		[ "$(bytes "$coll1")" -lt "$(bytes "$coll0")" ]; then
		ok "demo-collapse COLL fell: $coll0 -> $coll1 (THP% needs root)"
	else
		bad "demo-collapse: no THP% and COLL did not fall ($coll0 -> $coll1)"
	fi
fi
if pfns_visible && [ -r /proc/kpageflags ]; then
	expect "the history plots its THP memory" "THP +[0-9.]+[KMG]" 2
else
	# large folios need root: the PMD-order series is what it has
	expect "the history plots its PMD-order memory" "ALGN +[0-9.]+[KMG]" 2
fi
quit_ui "the demo quits"

# ---- C locale: the new views in ASCII ---------------------------------------
tui_run 120 40 -e LANG=C -e LC_ALL=C -e NO_COLOR=1 "$MEMTOP" -d 0.5 -p "$WL"
expect "C locale: memtop starts" "livewl-thp" 10
sleep 1.5 # a few scans of history
ascii_only() { # DESC
	if screen | LC_ALL=C grep -q '[^ -~]'; then
		bad "$1: non-ASCII output in the C locale:"
		screen | LC_ALL=C grep '[^ -~]' | head -3 | sed 's/^/    | /'
	else
		ok "$1"
	fi
}
expect "C locale: the history is plotted" "RSS +[0-9.]+[KMG] +[#.]"
ascii_only "C locale: process list, histogram and history"
keys g Enter t D
expect "C locale: cgroup row opened" "\[-\] "
ascii_only "C locale: cgroup rows and tree"
keys s
expect "C locale: system view" "^Counters"
ascii_only "C locale: system view (top)"
keys End
expect "C locale: zones" "zone "
ascii_only "C locale: system view (bottom)"
quit_ui "quit (C locale)"

# ---- settings kept across runs --------------------------------------------
rm -f "$MEMTOPRC"
start_ui 120 40 -p "$WL" || bad "memtop did not start (settings)"
expect "starts on the defaults" "^view present"
keys N
expect "N sorts by PID" "PID▲"
keys v
expect "v: mappable" "^view mappable"
keys +
expect "+: every 3s" "every 3s"
# the pane's title (the mappable view needs root: then it says so)
expect "the histogram pane is shown" "mappable view: PID $WL "
keys L b p D
expect_gone "b hides the histogram pane" "mappable view: PID $WL "
expect "D shows the HUGE/s column" "HUGE/s"
quit_ui "quit after changing settings"
if [ -f "$MEMTOPRC" ]; then
	check "memtoprc has a version line" grep -qx 'version=1' "$MEMTOPRC"
	check "memtoprc keeps the sort" grep -qx 'sort=pid' "$MEMTOPRC"
	check "memtoprc keeps the order" grep -qx 'sort_descending=0' "$MEMTOPRC"
	check "memtoprc keeps the view" grep -qx 'view=mappable' "$MEMTOPRC"
	check "memtoprc keeps the interval" grep -qx 'interval=3' "$MEMTOPRC"
	check "memtoprc keeps the hidden pane (b)" grep -qx 'histogram_pane=0' "$MEMTOPRC"
	check "memtoprc keeps the log scale (L)" grep -qx 'histogram_log=1' "$MEMTOPRC"
	check "memtoprc keeps the process name (p)" grep -qx 'command_line=0' "$MEMTOPRC"
	check "memtoprc keeps the HUGE/s column (D)" grep -qx 'huge_rate_column=1' "$MEMTOPRC"
	check "a toggle left alone keeps its default (c)" \
		grep -qx 'histogram_counts=0' "$MEMTOPRC"
else
	bad "no memtoprc written at $MEMTOPRC"
fi
cp "$MEMTOPRC" "$T/saved"
start_ui 120 40 -p "$WL" || bad "memtop did not start (settings 2)"
expect "the next run starts in the saved view" "^view mappable"
expect "with the saved interval" "every 3s"
expect "and the saved sort" "PID▲"
expect "and the HUGE/s column" "HUGE/s"
expect "and the process name" " livewl-thp *$"
expect_gone "not the command line" "livewl-thp workload --shapes"
expect_gone "and no histogram pane" "mappable view: PID $WL "
quit_ui "quit (settings 2)"

start_ui 120 40 --no-config -p "$WL" || bad "memtop did not start (--no-config)"
expect "--no-config: the default view" "^view present"
expect "--no-config: the default interval" "every 2s"
keys v M
expect "--no-config: keys still work" "^view mappable"
quit_ui "quit (--no-config)"
check "--no-config wrote nothing" cmp -s "$MEMTOPRC" "$T/saved"

start_ui 120 40 -s rss -p "$WL" || bad "memtop did not start (-s rss)"
expect "-s wins over the file" "RSS▼"
expect "the rest comes from the file" "^view mappable"
keys v
expect "v: folios" "^view folios"
quit_ui "quit (-s rss)"
check "-s stays out of the file" grep -qx 'sort=pid' "$MEMTOPRC"
check "what the user changed is saved" grep -qx 'view=folios' "$MEMTOPRC"

printf 'version=1\nsort=sideways\n' >"$MEMTOPRC"
start_ui 120 40 -p "$WL" || bad "memtop did not start (bad value)"
expect "a bad value is reported in the status line" \
	"memtoprc:2: bad value .*sideways"
expect "and the default used" "BLOCKS▼"
quit_ui "quit (bad value)"

printf 'colour=green\n' >"$MEMTOPRC"
cp "$MEMTOPRC" "$T/foreign"
start_ui 120 40 -p "$WL" || bad "memtop did not start (foreign)"
expect "a foreign file is reported" "not a memtop settings file"
keys v N
expect "keys still work" "^view mappable"
quit_ui "quit (foreign file)"
check "a foreign file is not written over" cmp -s "$MEMTOPRC" "$T/foreign"

finish
