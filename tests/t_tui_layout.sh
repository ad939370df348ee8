#!/bin/bash
# t_tui_layout.sh - the viewer at the sizes terminals open at (80x24,
# 120x40, 200x60) in a private tmux server: the histogram pane leaves a
# useful list and b hides it (the list gets more rows); the bars are
# linear (a bar's length is proportional to its printed share, within a
# cell) and L puts them on a log scale; the system view's mTHP table
# scrolls sideways to the 2M column at 80 columns; COMMAND shows a
# workload's distinctive arguments, p shows the name instead, and an
# argument with escape bytes is shown escaped and never reaches the
# terminal; help's PgDn moves a whole page; no line of the panes ends in a
# cut word.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux jq timeout "$PYTHON"
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
mktemp_dir
export MEMTOPRC=$T/memtoprc
# column arithmetic below counts characters, not bytes
export LC_ALL=C.UTF-8

# the header's shorter form (unprivileged, 80 columns) has no clock
tui_setup LC_ALL=C.UTF-8 "MEMTOPRC=$MEMTOPRC"
# Keys save the viewer's settings (b, p, v, ...): each part starts from the
# defaults, whatever the part before it pressed.
fresh_ui() { rm -f "$MEMTOPRC"; start_ui "$@"; }

# Data rows of the process list on screen.
proc_rows() {
	screen | awk '/^ +PID .*COMMAND/{on=1; next} /BLOCK +COUNT/{on=0}
		on && /^ +[0-9]+ /' | wc -l
}

# The body lines (between the four header lines and the footer) that
# reach the last column and end in a letter: a word cut at the edge.
# Tables end in figures or bars, text that does not fit in an ellipsis;
# the rows of the process and VMA lists end in a name or path that the
# viewer cuts with an ellipsis (a whole one may end at the edge).
cut_words() { # COLS
	screen | "$PYTHON" -c '
import re, sys
cols = int(sys.argv[1])
lines = sys.stdin.read().split("\n")
for i, l in enumerate(lines[4:-2]):
    l = l.rstrip("\n")
    # table rows (a pid or an address first) end in a name or a path
    # that may end at the edge, and is cut with an ellipsis otherwise
    if re.match(r"^ *[0-9a-f]+ ", l):
        continue
    if len(l) >= cols and l[cols - 1].isalpha() and l[cols - 2].isalpha():
        print("line %d: %s" % (i + 5, l))
' "$1"
}

# Prose cut by an ellipsis in the middle of a word ("in large fo…"): the
# system view's lines end in a whole word and " …".
ell_cut() {
	screen | "$PYTHON" -c '
import re, sys
for i, l in enumerate(sys.stdin.read().split("\n")):
    if re.search(r"[A-Za-z]\u2026 *$", l):
        print("line %d: %s" % (i + 1, l.rstrip()))
'
}

# Lines wider than the terminal (a wide character miscounted, a write past
# the edge), in the whole screen.
too_wide() { # COLS
	screen | "$PYTHON" -c '
import sys, unicodedata
cols = int(sys.argv[1])
for i, l in enumerate(sys.stdin.read().split("\n")):
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l)
    if w > cols:
        print("line %d (%d cells): %s" % (i + 1, w, l))
' "$1"
}

