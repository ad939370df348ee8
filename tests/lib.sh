# Shared helpers for memtop's script suites (tests/t_*.sh). Source it after
# `set -u`. tests/run.sh exports MEMTOP, MEMTOP_ASAN, HELPERS and
# MEMTOP_ROOT; a suite run on its own falls back to the plain build.
#
#   skip REASON                 print the reason and exit 77
#   need_cmd CMD...             skip unless every command exists
#   mktemp_dir                  a private temp dir, removed at exit ($T)
#   start_workload OUT [--as USER] [-- ARGS...]
#                               start the workload (as USER with setpriv),
#                               wait until it has stopped itself; sets
#                               WL_PID, its JSON line is in OUT
#   kill_later PID              SIGKILL PID at exit
#   setpriv_for USER            SETPRIV=(command prefix running as USER)
#   as_user USER CMD...         run CMD as USER with no capabilities
#   ok / bad DESC               count one assertion
#   check DESC CMD...           assertion: CMD exits 0
#   jq_check DESC FILE FILTER [JQ-ARGS...]
#                               assertion: jq -e FILTER FILE is true
#   py_check OUTPUT-OF-refhist  fold a refhist.py check run into the counts
#   last_line_starts FILE PFX   the last line of FILE starts with PFX
#   no_controls FILE            FILE holds no control byte but newlines
#   part_skip REASON            note that part of the suite was skipped
#   finish                      print the counts; exit 0 or 1
#   sysfs_set FILE WORD         write a setting's word (a THP sysfs file),
#                               its selected word put back at exit
#   sysfs_restore               put back every setting sysfs_set changed
#   tmpfs_wrapper               $T/in_mount.sh: runs "$SHAPES ARGS" in a
#                               mount namespace of its own with a tmpfs of
#                               options $MNT_OPT on $MNT_DIR (same pid)
#   memcg_new NAME              a child memory cgroup, removed at exit
#   memcg_limit / memcg_add / memcg_failures
#                               its limit, a process into it, its count
#                               of charges refused at the limit
#   hex STRING                  STRING's bytes in hex (--comm-hex)
#
# The viewer in a private tmux server (the t_tui* suites; see below):
#   tui_setup [--quiet] [--ready REGEX] [VAR=VALUE...]
#                               the suite's server and pane environment
#   tm ARGS...                  tmux on the suite's server
#   screen                      the pane's text
#   wait_for / wait_gone REGEX [SECONDS]
#                               until the screen matches / no longer does
#   expect DESC REGEX [SECONDS] / expect_gone DESC REGEX
#                               assertion: the same, with the screen shown
#                               when it fails
#   keys KEY...                 send keys, give the viewer a moment
#   tui_run COLS ROWS [-e VAR=VALUE]... COMMAND...
#                               COMMAND in a fresh server, status in $T/exit
#   start_ui COLS ROWS [--as USER] ARGS...
#                               memtop ARGS in a fresh server, until
#                               a first scan shows
#   quit_ui DESC [SECONDS]      q; assertion: memtop exits with status 0
set -u

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MEMTOP_ROOT=${MEMTOP_ROOT:-$(cd "$TESTS_DIR/.." && pwd)}
MEMTOP=${MEMTOP:-$MEMTOP_ROOT/build/plain/memtop}
MEMTOP_ASAN=${MEMTOP_ASAN:-$MEMTOP_ROOT/build/asan/memtop}
HELPERS=${HELPERS:-$MEMTOP_ROOT/build/plain/tests}
WORKLOAD=${WORKLOAD:-$HELPERS/workload}
PYTHON=${PYTHON:-python3}
REFHIST=$TESTS_DIR/fixtures/refhist.py
SUITE=$(basename "$0" .sh)

# Limits of event-driven waits are multiplied by this: on a busy or slow
# machine an event takes longer, and a wait that succeeds ends at once.
WAIT_SCALE=${MEMTOP_WAIT_SCALE:-4}

n_ok=0 n_bad=0 n_skip=0
_cleanup_pids=()
_cleanup_dirs=()
_cleanup_cgroups=()

