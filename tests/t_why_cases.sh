#!/bin/bash
# t_why_cases.sh - a live workload for each why code that needs a mapping
# of a special kind or a system condition (tests/helpers/why_cases.c),
# with memtop's --json and -b checked against what the workload and the
# kernel know:
#  - vma_type: an io_uring SQE array (VM_MIXEDMAP, VM_DONTEXPAND) with a
#    whole PMD slot of present pages: vma_type is its first reason, with
#    the VmFlags bits smaps shows as the value, nothing is collapsible,
#    and MADV_COLLAPSE on the slot fails with EINVAL (asked by the
#    workload itself and, as root in the initial user namespace, by
#    memtop --collapse);
#  - shmem_denied: shared anonymous memory without MADV_HUGEPAGE, under
#    the shmem_enabled settings as they are, and as root again with the
#    PMD size's shmem_enabled set to never for the moment: where
#    memtop's rule denies the PMD size, shmem_denied comes first with the
#    slot count and MADV_COLLAPSE fails with EINVAL; where the settings
#    allow it, the case is skipped, and memtop must then say the slots
#    are collapsible and MADV_COLLAPSE must succeed;
#  - fallbacks: the workload in a memory cgroup of its own (tests/lib.sh
#    memcg_new; removed at exit) whose limit leaves less than a PMD free,
#    faulting fresh MADV_HUGEPAGE slots 50 times a second: every PMD
#    fault falls back on the charge. memtop -n 2 -d 1: in the second
#    sample, the workload's region of small pages shows fallbacks as its
#    main reason, with thp_fault_fallback's rate per minute as the value;
#    the rate agrees with /proc/vmstat as measured around memtop, and
#    thp_fault_fallback_charge rose by at least the workload's faults;
#  - fragmented: over a recorded tree (--proc-root). The process part is
#    recorded at test time from a live workload (status, maps, smaps,
#    mountinfo, and pagemap over its VMAs), with /proc/vmstat and
#    meminfo; /proc/buddyinfo is replaced by a fixed one in which most
#    free memory is in blocks below a PMD. Fragmenting this machine's
#    free memory for real would mean holding a page in three of every
#    four free PMD-sized blocks - on a machine with many GiB free, most
#    of its memory faulted in at once, close to the OOM killer, and
#    undone within seconds by kcompactd's proactive compaction - and it
#    would disturb every other process's huge pages while it lasted: not
#    reliable, not safe. The value (the percentage) and the page counts
#    of the sentence are checked against that buddyinfo, and a second
#    tree with an unfragmented buddyinfo must show no fragmented.
#  - khugepaged: memtop's khugepaged figure against khugepaged itself
#    (a read-only region alone is collapsed, one shared with a child is
#    not, within a few of the passes memtop's khugepaged_pace gives);
#  - thp_never (root): the PMD size's enabled set to never for the
#    moment: a fault under MADV_HUGEPAGE gives small pages, memtop's main
#    reason is thp_never with khugepaged 0 and collapsible 1, and
#    MADV_COLLAPSE still collapses that slot. Every setting changed is
#    put back (tests/lib.sh sysfs_set, also at exit).
# Every case checks that -b shows why:<code> on the VMA's line. A case
# whose precondition is missing (io_uring refused, cgroups not writable,
# THP off, ...) is skipped with the reason; the others still run.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout od
CASES=$HELPERS/why_cases
for b in "$MEMTOP" "$CASES"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
WORKLOAD=$CASES
THP=/sys/kernel/mm/transparent_hugepage
[ -r $THP/enabled ] && [ -r $THP/hpage_pmd_size ] ||
	skip "the kernel has no transparent huge pages"
mktemp_dir
PMD=$(cat $THP/hpage_pmd_size)
PMD_KB=$((PMD / 1024))

# The selected word of a sysfs choice file ("always [madvise] never").
selected() { sed -n 's/.*\[\([a-z_]*\)\].*/\1/p' "$1" 2>/dev/null; }

# resume PID OUT LINES: continue a stopped workload and wait until OUT
# has LINES lines (the workload prints one per step).
resume() {
	local pid=$1 out=$2 lines=$3 i
	kill -CONT "$pid" || return 1
	for ((i = 0; i < 200 * WAIT_SCALE; i++)); do
		[ "$(wc -l <"$out")" -ge "$lines" ] && return 0
		sleep 0.05
	done
	return 1
}

vmstat_of() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# The checks, over memtop's outputs: check.py CASE ARGS... prints FAIL
# lines and "assertions: N failed: M".
cat >"$T/check.py" <<'PY'
import json, sys

