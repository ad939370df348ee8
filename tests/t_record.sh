#!/bin/bash
# t_record.sh - recordings: --record, --replay, --diff.
#
# Checked:
#  - the demo's changing workloads recorded with --json: every replayed
#    document (--replay --json) is byte for byte what --json printed live,
#    and -b replays as text; --begin and -n pick the frames;
#  - the file: 0600 under umask 022, the format's magic, never written
#    over (an existing file or a symbolic link is refused and left as it
#    was), --record-append adds to a recording and refuses anything else,
#    --record-max keeps it under its size and says so;
#  - damage: a copy cut at many places (every byte of the header and of
#    the first frame's header, every frame boundary and its neighbours,
#    and 200 places at random) replays exactly the frames before the cut,
#    with one line on stderr unless the cut falls between two frames; a
#    flipped byte in the middle frame replays the frames before it and
#    names the byte where the damage starts; nothing crashes;
#  - --diff: two moments of one recording in JSON, whose figures are those
#    the live documents printed, and the same as text; bad moments exit 2.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq timeout "$PYTHON" cmp
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
mktemp_dir

REC=$T/demo.mtr
N=6
umask 022
if run_memtop "$T/live.json" "$T/live.err" "$MEMTOP" --demo --json -n $N \
	-d 0.5 --record "$REC"; then
	ok "memtop --demo --json --record exits 0"
else
	bad "memtop --demo --json --record exits $? ($(head -c 300 "$T/live.err"))"
	finish
fi
check "the live run printed $N documents" \
	test "$(jq -s length "$T/live.json")" -eq $N
check "the recording is mode 0600" test "$(stat -c %a "$REC")" = 600
check "the recording starts with its magic" \
	test "$(head -c 10 "$REC")" = "MEMTOPREC"

# ---- replay: the same documents, byte for byte ------------------------
run_memtop "$T/replay.json" "$T/replay.err" "$MEMTOP" --replay "$REC" --json
check "memtop --replay --json exits 0" test $? -eq 0
check "nothing on stderr for a whole recording ($(head -c 200 "$T/replay.err"))" \
	test ! -s "$T/replay.err"
check "every replayed document is what --json printed live" \
	cmp -s "$T/live.json" "$T/replay.json"
# the workloads changed while they were recorded (the demo's collapse)
check "the recorded documents differ from one another" \
	test "$(jq -s 'map(.processes | map(.present_pages) | add) | unique | length' \
		"$T/live.json")" -gt 1
run_memtop "$T/replay.txt" "$T/replay.terr" "$MEMTOP" --replay "$REC" -b -n 1
check "--replay -b -n 1 prints one text report" \
	test "$(grep -c '^# memtop ' "$T/replay.txt")" -eq 1 -a ! -s "$T/replay.terr"
# text: a -b run recorded replays as the same text
run_memtop "$T/live.txt" "$T/live.terr" "$MEMTOP" -b -p $$ -n 3 -d 0.2 \
	--record "$T/text.mtr"
run_memtop "$T/rtext.txt" "$T/rtext.err" "$MEMTOP" --replay "$T/text.mtr" -b
check "-b recorded and replayed with -b: the same text" \
	cmp -s "$T/live.txt" "$T/rtext.txt"
run_memtop "$T/b3.json" "$T/b3.err" "$MEMTOP" --replay "$REC" --json --begin '#3' -n 2
check "--begin '#3' -n 2 gives the third and fourth documents" \
	test "$(jq -s -c '.' "$T/b3.json")" = "$(jq -s -c '.[2:4]' "$T/live.json")"
# (the documents print the time to the millisecond)
t2=$(jq -s '.[1].time' "$T/live.json")
run_memtop "$T/bt.json" "$T/bt.err" "$MEMTOP" --replay "$REC" --json \
	--begin "@$(awk -v t="$t2" 'BEGIN { printf "%.3f", t + 0.001 }')" -n 1
check "--begin @EPOCH finds that scan" \
	test "$(jq '.time' "$T/bt.json")" = "$t2"
run_memtop /dev/null "$T/bb.err" "$MEMTOP" --replay "$REC" --json --begin 'soon'
check "--begin soon exits 2" test $? -eq 2
run_memtop /dev/null "$T/nr.err" "$MEMTOP" --replay "$T/live.json" --json
check "a file that is no recording exits 1 and says so" \
	test $? -eq 1 -a -n "$(grep 'not a memtop recording' "$T/nr.err")"

