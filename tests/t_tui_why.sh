#!/bin/bash
# t_tui_why.sh - the viewer's WHY column and reasons box in a private tmux
# server, against memtop's own --json for the same pids (t_why.sh checks
# that against the kernel). Two collapse_shapes --why processes: one as
# it is (enabled=madvise: not_advised, nohugepage, file_misaligned ...),
# one under PR_SET_THP_DISABLE (thp_disabled on every VMA). Checked:
#  - the process list has a WHY column; each row shows the process's
#    why_main; sorting by WHY orders the rows by code name, I inverts;
#  - the VMA pane's WHY column shows each VMA's main reason (VMAs whose
#    reason changed between the --json runs before and after are left
#    out: khugepaged may be at work);
#  - the box under the VMA list shows every reason of the selected VMA as
#    "code: sentence", as --json gives them (MADV_NOHUGEPAGE region:
#    nohugepage first; memfd at a one page offset);
#  - at 80x24 and 40x10 no line is wider than the screen and the box
#    still shows the start of the main reason;
#  - the help lists every code of why.c's table;
#  - the ASan build goes through the same screens and exits 0.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux jq timeout "$PYTHON"
need_collapse_shapes
grep -q '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled ||
	skip "the regions' reasons are known in enabled=madvise mode only"
mktemp_dir
export MEMTOPRC=$T/memtoprc
export LC_ALL=C.UTF-8

tui_setup LC_ALL=C.UTF-8 "MEMTOPRC=$MEMTOPRC"

# The screen read by columns (Python: the glyphs are one cell each).
#   procs         "PID CODE" per process row ("-": empty cell)
#   vmas          "START CODE" per VMA row
#   box START     the reasons box of the VMA at START, its lines joined
#   widest        the widest line, in cells
cat >"$T/scr.py" <<'PY'
import sys
mode = sys.argv[1]
lines = sys.stdin.read().split("\n")
def table(first):
    for i, l in enumerate(lines):
        if l.split()[:1] == [first] and "WHY" in l:
            return i, l.index("WHY")
    return None, None
if mode in ("procs", "vmas"):
    first = "PID" if mode == "procs" else "START"
    top = None
    for i, l in enumerate(lines):
        f = l.split()
        if f and f[0].startswith(first) and "WHY" in l:
            top, x = i, l.index("WHY")
            break
    for l in lines[top + 1:] if top is not None else []:
        f = l.split()
        if not f:
            break
        if all(c in "0123456789abcdef" for c in f[0]):
            print(f[0], l[x:x + 15].strip() or "-")
elif mode == "box":
    title = f"why VMA {sys.argv[2]} is not in PMD-sized pages"
    for i, l in enumerate(lines):
        if title in l:
            end = l.find("\u2502", l.index(title))
            width = end if end >= 0 else len(l)
            out = []
            for b in lines[i + 1:]:
                part = b[:width].strip()
                if not part or part.startswith("F1Help"):
                    break
                out.append(part)
            print(" ".join(out))
            break
elif mode == "widest":
    print(max(len(l) for l in lines))
PY
scr() { screen | "$PYTHON" "$T/scr.py" "$@"; }