n = bad = 0
def ck(ok, msg):
    global n, bad
    n += 1
    if not ok:
        bad += 1
        print(f"FAIL: t_why_cases: {msg}")

def docs(path):
    """Every JSON document of a memtop --json run (one per iteration)."""
    dec, text, out, i = json.JSONDecoder(), open(path).read(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        d, i = dec.raw_decode(text, i)
        out.append(d)

def vma(doc, start, end, tag):
    procs = doc["processes"]
    ck(len(procs) == 1, f"{tag}: one process in memtop's output")
    for v in procs[0]["vmas"] if procs else []:
        if int(v["start"], 16) == int(start, 16):
            ck(int(v["end"], 16) == int(end, 16),
               f"{tag}: VMA {start} ends at {end} ({v['end']})")
            return procs[0], v
    ck(False, f"{tag}: memtop lists the VMA at {start}")
    return None, None

def bline(path, start):
    """The last -b line of the VMA at start."""
    key = "%016x-" % int(start, 16)
    last = None
    for line in open(path):
        if line.strip().startswith(key):
            last = line
    return last

def ck_b(path, start, code, tag):
    line = bline(path, start)
    ck(line is not None and f" why:{code} " in line,
       f"{tag}: -b shows why:{code} on the VMA's line ({line!r})")

def codes(v):
    return [w["code"] for w in v["why"]]

case = sys.argv[1]
if case == "vma_type":
    wl, doc, btxt, flags, oracle, coll = sys.argv[2:8]
    w = json.loads(open(wl).readline())
    o = json.loads(open(oracle).read().splitlines()[1])
    bits = {"io": 4, "pf": 8, "mm": 16, "ht": 32, "de": 64}
    want = sum(bits.get(f, 0) for f in open(flags).read().split()[1:])
    ck(want != 0, f"vma_type: smaps shows a special VmFlags bit ({open(flags).read().strip()})")
    p, v = vma(docs(doc)[0], w["start"], w["end"], "vma_type")
    if v:
        cs = codes(v)
        ck(cs[:1] == ["vma_type"], f"vma_type: first reason is vma_type ({cs})")
        val = [x["value"] for x in v["why"] if x["code"] == "vma_type"]
        ck(val == [want], f"vma_type: value {val} == VmFlags bits {want}")
        ps = v["pmd_slots"]
        ck(ps["total"] == w["slots"], f"vma_type: {ps['total']} PMD slots == {w['slots']}")
        ck(ps["collapsible"] == 0 and ps["khugepaged"] == 0,
           f"vma_type: nothing collapsible ({ps})")
        ck(v["present_pages"] > 0, f"vma_type: present pages seen ({v['present_pages']})")
        ck(p["why_main"] and p["why_main"]["code"] == "vma_type",
           f"vma_type: the process's main reason ({p['why_main']})")
    ck(o["collapse_errno"] == 22,
       f"vma_type: the kernel refuses MADV_COLLAPSE with EINVAL ({o})")
    if coll != "-":
        r = json.load(open(coll))
        ck([x["result"] for x in r] == ["EINVAL"],
           f"vma_type: memtop --collapse is refused with EINVAL ({r})")
    ck_b(btxt, w["start"], "vma_type", "vma_type")
elif case == "shmem":
    wl, doc, btxt, denied = sys.argv[2:6]
    w = json.loads(open(wl).readline())
    o = json.loads(open(wl).read().splitlines()[1])
    p, v = vma(docs(doc)[0], w["start"], w["end"], "shmem")
    if v:
        cs, ps = codes(v), v["pmd_slots"]
        if denied == "1":
            ck(cs[:1] == ["shmem_denied"], f"shmem: first reason is shmem_denied ({cs})")
            val = [x["value"] for x in v["why"] if x["code"] == "shmem_denied"]
            ck(val == [w["slots"]], f"shmem: value {val} == {w['slots']} slots")
            ck(ps["collapsible"] == 0, f"shmem: nothing collapsible ({ps})")
            ck(o["collapse_errno"] == 22,
               f"shmem: the kernel refuses MADV_COLLAPSE with EINVAL ({o})")
            ck_b(btxt, w["start"], "shmem_denied", "shmem")
        else:
            ck("shmem_denied" not in cs, f"shmem: no shmem_denied where allowed ({cs})")
            ck(ps["collapsible"] == w["slots"],
               f"shmem: {ps['collapsible']} slots collapsible == {w['slots']}")
            ck(o["collapse_errno"] in (0, 11, 12, 16),
               f"shmem: MADV_COLLAPSE is not refused as ineligible ({o})")
elif case == "fallbacks":
    wl, doc, btxt, measured = sys.argv[2:6]
    measured = float(measured)
    w = json.loads(open(wl).readline())
    ds = docs(doc)
    ck(len(ds) == 2, f"fallbacks: two samples ({len(ds)})")
    d = ds[-1]
    fb = d["system"]["vmstat"]["thp_fault_fallback"]
    p, v = vma(d, w["start"], w["end"], "fallbacks")
    if v:
        cs = codes(v)
        ck("fallbacks" in cs, f"fallbacks: listed in the second sample ({cs})")
        # the cgroup's limit is what makes them fall back: memcg_limit
        # (per process) comes before the system's fallbacks
        main = [c for c in cs if c not in ("fragmented", "memcg_limit")][:1]
        ck(main == ["fallbacks"],
           f"fallbacks: main reason but for fragmented, memcg_limit ({cs})")
        pmd_kb = d["page_size"] << d["pmd_order"] >> 10
        room = p["memcg_room_bytes"]
        ck(room is not None and room < pmd_kb * 1024,
           f"fallbacks: the process's memcg room {room} below a PMD")
        ml = [x["value"] for x in v["why"] if x["code"] == "memcg_limit"]
        ck(room is not None and ml == [room >> 10],
           f"fallbacks: memcg_limit {ml} == room {room} >> 10")
        ck(cs.index("memcg_limit") < cs.index("fallbacks") if "memcg_limit" in cs
           and "fallbacks" in cs else False,
           f"fallbacks: memcg_limit before fallbacks ({cs})")
        fbc = d["system"]["vmstat"].get("thp_fault_fallback_charge") or {}
        cv = [x["value"] for x in v["why"] if x["code"] == "memcg_fallbacks"]
        crate = fbc.get("rate") or 0
        ck(crate > 0 and len(cv) == 1 and abs(cv[0] - crate * 60) <= 1,
           f"fallbacks: memcg_fallbacks {cv} == thp_fault_fallback_charge rate {crate}/s x 60")
        val = [x["value"] for x in v["why"] if x["code"] == "fallbacks"]
        rate = fb["rate"] or 0
        # the JSON rate has three decimals: the value may differ by one
        ck(len(val) == 1 and abs(val[0] - rate * 60) <= 1,
           f"fallbacks: value {val} == thp_fault_fallback rate {rate}/s x 60")
        ck(bool(val) and measured / 2 <= val[0] <= measured * 2,
           f"fallbacks: value {val} per minute within a factor 2 of the "
           f"{measured:.0f} per minute measured in /proc/vmstat")
        ps = v["pmd_slots"]
        ck(ps["mapped"] == 0 and ps["full"] == w["slots"],
           f"fallbacks: {w['slots']} full slots, none PMD-mapped ({ps})")
        ck_b(btxt, w["start"], cs[0] if cs else "fallbacks", "fallbacks")
elif case == "fragmented":
    wl, doc, btxt, ctl, buddy, mode = sys.argv[2:8]
    w = json.loads(open(wl).readline())
    order = json.load(open(doc))["pmd_order"]
    free = pmd = 0
    for line in open(buddy):
        counts = [int(x) for x in line.split()[4:]]
        for k, c in enumerate(counts):
            free += c << k
            if k >= order:
                pmd += c << k
    d = json.load(open(doc))
    ck(d["system"]["free_pages"] == free and
       d["system"]["free_pages_pmd_or_larger"] == pmd,
       f"fragmented: free pages {free}, {pmd} in PMD blocks, as recorded "
       f"({d['system']['free_pages']}, {d['system']['free_pages_pmd_or_larger']})")
    p, v = vma(d, w["start"], w["end"], "fragmented")
    if v:
        cs = codes(v)
        want = pmd * 100 // free
        hit = [x for x in v["why"] if x["code"] == "fragmented"]
        ck(len(hit) == 1 and hit[0]["value"] == want,
           f"fragmented: value {[x['value'] for x in hit]} == {want}%")
        ck(len(hit) == 1 and f"({pmd} of {free} free pages)" in hit[0]["text"],
           f"fragmented: the sentence gives {pmd} of {free} ({hit})")
        if w["holes"]:
            ck(cs[:2] == ["holes", "fragmented"] or mode == "never",
               f"fragmented: after holes ({cs})")
        elif mode != "never":
            ck(cs[:1] == ["fragmented"], f"fragmented: main reason ({cs})")
            ck_b(btxt, w["start"], "fragmented", "fragmented")
    p, v = vma(json.load(open(ctl)), w["start"], w["end"], "fragmented control")
    if v:
        ck("fragmented" not in codes(v),
           f"fragmented: not listed with PMD blocks plentiful ({codes(v)})")
print(f"assertions: {n} failed: {bad}")
PY

# The THP enabled mode for the PMD size (its own file, else the global).
PMD_MODE=$(selected "$THP/hugepages-${PMD_KB}kB/enabled")
case $PMD_MODE in "" | inherit) PMD_MODE=$(selected $THP/enabled) ;; esac

