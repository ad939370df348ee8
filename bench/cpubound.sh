#!/usr/bin/env bash
# bench/cpubound.sh - memtop bounds the CPU its scanner uses (default 10%
# of one core, --cpu-limit PCT) by stretching the interval after costly
# scans. Shown live and with a scan-cost model for big machines.
#
#  1. Calibration: memtop's CPU per GiB of 4 KiB pages (memtop --json -p on
#     a 1 GiB bench/hog, less memtop -p on a small process) and the floor's
#     (bench/floor). Then more 4 KiB-page memory is added until a whole-
#     system scan takes about CPUB_SCAN_MS (300) ms (memtop --json's
#     scan_ms, which leaves out start-up and output).
#  2. The viewer with a short interval, CPUB_SECONDS (30) each: -d 0.5 with
#     the default limit, -d 0.5 --cpu-limit 50, -d 0.1 --cpu-limit 50. The
#     scanner thread's CPU share (utime + stime of the threads other than
#     the main one, /proc/PID/task/TID/stat) must stay within the limit (1
#     point of slack: a window of CPUB_SECONDS cuts through a scan), and
#     be higher with the higher limit. The share the model predicts for a
#     CPU-bound scan of that cost, and the share the same interval would
#     give without a limit, are shown for comparison.
#  3. The model: bench/model/delay_table.c, built here against
#     build/plain/libmemtop.a, calls the scanner's mt_scanner_delay_ms()
#     for 1 GiB to 4 TiB resident at the issue's 3.3 ms per GiB and at
#     memtop's measured cost per GiB (full view and --no-pfns).
# Exits 1 when a target is missed, 2 when it could not run.
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

SECS=${CPUB_SECONDS:-30}
WANT_MS=${CPUB_SCAN_MS:-300}
FLOOR=$BENCH_BIN/floor
LIB=build/plain/libmemtop.a

bench_init "$HOG" "$FLOOR"
[ -f "$LIB" ] || { echo "bench: $LIB missing (run: make bench)" >&2; exit 2; }
DT=$TMP/delay_table
# shellcheck disable=SC2046
if ! ${CC:-cc} -std=gnu11 -O2 -Iinclude -D_GNU_SOURCE -o "$DT" \
	bench/model/delay_table.c "$LIB" -pthread \
	$(pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo) -lz -lm; then
	echo "bench: cannot build bench/model/delay_table.c" >&2
	exit 2
fi

TIMEFORMAT='%3U %3S'
# cpu_ms RUNS CMD...: median CPU time (user + system) of CMD in ms.
cpu_ms() {
	local n=$1 i u s all=""
	shift
	"$@" >/dev/null 2>&1
	for ((i = 0; i < n; i++)); do
		{ time "$@" >/dev/null 2>&1; } 2>"$TMP/t"
		read -r u s <"$TMP/t"
		all+="$(awk -v u="$u" -v s="$s" 'BEGIN { print (u + s) * 1000 }') "
	done
	median "$all"
}

# scan_ms RUNS: median of memtop --json's own scan time (no start-up, no
# output), what the viewer's scanner thread spends per scan.
scan_ms() {
	local i all=""
	for ((i = 0; i < $1; i++)); do
		all+="$("$MEMTOP" --json 2>/dev/null | { head -c 300; cat >/dev/null; } |
			grep -o '"scan_ms":[0-9.]*' | cut -d: -f2) "
	done
	awk -v m="$(median "$all")" 'BEGIN { printf "%.0f", m }'
}

echo "memtop CPU-limit benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, Linux $(uname -r), $(getconf PAGESIZE)-byte pages; user $(id -un); load average $(load_avg)"

