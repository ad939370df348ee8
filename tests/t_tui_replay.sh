#!/bin/bash
# t_tui_replay.sh - the viewer on a recording (--replay), driven in tmux.
#
# A recording of the demo's workloads (--demo --json --record, 6 scans);
# then the viewer on it:
#  - it opens on the last frame: the header says "replay 6/6 at DATE
#    TIME", the recorded time of that scan, and no "every" interval;
#    unprivileged too, where the privilege item takes more room;
#  - t steps back (5/6, 4/6), T forward, and at either end the status
#    line says so; --begin '#2' opens on frame 2;
#  - m marks a frame, = compares the frame shown with it: the title names
#    both frames, the table has its columns and the demo's processes, and
#    a key closes it; m again clears the mark;
#  - Space plays to the end at the recorded pace, + doubles the speed;
#  - the keys that act (C) say there is nothing to act on; q quits with
#    status 0, also when the recording is cut short (the status line and
#    stderr name the damage).
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux jq timeout
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
mktemp_dir
tui_setup --ready 'replay [0-9]+/[0-9]+' MEMTOPRC="$T/memtoprc"

REC=$T/demo.mtr
N=6
if ! run_memtop "$T/live.json" "$T/live.err" "$MEMTOP" --demo --json -n $N \
	-d 0.5 --record "$REC"; then
	bad "recording the demo: $(head -c 300 "$T/live.err")"
	finish
fi
# the recorded times, as the header shows them
clock() { date -d "@$(jq -s ".[$1].time | floor" "$T/live.json")" +%H:%M:%S; }

start_ui 160 40 --no-config --replay "$REC" ||
	{ bad "the viewer did not open the recording:"; screen | sed 's/^/    | /'; finish; }
expect "it opens on the last frame" "replay $N/$N"
expect "the header gives that scan's time" "replay $N/$N at [0-9-]+ $(clock $((N - 1)))"
check "no refresh interval in a replay" test -z "$(screen | grep -E 'every [0-9]')"
# (the keys that play and step when the header has room)
expect "paused" "│ paused( \\(Space plays, t T step\\))? │"
expect "the demo's processes are listed" "demo-"
keys t
expect "t steps back" "replay $((N - 1))/$N"
keys t
expect "t again" "replay $((N - 2))/$N"
expect "... with that frame's time" "replay $((N - 2))/$N at [0-9-]+ $(clock $((N - 3)))"
keys T
expect "T steps forward" "replay $((N - 1))/$N"
keys T
expect "T again: the last frame" "replay $N/$N"
keys T
expect "T at the end says so" "the last frame of the recording"

# mark, move, compare
keys m
expect "m marks the frame" "mark $N"
keys t t t
expect "three back" "replay $((N - 3))/$N"
keys =
expect "= compares: the title names both frames" \
	"Compare: frame $N \\(.*\\) with frame $((N - 3)) \\(.*\\)"
expect "the comparison's columns" "PID +RSS +dRSS +PMD +dPMD +FOLIO +dFOLIO +MADE +SPLIT"
expect "the comparison lists the demo's processes" "demo-"
# a process row, and under it a VMA of its that changed: same columns
expect "... and under them the VMAs that changed, by range" \
	"^ {9,}[0-9.]+[KMGB]? +[-+0-9.]+[KMGB]? .*  [0-9a-f]+-[0-9a-f]+"
expect "the footer says how to close it" "any other key closes the comparison"
keys x
expect_gone "a key closes it" "Compare: frame"
expect "back to the list" "replay $((N - 3))/$N"
keys m
expect "m on another frame moves the mark" "mark $((N - 3))"
keys m
expect_gone "m on the marked frame clears it" "mark $((N - 3))"
keys =
expect "= without a mark says so" "no frame marked"
keys C
expect "C: nothing to act on" "a recording: nothing to act on"

# play: to the end at twice the recorded pace
keys +
expect "+ doubles the speed" "replay speed 2x"
keys Space
expect "Space plays" "playing 2x"
expect "playing reaches the last frame" "replay $N/$N" 10
keys Space
expect "Space pauses" "paused"
quit_ui "q quits the replay with status 0"

# --begin
start_ui 120 30 --no-config --replay "$REC" --begin=#2 ||
	bad "the viewer did not open with --begin"
expect "--begin '#2' opens on frame 2" "replay 2/$N"
keys t
expect "t: the first frame" "replay 1/$N"
keys t
expect "t at the start says so" "the first frame of the recording"
quit_ui "q quits with status 0"

# a recording cut short: the frames before the cut, the damage named
size=$(stat -c %s "$REC")
head -c $((size - 100)) "$REC" >"$T/cut.mtr"
tui_run 120 30 "$MEMTOP --no-config --replay $T/cut.mtr 2>$T/cut.err"
wait_for 'replay [0-9]+/[0-9]+' 20
expect "a cut recording opens on its last whole frame" "replay $((N - 1))/$((N - 1))"
quit_ui "q quits a cut recording with status 0"
check "stderr names where the recording is cut ($(cat "$T/cut.err"))" \
	grep -q "cut short at byte" "$T/cut.err"
finish