# --- vma_type --------------------------------------------------------------
case_vma_type() {
	start_workload "$T/vt.json" -- vma_type || {
		bad "vma_type: why_cases starts"
		return
	}
	local pid=$WL_PID refused start slot end
	refused=$(jq -r '.refused // empty' "$T/vt.json")
	if [ -n "$refused" ]; then
		part_skip "vma_type: the kernel refuses the io_uring mapping here ($refused)"
		return
	fi
	start=$(jq -r .start "$T/vt.json")
	slot=$(jq -r .slot "$T/vt.json")
	end=$(printf '%x' $((0x$slot + PMD)))
	awk -v s="$start-" 'index($1, s) == 1 { f = 1 } f && /^VmFlags:/ { print; exit }' \
		"/proc/$pid/smaps" >"$T/vt.flags"
	run_memtop "$T/vt.out.json" "$T/err" "$MEMTOP" --json -p "$pid" ||
		{ bad "vma_type: memtop --json: $(cat "$T/err")"; return; }
	run_memtop "$T/vt.out.txt" "$T/err" "$MEMTOP" -b -p "$pid" ||
		{ bad "vma_type: memtop -b: $(cat "$T/err")"; return; }
	local coll=-
	if is_root && in_init_userns; then
		coll=$T/vt.coll.json
		run_memtop "$coll" "$T/err" "$MEMTOP" --collapse "$pid:$slot-$end" --json
		check "vma_type: memtop --collapse exits 3 (a slot failed)" [ $? -eq 3 ]
	else
		part_skip "vma_type: memtop --collapse needs root in the initial user namespace; the workload's own MADV_COLLAPSE is the oracle"
	fi
	resume "$pid" "$T/vt.json" 2 || { bad "vma_type: step 2"; return; }
	py_check "$("$PYTHON" "$T/check.py" vma_type "$T/vt.json" \
		"$T/vt.out.json" "$T/vt.out.txt" "$T/vt.flags" "$T/vt.json" "$coll")"
}

