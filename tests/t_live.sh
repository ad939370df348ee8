#!/bin/bash
# t_live.sh - memtop against a live workload whose memory has known shapes.
#
# The workload (tests/helpers/workload.c) maps regions, writes to them,
# prints what it made and stops itself. Then, on the stopped process:
#  - every region is one VMA whose present_hist is what the shape implies,
#    and whose present_pages is smaps Rss / page size;
#  - every VMA of the process agrees with a reference computed from
#    /proc/PID/pagemap by tests/fixtures/refhist.py (present and, when PFNs
#    are visible, mappable histograms), and sum(hist[n] << n) equals
#    present_pages;
#  - with PFNs (root): mappable_hist refines present_hist, the THP region
#    has AnonHugePages / 2 MiB PMD-order mappable blocks, and
#    folios.{anon,file}.pmd_mapped equals smaps AnonHugePages and
#    FilePmdMapped + ShmemPmdMapped for every VMA;
#  - PAGEMAP_SCAN, pread, --no-pfns and the ASan build give the same
#    histograms; --max-order folds them as expected;
#  - batch text output, the omit options, -u, -p with two pids;
#  - over all processes (plain and ASan builds): the invariants hold for
#    every process and the workload's figures are the same as with -p.
# (Options as such are t_cli.sh's, hostile names t_hostile.sh's.)
# Unprivileged, the root-only parts are skipped and said so.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
mktemp_dir

start_workload "$T/wl.json" -- --dir "$T" || {
	bad "workload starts and stops itself"
	finish
}
PID=$WL_PID
ok "workload $PID started and stopped"

ref() { # ORDER OUT
	"$PYTHON" "$REFHIST" snapshot "$PID" --max-order "$1" >"$2"
}

# name args...: run memtop, keep stdout in $T/name.out, stderr in .err
declare -A RC
run() {
	local name=$1 bin=$MEMTOP
	shift
	if [ "$name" = asan ]; then bin=$MEMTOP_ASAN; fi
	run_memtop "$T/$name.out" "$T/$name.err" "$bin" "$@"
	RC[$name]=$?
}

have_asan=0
[ -x "$MEMTOP_ASAN" ] && have_asan=1

# The process is stopped, but the kernel may still move its pages
# (compaction, khugepaged). Take the reference before and after the memtop
# runs and retry when the PFNs changed in between.
stable=0
for attempt in 1 2 3; do
	if ! { ref 9 "$T/ref9.json" && ref 4 "$T/ref4.json" &&
	       ref 12 "$T/ref12.json"; }; then
		bad "reference snapshot of /proc/$PID"
		finish
	fi
	run auto --json -p "$PID"
	run scan --json -p "$PID" --pagemap-method=scan
	run pread --json -p "$PID" --pagemap-method=pread
	run nopfns --json -p "$PID" --no-pfns
	run max4 --json -p "$PID" --max-order 4
	run max12 --json -p "$PID" --max-order 12
	run text -b -p "$PID"
	run textnopfns -b -p "$PID" --no-pfns
	[ $have_asan = 1 ] && run asan --json -p "$PID"
	ref 9 "$T/ref9b.json"
	if [ "$(jq -c '[.vmas[] | .pfn_sum, .present_hist]' "$T/ref9.json")" = \
	     "$(jq -c '[.vmas[] | .pfn_sum, .present_hist]' "$T/ref9b.json")" ]; then
		stable=1
		break
	fi
	echo "note: pages of $PID moved during attempt $attempt, retrying"
done
check "pages stayed in place during one attempt" [ $stable = 1 ]
check "workload still stopped" [ "$(proc_state "$PID")" = T ]

for name in "${!RC[@]}"; do
	check "memtop ($name) exits 0" [ "${RC[$name]}" = 0 ]
	if [ -s "$T/$name.err" ]; then
		bad "memtop ($name) wrote to stderr: $(head -c 400 "$T/$name.err")"
	else
		ok "memtop ($name) stderr empty"
	fi
done

pfns=$(jq -r 'if .pfns then 1 else 0 end' "$T/ref9.json")
if [ "$pfns" = 1 ]; then
	echo "PFNs are visible: checking mappable and folio views"
else
	part_skip "PFNs are not visible to $(id -un) (needs CAP_SYS_ADMIN):" \
		"mappable and folio views are checked to be null"
fi

