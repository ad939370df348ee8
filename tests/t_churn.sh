#!/bin/bash
# t_churn.sh - memtop while processes come and go.
#
# A background loop starts short-lived processes in batches of 10 (sleep,
# true, and every tenth one the workload helper, which maps and writes
# memory) and kills each batch after a random delay, with SIGKILL or
# SIGTERM, paced so that 1,000 processes come and go well within the memtop
# runs; it goes on until both are over (and 1,000 have been churned).
# Meanwhile the ASan+UBSan build runs
#     memtop -b -n N -d 0.05      and      memtop --json -n N -d 0.05
# with N = 100 (fewer, and said so, when one scan of this system is too slow
# for the suite's ~90 s). Checks:
#  - both exit 0 with nothing on stderr (no ASan, LSan or UBSan report);
#  - N text reports, N JSON documents, every one valid (jq);
#  - the text holds no control bytes but newlines;
#  - in every document the summary adds up: every pid listed is counted
#    once, as scanned (kernel threads included), denied, vanished, with
#    pagemap denied, an error, or filtered:
#        listed == scanned + denied + vanished + pagemap_denied + errors
#                  + filtered
#  - a process that exited is not counted as scanned: every process in a
#    document with no VMA is a kernel thread (an exited process, zombie or
#    gone, has none);
#  - at least 1,000 processes were churned while memtop ran.
# The vanished total is printed; it may be 0 on a fast machine.
#
# Then, eight times, a process with a 32 TiB PROT_NONE reservation (as
# ASan, V8 or a JVM make) and 20,000 small VMAs below it is killed while
# memtop --json -p reads it, at a different point of the scan each time:
# memtop must exit 0 with a valid document within 3 s of the kill (a scan
# of the live process takes milliseconds; reading the reservation of a
# dead process page by page would take minutes), and the summary must add
# up.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq timeout setsid
BIN=$MEMTOP_ASAN
if [ ! -x "$BIN" ]; then
	[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
	part_skip "the ASan build is not there ($MEMTOP_ASAN): plain build, no sanitizer"
	BIN=$MEMTOP
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mktemp_dir

WL=
if [ -x "$WORKLOAD" ]; then
	WL=$WORKLOAD
else
	part_skip "workload helper not built ($WORKLOAD): churn with sleep and true only"
fi

# --- how many iterations fit --------------------------------------------
t0=$(date +%s%N)
timeout -k 5 60 "$BIN" --json </dev/null 2>"$T/probe.err" | jq -c .summary >"$T/probe.out"
t1=$(date +%s%N)
if [ ! -s "$T/probe.out" ] || [ -s "$T/probe.err" ]; then
	bad "one JSON scan works ($(head -c 300 "$T/probe.err"))"
	finish
fi
scan_ms=$(((t1 - t0) / 1000000))
N=100
# two memtops, the churn and jq share the CPUs: allow 5 probe scans per
# iteration (measured: 2 to 5 on a loaded two-core machine)
fit=$((45000 / (5 * scan_ms + 50)))
if [ $fit -lt $N ]; then
	N=$((fit < 5 ? 5 : fit))
	echo "note: one scan takes $scan_ms ms here; $N iterations instead of 100"
fi

# --- the churn -------------------------------------------------------------
cat >"$T/churn.sh" <<'SH'
# churn.sh STOP COUNT WORKLOAD DIR STEP_MS: batches of 10 short-lived
# processes, one batch per STEP_MS, each killed after a random part of the
# step, until STOP exists and at least 1000 have been started and killed.
set -u
stop=$1 count=$2 wl=$3 dir=$4 step=$5
n=0 during=0 sig=KILL
while :; do
	if [ -e "$stop" ]; then
		[ $during -eq 0 ] && during=$n
		[ $n -ge 1000 ] && break
	fi
	batch=()
	for ((i = 0; i < 10; i++)); do
		case $((n % 10)) in
		0)	if [ -n "$wl" ]; then
				"$wl" --no-stop --dir "$dir" \
					--shapes thp,holes,unaligned,zero,file,memfd,shmem \
					>/dev/null 2>&1 &
			else
				sleep 5 &
			fi ;;
		1)	true & ;;
		*)	sleep 5 & ;;
		esac
		batch+=($!)
		n=$((n + 1))
	done
	r=$((RANDOM % step))
	sleep "$(printf '0.%03d' $r)"
	kill -s $sig "${batch[@]}" 2>/dev/null
	wait "${batch[@]}" 2>/dev/null
	if [ $sig = KILL ]; then sig=TERM; else sig=KILL; fi
	sleep "$(printf '0.%03d' $((step - r)))"