# --- shmem_denied ----------------------------------------------------------
# memtop's rule (src/collapse.c shmem_allowed) for shared anonymous memory
# without MADV_HUGEPAGE: denied when the global shmem_enabled is deny, or
# the PMD size's own setting is never or advise, or it is always or
# within_size under a global force; allowed when it is inherit.
case_shmem() {
	local g s denied
	g=$(selected $THP/shmem_enabled)
	s=$(selected "$THP/hugepages-${PMD_KB}kB/shmem_enabled")
	if [ -z "$g" ] || [ -z "$s" ]; then
		part_skip "shmem_denied: no shmem_enabled for the PMD size to read here"
		return
	fi
	case $g/$s in
	deny/* | */never | */advise | force/always | force/within_size) denied=1 ;;
	*) denied=0 ;;
	esac
	start_workload "$T/sh.json" -- shmem || { bad "shmem: why_cases starts"; return; }
	local pid=$WL_PID
	run_memtop "$T/sh.out.json" "$T/err" "$MEMTOP" --json -p "$pid" ||
		{ bad "shmem: memtop --json: $(cat "$T/err")"; return; }
	run_memtop "$T/sh.out.txt" "$T/err" "$MEMTOP" -b -p "$pid" ||
		{ bad "shmem: memtop -b: $(cat "$T/err")"; return; }
	resume "$pid" "$T/sh.json" 2 || { bad "shmem: step 2"; return; }
	py_check "$("$PYTHON" "$T/check.py" shmem "$T/sh.json" \
		"$T/sh.out.json" "$T/sh.out.txt" "$denied")"
	[ "$denied" = 1 ] ||
		part_skip "shmem_denied: shmem_enabled is $g and hugepages-${PMD_KB}kB/shmem_enabled $s, which allow PMD-sized pages in shared anonymous memory (checked instead: no shmem_denied, the slots collapsible, MADV_COLLAPSE not refused); a denying setting is shown by the settings case, as root"
}

