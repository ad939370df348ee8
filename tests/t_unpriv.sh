#!/bin/bash
# t_unpriv.sh - memtop without privileges.
#
# As root, the workload and memtop run as user nobody (setpriv, no
# capabilities); as another user they simply run as that user. Checked:
#  - the workload's present histograms are exact (the same as root sees,
#    and what the shapes imply), while mappable_hist and folios are null
#    everywhere and privileged.pfns/kpageflags are false;
#  - every pagemap method works unprivileged;
#  - over all processes memtop exits 0, counts the processes it may not
#    read (summary.denied > 0) and lists only processes of its own user;
#  - the text output says which views need root.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq "$PYTHON" timeout
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
mktemp_dir

if is_root; then
	need_cmd setpriv
	USER_NAME=nobody
	id "$USER_NAME" >/dev/null 2>&1 || skip "no user $USER_NAME to switch to"
	as_user "$USER_NAME" true 2>/dev/null ||
		skip "cannot switch to $USER_NAME with setpriv"
	setpriv_for "$USER_NAME"
	RUNAS=("${SETPRIV[@]}")
	WL_AS=(--as "$USER_NAME")
	# the binaries must be reachable by that user: copy them if a
	# directory on the way is closed
	if ! as_user "$USER_NAME" test -x "$MEMTOP" ||
	   ! as_user "$USER_NAME" test -x "$WORKLOAD"; then
		mkdir -m 755 "$T/bin"
		cp "$MEMTOP" "$WORKLOAD" "$T/bin/"
		chmod 755 "$T/bin/"*
		MEMTOP=$T/bin/memtop
		WORKLOAD=$T/bin/workload
		echo "note: running copies of the binaries from $T/bin"
	fi
	mkdir -m 700 "$T/files"
	chown "$USER_NAME:" "$T/files"
else
	has_sys_admin && skip "running as $(id -un) with CAP_SYS_ADMIN: not unprivileged"
	USER_NAME=$(id -un)
	RUNAS=()
	WL_AS=()
	mkdir -m 700 "$T/files"
fi
UID_N=$(id -u "$USER_NAME")
echo "unprivileged user: $USER_NAME ($UID_N)"

start_workload "$T/wl.json" "${WL_AS[@]}" -- --dir "$T/files" || {
	bad "workload starts as $USER_NAME and stops itself"
	finish
}
PID=$WL_PID
# Without PFNs, the pread fallback (kernels before PAGEMAP_SCAN) cannot
# tell a zero page mapping from memory: it is checked on a second
# workload that maps no zero page.
start_workload "$T/wl2.json" "${WL_AS[@]}" -- --dir "$T/files" \
	--shapes thp,thp_pte,holes,unaligned,file,file_private,memfd,shmem || {
	bad "second workload starts as $USER_NAME"
	finish
}
PID2=$WL_PID
check "workload runs as $USER_NAME" \
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$PID/status")" = "$UID_N" ]

# name args...: memtop as the unprivileged user
declare -A RC
urun() {
	local name=$1
	shift
	(cd "$T" && run_memtop "$T/$name.out" "$T/$name.err" \
		"${RUNAS[@]}" "$MEMTOP" "$@")
	RC[$name]=$?
}

"$PYTHON" "$REFHIST" snapshot "$PID" >"$T/ref.json" ||
	{ bad "reference snapshot of /proc/$PID"; finish; }
"$PYTHON" "$REFHIST" snapshot "$PID2" >"$T/ref2.json" ||
	{ bad "reference snapshot of /proc/$PID2"; finish; }
urun auto --json -p "$PID"
urun scan --json -p "$PID" --pagemap-method=scan
urun pread --json -p "$PID2" --pagemap-method=pread
urun scan2 --json -p "$PID2" --pagemap-method=scan
urun text -b -p "$PID"
urun all --json
urun alltext -b
urun root -u root --json
urun one --json -p 1
if is_root; then
	run_memtop "$T/asroot.out" "$T/asroot.err" "$MEMTOP" --json -p "$PID"
	RC[asroot]=$?
