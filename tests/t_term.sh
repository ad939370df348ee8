#!/bin/bash
# t_term.sh - the viewer on hostile terminals, and under ThreadSanitizer.
#
#   - resize storms: the pane is resized through sizes from 1x1 to 400x120
#     faster than memtop redraws; memtop must stay up and, back at 80x24,
#     show a valid screen (a header and the footer) again;
#   - TERM=dumb and TERM=vt100: it starts (or says clearly why it cannot),
#     never crashes, q exits;
#   - the ThreadSanitizer build runs for several refreshes at -d 0.2 while
#     keys are pressed, and must report nothing and exit 0;
#   - the ASan+UBSan build survives the resize storm too;
#   - as nobody: "privilege partial", views that need root say so, and
#     nothing is written to stderr.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd tmux timeout
mktemp_dir
export MEMTOPRC=$T/memtoprc
SOCK=memtop-term-$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; _cleanup' EXIT

screen() { tm capture-pane -p 2>/dev/null; }
wait_for() { # REGEX SECONDS
	local i
	for ((i = 0; i < $2 * 20 * WAIT_SCALE; i++)); do
		screen | grep -Eq "$1" && return 0
		sleep 0.05
	done
	return 1
}
exit_status() { # wait for the exit file
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$T/exit" ] && { cat "$T/exit"; return 0; }
		sleep 0.05
	done
	echo none
}

start() { # TERM BINARY ARGS...
	local term=$1 bin=$2
	shift 2
	tm kill-server 2>/dev/null
	sleep 0.1
	rm -f "$T/exit" "$T"/tsan.*
	tm new-session -d -x 80 -y 24 -e LANG=C.UTF-8 -e "TERM=$term" \
		-e "TSAN_OPTIONS=halt_on_error=1 exitcode=66 log_path=$T/tsan" \
		-e "ASAN_OPTIONS=abort_on_error=1" \
		"TERM=$term $bin $*; echo \$? >$T/exit; exec sleep 600"
}

storm() { # resize through many sizes, quickly
	local s
	for s in 1x1 2x1 1x3 10x5 39x9 40x10 400x120 80x24 1x120 400x1 \
		200x60 41x11 3x3 400x120 132x43 20x100 80x24; do
		tm resize-window -x "${s%x*}" -y "${s#*x}" 2>/dev/null
		sleep 0.03
	done
}

for bin in "$MEMTOP" "$MEMTOP_ASAN"; do
	[ -x "$bin" ] || { part_skip "$bin is not built"; continue; }
	name=$(basename "$(dirname "$bin")")
	start xterm-256color "$bin" -d 0.3
	if ! wait_for 'PID +USER' 20; then
		bad "$name: the viewer starts"
		continue
	fi
	for round in 1 2 3; do
		storm
		tm send-keys v 2>/dev/null
	done
	tm resize-window -x 80 -y 24
	check "$name: still running after resize storms" \
		[ ! -s "$T/exit" ]
	check "$name: a valid screen again at 80x24" wait_for 'PID +USER' 10
	# the bottom line: the key footer, or the message of the last key
	check "$name: the bottom line is drawn" \
		bash -c "tmux -L $SOCK capture-pane -p | tail -1 | grep -q '[a-z]'"
	tm resize-window -x 30 -y 8
	check "$name: 30x8 says too small" wait_for '[Tt]oo small' 5
	tm resize-window -x 80 -y 24
	tm send-keys q
	check "$name: q exits 0 after the storm" [ "$(exit_status)" = 0 ]
done

for term in dumb vt100; do
	start "$term" "$MEMTOP" -d 0.5
	sleep 2
	st=$(cat "$T/exit" 2>/dev/null)
	if [ -z "$st" ]; then
		# it runs: it must answer q
		check "TERM=$term: a screen with the process list" \
			wait_for 'PID|COMMAND' 10
		tm send-keys q
		check "TERM=$term: q exits 0" [ "$(exit_status)" = 0 ]
	else
		# it refused: with a message, not a crash (status 1 or 2)
		case $st in
		1 | 2) ok "TERM=$term: refused cleanly (status $st)" ;;
		*) bad "TERM=$term: refused cleanly (status $st)" ;;
		esac
		check "TERM=$term: says why" wait_for 'memtop:' 2
	fi
done

# unprivileged (as nobody): honest "needs root", nothing on stderr
if is_root && command -v setpriv >/dev/null && as_user nobody true 2>/dev/null; then
	mkdir -m 755 "$T/nb"
	cp "$MEMTOP" "$T/nb/memtop"
	chmod 755 "$T" "$T/nb/memtop"
	tm kill-server 2>/dev/null
	sleep 0.1
	rm -f "$T/exit"
	tm new-session -d -x 120 -y 30 "setpriv --reuid=nobody --regid=nogroup \
--clear-groups --inh-caps=-all env MEMTOPRC=$T/nb/rc $T/nb/memtop -d 0.5 \
2>$T/nb.err; echo \$? >$T/exit; exec sleep 600"
	if wait_for 'PID +USER' 20; then
		check "nobody: privilege partial in the header" \
			wait_for 'privilege partial' 5
		tm send-keys v
		check "nobody: the mappable view says it needs root" \
			wait_for 'needs root' 5
		tm send-keys q
		check "nobody: q exits 0" [ "$(exit_status)" = 0 ]
		check "nobody: nothing on stderr" [ ! -s "$T/nb.err" ]
	else
		bad "nobody: the viewer starts"
	fi
else
	part_skip "not root: the unprivileged viewer run needs setpriv as root"
fi

if [ -x "${MEMTOP_TSAN:-}" ]; then
	start xterm-256color "$MEMTOP_TSAN" -d 0.2
	if wait_for 'PID +USER' 30; then
		for k in Down Down Enter Right Left s Escape g t D v F1 Escape q; do
			[ "$k" = q ] && sleep 2
			tm send-keys "$k"
			sleep 0.3
		done
		st=$(exit_status)
		check "tsan: exits 0 (status $st)" [ "$st" = 0 ]
		if ls "$T"/tsan.* >/dev/null 2>&1; then
			bad "tsan: reports: $(head -c 2000 "$T"/tsan.*)"
		else
			ok "tsan: no report"
		fi
	else
		bad "tsan: the viewer starts"
	fi
else
	part_skip "no TSan build (MEMTOP_TSAN)"
fi
finish
