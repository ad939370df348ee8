#!/bin/bash
# t_why.sh - the khugepaged figure and the why reason codes on live
# regions (tests/helpers/collapse_shapes.c --why), for the codes a normal
# process can show on a machine in enabled=madvise mode:
#  - not_advised on private anonymous regions without MADV_HUGEPAGE, and
#    never on the MADV_HUGEPAGE region; thp_never nowhere;
#  - nohugepage (MADV_NOHUGEPAGE), file_no_thp (a read-only regular file),
#    tmpfs_huge (a file on /dev/shm, by its mount's huge= word), shmem_off
#    (memfd under shmem_enabled never),
#    file_misaligned with the shift (memfd at a one page offset: 511),
#    no_slot with the size in pages (a region across no whole slot),
#    userfaultfd (a registered region, when userfaultfd is allowed),
#    holes with the pages missing (every slot of a region with some pages
#    missing, as the slot counts say), khugepaged_pace where khugepaged
#    has slots to take;
#  - under PR_SET_THP_DISABLE: thp_disabled first on every VMA;
#  - the invariants: khugepaged <= collapsible wherever both are known
#    (per VMA and per process), and khugepaged is 0 wherever a reason
#    that shuts khugepaged out holds (not_advised, nohugepage,
#    thp_disabled, file_no_thp, file_misaligned, vma_type, shmem_denied);
#  - every reason has a known code, a sentence and a number or null;
#  - -b shows khugepaged per process and the main reason per VMA.
# Codes that need a special mapping or a system condition (vma_type,
# shmem_denied, fallbacks, fragmented) have workloads of their own in
# tests/t_why_cases.sh; thp_never, which needs enabled=never, is covered
# by tests/unit/test_why.c, as every code is.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout
need_collapse_shapes
grep -q '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled ||
	skip "the live codes are checked in enabled=madvise mode only"
mktemp_dir

# one SEED TAG [--thp-disable]
one() {
	local seed=$1 tag=$2
	shift 2
	start_workload "$T/shapes.$tag.json" -- --seed "$seed" --dir "$T" \
		--why "$@" || { bad "$tag: collapse_shapes starts"; return; }
	local pid=$WL_PID
	run_memtop "$T/out.$tag.json" "$T/err" "$MEMTOP" --json -p "$pid" ||
		{ bad "$tag: memtop --json -p $pid: $(cat "$T/err")"; return; }
	run_memtop "$T/out.$tag.txt" "$T/err" "$MEMTOP" -b -p "$pid" ||
		{ bad "$tag: memtop -b -p $pid: $(cat "$T/err")"; return; }
	check "$tag: -b shows khugepaged per process" \
		grep -q "^process .* khugepaged " "$T/out.$tag.txt"
	check "$tag: -b shows a main reason on VMA lines" \
		grep -q " why:[a-z_]* " "$T/out.$tag.txt"
	py_check "$("$PYTHON" - "$T" "$tag" <<'PY'
import json, os, sys
T, tag = sys.argv[1], sys.argv[2]
shapes = json.load(open(f"{T}/shapes.{tag}.json"))
proc = json.load(open(f"{T}/out.{tag}.json"))["processes"][0]
disabled = shapes["thp_disable"]
codes = {"thp_disabled", "vma_type", "nohugepage", "userfaultfd",
         "file_no_thp", "shmem_denied", "thp_never", "not_advised",
         "no_slot", "file_misaligned", "holes", "fragmented", "fallbacks",
         "khugepaged_pace", "shmem_off", "tmpfs_huge", "memcg_limit",
         "memcg_fallbacks"}
shut = {"not_advised", "nohugepage", "thp_disabled", "file_no_thp",
        "file_misaligned", "vma_type", "shmem_denied", "thp_never",
        "shmem_off", "tmpfs_huge"}
shmem_global = open("/sys/kernel/mm/transparent_hugepage/shmem_enabled").read()
shmem_never = "[never]" in shmem_global
n = bad = 0
def ck(ok, msg):
    global n, bad
    n += 1
    if not ok:
        bad += 1
        print(f"FAIL: t_why: {tag}: {msg}")
names = {int(r["start"], 16): r["shape"] for r in shapes["regions"]}
ends = {int(r["start"], 16): int(r["end"], 16) for r in shapes["regions"]}
seen = set()
def le(a, b):
    return a is None or b is None or a <= b
pp = proc["pmd_slots"]
ck(le(pp["khugepaged"], pp["collapsible"]),
   f"process khugepaged {pp['khugepaged']} <= collapsible {pp['collapsible']}")
for v in proc["vmas"]:
    lo = int(v["start"], 16)
    ps = v["pmd_slots"]
    why = v["why"]
    cs = [w["code"] for w in why]
    name = names.get(lo, v["path"] or v["kind"])
    for w in why:
        ck(w["code"] in codes, f"{name}: code {w['code']} known")
        ck(isinstance(w["text"], str) and len(w["text"]) > 10,
           f"{name}: {w['code']} has a sentence")
        ck(w["value"] is None or isinstance(w["value"], int),
           f"{name}: {w['code']} value is a number or null")
    ck("thp_never" not in cs, f"{name}: no thp_never in madvise mode")
    ck(le(ps["khugepaged"], ps["collapsible"]),
       f"{name}: khugepaged {ps['khugepaged']} <= collapsible {ps['collapsible']}")
    if set(cs) & shut:
        ck(ps["khugepaged"] in (0, None) and
           (ps["khugepaged"] == 0 or "userfaultfd" in cs or ps["collapsible"] is None),
           f"{name}: khugepaged 0 under {cs} (got {ps['khugepaged']})")
    if ps["khugepaged"]:
        ck("khugepaged_pace" in cs, f"{name}: khugepaged_pace with khugepaged {ps['khugepaged']}")
    if disabled:
        ck(cs[:1] == ["thp_disabled"], f"{name}: thp_disabled first ({cs})")
        ck(ps["collapsible"] == 0 and ps["khugepaged"] == 0,
           f"{name}: nothing collapsible under PR_SET_THP_DISABLE")
    if lo not in names or ends[lo] != int(v["end"], 16):
        continue
    seen.add(name)
    touched = ps["full"] + ps["partial"]
    # holes: slots with pages but not all; the region is whole slots
    if name != "unaligned":
        missing = touched * 512 - v["present_pages"] - v["swapped_pages"]
        hv = [w["value"] for w in why if w["code"] == "holes"]
        if ps["partial"]:
            ck(hv == [missing], f"{name}: holes {hv} == {missing} missing pages")
        else:
            ck(hv == [], f"{name}: no holes without partial slots ({hv})")
    if disabled:
        continue
    if name in ("anon", "anon_read", "anon_split", "anon_ro", "anon_empty",
                "anon_dropped", "unaligned", "anon_uffd"):
        ck("not_advised" in cs, f"{name}: not_advised ({cs})")
    if name in ("anon_hg", "anon_nohuge"):
        ck("not_advised" not in cs, f"{name}: no not_advised ({cs})")
    if name == "anon_nohuge":
        ck("nohugepage" in cs, f"{name}: nohugepage ({cs})")
    if name == "anon_uffd":
        ck("userfaultfd" in cs, f"{name}: userfaultfd ({cs})")
    if name == "file_ro" and touched:
        ck(cs[:1] == ["file_no_thp"], f"{name}: file_no_thp first ({cs})")
        ck(ps["khugepaged"] == 0, f"{name}: khugepaged 0")
    if name == "memfd_off" and touched:
        fv = [w["value"] for w in why if w["code"] == "file_misaligned"]
        ck(fv == [511], f"{name}: file_misaligned by 511 pages ({fv})")
    if name == "unaligned":
        nv = [w["value"] for w in why if w["code"] == "no_slot"]
        ck(nv == [640], f"{name}: no_slot with 640 pages ({nv})")
    if name == "tmpfs" and touched:
        hw = os.environ.get("SHM_HUGE", "")
        tv = [w for w in why if w["code"] == "tmpfs_huge"]
        if hw in ("never", "advise"):
            ck([w["value"] for w in tv] == [ps["total"]] and
               f"huge={hw}" in tv[0]["text"],
               f"{name}: tmpfs_huge with huge={hw} and {ps['total']} slots ({cs})")
            ck(ps["khugepaged"] == 0, f"{name}: khugepaged 0 under huge={hw}")
        else:
            ck(not tv, f"{name}: no tmpfs_huge under huge={hw} ({cs})")
    if name == "memfd":
        # shmem_enabled never or advise: khugepaged leaves it; else the
        # page cache decides, not known
        ck(ps["khugepaged"] in (0, None), f"{name}: khugepaged 0 or null")
        if shmem_never and touched:
            sv = [w["value"] for w in why if w["code"] == "shmem_off"]
            ck(sv == [ps["total"]],
               f"{name}: shmem_off with {ps['total']} slots under shmem_enabled never ({cs})")
for must in ("anon", "anon_nohuge", "anon_hg", "file_ro", "memfd_off",
             "unaligned"):
    ck(must in seen, f"region {must} found")
print(f"assertions: {n} failed: {bad}")
PY
)"
}