# ---- never over a file it did not create -------------------------------
echo "precious" >"$T/precious"
run_memtop /dev/null "$T/ex.err" "$MEMTOP" --json -p $$ --record "$T/precious"
check "--record on an existing file exits 1" test $? -eq 1
check "... and leaves it as it was" test "$(cat "$T/precious")" = precious
ln -s "$T/precious" "$T/link"
run_memtop /dev/null "$T/ln.err" "$MEMTOP" --json -p $$ --record "$T/link"
check "--record on a symbolic link exits 1" test $? -eq 1
run_memtop /dev/null "$T/ln2.err" "$MEMTOP" --json -p $$ --record "$T/link" \
	--record-append
check "--record-append through a symbolic link exits 1" test $? -eq 1
check "... and the file it points to is untouched" \
	test "$(cat "$T/precious")" = precious
run_memtop /dev/null "$T/ap.err" "$MEMTOP" --json -p $$ --record "$T/precious" \
	--record-append
check "--record-append to a file that is no recording exits 1" test $? -eq 1
check "... and leaves it as it was" test "$(cat "$T/precious")" = precious
cp "$REC" "$T/app.mtr"
run_memtop "$T/app.json" "$T/app.err" "$MEMTOP" --json -p $$ -n 2 -d 0.2 \
	--record "$T/app.mtr" --record-append
check "--record-append to a recording exits 0 ($(head -c 200 "$T/app.err"))" \
	test $? -eq 0
run_memtop "$T/app2.json" /dev/null "$MEMTOP" --replay "$T/app.mtr" --json
check "... and it replays $N + 2 documents" \
	test "$(jq -s length "$T/app2.json")" -eq $((N + 2))
run_memtop "$T/max.json" "$T/max.err" "$MEMTOP" --json -p $$ -n 8 -d 0.1 \
	--record "$T/max.mtr" --record-max 3000
check "--record-max: the run goes on (8 documents)" \
	test "$(jq -s length "$T/max.json")" -eq 8
check "--record-max: the file stays under 3000 bytes ($(stat -c %s "$T/max.mtr"))" \
	test "$(stat -c %s "$T/max.mtr")" -le 3000
check "--record-max: it says the recording stopped" \
	grep -q 'recording stopped at .*--record-max' "$T/max.err"
run_memtop "$T/maxr.json" /dev/null "$MEMTOP" --replay "$T/max.mtr" --json
check "--record-max: what it kept replays ($(jq -s length "$T/maxr.json") of 8)" \
	test "$(jq -s length "$T/maxr.json")" -ge 1 -a \
		"$(jq -s length "$T/maxr.json")" -lt 8
run_memtop /dev/null "$T/bm.err" "$MEMTOP" --json --record "$T/x" --record-max 12Q
check "--record-max 12Q exits 2" test $? -eq 2

# ---- damage ------------------------------------------------------------
# frame boundaries: the header, then each frame's 28-byte header and body
"$PYTHON" - "$REC" >"$T/bounds" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
body = struct.unpack_from('<I', d, 14)[0]
off = 22 + body
print(off)
while off < len(d):
    zlen = struct.unpack_from('<I', d, off + 4)[0]
    off += 28 + zlen
    print(off)
