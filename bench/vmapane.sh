#!/usr/bin/env bash
# bench/vmapane.sh - priority scanning inside one big process: with the
# VMA pane open on a process too big to read whole at every scan, the
# VMAs on screen get their folio figures read at every scan.
#
# A VMA_MIB (16384) MiB bench/hog of 4 KiB pages with --grow: a small VMA
# of its own (64 MiB of 4 KiB pages) that gets one more 2 MiB huge page
# every second, so that its HUGE% (a folio figure, read through
# /proc/kpageflags) changes every second. The viewer runs at 200x50 with
# -d 2 --cpu-limit VMA_LIMIT (3), the VMA pane open on the hog; for
# VMA_SECONDS (120) the screen is read four times a second. Counted:
#   intervals   seconds passed / 2 (the -d the user asked for)
#   scans       scans published (the header's "scan ... at HH:MM:SS")
#   fresh       scans after which the small VMA's row was not marked ~:
#               its folio figures were that scan's
#   updates     times the small VMA's HUGE% changed on screen (only when
#               the kernel found a huge page for the fault: on a machine
#               whose memory the hog fills, often not)
#   big ~       scans in which the 16 GiB VMA's row was marked ~ (its
#               figures an earlier scan's)
#   scanner     the scanner threads' CPU share (limit: VMA_LIMIT%)
# once with priority scanning (the default) and once with --full-scans
# (every figure at every scan), the floor this is measured against.
# Target: with priority scanning the small VMA's figures are fresh after
# every scan (fresh >= scans - 2), and it is read more often than with
# --full-scans.
# VMA_HOG_PID (with VMA_GROW_ADDR, the hex start the hog printed) reuses
# a running hog --grow. Needs root (folio figures). Exits 1 when a
# target is missed, 2 when it could not run.
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

MIB=${VMA_MIB:-16384}
SECS=${VMA_SECONDS:-120}
LIMIT=${VMA_LIMIT:-3}
bench_init "$HOG"
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: vmapane.sh needs root (the folio view)" >&2
	exit 2
fi

if [ -n "${VMA_HOG_PID:-}" ]; then
	HOGPID=$VMA_HOG_PID
	GROW=${VMA_GROW_ADDR:?VMA_GROW_ADDR with VMA_HOG_PID}
else
	echo "faulting in $MIB MiB of 4 KiB pages (slow on a VM) ..."
	start_bg hog "$HOG" --mib "$MIB" --nothp --grow
	HOGPID=$BG_PID
	GROW=${BG_LINE##* }
fi
BIG=""
while read -r range _; do
	lo=${range%-*} hi=${range#*-}
	if [ $((16#$hi - 16#$lo)) -eq $((MIB * 1048576)) ]; then
		BIG=$lo
		break
	fi
done <"/proc/$HOGPID/maps"
[ -n "$BIG" ] || { echo "bench: the hog's big VMA is not in its maps" >&2; exit 2; }

# run MODE-ARGS: prints "scans updates big_marked share fresh"
run() {
	local t0 now end scan last_scan="" v last_v="" scans=0 updates=0
	local marked=0 row big t1 c0 c1 fresh=0
	ui_start 200 50 -d 2 --cpu-limit "$LIMIT" "$@"
	tm send-keys / && tm send-keys -l hog && tm send-keys Enter
	sleep 0.5
	tm send-keys Enter
	# the folio view: HUGE% is a folio figure
	tm send-keys v && sleep 0.3 && tm send-keys v
	if ! ui_wait "HUGE%" 10 || ! ui_wait "^ *$GROW " 30; then
		echo "bench: the VMA pane did not show the small VMA:" >&2
		ui_screen >&2
		exit 2
	fi
	[ -n "${VMA_DEBUG:-}" ] && ui_screen | head -30 >&2
	c0=$(thread_ticks "$UI_PID")
	t0=$(now_us)
	end=$((t0 + SECS * 1000000))
	while now=$(now_us) && [ "$now" -lt "$end" ]; do
		ui_screen >"$TMP/screen"
		scan=$(grep -Eo 'scan [0-9.]+m?s at [0-9:]+' "$TMP/screen" | head -1)
		scan=${scan##* at }
		# START END SIZE PERM ADV ELIG RSS HUGE% ... (~ before HUGE%:
		# an earlier scan's)
		row=$(grep -E "^ *$GROW " "$TMP/screen" | head -1)
		v=$(awk '{ print $8 }' <<<"$row")
		if [ -n "$scan" ] && [ "$scan" != "$last_scan" ]; then
			if [ -n "$last_scan" ]; then
				scans=$((scans + 1))
				big=$(grep -E "^ *$BIG " "$TMP/screen" | head -1)
				[[ $(awk '{ print $8 }' <<<"$big") == "~"* ]] &&
					marked=$((marked + 1))
				[ -n "$row" ] && [[ $v != "~"* ]] &&
					fresh=$((fresh + 1))
			fi
			last_scan=$scan
		fi
		if [ -n "$v" ] && [ -n "$last_v" ] && [ "${v#\~}" != "${last_v#\~}" ]; then
			updates=$((updates + 1))
		fi
		[ -n "$v" ] && last_v=$v
		sleep 0.25
	done
	t1=$(now_us)
	c1=$(thread_ticks "$UI_PID")
	ui_stop
	awk -v a="$c0" -v b="$c1" -v t="$((t1 - t0))" -v tck="$TCK" \
		-v s="$scans" -v u="$updates" -v m="$marked" -v f="$fresh" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		printf "%d %d %d %.1f %d\n", s, u, m,
			(y[2] - x[2]) / tck / (t / 1e6) * 100, f }'
}

printf "%d MiB of 4 KiB pages, -d 2, --cpu-limit %s, %d s each; hog pid %d, small VMA %s\n" \
	"$MIB" "$LIMIT" "$SECS" "$HOGPID" "$GROW"
printf "%-14s %9s %6s %6s %8s %6s %8s\n" mode intervals scans fresh updates "big ~" scanner
read -r ps pu pm pc pf < <(run)
read -r fs fu fm fc ff < <(run --full-scans)
iv=$((SECS / 2))
printf "%-14s %9d %6d %6d %8d %6d %7s%%\n" priority "$iv" "$ps" "$pf" "$pu" "$pm" "$pc"
printf "%-14s %9d %6d %6d %8d %6d %7s%%\n" --full-scans "$iv" "$fs" "$ff" "$fu" "$fm" "$fc"
verdict "$pf >= $ps - 2 && $ps > 0"
echo "small VMA's figures fresh after every scan: $VERDICT ($pf of $ps scans)"
verdict "$pf > $ff"
echo "read more often than with --full-scans: $VERDICT ($pf against $ff)"
verdict "$pm > 0"
echo "the big VMA's row marked ~ while it waits for the sweep: $VERDICT ($pm scans)"
awk -v u="$pf" -v i="$iv" 'BEGIN { printf "fresh reads per interval: %.2f (priority)\n", u / i }'
awk -v u="$ff" -v i="$iv" 'BEGIN { printf "fresh reads per interval: %.2f (--full-scans)\n", u / i }'
[ "$FAILS" -eq 0 ] || exit 1
exit 0
