#!/usr/bin/env bash
# bench/priority.sh - priority scanning: with a big process of 4 KiB pages
# and a tight CPU limit, a small process on screen whose memory changes
# every second gets its row's folio figures updated at every scan.
#
# A PRIO_MIB (16384) MiB bench/hog of 4 KiB pages, and a small "grower"
# that adds one 2 MiB huge page (MADV_HUGEPAGE) every second. The viewer
# runs at 200x50 with -d 2 --cpu-limit PRIO_LIMIT (3), sorted by RSS, the
# grower selected; for PRIO_SECONDS (60) the screen is read four times a
# second. Counted:
#   intervals   seconds passed / 2 (the -d the user asked for)
#   scans       scans published (the header's "scan ... at HH:MM:SS")
#   updates     times the grower's THP% (a folio figure, read through
#               /proc/kpageflags) changed on screen
#   hog ~       scans in which the hog's row was marked ~ (earlier figures)
#   scanner     the scanner threads' CPU share (limit: PRIO_LIMIT%)
# once with priority scanning (the default) and once with --full-scans
# (every figure at every scan), the floor this is measured against.
# Target: with priority scanning the grower is updated at every scan
# (updates >= scans - 2: the first scan and one cut by the window), and
# more often than with --full-scans. PRIO_HOG_PID reuses a running hog.
# Needs root (folio figures). Exits 1 when a target is missed, 2 when it
# could not run.
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

MIB=${PRIO_MIB:-16384}
SECS=${PRIO_SECONDS:-60}
LIMIT=${PRIO_LIMIT:-3}
bench_init "$HOG"
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: priority.sh needs root (the folio view)" >&2
	exit 2
fi

if [ -n "${PRIO_HOG_PID:-}" ]; then
	HOGPID=$PRIO_HOG_PID
else
	echo "faulting in $MIB MiB of 4 KiB pages (slow on a VM) ..."
	start_bg hog "$HOG" --mib "$MIB" --nothp
	HOGPID=$BG_PID
fi