done
echo "$n $during" >"$count"
SH
# Pace: 1000 processes in about a quarter of the expected memtop run time
# (starting and reaping a batch takes time of its own), between 10 and
# 100 ms per batch of 10.
est_ms=$((N * (scan_ms + 50)))
step=$((est_ms / 4 / 100))
[ $step -lt 10 ] && step=10
[ $step -gt 100 ] && step=100
# its own process group: everything it started goes at exit
setsid bash "$T/churn.sh" "$T/stop" "$T/count" "$WL" "$T" "$step" </dev/null >/dev/null 2>&1 &
CHURN=$!
trap 'kill -KILL -- -$CHURN 2>/dev/null; _cleanup' EXIT
sleep 0.3

# --- memtop, twice ---------------------------------------------------------------
# Each run is a script in its own process group, so that everything in it
# goes at exit.
cat >"$T/run_json.sh" <<'SH'
# run_json.sh BIN N DIR
timeout -k 5 300 "$1" --json -n "$2" -d 0.05 </dev/null 2>"$3/json.err" |
	jq -c '{s: .summary,
		empty: [.processes[] | select((.kthread | not) and (.vmas | length) == 0) | .pid]}' \
		>"$3/json.sum" 2>"$3/jq.err"
echo "${PIPESTATUS[0]} ${PIPESTATUS[1]}" >"$3/json.rc"
SH
cat >"$T/run_text.sh" <<'SH'
# run_text.sh BIN N DIR
timeout -k 5 300 "$1" -b -n "$2" -d 0.05 </dev/null 2>"$3/text.err" |
	tee >(LC_ALL=C tr -d '\n\040-\176' | wc -c >"$3/text.bad") |
	LC_ALL=C grep -a '^# ' >"$3/text.sum"
echo "${PIPESTATUS[0]}" >"$3/text.rc"
SH
start=$SECONDS
setsid bash "$T/run_json.sh" "$BIN" "$N" "$T" &
JPID=$!
setsid bash "$T/run_text.sh" "$BIN" "$N" "$T" &
TPID=$!
trap 'kill -KILL -- -$CHURN -$JPID -$TPID 2>/dev/null; _cleanup' EXIT
wait $JPID $TPID
elapsed=$((SECONDS - start))
touch "$T/stop"
for ((i = 0; i < 600; i++)); do
	[ -s "$T/count" ] && break
	sleep 0.1
done
read -r churned during <"$T/count" 2>/dev/null || { churned=0; during=0; }

echo "memtop: $N iterations in $elapsed s; churn: $churned processes, $during while memtop ran"
read -r jrc jqrc <"$T/json.rc"
trc=$(cat "$T/text.rc")
check "--json exits 0 (got $jrc)" [ "$jrc" = 0 ]
check "-b exits 0 (got $trc)" [ "$trc" = 0 ]
for m in json text; do
	if [ -s "$T/$m.err" ]; then
		bad "$m: stderr is not empty: $(head -c 1500 "$T/$m.err")"
	else
		ok "$m: nothing on stderr (no sanitizer report)"
	fi
done
check "every JSON document parses (jq exit $jqrc: $(head -c 200 "$T/jq.err"))" [ "$jqrc" = 0 ]
check "$N JSON documents (got $(wc -l <"$T/json.sum"))" [ "$(wc -l <"$T/json.sum")" -eq "$N" ]
check "$N text reports (got $(grep -c '^# memtop ' "$T/text.sum"))" \
	[ "$(grep -c '^# memtop ' "$T/text.sum")" -eq "$N" ]
check "$N text summaries" [ "$(grep -cE '^# [0-9]+ process(es)? scanned, ' "$T/text.sum")" -eq "$N" ]
check "text: no control bytes but newlines ($(cat "$T/text.bad") found)" \
	[ "$(cat "$T/text.bad")" -eq 0 ]

jq_check "every document: listed == scanned + denied + vanished + pagemap_denied + errors + filtered" \
	"$T/json.sum" '[.[].s | select(.listed != .scanned + .denied + .vanished + .pagemap_denied + .errors + .filtered)] | length == 0' -s
