#!/bin/bash
# screenshots/make.sh - PNG pictures of the real viewer, for README.md.
#
# Starts memtop in a private tmux server next to workloads of known shapes,
# types keys as a person would, captures the pane with its colours
# (capture-pane -e -p) and renders each capture with render.py (PIL and
# DejaVu Sans Mono). Run it as root to show the root-only views.
#
#   screenshots/make.sh            all pictures into screenshots/
#   MEMTOP=path/to/memtop screenshots/make.sh
#
# Pictures: process-list.png, vma-pane.png (160x48), small-process-list.png
# and small-system.png (80x24), histogram.png, help.png,
# hugepages.png (a hugepage-heavy process in the folio view),
# monochrome.png (C locale, NO_COLOR: ASCII glyphs, no colour),
# system.png (the system view), cgroups.png (cgroup rows and the process
# tree) and demo.png (memtop --demo while demo-collapse is being
# collapsed: adoption in progress).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/screenshots
MEMTOP=${MEMTOP:-$ROOT/build/plain/memtop}
WORKLOAD=${WORKLOAD:-$ROOT/build/plain/tests/workload}
if [ ! -x "$MEMTOP" ] || [ ! -x "$WORKLOAD" ]; then
	make --no-print-directory BUILD=plain memtop helpers
fi

PY=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import PIL' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ]; then
	if [ "$(id -u)" -eq 0 ]; then
		apt-get update -q >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			python3-pil fonts-dejavu-core >/dev/null
		PY=/usr/bin/python3
	else
		echo "make.sh: needs python3-pil and fonts-dejavu-core:" >&2
		echo "  sudo apt-get install python3-pil fonts-dejavu-core" >&2
		exit 1
	fi
fi
command -v tmux >/dev/null || { echo "make.sh: needs tmux" >&2; exit 1; }

T=$(mktemp -d)
# settings of our own: the pictures must not depend on the user's memtoprc
export MEMTOPRC=$T/memtoprc
SOCK=memtop-shots-$$
pids=()
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
	tm kill-server 2>/dev/null || true
	disown -a 2>/dev/null || true # no "Killed" job reports
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# A process with every shape of the live tests, named "shapes".
"$WORKLOAD" --no-stop --comm-hex "$(hex shapes)" >"$T/shapes.json" &
pids+=($!)
SHAPES=$!
# A hugepage-heavy process: 768 MiB with MADV_HUGEPAGE, written page by
# page, plus 64 MiB of 4K pages.
"$PY" - <<'EOF' &
import ctypes, mmap, signal
ctypes.CDLL(None).prctl(15, b"thp-heavy", 0, 0, 0)
priv = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS  # shared anon would be shmem
big = mmap.mmap(-1, 768 << 20, flags=priv)
big.madvise(mmap.MADV_HUGEPAGE)
for i in range(0, len(big), 4096):
    big[i] = 1
small = mmap.mmap(-1, 64 << 20, flags=priv)
small.madvise(mmap.MADV_NOHUGEPAGE)
for i in range(0, len(small), 4096):
    small[i] = 1
signal.pause()
EOF
pids+=($!)
HEAVY=$!
for ((i = 0; i < 200; i++)); do
	[ -s "$T/shapes.json" ] && grep -q thp-heavy "/proc/$HEAVY/comm" 2>/dev/null &&
		[ "$(awk '/^VmRSS/ {print $2}' /proc/$HEAVY/status)" -gt 800000 ] && break
	sleep 0.1
done

screen() { tm capture-pane -p; }
wait_for() { # REGEX [SECONDS]
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	echo "make.sh: timed out waiting for /$1/" >&2
	screen >&2
	return 1
}
keys() { tm send-keys "$@"; sleep 0.3; }

