#!/usr/bin/env bash
# bench/thpmaps.sh - memtop beside the kernel's tools/mm/thpmaps: the same
# folio figures for the same processes, and the time each takes.
#
#   bench/thpmaps.sh                  as root (thpmaps reads kpageflags)
#   THPMAPS=PATH bench/thpmaps.sh     use this copy of thpmaps
#
# thpmaps is not part of memtop and is not kept in its tree. Without
# THPMAPS the script looks in the cache ($XDG_CACHE_HOME or ~/.cache, then
# memtop-bench/thpmaps) and, when it is not there, fetches it now: Debian's
# linux-source-6.N package (N >= 9, the first with tools/mm/thpmaps; about
# 150 MB) is downloaded with `apt-get download` into a temporary directory
# and only tools/mm/thpmaps is taken out of it into the cache. python3-numpy
# is installed with apt-get when it is missing.
#
# For each workload (PMD-mapped THP, THP with a hole per 2 MiB, 64 KiB mTHP
# when the kernel has hugepages-64kB, 4 KiB pages) it compares every figure
# thpmaps prints for the workload process (--pid P --rollup --inc-empty,
# in kB) with memtop's folio view of the same process, reading memtop before
# and after thpmaps so that memory that moved in between (khugepaged) is
# noticed and the pair retried. Then it times both, per process and over
# the whole system.
#
# The mTHP workload needs hugepages-64kB/enabled to allow 64 KiB folios: it
# is set to "madvise" for the run (the workload asks with MADV_HUGEPAGE;
# nothing else is affected) and put back on exit.
#
# Exit: 0 every figure agrees, 1 a figure differs, 2 could not run.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
. bench/lib.sh

RUNS=${BENCH_RUNS:-5}
MIB=${THPMAPS_MIB:-1024}
bench_init "$HOG"

if [ "$(id -u)" != 0 ]; then
	echo "bench/thpmaps.sh: needs root (thpmaps and memtop's folio view read /proc/kpageflags)"
	exit 2
fi
# Debian's python3 (the one python3-numpy installs into) before any other
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if ! command -v "$PY" >/dev/null; then
	echo "bench/thpmaps.sh: no python3"
	exit 2
fi
if ! "$PY" -c 'import numpy' 2>/dev/null; then
	echo "installing python3-numpy (thpmaps needs it)"
	if ! { apt-get update -qq && apt-get install -y -qq python3-numpy; } \
		>"$TMP/apt.log" 2>&1; then
		echo "bench/thpmaps.sh: python3-numpy could not be installed: $(tail -1 "$TMP/apt.log")"
		exit 2
	fi
fi

