#!/bin/bash
# t_fuzz.sh - the libFuzzer harnesses (fuzz/fuzz_*.c), bounded in time.
#
# Builds every harness with clang (ASan + UBSan + libFuzzer), runs each over
# its seed and regression inputs (tests/fuzz-corpus/NAME), then fuzzes each
# for an equal share of FUZZ_TOTAL_SECONDS (default 90, at least 5 s per
# harness). Fails on any crash, leak, hang or failed check, and when a
# harness reports no executions. Skips when clang or its libFuzzer runtime
# is missing (Debian: clang and libclang-rt-14-dev).
set -u
. "$(dirname "$0")/lib.sh"

need_cmd clang make timeout
mktemp_dir
cd "$MEMTOP_ROOT" || exit 1
mkdir -p build/fuzz 2>/dev/null
[ -w build/fuzz ] || skip "cannot write $MEMTOP_ROOT/build/fuzz as $(id -un)"

# The runtime: a program with -fsanitize=fuzzer links only if it is there.
cat >"$T/probe.c" <<'PROBE'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }
PROBE
if ! clang -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" \
	>"$T/probe.log" 2>&1; then
	sed 's/^/  /' "$T/probe.log" | head -5
	skip "clang cannot link a libFuzzer program (its runtime is missing; Debian package libclang-rt-14-dev)"
fi

harnesses=(fuzz/fuzz_*.c)
nh=${#harnesses[@]}
[ -f "${harnesses[0]}" ] || { bad "no harness in fuzz/"; finish; }
total=${FUZZ_TOTAL_SECONDS:-90}
per=$((total / nh))
[ $per -ge 5 ] || per=5
echo "fuzzing $nh harnesses for $per s each"

# build, then the seed inputs alone (quick regression), then fuzzing
timeout -k 10 600 make -s --no-print-directory fuzz-build >"$T/build.log" 2>&1
rc=$?
cat "$T/build.log"
check "harnesses build (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || finish

timeout -k 10 120 make -s --no-print-directory fuzz-regress >"$T/regress.log" 2>&1
rc=$?
cat "$T/regress.log"
check "seed and regression inputs pass (exit $rc)" [ $rc -eq 0 ]

timeout -k 10 $((per * nh + 120)) make -s --no-print-directory fuzz \
	FUZZ_SECONDS=$per >"$T/fuzz.log" 2>&1
rc=$?
cat "$T/fuzz.log"
check "fuzzing finds nothing (exit $rc)" [ $rc -eq 0 ]
for h in "${harnesses[@]}"; do
	name=${h#fuzz/fuzz_}
	name=${name%.c}
	n=$(awk -v n="$name" '$1 == "fuzz" && $2 == n && $4 == "executions" { print $3 }' "$T/fuzz.log")
	check "harness $name ran (${n:-no} executions)" [ "${n:-0}" -gt 0 ]
done
finish
