#!/bin/bash
# Runs every test suite and prints one summary line per suite and a total.
#
# Unit tests (cmocka) run in the plain, ASan+UBSan and (threaded ones) TSan
# builds. Script suites tests/t_*.sh get the binaries through the
# environment and exit 0 (pass), 77 (skipped: they print why) or other
# (fail).
set -u
cd "$(dirname "$0")/.."
export MEMTOP_ROOT=$PWD
export MEMTOP=$PWD/build/plain/memtop
export MEMTOP_ASAN=$PWD/build/asan/memtop
export MEMTOP_TSAN=$PWD/build/tsan/memtop
export HELPERS=$PWD/build/plain/tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

pass=0 fail=0 skip=0
failed=()
run() { # name command...
	local name=$1; shift
	local log; log=$(mktemp)
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	cat "$log"
	rm -f "$log"
	case $rc in
	0) pass=$((pass + 1)); echo "== PASS $name ($((SECONDS - t0))s)" ;;
	77) skip=$((skip + 1)); echo "== SKIP $name" ;;
	*) fail=$((fail + 1)); failed+=("$name"); echo "== FAIL $name (exit $rc)" ;;
	esac
}

for b in build/plain/tests/test_* build/asan/tests/test_*; do
	case $b in *.d) continue ;; esac # the compiler's dependency lists
	[ -x "$b" ] || continue
	run "${b#build/}" "$b"
done
for b in build/tsan/tests/test_*; do
	case $b in *.d) continue ;; esac
	[ -x "$b" ] || continue
	case $b in *model*|*scanner*|*thread*) run "${b#build/}" "$b" ;; esac
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	run "$t" bash "$t"
done

echo
echo "memtop tests: $pass passed, $fail failed, $skip skipped"
if [ $fail -gt 0 ]; then
	printf 'failed: %s\n' "${failed[@]}"
	exit 1
fi