# --- thpmaps itself ------------------------------------------------------
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/memtop-bench
THPMAPS=${THPMAPS:-$CACHE/thpmaps}
if [ ! -s "$THPMAPS" ]; then
	pkg=$(apt-cache search --names-only '^linux-source-6\.[0-9]+$' 2>/dev/null |
		awk '{ split($1, v, "."); if (v[2] + 0 >= 9) print v[2] + 0, $1 }' |
		sort -n | tail -1 | cut -d' ' -f2)
	if [ -z "$pkg" ]; then
		echo "bench/thpmaps.sh: no linux-source-6.N (N >= 9) package to take thpmaps from; set THPMAPS"
		exit 2
	fi
	echo "fetching $pkg (for tools/mm/thpmaps only) ..."
	mkdir -p "$TMP/src" "$CACHE" || exit 2
	if ! (cd "$TMP/src" && apt-get download "$pkg") >"$TMP/dl.log" 2>&1; then
		echo "bench/thpmaps.sh: apt-get download $pkg failed: $(tail -1 "$TMP/dl.log")"
		exit 2
	fi
	deb=$(ls "$TMP"/src/*.deb 2>/dev/null | head -1)
	ver=${pkg#linux-source-}
	# the package holds linux-source-VER.tar.xz; take one file out of it
	if ! dpkg-deb --fsys-tarfile "$deb" 2>/dev/null |
		tar -xO --wildcards "*/linux-source-$ver.tar.xz" |
		xz -dc | tar -xO --occurrence=1 "linux-source-$ver/tools/mm/thpmaps" \
			>"$TMP/thpmaps" 2>"$TMP/tar.log" || [ ! -s "$TMP/thpmaps" ]; then
		echo "bench/thpmaps.sh: tools/mm/thpmaps not found in $pkg"
		exit 2
	fi
	rm -f "$deb"
	mv "$TMP/thpmaps" "$CACHE/thpmaps"
	THPMAPS=$CACHE/thpmaps
fi
echo "thpmaps: $THPMAPS ($(sha256sum "$THPMAPS" | cut -c1-12))"

# --- 64 KiB folios for the mTHP workload --------------------------------
MTHP_KNOB=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled
MTHP_OLD=""
restore_knob() {
	if [ -n "$MTHP_OLD" ]; then
		echo "$MTHP_OLD" >"$MTHP_KNOB" 2>/dev/null
		MTHP_OLD=""
	fi
}
trap 'restore_knob; _bench_cleanup' EXIT

# --- comparing the figures -----------------------------------------------
# thpmaps' rollup for pid $1 as "label value" lines (kB)
thpmaps_figures() {
	"$PY" "$THPMAPS" --pid "$1" --rollup --inc-empty 2>"$TMP/thpmaps.err" |
		awk -F: '/kB/ { split($2, a, " "); print $1, a[1] }'
}

# memtop's folio view of pid $1 under thpmaps' labels
memtop_figures() {
	"$MEMTOP" --json -p "$1" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
p = d["processes"][0]
kb = d["page_size"] // 1024
po = d["pmd_order"]
f = p["folios"]
for t in ("anon", "file"):
    print("%s-thp-pmd-aligned-%dkB %d" % (t, kb << po, f[t]["pmd_mapped"] * kb))
    for kind in ("aligned", "unaligned"):
        h = f[t]["pte_" + kind]
        for o in range(2, po + 1):
            print("%s-thp-pte-%s-%dkB %d" % (t, kind, kb << o, h[o] * kb))
    print("%s-thp-pte-partial %d" % (t, f[t]["partial"] * kb))
'
}

# compare LABEL-SET PID: sets MISMATCH to the number of differing figures
compare() {
	local name=$1 pid=$2 try
	for try in 1 2 3; do
		memtop_figures "$pid" | sort >"$TMP/m1"
		thpmaps_figures "$pid" | sort >"$TMP/t"
		memtop_figures "$pid" | sort >"$TMP/m2"
		cmp -s "$TMP/m1" "$TMP/m2" && break
		echo "  $name: memory moved while thpmaps ran, again ($try)"
	done
	if [ ! -s "$TMP/t" ]; then
		echo "  $name: thpmaps printed nothing: $(tail -1 "$TMP/thpmaps.err")"
		MISMATCH=1
		return
	fi
	# every label thpmaps prints must be there, with the same value
	MISMATCH=$(join -a 1 -e MISSING -o 0,1.2,2.2 "$TMP/t" "$TMP/m1" |
		awk '$2 != $3 { n++; print "    differs: " $0 > "/dev/stderr" } END { print n + 0 }')
	local shown
	shown=$(awk '$2 != 0 { printf "%s%s %s kB", sep, $1, $2; sep = ", " }' "$TMP/t")
	echo "  $name: $(wc -l <"$TMP/t") figures, $MISMATCH differ; non-zero: ${shown:-none}"
}

# time CMD...: median wall ms of RUNS runs
time_ms() {
	local i s e ts=()
	for ((i = 0; i < RUNS; i++)); do
		s=$(now_us)
		"$@" >/dev/null 2>&1
		e=$(now_us)
		ts+=($((e - s)))
	done
	awk -v m="$(median "${ts[@]}")" 'BEGIN { printf "%.1f", m / 1000 }'
}

ROWS=()
TOTAL_BAD=0
workload() { # name hog-args...
	local name=$1 m t
	shift
	start_bg "$name" "$HOG" "$@"
	compare "$name" "$BG_PID"
	TOTAL_BAD=$((TOTAL_BAD + MISMATCH))
	m=$(time_ms "$MEMTOP" --json -p "$BG_PID")
	t=$(time_ms "$PY" "$THPMAPS" --pid "$BG_PID" --rollup)
	ROWS+=("$(printf '%-34s %9s %9s %7sx' "$name -p" "$m" "$t" \
		"$(awk -v a="$t" -v b="$m" 'BEGIN { printf "%.0f", a / b }')")")
	stop_bg
}

echo "memtop $("$MEMTOP" --version | head -1) beside thpmaps, $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(load_avg)"
workload "THP ${MIB} MiB" --mib "$MIB" --thp
workload "THP ${MIB} MiB, a hole per 2 MiB" --mib "$MIB" --thp --holes
if [ -w "$MTHP_KNOB" ]; then
	MTHP_OLD=$(sed 's/.*\[\(.*\)\].*/\1/' "$MTHP_KNOB")
	echo madvise >"$MTHP_KNOB"
	workload "64K mTHP $((MIB / 2)) MiB" --mib "$MIB" --mthp
	restore_knob
else
	echo "  64K mTHP: skipped ($MTHP_KNOB not there or not writable)"
fi
workload "4K pages ${MIB} MiB" --mib "$MIB" --nothp

# the whole system: thpmaps stops at the first process whose pagemap it
# cannot open (pid 1 here, even for root), so it gets the pids whose
# pagemap opens; a pid that ends meanwhile makes it fail: tried 3 times
start_bg sys "$HOG" --mib "$MIB" --thp
pids=()
for p in /proc/[0-9]*; do
	p=${p#/proc/}
	(: <"/proc/$p/pagemap") 2>/dev/null && pids+=(--pid "$p")
done
# (it prints its errors on stdout)
if "$PY" "$THPMAPS" --rollup >"$TMP/all.out" 2>&1; then
	echo "  thpmaps over every process: ran"
else
	echo "  thpmaps over every process: failed: $(grep . "$TMP/all.out" | tail -1)"
fi
sys_t=""
for try in 1 2 3; do
	if "$PY" "$THPMAPS" "${pids[@]}" --rollup >"$TMP/sys.err" 2>&1; then
		sys_t=$(time_ms "$PY" "$THPMAPS" "${pids[@]}" --rollup)
		break
	fi
done
sys_m=$(time_ms "$MEMTOP" --json)
if [ -n "$sys_t" ]; then
	ROWS+=("$(printf '%-34s %9s %9s %7sx' "system ($(( ${#pids[@]} / 2 )) pids)" \
		"$sys_m" "$sys_t" "$(awk -v a="$sys_t" -v b="$sys_m" 'BEGIN { printf "%.0f", a / b }')")")
else
	echo "  thpmaps over the readable pids failed 3 times: $(tail -1 "$TMP/sys.err")"
fi
stop_bg

echo
printf '%-34s %9s %9s %8s\n' "case (median of $RUNS)" "memtop ms" "thpmaps" "speedup"
printf '%s\n' "${ROWS[@]}"
echo
if ((TOTAL_BAD)); then
	echo "bench/thpmaps.sh: $TOTAL_BAD figure(s) differ between memtop and thpmaps"
	exit 1
fi
echo "bench/thpmaps.sh: every figure thpmaps prints agrees with memtop"
