#!/bin/bash
# t_fixtures.sh - memtop over fixture /proc and /sys trees.
#
# tests/fixtures/make_tree.py builds the trees in a temp dir (sparse
# pagemap and kpageflags files, nothing binary in the repository) and
# writes scenarios.json: memtop command lines and what each must print.
# For every scenario: exit 0, nothing on stderr (or what the scenario says
# it must print), and
# tests/fixtures/refhist.py check-fixture compares the document with the
# expected summary counts (vanished, denied, pagemap_denied, kthreads,
# bad_lines, errors, filtered), THP settings and PMD order from the sys
# root, and the exact present/mappable histograms and folio figures.
# Then the text output of the hostile tree must be printable ASCII only.
#
# PFNs in a fixture follow the privilege of the user running memtop, so
# the PFN scenarios need root; the "unprivileged" scenario runs as nobody
# (as root) or as the current user (otherwise): maps mode 000 is then
# denied and pagemap mode 000 counted as pagemap_denied.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
[ "$(getconf PAGESIZE)" = 4096 ] ||
	skip "the fixture trees are laid out for 4 KiB pages, not $(getconf PAGESIZE)"
mktemp_dir
umask 022
"$PYTHON" "$TESTS_DIR/fixtures/make_tree.py" "$T/fx" ||
	{ bad "make_tree.py builds the fixture"; finish; }
SC=$T/fx/scenarios.json
PROC=$(jq -r .proc "$SC")
SYS=$(jq -r .sys "$SC")
ok "fixture built ($(du -sh "$T/fx" | cut -f1) on disk)"

UNPRIV=()
if is_root; then
	if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
	   as_user nobody test -x "$MEMTOP" 2>/dev/null &&
	   as_user nobody test -r "$PROC/100/maps" 2>/dev/null; then
		setpriv_for nobody
		UNPRIV=("${SETPRIV[@]}")
	else
		UNPRIV=(none)
	fi
elif has_sys_admin; then
	UNPRIV=(none)
fi

scenario() { # name
	local name=$1 bin=${2:-$MEMTOP} tag=${3:-}
	local -a args
	mapfile -t args < <(jq -r --arg n "$name" \
		'.scenarios[] | select(.name == $n) | .args[]' "$SC")
	local as_user root_only
	as_user=$(jq -r --arg n "$name" \
		'.scenarios[] | select(.name == $n) | .as_user // false' "$SC")
	root_only=$(jq -r --arg n "$name" \
		'.scenarios[] | select(.name == $n) | .root_only // false' "$SC")
	local -a pre=()
	if [ "$as_user" = true ]; then
		if [ "${UNPRIV[0]:-}" = none ]; then
			part_skip "scenario $name: cannot run memtop without privileges here"
			return
		fi
		pre=("${UNPRIV[@]}")
	elif [ "$root_only" = true ] && ! is_root; then
		part_skip "scenario $name: PFNs in fixtures need root"
		return
	fi
	local out=$T/$name$tag.out err=$T/$name$tag.err
	(cd "$T" && timeout -k 5 30 "${pre[@]}" "$bin" "${args[@]}" >"$out" 2>"$err")
	local rc=$?
	check "scenario $name$tag: exit 0 (got $rc)" [ $rc = 0 ]
	# what the scenario must say on stderr (a named pid that does not
	# exist), else nothing
	local want
	want=$(jq -r --arg n "$name" \
		'.scenarios[] | select(.name == $n) | .stderr // ""' "$SC")
	if [ -n "$want" ]; then
		check "scenario $name$tag: stderr is '$want' (got '$(head -c 300 "$err")')" \
			test "$(cat "$err")" = "$want"
	elif [ -s "$err" ]; then
		bad "scenario $name$tag: stderr: $(head -c 400 "$err")"
	else
		ok "scenario $name$tag: stderr empty"
	fi
	py_check "$("$PYTHON" "$REFHIST" check-fixture "$SC" "$name" "$out")"
}

for name in $(jq -r '.scenarios[].name' "$SC"); do
	scenario "$name"