# a short directory, so that the argument fits the COMMAND column
AM=$(mktemp -d /tmp/am.XXXXXX) || { bad "mktemp"; finish; }
_cleanup_dirs+=("$AM")
AMARK=${AM#/tmp/}
start_workload "$T/wl.json" -- --dir "$AM" \
	--shapes thp,unaligned,holes --comm-hex "$(hex laywl-main)" ||
	{ bad "workload"; finish; }
WL=$WL_PID

# ---- every size: nothing wider than the terminal, no cut word -----------
for size in 80x24 120x40 200x60; do
	c=${size%x*} r=${size#*x}
	fresh_ui "$c" "$r" || { bad "memtop did not start at $size"; continue; }
	expect "process list at $size" "PID.*COMMAND"
	wide=$(too_wide "$c")
	check "no line wider than $c columns at $size${wide:+: $wide}" \
		test -z "$wide"
	cut=$(cut_words "$c")
	check "no word cut at the edge of the process list at $size${cut:+:
$cut}" test -z "$cut"
	# the VMA pane of the workload, its summary lines
	keys / l a y w l
	keys Enter
	keys Enter
	expect "VMA pane at $size" "^PID $WL laywl-main"
	sleep 0.5
	wide=$(too_wide "$c")
	check "VMA pane: no line wider than $c columns at $size${wide:+: $wide}" \
		test -z "$wide"
	cut=$(cut_words "$c")
	check "VMA pane: no word cut at the edge at $size${cut:+:
$cut}" test -z "$cut"
	keys Left
	keys s
	expect "system view at $size" "^Settings"
	for ((i = 0; i < 12; i++)); do
		cut=$(cut_words "$c")$(ell_cut)
		wide=$(too_wide "$c")
		[ -n "$cut$wide" ] && break
		keys NPage
	done
	check "system view: no word cut, nothing too wide at $size${cut:+:
$cut}${wide:+ $wide}" test -z "$cut$wide"
	quit_ui "q quits at $size"
done

# ---- the histogram pane: a useful list at 80x24, b hides it ---------------
# enough processes to fill the taller list, whatever else runs here
for ((i = 0; i < 40; i++)); do
	sleep 600 &
	kill_later $!
done
fresh_ui 80 24 || { bad "memtop did not start"; finish; }
expect "histogram pane shown at 80x24" "BLOCK +COUNT +BYTES +SHARE"
sleep 0.5
n1=$(proc_rows)
check "the list keeps 12 rows beside the histogram at 80x24 ($n1)" \
	test "$n1" -ge 12
keys b
expect_gone "b hides the histogram pane" "BLOCK +COUNT"
n2=$(proc_rows)
check "the list gets more rows without the histogram ($n1 -> $n2)" \
	test "$n2" -gt "$n1"
keys b
expect "b shows it again" "BLOCK +COUNT +BYTES +SHARE"
n3=$(proc_rows)
check "the list is as long as before ($n3)" test "$n3" -eq "$n1"

# ---- help: PgDn moves a page ---------------------------------------------
keys F1
expect "help open" "^ *Keys|memtop shows how"
keys NPage
a=$(screen | head -n 23)
keys PPage
keys PPage
expect "PgUp back at the top" "memtop shows how"
for ((i = 0; i < 23; i++)); do tm send-keys Down; done
sleep 0.3
b=$(screen | head -n 23)
if [ "$a" = "$b" ]; then
	ok "help's PgDn moves as far as 23 lines down (a page at 80x24)"
else
	bad "help's PgDn is not a page:"
	diff <(echo "$a") <(echo "$b") | head -20 | sed 's/^/    | /'
fi
keys Escape
quit_ui "q quits after the help"

