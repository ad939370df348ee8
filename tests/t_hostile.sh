#!/bin/bash
# t_hostile.sh - processes with hostile names, in JSON and in text.
#
# A helper process maps files whose names hold escape sequences, a newline
# (maps shows it as \012), invalid UTF-8, C1 controls, DEL, quotes and
# backslashes, valid multi-byte UTF-8, a 255-byte name and a path of about
# 3,600 bytes, a deleted file and a memfd with such a name; it forks
# children that set hostile process names (prctl PR_SET_NAME), one with a
# leading space. A symlink to sleep with a hostile name is exec'd too.
# Then, for memtop --json and -b on those processes (plain and ASan builds):
#  - the JSON parses with jq and python3 -m json.tool;
#  - each process's comm is its status Name, and its VMA paths are exactly
#    the paths of /proc/PID/maps, with each byte of invalid UTF-8 turned
#    into U+FFFD;
#  - the text holds no byte below 0x20 but newlines, no 0x7f and nothing
#    above 0x7f; names and paths appear with every such byte written as
#    \xHH (so an ESC is "\x1b");
#  - the ASan build reports nothing.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
mktemp_dir

cat >"$T/hostile.py" <<'PY'
# hostile.py DIR: map files with hostile names below DIR, fork children
# with hostile process names, print the pids, wait to be killed.
import ctypes, mmap, os, signal, sys

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME, PR_SET_PDEATHSIG = 15, 1
base = os.fsencode(sys.argv[1])
names = [
    b"esc-\x1b[2J\x1b[H\x1b]0;pwned\x07-end",
    b"nl-\nsecond line",
    b"bad-utf8-\xff\xfe\xc0\xaf\xed\xa0\x80\xf8\x88",
    b"c1-\xc2\x9b31m-del-\x7f-cr-\r-tab-\t-bell-\x07",
    b"json-\"},{\"x\":\"\\u0000",
    b"spoof-\\012-\\x1b-\\e",
    b"utf8-\xe2\x82\xac-\xf0\x9f\x98\x80",
    b"L" * 200 + b"\x1b[7m" + b"M" * 51,              # 255 bytes
]
keep = []

def map_file(path, unlink=False):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.ftruncate(fd, 8192)
    m = mmap.mmap(fd, 8192)
    m[0] = 1
    keep.append(m)
    os.close(fd)
    if unlink:
        os.unlink(path)

for n in names:
    map_file(os.path.join(base, n))
# a deep path: 14 directories of 250 bytes
d = base
for i in range(14):
    d = os.path.join(d, (b"%02d-\x1b[1m\n\xff" % i) + b"D" * 240)
    os.mkdir(d)
map_file(os.path.join(d, b"deep-\x1b]2;t\x07"))
map_file(os.path.join(base, b"deleted-\x1b[31m\n\xfe"), unlink=True)
libc.memfd_create.restype = ctypes.c_int
mfd = libc.memfd_create(ctypes.c_char_p(b"mfd-\x1b[5m\n\xff\xc2\x85"), 0)
if mfd < 0:
    sys.exit("memfd_create failed")
os.ftruncate(mfd, 8192)
m = mmap.mmap(mfd, 8192)
m[0] = 1
keep.append(m)

comms = [
    b"\x1b[2J\x1b]0;X\x07",
    b"a\nb\tc\\d",
    b"\xff\xfe\xc0\xaf\x01\x7f\xc2\x9b",
    b'"},{"x',
    b" lead-space",
    b"\xe2\x82\xac-euro",
]
pids = []
for c in comms:
    pid = os.fork()
    if pid == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() == 1:
            os._exit(1)
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(c), 0, 0, 0)
        while True:
            signal.pause()
    pids.append(pid)
print(" ".join(str(p) for p in [os.getpid()] + pids), flush=True)
signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
while True:
    signal.pause()
PY

cat >"$T/check.py" <<'PY'
# check.py MODE OUTPUT PID...: compare memtop's JSON or text output with
# /proc/PID/status and /proc/PID/maps. Prints FAIL lines and a count line.
import json, re, sys