# a file on tmpfs: /dev/shm when it is one, with its mount's huge= word
TMPFS=()
export SHM_HUGE=""
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
	TMPFS=(--tmpfs /dev/shm)
	SHM_HUGE=$(awk '$5 == "/dev/shm" { for (i = 7; i <= NF; i++) if ($i == "-") break
		n = split($(i + 3), o, ","); w = "never"
		for (j = 1; j <= n; j++) if (o[j] ~ /^huge=/) w = substr(o[j], 6)
		print w; exit }' /proc/self/mountinfo)
else
	part_skip "/dev/shm is not a writable tmpfs: tmpfs_huge is not shown here"
fi
for seed in 1 2 3; do
	one "$seed" "seed$seed" "${TMPFS[@]}"
	one "$seed" "seed$seed.disabled" --thp-disable "${TMPFS[@]}"
done
# a tmpfs mount of our own with huge=advise (root): tmpfs_huge says so
mkdir -p "$T/mnt"
if is_root && in_init_userns && tmpfs_wrapper; then
	export MNT_OPT=huge=advise MNT_DIR=$T/mnt SHAPES SHM_HUGE=advise
	WORKLOAD=$T/in_mount.sh
	one 4 "tmpfs_advise" --tmpfs "$T/mnt"
	WORKLOAD=$SHAPES
	jq_check "tmpfs_advise: tmpfs_huge names huge=advise" "$T/out.tmpfs_advise.json" \
		'[.processes[0].vmas[] | .why[] | select(.code == "tmpfs_huge") | .text]
		 | length == 1 and (.[0] | test("huge=advise and the mapping has no MADV_HUGEPAGE"))'
else
	part_skip "a tmpfs mount of our own needs root and a private mount namespace"
fi
grep -q '"anon_uffd"' "$T"/shapes.seed1.json ||
	part_skip "userfaultfd refused here: the userfaultfd code is checked by the unit tests only"
finish