# ---- bars: linear in bytes, the share printed ----------------------------
fresh_ui 120 40 -p "$WL" || { bad "memtop did not start"; finish; }
expect "histogram of the workload" "BLOCK +COUNT +BYTES +SHARE linear scale of bytes"
sleep 0.5
# rows: "   4K  253  1012K  3.6% ██▋"; the bar's length in eighths against
# its share: proportional, within one cell of rounding
bars=$(screen | "$PYTHON" -c '
import re, sys
part = {"": 0, "▏": 1, "▎": 2, "▍": 3, "▌": 4, "▋": 5, "▊": 6, "▉": 7}
rows = []
on = False
for l in sys.stdin.read().split("\n"):
    if re.search(r"BLOCK +COUNT +BYTES +SHARE", l):
        on = True
        continue
    if not on:
        continue
    m = re.match(r"^ *(\d+[KMG]|part) +\S+ +\S+ +([\d.]+)% ?(█*)([▏▎▍▌▋▊▉]?)", l[:80])
    if not m:
        if rows:
            break
        continue
    rows.append((m.group(1), float(m.group(2)), len(m.group(3)) * 8 + part[m.group(4)]))
if len(rows) < 2:
    print("too few rows: %r" % rows)
    sys.exit(0)
top = max(rows, key=lambda r: r[1])
for lab, sh, e in rows:
    if sh == 0:
        if e != 0:
            print("%s: share 0 but %d eighths" % (lab, e))
        continue
    want = sh / top[1] * top[2]
    # the share is printed to 0.1%; any memory gets one eighth at least
    slack = 8 + top[2] * 0.05 / top[1]
    if abs(e - want) > slack and not (e == 1 and want < 1):
        print("%s: share %.1f%% is %d eighths, %.1f expected" % (lab, sh, e, want))
print("ok %d rows" % len(rows))
')
case $bars in
"ok "*) ok "bars proportional to their shares ($bars)" ;;
*) bad "bars not linear: $bars"; screen | sed 's/^/    | /' ;;
esac
keys L
expect "L: the bars on a log scale" "SHARE log scale of bytes"
keys c
expect "c: counts" "SHARE log scale of counts"
keys L
expect "L again: linear" "SHARE linear scale of counts"
keys c

# ---- the one-folio figure beside the mappable view's bytes ----------------
keys v
expect "v: the mappable view" "^view mappable"
if screen | grep -q "mappable view needs\|mappable view .*root"; then
	part_skip "IN1FOL: the mappable view needs PFNs (root)"
elif ! screen | grep -q "IN1FOL: blocks inside one folio"; then
	expect "IN1FOL says why it is unknown" "IN1FOL \? needs the folio view"
else
	expect "the one-folio column beside the bytes" \
		"BLOCK +COUNT +BYTES +SHARE +IN1FOL linear scale of bytes"
	# the column against --json's folio_cont_hist of the same process
	# (the workload is still; look twice in case khugepaged moved it)
	for try in 1 2 3; do
		"$MEMTOP" --json -p "$WL" >"$T/fc.json" 2>/dev/null
		sleep 2.5 # a scan of the viewer after the JSON one
		fc=$(screen | "$PYTHON" -c '
import json, re, sys
doc = json.load(open(sys.argv[1]))
p = doc["processes"][0]
ps = doc["page_size"]
def fmt(b):
    u, w = 0, b
    while w >= 1024 and u < 6:
        w //= 1024; u += 1
    if u == 0:
        return "%dB" % b
    v = b / float(1 << (10 * u))
    s = ("%.0f" if b % (1 << (10 * u)) == 0 or v >= 100 else "%.1f") % v
    return s + "BKMGTPE"[u]
want = {}
for o, n in enumerate(p["folio_cont_hist"]):
    b = (n << o) * ps
    want[o] = fmt(b) if b else "0"
got, on = {}, False
for l in sys.stdin.read().split("\n"):
    if re.search(r"BLOCK +COUNT +BYTES +SHARE +IN1FOL", l):
        on = True
        continue
    m = re.match(r"^ *(\d+)([KMG]) +\S+ +\S+ +\S+ +(\S+)", l[:80]) if on else None
    if not m:
        if got:
            break
        continue
    kb = int(m.group(1)) << {"K": 0, "M": 10, "G": 20}[m.group(2)]
    o = (kb * 1024 // ps).bit_length() - 1
    got[o] = m.group(3)
bad = ["%d: %s on screen, %s in JSON" % (o, got[o], want.get(o)) for o in got if got[o] != want.get(o, "0")]
if len(got) < 2:
    print("too few rows: %r" % got)
elif bad:
    print("; ".join(bad))
else:
    print("ok %d orders" % len(got))
' "$T/fc.json")
		case $fc in "ok "*) break ;; esac
	done
	case $fc in
	"ok "*) ok "IN1FOL agrees with --json folio_cont_hist ($fc)" ;;
	*) bad "IN1FOL against --json: $fc"; screen | sed 's/^/    | /' ;;
	esac
fi
quit_ui "q quits after the bars"

