#!/bin/bash
# t_readonly.sh - memtop opens nothing under /proc or /sys for writing.
#
# memtop runs under strace (-f, every thread; -y, file descriptors shown
# with their paths) in batch and JSON mode over the whole system, with
# --smaps and the pread method, several iterations, and unprivileged as
# nobody when run as root. Every open/openat/openat2/creat is resolved to
# a full path; none under /proc or /sys may ask for O_WRONLY, O_RDWR,
# O_CREAT, O_TRUNC, O_APPEND or O_TMPFILE, and (batch mode has no option
# that writes a file) none anywhere else either. Calls that change files
# or other processes (unlink, rename, mkdir, chmod, truncate, ptrace,
# process_vm_writev, kill) must not appear at all.
#
# The checker is first shown a trace of a program that does open
# /proc/self/comm for writing (without writing to it) and must flag it.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd strace "$PYTHON" timeout
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
mktemp_dir
cd "$T" || exit 1

TRACE_SET=open,openat,openat2,creat,truncate,ftruncate,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown,ptrace,process_vm_writev,kill,tgkill,tkill,pidfd_send_signal

if ! strace -f -qq -o /dev/null true 2>"$T/strace.err"; then
	skip "strace cannot trace here: $(head -c 200 "$T/strace.err")"
fi

cat >"$T/check.py" <<'PY'
# check.py TRACE: flag writes under /proc and /sys, writes anywhere, and
# mutating calls, in an strace -f -y log. Prints one line per finding and
# "opens N" at the end; exit 1 when something was found.
import re, sys

WRITE = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE"}
MUTATE = {"truncate", "ftruncate", "unlink", "unlinkat", "rename",
          "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "chmod",
          "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown",
          "ptrace", "process_vm_writev", "kill", "tgkill", "tkill",
          "pidfd_send_signal"}
# fd<path> as printed by strace -y; the path is C-escaped
FD = r'(?:AT_FDCWD|-?\d+)(?:<(?P<dir>(?:[^>\\]|\\.)*)>)?'
OPEN = re.compile(r'^(?:\d+ +)?(?P<call>openat2?|open|creat)\((?:' + FD +
                  r', )?"(?P<path>(?:[^"\\]|\\.)*)"(?:\.\.\.)?, (?P<flags>[^,)]+)')
CALL = re.compile(r'^(?:\d+ +)?(?P<call>[a-z_0-9]+)\(')
found, opens = [], 0
for line in open(sys.argv[1], errors="replace"):
    m = OPEN.match(line)
    if m:
        opens += 1
        path, d = m.group("path"), m.group("dir")
        if not path.startswith("/") and d:
            path = d.rstrip("/") + "/" + path
        flags = set(m.group("flags").split("|"))
        if m.group("call") == "creat":
            flags.add("O_CREAT")
        if m.group("call") == "openat2":
            # openat2(dirfd, path, {flags=..., ...}, size)
            fm = re.search(r"flags=([A-Z_|0-9x]+)", line)
            flags = set(fm.group(1).split("|")) if fm else {"?"}
        w = flags & WRITE
        if w:
            where = "under /proc or /sys" if re.match(r"/(proc|sys)(/|$)", path) else "elsewhere"
            found.append("write open %s: %s" % (where, line.strip()))
        continue
    m = CALL.match(line)
    if m and m.group("call") in MUTATE:
        found.append("mutating call: " + line.strip())
for f in found:
    print(f)
print("opens %d" % opens)
sys.exit(1 if found else 0)
PY

# trace NAME CMD...: run CMD under strace into $T/NAME.trace
trace() {
	local name=$1
	shift
	timeout -k 5 120 strace -f -qq -y -e signal=none -e trace=$TRACE_SET \
		-o "$T/$name.trace" "$@" >"$T/$name.out" 2>"$T/$name.err"
}

# the checker catches a write open under /proc
trace canary "$PYTHON" -c 'open("/proc/self/comm", "w").close()'
out=$("$PYTHON" "$T/check.py" "$T/canary.trace")
case $out in
*"write open under /proc or /sys"*comm*) ok "checker flags an open of /proc/self/comm for writing" ;;
*) bad "checker missed the canary write open: $out" ;;
esac

# examine NAME: memtop's exit, output and the trace
examine() {
	local name=$1 rc=$2 out
	check "$name: memtop exits 0 (got $rc; $(head -c 200 "$T/$name.err"))" [ "$rc" -eq 0 ]
	check "$name: memtop printed a report" [ -s "$T/$name.out" ]
	out=$("$PYTHON" "$T/check.py" "$T/$name.trace")
	local crc=$?
	local n=${out##*opens }
	if [ $crc -eq 0 ]; then
		ok "$name: $n opens, none for writing, no mutating call"
	else
		bad "$name: $(grep -v '^opens ' <<<"$out" | head -10)"
	fi
	check "$name: the trace saw memtop open /proc files" \
		grep -q '</proc/[0-9]*>, "maps"\|"/proc/[0-9]*/maps"' "$T/$name.trace"
}

trace batch "$MEMTOP" -b
examine batch $?
trace json "$MEMTOP" --json -n 2 -d 0.05
examine json $?
trace json-smaps "$MEMTOP" --json --smaps --pagemap-method=pread --kernel-threads
examine json-smaps $?
if is_root; then
	if id nobody >/dev/null 2>&1 && as_user nobody true 2>/dev/null; then
		# as nobody: only its own view, every other process denied
		trace nobody setpriv --reuid=nobody --regid="$(id -gn nobody)" \
			--clear-groups --inh-caps=-all --bounding-set=-all -- \
			"$MEMTOP" --json
		rc=$?
		check "nobody: memtop exits 0 (got $rc; $(head -c 200 "$T/nobody.err"))" [ $rc -eq 0 ]
		if out=$("$PYTHON" "$T/check.py" "$T/nobody.trace"); then
			ok "nobody: ${out##*opens } opens, none for writing"
		else
			bad "nobody: $(grep -v '^opens ' <<<"$out" | head -10)"
		fi
	else
		part_skip "no user nobody"
	fi
else
	part_skip "not root: the unprivileged run is the runs above"
fi
finish