jq_check "every document: kernel threads are part of scanned" "$T/json.sum" \
	'all(.[].s; .kthreads <= .scanned)' -s
jq_check "no exited process counted as scanned (processes with no VMA that are not kernel threads)" \
	"$T/json.sum" '[.[].empty[]] | length == 0' -s
vanished=$(jq -s '[.[].s.vanished] | add // 0' "$T/json.sum")
denied=$(jq -s '[.[].s.denied] | add // 0' "$T/json.sum")
errors=$(jq -s '[.[].s.errors] | add // 0' "$T/json.sum")
tvanished=$(sed -n 's/.* skipped for permission, \([0-9]*\) vanished,.*/\1/p' "$T/text.sum" | awk '{ s += $1 } END { print s + 0 }')
echo "summary over $N documents: vanished $vanished (text reports: $tvanished), denied $denied, errors $errors"
if [ "$(jq -s '[.[].empty[]] | length' "$T/json.sum")" -gt 0 ]; then
	echo "exited processes counted as scanned: $(jq -s -c '[.[].empty[]] | unique | .[:10]' "$T/json.sum")"
fi
check "at least 1000 processes churned while memtop ran (got $during)" [ "$during" -ge 1000 ]

# --- a process with a huge reservation, killed during its scan ------------------
cat >"$T/bigproc.py" <<'PY'
# bigproc.py N: a 32 TiB PROT_NONE reservation, then N one-page VMAs below
# it (alternating protections, so that they never merge); "ready"; wait.
import mmap, signal, sys
flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_NORESERVE", 0)
big = mmap.mmap(-1, 32 << 40, flags=flags, prot=0)
keep = []
for i in range(int(sys.argv[1])):
    m = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                  prot=mmap.PROT_READ if i & 1 else mmap.PROT_READ | mmap.PROT_WRITE)
    if not i & 1:
        m[0] = 1
    keep.append(m)
print("ready", flush=True)
signal.pause()
PY
big_start() { # sets BIG, or returns 1
	"$PYTHON" "$T/bigproc.py" 20000 >"$T/big.out" 2>&1 &
	BIG=$!
	kill_later "$BIG"
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q ready "$T/big.out" 2>/dev/null && return 0
		kill -0 "$BIG" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}
if big_start && run_memtop "$T/big.json" "$T/big.err" "$BIN" --json -p "$BIG"; then
	alive_ms=$(jq '.scan_ms | floor' "$T/big.json")
	kill -KILL "$BIG" 2>/dev/null
	wait "$BIG" 2>/dev/null
	echo "a scan of the live process takes $alive_ms ms"
	worst=0 stalls=0
	for ((r = 0; r < 8; r++)); do
		big_start || { bad "big process starts ($(head -c 200 "$T/big.out"))"; break; }
		timeout -k 5 120 "$BIN" --json -p "$BIG" </dev/null >"$T/big.json" 2>"$T/big.err" &
		mt=$!
		# kill at 1/16, 3/16, ... 15/16 of the scan of the live process
		sleep "$(awk -v a="$alive_ms" -v r=$r 'BEGIN { printf "%.3f", a * (2 * r + 1) / 16 / 1000 }')"
		kill -KILL "$BIG" 2>/dev/null
		wait "$BIG" 2>/dev/null
		t0=$(date +%s%N)
		for ((i = 0; i < 60; i++)); do
			kill -0 $mt 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 $mt 2>/dev/null; then
			stalls=$((stalls + 1))
			kill -KILL $mt 2>/dev/null
			wait $mt 2>/dev/null
			echo "round $r: memtop still scanning the dead process 3 s after the kill"
			continue
		fi
		wait $mt
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ $ms -gt $worst ] && worst=$ms
		check "round $r: exit 0 (got $rc; $(head -c 300 "$T/big.err"))" [ $rc -eq 0 ]
		jq_check "round $r: a valid document whose summary adds up" "$T/big.json" \
			'.summary | .listed == .scanned + .denied + .vanished + .pagemap_denied + .errors + .filtered'
	done
	check "memtop ends within 3 s of the kill every time ($stalls of 8 did not; worst otherwise $worst ms)" \
		[ $stalls -eq 0 ]
else
	bad "a process with a 32 TiB reservation and 20,000 VMAs can be scanned ($(head -c 200 "$T/big.out") $(head -c 200 "$T/big.err"))"
fi
finish
