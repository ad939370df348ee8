#!/bin/bash
# t_collapse.sh - memtop's collapsible figure against the kernel itself.
#
# tests/helpers/collapse_shapes.c makes regions of many kinds (anonymous
# with random holes, only read, read-only, a split PMD mapping,
# MADV_NOHUGEPAGE, slots emptied by MADV_DONTNEED, a read-only file, memfd, memfd at a misaligned offset,
# shared anonymous memory, a file on tmpfs (/dev/shm, and a private
# mount with huge=always), an unaligned region, an empty one) from a seed,
# and, in a second process, the same under PR_SET_THP_DISABLE. For each
# seed and process:
#  - memtop --json -p PID predicts pmd_slots.collapsible for every VMA
#    (never null for the regions);
#  - memtop --collapse PID --json asks MADV_COLLAPSE for every slot that
#    is not PMD-mapped; slots failing for want of memory (ENOMEM, EBUSY,
#    EAGAIN) are asked again a few times, and any still failing are
#    reported and taken out of that VMA's count rather than failing;
#    then every region is asked again by range, empty slots included:
#    each slot is already PMD-mapped or refused (EINVAL);
#  - memtop --json -p PID again: per VMA, the slots PMD-mapped now less
#    those PMD-mapped before must equal the prediction, and every slot the
#    action said collapsed is among them.
# Also: an empty region asked by range gives EINVAL and exit 3;
# --read-only refuses --collapse (exit 2); as nobody, --collapse exits 1.
# Root only: MADV_COLLAPSE on another process needs CAP_SYS_NICE.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout
need_collapse_shapes
need_collapse_privilege
grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled &&
	skip "THP enabled is never: MADV_COLLAPSE still works, but the settings are unusual"
mktemp_dir