EOF
mapfile -t B <"$T/bounds"
check "the recording holds $N frames" test "${#B[@]}" -eq $((N + 1))
size=$(stat -c %s "$REC")
check "its frames end at its end" test "${B[-1]}" -eq "$size"
cuts=()
for ((c = 0; c <= B[0] + 28; c++)); do cuts+=("$c"); done
for b in "${B[@]}"; do cuts+=("$((b - 1))" "$b" "$((b + 1))"); done
for ((i = 0; i < 200; i++)); do cuts+=("$((RANDOM * 32768 % size + RANDOM % size))"); done
bad_cuts=0 tried=0
for c in "${cuts[@]}"; do
	[ "$c" -ge 0 ] && [ "$c" -le "$size" ] || continue
	tried=$((tried + 1))
	head -c "$c" "$REC" >"$T/cut.mtr"
	timeout -k 5 30 "$MEMTOP" --replay "$T/cut.mtr" --json >"$T/cut.json" 2>"$T/cut.err"
	rc=$?
	# frames wholly before the cut
	k=0
	for ((i = 1; i < ${#B[@]}; i++)); do [ "${B[i]}" -le "$c" ] && k=$i; done
	if [ "$c" -lt "${B[0]}" ]; then
		# no header: not a recording at all
		if [ $rc -ne 1 ] || [ ! -s "$T/cut.err" ] || [ -s "$T/cut.json" ]; then
			bad "cut at $c (in the header): exit $rc, $(head -c 200 "$T/cut.err")"
			bad_cuts=$((bad_cuts + 1))
		fi
		continue
	fi
	got=$(jq -s length "$T/cut.json" 2>/dev/null || echo x)
	want_msg=1
	for b in "${B[@]}"; do [ "$b" -eq "$c" ] && want_msg=0; done
	if [ $rc -gt 1 ] || [ "$got" != "$k" ] ||
		! cmp -s "$T/cut.json" <(head -n "$k" "$T/live.json") ||
		{ [ $want_msg = 1 ] && ! grep -q "cut short at byte ${B[k]}" "$T/cut.err"; } ||
		{ [ $want_msg = 0 ] && [ -s "$T/cut.err" ] && [ "$k" -gt 0 ]; }; then
		bad "cut at $c: exit $rc, $got documents (want $k), stderr: $(head -c 200 "$T/cut.err")"
		bad_cuts=$((bad_cuts + 1))
	fi
	[ $bad_cuts -ge 5 ] && break
done
check "$tried cuts replay the frames before them, with a message" \
	test $bad_cuts -eq 0
# a flipped byte inside the middle frame
mid=$((N / 2))
pos=$(( (B[mid] + B[mid + 1]) / 2 ))
cp "$REC" "$T/flip.mtr"
"$PYTHON" - "$T/flip.mtr" "$pos" <<'EOF'
import sys
p, o = sys.argv[1], int(sys.argv[2])
d = bytearray(open(p, 'rb').read())
d[o] ^= 0x5a
open(p, 'wb').write(d)
EOF
timeout -k 5 30 "$MEMTOP" --replay "$T/flip.mtr" --json >"$T/flip.json" 2>"$T/flip.err"
check "a flipped byte: exit 0 ($?)" test $? -eq 0
check "a flipped byte: the $mid frames before it replay" \
	cmp -s "$T/flip.json" <(head -n "$mid" "$T/live.json")
check "a flipped byte: one line names where the damage starts ($(cat "$T/flip.err"))" \
	test "$(wc -l <"$T/flip.err")" -eq 1 -a \
		-n "$(grep "damaged at byte ${B[mid]}" "$T/flip.err")"

# ---- --diff --------------------------------------------------------------
run_memtop "$T/diff.json" "$T/diff.err" "$MEMTOP" --json --diff "$REC@#1" "$REC@#$N"
check "--diff A@#1 A@#$N --json exits 0 ($(head -c 200 "$T/diff.err"))" test $? -eq 0
jq_check "--diff matches processes by pid (one boot)" "$T/diff.json" '.match == "pid"'
jq_check "--diff names the frames" "$T/diff.json" ".a.frame == 1 and .b.frame == $N"
# every process in both: its figures are those the documents printed
"$PYTHON" - "$T/diff.json" "$T/live.json" <<'EOF' >"$T/diffcheck"
import json, sys
d = json.load(open(sys.argv[1]))
docs = [json.loads(l) for l in open(sys.argv[2])]
a, b = docs[0], docs[-1]
ps = a['page_size']
slot = ps << a['pmd_order']
def by_pid(doc):
    return {p['pid']: p for p in doc['processes']}
pa, pb = by_pid(a), by_pid(b)
bad = 0
n = 0
for p in d['processes']:
    x, y = p['pid']
    if not x or not y:
        continue
    n += 1
    if p['rss_bytes'] != [pa[x]['present_pages'] * ps, pb[y]['present_pages'] * ps]:
        print('rss', p['name'], p['rss_bytes']); bad += 1
    ma = pa[x]['pmd_slots']['mapped']; mb = pb[y]['pmd_slots']['mapped']
    if ma is not None and mb is not None and p['pmd_bytes'] != [ma * slot, mb * slot]:
        print('pmd', p['name'], p['pmd_bytes'], ma, mb); bad += 1
print('checked', n, 'bad', bad)
EOF
check "--diff figures are the documents' ($(tail -1 "$T/diffcheck"))" \
	grep -q '^checked [1-9][0-9]* bad 0$' "$T/diffcheck"
run_memtop "$T/diff.txt" "$T/difft.err" "$MEMTOP" --diff "$REC@#1" "$REC"
check "--diff as text exits 0" test $? -eq 0
check "--diff as text names both sides and the columns" \
	test -n "$(grep '^A: ' "$T/diff.txt")" -a -n "$(grep '^B: ' "$T/diff.txt")" \
		-a -n "$(grep 'SPLIT' "$T/diff.txt")"
run_memtop /dev/null "$T/dm.err" "$MEMTOP" --diff "$REC@#99" "$REC"
check "--diff with a frame that is not there exits 2" test $? -eq 2
run_memtop /dev/null "$T/d1.err" "$MEMTOP" --diff "$REC"
check "--diff with one side exits 2" test $? -eq 2
finish