skip() {
	echo "SKIP: $SUITE: $*"
	exit 77
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

_cleanup() {
	local p d
	sysfs_restore
	for p in "${_cleanup_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${_cleanup_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	for d in "${_cleanup_cgroups[@]}"; do
		_memcg_remove "$d"
	done
	for d in "${_cleanup_dirs[@]}"; do
		# fixture trees may hold chmod 000 files
		[ -d "$d" ] && chmod -R u+rwX "$d" 2>/dev/null
		rm -rf "$d"
	done
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

kill_later() { _cleanup_pids+=("$1"); }

# A wrapper that runs $SHAPES with its arguments in a mount namespace of
# its own, where a tmpfs with the options $MNT_OPT is mounted on $MNT_DIR
# (exported by the caller); each step execs, so the pid stays the
# program's. False when private mount namespaces are refused here.
tmpfs_wrapper() {
	unshare -m --propagation private true 2>/dev/null || return 1
	cat >"$T/in_mount.sh" <<'EOF'
#!/bin/sh
exec unshare -m --propagation private sh -c \
	'mount -t tmpfs -o "$0",size=256m memtop "$1" && shift && exec "$@"' \
	"$MNT_OPT" "$MNT_DIR" "$SHAPES" "$@"
EOF
	chmod +x "$T/in_mount.sh"
}

# Settings changed for a test: "FILE WORD" of each, the word to put back.
_sysfs_saved=()
sysfs_set() {
	local old
	old=$(grep -o '\[[a-z_]*\]' "$1" 2>/dev/null | tr -d '[]')
	[ -n "$old" ] || { echo "cannot read the setting in $1" >&2; return 1; }
	_sysfs_saved+=("$1 $old")
	echo "$2" >"$1"
}
sysfs_restore() {
	local i f w
	for ((i = ${#_sysfs_saved[@]} - 1; i >= 0; i--)); do
		f=${_sysfs_saved[i]% *}
		w=${_sysfs_saved[i]##* }
		echo "$w" >"$f" 2>/dev/null ||
			echo "FAIL: $SUITE: could not put back $f ($w)"
	done
	_sysfs_saved=()
}

# Private temp dir, readable by every user (the unprivileged suites run
# helpers as another user inside it). Sets T.
mktemp_dir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/memtop-$SUITE.XXXXXX") || {
		echo "cannot create a temp dir" >&2
		exit 1
	}
	_cleanup_dirs+=("$T")
	chmod 755 "$T"
}

# The command prefix that runs a program as USER without capabilities or
# supplementary groups (setpriv execs it: the pid stays the same). Sets
# the array SETPRIV.
setpriv_for() {
	local group
	group=$(id -gn "$1") || return 1
	SETPRIV=(setpriv --reuid="$1" --regid="$group" --clear-groups
		--inh-caps=-all --bounding-set=-all --)
}

as_user() {
	local user=$1
	shift
	setpriv_for "$user" || return 1
	"${SETPRIV[@]}" "$@"
}

# State letter of a process (field 3 of /proc/PID/stat; the name may hold
# spaces and parentheses, so cut after the last ')').
proc_state() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	echo "${s%% *}"
}

# start_workload OUT [--as USER] [-- ARGS...]
start_workload() {
	local out=$1
	shift
	local user=""
	if [ "${1:-}" = "--as" ]; then
		user=$2
		shift 2
	fi
	[ "${1:-}" = "--" ] && shift
	if [ -n "$user" ]; then
		# a simple command, so that $! is the workload itself
		setpriv_for "$user" || return 1
		"${SETPRIV[@]}" "$WORKLOAD" "$@" >"$out" &
	else
		"$WORKLOAD" "$@" >"$out" &
	fi
	WL_PID=$!
	kill_later "$WL_PID"
	# faulting memory in can be slow on a VM: wait for the workload's
	# own signal (stopped, its line printed) for up to two minutes
	local i st
	for ((i = 0; i < 2400; i++)); do
		st=$(proc_state "$WL_PID") || {
			echo "workload exited early: $(cat "$out")" >&2
			return 1
		}
		if [ "$st" = T ] && [ -s "$out" ]; then
			local jp
			jp=$(jq -r .pid "$out" 2>/dev/null)
			[ "$jp" = "$WL_PID" ] && return 0
			echo "workload printed pid '$jp', expected $WL_PID" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "workload $WL_PID did not stop within 120 s (state $st)" >&2
	return 1
}

ok() {
	n_ok=$((n_ok + 1))
	[ -n "${VERBOSE:-}" ] && echo "ok: $*"
	return 0
}

bad() {
	n_bad=$((n_bad + 1))
	echo "FAIL: $SUITE: $*"
	return 1
}

check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

jq_check() {
	local desc=$1 file=$2 filter=$3
	shift 3
	if jq -e "$@" "$filter" "$file" >/dev/null 2>&1; then
		ok "$desc"
	else
		bad "$desc (jq: $filter; got: $(jq -c "$@" "$filter" "$file" 2>&1 | head -c 300))"
	fi
}

# Fold the output of a refhist.py check run: its FAIL and skip lines are
# shown, its "assertions: N failed: M" line is added to the counts.
py_check() {
	local out=$1 line n m
	while IFS= read -r line; do
		case $line in
		"assertions: "*)
			n=${line#assertions: }
			n=${n%% *}
			m=${line##* }
			n_ok=$((n_ok + n - m))
			n_bad=$((n_bad + m))
			;;
		*) echo "$line" ;;
		esac
	done <<<"$out"
	case $out in
	*"assertions: "*) ;;
	*) bad "reference checker produced no result" ;;
	esac
}

part_skip() {
	n_skip=$((n_skip + 1))
	echo "skip (part): $SUITE: $*"
}

finish() {
	echo "$SUITE: $n_ok assertions passed, $n_bad failed, $n_skip parts skipped"
	[ "$n_bad" -eq 0 ] || exit 1
	exit 0
}

# run_memtop OUT ERR BIN ARGS...: run a memtop binary with a time limit;
# returns its exit code.
run_memtop() {
	local out=$1 err=$2 bin=$3
	shift 3
	timeout -k 5 30 "$bin" "$@" >"$out" 2>"$err"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# The collapse_shapes helper, or fail: sets SHAPES (and WORKLOAD to it).
need_collapse_shapes() {
	SHAPES=$HELPERS/collapse_shapes
	local b
	for b in "$MEMTOP" "$SHAPES"; do
		[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
	done
	WORKLOAD=$SHAPES
	[ -r /sys/kernel/mm/transparent_hugepage/enabled ] ||
		skip "the kernel has no transparent huge pages"
}

# Skip unless this process may ask MADV_COLLAPSE of another one: root
# with CAP_SYS_NICE, which capable() checks in the initial namespace.
need_collapse_privilege() {
	is_root || skip "MADV_COLLAPSE on another process needs root (CAP_SYS_NICE)"
	in_init_userns ||
		skip "MADV_COLLAPSE on another process needs CAP_SYS_NICE in the initial user namespace, and this is another one"
}

# Whether this process is in the initial user namespace (capable() checks
# there: root of another namespace lacks CAP_SYS_NICE for other processes).
in_init_userns() {
	[ "$(awk '{ print $1, $2, $3 }' /proc/self/uid_map)" = "0 0 4294967295" ]
}

# Whether the kernel shows PFNs to this process: a page it wrote reads back
# a PFN that is not 0. Root of a user namespace passes is_root and
# has_sys_admin, and still reads zeros: the data decides.
pfns_visible() {
	"$PYTHON" - <<'PY'
import ctypes, os, struct, sys
ps = os.sysconf("SC_PAGESIZE")
buf = ctypes.create_string_buffer(2 * ps)
a = (ctypes.addressof(buf) + ps - 1) // ps * ps
ctypes.memset(a, 1, 1)
with open("/proc/self/pagemap", "rb") as f:
    f.seek(a // ps * 8)
    e = struct.unpack("<Q", f.read(8))[0]
sys.exit(0 if (e >> 63) and (e & ((1 << 55) - 1)) else 1)
PY
}

# hex STRING: the bytes of STRING in hex, no spaces (a workload's
# --comm-hex, which may hold any byte).
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# last_line_starts FILE PREFIX: the last line of FILE starts with PREFIX.
last_line_starts() {
	local last
	last=$(tail -n 1 "$1")
	[[ $last == "$2"* ]]
}

# no_controls FILE: no control byte but newlines in FILE.
no_controls() {
	! tr -d '\n' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]'
}

# Whether the current process has CAP_SYS_ADMIN (bit 21 of CapEff).
has_sys_admin() {
	local cap
	cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
	[ -n "$cap" ] && (((0x$cap >> 21) & 1))
}

# --- memory cgroups --------------------------------------------------------
# A child memory cgroup of this shell's own one, for a test that needs a
# process under a memory limit. It is removed at exit (the processes still
# in it moved back to its parent first): nothing of the machine's cgroup
# setup is left changed. cgroup v1 (the memory hierarchy) and v2 (where
# this cgroup's subtree_control already has memory: memtop's tests never
# turn controllers on) alike.
#
#   memcg_new NAME          create it: sets MEMCG (its directory) and
#                           MEMCG_V (1 or 2); returns 1 with MEMCG_WHY
#                           (one sentence) when no such cgroup can be made
#   memcg_limit DIR BYTES   set its memory limit
#   memcg_add DIR PID       move a process into it
#   memcg_failures DIR      charges refused at its limit so far (v1
#                           memory.failcnt, v2 memory.events max)

# The mount point of the cgroup hierarchy of type $1 (cgroup or cgroup2)
# whose super options hold $2 (empty: any).
_cgroup_mount() {
	awk -v t="$1" -v o="$2" '{
		for (i = 1; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) != t) next
		n = split($(i + 3), opts, ",")
		hit = (o == "")
		for (k = 1; k <= n; k++) if (opts[k] == o) hit = 1
		if (hit) { print $5; exit }
	}' /proc/self/mountinfo
}

memcg_new() {
	local name=$1 mnt rel dir
	MEMCG= MEMCG_V= MEMCG_WHY=
	mnt=$(_cgroup_mount cgroup memory)
	if [ -n "$mnt" ]; then
		rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3; exit }' /proc/self/cgroup)
		MEMCG_V=1
	else
		mnt=$(_cgroup_mount cgroup2 "")
		rel=$(awk -F: '$1 == "0" { print $3; exit }' /proc/self/cgroup)
		MEMCG_V=2
		if [ -z "$mnt" ]; then
			MEMCG_WHY="no cgroup hierarchy with the memory controller is mounted"
			return 1
		fi
		if ! grep -qw memory "$mnt$rel/cgroup.subtree_control" 2>/dev/null; then
			MEMCG_WHY="the memory controller is not enabled below this cgroup ($mnt$rel/cgroup.subtree_control), and the tests do not enable it"
			return 1
		fi
	fi
	dir=$mnt${rel%/}/memtop-$SUITE-$name-$$
	if ! mkdir "$dir" 2>/dev/null; then
		MEMCG_WHY="cannot create a memory cgroup under $mnt$rel (not writable by $(id -un): unprivileged or in a user namespace)"
		return 1
	fi
	_cleanup_cgroups+=("$dir")
	MEMCG=$dir
}