# 1. calibration -------------------------------------------------------------
start_bg hog1 "$HOG" --mib 1024 --nothp
H1=$BG_PID
start_bg tiny "$HOG" --mib 1
HT=$BG_PID
full_gib=$(awk -v a="$(cpu_ms 5 "$MEMTOP" --json -p "$H1")" -v b="$(cpu_ms 5 "$MEMTOP" --json -p "$HT")" 'BEGIN { printf "%.1f", a - b }')
nopfn_gib=$(awk -v a="$(cpu_ms 5 "$MEMTOP" --json --no-pfns -p "$H1")" -v b="$(cpu_ms 5 "$MEMTOP" --json --no-pfns -p "$HT")" 'BEGIN { printf "%.1f", a - b }')
floor_gib=$(awk -v a="$(cpu_ms 5 "$FLOOR" "$H1")" -v b="$(cpu_ms 5 "$FLOOR" "$HT")" 'BEGIN { printf "%.1f", a - b }')
echo "CPU per GiB of 4 KiB pages: memtop full view $full_gib ms, --no-pfns $nopfn_gib ms, pread floor $floor_gib ms"
sys_ms=$(scan_ms 3)
add=$(awk -v w="$WANT_MS" -v s="$sys_ms" -v g="$full_gib" 'BEGIN { m = g > 0 ? (w - s) / g * 1024 : 0; printf "%d", (m > 64 ? m : 0) }')
avail=$(awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
((add > avail - 1024)) && add=$((avail - 1024))
if ((add > 64)); then
	start_bg hog2 "$HOG" --mib "$add" --nothp
	sys_ms=$(scan_ms 3)
else
	add=0
fi
echo "whole-system scan: $sys_ms ms (scan_ms of memtop --json, median of 3; 1 GiB workload + $add MiB more)"
echo

# 2. the viewer under its limit ---------------------------------------------
# run_ui LABEL INTERVAL LIMIT ARGS...: CPU shares over SECS seconds.
RES=()
run_ui() {
	local label=$1 d=$2 lim=$3 u0 s0 u1 s1 t0 t1 scan ui exp free hdr
	shift 3
	ui_start 160 50 "$@"
	sleep 1
	read -r u0 s0 < <(thread_ticks "$UI_PID")
	t0=$(now_us)
	sleep "$SECS"
	read -r u1 s1 < <(thread_ticks "$UI_PID")
	t1=$(now_us)
	hdr=$(ui_screen | grep -E 'scan [0-9.]+m?s at' | head -1 | tr -s ' ' |
		sed 's/.*\(scan [0-9]\)/\1/')
	ui_stop
	scan=$(awk -v d=$((s1 - s0)) -v w=$((t1 - t0)) -v h="$TCK" 'BEGIN { printf "%.1f", d / h / (w / 1e6) * 100 }')
	ui=$(awk -v d=$((u1 - u0)) -v w=$((t1 - t0)) -v h="$TCK" 'BEGIN { printf "%.1f", d / h / (w / 1e6) * 100 }')
	# the model: c / (c + max(d, c (1 - l) / l)); without a limit c / (c + d)
	exp=$(awk -v c="$sys_ms" -v d="$d" -v l="$lim" 'BEGIN { c /= 1000; l /= 100
		w = c * (1 - l) / l; if (w < d) w = d; printf "%.1f", 100 * c / (c + w) }')
	free=$(awk -v c="$sys_ms" -v d="$d" 'BEGIN { c /= 1000; printf "%.1f", 100 * c / (c + d) }')
	verdict "$scan <= $lim + 1"
	RES+=("$(printf '  %-34s scanner %5s%% (model %5s%%, no limit %5s%%), UI %4s%%  %s' \
		"$label" "$scan" "$exp" "$free" "$ui" "$VERDICT")")
	RES+=("      header: $hdr")
	LAST_SCAN=$scan
}
run_ui "-d 0.5 (default limit 10%)" 0.5 10 -d 0.5
s10=$LAST_SCAN
run_ui "-d 0.5 --cpu-limit 50" 0.5 50 -d 0.5 --cpu-limit 50
s50=$LAST_SCAN
run_ui "-d 0.1 --cpu-limit 50" 0.1 50 -d 0.1 --cpu-limit 50
stop_bg

echo "results (scanner share of one core over $SECS s; a scan takes ~$sys_ms ms):"
printf '%s\n' "${RES[@]}"
verdict "$s50 > $s10"
printf '  %-34s %s\n' "a higher limit gives more: $s50% > $s10%" "$VERDICT"
echo

# 3. the model ----------------------------------------------------------------
echo "scan-cost model (mt_scanner_delay_ms, interval 2 s): wait after a scan, period"
echo "from scan to scan (the oldest the figures get), share of one core"
echo
echo "at 3.3 ms per GiB of 4 KiB pages:"
"$DT" 3.3 2 10 25 50
echo
echo "at memtop's full view here ($full_gib ms per GiB):"
"$DT" "$full_gib" 2 10 25 50
echo
echo "at memtop --no-pfns here ($nopfn_gib ms per GiB):"
"$DT" "$nopfn_gib" 2 10 25 50
echo "load average now: $(load_avg)"
((FAILS)) && { echo "cpubound: $FAILS target(s) missed"; exit 1; }
echo "cpubound: all targets met"
