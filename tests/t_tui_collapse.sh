#!/bin/bash
# t_tui_collapse.sh - the viewer's C key (MADV_COLLAPSE on the selection)
# in a private tmux server, as root:
#  - a process of regions with collapsible slots (collapse_shapes, without
#    PR_SET_THP_DISABLE) selected with -p: C asks first (how many slots,
#    how much memory), any other key cancels and nothing changes;
#  - C then y: the summary line "collapsed N, already M, ..." comes, and
#    memtop --json -p PID shows the PMD-mapped slots risen by exactly N;
#  - in the VMA pane C asks for the selected VMA only;
#  - --read-only, or read_only=1 in memtoprc: C says so and asks nothing;
#  - as nobody (setpriv): C says it needs privilege, nothing changes.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux jq timeout
need_collapse_shapes
need_collapse_privilege
mktemp_dir
export MEMTOPRC=$T/memtoprc
export LC_ALL=C.UTF-8

# panes are 250 columns wide: the footer's longest line fits
tui_setup LC_ALL=C.UTF-8 "MEMTOPRC=$MEMTOPRC"

# PMD-mapped slots of the process, from the batch output
mapped() {
	"$MEMTOP" --json -p "$1" | jq -r '.processes[0].pmd_slots.mapped'
}

start_workload "$T/shapes.json" -- --seed 11 --dir "$T" ||
	{ bad "collapse_shapes starts"; finish; }
PID=$WL_PID
before=$(mapped "$PID")
coll=$("$MEMTOP" --json -p "$PID" | jq -r '.processes[0].pmd_slots.collapsible')
check "the process has collapsible slots ($coll)" test "$coll" -gt 0

# ---- asked first; any other key cancels -----------------------------------
start_ui 250 40 --no-config -p "$PID" || { bad "memtop did not start"; finish; }
expect "the process is selected" "^ *$PID .*collapse_shape"
keys C
expect "C asks first: slots, PID, memory it may allocate" \
	"MADV_COLLAPSE [0-9]+ PMD slots of PID $PID \\([0-9]+ already PMD-mapped\\)\\? May allocate up to [0-9.]+ [MG]iB\\. y/Enter: yes"
keys n
expect "another key cancels" "collapse cancelled: nothing was asked"
check "cancelled: the PMD-mapped slots did not change" \
	test "$(mapped "$PID")" = "$before"

# ---- y: asked slot by slot, summed up --------------------------------------
keys C
expect "C asks again" "MADV_COLLAPSE [0-9]+ PMD slots of PID $PID"
keys y
if wait_for "collapsed [0-9]+, already [0-9]+" 60; then
	ok "the summary line comes"
	line=$(screen | grep -Eo "collapsed [0-9]+, already [0-9]+.*" | head -1)
	n=$(sed -E 's/^collapsed ([0-9]+).*/\1/' <<<"$line")
	after=$(mapped "$PID")
	check "PMD-mapped slots rose by the $n collapsed ($before -> $after; $line)" \
		test "$after" -eq $((before + n))
	check "something was collapsed ($n)" test "$n" -gt 0
	# slots refused are counted and decoded (the file and NOHUGEPAGE
	# regions are ineligible)
	check "refusals decoded ($line)" grep -Eq "refused [0-9]+ \\(EINVAL ineligible\\)" <<<"$line"
else
	bad "no summary line on screen:"; screen | sed 's/^/    | /'
fi
# a rescan was requested: the COLL figures after show on the next scan
quit_ui "q exits 0 after collapsing"

# ---- the VMA pane: the selected VMA only ----------------------------------
kill -KILL "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
start_workload "$T/shapes2.json" -- --seed 22 --dir "$T" ||
	{ bad "collapse_shapes starts"; finish; }