# --json of a pid: the process's main reason, and per VMA its reasons
json_main() {
	"$MEMTOP" --json -p "$1" | jq -r '.processes[0].why_main.code // "-"'
}
json_vmas() { # PID: "START CODE" per VMA
	"$MEMTOP" --json -p "$1" | jq -r '.processes[0].vmas[] |
		"\(.start | ltrimstr("0x")) \(.why[0].code // "-")"' | sort
}
json_box() { # PID START: "code: sentence" of every reason, then
	# "SIZE folios: verdict" of the mTHP sizes allowed there, joined
	"$MEMTOP" --json -p "$1" | jq -r --arg s "0x$2" '.processes[0].vmas[] |
		select(.start == $s) | [(.why[] | "\(.code): \(.text)"),
		 (.mthp[]? | select(.allowed != false) |
		  "\(if .size_kb >= 1024 then "\(.size_kb / 1024)M"
		     else "\(.size_kb)K" end) folios: \(.text)")] | join(" ")'
}

start_workload "$T/a.json" -- --seed 1 --dir "$T" --why ||
	{ bad "collapse_shapes starts"; finish; }
A=$WL_PID
start_workload "$T/b.json" -- --seed 2 --dir "$T" --why --thp-disable ||
	{ bad "collapse_shapes --thp-disable starts"; finish; }
B=$WL_PID
region() { # JSON SHAPE: the region's start, without 0x
	jq -r --arg s "$2" '.regions[] | select(.shape == $s) | .start |
		ltrimstr("0x")' "$1"
}

# ---- the process list -----------------------------------------------------
a_main=$(json_main "$A")
b_main=$(json_main "$B")
check "--json: the PR_SET_THP_DISABLE process's main reason is thp_disabled ($b_main)" \
	test "$b_main" = thp_disabled
check "--json: the other has a main reason ($a_main)" test "$a_main" != -
start_ui 250 40 --no-config -p "$A,$B" || { bad "memtop did not start"; finish; }
expect "the process list has a WHY column" "^ +PID .* WHY +BLOCKS"
expect "both processes listed" "^ *$B .*collapse_shape"
rows=$(scr procs)
check "PID $B shows thp_disabled (got: $(grep "^$B " <<<"$rows"))" \
	grep -qx "$B thp_disabled" <<<"$rows"
check "PID $A shows its --json main reason $a_main (got: $(grep "^$A " <<<"$rows"))" \
	grep -qx "$A $a_main" <<<"$rows"

keys '<' # from BLOCKS to WHY
expect "< moves the sort to WHY" "sorted by WHY"
expect "WHY is marked as the sort column" "WHY(▲|▼)"
first=$(printf '%s\n%s\n' "$A $a_main" "$B $b_main" | sort -k2,2 -k1,1n | head -1 | cut -d' ' -f1)
last=$(printf '%s\n%s\n' "$A $a_main" "$B $b_main" | sort -k2,2 -k1,1n | tail -1 | cut -d' ' -f1)
up=$(scr procs | head -1 | cut -d' ' -f1)
check "sorted by WHY: $first ($a_main / $b_main) first (got $up)" test "$up" = "$first"
keys I
for ((i = 0; i < 40 * WAIT_SCALE; i++)); do
	[ "$(scr procs | head -1 | cut -d' ' -f1)" = "$last" ] && break
	sleep 0.05
done
check "I inverts: $last first" test "$(scr procs | head -1 | cut -d' ' -f1)" = "$last"
quit_ui "q exits 0 from the process list" 10

# ---- the VMA pane -----------------------------------------------------------
before=$(json_vmas "$A")
start_ui 250 90 --no-config -p "$A" || { bad "memtop did not start"; finish; }
expect "the process is listed" "^ *$A .*collapse_shape"
keys Enter
expect "the VMA pane opens with a WHY column" "START. +END .* WHY "
expect "smaps is read for the open process" "ADV/ELIG from smaps" 20
sleep 2.5 # a scan with smaps is on screen
shown=$(scr vmas | sort)
after=$(json_vmas "$A")
stable=$(join <(echo "$before") <(echo "$after") | awk '$2 == $3 { print $1, $2 }')
compared=0 differ=0
while read -r start code; do
	want=$(awk -v s="$start" '$1 == s { print $2 }' <<<"$stable")
	[ -n "$want" ] || continue
	compared=$((compared + 1))
	if [ "$want" != "$code" ]; then
		differ=$((differ + 1))
		echo "  VMA $start: screen $code, --json $want"
	fi
done <<<"$shown"
check "VMA rows compared with --json ($compared of $(wc -l <<<"$shown") shown)" \
	test "$compared" -ge 20
check "every VMA's WHY is its --json main reason ($differ differ)" test "$differ" = 0
for shape in anon_nohuge memfd_off file_ro anon; do
	s=$(region "$T/a.json" "$shape")
	check "the $shape region's VMA is on screen" grep -q "^$s " <<<"$shown"
done
check "the MADV_NOHUGEPAGE region shows nohugepage" \
	grep -qx "$(region "$T/a.json" anon_nohuge) nohugepage" <<<"$shown"

# the box: the selected VMA's reasons, as --json words them
select_vma() { # START: the row of the VMA (rows are in address order)
	local idx
	idx=$(scr vmas | awk -v s="$1" '$1 == s { print NR - 1; exit }')
	[ -n "$idx" ] || return 1
	keys Home
	[ "$idx" -gt 0 ] && keys -N "$idx" Down
	wait_for "why VMA $1 is not in PMD-sized pages"
}
for shape in anon_nohuge memfd_off; do
	s=$(region "$T/a.json" "$shape")
	if ! select_vma "$s"; then
		bad "$shape: the box does not follow the selection"
		screen | sed 's/^/    | /'
		continue
	fi
	ok "$shape: the box names the selected VMA"
	want=$(json_box "$A" "$s")
	got=$(scr box "$s")
	case $shape in
	anon_nohuge) check "$shape: nohugepage is the main reason" \
		test "${want%%:*}" = nohugepage ;;
	esac
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "$shape: the box shows its reasons' sentences"
	else
		bad "$shape: the box shows '$got', --json '$want'"
	fi
