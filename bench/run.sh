#!/usr/bin/env bash
# bench/run.sh - memtop's speed as ratios against floors measured in the
# same run, on the same machine, with the same workload in memory.
#
# `make bench` builds ./memtop, the workloads and the floors, then runs this.
# The commands of a phase are run in one untimed warm-up round, then RUNS
# timed rounds (default 7), interleaved command by command and alternating
# the order from round to round. A case's figure is the median over its
# runs of the wall time taken here with bash's $EPOCHREALTIME around the
# command: start-up and output included, for memtop and the floor alike.
# The CPU time (user + system, from bash's `time`) is shown next to it:
# it hardly moves when other work shares the machine, so when the wall
# ratio and the CPU ratio disagree, the machine was busy.
#
# Environment:
#   BENCH_GIB=N              workload size in GiB (default 4)
#   BENCH_RUNS=N             timed runs per case (default 7)
#   BENCH_RESERVE_TIB=N      address space reservation in TiB (default 64)
#   BENCH_MEMHIST_TIMEOUT=S  limit for the single mem_hist.py run (200)
#   BENCH_SHAPES=0           skip the holed, sparse and 1/8 GiB phases
#   BENCH_SIZES="1 8"        GiB of 4K-page workloads measured besides BENCH_GIB
#   MEMTOP=PATH              binary to measure (default ./memtop)
#   MEM_HIST=PATH            mem_hist.py (default ../shared/reference/mem_hist.py)
#
# Exits 1 when a target is missed, 2 when the benchmark could not run.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
MEMTOP_ROOT=$PWD

GIB=${BENCH_GIB:-4}
BENCH_SHAPES=${BENCH_SHAPES:-1}   # holed and sparse workloads, other sizes
BENCH_SIZES=${BENCH_SIZES:-"1 8"} # GiB of 4K pages, besides BENCH_GIB
RUNS=${BENCH_RUNS:-7}
RES_TIB=${BENCH_RESERVE_TIB:-64}
MH_TIMEOUT=${BENCH_MEMHIST_TIMEOUT:-200}
MEMTOP=${MEMTOP:-./memtop}
MEM_HIST=${MEM_HIST:-$MEMTOP_ROOT/../shared/reference/mem_hist.py}
BIN=build/plain/bench
FLOOR=$BIN/floor
HOG=$BIN/hog

for f in "$MEMTOP" "$FLOOR" "$HOG"; do
	if [ ! -x "$f" ]; then
		echo "bench: $f missing (run: make bench)" >&2
		exit 2
	fi
done
if [ -z "${EPOCHREALTIME:-}" ]; then
	echo "bench: needs bash 5 (\$EPOCHREALTIME)" >&2
	exit 2
fi
ROOT_USER=0
[ "$(id -u)" -eq 0 ] && ROOT_USER=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memtop-bench.XXXXXX") || exit 2
LOG=$TMP/stderr.log
: >"$LOG"
HOGS=()
stop_hogs() {
	local p
	for p in "${HOGS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	HOGS=()
}
trap 'stop_hogs; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# start_hog NAME ARGS...: start a workload and wait for its "PID ready"
# line; sets HOG_PID.
start_hog() {
	local name=$1 out line i
	shift
	out=$TMP/$name.out
	: >"$out" # now: the job's own redirection could come after the wait
	"$HOG" "$@" >>"$out" 2>>"$LOG" &
	HOGS+=("$!")
	for ((i = 0; i < 1200; i++)); do
		if [ -s "$out" ] && read -r line <"$out" && [[ $line == *ready ]]; then
			HOG_PID=${line%% *}
			HOGS+=("$HOG_PID")
			return 0
		fi
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: workload '$HOG $*' did not start:" >&2
	tail -3 "$LOG" >&2
	exit 2
}

# Commands by key; wall (T) and CPU (C) times in microseconds by key.
declare -A CMD T C ERR
TIMEFORMAT='%3U %3S'

