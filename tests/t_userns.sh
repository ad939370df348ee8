#!/bin/bash
# t_userns.sh - memtop as root of a user namespace (unshare -U -r: what a
# rootless container gives).
#
# There capget() reports CAP_SYS_ADMIN, but the kernel shows PFNs only to
# an opener with CAP_SYS_ADMIN in the initial user namespace and reads them
# as 0 otherwise. memtop must tell that from the data:
#  - JSON: privileged.pfns and kpageflags false, both reasons "PFNs
#    hidden: ...", no mappable histogram or folio figures anywhere (null),
#    never order-0 blocks made of zeros;
#  - the present view still works: every region of a workload started in
#    the namespace has the histogram its shape implies;
#  - text: the header and the process line say "PFNs hidden";
#  - Prometheus: memtop_privileged{view="mappable"} 0 and no mappable or
#    folio series;
#  - memtop exits 0 and writes nothing on stderr.
# (Processes outside the namespace are denied to it: the kernel's ptrace
# check; the workload runs inside.)
set -u
. "$(dirname "$0")/lib.sh"

need_cmd jq unshare timeout
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
if ! out=$(unshare -U -r true 2>&1); then
	skip "user namespaces are not available here: $out"
fi
mktemp_dir

cat >"$T/inner.sh" <<'SH'
# inner.sh MEMTOP WORKLOAD DIR: in the namespace, start the workload, wait
# until it has stopped itself, run memtop on it, kill it.
set -u
memtop=$1 wl=$2 dir=$3 scale=$4
"$wl" --shapes thp,holes,unaligned,file --dir "$dir" >"$dir/wl.json" &
pid=$!
for ((i = 0; i < 600 * scale; i++)); do
	st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) || break
	[ "$st" = T ] && [ -s "$dir/wl.json" ] && break
	sleep 0.05
done
timeout -k 5 120 "$memtop" --json -p "$pid" >"$dir/json.out" 2>"$dir/json.err"
echo $? >"$dir/json.rc"
timeout -k 5 120 "$memtop" -b -p "$pid" >"$dir/text.out" 2>"$dir/text.err"
echo $? >"$dir/text.rc"
timeout -k 5 120 "$memtop" --prometheus -p "$pid" >"$dir/prom.out" 2>"$dir/prom.err"
echo $? >"$dir/prom.rc"
"$memtop" --json >"$dir/all.out" 2>"$dir/all.err"
echo $? >"$dir/all.rc"
kill -KILL "$pid"
SH
unshare -U -r bash "$T/inner.sh" "$MEMTOP" "$WORKLOAD" "$T" "$WAIT_SCALE"
[ -s "$T/wl.json" ] || { bad "the workload starts in the namespace"; finish; }

for m in json text prom all; do
	check "$m: exit 0" [ "$(cat "$T/$m.rc")" = 0 ]
	if [ -s "$T/$m.err" ]; then
		bad "$m: stderr: $(head -c 300 "$T/$m.err")"
	else
		ok "$m: stderr empty"
	fi
done

jq_check "JSON: the workload was scanned" "$T/json.out" \
	'.summary.scanned == 1 and (.processes | length) == 1'
jq_check "JSON: no PFNs, no kpageflags" "$T/json.out" \
	'.privileged.pfns == false and .privileged.kpageflags == false'
jq_check "JSON: the reason is the hidden PFNs" "$T/json.out" \
	'(.privileged.pfns_why | startswith("PFNs hidden")) and
	 (.privileged.kpageflags_why | startswith("PFNs hidden"))'
for f in json all; do
	jq_check "$f: no mappable histogram or folios anywhere" "$T/$f.out" \
		'.totals.mappable_hist == null and .totals.folios == null and
		 all(.processes[]; .mappable_hist == null and .folios == null and
		     all(.vmas[]; .mappable_hist == null and .folios == null))'
done
# the present view: each region as its shape says
while read -r start want; do
	jq_check "present view of region $start as its shape says" \
		"$T/json.out" \
		'[.processes[0].vmas[] | select(.start == $s) | .present_hist] == [$w]' \
		--arg s "$start" --argjson w "$want"
done < <(jq -r '.regions[] | "\(.start) \(.present_hist | tojson)"' "$T/wl.json")

check "text: the header says PFNs are hidden" \
	grep -q '^# memtop .*(mappable unavailable: PFNs hidden' "$T/text.out"
check "text: the process line says PFNs hidden" \
	grep -Eq '^process .* mappable PFNs hidden .*folios PFNs hidden$' "$T/text.out"

check "Prometheus: memtop_privileged{view=\"mappable\"} 0" \
	grep -qx 'memtop_privileged{view="mappable"} 0' "$T/prom.out"
check "Prometheus: no series of the mappable or folio views" \
	bash -c "! grep -v '^memtop_privileged' '$T/prom.out' |
		grep -E 'view=\"(mappable|folios)\"|^memtop_thp_(bytes|pte_bytes|node_bytes)'"
finish