fi

for name in "${!RC[@]}"; do
	check "memtop ($name) exits 0" [ "${RC[$name]}" = 0 ]
	if [ -s "$T/$name.err" ]; then
		bad "memtop ($name) wrote to stderr: $(head -c 400 "$T/$name.err")"
	else
		ok "memtop ($name) stderr empty"
	fi
done

for name in auto scan pread; do
	wl=wl ref=ref
	[ "$name" = pread ] && wl=wl2 ref=ref2
	py_check "$("$PYTHON" "$REFHIST" check-live "$T/$wl.json" "$T/$ref.json" \
		"$T/$name.out" "$name" --expect-pfns 0 --expect-folios 0)"
	jq_check "$name: privileged.pfns and kpageflags false" "$T/$name.out" \
		'.privileged.pfns == false and .privileged.kpageflags == false'
	jq_check "$name: the reasons say what it needs" "$T/$name.out" \
		'(.privileged.pfns_why | startswith("needs root")) and
		 (.privileged.kpageflags_why | startswith("needs root"))'
	jq_check "$name: no mappable_hist or folios anywhere" "$T/$name.out" \
		'([.. | objects | select(has("mappable_hist")) | .mappable_hist] | all(. == null)) and
		 ([.. | objects | select(has("folios")) | .folios] | all(. == null))'
done
py_check "$("$PYTHON" "$REFHIST" same-hists "scan vs pread" "$T/scan2.out" "$T/pread.out")"
if is_root; then
	py_check "$("$PYTHON" "$REFHIST" same-hists "$USER_NAME vs root (present)" \
		"$T/auto.out" "$T/asroot.out")"
fi

# all processes
py_check "$("$PYTHON" "$REFHIST" check-doc "$T/all.out" all --expect-pfns 0)"
jq_check "all: some processes denied (summary.denied > 0)" "$T/all.out" \
	'.summary.denied > 0'
jq_check "all: lists the workload" "$T/all.out" \
	"[.processes[].pid] | index($PID) != null"
# A process listed under another uid must have been changing users while
# memtop read it (setpriv and su start as root, then switch): by now it has
# that user's uid, or it is gone.
only_own() { # file
	local pid uid now
	while read -r pid uid; do
		[ "$uid" = "$UID_N" ] && continue
		now=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		if [ -n "$now" ] && [ "$now" != "$UID_N" ]; then
			echo "pid $pid listed with uid $uid, now uid $now"
			return 1
		fi
	done < <(jq -r '.processes[] | "\(.pid) \(.uid)"' "$1")
}
check "all: lists only processes of $USER_NAME" only_own "$T/all.out"
check "all -b: ends with a '# ' summary" \
	last_line_starts "$T/alltext.out" "# "
check "all -b: the summary counts denied processes" \
	grep -Eq '^# .* [1-9][0-9]* skipped for permission' "$T/alltext.out"
if [ "$UID_N" != 0 ]; then
	jq_check "-u root: denied counted" "$T/root.out" '.summary.denied > 0'
	check "-u root: no root process readable" only_own "$T/root.out"
fi
jq_check "-p 1: denied, not listed" "$T/one.out" \
	'(.processes | length) == 0 and .summary.denied + .summary.vanished == 1'

# text output
check "text: a process line for the workload" \
	grep -Eq "^process +$PID +workload +user $USER_NAME " "$T/text.out"
check "text: says the mappable view needs root" \
	grep -Eq "^process +$PID .*mappable needs root" "$T/text.out"
check "text: says the folio view needs root" \
	grep -Eq "^process +$PID .*folios needs root\$" "$T/text.out"
check "text: header names the views that need root" \
	grep -q '^# memtop .*(mappable unavailable: needs root.*(folios unavailable: needs root' "$T/text.out"

finish
