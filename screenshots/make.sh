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
# tree), demo.png (memtop --demo while demo-collapse is being
# collapsed: adoption in progress) and replay.png (a recording of the
# demo replayed, its last frame compared with its first).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/screenshots
MEMTOP=${MEMTOP:-$ROOT/build/plain/memtop}
if [ ! -x "$MEMTOP" ]; then
	make --no-print-directory BUILD=plain memtop
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

# A process named "shapes" whose memory can be huge: a mixture of huge and
# small pages, for different reasons. (The live tests' workload turns huge
# pages off for itself with PR_SET_THP_DISABLE, so every VMA of it would
# say thp_disabled.) Each region is mapped at a fixed 2 MiB aligned
# address with a gap before the next, so that it is one VMA of its own and
# the regions are the first rows of the VMA list (the arguments go in the
# environment, so that the command line stays "python3 -"):
#   huge       8 MiB, MADV_HUGEPAGE, written: PMD-mapped huge pages
#   holes      4 MiB, MADV_NOHUGEPAGE, pages with i % 7 != 3 written but
#              for an untouched stretch, then whole aligned blocks (the
#              VMA the pictures select: blocks of many orders)
#   plain      6 MiB, no advice, written: aligned but small pages
#              (enabled=madvise), MADV_COLLAPSE could make them huge
#   unaligned  600 pages, 5 pages past a 2 MiB boundary: no PMD slot
#   file       a 1.2 MiB file mapped shared and written (page cache)
#   shmem      2 MiB shared anonymous, every third page written
SHAPES_AT=0x100000000000 SHAPES_DIR=$T "$PY" - >"$T/shapes.ready" <<'EOF' &
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long)
libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
libc.prctl(15, b"shapes", 0, 0, 0)
PAGE, MIB = 4096, 1 << 20
RW, PRIVATE, SHARED, ANON, NOREPLACE = 3, 0x02, 0x01, 0x20, 0x100000
HUGE, NOHUGE = 14, 15
at = int(os.environ["SHAPES_AT"], 0)


def region(size, skew=0, flags=PRIVATE | ANON, fd=-1, advice=None):
    """size bytes at the next 2 MiB boundary (plus skew pages), with 2 MiB
    left unmapped after them"""
    global at
    addr = at + skew * PAGE
    p = libc.mmap(addr, size, RW, flags | NOREPLACE, fd, 0)
    if p != addr:
        raise OSError(ctypes.get_errno(), "mmap at %#x" % addr)
    at = (addr + size + 2 * MIB - 1) // (2 * MIB) * (2 * MIB) + 2 * MIB
    if advice is not None:
        libc.madvise(p, size, advice)
    return p


def write(p, first, n=1):
    ctypes.memset(p + first * PAGE, 0x5a, n * PAGE)


p = region(8 * MIB, advice=HUGE)            # huge
write(p, 0, 2048)
p = region(4 * MIB, advice=NOHUGE)          # holes
holes = p
for i in range(1024):
    if i % 7 != 3 and not 400 <= i < 500:
        write(p, i)
for first, n in ((160, 16), (256, 32), (336, 16), (512, 512)):
    write(p, first, n)
p = region(6 * MIB)                         # plain
write(p, 0, 1536)
p = region(600 * PAGE, skew=5)              # unaligned
write(p, 0, 600)
name = os.path.join(os.environ["SHAPES_DIR"], "data")
fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, b"\x5a" * (300 * PAGE))
p = region(300 * PAGE, flags=SHARED, fd=fd)  # file
os.close(fd)
os.unlink(name)
write(p, 0, 300)
p = region(2 * MIB, flags=SHARED | ANON)    # shmem
for i in range(0, 512, 3):
    write(p, i)
print("%x" % holes, flush=True)  # ready; the address to select
signal.pause()
EOF
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
	[ -s "$T/shapes.ready" ] && grep -q thp-heavy "/proc/$HEAVY/comm" 2>/dev/null &&
		[ "$(awk '/^VmRSS/ {print $2}' /proc/$HEAVY/status)" -gt 800000 ] && break
	sleep 0.1
done
HOLES=$(cat "$T/shapes.ready")
[ -n "$HOLES" ] || { echo "make.sh: the shapes process is not ready" >&2; exit 1; }

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
	rm -f "$MEMTOPRC" # each picture from the defaults: keys save settings
	tm new-session -d -x "$cols" -y "$rows" "${envs[@]}" \
		-e "MEMTOPRC=$MEMTOPRC" "$MEMTOP $*; exec sleep 600"
	wait_for 'scan [0-9.]+m?s( |$)' 20 # "at TIME" only where it fits
	sleep 0.5
}

# the header's rates need two scans: "faults -" until then ("fault" where
# the header is short)
wait_rates() { wait_for 'faults? [0-9.]+/s' 40; }

shot() { # NAME COLS ROWS TITLE
	tm capture-pane -e -p -N >"$T/$1.ans"
	"$PY" "$OUT/render.py" "$T/$1.ans" "$OUT/$1.png" "$2" "$3" "$4"
	echo "  PNG     screenshots/$1.png"
}