done
if [ -x "$MEMTOP_ASAN" ]; then
	scenario all "$MEMTOP_ASAN" " (asan)"
	scenario unprivileged "$MEMTOP_ASAN" " (asan)"
else
	part_skip "no ASan build at $MEMTOP_ASAN"
fi

# --- the hostile tree as JSON and as text ----------------------------------
run_memtop "$T/h.json" "$T/h.err" "$MEMTOP" --json --proc-root "$PROC" \
	--sys-root "$SYS" -p 500
check "hostile: --json exit 0" [ $? = 0 ]
check "hostile: python3 -m json.tool accepts it" \
	"$PYTHON" -m json.tool "$T/h.json" /dev/null
jq_check "hostile: jq accepts it" "$T/h.json" '.processes[0].pid == 500'
check "hostile: JSON output is ASCII or valid UTF-8 without raw controls" \
	"$PYTHON" -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
sys.exit(any(ord(ch) < 0x20 and ch != "\n" for ch in t))' "$T/h.json"

run_memtop "$T/all.txt" "$T/all.err" "$MEMTOP" -b --proc-root "$PROC" \
	--sys-root "$SYS"
rc=$?
txt=$T/all.txt
check "text: exit 0 (got $rc)" [ $rc = 0 ]
check "text: only printable ASCII and newlines (no ESC, BEL, C1, UTF-8)" \
	bash -c '! LC_ALL=C grep -q "[^ -~]" "$1"' _ "$txt"
check "text: hostile name shown escaped" \
	grep -Fq '\x1b]0;pwned\x07\x1b[31mevil\xff\xfe\xc3(' "$txt"
check "text: hostile path shown escaped" \
	grep -Fq '/tmp/\x1b[2Jclear\xff\x9b \xc2\x9bC1\012nl \xe2\x98\x83 (deleted)' "$txt"
check "text: last line is the summary" last_line_starts "$txt" "# "
summary=$(tail -n 1 "$txt")
for want in "3 vanished" "2 kernel threads" "8 bad maps lines" "1 errors"; do
	check "text: summary says '$want'" grep -q "$want" <<<"$summary"
done
check "text: the garbage-maps process keeps its 2 good VMAs" [ \
	"$(awk '/^process +400 /{p=1; next} /^process/{p=0} p' "$txt" |
	   grep -c '^  [0-9a-f]\{16\}-')" = 2 ]
check "text: no kernel threads listed by default" \
	bash -c '! grep -Eq "^process +60[01] " "$1"' _ "$txt"

# --- roots that are not there or empty ---------------------------------------
run_memtop "$T/x.out" "$T/x.err" "$MEMTOP" --json --proc-root "$T/nonexistent"
rc=$?
check "missing proc root: fails (exit $rc)" [ $rc != 0 ] && [ $rc != 124 ]
check "missing proc root: says so on stderr" grep -q nonexistent "$T/x.err"
check "missing proc root: nothing on stdout" [ ! -s "$T/x.out" ]
run_memtop "$T/x.out" "$T/x.err" "$MEMTOP" --json --proc-root "$PROC" \
	--sys-root "$T/nonexistent"
rc=$?
check "missing sys root: fails (exit $rc)" [ $rc != 0 ] && [ $rc != 124 ]
mkdir "$T/emptysys"
run_memtop "$T/e.out" "$T/e.err" "$MEMTOP" --json --proc-root "$PROC" \
	--sys-root "$T/emptysys" -p 100
check "empty sys root: exit 0" [ $? = 0 ]
jq_check "empty sys root: THP settings unknown, PMD order from the page size" \
	"$T/e.out" '.thp == {"enabled": "?", "defrag": "?"} and .pmd_order == 9'
mkdir "$T/emptyproc"
run_memtop "$T/e.out" "$T/e.err" "$MEMTOP" --json --proc-root "$T/emptyproc" \
	--sys-root "$SYS"
check "empty proc root: exit 0" [ $? = 0 ]
jq_check "empty proc root: no processes, zero totals" "$T/e.out" \
	'.summary.listed == 0 and .processes == [] and .totals.present_pages == 0'

finish
