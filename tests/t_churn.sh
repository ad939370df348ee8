#!/bin/bash
# t_churn.sh - memtop while processes come and go.
#
# The ASan+UBSan build runs, repeating until it is told to stop,
#     memtop -b -n 0 -d 0.05      and      memtop --json -n 0 -d 0.05
# Once both have written their first report, a background loop starts
# short-lived processes in batches of 10 (sleep, true, and every tenth one
# the workload helper, which maps and writes memory) and kills each batch
# after a random delay, with SIGKILL or SIGTERM, until 1,000 processes
# have come and gone; then both memtops get SIGTERM, which ends a repeating
# run between two scans. The test is driven by that count, never by the
# time things take: a slow or busy machine takes longer, and passes.
# Checks:
#  - both exit 0 with nothing on stderr (no ASan, LSan or UBSan report);
#  - at least two reports each, every JSON document valid (jq), as many
#    text summaries as text reports (none cut short by the signal);
#  - the text holds no control bytes but newlines;
#  - in every document the summary adds up: every pid listed is counted
#    once, as scanned (kernel threads included), denied, vanished, with
#    pagemap denied, an error, or filtered:
#        listed == scanned + denied + vanished + pagemap_denied + errors
#                  + filtered
#  - a process that exited is not counted as scanned: every process in a
#    document with no VMA is a kernel thread (an exited process, zombie or
#    gone, has none);
#  - all 1,000 processes were born and gone while both memtops ran.
# The vanished total is printed; it may be 0 on a fast machine.
#
# Then, eight times, a process with a 32 TiB PROT_NONE reservation (as
# ASan, V8 or a JVM make) and 20,000 small VMAs below it is killed while
# memtop --json -p reads it, at a different point of the scan each time:
# memtop must exit 0 with a valid document (1 when the process was gone
# before memtop found it, saying so), and end soon after the kill
# (within 30 s: a scan of the live process takes milliseconds; reading the
# reservation of a dead process page by page would take hours), and the
# summary must add up.
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

# --- the churn -------------------------------------------------------------
cat >"$T/churn.sh" <<'SH'
# churn.sh GO COUNT WORKLOAD DIR: once GO exists, batches of 10 short-lived
# processes, each batch killed after up to 50 ms, until 1000 have been
# started and killed; then "n" into COUNT.
set -u
go=$1 count=$2 wl=$3 dir=$4
while [ ! -e "$go" ]; do sleep 0.05; done
n=0 sig=KILL
while [ $n -lt 1000 ]; do
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
	sleep "$(printf '0.%03d' $((RANDOM % 50)))"
	kill -s $sig "${batch[@]}" 2>/dev/null
	wait "${batch[@]}" 2>/dev/null
	if [ $sig = KILL ]; then sig=TERM; else sig=KILL; fi
done
echo "$n" >"$count"
SH
# its own process group: everything it started goes at exit
setsid bash "$T/churn.sh" "$T/go" "$T/count" "$WL" "$T" </dev/null >/dev/null 2>&1 &
CHURN=$!
trap 'kill -KILL -- -$CHURN 2>/dev/null; _cleanup' EXIT

# --- memtop, twice ---------------------------------------------------------------
# Each run is a script in its own process group, so that everything in it
# goes at exit; memtop itself gets the SIGTERM that ends it. A safety
# timeout of 30 minutes stops a memtop that never ends.
cat >"$T/run_json.sh" <<'SH'
# run_json.sh BIN DIR
timeout -k 5 1800 "$1" --json -n 0 -d 0.05 </dev/null 2>"$2/json.err" |
	jq --unbuffered -c '{s: .summary,
		empty: [.processes[] | select((.kthread | not) and (.vmas | length) == 0) | .pid]}' \
		>"$2/json.sum" 2>"$2/jq.err"
echo "${PIPESTATUS[0]} ${PIPESTATUS[1]}" >"$2/json.rc"
SH
cat >"$T/run_text.sh" <<'SH'
# run_text.sh BIN DIR
timeout -k 5 1800 "$1" -b -n 0 -d 0.05 </dev/null 2>"$2/text.err" |
	tee >(LC_ALL=C tr -d '\n\040-\176' | wc -c >"$2/text.bad") |
	LC_ALL=C grep --line-buffered -a '^# ' >"$2/text.sum"
echo "${PIPESTATUS[0]}" >"$2/text.rc"
SH
setsid bash "$T/run_json.sh" "$BIN" "$T" &
JPID=$!
setsid bash "$T/run_text.sh" "$BIN" "$T" &
TPID=$!
trap 'kill -KILL -- -$CHURN -$JPID -$TPID 2>/dev/null; _cleanup' EXIT
# the churn starts once both have written a report
until [ -s "$T/json.sum" ] && grep -q '^# [0-9]* process' "$T/text.sum" 2>/dev/null; do
	kill -0 $JPID 2>/dev/null && kill -0 $TPID 2>/dev/null || break
	sleep 0.05
done
touch "$T/go"
until [ -s "$T/count" ]; do
	kill -0 $CHURN 2>/dev/null || break
	sleep 0.1
done
churned=$(cat "$T/count" 2>/dev/null || echo 0)
# memtop itself gets the signal (timeout moves it to a process group of
# its own, in the same session)
pkill -TERM -s $JPID -x "$(basename "$BIN")"
pkill -TERM -s $TPID -x "$(basename "$BIN")"
wait $JPID $TPID
echo "churn: $churned processes born and gone while memtop ran"
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
njson=$(wc -l <"$T/json.sum")
ntext=$(grep -c '^# memtop ' "$T/text.sum")
check "at least two JSON documents (got $njson)" [ "$njson" -ge 2 ]
check "at least two text reports (got $ntext)" [ "$ntext" -ge 2 ]
check "every text report ends with its summary ($ntext reports)" \
	[ "$(grep -cE '^# [0-9]+ process(es)? scanned, ' "$T/text.sum")" -eq "$ntext" ]
check "text: no control bytes but newlines ($(cat "$T/text.bad") found)" \
	[ "$(cat "$T/text.bad")" -eq 0 ]
N=$njson

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
check "1000 processes born and gone while memtop ran (got $churned)" [ "$churned" -ge 1000 ]

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
	for ((i = 0; i < 2400; i++)); do
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
		for ((i = 0; i < 600; i++)); do
			kill -0 $mt 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 $mt 2>/dev/null; then
			stalls=$((stalls + 1))
			kill -KILL $mt 2>/dev/null
			wait $mt 2>/dev/null
			echo "round $r: memtop still scanning the dead process 30 s after the kill"
			continue
		fi
		wait $mt
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ $ms -gt $worst ] && worst=$ms
		# killed before memtop found it: the only pid named does not
		# exist, which -p reports with status 1 (and still a document)
		if [ $rc -eq 1 ] && grep -q "process $BIG does not exist (-p)" "$T/big.err"; then
			ok "round $r: exit 1, the process gone before it was found"
		else
			check "round $r: exit 0 (got $rc; $(head -c 300 "$T/big.err"))" [ $rc -eq 0 ]
		fi
		jq_check "round $r: a valid document whose summary adds up" "$T/big.json" \
			'.summary | .listed == .scanned + .denied + .vanished + .pagemap_denied + .errors + .filtered'
	done
	check "memtop ends within 30 s of the kill every time ($stalls of 8 did not; worst otherwise $worst ms)" \
		[ $stalls -eq 0 ]
else
	bad "a process with a 32 TiB reservation and 20,000 VMAs can be scanned ($(head -c 200 "$T/big.out") $(head -c 200 "$T/big.err"))"
fi
finish