start() { # COLS ROWS ENV... -- ARGS...
	local cols=$1 rows=$2 envs=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=(-e "$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	tm kill-server 2>/dev/null || true
	sleep 0.2
	tm new-session -d -x "$cols" -y "$rows" "${envs[@]}" \
		-e "MEMTOPRC=$MEMTOPRC" "$MEMTOP $*; exec sleep 600"
	wait_for 'scan [0-9.]+m?s at' 20
	sleep 0.5
}

shot() { # NAME COLS ROWS TITLE
	tm capture-pane -e -p -N >"$T/$1.ans"
	"$PY" "$OUT/render.py" "$T/$1.ans" "$OUT/$1.png" "$2" "$3" "$4"
	echo "  PNG     screenshots/$1.png"
}

# Select the "holes" VMA: MADV_NOHUGEPAGE anon with some memory in large
# blocks (the first such row under the column titles).
select_holes() {
	local nh top i
	nh=$(screen | awk '{sub(/ *\xe2\x94\x82.*/, "")} # the histogram beside
		/^ +START/{on=1; next}
		on && / nh / && $NF == "[anon]" && $(NF-4) + 0 > 0 {print NR; exit}')
	top=$(screen | awk '/^ +START/{print NR; exit}')
	[ -n "$nh" ] && [ -n "$top" ] || return 0
	for ((i = top + 1; i < nh; i++)); do tm send-keys Down; done
	sleep 0.3
}

# 1. process list: wide terminal, histogram beside the list, a few scans
# of history
start 160 48 LANG=C.UTF-8 -- -d 1
keys / t h p - h e a v y Enter
wait_for "view: PID $HEAVY thp-heavy"
sleep 12
keys Escape
shot process-list 160 48 "memtop - processes"

# 2. hugepage-heavy process in the folio view (root: kpageflags)
keys v v
wait_for '^view folios'
keys Escape # the status line gives way to the key bar
shot hugepages 160 48 "memtop - folio view"

# 3. VMA pane of the shapes workload, the holes VMA selected
keys v
wait_for '^view present'
keys / s h a p e s Enter Enter
wait_for "^PID $SHAPES shapes"
wait_for 'ADV/ELIG from smaps'
select_holes
shot vma-pane 160 48 "memtop - VMAs of one process"

# 3b. the size most terminals open at: 80x24, the process list with the
# histogram pane below it, then the system view
start 80 24 LANG=C.UTF-8 -- -d 1
keys / t h p - h e a v y Enter
wait_for "view: PID $HEAVY thp-heavy"
sleep 4
keys Escape
shot small-process-list 80 24 "memtop at 80x24 - processes"
keys s
wait_for '^Counters'
keys F5
shot small-system 80 24 "memtop at 80x24 - system view"

# 4. histogram pane below the list on a 120-column terminal
start 120 40 LANG=C.UTF-8 -- -d 5
keys / s h a p e s Enter Enter
wait_for "^PID $SHAPES shapes"
wait_for 'ADV/ELIG from smaps'
select_holes
shot histogram 120 40 "memtop - histogram of a VMA"

# 5. help
keys F1
wait_for 'Keys'
shot help 120 40 "memtop - help"

# 6. no colour, C locale: ASCII glyphs and attributes only
start 120 30 LANG=C LC_ALL=C NO_COLOR=1 -- -d 5
keys / t h p - h e a v y Enter
shot monochrome 120 30 "memtop - NO_COLOR, C locale"

# 7. system view, next to the demo's workloads (faults, collapses and
# splits per second), after some history
start 160 50 LANG=C.UTF-8 -- --demo -d 0.5
sleep 14
keys s
wait_for '^Counters'
shot system 160 50 "memtop - system view (with the demo running)"

# 8. cgroup rows, every one opened, with the process tree inside
start 140 40 LANG=C.UTF-8 -- -d 2
keys g '*' t
wait_for '(├─|└─) '
keys / t h p - h e a v y Enter
wait_for "view: PID $HEAVY thp-heavy"
sleep 2
keys F5 # a clean status line
shot cgroups 140 40 "memtop - cgroups and process tree"

# 9. the demo with adoption in progress: demo-collapse partly collapsed
start 120 40 LANG=C.UTF-8 -- --demo -d 0.5
wait_for 'demo-collapse' 10
for ((i = 0; i < 60; i++)); do
	# THP% is the fifth figure of the row (PID RSS SWAP PMD% THP%)
	share=$(screen | sed -n 's/^ *[0-9]\+ [a-z]\+ \+[0-9.]\+[BKMG] \+[0-9.]\+[BKMG] \+[0-9.<>-]\+ \+\([0-9.<>]\+\) .*demo-collapse$/\1/p')
	case $share in
	[4-9][0-9]*) break ;;
	esac
	sleep 0.5
done
shot demo 120 40 "memtop --demo: MADV_COLLAPSE in progress"
echo "  demo-collapse THP% on the picture: ${share:-?}"
