#!/usr/bin/env bash
# bench/record.sh - recordings (--record, --replay): their size, what
# recording adds to a run's CPU time, and how fast an hour's recording
# opens.
#
#   size       bytes per process per sample: `memtop --json -n REC_SAMPLES
#              -d 1 --record F` of the whole system, then with REC_PROCS
#              (2000) more processes from bench/spawn (REC_VMAS VMAs each);
#              file size / frames / processes, and key frames and delta
#              frames apart (each frame's header gives its kind and
#              length). The floor: the same scans as --json prints them,
#              bytes per process per sample.
#   cpu        `memtop -b -n REC_SCANS -d 0.2` with and without --record,
#              REC_PAIRS alternated pairs; CPU time (user + system) of the
#              process; the run without --record is the floor. Target: the
#              median ratio at most 1.05. The whole system, then (unless
#              REC_PROCS=0) with the spawned processes, -n REC_SCANS_BIG.
#   replay     a recording of 1,800 frames (an hour at -d 2) of
#              REC_HOUR_PROCS (50) spawned processes, made at -d 0.01;
#              then the wall time of `memtop --replay F --json --begin
#              '#1800' -n 1` (the index, then decoding from the last key
#              frame) and of --begin '#1', median of 5. Target: under one
#              second; the floor is one live scan of the same processes.
#
# Exits 1 when a target is missed, 2 when it could not run.
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

SAMPLES=${REC_SAMPLES:-10}
PROCS=${REC_PROCS:-2000}
VMAS=${REC_VMAS:-20}
SCANS=${REC_SCANS:-30}
SCANS_BIG=${REC_SCANS_BIG:-10}
PAIRS=${REC_PAIRS:-5}
HOUR_PROCS=${REC_HOUR_PROCS:-50}
HOUR_FRAMES=${REC_HOUR_FRAMES:-1800}

bench_init "$SPAWN"
command -v python3 >/dev/null || { echo "bench: needs python3" >&2; exit 2; }

echo "memtop recording benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, Linux $(uname -r), $(getconf PAGESIZE)-byte pages, $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; user $(id -un); load average $(load_avg)"

# frames FILE JSONL: "frames procs bytes key_frames key_bytes key_procs
# delta_bytes delta_procs json_bytes" - frame bytes count the 28-byte
# frame header; processes per frame from the JSON printed live (one
# document a line, in the same order as the frames).
frames() {
	python3 - "$1" "$2" <<'EOF'
import json, struct, sys
d = open(sys.argv[1], 'rb').read()
docs = [l for l in open(sys.argv[2], 'rb').read().splitlines() if l.strip()]
procs = [len(json.loads(l)['processes']) for l in docs]
blen = struct.unpack_from('<I', d, 14)[0]
off = 22 + blen
fr = []
while off + 28 <= len(d):
    zlen = struct.unpack_from('<I', d, off + 4)[0]
    fr.append((d[off + 16], 28 + zlen))
    off += 28 + zlen
assert off == len(d), 'frames do not end at the end'
assert len(fr) == len(procs), '%d frames, %d documents' % (len(fr), len(procs))
kb = sum(b for k, b in fr if k == 1)
kp = sum(p for (k, b), p in zip(fr, procs) if k == 1)
db = sum(b for k, b in fr if k == 2)
dp = sum(p for (k, b), p in zip(fr, procs) if k == 2)
print(len(fr), sum(procs), len(d), sum(1 for k, b in fr if k == 1), kb, kp,
      db, dp, sum(len(l) + 1 for l in docs))
EOF
}

# size LABEL: one recording of SAMPLES scans; prints a table row
size_row() {
	local label=$1 f=$TMP/size.rec n p bytes nk kb kp db dp jb
	rm -f "$f"
	"$MEMTOP" --json -n "$SAMPLES" -d 1 --record "$f" >"$TMP/size.json" ||
		{ echo "bench: memtop --record failed" >&2; exit 2; }
	read -r n p bytes nk kb kp db dp jb < <(frames "$f" "$TMP/size.json") ||
		exit 2
	awk -v l="$label" -v n="$n" -v p="$p" -v b="$bytes" -v kb="$kb" \
		-v kp="$kp" -v db="$db" -v dp="$dp" -v jb="$jb" 'BEGIN {
		printf "%-26s %7.0f %6d %9d %9.1f %9.1f %9.1f %10.0f %8.3f\n",
			l, p / n, n, b, b / p, kb / kp, (dp ? db / dp : 0),
			jb / p, b / jb }'
}

# cpu_us ARGS...: CPU time (user + system, microseconds) of memtop ARGS
cpu_us() {
	python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
if r.returncode:
    sys.exit(r.returncode)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int((u.ru_utime + u.ru_stime) * 1e6))' "$MEMTOP" "$@"
}