mode, out, pids = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
n = bad = 0
def check(cond, what):
    global n, bad
    n += 1
    if not cond:
        bad += 1
        print("FAIL: t_hostile: " + what)

def utf8_len(s, i):
    """Length of the well-formed UTF-8 sequence at s[i], 0 if none."""
    for k in (1, 2, 3, 4):
        try:
            if len(s[i:i + k].decode("utf-8")) == 1 and i + k <= len(s):
                return k
        except UnicodeDecodeError:
            pass
    return 0

def json_form(b):
    """What memtop's JSON holds for the bytes b: U+FFFD per bad byte."""
    r, i = [], 0
    while i < len(b):
        k = utf8_len(b, i)
        if k:
            r.append(b[i:i + k].decode("utf-8"))
            i += k
        else:
            r.append("\ufffd")
            i += 1
    return "".join(r)

def text_form(b):
    """The text output's form: printable ASCII, else \\xHH."""
    return b"".join(bytes([c]) if 0x20 <= c < 0x7f else b"\\x%02x" % c
                    for c in b)

def status_name(pid):
    for line in open("/proc/%d/status" % pid, "rb").read().split(b"\n"):
        if line.startswith(b"Name:\t"):
            return line[6:]
    raise SystemExit("no Name in status of %d" % pid)

def maps_paths(pid):
    paths = []
    for line in open("/proc/%d/maps" % pid, "rb").read().split(b"\n"):
        if not line:
            continue
        m = re.match(rb"\S+ \S+ \S+ \S+ \S+ *(.*)$", line, re.S)
        paths.append(m.group(1))
    return paths

data = open(out, "rb").read()
if mode == "json":
    # split at "\n" only: names may hold U+0085 or U+2028, which
    # str.splitlines() would also take for line ends
    docs = [json.loads(l) for l in data.decode("utf-8").split("\n") if l]
    check(len(docs) == 1, "one JSON document (got %d)" % len(docs))
    procs = {p["pid"]: p for p in docs[0]["processes"]}
    for pid in pids:
        p = procs.get(pid)
        check(p is not None, "pid %d in the JSON" % pid)
        if p is None:
            continue
        want = json_form(status_name(pid))
        check(p["comm"] == want, "pid %d comm %r, status Name gives %r"
              % (pid, p["comm"], want))
        want = sorted(json_form(x) for x in maps_paths(pid))
        got = sorted(v["path"] for v in p["vmas"])
        check(got == want, "pid %d VMA paths differ from maps: only in "
              "JSON %r, only in maps %r" % (pid, sorted(set(got) - set(want))[:3],
                                            sorted(set(want) - set(got))[:3]))
else:
    ctl = sorted({c for c in data if (c < 0x20 and c != 0x0a) or c >= 0x7f})
    check(not ctl, "text holds raw bytes %s" % [hex(c) for c in ctl])
    blocks = re.split(rb"\n(?=process )", data)
    for pid in pids:
        blk = [b for b in blocks if re.match(rb"(?:.*\n)?process %d " % pid, b)]
        check(len(blk) == 1, "one text block for pid %d (got %d)" % (pid, len(blk)))
        if len(blk) != 1:
            continue
        lines = blk[0].split(b"\n")
        head = [l for l in lines if l.startswith(b"process %d " % pid)][0]
        want = text_form(status_name(pid))
        # "process %-7d " then the name, padded to 16 columns
        check(re.match(re.escape(b"process %-7d " % pid + want) + rb" +user ",
                       head) is not None,
              "pid %d process line %r does not show the name as %r"
              % (pid, head[:120], want))
        vlines = [l for l in lines if l.startswith(b"  ")]
        for path in maps_paths(pid):
            if not path:
                continue
            want = b" " + text_form(path)
            check(any(l.endswith(want) for l in vlines),
                  "pid %d: no VMA line ends with %r" % (pid, want[:120]))