# compare SEED TAG: one run of predict, act, check
compare() {
	local seed=$1 tag=$2
	shift 2
	start_workload "$T/shapes.$tag.json" -- --seed "$seed" --dir "$T" "$@" || {
		bad "$tag: collapse_shapes starts"
		return
	}
	local pid=$WL_PID
	run_memtop "$T/before.$tag.json" "$T/err" "$MEMTOP" --json -p "$pid" ||
		{ bad "$tag: memtop --json -p $pid: $(cat "$T/err")"; return; }
	local rc
	run_memtop "$T/act.$tag.json" "$T/act.$tag.err" "$MEMTOP" --collapse "$pid" --json
	rc=$?
	check "$tag: --collapse exits 0 or 3 (got $rc)" test "$rc" = 0 -o "$rc" = 3
	check "$tag: --collapse says what it asks first" \
		grep -q "asking MADV_COLLAPSE for" "$T/act.$tag.err"
	# transient failures asked again, up to three more times
	local try s
	: >"$T/retry.$tag.json"
	for try in 1 2 3; do
		local again
		again=$(jq -r --slurpfile r "$T/retry.$tag.json" '
			[.[]] as $a | ($r | map(.[]) ) as $rr |
			($a + $rr) | group_by(.start) | map(last) |
			.[] | select(.result == "ENOMEM" or .result == "EBUSY" or
				     .result == "EAGAIN") | .start' "$T/act.$tag.json")
		[ -z "$again" ] && break
		for s in $again; do
			local e
			e=$(printf '%x' $((0x$s + 0x200000)))
			"$MEMTOP" --collapse "$pid:$s-$e" --json 2>/dev/null |
				jq -c . >>"$T/retry.$tag.json"
		done
	done
	# each region asked again by range: every slot, the empty ones too
	# (the whole-process form leaves them out); whatever this collapses
	# shows in the count below
	local rs re
	while read -r rs re; do
		"$MEMTOP" --collapse "$pid:$rs-$re" --json 2>/dev/null
	done < <(jq -r '.regions[] | "\(.start) \(.end)"' \
		"$T/shapes.$tag.json") >"$T/ranged.$tag.json"
	check "$tag: by range, no slot left that the first pass did not settle" \
		jq -se 'map(.[]) | length > 0 and all(.[]; .result == "already" or
			.result == "EINVAL" or .result == "ENOMEM" or
			.result == "EBUSY" or .result == "EAGAIN")' \
		"$T/ranged.$tag.json"
	run_memtop "$T/after.$tag.json" "$T/err" "$MEMTOP" --json -p "$pid" ||
		{ bad "$tag: memtop --json after: $(cat "$T/err")"; return; }
	local out
	out=$("$PYTHON" - "$T" "$tag" <<'PY'
import json, sys
T, tag = sys.argv[1], sys.argv[2]
ld = lambda n: json.load(open(f"{T}/{n}.{tag}.json"))
shapes = ld("shapes")
before = ld("before")["processes"][0]["vmas"]
after = {v["start"]: v for v in ld("after")["processes"][0]["vmas"]}
act = ld("act")
retry = [json.loads(l) for l in open(f"{T}/retry.{tag}.json") if l.strip()]
final = {}
for r in act + [x for l in retry for x in l]:
    final[int(r["start"], 16)] = r
names = {int(r["start"], 16): r["shape"] for r in shapes["regions"]}
pmd = 2 << 20
n = bad = 0
for v in before:
    lo, hi = int(v["start"], 16), int(v["end"], 16)
    ps = v["pmd_slots"]
    name = names.get(lo, v["path"] or v["kind"])
    w = after.get(v["start"])
    n += 1
    if w is None or w["end"] != v["end"]:
        print(f"FAIL: {tag} {name}: VMA {v['start']} changed"); bad += 1
        continue
    pred = ps["collapsible"]
    if pred is None:
        if lo in names:
            print(f"FAIL: {tag} {name}: collapsible is null"); bad += 1
        continue
    if ps["mapped"] is None or w["pmd_slots"]["mapped"] is None:
        print(f"FAIL: {tag} {name}: mapped unknown"); bad += 1
        continue
    actual = w["pmd_slots"]["mapped"] - ps["mapped"]
    mine = [r for a, r in final.items() if lo <= a < hi]
    transient = [r for r in mine if r["result"] in ("ENOMEM", "EBUSY", "EAGAIN")]
    said = sum(r["result"] == "collapsed" for r in mine)
    if transient:
        print(f"note: {tag} {name}: {len(transient)} slot(s) still failing "
              f"for want of memory ({transient[0]['result']}): left out")
        pred -= len(transient)
    verdict = "ok" if pred == actual and said <= actual else "FAIL"
    if verdict != "ok" or lo in names:
        print(f"{'FAIL: ' if verdict != 'ok' else ''}{tag} {name} "
              f"{v['perms']} predicted {pred} actual {actual} "
              f"(action said {said} collapsed; why {ps.get('why')})")
    bad += verdict != "ok"
print(f"assertions: {n} failed: {bad}")
PY
)
	py_check "$out"
	[ -n "${VERBOSE:-}" ] && echo "$out"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# a file on tmpfs: /dev/shm when it is one (its mount's huge= does not
# matter to MADV_COLLAPSE), and a mount of our own with huge=always
TMPFS=()
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
	TMPFS=(--tmpfs /dev/shm)
else
	part_skip "/dev/shm is not a writable tmpfs: no tmpfs region there"
fi
for seed in 11 22 33; do
	compare "$seed" "seed$seed" "${TMPFS[@]}"
done
compare 44 "thp_disable" --thp-disable "${TMPFS[@]}"
mkdir -p "$T/mnt"
if tmpfs_wrapper; then
	export MNT_OPT=huge=always MNT_DIR=$T/mnt SHAPES
	WORKLOAD=$T/in_mount.sh
	compare 55 "tmpfs_huge_always" --tmpfs "$T/mnt"
	WORKLOAD=$SHAPES
else
	part_skip "no private mount namespace here: no tmpfs mount of our own"
fi

# an empty region asked by range: the kernel refuses it
start_workload "$T/shapes.e.json" -- --seed 5 --dir "$T" || bad "collapse_shapes starts"
PID=$WL_PID
read -r ES EE < <(jq -r '.regions[] | select(.shape == "anon_empty") |
	"\(.start) \(.end)"' "$T/shapes.e.json")
run_memtop "$T/e.json" "$T/e.err" "$MEMTOP" --collapse "$PID:$ES-$EE" --json
rc=$?
check "an empty range: exit 3 (got $rc)" test "$rc" = 3
jq_check "an empty range: every slot EINVAL, ineligible" "$T/e.json" \
	'length > 0 and all(.[]; .result == "EINVAL" and .meaning == "ineligible")'
run_memtop "$T/ro.out" "$T/ro.err" "$MEMTOP" --read-only --collapse "$PID"
rc=$?
check "--read-only --collapse: exit 2 (got $rc)" test "$rc" = 2
check "--read-only --collapse: says why" grep -q "read-only" "$T/ro.err"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	as_user nobody timeout 30 "$MEMTOP" --collapse "$PID" >"$T/n.out" 2>"$T/n.err"
	rc=$?
	check "as nobody: --collapse exits 1 (got $rc)" test "$rc" = 1
	check "as nobody: says what it needs" grep -q "needs root" "$T/n.err"
else
	part_skip "no user nobody or no setpriv: the refusal is not tried"
fi
finish
