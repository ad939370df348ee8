#!/bin/bash
# t_mthp.sh - the mTHP verdicts at fault (JSON "mthp" of a VMA), on a
# region of 16 aligned blocks of one mTHP size whose first 8 blocks hold
# a page (tests/helpers/mthp_fault.c):
#  - for every size the kernel lists: the aligned blocks inside the VMA
#    and the empty ones equal what the helper wrote, "allowed" follows
#    the size's enabled file (always; madvise: the region has
#    MADV_HUGEPAGE; inherit: the global enabled likewise), and the code
#    is mthp_off, mthp_no_block, mthp_filled or null as those say (a
#    second VMA half a block off has no aligned block: mthp_no_block);
#  - the kernel agrees (root, with /proc/kpageflags): the size's enabled
#    is set to madvise for the test and put back after. With the first
#    pages written while it was never, memtop must call the size allowed
#    with 8 empty blocks; then a fault in an empty block must get a folio
#    of the largest allowed size whose aligned block there is empty, and
#    a fault in a block that has a page an order-0 page (the VMA's
#    folios, from memtop's folio view, which reads kpageflags).
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout
TH=/sys/kernel/mm/transparent_hugepage
[ -r "$TH/enabled" ] || skip "the kernel has no transparent huge pages"
HELPER=$HELPERS/mthp_fault
[ -x "$HELPER" ] || { echo "FAIL: $SUITE: $HELPER is not built"; exit 1; }
page_kb=$(($(getconf PAGESIZE) / 1024))
pmd_kb=$(($(cat "$TH/hpage_pmd_size") / 1024))
# the size under test: 64K if listed with an anonymous enabled file, else
# the largest listed one that 16 blocks of stay below the PMD size
KB=""
for d in "$TH"/hugepages-*kB; do
	[ -f "$d/enabled" ] || continue
	k=${d##*hugepages-}
	k=${k%kB}
	[ $((k * 16)) -lt "$pmd_kb" ] && [ "$k" -ge $((page_kb * 2)) ] || continue
	if [ "$k" -eq 64 ] || [ -z "$KB" ] || [ "$k" -gt "$KB" ]; then
		[ "${KB:-0}" -eq 64 ] || KB=$k
	fi
done
[ -n "$KB" ] || skip "no mTHP size (hugepages-*kB/enabled) with 16 blocks below the PMD size"
mktemp_dir

SIZE_FILE=$TH/hugepages-${KB}kB/enabled

# check_verdicts TAG: memtop's mthp list for the region against the
# helper's layout and the enabled files read now
check_verdicts() {
	local tag=$1
	run_memtop "$T/out.$tag.json" "$T/err" "$MEMTOP" --json -p "$WL_PID" ||
		{ bad "$tag: memtop --json: $(cat "$T/err")"; return; }
	py_check "$("$PYTHON" - "$T/wl.json" "$T/out.$tag.json" "$TH" "$tag" <<'PY'
import json, os, re, sys
wl = json.load(open(sys.argv[1]))
proc = json.load(open(sys.argv[2]))["processes"][0]
th, tag = sys.argv[3], sys.argv[4]
n = bad = 0
def ck(ok, msg):
    global n, bad
    n += 1
    if not ok:
        bad += 1
        print(f"FAIL: t_mthp: {tag}: {msg}")
def word(path):
    m = re.search(r"\[(\w+)\]", open(path).read())
    return m.group(1) if m else None
page = os.sysconf("SC_PAGESIZE")
pmd_kb = int(open(f"{th}/hpage_pmd_size").read()) // 1024
glob = word(f"{th}/enabled")
lo, hi = int(wl["start"], 16), int(wl["end"], 16)
vma = [v for v in proc["vmas"] if int(v["start"], 16) == lo]
ck(len(vma) == 1 and int(vma[0]["end"], 16) == hi, "the region is one VMA")
if vma:
    v = vma[0]
    b = wl["block_pages"]
    touched = {i * b + 1 for i in range(8)}
    sizes = sorted(int(d[len("hugepages-"):-2]) for d in os.listdir(th)
                   if d.startswith("hugepages-") and
                   os.path.exists(f"{th}/{d}/enabled"))
    want = [k for k in sizes if k < pmd_kb and k * 1024 >= 2 * page]
    got = {m["size_kb"]: m for m in v.get("mthp", [])}
    ck(sorted(got) == want, f"one verdict per size: {sorted(got)} == {want}")
    npages = (hi - lo) // page
    for k in want:
        m = got.get(k)
        if not m:
            continue
        s = k * 1024 // page
        blocks = npages // s  # the region is aligned to 16 blocks
        pop = len({p // s for p in touched})
        empty = blocks - pop
        mode = word(f"{th}/hugepages-{k}kB/enabled")
        if mode == "inherit":
            mode = glob
        allowed = mode == "always" or mode == "madvise"  # it has MADV_HUGEPAGE
        ck(m["blocks"] == blocks, f"{k}K: blocks {m['blocks']} == {blocks}")
        ck(m["empty"] == empty, f"{k}K: empty {m['empty']} == {empty}")
        ck(m["allowed"] == allowed, f"{k}K: allowed {m['allowed']} == {allowed} ({mode})")
        code = ("mthp_off" if not allowed else "mthp_no_block" if blocks == 0
                else "mthp_filled" if empty == 0 else None)
        ck(m["code"] == code, f"{k}K: code {m['code']} == {code}")
        ck(isinstance(m["text"], str) and len(m["text"]) > 20, f"{k}K: a sentence")
print(f"assertions: {n} failed: {bad}")
PY
)"
}

# 1. the verdicts under the settings as they are
WORKLOAD=$HELPER
start_workload "$T/wl.json" -- --kb "$KB" || { bad "mthp_fault starts"; finish; }
check_verdicts asis
kill -KILL "$WL_PID" 2>/dev/null
wait "$WL_PID" 2>/dev/null

# 2. the kernel's answer
if ! is_root || ! in_init_userns; then
	part_skip "the kernel's answer needs root in the initial user namespace (writes $SIZE_FILE, reads /proc/kpageflags)"
	finish
fi
if ! [ -r /proc/kpageflags ] || ! pfns_visible; then
	part_skip "the kernel's answer needs /proc/kpageflags and PFNs, not available here"
	finish
fi
sysfs_set "$SIZE_FILE" never || { bad "write never to $SIZE_FILE"; finish; }
start_workload "$T/wl.json" -- --kb "$KB" ||
	{ bad "mthp_fault starts"; finish; }
echo madvise >"$SIZE_FILE" || { bad "write madvise to $SIZE_FILE"; finish; }
check_verdicts madvise
jq_check "${KB}K: mthp_no_block in the VMA half a block off" "$T/out.madvise.json" \
	'.processes[0].vmas[] | select(.start == $s) | .mthp[]
	 | select(.size_kb == $kb) | .allowed == true and .blocks == 0 and .code == "mthp_no_block"' \
	--arg s "$(jq -r .small_start "$T/wl.json")" --argjson kb "$KB"
jq_check "${KB}K allowed with 8 empty blocks and no code" "$T/out.madvise.json" \
	'.processes[0].vmas[] | select(.start == $s) | .mthp[]
	 | select(.size_kb == $kb) | .allowed == true and .empty == 8 and .code == null' \
	--arg s "$(jq -r .start "$T/wl.json")" --argjson kb "$KB"
# the viewer's reasons box for the region gives the same verdict
if command -v tmux >/dev/null; then
	SOCK=memtop-mthp-$$
	tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }
	s=$(jq -r .start "$T/wl.json" | sed 's/^0x//')
	want=$(jq -r --arg s "0x$s" --argjson kb "$KB" '.processes[0].vmas[]
		| select(.start == $s) | .mthp[] | select(.size_kb == $kb) | .text' \
		"$T/out.madvise.json")
	tmx new-session -d -x 140 -y 45 -e LC_ALL=C.UTF-8 \
		"MEMTOPRC=$T/rc $MEMTOP --no-config -p $WL_PID; exec sleep 60"
	for ((i = 0; i < 100 * WAIT_SCALE; i++)); do
		tmx capture-pane -p | grep -Eq 'scan [0-9.]+m?s at' && break
		sleep 0.05
	done
	tmx send-keys Enter
	sleep 0.5
	tmx send-keys Home
	for ((i = 0; i < 80; i++)); do
		tmx capture-pane -p | grep -q "why VMA $s " && break
		tmx send-keys Down
		sleep 0.1
	done
	sleep 0.3
	box=$(tmx capture-pane -p | sed -n "/why VMA $s /,\$p" | cut -c1-93 |
		sed 's/^ *//; s/ *│.*$//; s/ *$//' | tr '\n' ' ' | tr -s ' ')
	check "the viewer's box gives the ${KB}K verdict ('$want')" \
		grep -qF "${KB}K folios: $want" <<<"$box"
	tmx kill-server 2>/dev/null
else
	part_skip "no tmux: the viewer's box is not looked at"
fi
# block 8 starts at 8 N: a size S has its aligned block there empty when
# S divides 8 N and S <= 8 N; take the largest allowed such size
fold=$(jq -r --arg s "$(jq -r .start "$T/wl.json")" --argjson kb "$KB" \
	'[.processes[0].vmas[] | select(.start == $s) | .mthp[]
	  | select(.allowed == true and .size_kb <= 8 * $kb
	           and ((8 * $kb) % .size_kb) == 0) | .size_kb] | max // 0' \
	"$T/out.madvise.json")
kill -CONT "$WL_PID"
for ((i = 0; i < 200 * WAIT_SCALE; i++)); do
	[ "$(proc_state "$WL_PID")" = T ] && grep -q touched "$T/wl.json" && break
	sleep 0.05
done
run_memtop "$T/after.json" "$T/err" "$MEMTOP" --json -p "$WL_PID" ||
	bad "memtop --json after the faults: $(cat "$T/err")"
sysfs_restore
"$PYTHON" - "$T/after.json" "$(jq -r .start "$T/wl.json" | head -1)" "$fold" "$page_kb" <<'PY' >"$T/py.out"
import json, sys
proc = json.load(open(sys.argv[1]))["processes"][0]
start, fold, page_kb = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
v = [v for v in proc["vmas"] if v["start"] == start][0]
f = v["folios"]["anon"]
order = (fold // page_kb).bit_length() - 1 if fold else 0
pa = f["pte_aligned"]  # pages in large folios, by order
n = bad = 0
def ck(ok, msg):
    global n, bad
    n += 1
    if not ok:
        bad += 1
        print(f"FAIL: t_mthp: kernel: {msg}")
# 8 pages written while the size was never, and the fault in a block
# with a page: order 0, in no large folio
big = (1 << order) if order else 0
ck(sum(pa) == big and (not order or pa[order] == big),
   f"pages in large folios: {big} in one {fold}K folio (pte_aligned {pa})")
ck(v["present_pages"] == 9 + (big or 1),
   f"present pages {v['present_pages']} == {9 + (big or 1)}")
print(f"assertions: {n} failed: {bad}")
PY
py_check "$(cat "$T/py.out")"
kill -CONT "$WL_PID" 2>/dev/null
finish