PID=$WL_PID
read -r AS AE < <(jq -r '.regions[] | select(.shape == "anon") |
	"\(.start) \(.end)"' "$T/shapes2.json")
before=$(mapped "$PID")
start_ui 250 40 --no-config -p "$PID" || { bad "memtop did not start"; finish; }
expect "the process is selected" "^ *$PID .*collapse_shape"
keys Enter
expect "the VMA pane opens" "START. +END"
# select the anon region's VMA: rows are in address order, all shown
idx=$(awk -v a="${AS#0x}" '{ split($1, r, "-"); if (r[1] == a) { print NR - 1; exit } }' \
	"/proc/$PID/maps")
[ -n "$idx" ] && [ "$idx" -gt 0 ] && keys -N "$idx" Down
expect "the anon region's VMA is selected" "${AS#0x} +${AE#0x} "
keys C
if wait_for "MADV_COLLAPSE [0-9]+ PMD slots of VMA ${AS#0x}-${AE#0x} of PID $PID" 8; then
	ok "C on a VMA asks for that VMA"
	keys Enter
	if wait_for "collapsed [0-9]+, already [0-9]+" 60; then
		line=$(screen | grep -Eo "collapsed [0-9]+, already [0-9]+.*" | head -1)
		n=$(sed -E 's/^collapsed ([0-9]+).*/\1/' <<<"$line")
		after=$(mapped "$PID")
		check "VMA: PMD-mapped slots rose by the $n collapsed ($before -> $after)" \
			test "$after" -eq $((before + n))
	else
		bad "VMA: no summary line on screen:"; screen | sed 's/^/    | /'
	fi
elif screen | grep -q "nothing to collapse in VMA"; then
	ok "C on a VMA with nothing to collapse says so"
else
	bad "C on a VMA: no question:"; screen | sed 's/^/    | /'
fi
quit_ui "q exits 0 from the VMA pane"

# ---- --read-only ----------------------------------------------------------
before=$(mapped "$PID")
start_ui 250 40 --no-config --read-only -p "$PID" || { bad "memtop did not start"; finish; }
expect "the process is selected" "^ *$PID .*collapse_shape"
keys C
expect "--read-only: C says why" "collapse is off: memtop was started with --read-only"
keys y
sleep 0.5
check "--read-only: nothing changed" test "$(mapped "$PID")" = "$before"
quit_ui "q exits 0 under --read-only"
# read_only=1 in the settings file does the same, and is kept
printf 'version=1\nread_only=1\n' >"$MEMTOPRC"
tui_run 250 40 "$MEMTOP" -p "$PID"
expect "memtop starts with read_only=1 in its settings" 'scan [0-9.]+m?s at' 20
keys C
expect "read_only=1: C says why" "collapse is off: read_only=1 in the settings file"
keys y
keys I # a change the viewer saves
sleep 0.5
check "read_only=1: nothing changed" test "$(mapped "$PID")" = "$before"
quit_ui "q exits 0 with read_only=1"
check "read_only=1 kept when the settings are saved" grep -qx "read_only=1" "$MEMTOPRC"
rm -f "$MEMTOPRC"

# ---- as nobody ------------------------------------------------------------
# its own process (nobody's), so it is listed and selected
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
	as_user nobody true 2>/dev/null; then
	mkdir -m 1777 "$T/nb"
	start_workload "$T/nb.json" --as nobody -- --seed 33 --dir "$T/nb" ||
		{ bad "collapse_shapes as nobody starts"; finish; }
	NPID=$WL_PID
	before=$(mapped "$NPID")
	start_ui 250 40 --as nobody --no-config -p "$NPID" || { bad "memtop as nobody did not start"; finish; }
	expect "nobody: its process is selected" "^ *$NPID .*collapse_shape"
	keys C
	expect "nobody: C says it needs privilege" "collapse needs privilege: root, or CAP_SYS_NICE"
	keys y
	sleep 0.5
	check "nobody: nothing changed ($before)" test "$(mapped "$NPID")" = "$before"
	quit_ui "nobody: q exits 0"
else
	part_skip "no setpriv or no user nobody: the unprivileged key is not tried"
fi
finish