# ---- the command line ------------------------------------------------------
fresh_ui 200 60 -p "$WL" || { bad "memtop did not start"; finish; }
keys b # the COMMAND column gets the histogram's width too
expect "COMMAND shows the workload's arguments" \
	"laywl-main workload --dir /tmp/$AMARK --shapes thp,unaligned,holes"
keys p
expect "p shows the name" "COMMAND shows the process name"
expect_gone "without its arguments" "$AMARK"
expect "the name stays" " laywl-main *$"
keys p
expect "p again shows the command line" "$AMARK"
quit_ui "q quits after the command line"

# an argument with escape bytes: ESC [31m and an OSC setting the title
evil=$T/$(printf 'ev\033]2;pwn\007il\033[31m')
mkdir -p "$evil" || { bad "mkdir (escape bytes)"; finish; }
start_workload "$T/evil.json" -- --dir "$evil" --shapes unaligned \
	--comm-hex "$(hex laywl-evil)" || { bad "workload (escape bytes)"; finish; }
EVIL=$WL_PID
fresh_ui 200 60 -p "$EVIL" || { bad "memtop did not start"; finish; }
keys b
expect "the hostile argument shown escaped" \
	'laywl-evil workload .*ev\\x1b\]2;pwn\\x07il\\x1b\[31m'
title=$(tm display -p '#{pane_title}')
check "the argument did not set the terminal title ($title)" \
	test "$title" != pwn
expect "the header is intact" "^memtop .*THP enabled="
# the row ends where the argument does: nothing moved the cursor
expect "the text after the escaped argument" 'il\\x1b\[31m( |…)'
quit_ui "q quits after the hostile argument"

# ---- the system view's mTHP table at 80 columns ------------------------------
if [ ! -d /sys/kernel/mm/transparent_hugepage/hugepages-2048kB ] ||
	[ "$(ls -d /sys/kernel/mm/transparent_hugepage/hugepages-*kB | wc -l)" -lt 6 ]; then
	part_skip "mTHP table: fewer than six mTHP sizes (needs 6.8+ with the 2M size)"
	finish
fi
fresh_ui 80 24 || { bad "memtop did not start"; finish; }
keys s
expect "system view" "^Settings"
# the table near the top of the pane (counters above it may come and go
# between scans: look again before each check)
show_table() {
	local i
	for ((i = 0; i < 60; i++)); do
		screen | sed -n '5,12p' | grep -q '^  size ' && return 0
		if screen | grep -q '^  size '; then
			keys Down # low on the screen: scroll on
		elif [ "${1:-}" = down ]; then
			keys Down
		else
			keys Up
		fi
	done
	return 1
}
show_table down
expect "the mTHP table on screen" "^  size +"
size_row() { screen | grep '^  size '; }
if size_row | grep -q ' 2M *$'; then
	part_skip "the mTHP table fits 80 columns here"
else
	expect "a mark says more columns are to the right" "^  size .*▶ *$"
	for ((i = 0; i < 12; i++)); do
		size_row | grep -q ' 2M' && break
		keys Right
	done
	if size_row | grep -q ' 2M *$'; then
		ok "Right scrolls the mTHP table to the 2M column"
	else
		bad "no 2M column after Right:"; screen | sed 's/^/    | /'
	fi
	show_table
	expect "a mark says more columns are to the left" "^  size +◀"
	for ((i = 0; i < 20; i++)); do
		screen | grep -q "sizes .* to 2M of" && break
		keys Down
	done
	expect "the table says which sizes it shows" "sizes .* to 2M of [0-9]+: Left scroll"
	show_table
	expect "2M's enabled setting in the last column" \
		"^  enabled .*(always|madvise|inherit|never|\\?) *$"
	keys Left
	show_table
	expect_gone "Left scrolls back" "^  size .* 2M *$"
	expect "still in the system view" "^  size +"
	for ((i = 0; i < 12; i++)); do keys Left; done
	expect "Left at the first column closes the system view" "PID.*COMMAND"
fi
quit_ui "q quits after the mTHP table"
finish