run_round() {
	local k s e rc u sy
	for k in "$@"; do
		s=${EPOCHREALTIME/./}
		{ time eval "${CMD[$k]}" >/dev/null 2>>"$LOG"; } 2>"$TMP/time"
		rc=$?
		e=${EPOCHREALTIME/./}
		read -r u sy <"$TMP/time"
		T[$k]+="$((e - s)) "
		C[$k]+="$(((10#${u/./} + 10#${sy/./}) * 1000)) "
		((rc != 0)) && ERR[$k]="exit $rc"
	done
}

# measure KEY...: a warm-up round, then RUNS rounds, forward and backward
# in turn.
measure() {
	local k r i rev=()
	for ((i = $#; i >= 1; i--)); do
		rev+=("${!i}")
	done
	run_round "$@"
	for k in "$@"; do
		T[$k]=""
		C[$k]=""
	done
	for ((r = 0; r < RUNS; r++)); do
		if ((r % 2)); then
			run_round "${rev[@]}"
		else
			run_round "$@"
		fi
	done
}

median_of() {
	tr ' ' '\n' <<<"$1" | grep . | sort -n |
		awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print 0 }'
}

FAILS=0
ROWS=()
# row CASE MEMTOP_KEY REF_KEY TARGET
# TARGET: "<=X"   memtop / reference at most X
#         "cpu<=X" the same with CPU times (scans in one process, where
#                 the wall time holds the sleeps between scans)
#         ">=X"   reference / memtop (a speedup) at least X
#         "ms<=X" memtop's median at most X ms (reference for context)
#         "-"     memtop / reference, no target   "+" a speedup, no target
# The verdict uses wall-time medians.
row() {
	local case=$1 mk=$2 rk=$3 target=$4 m r cm cr ratio cratio verdict note=""
	m=$(median_of "${T[$mk]}")
	r=$(median_of "${T[$rk]}")
	cm=$(median_of "${C[$mk]}")
	cr=$(median_of "${C[$rk]}")
	if [[ $target == ">="* || $target == "+" ]]; then
		ratio=$(awk -v a="$r" -v b="$m" 'BEGIN { printf "%.0f", b ? a / b : 0 }')
		cratio=$(awk -v a="$cr" -v b="$cm" 'BEGIN { printf "%.0f", b ? a / b : 0 }')
	else
		ratio=$(awk -v a="$m" -v b="$r" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
		cratio=$(awk -v a="$cm" -v b="$cr" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
	fi
	case $target in
	"cpu<="*) verdict=$(awk -v x="$cratio" -v t="${target#cpu<=}" 'BEGIN { print (x <= t) ? "PASS" : "FAIL" }') ;;
	"<="*) verdict=$(awk -v x="$ratio" -v t="${target#<=}" 'BEGIN { print (x <= t) ? "PASS" : "FAIL" }') ;;
	">="*) verdict=$(awk -v x="$ratio" -v t="${target#>=}" 'BEGIN { print (x >= t) ? "PASS" : "FAIL" }') ;;
	"ms<="*"|"*) # ms<=X|KEY: or at most 1.5x the median of command KEY
		local base=${target#*|}
		target=${target%|*}
		verdict=$(awk -v u="$m" -v t="${target#ms<=}" -v b="$(median_of "${T[$base]}")" \
			'BEGIN { print (u / 1000 <= t) ? "PASS" : (u <= 1.5 * b) ? "PASS*" : "FAIL" }')
		;;
	"ms<="*) verdict=$(awk -v u="$m" -v t="${target#ms<=}" 'BEGIN { print (u / 1000 <= t) ? "PASS" : "FAIL" }') ;;
	*) verdict="-"; target="-" ;;
	esac
	for k in "$mk" "$rk"; do
		if [ -n "${ERR[$k]:-}" ]; then
			note=" (${CMD[$k]%% *}: ${ERR[$k]})"
			verdict=FAIL
			break
		fi
	done
	[ "$verdict" = FAIL ] && FAILS=$((FAILS + 1))
	ROWS+=("$(awk -v c="$case" -v m="$m" -v r="$r" -v x="$ratio" \
		-v cm="$cm" -v cr="$cr" -v cx="$cratio" -v t="$target" \
		-v v="$verdict$note" 'BEGIN {
		printf "%-44s %9.2f %9.2f %7sx %7sx %8s  %s\n",
			c, m / 1000, r / 1000, x, cx, t, v }')")
}