print("assertions: %d failed: %d" % (n, bad))
PY

"$PYTHON" "$T/hostile.py" "$T" >"$T/pids" 2>"$T/hostile.err" &
HPID=$!
kill_later "$HPID"
for ((i = 0; i < 100; i++)); do
	[ -s "$T/pids" ] && break
	kill -0 "$HPID" 2>/dev/null || break
	sleep 0.05
done
read -r -a PIDS <"$T/pids" || true
if [ ${#PIDS[@]} -ne 7 ]; then
	bad "hostile helper started ($(head -c 300 "$T/hostile.err"))"
	finish
fi
for p in "${PIDS[@]}"; do kill_later "$p"; done
# wait until every child has its name
for ((i = 0; i < 100; i++)); do
	n=0
	for p in "${PIDS[@]:1}"; do
		[ "$(head -c 3 "/proc/$p/comm" 2>/dev/null)" = "pyt" ] || n=$((n + 1))
	done
	[ $n -eq 6 ] && break
	sleep 0.05
done

# a symlink to sleep with a hostile name, exec'd: comm is its basename
link=$T/$'\e[31mevil\n\xff'
ln -s "$(command -v sleep)" "$link"
"$link" 300 &
SPID=$!
kill_later "$SPID"
PIDS+=("$SPID")
for ((i = 0; i < 100; i++)); do
	[ "$(head -c 1 "/proc/$SPID/comm" 2>/dev/null)" = $'\e' ] && break
	sleep 0.02
done
plist=$(IFS=,; echo "${PIDS[*]}")

for build in plain asan; do
	bin=$MEMTOP
	if [ $build = asan ]; then
		if [ ! -x "$MEMTOP_ASAN" ]; then
			part_skip "the ASan build is not there ($MEMTOP_ASAN)"
			continue
		fi
		bin=$MEMTOP_ASAN
	fi
	for fmt in json text; do
		out=$T/$build.$fmt
		if [ $fmt = json ]; then a=--json; else a=-b; fi
		run_memtop "$out" "$out.err" "$bin" "$a" -p "$plist" --smaps
		rc=$?
		check "$build $fmt: exit 0 (got $rc)" [ $rc -eq 0 ]
		if grep -q 'Sanitizer\|runtime error' "$out.err"; then
			bad "$build $fmt: sanitizer report: $(head -c 600 "$out.err")"
		else
			ok "$build $fmt: no sanitizer report"
		fi
		check "$build $fmt: nothing on stderr" [ ! -s "$out.err" ]
		if [ $fmt = json ]; then
			check "$build json: jq parses it" jq -e . "$out" >/dev/null
			check "$build json: python3 -m json.tool parses it" \
				"$PYTHON" -m json.tool "$out" >/dev/null
		fi
		py_check "$("$PYTHON" "$T/check.py" "$fmt" "$out" "${PIDS[@]}" 2>&1)"
	done
done

# the escapes are there, visibly
check "text shows ESC as \\x1b" grep -qF 'esc-\x1b[2J\x1b[H\x1b]0;pwned\x07-end' "$T/plain.text"
check "text shows the kernel's \\012 for a newline in a path" grep -qF 'nl-\012second line' "$T/plain.text"
check "text shows the hostile comm escaped" grep -qF '\x1b[2J\x1b]0;X\x07' "$T/plain.text"
check "text shows the symlink's comm escaped" grep -qF '\x1b[31mevil\n\xff' "$T/plain.text"
jq_check "JSON keeps valid UTF-8 names" "$T/plain.json" \
	'[.processes[].vmas[].path | select(contains("utf8-\u20ac-\ud83d\ude00"))] | length > 0'
jq_check "JSON has the 255-byte name" "$T/plain.json" \
	'[.processes[].vmas[].path | select(test("/L{200}\u001b\\[7mM{51}$"))] | length > 0'
jq_check "JSON has the long path" "$T/plain.json" \
	'[.processes[].vmas[].path | select(length > 3500)] | length > 0'
finish
