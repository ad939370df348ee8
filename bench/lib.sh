# shellcheck shell=bash disable=SC2034
# bench/lib.sh - helpers shared by bench/scale.sh, bench/live.sh and
# bench/cpubound.sh. Source it from bash after `cd` to the top directory.
#
#   bench_init NAME          temp dir $TMP, cleanup traps, checks binaries
#   start_bg NAME CMD...     start a workload that prints "PID ready ...";
#                            sets BG_PID (the pid it printed) and BG_LINE
#   stop_bg                  stop every workload started here (TERM, then
#                            KILL) and reap it
#   ui_start COLS ROWS ARGS...  memtop's viewer in a private tmux server;
#                            sets UI_PID, waits for the first scan
#   ui_stop                  quit the viewer, kill the tmux server
#   ui_screen                the screen as text
#   ui_wait REGEX [SECONDS]  wait until REGEX shows on the screen
#   cpu_ticks PID [TID]      utime + stime in clock ticks (a thread: TID)
#   thread_ticks PID         "UI SCANNER" ticks: the main thread, the rest
#   vm_hwm PID               VmHWM (peak RSS) in KiB
#   median LIST / pct P LIST  of numbers separated by blanks
#   verdict AWK-CONDITION    sets VERDICT to PASS or FAIL; counts
#                            failures in FAILS
set -u
export LC_ALL=C

MEMTOP=${MEMTOP:-./memtop}
BENCH_BIN=${BENCH_BIN:-build/plain/bench}
HOG=$BENCH_BIN/hog
SPAWN=$BENCH_BIN/spawn
TCK=$(getconf CLK_TCK)
FAILS=0
_BG=()
_TM=""

bench_init() {
	local f
	for f in "$MEMTOP" "$@"; do
		if [ ! -x "$f" ]; then
			echo "bench: $f missing (run: make bench)" >&2
			exit 2
		fi
	done
	if [ -z "${EPOCHREALTIME:-}" ]; then
		echo "bench: needs bash 5 (\$EPOCHREALTIME)" >&2
		exit 2
	fi
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/memtop-bench.XXXXXX") || exit 2
	export MEMTOPRC=$TMP/memtoprc
	# tmux's socket goes in the temp dir too, and with it at exit
	export TMUX_TMPDIR=$TMP
	trap '_bench_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

_bench_cleanup() {
	ui_stop
	stop_bg
	rm -rf "$TMP"
}

now_us() { echo "${EPOCHREALTIME/./}"; }

# start_bg NAME CMD...: the command runs in the background with its
# stdout in $TMP/NAME.out; wait (up to 5 minutes) for its "PID ready" line.
start_bg() {
	local name=$1 out line i
	shift
	out=$TMP/$name.out
	# emptied here, not by the background job's redirection: that one
	# runs later, and the wait below could read a previous run's line
	: >"$out"
	"$@" >>"$out" 2>"$TMP/$name.err" &
	_BG+=("$!")
	for ((i = 0; i < 3000; i++)); do
		if [ -s "$out" ] && read -r line <"$out" && [[ $line == *" ready"* ]]; then
			BG_PID=${line%% *}
			BG_LINE=$line
			return 0
		fi
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: '$*' did not start: $(tail -2 "$TMP/$name.err")" >&2
	exit 2
}

stop_bg() {
	local p i
	for p in "${_BG[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${_BG[@]}"; do
		# spawn kills and reaps its children on TERM; give it 10 s
		for ((i = 0; i < 100; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	_BG=()
}

tm() { tmux -L "$_TM" -f /dev/null "$@"; }

ui_screen() { tm capture-pane -p 2>/dev/null; }

ui_wait() { # REGEX [SECONDS]
	local re=$1 t=${2:-20} i
	for ((i = 0; i < t * 20; i++)); do
		ui_screen | grep -Eq -- "$re" && return 0
		sleep 0.05
	done
	return 1
}

# ui_start COLS ROWS ARGS...: the viewer (with exec, so the pane's pid is
# memtop's) in a tmux server of its own, settings in the temp dir.
ui_start() {
	local cols=$1 rows=$2
	shift 2
	ui_stop
	command -v tmux >/dev/null || { echo "bench: tmux is not installed" >&2; exit 2; }
	_TM=memtop-bench-$$
	tm new-session -d -x "$cols" -y "$rows" -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
		-e "MEMTOPRC=$MEMTOPRC" "exec $MEMTOP --no-config $*" || exit 2
	UI_PID=$(tm display-message -p '#{pane_pid}')
	if ! ui_wait 'scan [0-9.]+m?s at' 120; then
		echo "bench: the viewer showed no scan:" >&2
		ui_screen >&2
		exit 2
	fi
}

ui_stop() {
	[ -n "$_TM" ] || return 0
	local i
	tm send-keys q 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$UI_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$UI_PID" 2>/dev/null
	tm kill-server 2>/dev/null
	_TM=""
}

# Fields 14 and 15 of stat (utime, stime), counted after the ')' that ends
# the name, which may hold blanks.
cpu_ticks() {
	local s
	if [ -n "${2:-}" ]; then
		s=$(cat "/proc/$1/task/$2/stat" 2>/dev/null) || { echo 0; return; }
	else
		s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	fi
	s=${s##*) }
	set -- $s
	echo $((${12} + ${13}))
}

# "UI SCANNER": ticks of the main thread and of all other threads.
thread_ticks() {
	local pid=$1 t ui=0 sc=0 c
	for t in /proc/"$pid"/task/*; do
		t=${t##*/}
		c=$(cpu_ticks "$pid" "$t")
		if [ "$t" = "$pid" ]; then ui=$((ui + c)); else sc=$((sc + c)); fi
	done
	echo "$ui $sc"
}

vm_hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

median() {
	tr ' ' '\n' <<<"$*" | grep . | sort -g |
		awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print 0 }'
}

pct() { # P LIST: the P-th percentile (nearest rank); 100 is the maximum
	local p=$1
	shift
	tr ' ' '\n' <<<"$*" | grep . | sort -g |
		awk -v p="$p" '{ a[NR] = $1 } END { if (!NR) { print 0; exit }
			i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; if (i > NR) i = NR; print a[i] }'
}

verdict() { # AWK-CONDITION: VERDICT=PASS or FAIL
	if awk "BEGIN { exit !($1) }"; then
		VERDICT=PASS
	else
		FAILS=$((FAILS + 1))
		VERDICT=FAIL
	fi
}

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
