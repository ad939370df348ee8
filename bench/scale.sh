#!/usr/bin/env bash
# bench/scale.sh - how memtop's cost and size grow with the number of
# processes and VMAs.
#
# bench/spawn starts N processes of V VMAs each (default V = 100, half of
# their pages touched). For no extra processes and for each N of
# SCALE_PROCS, `memtop --json` over the whole system is run once untimed
# and then BENCH_RUNS times (output to /dev/null); the table gives the
# median wall time, the median CPU time, the cost per 1000 VMAs (all VMAs
# on the system, counted from /proc/PID/maps), the peak RSS of memtop
# --json (/usr/bin/time) and the viewer's: memtop -d 1 --cpu-limit 100 in
# a private tmux server for SCALE_UI_SCANS (4) scans, VmHWM from
# /proc/PID/status (scans back to back, so that four take seconds), with
# the CPU its UI thread spends per new snapshot.
#
# Then one more system is made to measure the size target exactly:
# SCALE_TARGET_PROCS (2000) processes and SCALE_TARGET_VMAS (200,000) VMAs
# on the whole system, the VMAs per process chosen from what is already
# running.
#
# Targets:
#   - linear growth: the largest per-VMA cost among the spawned sizes is at
#     most SCALE_LINEAR_MAX (1.5) times the smallest. CPU time (user +
#     system) decides: memtop is one thread and its /proc reads are CPU
#     work in the kernel, so CPU time is its cost, while wall time also
#     measures whatever else the machine runs (both are shown);
#   - size: at SCALE_TARGET_PROCS processes and SCALE_TARGET_VMAS VMAs,
#     memtop --json and the viewer stay below SCALE_RSS_MIB (64) MiB;
#   - a 64 TiB PROT_NONE reservation (bench/hog --reserve-tib 64): memtop
#     -p on it at most 10 ms, or within 1.5x of memtop -p on a 1 MiB
#     process (a busy machine).
#
# Environment: SCALE_PROCS ("500 1000 2000"), SCALE_VMAS (100), BENCH_RUNS
# (5), SCALE_TARGET_PROCS (2000), SCALE_TARGET_VMAS (200000), SCALE_RSS_MIB
# (64), SCALE_LINEAR_MAX (1.5), SCALE_UI_SCANS (4), BENCH_RESERVE_TIB
# (64), MEMTOP (./memtop).
# Exits 1 when a target is missed, 2 when it could not run.
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

SIZES=${SCALE_PROCS:-"500 1000 2000"}
VMAS=${SCALE_VMAS:-100}
RUNS=${BENCH_RUNS:-5}
T_PROCS=${SCALE_TARGET_PROCS:-2000}
T_VMAS=${SCALE_TARGET_VMAS:-200000}
RSS_MIB=${SCALE_RSS_MIB:-64}
LINEAR_MAX=${SCALE_LINEAR_MAX:-1.5}
UI_SCANS=${SCALE_UI_SCANS:-4}
RES_TIB=${BENCH_RESERVE_TIB:-64}

bench_init "$HOG" "$SPAWN" /usr/bin/time
largest=$T_PROCS
for n in $SIZES; do ((n > largest)) && largest=$n; done
if (($(cat /proc/sys/kernel/pid_max) < largest + 500)); then
	echo "bench: pid_max is below $((largest + 500))" >&2
	exit 2
fi

