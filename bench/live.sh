#!/usr/bin/env bash
# bench/live.sh - what the viewer costs while it runs, driven through a
# private tmux server, with LIVE_MIB (8192) MiB resident in 4 KiB pages
# (bench/hog --nothp).
#
#  1. CPU share of one core at the default interval (2 s) and CPU limit:
#     utime + stime of memtop (/proc/PID/stat, and per thread: the UI is
#     the main thread, the scanner the other one) over LIVE_SECONDS (30).
#  2. The same while paused (Z), after the scan under way has ended.
#  3. Key-to-screen latency: with -d 0.1 --cpu-limit 100 the scanner scans
#     back to back; F1 is sent LIVE_KEYS (20) times (it opens the help, and
#     any key closes it) and the screen is polled with capture-pane until
#     the help appears or goes. Median and maximum, then the same with
#     scanning paused: the difference is what a scan costs the UI.
#
# Targets: CPU share at the default interval <= the CPU limit (10%) plus
# LIVE_UI_PCT (2) for the UI; paused <= 0.5%; median latency during scans
# <= LIVE_LAT_MS (100) ms.
# Exits 1 when a target is missed, 2 when it could not run.
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

MIB=${LIVE_MIB:-8192}
SECS=${LIVE_SECONDS:-30}
NKEYS=${LIVE_KEYS:-20}
UI_PCT=${LIVE_UI_PCT:-2}
LAT_MS=${LIVE_LAT_MS:-100}

