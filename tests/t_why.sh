#!/bin/bash
# t_why.sh - the khugepaged figure and the why reason codes on live
# regions (tests/helpers/collapse_shapes.c --why), for the codes a normal
# process can show on a machine in enabled=madvise mode:
#  - not_advised on private anonymous regions without MADV_HUGEPAGE, and
#    never on the MADV_HUGEPAGE region; thp_never nowhere;
#  - nohugepage (MADV_NOHUGEPAGE), file_no_thp (a read-only regular file),
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
import json, sys
T, tag = sys.argv[1], sys.argv[2]
shapes = json.load(open(f"{T}/shapes.{tag}.json"))
proc = json.load(open(f"{T}/out.{tag}.json"))["processes"][0]
disabled = shapes["thp_disable"]
codes = {"thp_disabled", "vma_type", "nohugepage", "userfaultfd",
         "file_no_thp", "shmem_denied", "thp_never", "not_advised",
         "no_slot", "file_misaligned", "holes", "fragmented", "fallbacks",
         "khugepaged_pace", "shmem_off", "tmpfs_huge", "memcg_limit",
         "charge_fallbacks"}
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

for seed in 1 2 3; do
	one "$seed" "seed$seed"
	one "$seed" "seed$seed.disabled" --thp-disable
done
grep -q '"anon_uffd"' "$T"/shapes.seed1.json ||
	part_skip "userfaultfd refused here: the userfaultfd code is checked by the unit tests only"
finish