# cpu_row LABEL N: PAIRS alternated pairs of -b -n N -d 0.2 runs
CPU_RATIOS=()
cpu_row() {
	local label=$1 n=$2 i a b ratios="" as="" bs="" f=$TMP/cpu.rec m
	for ((i = 0; i < PAIRS; i++)); do
		rm -f "$f"
		if ((i % 2)); then
			b=$(cpu_us -b -n "$n" -d 0.2 --record "$f") || exit 2
			a=$(cpu_us -b -n "$n" -d 0.2) || exit 2
		else
			a=$(cpu_us -b -n "$n" -d 0.2) || exit 2
			b=$(cpu_us -b -n "$n" -d 0.2 --record "$f") || exit 2
		fi
		as+="$a "
		bs+="$b "
		ratios+="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b / a }') "
	done
	m=$(median "$ratios")
	CPU_RATIOS+=("$m")
	awk -v l="$label" -v n="$n" -v a="$(median "$as")" -v b="$(median "$bs")" \
		-v m="$m" -v lo="$(pct 0 "$ratios")" -v hi="$(pct 100 "$ratios")" \
		-v sz="$(stat -c %s "$f")" 'BEGIN {
		printf "%-26s %5d %10.1f %10.1f %8.3fx %15s %9.0f\n", l, n,
			a / 1000, b / 1000, m,
			sprintf("%.3f-%.3f", lo, hi), sz / 1024 }'
}

echo
echo "Bytes per process per sample ($SAMPLES samples, -d 1; JSON: the same scans as --json printed them)"
printf "%-26s %7s %6s %9s %9s %9s %9s %10s %8s\n" case procs frames "file B" "B/proc" "key" "delta" "JSON B/pr" "/JSON"
size_row "whole system"
if ((PROCS > 0)); then
	start_bg spawn "$SPAWN" --procs "$PROCS" --vmas "$VMAS"
	size_row "+$PROCS processes"
	stop_bg
fi

echo
echo "CPU time of memtop -b -d 0.2, without and with --record ($PAIRS alternated pairs; medians)"
printf "%-26s %5s %10s %10s %9s %15s %9s\n" case scans "plain ms" "record ms" ratio "range" "file KiB"
cpu_row "whole system" "$SCANS"
if ((PROCS > 0)); then
	start_bg spawn "$SPAWN" --procs "$PROCS" --vmas "$VMAS"
	cpu_row "+$PROCS processes" "$SCANS_BIG"
	stop_bg
fi

echo
echo "Replay of $HOUR_FRAMES frames (an hour at -d 2) of $HOUR_PROCS processes"
start_bg hour "$SPAWN" --procs "$HOUR_PROCS" --vmas "$VMAS"
pids=$(pgrep -d, -P "$BG_PID")
H=$TMP/hour.rec
s=$(now_us)
"$MEMTOP" -b -p "$pids" -n "$HOUR_FRAMES" -d 0.01 --record "$H" >/dev/null ||
	{ echo "bench: recording failed" >&2; exit 2; }
e=$(now_us)
rec_s=$(awk -v t=$((e - s)) 'BEGIN { printf "%.0f", t / 1e6 }')
floors="" lasts="" firsts=""
for ((i = 0; i < 5; i++)); do
	s=$(now_us)
	"$MEMTOP" --json -p "$pids" >/dev/null
	e=$(now_us)
	floors+="$((e - s)) "
	s=$(now_us)
	"$MEMTOP" --replay "$H" --json --begin "#$HOUR_FRAMES" -n 1 >"$TMP/last.json" ||
		{ echo "bench: replay failed" >&2; exit 2; }
	e=$(now_us)
	lasts+="$((e - s)) "
	s=$(now_us)
	"$MEMTOP" --replay "$H" --json --begin '#1' -n 1 >/dev/null
	e=$(now_us)
	firsts+="$((e - s)) "
done
stop_bg
nproc_last=$(python3 -c 'import json, sys; print(len(json.loads(open(sys.argv[1]).readline())["processes"]))' "$TMP/last.json")
fl=$(median "$floors")
la=$(median "$lasts")
fi_=$(median "$firsts")
printf "recording: %d bytes (%.1f MiB) in %s s; %d processes in the last frame\n" \
	"$(stat -c %s "$H")" "$(awk -v b="$(stat -c %s "$H")" 'BEGIN { print b / 1048576 }')" \
	"$rec_s" "$nproc_last"
printf "%-40s %9s %9s\n" "" "wall ms" "/ floor"
printf "%-40s %9.1f %9s\n" "floor: one live scan (--json -p)" "$(awk -v t="$fl" 'BEGIN { print t / 1000 }')" "1.00x"
printf "%-40s %9.1f %8.2fx\n" "--replay --begin '#$HOUR_FRAMES' -n 1" \
	"$(awk -v t="$la" 'BEGIN { print t / 1000 }')" "$(awk -v a="$la" -v b="$fl" 'BEGIN { print a / b }')"
printf "%-40s %9.1f %8.2fx\n" "--replay --begin '#1' -n 1" \
	"$(awk -v t="$fi_" 'BEGIN { print t / 1000 }')" "$(awk -v a="$fi_" -v b="$fl" 'BEGIN { print a / b }')"

echo
for i in "${!CPU_RATIOS[@]}"; do
	verdict "${CPU_RATIOS[$i]} <= 1.05"
	echo "recording's extra CPU at most 5% (case $((i + 1))): $VERDICT (${CPU_RATIOS[$i]}x)"
done
verdict "$la < 1000000 && $fi_ < 1000000"
echo "an hour's recording opens in under a second: $VERDICT ($((la / 1000)) ms at the last frame, $((fi_ / 1000)) ms at the first)"
((FAILS == 0)) || exit 1
exit 0