bench_init "$HOG"
avail=$(awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
if ((avail < MIB + 1024)); then
	echo "bench: $avail MiB available, too little for $MIB MiB: set LIVE_MIB" >&2
	exit 2
fi

scan_stamp() { ui_screen | grep -oE 'scan [0-9.]+m?s at [0-9:]+' | head -1; }

# cpu_window SECONDS: CPU of the viewer over SECONDS; sets PCT_ALL,
# PCT_UI, PCT_SCAN (percent of one core) and SCANS (scans finished in the
# window, from the header's time stamps, polled every second).
cpu_window() {
	local secs=$1 a b t0 t1 u0 s0 u1 s1 seen=" " st end
	read -r u0 s0 < <(thread_ticks "$UI_PID")
	t0=$(now_us)
	end=$((t0 + secs * 1000000))
	while (($(now_us) < end)); do
		if ((POLL)); then
			st=$(scan_stamp)
			[ -n "$st" ] && [[ $seen != *" $st "* ]] && seen+="$st "
		fi
		sleep 1
	done
	read -r u1 s1 < <(thread_ticks "$UI_PID")
	t1=$(now_us)
	PCT_UI=$(awk -v d=$((u1 - u0)) -v w=$((t1 - t0)) -v h="$TCK" 'BEGIN { printf "%.1f", d / h / (w / 1e6) * 100 }')
	PCT_SCAN=$(awk -v d=$((s1 - s0)) -v w=$((t1 - t0)) -v h="$TCK" 'BEGIN { printf "%.1f", d / h / (w / 1e6) * 100 }')
	PCT_ALL=$(awk -v a="$PCT_UI" -v b="$PCT_SCAN" 'BEGIN { printf "%.1f", a + b }')
	SCANS=$(($(wc -w <<<"$seen") / 4))
	((SCANS > 0)) && SCANS=$((SCANS - 1)) # the one on screen at the start
}

# wait_scanner_idle: until the scanner thread's CPU stops moving (the
# scan under way has ended), at most 60 s.
wait_scanner_idle() {
	local a b i
	read -r _ a < <(thread_ticks "$UI_PID")
	for ((i = 0; i < 120; i++)); do
		sleep 0.5
		read -r _ b < <(thread_ticks "$UI_PID")
		[ "$a" = "$b" ] && return 0
		a=$b
	done
}

# key_latency N: send F1 N times, each time poll until the help screen
# appears or disappears; sets LATS (milliseconds).
key_latency() {
	local n=$1 i s e want re='memtop [0-9.]+ - help' scr t
	LATS=""
	for ((i = 0; i < n; i++)); do
		if ui_screen | grep -Eq -- "$re"; then want=0; else want=1; fi
		s=$(now_us)
		tm send-keys F1
		for ((t = 0; t < 20000; t++)); do
			scr=$(ui_screen)
			if grep -Eq -- "$re" <<<"$scr"; then
				((want)) && break
			else
				((want)) || break
			fi
		done
		e=$(now_us)
		LATS+="$(awk -v d=$((e - s)) 'BEGIN { printf "%.1f", d / 1000 }') "
		# land at different points of the scan
		sleep "0.$((RANDOM % 3 + 1))"
	done
	if ui_screen | grep -Eq -- "$re"; then tm send-keys F1; sleep 0.3; fi
}

echo "memtop live-cost benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, Linux $(uname -r), $(getconf PAGESIZE)-byte pages; user $(id -un); load average $(load_avg)"
start_bg hog "$HOG" --mib "$MIB" --nothp
echo "workload: $MIB MiB in 4 KiB pages, pid $BG_PID"
echo

# 1. the default interval -------------------------------------------------
ui_start 160 50
POLL=1
cpu_window "$SECS"
hdr=$(ui_screen | sed -n '1,3p' | grep -oE 'scan [^|]*|every [^|]*' | tr '\n' ' ' | tr -s ' ')
C_ALL=$PCT_ALL C_UI=$PCT_UI C_SCAN=$PCT_SCAN C_SCANS=$SCANS

# 2. paused ----------------------------------------------------------------
tm send-keys Z
ui_wait '\(paused\)' 10
wait_scanner_idle
POLL=0
cpu_window $((SECS * 2 / 3))
P_ALL=$PCT_ALL
ui_stop

# 3. key-to-screen latency -------------------------------------------------
ui_start 160 50 -d 0.1 --cpu-limit 100
sleep 1
read -r u0 s0 < <(thread_ticks "$UI_PID")
t0=$(now_us)
key_latency "$NKEYS"
read -r u1 s1 < <(thread_ticks "$UI_PID")
t1=$(now_us)
BUSY_SCAN=$(awk -v d=$((s1 - s0)) -v w=$((t1 - t0)) -v h="$TCK" 'BEGIN { printf "%.0f", d / h / (w / 1e6) * 100 }')
BUSY_HDR=$(scan_stamp)
L_BUSY=$LATS
tm send-keys Z
ui_wait '\(paused\)' 10
wait_scanner_idle
key_latency "$NKEYS"
L_IDLE=$LATS
ui_stop
stop_bg

echo "results:"
limit_pct=10
verdict "$C_ALL <= $limit_pct + $UI_PCT"
printf '  %-62s %s\n' "CPU at -d 2: ${C_ALL}% of a core (scanner ${C_SCAN}%, UI ${C_UI}%) in ${SECS} s, ${C_SCANS} scans" "$VERDICT"
echo "    header: $hdr"
verdict "$P_ALL <= 0.5"
printf '  %-62s %s\n' "CPU while paused: ${P_ALL}% of a core over $((SECS * 2 / 3)) s" "$VERDICT"
bm=$(median "$L_BUSY") bx=$(pct 100 "$L_BUSY") im=$(median "$L_IDLE") ix=$(pct 100 "$L_IDLE")
verdict "$bm <= $LAT_MS"
printf '  %-62s %s\n' "key to screen during scans: median $bm ms, max $bx ms ($NKEYS keys)" "$VERDICT"
echo "    (scanner busy ${BUSY_SCAN}% of a core during the test; last header: $BUSY_HDR)"
printf '  %-62s %s\n' "key to screen, scanning paused: median $im ms, max $ix ms" "-"
printf '  %-62s %s\n' "what the scan costs the UI: median $(awk -v a="$bm" -v b="$im" 'BEGIN { printf "%+.1f", a - b }') ms, max $(awk -v a="$bx" -v b="$ix" 'BEGIN { printf "%+.1f", a - b }') ms" "-"
echo "  latencies during scans (ms): $L_BUSY"
echo "  latencies paused (ms):       $L_IDLE"
echo "load average now: $(load_avg)"
((FAILS)) && { echo "live: $FAILS target(s) missed"; exit 1; }
echo "live: all targets met"