memcg_limit() {
	local f=memory.limit_in_bytes
	[ -e "$1/$f" ] || f=memory.max
	echo "$2" >"$1/$f"
}

memcg_add() { echo "$2" >"$1/cgroup.procs"; }

memcg_failures() {
	if [ -e "$1/memory.failcnt" ]; then
		cat "$1/memory.failcnt"
	else
		awk '$1 == "max" { print $2 }' "$1/memory.events"
	fi
}

_memcg_remove() {
	local d=$1 p i
	[ -d "$d" ] || return 0
	for ((i = 0; i < 50; i++)); do
		while read -r p; do
			echo "$p" >"${d%/*}/cgroup.procs" 2>/dev/null
		done <"$d/cgroup.procs"
		rmdir "$d" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "warning: could not remove the cgroup $d" >&2
}

# --- the viewer in a private tmux server ------------------------------------
# A suite drives memtop as a person would: keys in (send-keys), the screen's
# text out (capture-pane -p). The suite's tmux server is its own (socket
# memtop-SUITE-PID, no configuration file) and is killed at exit.
#
# tui_setup [--quiet] [--ready REGEX] [VAR=VALUE...]: call once, after
# mktemp_dir (and after setting what the VAR=VALUE words use).
#   --quiet        screen says nothing when there is no pane (tmux's error
#                  goes to /dev/null: an empty screen)
#   --ready REGEX  what start_ui waits for: the header's scan figure
#                  (default 'scan [0-9.]+m?s': a scan's time; narrow headers leave out the clock)
#   VAR=VALUE      the environment of every pane tui_run starts, besides
#                  LANG=C.UTF-8 (which VAR=VALUE may change)
# Sets SOCK, the server's socket name (tmux -L).
tui_setup() {
	TUI_QUIET= TUI_READY='scan [0-9.]+m?s'
	while :; do
		case ${1:-} in
		--quiet) TUI_QUIET=1; shift ;;
		--ready) TUI_READY=$2; shift 2 ;;
		*) break ;;
		esac
	done
	TUI_ENV=(-e LANG=C.UTF-8)
	local v
	for v in "$@"; do
		TUI_ENV+=(-e "$v")
	done
	SOCK=memtop-$SUITE-$$
	trap 'tm kill-server 2>/dev/null; _cleanup' EXIT
}

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }

screen() {
	if [ -n "$TUI_QUIET" ]; then
		tm capture-pane -p 2>/dev/null
	else
		tm capture-pane -p
	fi
}

# wait_for REGEX [SECONDS]: until the screen matches (grep -E); SECONDS
# (8 by default) times WAIT_SCALE at the most.
wait_for() {
	local re=$1 t=${2:-8} i
	for ((i = 0; i < t * 20 * WAIT_SCALE; i++)); do
		screen | grep -Eq -- "$re" && return 0
		sleep 0.05
	done
	return 1
}

# wait_gone REGEX [SECONDS]: until the screen no longer matches.
wait_gone() {
	local re=$1 t=${2:-8} i
	for ((i = 0; i < t * 20 * WAIT_SCALE; i++)); do
		screen | grep -Eq -- "$re" || return 0
		sleep 0.05
	done
	return 1
}

expect() { # DESC REGEX [SECONDS]
	if wait_for "$2" "${3:-8}"; then ok "$1"; else
		bad "$1: no /$2/ on screen:"; screen | sed 's/^/    | /'
	fi
}

expect_gone() { # DESC REGEX
	if wait_gone "$2"; then ok "$1"; else
		bad "$1: /$2/ still on screen:"; screen | sed 's/^/    | /'
	fi
}

