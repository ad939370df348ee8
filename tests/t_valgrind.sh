#!/bin/bash
# t_valgrind.sh - memtop's batch modes under valgrind memcheck.
#
# Runs, with --leak-check=full, every leak kind an error, --track-fds and
# --track-origins:
#   -b -p WORKLOAD             the workload helper, default pagemap method
#   --json                     the whole system, default pagemap method
#   --json --pagemap-method=pread   the whole system, pread method
#   --json --smaps -n 3 -p WORKLOAD --pagemap-method=pread  repeated scans
#   -b --pagemap-method=pread --no-folios   the whole system, no ioctl
# Each must exit 0 with zero errors, no leak, and no file descriptor left
# open at exit that memtop opened itself.
#
# Valgrind does not know the PAGEMAP_SCAN ioctl (Linux 6.7): it cannot see
# that the kernel fills the region array, so every value read from it would
# look uninitialised. A small preloaded shim tells memcheck, after each
# successful PAGEMAP_SCAN, that the regions the kernel returned are defined
# (a client request; nothing else changes). memtop issues the ioctl in
# every mode that reads folios (to tell PMD-mapped THPs), so without
# valgrind's headers only a run with --pagemap-method=pread --no-folios is
# made, and the others are skipped and said so.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd valgrind jq timeout
for b in "$MEMTOP" "$WORKLOAD"; do
	[ -x "$b" ] || { echo "FAIL: $SUITE: $b is not built"; exit 1; }
done
mktemp_dir
if ! valgrind -q --error-exitcode=1 true >"$T/probe" 2>&1; then
	skip "valgrind does not run here: $(head -c 200 "$T/probe")"
fi

start_workload "$T/wl.json" -- --dir "$T" || {
	bad "workload starts and stops itself"
	finish
}
ok "workload $WL_PID started"

# The PAGEMAP_SCAN shim.
cat >"$T/pmscan_shim.c" <<'C'
#include <stdarg.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <valgrind/memcheck.h>

struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
struct page_region { uint64_t start, end, categories; };
#define PAGEMAP_SCAN_REQ _IOWR('f', 16, struct pm_scan_arg)

int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	long r = syscall(SYS_ioctl, fd, req, arg);
	if (req == PAGEMAP_SCAN_REQ && r > 0) {
		const struct pm_scan_arg *a = arg;
		VALGRIND_MAKE_MEM_DEFINED((void *)(uintptr_t)a->vec,
					  (size_t)r * sizeof(struct page_region));
	}
	return (int)r;
}
C
SHIM=
if cc -shared -fPIC -O1 -Wall -Werror -o "$T/pmscan_shim.so" "$T/pmscan_shim.c" \
	>"$T/shim.log" 2>&1; then
	SHIM=$T/pmscan_shim.so
else
	echo "note: cannot build the PAGEMAP_SCAN shim: $(head -c 200 "$T/shim.log")"
fi

# fds LOG: descriptors open at exit that memtop opened (not inherited)
fds() {
	awk '/FILE DESCRIPTORS:/ { on = 1 }
	on && /Open (file descriptor|AF_)/ { n++; cur = 1; next }
	on && cur && /<inherited from parent>/ { n--; cur = 0 }
	END { print n + 0 }' "$1"
}

vg() { # NAME [--no-ioctl] MEMTOP-ARGS...
	local name=$1 pre=()
	shift
	if [ "$1" = --no-ioctl ]; then
		shift
	elif [ -z "$SHIM" ]; then
		part_skip "$name: needs the PAGEMAP_SCAN shim (valgrind's headers)"
		return
	fi
	[ -n "$SHIM" ] && pre=(env LD_PRELOAD="$SHIM")
	timeout -k 10 900 "${pre[@]}" valgrind --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--show-leak-kinds=definite,indirect,possible \
		--track-fds=yes --track-origins=yes --error-exitcode=99 \
		--log-file="$T/$name.vg" "$MEMTOP" "$@" >"$T/$name.out" 2>"$T/$name.err"
	local rc=$?
	local summary n
	summary=$(grep -h 'ERROR SUMMARY' "$T/$name.vg" | tail -1)
	summary=${summary#*== }
	n=$(fds "$T/$name.vg")
	echo "$name: ${summary:-no summary}"
	check "$name: output written" [ -s "$T/$name.out" ]
	check "$name: nothing on stderr ($(head -c 200 "$T/$name.err"))" [ ! -s "$T/$name.err" ]
	check "$name: no descriptor left open ($n)" [ "$n" -eq 0 ]
	if [ $rc -eq 0 ]; then
		ok "$name: zero errors, no leak"
	else
		bad "$name: exit $rc, $summary; first:"
		sed -n '/Invalid\|uninitialised\|lost in\|Syscall param\|Mismatched\|overlap/,/^==[0-9]*== *$/p' \
			"$T/$name.vg" | head -30
	fi
}

ran() { [ -e "$T/$1.vg" ]; } # NAME: vg ran it

vg text-workload -b -p "$WL_PID"
ran text-workload &&
	check "text-workload: the workload is in the report" grep -q "^process $WL_PID " "$T/text-workload.out"
vg json-system --json
ran json-system &&
	jq_check "json-system: valid JSON" "$T/json-system.out" '.processes | length > 0'
vg json-system-pread --json --pagemap-method=pread
ran json-system-pread &&
	jq_check "json-system-pread: valid JSON" "$T/json-system-pread.out" '.processes | length > 0'
vg json-repeat --json --smaps -n 3 -d 0.05 -p "$WL_PID" --pagemap-method=pread
ran json-repeat &&
	check "json-repeat: 3 documents" [ "$(jq -s length "$T/json-repeat.out")" = 3 ]
vg text-system-noioctl --no-ioctl -b --pagemap-method=pread --no-folios
check "text-system-noioctl: a summary" grep -qE '^# [0-9]+ process(es)? scanned' "$T/text-system-noioctl.out"
finish
