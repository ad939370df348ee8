#!/bin/bash
# t_tui.sh - the interactive viewer in a private tmux server: keys in,
# screen text out (capture-pane -p), as a person would use it.
#
# Two workload processes with known names and shapes are started (and stop
# themselves); memtop runs in a 120x40 pane, mostly restricted to them with
# -p so the rows are known. Checked: sorting changes the order, Enter opens
# the VMA pane of the selected process, filters (\, U, K, f, u) hide what
# they should, v changes the view, / finds a process, resizing keeps a
# valid screen and a tiny one says "terminal too small", a mouse click on a
# column title sorts, a hostile process name is shown escaped (\x1b) and
# never reaches the terminal raw, and q exits with status 0 and leaves the
# alternate screen.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux jq timeout
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
mktemp_dir
# a settings file of our own: keys pressed here must not change the
# user's, and the user's must not change what the screen shows
export MEMTOPRC=$T/memtoprc

tui_setup LC_ALL=

start_workload "$T/big.json" -- --shapes thp,file,memfd,holes \
	--comm-hex "$(hex tuiwl-big)" || { bad "workload big"; finish; }
BIG=$WL_PID
start_workload "$T/small.json" -- --shapes unaligned \
	--comm-hex "$(hex tuiwl-small)" || { bad "workload small"; finish; }
SMALL=$WL_PID

# The data rows of the process list, in screen order (PID first).
proc_rows() { screen | awk '/^ +PID/{on=1; next} /BLOCK +COUNT/{on=0} on && /^ +[0-9]+ /'; }
first_pid() { proc_rows | awk 'NR==1 {print $1}'; }

# ---- the process list, sorting -------------------------------------------
start_ui 120 40 -p "$BIG,$SMALL" || { bad "memtop did not start"; finish; }
expect "both workloads listed" "tuiwl-small"
expect "big workload listed" "tuiwl-big"
expect "header shows the THP mode" "THP enabled="
expect "header shows the PMD order" "PMD order [0-9]+"
expect "header shows the privilege" "privilege (full|partial)"

keys N
if wait_for "PID.*COMMAND" && [ "$(first_pid)" = "$(printf '%s\n' "$BIG" "$SMALL" | sort -n | head -1)" ]; then
	ok "N sorts by PID ascending"
else
	bad "N: first row $(first_pid)"
fi
keys N
lo=$(printf '%s\n' "$BIG" "$SMALL" | sort -n | tail -1)
for ((i = 0; i < 40 * WAIT_SCALE; i++)); do [ "$(first_pid)" = "$lo" ] && break; sleep 0.05; done
check "N again inverts" test "$(first_pid)" = "$lo"
keys M
for ((i = 0; i < 40 * WAIT_SCALE; i++)); do [ "$(first_pid)" = "$BIG" ] && break; sleep 0.05; done
check "M sorts by RSS, largest first" test "$(first_pid)" = "$BIG"
keys I
for ((i = 0; i < 40 * WAIT_SCALE; i++)); do [ "$(first_pid)" = "$SMALL" ] && break; sleep 0.05; done
check "I inverts the order" test "$(first_pid)" = "$SMALL"
expect "the sort column is marked" "RSS(▲|▼)"

# ---- search and the VMA pane ---------------------------------------------
keys / t u i w l - b i g
expect "search prompt shown" "Search: +tuiwl-big"
keys Enter
expect "search selects the process (histogram title)" \
	"view: PID $BIG tuiwl-big"
keys Enter
expect "Enter opens the VMA pane of the selected process" \
	"^PID $BIG tuiwl-big"
expect "VMA pane has its columns" "START.*END.*SIZE.*PERM"
expect "VMA pane lists the memfd" "/memfd:"
expect "VMA pane lists the hg VMA" " hg "
expect "smaps is read for the open process" "ADV/ELIG from smaps"
keys f
expect_gone "f hides file-backed VMAs" "memtop-wl\\.[0-9]+\\.shared"
expect "f keeps the memfd (not file-backed)" "/memfd:"
expect "f is said in the header" "file-backed VMAs left out"
keys f
expect "f again shows them" "memtop-wl\\.[0-9]+\\.shared"
expect "unfaulted reservations shown" " ---p "
keys u
expect_gone "u hides unfaulted VMAs" " ---p "
keys u
keys Left
expect "Left goes back to the processes" "COMMAND"
expect_gone "VMA columns gone" "START.*END.*SIZE"