done

# small screens: nothing wider than the screen, the box keeps a line
s=$(region "$T/a.json" anon_nohuge)
select_vma "$s" >/dev/null
main=$(json_box "$A" "$s")
for size in 80x24 40x10; do
	w=${size%x*} h=${size#*x}
	tm resize-window -x "$w" -y "$h"
	sleep 0.5
	widest=$(scr widest)
	check "$size: no line wider than $w cells ($widest)" test "$widest" -le "$w"
	last=$(screen | sed -n "${h}p" | tr -d ' ')
	check "$size: the footer is on the last line" test -n "$last"
	# the start of the main reason, as far as the line goes
	line=$(screen | grep -E '^ nohugepage:' | head -1 | sed 's/ *…\?$//; s/^ //')
	if [ -n "$line" ] && [ "${main#"$line"}" != "$main" ]; then
		ok "$size: the box shows the start of the main reason ($line)"
	else
		bad "$size: no start of '$main' on screen:"; screen | sed 's/^/    | /'
	fi
done
tm resize-window -x 250 -y 90
expect "back to 250x90" "why VMA $s is not in PMD-sized pages"
quit_ui "q exits 0 from the VMA pane" 10

# ---- help: every code of the table ----------------------------------------
codes=$(grep -oE '\[MT_WHY_[A-Z_]+\] = \{"[a-z_]+"' "$MEMTOP_ROOT/src/why.c" |
	sed -E 's/.*\{"//; s/"$//')
check "codes read from why.c ($(wc -w <<<"$codes"))" test "$(wc -w <<<"$codes")" -ge 10
start_ui 120 250 --no-config -p "$A" || { bad "memtop did not start"; finish; }
keys F1
expect "F1 shows the help" "Why memory is not huge"
help=$(screen)
missing=""
for c in $codes; do
	grep -Eq "^  $c +[^ ]" <<<"$help" || missing="$missing $c"
done
check "help lists every code with its sentence (missing:${missing:- none})" test -z "$missing"
# the codes --json gives here are among them
for c in $("$MEMTOP" --json -p "$A,$B" | jq -r '.processes[].vmas[].why[].code' | sort -u); do
	check "help lists $c, a code --json gives" grep -Eq "^  $c +[^ ]" <<<"$help"
done
check "the help's figures read N, not {0}" bash -c '! grep -q "{[0-9]}" <<<"$1"' _ "$help"
keys x
quit_ui "q exits 0 after the help" 10

# ---- the ASan build through the same screens ------------------------------
if [ -x "${MEMTOP_ASAN:-}" ]; then
	MEMTOP=$MEMTOP_ASAN
	if start_ui 250 60 --no-config -p "$A,$B"; then
		keys '<' I Enter
		wait_for "why VMA" 20
		keys Down Down End Home '>' I F1 PgDn PgDn x
		for size in 80x24 40x10 41x11 30x8 100x30 200x60; do
			tm resize-window -x "${size%x*}" -y "${size#*x}"
			sleep 0.3
			keys Down
		done
		keys Left g Enter '*' Escape
		quit_ui "ASan build exits 0 (no sanitizer report)" 10
	else
		bad "ASan build did not start"
	fi
else
	part_skip "no ASan build at ${MEMTOP_ASAN:-(unset)}"
fi
finish
