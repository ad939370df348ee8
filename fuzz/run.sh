#!/bin/bash
# Runs libFuzzer harnesses: fuzz/run.sh SECONDS HARNESS...
#
# Each harness build/fuzz/fuzz_NAME first runs every input of its seed
# corpus tests/fuzz-corpus/NAME (the regression inputs), then, when SECONDS
# is above 0, fuzzes for SECONDS, keeping new inputs in build/fuzz/corpus/
# NAME. Prints one line per harness with the number of executions; on a
# crash, leak, hang (10 s per input) or failed check, prints the report and
# the reproducer's path, and exits 1 after the other harnesses have run.
set -u
cd "$(dirname "$0")/.." || exit 1
secs=$1
shift

# The harness reports through libFuzzer: keep the sanitizers from
# aborting before it has written the reproducer.
export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${FUZZ_UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# harnesses that write fixture files keep them here (a crash leaves them)
export TMPDIR=$PWD/build/fuzz/tmp
mkdir -p "$TMPDIR"

failed=()
total=0
for bin in "$@"; do
	name=${bin##*/fuzz_}
	seeds=tests/fuzz-corpus/$name
	work=build/fuzz/corpus/$name
	crashes=build/fuzz/crashes/$name
	mkdir -p "$work" "$crashes" "$seeds"
	log=build/fuzz/$name.log
	if [ "$secs" -gt 0 ]; then
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
			-use_value_profile=1 -print_final_stats=1 \
			-artifact_prefix="$crashes/" \
			"$work" "$seeds" >"$log" 2>&1
	else
		"$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$crashes/" \
			"$seeds" >"$log" 2>&1
	fi
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	corpus=$(find "$work" -type f | wc -l)
	nseeds=$(find "$seeds" -type f | wc -l)
	if [ $rc -eq 0 ] && [ -n "$execs" ]; then
		total=$((total + execs))
		if [ "$secs" -gt 0 ]; then
			printf 'fuzz %-8s %10s executions in %s s (%d seed inputs, %d in the working corpus)\n' \
				"$name" "$execs" "$secs" "$nseeds" "$corpus"
		else
			printf 'fuzz %-8s %d seed inputs run, no failure\n' "$name" "$nseeds"
		fi
		continue
	fi
	failed+=("$name")
	echo "fuzz $name: FAILED (exit $rc)"
	grep -E -A40 '^==[0-9]+==ERROR|check failed|runtime error|ALARM|deadly signal|LeakSanitizer' "$log" | head -60
	art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ -n "$art" ]; then
		echo "reproduce: $bin $art"
		echo "keep it:   cp $art $seeds/crash-<what>"
	else
		tail -20 "$log"
	fi
done
echo "fuzz: $total executions in all"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: failed: ${failed[*]}"
	exit 1
fi