live() { # name ref
	py_check "$("$PYTHON" "$REFHIST" check-live "$T/wl.json" "$2" \
		"$T/$1.out" "$1" "${@:3}")"
}
live auto "$T/ref9.json"
live scan "$T/ref9.json"
# Without PFNs, the pread fallback cannot tell the zero page from memory:
# where this kernel mapped zero pages for the workload, t_unpriv checks
# that path on a workload without them.
zero_mapped=$(jq -r '[.regions[] | select(.read_faults == "zero")] | length' \
	"$T/wl.json")
if [ "$pfns" = 1 ] || [ "$zero_mapped" = 0 ]; then
	live pread "$T/ref9.json"
else
	part_skip "pread without PFNs counts zero page mappings as present:" \
		"checked by t_unpriv on a workload without them"
fi
# What the read faults mapped is the kernel's choice: memtop says which
jq_check "JSON: the kernel's zero page use agrees with the workload's" \
	"$T/auto.out" \
	'($wl[0].regions[] | select(.shape == "zero") | .read_faults) as $rf |
	 if $rf == "zero" then .kernel.zero_page == true
	 elif $rf == "memory" then .kernel.zero_page == false
	 else false end' --slurpfile wl "$T/wl.json"
live nopfns "$T/ref9.json" --expect-pfns 0 --expect-folios 0
live max4 "$T/ref4.json"
live max12 "$T/ref12.json"
[ $have_asan = 1 ] && live asan "$T/ref9.json"
[ $have_asan = 0 ] && part_skip "no ASan build at $MEMTOP_ASAN"

same() { # label a b [--mappable]
	py_check "$("$PYTHON" "$REFHIST" same-hists "$1" "$T/$2.out" \
		"$T/$3.out" "${@:4}")"
}
# both pagemap paths give identical histograms on the same process
[ "$pfns" = 1 ] && same "scan vs pread" scan pread --mappable
same "auto vs scan" auto scan --mappable
same "auto vs --no-pfns (present)" auto nopfns
[ $have_asan = 1 ] && same "plain vs asan" auto asan --mappable