keys() { tm send-keys "$@"; sleep 0.15; }

# tui_run COLS ROWS [-e VAR=VALUE]... COMMAND...: a fresh server (the old
# one killed and gone) whose one COLS x ROWS pane runs the shell command
# line COMMAND (its words joined), then writes its exit status to $T/exit
# and prints EXITED; the pane stays. The pane's environment is tui_setup's
# with the -e assignments given here after it (the later wins).
tui_run() {
	local cols=$1 rows=$2 i
	shift 2
	local env=("${TUI_ENV[@]}")
	while [ "${1:-}" = -e ]; do
		env+=(-e "$2")
		shift 2
	done
	tm kill-server 2>/dev/null
	for ((i = 0; i < 50; i++)); do # the old server may still be going
		tm has-session 2>/dev/null || break
		sleep 0.05
	done
	rm -f "$T/exit"
	tm new-session -d -x "$cols" -y "$rows" "${env[@]}" \
		"$*; echo \$? >$T/exit; echo EXITED; exec sleep 600"
}

# start_ui COLS ROWS [--as USER] ARGS...: $MEMTOP ARGS (run as USER with
# setpriv, without capabilities) in a fresh server, until the header shows
# a first scan (tui_setup's --ready); false if it does not come.
start_ui() {
	local cols=$1 rows=$2 prefix=
	shift 2
	if [ "${1:-}" = --as ]; then
		setpriv_for "$2" || return 1
		prefix="${SETPRIV[*]} "
		shift 2
	fi
	tui_run "$cols" "$rows" "$prefix$MEMTOP" "$@" || return 1
	wait_for "$TUI_READY" 20
}

# quit_ui DESC [SECONDS]: press q; assertion: memtop ends (within SECONDS,
# 5 by default) with status 0.
quit_ui() {
	keys q
	if wait_for EXITED "${2:-5}" && [ "$(cat "$T/exit" 2>/dev/null)" = 0 ]; then
		ok "$1"
	else
		bad "$1: memtop did not exit with status 0 ($(cat "$T/exit" 2>/dev/null))"
	fi
}