# --- fallbacks -------------------------------------------------------------
case_fallbacks() {
	case $PMD_MODE in
	always | madvise) ;;
	*)
		part_skip "fallbacks: THP enabled is '$PMD_MODE' for the PMD size: no PMD fault to fall back"
		return
		;;
	esac
	if ! memcg_new fallbacks; then
		part_skip "fallbacks: $MEMCG_WHY"
		return
	fi
	start_workload "$T/fb.json" -- fallbacks --count "$T/fb.count" || {
		bad "fallbacks: why_cases starts"
		return
	}
	local pid=$WL_PID cg=$MEMCG
	# stopped: what it charges from now on goes to the cgroup, whose
	# limit (half a PMD) no PMD-sized charge fits under
	if ! memcg_limit "$cg" $((PMD / 2)) || ! memcg_add "$cg" "$pid"; then
		bad "fallbacks: a limit of $((PMD / 2)) bytes and the workload in $cg"
		return
	fi
	resume "$pid" "$T/fb.json" 2 || { bad "fallbacks: the fault loop runs"; return; }
	local f0 g0 c0 e0 t0 f1 g1 c1 e1 t1
	t0=$(date +%s.%N)
	f0=$(vmstat_of thp_fault_fallback)
	g0=$(vmstat_of thp_fault_fallback_charge)
	c0=$(od -An -tu8 -N8 "$T/fb.count")
	e0=$(memcg_failures "$cg")
	run_memtop "$T/fb.out.json" "$T/err" "$MEMTOP" --json -n 2 -d 1 -p "$pid" ||
		{ bad "fallbacks: memtop --json -n 2: $(cat "$T/err")"; return; }
	run_memtop "$T/fb.out.txt" "$T/err" "$MEMTOP" -b -n 2 -d 1 -p "$pid" ||
		{ bad "fallbacks: memtop -b -n 2: $(cat "$T/err")"; return; }
	f1=$(vmstat_of thp_fault_fallback)
	g1=$(vmstat_of thp_fault_fallback_charge)
	c1=$(od -An -tu8 -N8 "$T/fb.count")
	e1=$(memcg_failures "$cg")
	t1=$(date +%s.%N)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	_memcg_remove "$cg"
	check "fallbacks: the cgroup is removed" [ ! -d "$cg" ]
	local faults=$((c1 - c0))
	check "fallbacks: the workload faulted ($faults PMD faults)" [ "$faults" -gt 0 ]
	check "fallbacks: thp_fault_fallback_charge rose by $((g1 - g0)) >= the workload's $faults faults" \
		[ $((g1 - g0 + 2)) -ge "$faults" ]
	check "fallbacks: the cgroup refused charges ($((e1 - e0)))" [ $((e1 - e0)) -gt 0 ]
	local measured
	measured=$(awk -v d=$((f1 - f0)) -v a="$t0" -v b="$t1" 'BEGIN { print d * 60 / (b - a) }')
	py_check "$("$PYTHON" "$T/check.py" fallbacks "$T/fb.json" \
		"$T/fb.out.json" "$T/fb.out.txt" "$measured")"
}