THP_REGION=$(jq -r '.regions[] | select(.shape == "thp") | .start' "$T/wl.json")
kver=$(uname -r)
kmaj=${kver%%.*} kmin=${kver#*.}
kmin=${kmin%%[!0-9]*}
if [ "$kmaj" -gt 6 ] || { [ "$kmaj" -eq 6 ] && [ "${kmin:-0}" -ge 7 ]; }; then
	jq_check "scan run used PAGEMAP_SCAN (Linux >= 6.7)" "$T/scan.out" \
		'.pagemap_scan == true'
else
	part_skip "Linux $kver has no PAGEMAP_SCAN: only the pread path is tested"
fi
jq_check "pread run did not use PAGEMAP_SCAN" "$T/pread.out" \
	'.pagemap_scan == false'
jq_check "max12 has 13 orders" "$T/max12.out" \
	'.max_order == 12 and (.totals.present_hist | length) == 13'
jq_check "--no-pfns: privileged.pfns false, no mappable or folios anywhere" \
	"$T/nopfns.out" '.privileged.pfns == false and
	 ([.. | objects | select(has("mappable_hist")) | .mappable_hist] | all(. == null)) and
	 ([.. | objects | select(has("folios")) | .folios] | all(. == null))'
thp_enabled=$(sed -n 's/.*\[\(.*\)\].*/\1/p' \
	/sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
jq_check "thp.enabled is the selected word of sysfs" "$T/auto.out" \
	'.thp.enabled == $e' --arg e "${thp_enabled:-?}"
ahp=$(awk -v s="${THP_REGION#0x}" '
	$1 ~ /^[0-9a-f]+-/ { split($1, a, "-"); cur = (a[1] == s) }
	cur && /^AnonHugePages:/ { print $2 }' "/proc/$PID/smaps")
if [ "${ahp:-0}" = 0 ]; then
	part_skip "THP region got no huge pages (AnonHugePages 0 kB: allocation" \
		"failed or THP disabled); PMD-mapped checks ran against 0"
else
	ok "THP region is PMD-mapped ($ahp kB AnonHugePages)"
fi
# PMD-mapped slots agree with smaps in every mode: from the PAGEMAP_SCAN
# walk (present view) and from the folio view (root)
psize=$(getconf PAGESIZE)
pmd_kb=$(($(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null ||
	echo $((psize * psize / 8))) / 1024))
for name in auto nopfns; do
	jq_check "$name: PMD-mapped slots of the THP region == AnonHugePages / PMD size" \
		"$T/$name.out" \
		'[.processes[0].vmas[] | select(.start == $s) | .pmd_slots.mapped] == [$m]' \
		--arg s "$THP_REGION" --argjson m $(( ${ahp:-0} / pmd_kb ))
done

# --- batch text output -------------------------------------------------
txt=$T/text.out
check "text: a process line for the workload" \
	grep -Eq "^process +$PID +workload " "$txt"
while read -r start end; do
	s=$(printf '%016x-%016x' "$start" "$end")
	check "text: VMA line for region $s" grep -q "^  $s " "$txt"
done < <(jq -r '.regions[] | "\(.start) \(.end)"' "$T/wl.json")
check "text: last line is a summary starting with '# '" \
	last_line_starts "$txt" "# "
check "text: summary counts 1 process" grep -Eq '^# 1 process(es)? scanned' "$txt"
check "text: no control bytes" no_controls "$txt"
# the reason is the option, unless PFNs were out of reach anyway
if [ "$pfns" = 1 ]; then why='off \(--no-pfns\)' hwhy='--no-pfns'
else why='(needs root|PFNs hidden)' hwhy='(needs root|PFNs hidden)'; fi
check "text --no-pfns: says why the mappable view is missing" \
	grep -Eq "^process +$PID .*mappable $why" "$T/textnopfns.out"
check "text --no-pfns: says why the folio view is missing" \
	grep -Eq "^process +$PID .*folios $why\$" "$T/textnopfns.out"
check "text --no-pfns: the header gives the reason" \
	grep -Eq "^# memtop .*\(mappable unavailable: $hwhy" "$T/textnopfns.out"

# --- options (the command line as such is t_cli.sh's) ---------------------
run omitu --json -p "$PID" --omit-unfaulted-vmas
jq_check "--omit-unfaulted-vmas leaves only faulted VMAs" "$T/omitu.out" \
	'[.processes[0].vmas[] | .present_pages > 0] | all and length > 0'
check "--omit-unfaulted-vmas keeps every faulted VMA" [ \
	"$(jq '[.processes[0].vmas[] | select(.present_pages > 0)] | length' "$T/auto.out")" = \
	"$(jq '.processes[0].vmas | length' "$T/omitu.out")" ]
run omitf --json -p "$PID" --omit-file-backed
jq_check "--omit-file-backed leaves out files, keeps memfd and shmem" \
	"$T/omitf.out" '[.processes[0].vmas[] | .file_backed] | any | not'
jq_check "--omit-file-backed keeps memfd and shmem" "$T/omitf.out" \
	'[.processes[0].vmas[] | .kind] | (index("memfd") != null and index("shmem") != null)'

run user --json -u "$(id -un)" -p "$PID"
jq_check "-u $(id -un) -p PID lists the workload" "$T/user.out" \
	".processes | map(.pid) == [$PID]"
run sortpid --json -p "$PID,$$" -s pid
check "-p PID,PID -s pid: exit 0" [ "${RC[sortpid]}" = 0 ]
jq_check "-p with two pids lists both, -s pid sorts" "$T/sortpid.out" \
	"[.processes[].pid] == ([$PID, $$] | sort)"

# --- all processes -------------------------------------------------------
run all --json
check "all processes: exit 0" [ "${RC[all]}" = 0 ]
py_check "$("$PYTHON" "$REFHIST" check-doc "$T/all.out" all --expect-pfns "$pfns")"
# (outside the retry loop above: present pages only, PFNs may have moved)
same "all processes vs -p (workload)" auto all --pid "$PID"
run allk --json --kernel-threads
jq_check "--kernel-threads lists kernel threads too" "$T/allk.out" \
	'(.processes | length) == .summary.scanned and
	 ([.processes[] | select(.kthread)] | length) == .summary.kthreads'
run alltext -b
check "all processes -b: exit 0" [ "${RC[alltext]}" = 0 ]
check "all processes -b: ends with a '# ' summary" \
	last_line_starts "$T/alltext.out" "# "
if [ $have_asan = 1 ]; then
	run asan --json
	check "ASan, all processes --json: exit 0" [ "${RC[asan]}" = 0 ]
	check "ASan, all processes --json: no report" [ ! -s "$T/asan.err" ]
	py_check "$("$PYTHON" "$REFHIST" check-doc "$T/asan.out" asan-all --expect-pfns "$pfns")"
	run asan -b --max-order 12 --smaps
	check "ASan, all processes -b --smaps: exit 0" [ "${RC[asan]}" = 0 ]
	check "ASan, all processes -b: no report" [ ! -s "$T/asan.err" ]
fi

finish
