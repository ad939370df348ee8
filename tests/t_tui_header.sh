#!/bin/bash
# t_tui_header.sh - what the viewer's header and messages say, in a private
# tmux server:
#
#   - at 80x24 no header line ends in a cut word: its last word is a whole
#     word of the same header at 200 columns, an ellipsis, or an
#     abbreviation (a word that begins none of the 200-column header's);
#     the huge page line keeps its collapse and split rates;
#   - every rate carries its unit, 0/s included;
#   - -p is shown in the header; with a pid that does not exist the list
#     says it does not exist; -b and --json say so on stderr and exit 1
#     when none of the named pids exists, 0 when one does;
#   - a settings file with a bad value and an unknown key: the warning is
#     whole at 120 columns, and the unknown key survives a key press that
#     saves the settings;
#   - TERM=vt100: the pane divider is not drawn as a literal x;
#     TERM=unknownterm: the message suggests -b and --json;
#   - a burst of huge memory between two scans shows in HUGE/s for the
#     whole rate window (khugepaged's pace), not for one scan only.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux timeout
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
mktemp_dir
export MEMTOPRC=$T/memtoprc
tui_setup --quiet

# ---- the header at 80x24, against the same header at 200x60 ----------
tui_run 200 60 "$MEMTOP" --no-config -d 1 -p "$$"
if wait_for 'scan [0-9.]+m?s at' 20; then
	sleep 3 # a few scans: rates are known
	tm send-keys Z
	wait_for PAUSED 5
	screen | head -4 >"$T/h200"
	# the wide header's words, also without a trailing ':' or ',' (a
	# shorter form may end where the long one goes on: "partial")
	tr -s ' ' '\n' <"$T/h200" | grep -v '^$' |
		sed 'p; s/[:,;]$//' | sort -u >"$T/w200"
	# Only the end of a line can be cut: its last word must be a whole
	# word of the wide header, an ellipsis, or an abbreviation (a word
	# that begins none of the wide header's words). "page 4" failed.
	# Every width from 100 down to 60, where a cut may fall anywhere.
	cut_words=
	for ((c = 100; c >= 60; c--)); do
		tm resize-window -x $c -y 24
		sleep 0.25
		screen | head -4 >"$T/h"
		[ $c = 80 ] && cp "$T/h" "$T/h80"
		cut_words+=$(while read -r line; do
				w=${line##* }
				[ -n "$w" ] || continue
				[ "$w" = "…" ] && continue
				grep -qxF -- "$w" "$T/w200" && continue
				cut -c1-${#w} "$T/w200" | grep -qxF -- "$w" &&
					echo " $w@$c"
			done <"$T/h")
	done
	tm resize-window -x 80 -y 24
	if [ -z "$cut_words" ]; then
		ok "header at 60 to 100 columns: no line ends in a cut word"
	else
		bad "header: cut words:$cut_words"
		cat "$T/h200" "$T/h80"
	fi
	check "80x24 huge page line keeps collapse and split" \
		grep -Eq 'collapse [-0-9.K]+(/s)?.*split' <(sed -n 3p "$T/h80")
	# every rate has its unit: "fault 0/s", never "fault 0"
	if grep -Eo '(faults?|fallback|collapse|split) [^ ]+' "$T/h200" "$T/h80" |
		grep -Ev ' (-|[0-9.]+[KMG]?/s)$'; then
		bad "a header rate without /s"
	else
		ok "header rates carry /s"
	fi
	check "a zero rate reads 0/s" grep -q ' 0/s' "$T/h200"
	check "the header says -p" grep -q -- "-p $$" "$T/h80"
	check "the header shows the rate window" \
		grep -Eq '(rates )?over [0-9]+s' "$T/h200"
	tm send-keys q
else
	bad "viewer did not start at 200x60"
fi

# ---- -p with a missing pid -------------------------------------------------
tui_run 120 40 "$MEMTOP" --no-config -p 999999
if wait_for 'does not exist' 20; then
	ok "-p 999999: the list says the process does not exist"
	check "-p 999999: the header says -p 999999" \
		grep -q -- "-p 999999" <(screen | head -4)
	check "-p 999999: the filters are not blamed" \
		bash -c "! tmux -L $SOCK capture-pane -p | grep -q 'no process matches'"
	tm send-keys q
else
	bad "-p 999999: no 'does not exist' in the list"
	screen
fi
for mode in -b --json; do
	"$MEMTOP" $mode -p 999999 >/dev/null 2>"$T/err"
	rc=$?
	check "$mode -p 999999: exit 1" test "$rc" = 1
	check "$mode -p 999999: stderr names the pid" \
		grep -q '^memtop: process 999999 does not exist' "$T/err"
	"$MEMTOP" $mode -p "999999,$$" >/dev/null 2>"$T/err"
	rc=$?
	check "$mode -p 999999,$$: exit 0 (one exists)" test "$rc" = 0
	check "$mode -p 999999,$$: stderr names the missing pid" \
		grep -q '999999 does not exist' "$T/err"
done
"$MEMTOP" -b --bogus 2>"$T/err"
check "option errors start with memtop: (not the path run)" \
	grep -q '^memtop: unrecognized option' "$T/err"

# ---- settings file with a bad value and an unknown key ----------------
printf 'version=1\n# a comment\nsort=zzz\nfoo=bar\n' >"$MEMTOPRC"
tui_run 120 40 MEMTOPRC="$MEMTOPRC" "$MEMTOP" -p "$$"
if wait_for "bad value 'zzz'" 20; then
	check "the settings warning is whole at 120 columns" \
		grep -q "bad value 'zzz' for 'sort'; using the default (the line is kept when saving)" \
		<(screen | tail -1)
	tm send-keys K # a setting changes: the file is saved
	sleep 1
	tm send-keys q
	sleep 0.5
	check "the unknown key survives the save" grep -qx 'foo=bar' "$MEMTOPRC"
	check "the comment survives the save" grep -qx '# a comment' "$MEMTOPRC"
	check "the bad value the user did not change is kept" grep -qx 'sort=zzz' "$MEMTOPRC"
	check "the change is saved" grep -qx 'kernel_threads=1' "$MEMTOPRC"
else
	bad "no settings warning"
	screen
fi

# ---- terminals --------------------------------------------------------
tui_run 120 40 TERM=vt100 "$MEMTOP" --no-config
if wait_for 'history' 20; then
	if screen | grep -Eq ' x (history|RSS)'; then
		bad "TERM=vt100: the divider is a literal x"
		screen | grep history
	else
		ok "TERM=vt100: the divider is not a literal x"
	fi
	tm send-keys q
else
	part_skip "TERM=vt100: no histogram pane with a history plot shown"
fi
TERM=unknownterm timeout 10 "$MEMTOP" --no-config </dev/null >/dev/null 2>"$T/err"
check "TERM=unknownterm: the message suggests -b and --json" \
	grep -q -- '-b or --json' "$T/err"

# ---- a burst of huge memory between scans -------------------------------
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if ! is_root; then
	part_skip "burst: needs root (huge-backed memory from kpageflags)"
elif ! grep -Eq '\[(always|madvise)\]' <<<"$thp"; then
	part_skip "burst: THP is off ($thp)"
elif ! command -v "$PYTHON" >/dev/null; then
	part_skip "burst: no $PYTHON"
else
	cat >"$T/burst.py" <<'PY'
import mmap, os, sys, time
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.05)
m = mmap.mmap(-1, 64 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_HUGEPAGE)
for i in range(0, 64 << 20, 4096):
    m[i] = 1
time.sleep(600)
PY
	"$PYTHON" "$T/burst.py" "$T/go" &
	BP=$!
	kill_later $BP
	tui_run 200 50 "$MEMTOP" --no-config -d 2 -p "$BP"
	if wait_for 'scan [0-9.]+m?s at' 20; then
		tm send-keys D
		wait_for 'HUGE/s' 5
		sleep 2.5 # a scan or two before the burst
		touch "$T/go"
		# the burst is seen: huge memory in the row
		hcell() {
			screen | awk -v pid="$BP" '
				/HUGE\/s/ { c = index($0, "HUGE/s") }
				c && $1 == pid { print substr($0, c - 2, 9); exit }'
		}
		seen=
		for ((i = 0; i < 100 * WAIT_SCALE; i++)); do
			hcell | grep -q '+' && { seen=1; break; }
			sleep 0.1
		done
		if [ -z "$seen" ]; then
			part_skip "burst: no huge memory came (fragmented memory?)"
		else
			sleep 5 # two or more scans later: the burst is over
			cell=$(hcell)
			if grep -q '+' <<<"$cell"; then
				ok "burst: HUGE/s still shows it 5 s later ($cell)"
			else
				bad "burst: HUGE/s back to '$cell' 5 s after the burst"
				screen | head -8
			fi
			check "burst: the header gives the window" \
				grep -Eq 'rates over [0-9]+s' <(screen | head -4)
		fi
		tm send-keys q
	else
		bad "burst: viewer did not start"
	fi
fi
finish