# Select the "holes" VMA (MADV_NOHUGEPAGE, blocks of many orders): the
# row that starts with its address, counted from the column titles. The
# reasons box under the list then names it.
select_holes() {
	local row top i
	wait_for "^$HOLES .* rw-p nh " # ADV from smaps, not "?"
	row=$(screen | awk -v a="$HOLES" '$1 == a {print NR; exit}')
	top=$(screen | awk '/^ +START/ {print NR; exit}')
	for ((i = top + 1; i < row; i++)); do tm send-keys Down; done
	wait_for "why VMA $HOLES is not"
}

# 1. process list: wide terminal, histogram beside the list, a few scans
# of history
start 160 48 LANG=C.UTF-8 -- -d 1
keys / t h p - h e a v y Enter
wait_for "view: PID $HEAVY thp-heavy"
sleep 12
# a few scans even where the CPU limit stretches the interval
wait_for 'history: ([4-9]|[1-9][0-9]+) scans' 60
wait_rates
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
select_holes
shot vma-pane 160 48 "memtop - VMAs of one process"

# 3b. the size most terminals open at: 80x24, the process list with the
# histogram pane below it (the orders holding most; the others hidden, it
# says how many), then the system view
start 80 24 LANG=C.UTF-8 -- -d 1
keys / t h p - h e a v y Enter
wait_for "view: PID $HEAVY thp-heavy"
sleep 4
wait_rates
keys Escape
shot small-process-list 80 24 "memtop at 80x24 - processes"
keys s
wait_for '^Huge pages'
keys F5
shot small-system 80 24 "memtop at 80x24 - system view"

# 4. histogram pane below the list on a 120-column terminal
start 120 40 LANG=C.UTF-8 -- -d 5
keys / s h a p e s Enter Enter
wait_for "^PID $SHAPES shapes"
select_holes
shot histogram 120 40 "memtop - histogram of a VMA"

# 5. help
keys F1
wait_for 'Keys'
shot help 120 40 "memtop - help"

# 6. no colour, C locale: ASCII glyphs and attributes only
start 120 30 LANG=C LC_ALL=C NO_COLOR=1 -- -d 5
keys / t h p - h e a v y Enter
wait_for "view: PID $HEAVY thp-heavy"
wait_rates
keys Escape
shot monochrome 120 30 "memtop - NO_COLOR, C locale"

# 7. system view, next to the demo's workloads (faults, collapses and
# splits per second), after some history
start 160 50 LANG=C.UTF-8 -- --demo -d 0.5
sleep 14
keys s
wait_for '^Huge pages'
shot system 160 50 "memtop - system view (with the demo running)"

# 8. cgroup rows with their sums; the cgroup of these workloads opened,
# with the process tree inside (the others stay one row each: opened,
# the sessions that share the machine would fill the picture)
start 140 40 LANG=C.UTF-8 -- -d 2
keys g
wait_for ' procs '
# its row ends in the end of the cgroup's name (the memory controller's
# path on cgroup v1, else the unified one)
cg=$(awk -F: '$2 == "memory" {m = $3} $1 == "0" {u = $3}
	END {print (m != "" ? m : u)}' "/proc/$HEAVY/cgroup")
cg=${cg##*/}
cg=${cg: -12}
row=$(screen | awk -v t="$cg" '/ procs / && t != "" && index($0, t) {print NR; exit}')
top=$(screen | awk '/ procs / {print NR; exit}')
if [ -n "$row" ]; then
	for ((i = top; i < row; i++)); do tm send-keys Down; done
	keys Right
else
	keys '*' # the root cgroup, or no name found: open them all
fi
keys t
wait_for '(├─|└─) '
keys / t h p - h e a v y Enter
wait_for "view: PID $HEAVY thp-heavy"
sleep 2
wait_rates
keys F5 # a clean status line
shot cgroups 140 40 "memtop - cgroups and process tree"

# 9. the demo with adoption in progress: demo-collapse partly collapsed
start 120 40 LANG=C.UTF-8 -- --demo -d 0.5
wait_for 'demo-collapse' 10
for ((i = 0; i < 240; i++)); do
	# THP% is the sixth field of the row (PID USER RSS SWAP HUGE% THP%)
	share=$(screen | awk '/^ *[0-9]+ .* demo-collapse / {print $6; exit}')
	case $share in
	[4-7][0-9] | [4-7][0-9].*) break ;;
	esac
	sleep 0.1
done
shot demo 120 40 "memtop --demo: MADV_COLLAPSE in progress"
echo "  demo-collapse THP% on the picture: ${share:-?}"

# 10. a recording of the demo, replayed: the first frame marked, the last
# one compared with it (m, then T to the end, then =)
# (the demo's workloads are memtop's children: a copy in the temp dir
# keeps the build's path off the picture)
rm -f "$T/demo.mtr"
cp "$MEMTOP" "$T/memtop"
"$T/memtop" --demo --json -n 12 -d 0.5 --record "$T/demo.mtr" >/dev/null
start 140 40 LANG=C.UTF-8 -- --replay "$T/demo.mtr" --begin=#1
wait_for 'replay 1/12' 10
keys m
for ((i = 0; i < 11; i++)); do keys T; done
wait_for 'replay 12/12' 10
keys =
wait_for 'Compare: frame 1' 10
shot replay 140 40 "memtop --replay: the last frame compared with the first"