# --- fragmented ------------------------------------------------------------
# record PID DIR: a --proc-root tree of the live process PID (status,
# maps, smaps, mountinfo; pagemap over its VMAs with resident pages, up
# to 1 GiB each, sparse) and of /proc's
# vmstat and meminfo; where the pagemap shows PFNs and /proc/kpageflags
# is readable, the kpageflags of those PFNs too (memtop then knows which
# slots are PMD-mapped). Prints "folios" when it recorded kpageflags.
record() {
	"$PYTHON" - "$1" "$2" <<'PY'
import os, shutil, struct, sys
pid, root = sys.argv[1], sys.argv[2]
d = os.path.join(root, pid)
os.makedirs(d)
for name in ("status", "maps", "smaps", "mountinfo"):
    with open(f"/proc/{pid}/{name}", "rb") as f:
        data = f.read()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
for name in ("vmstat", "meminfo"):
    shutil.copyfile(f"/proc/{name}", os.path.join(root, name))
with open(f"/proc/{pid}/maps") as m, \
     open(f"/proc/{pid}/pagemap", "rb") as src, \
     open(os.path.join(d, "pagemap"), "wb") as dst:
    # the VMAs with resident pages (smaps Rss), up to 1 GiB each (a
    # sanitizer's shadow spans terabytes); the others stay empty
    rss, cur = {}, None
    for line in open(os.path.join(d, "smaps")):
        f = line.split()
        if f and "-" in f[0] and not f[0].endswith(":"):
            cur = tuple(int(x, 16) for x in f[0].split("-"))
        elif f[:1] == ["Rss:"] and cur:
            rss[cur] = int(f[1])
    pfns = set()
    for (lo, hi), kb in rss.items():
        if not kb or hi - lo > 1 << 30:
            continue
        for first in range(lo // 4096, hi // 4096, 1 << 16):
            count = min(1 << 16, hi // 4096 - first)
            src.seek(first * 8)
            data = src.read(count * 8)
            if not data.strip(b"\0"):
                continue
            dst.seek(first * 8)
            dst.write(data)
            for e in struct.unpack("<%dQ" % (len(data) // 8), data):
                if e >> 63 and e & ((1 << 55) - 1):
                    pfns.add(e & ((1 << 55) - 1))
try:
    kpf = open("/proc/kpageflags", "rb")
except OSError:
    pfns = set()
if pfns:
    with kpf, open(os.path.join(root, "kpageflags"), "wb") as dst:
        for pfn in sorted(pfns):
            kpf.seek(pfn * 8)
            dst.seek(pfn * 8)
            dst.write(kpf.read(8))
    print("folios")
PY
}

case_fragmented() {
	[ "$(getconf PAGESIZE)" = 4096 ] || {
		part_skip "fragmented: the recorded tree assumes 4 KiB pages"
		return
	}
	# memtop knows full slots are not PMD-mapped from kpageflags (root:
	# recorded with the tree) or PAGEMAP_SCAN (live only); otherwise
	# the region leaves a page out of every slot (a slot with a hole is
	# not PMD-mapped), and the reason holes then comes before fragmented
	local holes=() rec
	pfns_visible && [ -r /proc/kpageflags ] || holes=(--holes)
	start_workload "$T/fr.json" -- advised "${holes[@]}" ||
		{ bad "fragmented: why_cases starts"; return; }
	local pid=$WL_PID
	rec=$(record "$pid" "$T/tree") || { bad "fragmented: recording process $pid"; return; }
	if [ -z "${holes[*]}" ] && [ "$rec" != folios ]; then
		bad "fragmented: kpageflags recorded with the tree"
		return
	fi
	[ -n "${holes[*]}" ] &&
		part_skip "fragmented: no PFNs or kpageflags for this user: the region has a hole per slot, so fragmented is checked as listed, not as the main reason"
	cp -r "$T/tree" "$T/ctl"
	# most free memory in blocks below a PMD (order 9 of 4 KiB pages)
	cat >"$T/tree/buddyinfo" <<'EOF'
Node 0, zone      DMA      1      1      1      1      1      1      1      0      1      1      3
Node 0, zone    DMA32   3021   2210   1650    930    402    133     41     12      3      0      0
Node 0, zone   Normal 412803 201155  88410  23050   6120   1480    310     64     11    200     80
EOF
	# the same machine after compaction: most of it in PMD blocks
	cat >"$T/ctl/buddyinfo" <<'EOF'
Node 0, zone      DMA      1      1      1      1      1      1      1      0      1      1      3
Node 0, zone    DMA32    120     80     40     20     10      6      4      3      3    190    370
Node 0, zone   Normal   2210   1402    850    410    220    120     60     30     22   1480   4100
EOF
	run_memtop "$T/fr.out.json" "$T/err" "$MEMTOP" --json --proc-root "$T/tree" -p "$pid" ||
		{ bad "fragmented: memtop --json over the tree: $(cat "$T/err")"; return; }
	run_memtop "$T/fr.out.txt" "$T/err" "$MEMTOP" -b --proc-root "$T/tree" -p "$pid" ||
		{ bad "fragmented: memtop -b over the tree: $(cat "$T/err")"; return; }
	run_memtop "$T/fr.ctl.json" "$T/err" "$MEMTOP" --json --proc-root "$T/ctl" -p "$pid" ||
		{ bad "fragmented: memtop --json over the control tree: $(cat "$T/err")"; return; }
	py_check "$("$PYTHON" "$T/check.py" fragmented "$T/fr.json" \
		"$T/fr.out.json" "$T/fr.out.txt" "$T/fr.ctl.json" \
		"$T/tree/buddyinfo" "$PMD_MODE")"
}

# --- khugepaged, against khugepaged itself ---------------------------------
# Two regions of full slots of small pages, MADV_HUGEPAGE, read-only: one
# alone, one whose pages a child shares (more than max_ptes_shared). memtop
# must say khugepaged takes every slot of the first and none of the second;
# then khugepaged must collapse the first within a few of the passes
# memtop's khugepaged_pace gives, and leave the second alone meanwhile.
anon_huge_kb() { # PID START(hex, no 0x): AnonHugePages of that VMA
	awk -v s="$2" '$1 ~ "^"s"-" { f = 1; next }
		f && /^AnonHugePages:/ { print $2; exit }' "/proc/$1/smaps"
}
case_khugepaged() {
	local kh=/sys/kernel/mm/transparent_hugepage/khugepaged
	[ "$PMD_MODE" = madvise ] || [ "$PMD_MODE" = always ] || {
		part_skip "khugepaged: the PMD size's enabled is $PMD_MODE"
		return
	}
	[ -r "$kh/max_ptes_shared" ] && [ "$(cat "$kh/max_ptes_shared")" -lt 512 ] || {
		part_skip "khugepaged: max_ptes_shared lets a fully shared slot be collapsed"
		return
	}
	local rel maj min
	rel=$(uname -r)
	maj=${rel%%.*}
	min=${rel#*.}
	min=${min%%[!0-9]*}
	start_workload "$T/kh.alone.json" -- advised --alone ||
		{ bad "khugepaged: why_cases starts"; return; }
	local pa=$WL_PID sa
	start_workload "$T/kh.shared.json" -- advised ||
		{ bad "khugepaged: why_cases starts"; return; }
	local pb=$WL_PID sb
	sa=$(jq -r .start "$T/kh.alone.json")
	sb=$(jq -r .start "$T/kh.shared.json")
	run_memtop "$T/kh.a.json" "$T/err" "$MEMTOP" --json -p "$pa" &&
		run_memtop "$T/kh.b.json" "$T/err" "$MEMTOP" --json -p "$pb" ||
		{ bad "khugepaged: memtop --json: $(cat "$T/err")"; return; }
	local ka kb pace
	ka=$(jq -r --arg s "0x$sa" '.processes[0].vmas[] | select(.start == $s)
		| .pmd_slots.khugepaged' "$T/kh.a.json")
	kb=$(jq -r --arg s "0x$sb" '.processes[0].vmas[] | select(.start == $s)
		| .pmd_slots.khugepaged' "$T/kh.b.json")
	pace=$(jq -r --arg s "0x$sa" '.processes[0].vmas[] | select(.start == $s)
		| .why[] | select(.code == "khugepaged_pace") | .value' "$T/kh.a.json")
	if [ "$ka" = null ] || [ "$kb" = null ]; then
		# full slots' sharing comes from pagemap's exclusive bit, read
		# with the PFN walk; PAGEMAP_SCAN alone does not give it
		if pfns_visible; then
			bad "khugepaged: not known ($ka, $kb) though PFNs are visible"
		else
			part_skip "khugepaged: without PFNs memtop does not read which pages are shared, and says not known ($ka, $kb)"
		fi
		return
	fi
	check "khugepaged: none of the shared region's slots (got $kb)" test "$kb" = 0
	if [ "$maj" -lt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -lt 18 ]; }; then
		check "khugepaged: a read-only region is not known before 6.18 (got $ka)" \
			test "$ka" = null
		part_skip "khugepaged: Linux $rel: whether it takes read-only slots is not modelled"
		return
	fi
	# khugepaged may have taken the region before memtop looked: then
	# its slots are PMD-mapped and there is nothing left to predict
	local ma
	ma=$(jq -r --arg s "0x$sa" '.processes[0].vmas[] | select(.start == $s)
		| .pmd_slots.mapped' "$T/kh.a.json")
	if [ "$ma" = 2 ]; then
		check "khugepaged: the region alone, collapsed already, has nothing left (got $ka)" \
			test "$ka" = 0
		part_skip "khugepaged: it collapsed the region alone before memtop looked; the wait is not timed"
		return
	fi
	check "khugepaged: both slots of the read-only region alone (got $ka)" test "$ka" = 2
	check "khugepaged: a pace is given (got '$pace')" test -n "$pace"
	local limit=$(( (${pace:-30} * 4 > 60 ? ${pace:-30} * 4 : 60) * WAIT_SCALE / 4 ))
	local i got=0
	for ((i = 0; i < limit * 2; i++)); do
		got=$(anon_huge_kb "$pa" "$sa")
		[ "${got:-0}" -ge 4096 ] && break
		sleep 0.5
	done
	check "khugepaged: collapsed the region alone within ${limit} s (AnonHugePages ${got:-?} kB; pace ${pace:-?} s)" \
		test "${got:-0}" -ge 4096
	got=$(anon_huge_kb "$pb" "$sb")
	check "khugepaged: left the shared region alone meanwhile (AnonHugePages ${got:-?} kB)" \
		test "${got:-1}" = 0
}

# --- settings changed for a moment (root) ---------------------------------
# shmem_denied and thp_never need a setting that says no. Only the PMD
# size's own files are changed, for the seconds a case takes, and put
# back (tests/lib.sh sysfs_set, also at exit).
case_settings() {
	if ! is_root || ! in_init_userns; then
		part_skip "settings: changing the PMD size's enabled and shmem_enabled needs root in the initial user namespace"
		return
	fi
	local sz=$THP/hugepages-${PMD_KB}kB
	if [ -w "$sz/shmem_enabled" ]; then
		sysfs_set "$sz/shmem_enabled" never &&
			case_shmem
		sysfs_restore
	else
		part_skip "settings: no $sz/shmem_enabled to set"
	fi
	[ -w "$sz/enabled" ] || { part_skip "settings: no $sz/enabled to set"; return; }
	sysfs_set "$sz/enabled" never || { bad "settings: set $sz/enabled"; return; }
	# a process of its own: one slot written after MADV_HUGEPAGE (the
	# fault path must give small pages), then MADV_COLLAPSE asked by
	# itself when told (it must still collapse: the setting does not
	# bind MADV_COLLAPSE)
	cat >"$T/nv.py" <<'PY'
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
PMD = 2 << 20
r = libc.mmap(None, 4 * PMD, 0, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
a = (r + PMD - 1) // PMD * PMD
m = libc.mmap(a, PMD, mmap.PROT_READ | mmap.PROT_WRITE,
              mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x10, -1, 0)  # MAP_FIXED
assert m == a
assert libc.madvise(ctypes.c_void_p(a), PMD, 14) == 0  # MADV_HUGEPAGE
ctypes.memset(a, 1, PMD)
print(os.getpid(), "%x" % a, flush=True)
sys.stdin.readline()
rc = libc.madvise(ctypes.c_void_p(a), PMD, 25)  # MADV_COLLAPSE
print(rc if rc == 0 else ctypes.get_errno(), flush=True)
sys.stdin.readline()
PY
	coproc NV { "$PYTHON" -u "$T/nv.py"; }
	local pid addr rc hk
	read -r pid addr <&"${NV[0]}" || { bad "settings: the never process starts"; return; }
	hk=$(anon_huge_kb "$pid" "$addr")
	check "thp_never: a fault under MADV_HUGEPAGE gave small pages (AnonHugePages ${hk:-?} kB)" \
		test "${hk:-1}" = 0
	run_memtop "$T/nv.json" "$T/err" "$MEMTOP" --json -p "$pid" ||
		{ bad "thp_never: memtop --json: $(cat "$T/err")"; return; }
	run_memtop "$T/nv.txt" "$T/err" "$MEMTOP" -b -p "$pid" ||
		{ bad "thp_never: memtop -b: $(cat "$T/err")"; return; }
	jq_check "thp_never: the main reason, with 1 slot" "$T/nv.json" \
		'.processes[0].vmas[] | select(.start == $s)
		 | .why[0].code == "thp_never" and .why[0].value == 1' --arg s "0x$addr"
	jq_check "thp_never: khugepaged 0, collapsible 1" "$T/nv.json" \
		'.processes[0].vmas[] | select(.start == $s) | .pmd_slots
		 | .khugepaged == 0 and .collapsible == 1' --arg s "0x$addr"
	check "thp_never: -b shows why:thp_never" \
		grep -q "^  0*$addr-.* why:thp_never " "$T/nv.txt"
	echo >&"${NV[1]}"
	read -r rc <&"${NV[0]}"
	hk=$(anon_huge_kb "$pid" "$addr")
	check "thp_never: MADV_COLLAPSE still collapses the slot memtop calls collapsible (rc $rc, AnonHugePages ${hk:-?} kB)" \
		test "$rc" = 0 -a "${hk:-0}" = 2048
	echo >&"${NV[1]}"
	wait "$NV_PID" 2>/dev/null
	sysfs_restore
}

case_vma_type
case_shmem
case_fallbacks
case_fragmented
case_khugepaged
case_settings
finish