# steady PREFIX LABEL [--with-pfns]: the cost of a scan in a running
# memtop: SCANS scans in one process (-d 0.01) against the floor walking
# as often in one process (--repeat), by CPU time; start-up and the first
# read of the system counters are spread over SCANS scans.
SCANS=${BENCH_SCANS:-20}
steady() {
	local px=$1 label=$2
	CMD[${px}_s_nopfn]="$MEMTOP --json --no-pfns -n $SCANS -d 0.01"
	CMD[${px}_s_scan]="$FLOOR --scan --repeat $SCANS"
	if ((ROOT_USER)); then
		CMD[${px}_s_nofol]="$MEMTOP --json --no-folios -n $SCANS -d 0.01"
		CMD[${px}_s_pread]="$FLOOR --repeat $SCANS"
		measure "${px}_s_nopfn" "${px}_s_scan" "${px}_s_nofol" "${px}_s_pread"
		row "$label, $SCANS scans, --no-folios / pread" "${px}_s_nofol" "${px}_s_pread" "cpu<=1.5"
	else
		measure "${px}_s_nopfn" "${px}_s_scan"
	fi
	row "$label, $SCANS scans, --no-pfns / scan" "${px}_s_nopfn" "${px}_s_scan" "-"
}

# -------------------------------------------------------------------------
echo "memtop benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), Linux $(uname -r) $(uname -m), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(getconf PAGESIZE)-byte pages"
echo "THP: enabled $(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo '?'), defrag $(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null || echo '?')"
echo "user $(id -un); $RUNS timed runs per case (median); workload $GIB GiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
if ((!ROOT_USER)); then
	echo "note: not root: PFNs and kpageflags are unavailable, so memtop's"
	echo "      mappable and folio views and the --kpf floor are not measured."