# ---- filters --------------------------------------------------------------
keys '\' s m a l l
expect "filter prompt" "Filter: +small"
keys Enter
expect_gone "\\ filter hides the other process" "tuiwl-big"
expect "\\ filter keeps the match" "tuiwl-small"
keys '\' Escape
expect "Esc in the filter prompt clears it" "tuiwl-big"
# a user who owns none of the workloads
other=nobody
[ "$(id -un)" = nobody ] && other=root
keys U
for ((i = 0; i < ${#other}; i++)); do keys "${other:i:1}"; done
keys Enter
expect "U filters by user" "no process matches"
keys U BSpace BSpace BSpace BSpace BSpace BSpace Enter
expect "U with an empty name shows all users again" "tuiwl-big"

# ---- views ----------------------------------------------------------------
expect "starts in the present view" "^view present"
# each view names its PMD-order column, and the history's series, for
# what it measures: never the same title for two meanings
expect "present view: the column is ALGN% (could be huge)" "ALGN% +THP%"
expect "present view: the history plots ALGN" "(^|[│|]) *ALGN +([0-9.]+[KMG]?B?|-)( |$)"
expect_gone "no PMD% title" "PMD%"
keys v
expect "v: mappable view" "^view mappable"
expect "mappable view: the column is CONT% (physically contiguous)" \
	"CONT% +THP%"
expect "mappable view: the history plots CONT" "(^|[│|]) *CONT +([0-9.]+[KMG]?B?|-)( |$)"
keys v
expect "v: folio view" "^view folios"
expect "folio view: the column is HUGE% (is huge)" "HUGE% +THP%"
expect "folio view: the history plots HUGE" "(^|[│|]) *HUGE +([0-9.]+[KMG]?B?|-)( |$)"
keys v
expect "v: back to present" "^view present"
expect "back to ALGN%" "ALGN% +THP%"

# ---- help -------------------------------------------------------------------
keys F1
expect "F1 shows the help" "Keys"
expect "help lists the sort keys" "invert the sort order"
keys x
expect "any key closes the help" "COMMAND"

# ---- mouse: a click on the PID title sorts by PID ------------------------
keys N  # PID ascending, then click PID: descending
x=$(screen | awk '/^ +PID /{print index($0, "PID"); exit}')
y=$(screen | awk '/^ +PID /{print NR; exit}')
if [ -n "$x" ] && [ -n "$y" ]; then
	# X10 mouse report: ESC [ M button x y, each + 32, 1-based
	tm send-keys -l "$(printf '\033[M %b%b' "\\$(printf '%03o' $((32 + x)))" "\\$(printf '%03o' $((32 + y)))")"
	tm send-keys -l "$(printf '\033[M#%b%b' "\\$(printf '%03o' $((32 + x)))" "\\$(printf '%03o' $((32 + y)))")"
	for ((i = 0; i < 40 * WAIT_SCALE; i++)); do [ "$(first_pid)" = "$lo" ] && break; sleep 0.05; done
	if [ "$(first_pid)" = "$lo" ]; then ok "click on a column title sorts"
	else part_skip "mouse click not delivered by this tmux (first row $(first_pid))"; fi
fi

# ---- resize -----------------------------------------------------------------
valid_screen() { # COLS LINES: header, titles, footer, no line wider
	local s; s=$(tm capture-pane -p -J)
	printf '%s\n' "$s" | head -1 | grep -q '^memtop' || return 1
	printf '%s\n' "$s" | grep -q ' PID.*COMMAND' || return 1
	# the footer (keys or a message) is on the last line
	[ "$(printf '%s\n' "$s" | sed -n "${2}p" | tr -d ' ')" != "" ] || return 1
	local LC_ALL=C.UTF-8 line
	while IFS= read -r line; do
		((${#line} <= $1)) || return 1
	done <<<"$s"
}
for size in 80x24 40x10 200x60 120x40; do
	tm resize-window -x "${size%x*}" -y "${size#*x}"
	ok_size=0
	for ((i = 0; i < 60; i++)); do
		valid_screen "${size%x*}" "${size#*x}" && { ok_size=1; break; }
		sleep 0.05
	done
	if [ $ok_size = 1 ]; then ok "valid screen at $size"; else
		bad "screen at $size:"; screen | sed 's/^/    | /'
	fi
done
tm resize-window -x 30 -y 8
expect "30x8 says the terminal is too small" "terminal too small"
tm resize-window -x 120 -y 40
expect "back to 120x40" "tuiwl-big"

# ---- pause and interval ---------------------------------------------------
keys Z
expect "Z pauses" "PAUSED"
keys Z
expect_gone "Z resumes" "PAUSED"
keys +
expect "+ lengthens the interval" "every 3s"
keys - -
expect "- shortens it" "every 1s"

# ---- q quits with status 0 and restores the terminal ---------------------
keys q
expect "q ends memtop" "EXITED"
for ((i = 0; i < 40 * WAIT_SCALE; i++)); do [ -s "$T/exit" ] && break; sleep 0.05; done
check "exit status 0" test "$(cat "$T/exit" 2>/dev/null)" = 0
check "alternate screen left" test "$(tm display -p '#{alternate_on}')" = 0
expect_gone "no memtop text left on the screen" "COMMAND"

# ---- the whole system: search, kernel threads ----------------------------
start_ui 120 40 || { bad "memtop did not start (all processes)"; finish; }
keys / t u i w l - s m a l l Enter
expect "search finds a process among all" "view: PID $SMALL tuiwl-small"
keys '\' k t h r e a d d Enter
expect "kernel threads hidden by default" "no process matches"
keys K
expect "K shows kernel threads" " kthreadd"
keys K
expect "K hides them again" "no process matches"
keys F10
expect "F10 quits" "EXITED"
check "F10 exit status 0" test "$(cat "$T/exit" 2>/dev/null)" = 0

# ---- hostile names --------------------------------------------------------
# ESC [31m and an OSC that would set the pane title, in the comm.
evil=$(printf '\033]2;pwn\007X\033[31m') # 14 bytes: comm keeps 15
start_workload "$T/evil.json" -- --shapes unaligned --comm-hex "$(hex "$evil")" ||
	bad "workload with a hostile name"
EVIL=$WL_PID
start_ui 120 40 -p "$EVIL" || bad "memtop did not start (hostile name)"
expect "hostile comm shown escaped" '\\x1b\]2;pwn\\x07X\\x1b\[31m'
title=$(tm display -p '#{pane_title}')
check "the name did not set the terminal title ($title)" \
	test "$title" != pwn
keys Enter
expect "hostile comm escaped in the VMA pane too" '^PID [0-9]+ \\x1b\]2;pwn'
keys q
expect "quit after the hostile name" "EXITED"

# ---- terminal too small at start, ASCII locale, no colour ----------------
tui_run 30 8 -e LANG=C -e LC_ALL=C -e NO_COLOR=1 "$MEMTOP" -p "$BIG"
expect "too small from the start" "terminal too small"
tm resize-window -x 100 -y 30
expect "grows into a normal screen" "tuiwl-big"
if screen | grep -q '[^ -~]'; then
	bad "non-ASCII output in the C locale:"; screen | grep '[^ -~]' | head -3
else
	ok "ASCII only in the C locale"
fi
expect "ASCII sort arrow" "(BLOCKS|RSS|PID)[v^]"
keys q
expect "quit" "EXITED"

# ---- every pane and resize under ASan+UBSan -------------------------------
if [ -x "${MEMTOP_ASAN:-}" ]; then
	MEMTOP=$MEMTOP_ASAN
	if start_ui 120 40 -p "$BIG,$SMALL,$EVIL"; then
		keys Enter v v v F1 Down x c Left / t u i Enter '\' b Escape K U
		keys Tab Enter f u M I F6 Z + -
		# system view, cgroups, tree, delta column
		keys s Down NPage End Home s g Enter '*' Down Left '*' t D
		keys Enter Escape g t D F6 F6
		keys s # the system view through resizes too
		for size in 50x12 30x8 41x10 120x40; do
			tm resize-window -x "${size%x*}" -y "${size#*x}"
			sleep 0.2
		done
		keys End s
		for size in 50x12 30x8 200x60 41x10 120x40; do
			tm resize-window -x "${size%x*}" -y "${size#*x}"
			sleep 0.2
		done
		keys Enter End Home PgDn PgUp Escape q
		expect "ASan build quits" "EXITED"
		check "ASan build exits 0 (no sanitizer report)" \
			test "$(cat "$T/exit" 2>/dev/null)" = 0
	else
		bad "ASan build did not start"
	fi
else
	part_skip "no ASan build at ${MEMTOP_ASAN:-(unset)}"
fi

finish