cat >"$TMP/grower.py" <<'EOF'
import ctypes, mmap, os, sys, time
ctypes.CDLL(None).prctl(15, b"prio-grower", 0, 0, 0)
MB2 = 2 << 20
m = mmap.mmap(-1, 300 * MB2 + MB2, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
# a 2 MiB aligned start inside the mapping
base = ctypes.addressof(ctypes.c_char.from_buffer(m))
off = (-base) % MB2
m.madvise(mmap.MADV_HUGEPAGE, off, 300 * MB2)
print(os.getpid(), "ready", flush=True)
n = 0
while True:
    m[off + n * MB2] = 1          # one huge page more
    n = (n + 1) % 300
    time.sleep(1)
EOF
start_bg grower python3 "$TMP/grower.py"
GROWER=$BG_PID

# run MODE-ARGS: prints "scans updates hog_marked share"
run() {
	local t0 now end scan last_scan="" thp last_thp="" scans=0 updates=0
	local marked=0 line hogrow t1 c0 c1 lag maxlag=0 fresh=0
	ui_start 200 50 -d 2 --cpu-limit "$LIMIT" -s rss "$@"
	tm send-keys / && tm send-keys -l prio-grower && tm send-keys Enter
	sleep 1
	[ -n "${PRIO_DEBUG:-}" ] && ui_screen | head -12 >&2
	c0=$(thread_ticks "$UI_PID")
	t0=$(now_us)
	end=$((t0 + SECS * 1000000))
	while now=$(now_us) && [ "$now" -lt "$end" ]; do
		ui_screen >"$TMP/screen"
		scan=$(grep -Eo 'scan [0-9.]+m?s at [0-9:]+' "$TMP/screen" | head -1)
		scan=${scan##* at }
		line=$(grep -E "^ *$GROWER " "$TMP/screen" | head -1)
		# PID USER RSS SWAP ALGN% THP% ...
		thp=$(awk '{ print $6 }' <<<"$line")
		if [ -n "$scan" ] && [ "$scan" != "$last_scan" ]; then
			if [ -n "${PRIO_DEBUG:-}" ]; then
				echo "scan $scan: $(cut -c1-60 <<<"$line")" >&2
			fi
			if [ -n "$last_scan" ]; then
				scans=$((scans + 1))
				hogrow=$(grep -E "^ *$HOGPID " "$TMP/screen" | head -1)
				if [[ $hogrow == *" ~ "* ]]; then
					marked=$((marked + 1))
				else
					fresh=$((fresh + 1))
				fi
				# "sweep 40s behind", "sweep 2m behind"
				lag=$(grep -Eo 'sweep [0-9.]+[sm] behind' "$TMP/screen" |
					awk '{ v = $2 + 0; if ($2 ~ /m/) v *= 60; print v }')
				[ -n "$lag" ] && awk -v a="$lag" -v b="$maxlag" 'BEGIN { exit !(a > b) }' &&
					maxlag=$lag
			fi
			last_scan=$scan
		fi
		if [ -n "$thp" ] && [ -n "$last_thp" ] && [ "$thp" != "$last_thp" ]; then
			updates=$((updates + 1))
		fi
		[ -n "$thp" ] && last_thp=$thp
		sleep 0.25
	done
	t1=$(now_us)
	c1=$(thread_ticks "$UI_PID")
	ui_stop
	awk -v a="$c0" -v b="$c1" -v t="$((t1 - t0))" -v tck="$TCK" \
		-v s="$scans" -v u="$updates" -v m="$marked" -v f="$fresh" \
		-v l="$maxlag" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		printf "%d %d %d %.1f %d %s\n", s, u, m,
			(y[2] - x[2]) / tck / (t / 1e6) * 100, f, l }'
}

printf "%d MiB of 4 KiB pages, -d 2, --cpu-limit %s, %d s each; grower pid %d\n" \
	"$MIB" "$LIMIT" "$SECS" "$GROWER"
printf "%-14s %9s %6s %8s %6s %7s %8s %9s\n" mode intervals scans updates "hog ~" "hog new" scanner "max lag"
read -r ps pu pm pc pf pl < <(run)
read -r fs fu fm fc ff fl < <(run --full-scans)
iv=$((SECS / 2))
printf "%-14s %9d %6d %8d %6d %7d %7s%% %8ss\n" priority "$iv" "$ps" "$pu" "$pm" "$pf" "$pc" "$pl"
printf "%-14s %9d %6d %8d %6d %7d %7s%% %8ss\n" --full-scans "$iv" "$fs" "$fu" "$fm" "$ff" "$fc" "$fl"
verdict "$pu >= $ps - 2 && $ps > 0"
echo "grower updated at every scan: $VERDICT ($pu updates, $ps scans)"
verdict "$pu > $fu"
echo "more updates than --full-scans: $VERDICT ($pu against $fu)"
verdict "$pm > 0"
echo "the hog's row marked ~ while the sweep is behind: $VERDICT ($pm scans)"
awk -v u="$pu" -v i="$iv" 'BEGIN { printf "updates per interval: %.2f (priority)\n", u / i }'
awk -v u="$fu" -v i="$iv" 'BEGIN { printf "updates per interval: %.2f (--full-scans)\n", u / i }'

# The model (bench/model/sweep_table.c, the scanner's own credit and
# delay functions) at this machine's costs per GiB of 4 KiB pages: the
# scan time memtop --json reports for the hog, full and --no-pfns.
scan_ms() { "$MEMTOP" --json -p "$HOGPID" "$@" |
	sed -n 's/.*"scan_ms": *\([0-9.]*\).*/\1/p' | head -1; }
full_ms=$(median "$(scan_ms) $(scan_ms) $(scan_ms)")
cheap_ms=$(median "$(scan_ms --no-pfns) $(scan_ms --no-pfns) $(scan_ms --no-pfns)")
hog_gib=$(awk -v p="$HOGPID" '/^VmRSS:/ { printf "%.2f", $2 / 1048576 }' "/proc/$HOGPID/status")
full_gib=$(awk -v a="$full_ms" -v g="$hog_gib" 'BEGIN { printf "%.1f", a / g }')
cheap_gib=$(awk -v a="$cheap_ms" -v g="$hog_gib" 'BEGIN { printf "%.1f", a / g }')
echo "the hog ($hog_gib GiB): full scan ${full_ms} ms, --no-pfns ${cheap_ms} ms"
ST=$TMP/sweep_table
# shellcheck disable=SC2046
if ${CC:-cc} -std=gnu11 -O2 -Iinclude -D_GNU_SOURCE -o "$ST" \
	bench/model/sweep_table.c build/plain/libmemtop.a -pthread \
	$(pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo) -lz -lm; then
	"$ST" "$full_gib" "$cheap_gib" 2 3 10
else
	echo "bench: cannot build bench/model/sweep_table.c" >&2
fi
[ "$FAILS" -eq 0 ] || exit 1
exit 0