fi
avail_mib=$(awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
if ((avail_mib < GIB * 1024 + 512)); then
	echo "bench: $avail_mib MiB available, too little for $GIB GiB: set BENCH_GIB" >&2
	exit 2
fi
echo

# Phase 1: 4 KiB pages ---------------------------------------------------
echo "phase 1: workload of $GIB GiB in 4 KiB pages (MADV_NOHUGEPAGE)"
start_hog nothp --mib $((GIB * 1024)) --nothp
P=$HOG_PID
echo "  workload pid $P: $($FLOOR "$P" | grep -o 'present=[0-9]*') pages; whole system: $($FLOOR | grep -oE '(procs|vmas|vmas_too_big|present)=[0-9]+' | tr '\n' ' ')"
CMD[m_nopfn]="$MEMTOP --json --no-pfns"
CMD[m_nofol]="$MEMTOP --json --no-folios"
CMD[m_full]="$MEMTOP --json"
CMD[m_pid]="$MEMTOP --json -p $P"
CMD[m_pid_nofol]="$MEMTOP --json --no-folios -p $P"
CMD[f_scan]="$FLOOR --scan"
CMD[f_pread]="$FLOOR"
CMD[f_kpf]="$FLOOR --kpf"
CMD[f_pid]="$FLOOR $P"
CMD[f_pid_kpf]="$FLOOR --kpf $P"
if ((ROOT_USER)); then
	measure m_nopfn f_scan f_pread m_nofol m_full f_kpf m_pid_nofol m_pid f_pid f_pid_kpf
else
	measure m_nopfn f_scan f_pread m_pid f_pid
fi
row "system, --no-pfns / scan floor" m_nopfn f_scan "-"
row "system, --no-pfns / pread floor" m_nopfn f_pread "-"
if ((ROOT_USER)); then
	row "system, --no-folios / pread floor" m_nofol f_pread "<=1.5"
	row "system, full / pread floor" m_full f_pread "<=3"
	row "system, full / kpf floor" m_full f_kpf "-"
	row "workload -p, --no-folios / pread floor" m_pid_nofol f_pid "<=1.5"
	row "workload -p, full / pread floor" m_pid f_pid "<=3"
	row "workload -p, full / kpf floor" m_pid f_pid_kpf "-"
else
	row "workload -p / pread floor" m_pid f_pid "<=1.5"
fi

# mem_hist.py once, over the same system (it reads pagemap 8 bytes at a
# time, up to ten times per page). Its histograms are present-page ones:
# the target compares it with memtop's present view.
if [ -f "$MEM_HIST" ] && command -v python3 >/dev/null; then
	echo "  mem_hist.py over the whole system (one run, timeout ${MH_TIMEOUT}s)"
	CMD[mem_hist]="timeout $MH_TIMEOUT python3 $MEM_HIST 2>$TMP/mem_hist.err"
	run_round mem_hist
	if [ "${ERR[mem_hist]:-}" = "exit 124" ]; then
		echo "  mem_hist.py timed out: its speedups are lower bounds"
		unset 'ERR[mem_hist]'
	elif [ -n "${ERR[mem_hist]:-}" ]; then
		echo "  mem_hist.py failed (${ERR[mem_hist]}): $(tail -1 "$TMP/mem_hist.err")"
		echo "  its figure is its time to failure (its speedups are lower bounds)"
		unset 'ERR[mem_hist]'
	fi
	row "mem_hist.py / memtop --no-pfns (speedup)" m_nopfn mem_hist ">=200"
	((ROOT_USER)) && row "mem_hist.py / memtop full (speedup)" m_full mem_hist "+"
else
	echo "  mem_hist.py not found at $MEM_HIST (or no python3): skipped"
fi
steady s4k "system, 4K pages"
stop_hogs

# Phase 2: THP -------------------------------------------------------------
echo "phase 2: workload of $GIB GiB with MADV_HUGEPAGE"
start_hog thp --mib $((GIB * 1024)) --thp
P=$HOG_PID
echo "  workload pid $P: $($FLOOR "$P" | grep -o 'present=[0-9]*') pages, AnonHugePages $(awk '/^AnonHugePages/ { print $2 " kB" }' /proc/"$P"/smaps_rollup 2>/dev/null)"
CMD[t_nopfn]="$MEMTOP --json --no-pfns"
CMD[t_nofol]="$MEMTOP --json --no-folios"
CMD[t_full]="$MEMTOP --json"
CMD[t_scan]="$FLOOR --scan"
CMD[t_pread]="$FLOOR"
CMD[t_kpf]="$FLOOR --kpf"
if ((ROOT_USER)); then
	measure t_nopfn t_scan t_pread t_nofol t_full t_kpf
else
	measure t_nopfn t_scan t_pread
fi
row "THP system, --no-pfns / scan floor" t_nopfn t_scan "-"
if ((ROOT_USER)); then
	row "THP system, --no-folios / pread floor" t_nofol t_pread "<=1.5"
	row "THP system, full / pread floor" t_full t_pread "<=3"
	row "THP system, full / kpf floor" t_full t_kpf "-"
fi
steady sthp "THP system"
stop_hogs

# Phases 2b..: holed and sparse memory, and other sizes ------------------
# workload_phase PREFIX LABEL HOG-ARGS...: memtop whole system against the
# floors with one more workload in place.
workload_phase() {
	local px=$1 label=$2
	shift 2
	echo "phase: $label"
	start_hog "$px" "$@"
	CMD[${px}_nofol]="$MEMTOP --json --no-folios"
	CMD[${px}_full]="$MEMTOP --json"
	CMD[${px}_nopfn]="$MEMTOP --json --no-pfns"
	CMD[${px}_pread]="$FLOOR"
	CMD[${px}_scan]="$FLOOR --scan"
	CMD[${px}_kpf]="$FLOOR --kpf"
	if ((ROOT_USER)); then
		measure "${px}_nopfn" "${px}_scan" "${px}_pread" "${px}_nofol" \
			"${px}_full" "${px}_kpf"
		row "$label, --no-folios / pread floor" "${px}_nofol" "${px}_pread" "<=1.5"
		row "$label, full / kpf floor" "${px}_full" "${px}_kpf" "-"
	else
		measure "${px}_nopfn" "${px}_scan"
	fi
	row "$label, --no-pfns / scan floor" "${px}_nopfn" "${px}_scan" "-"
	steady "s$px" "$label"
	stop_hogs
}

if ((BENCH_SHAPES)); then
	workload_phase holes "holed $GIB GiB (a 4K hole per 2M)" \
		--mib $((GIB * 1024)) --thp --holes
	workload_phase sparse "sparse $GIB GiB (1 page in 8)" \
		--mib $((GIB * 1024)) --nothp --sparse
	for g in $BENCH_SIZES; do
		avail_mib=$(awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
		if ((avail_mib < g * 1024 + 512)); then
			echo "phase: $g GiB skipped: $avail_mib MiB available"
			continue
		fi
		workload_phase "size$g" "4K pages, $g GiB" --mib $((g * 1024)) --nothp
	done
fi

# Phase 3: a huge, nearly empty reservation ------------------------------
# Its pagemap is 8 bytes per page, 128 GiB for 64 TiB: memtop must find the
# 16 resident pages without reading that. Shown with the ioctl floor on the
# same process, memtop on a 1 MiB process, and memtop's pread fallback
# (which asks smaps before reading a big VMA).
echo "phase 3: $RES_TIB TiB PROT_NONE reservation with 16 touched pages"
start_hog reserve --mib 0 --reserve-tib "$RES_TIB"
PR=$HOG_PID
start_hog tiny --mib 1
PT=$HOG_PID
CMD[r_m]="$MEMTOP --json -p $PR"
CMD[r_pread]="$MEMTOP --json --pagemap-method pread -p $PR"
CMD[r_scan]="$FLOOR --scan $PR"
CMD[r_tiny]="$MEMTOP --json -p $PT"
measure r_m r_pread r_scan r_tiny
row "${RES_TIB} TiB reservation -p (ms) / scan floor" r_m r_scan "ms<=10|r_tiny"
row "${RES_TIB} TiB, --pagemap-method pread (ms)" r_pread r_scan "ms<=10|r_tiny"
row "${RES_TIB} TiB reservation / 1 MiB process" r_m r_tiny "-"
stop_hogs

echo
printf '%-44s %9s %9s %8s %8s %8s  %s\n' "case" "memtop" "ref" "ratio" \
	"cpu" "target" "result"
printf '%-44s %9s %9s %8s %8s\n' "" "ms" "ms" "(wall)" "ratio"
printf '%s\n' "${ROWS[@]}"
echo
echo "Medians of $RUNS runs. ratio = memtop / reference, except speedups"
echo "(reference / memtop). References: scan floor = floor --scan, pread"
echo "floor = floor, kpf floor = floor --kpf (build/plain/bench/floor reads"
echo "the same pages with nothing else). PASS*: over 10 ms, but within 1.5x"
echo "of memtop on a 1 MiB process (a slow or busy machine; the reservation"
echo "itself costs nothing). Load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$LOG" ]; then
	echo "stderr of the measured commands (most frequent lines):"
	sort "$LOG" | uniq -c | sort -rn | head -5
fi
# Scaling, live cost and the CPU limit: bench/scale.sh, bench/live.sh and
# bench/cpubound.sh, each with its own workloads and verdicts (about six
# minutes together). BENCH_EXTRA=0 leaves them out. One that cannot run
# here (no tmux, too little memory) is reported and skipped.
NOT_RUN=0
if [ "${BENCH_EXTRA:-1}" != 0 ]; then
	for s in scale live cpubound; do
		echo
		echo "=== bench/$s.sh"
		MEMTOP=$MEMTOP "bench/$s.sh"
		case $? in
		0) ;;
		1) FAILS=$((FAILS + 1)) ;;
		130 | 143) exit 130 ;;
		*) NOT_RUN=$((NOT_RUN + 1)); echo "bench: bench/$s.sh could not run (skipped)" ;;
		esac
	done
fi
if ((FAILS)); then
	echo "bench: $FAILS case(s) or script(s) missed their target"
	exit 1
fi
if ((NOT_RUN)); then
	echo "bench: targets met; $NOT_RUN script(s) skipped (see above)"
	exit 0
fi
echo "bench: all targets met"