count_vmas() { cat /proc/[0-9]*/maps 2>/dev/null | wc -l; }
count_procs() { ls -d /proc/[0-9]* 2>/dev/null | wc -l; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# measure_ui: the viewer for UI_SCANS scans (at most 3 minutes); sets
# UI_HWM (KiB), UI_SEEN (scans seen) and UI_MS (CPU of the UI thread per
# new snapshot, ms; 10 ms ticks).
measure_ui() {
	local seen=" " t0 st u0 u1
	ui_start 160 50 -d 1 --cpu-limit 100
	read -r u0 _ < <(thread_ticks "$UI_PID")
	t0=$(now_us)
	while :; do
		st=$(ui_screen | grep -oE 'scan [0-9.]+m?s at [0-9:]+' | head -1)
		st=${st##* }
		[ -n "$st" ] && [[ $seen != *" $st "* ]] && seen+="$st "
		UI_SEEN=$(wc -w <<<"$seen")
		((UI_SEEN >= UI_SCANS)) && break
		(($(now_us) - t0 > 180000000)) && break
		sleep 0.2
	done
	UI_HWM=$(vm_hwm "$UI_PID")
	read -r u1 _ < <(thread_ticks "$UI_PID")
	# the UI thread's CPU per new snapshot (rows rebuilt, screen drawn)
	UI_MS=$(awk -v d=$((u1 - u0)) -v h="$TCK" -v n=$((UI_SEEN - 1)) \
		'BEGIN { if (n > 0) printf "%.0f", d / h * 1000 / n; else print "?" }')
	ui_stop
}

# measure_system LABEL: one untimed run (scan_ms from its header), then
# RUNS timed ones, then the viewer. Appends a row to ROWS; sets MS, CPU,
# VM (VMAs), NPROC, RSS (KiB), UI_HWM (KiB).
declare -A PERVMA PERVMA_CPU
ROWS=()
measure_system() {
	local label=$1 i s e walls="" cpus="" rsss="" hdr scan u sy m
	hdr=$("$MEMTOP" --json 2>/dev/null | { head -c 1000; cat >/dev/null; })
	scan=$(grep -o '"scan_ms":[0-9.]*' <<<"$hdr" | cut -d: -f2)
	VM=$(count_vmas)
	NPROC=$(count_procs)
	for ((i = 0; i < RUNS; i++)); do
		s=$(now_us)
		/usr/bin/time -f '%U %S %M' -o "$TMP/time" "$MEMTOP" --json >/dev/null 2>>"$TMP/stderr"
		e=$(now_us)
		walls+="$((e - s)) "
		read -r u sy m <"$TMP/time"
		cpus+="$(awk -v u="$u" -v s="$sy" 'BEGIN { print (u + s) * 1e6 }') "
		rsss+="$m "
	done
	MS=$(awk -v t="$(median "$walls")" 'BEGIN { printf "%.1f", t / 1000 }')
	CPU=$(awk -v t="$(median "$cpus")" 'BEGIN { printf "%.1f", t / 1000 }')
	RSS=$(pct 100 "$rsss")
	measure_ui
	PERVMA[$label]=$(awk -v t="$MS" -v v="$VM" 'BEGIN { printf "%.3f", t / v * 1000 }')
	PERVMA_CPU[$label]=$(awk -v t="$CPU" -v v="$VM" 'BEGIN { printf "%.3f", t / v * 1000 }')
	ROWS+=("$(printf '%-24s %6s %7s %8s %8s %8s %9s %9s %8s %8s %7s' "$label" "$NPROC" \
		"$VM" "${scan:-?}" "$MS" "$CPU" "${PERVMA[$label]}" "${PERVMA_CPU[$label]}" \
		"$(mib "$RSS")" "$(mib "$UI_HWM")" "$UI_MS")")
}

echo "memtop scaling benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, Linux $(uname -r), $(getconf PAGESIZE)-byte pages, $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; user $(id -un); load average $(load_avg)"
echo "spawned processes have $VMAS VMAs each (half of their pages touched); $RUNS timed runs per size (median)"
echo

measure_system "no spawned processes"
BASE_VM=$VM BASE_MS=$MS BASE_CPU=$CPU BASE_PROCS=$NPROC
declare -A SIZE_MS SIZE_CPU SIZE_VM
labels=()
CHILD_BASE=""
for n in $SIZES; do
	echo "  $n processes x $VMAS VMAs ..."
	start_bg spawn "$SPAWN" --procs "$n" --vmas "$VMAS"
	if [ -z "$CHILD_BASE" ]; then
		# VMAs of a spawned process besides its V: text, libraries, stack
		kid=$(pgrep -P "$BG_PID" | head -1)
		CHILD_BASE=$(($(wc -l <"/proc/$kid/maps") - VMAS))
	fi
	label="$n x $VMAS VMAs"
	measure_system "$label"
	labels+=("$label")
	SIZE_MS[$n]=$MS SIZE_CPU[$n]=$CPU SIZE_VM[$n]=$VM
	stop_bg
done

# The size target: T_PROCS processes, T_VMAS VMAs in all.
per=$(((T_VMAS - BASE_VM) / T_PROCS - ${CHILD_BASE:-0}))
if ((per >= 1)); then
	echo "  $T_PROCS processes x $per VMAs (about $T_VMAS VMAs in all) ..."
	start_bg spawn "$SPAWN" --procs "$T_PROCS" --vmas "$per"
	measure_system "$T_PROCS x $per VMAs"
	T_RSS=$RSS T_UI=$UI_HWM T_VM=$VM T_NPROC=$NPROC T_SEEN=$UI_SEEN
	stop_bg
else
	echo "  the system has $BASE_VM VMAs already: $T_PROCS processes cannot make $T_VMAS"
fi

echo
printf '%-24s %6s %7s %8s %8s %8s %9s %9s %8s %8s %7s\n' "" "" "" "memtop" "memtop" \
	"memtop" "wall ms" "CPU ms" "--json" "viewer" "UI ms"
printf '%-24s %6s %7s %8s %8s %8s %9s %9s %8s %8s %7s\n' "system" "procs" "VMAs" \
	"scan_ms" "wall ms" "CPU ms" "/1k VMAs" "/1k VMAs" "peak MiB" "HWM MiB" "/scan"
printf '%s\n' "${ROWS[@]}"
echo

# Per-VMA cost among the spawned sizes; also the marginal cost of the
# spawned VMAs alone (time above the baseline / VMAs above the baseline).
minp="" maxp="" minc="" maxc=""
for l in "${labels[@]}"; do
	minp=$(awk -v a="$minp" -v b="${PERVMA[$l]}" 'BEGIN { r = (a == "" || b + 0 < a + 0) ? b : a; print r }')
	maxp=$(awk -v a="$maxp" -v b="${PERVMA[$l]}" 'BEGIN { r = (a == "" || b + 0 > a + 0) ? b : a; print r }')
	minc=$(awk -v a="$minc" -v b="${PERVMA_CPU[$l]}" 'BEGIN { r = (a == "" || b + 0 < a + 0) ? b : a; print r }')
	maxc=$(awk -v a="$maxc" -v b="${PERVMA_CPU[$l]}" 'BEGIN { r = (a == "" || b + 0 > a + 0) ? b : a; print r }')
done
ratio=$(awk -v a="$maxp" -v b="$minp" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
cratio=$(awk -v a="$maxc" -v b="$minc" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
echo "marginal cost of the spawned VMAs (above the $BASE_VM VMAs of $BASE_PROCS processes already running):"
for n in $SIZES; do
	awk -v n="$n" -v t="${SIZE_MS[$n]}" -v c="${SIZE_CPU[$n]}" -v v="${SIZE_VM[$n]}" \
		-v bt="$BASE_MS" -v bc="$BASE_CPU" -v bv="$BASE_VM" 'BEGIN {
		printf "  %5d processes: %7d VMAs added, %7.1f ms wall, %7.1f ms CPU: %.3f ms wall, %.3f ms CPU per 1000 VMAs\n",
			n, v - bv, t - bt, c - bc, (t - bt) / (v - bv) * 1000, (c - bc) / (v - bv) * 1000 }'
done
echo

echo "results:"
verdict "$cratio <= $LINEAR_MAX"
printf '  %-66s %s\n' "per-VMA CPU cost, largest / smallest: ${cratio}x (<= ${LINEAR_MAX}x; wall ${ratio}x)" "$VERDICT"
if [ -n "${T_RSS:-}" ]; then
	verdict "$T_RSS < $RSS_MIB * 1024"
	printf '  %-66s %s\n' "memtop --json peak RSS, $T_NPROC processes, $T_VM VMAs: $(mib "$T_RSS") MiB (< $RSS_MIB)" "$VERDICT"
	verdict "$T_UI < $RSS_MIB * 1024"
	printf '  %-66s %s\n' "viewer VmHWM after $T_SEEN scans, same system: $(mib "$T_UI") MiB (< $RSS_MIB)" "$VERDICT"
fi

# A 64 TiB reservation, alone and next to a 1 MiB process.
start_bg reserve "$HOG" --mib 0 --reserve-tib "$RES_TIB"
PR=$BG_PID
start_bg tiny "$HOG" --mib 1
PT=$BG_PID
"$MEMTOP" --json -p "$PR" >/dev/null
r_w="" t_w=""
for ((i = 0; i < RUNS * 2; i++)); do
	s=$(now_us); "$MEMTOP" --json -p "$PR" >/dev/null; e=$(now_us); r_w+="$((e - s)) "
	s=$(now_us); "$MEMTOP" --json -p "$PT" >/dev/null; e=$(now_us); t_w+="$((e - s)) "
done
stop_bg
r_ms=$(awk -v t="$(median "$r_w")" 'BEGIN { printf "%.1f", t / 1000 }')
t_ms=$(awk -v t="$(median "$t_w")" 'BEGIN { printf "%.1f", t / 1000 }')
verdict "$r_ms <= 10 || $r_ms <= 1.5 * $t_ms"
printf '  %-66s %s\n' "$RES_TIB TiB reservation, memtop --json -p: $r_ms ms (1 MiB process: $t_ms ms; <= 10)" "$VERDICT"
echo "load average now: $(load_avg)"
if [ -s "$TMP/stderr" ]; then
	echo "stderr of the measured commands (most frequent lines):"
	sort "$TMP/stderr" | uniq -c | sort -rn | head -5
fi
((FAILS)) && { echo "scale: $FAILS target(s) missed"; exit 1; }
echo "scale: all targets met"
