# mk/fuzz.mk - libFuzzer harnesses for what memtop reads from files other
# programs shape, and for what it writes from them.
#
#   make fuzz                  build every harness, run each for FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=60 FUZZ_ONLY="maps smaps"
#   make fuzz-regress          run each harness once over its seed corpus
#   make fuzz-build            build only
#
# Harnesses (fuzz/fuzz_NAME.c):
#   mountinfo  memory cgroup mounts, tmpfs huge=, limit files, .config
#   maps, status, smaps, cgroup   the /proc/PID parsers (parse.h)
#   sysinfo                       vmstat, meminfo, buddyinfo, sysfs choices
#                                 and numbers (parse.h)
#   settings                      the memtoprc parser and writer (settings.h)
#   escape                        visible, JSON and Prometheus escaping
#   scan                          a whole scan of a fixture proc tree, with
#                                 the JSON, text and Prometheus renderers
# Each is linked with the library sources it exercises (FUZZ_SRC_NAME,
# default FUZZ_SRC) compiled by clang with AddressSanitizer,
# UndefinedBehaviorSanitizer and the fuzzer's coverage instrumentation; no
# curses, no threads. Seed inputs, and every input that once made a
# harness fail, live in tests/fuzz-corpus/NAME/; inputs found while fuzzing
# go to build/fuzz/corpus/NAME/, reproducers to build/fuzz/crashes/NAME/
# (see fuzz/run.sh). tests/t_fuzz.sh runs them all within a time budget.
#
# A new parser gets a harness fuzz/fuzz_NAME.c, seeds in
# tests/fuzz-corpus/NAME/ and, when it needs more than FUZZ_SRC, a
# FUZZ_SRC_NAME line here; the targets and tests/t_fuzz.sh find it.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_O       := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -std=gnu11 $(WARN) $(FUZZ_SAN)

FUZZ_SRC        := src/parse.c src/escape.c src/util.c
FUZZ_SRC_sysinfo := src/sysinfo.c src/procfs.c src/parse.c src/util.c
FUZZ_SRC_escape  := src/escape.c src/util.c src/prometheus.c src/sysinfo.c \
	src/procfs.c src/parse.c src/snapshot.c src/hist.c
FUZZ_SRC_scan    := src/scan.c src/scan_walk.c src/sweep.c src/slice.c src/intern.c src/numa.c \
	src/probe.c src/procfs.c src/pagemap.c src/hist.c src/collapse.c src/why.c \
	src/snapshot.c src/output.c src/units.c src/prometheus.c src/sysinfo.c \
	src/memcg.c src/kconfig.c src/parse.c src/escape.c src/util.c
FUZZ_SRC_record  := src/recfmt.c src/replay.c src/record.c src/output.c \
	src/why.c src/collapse.c src/probe.c src/pagemap.c src/procfs.c \
	src/snapshot.c src/hist.c src/units.c src/sysinfo.c src/escape.c \
	src/parse.c src/util.c
FUZZ_SRC_mountinfo := src/memcg.c src/kconfig.c src/collapse.c src/pagemap.c \
	src/procfs.c src/hist.c src/snapshot.c src/parse.c src/util.c
FUZZ_SRC_settings := src/settings.c src/atomicfile.c src/snapshot.c src/hist.c \
	src/escape.c src/parse.c src/util.c

FUZZ_ALL   := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES := $(if $(FUZZ_ONLY),$(filter $(FUZZ_ONLY),$(FUZZ_ALL)),$(FUZZ_ALL))
FUZZ_BIN   := $(FUZZ_NAMES:%=$(FUZZ_O)/fuzz_%)

fuzz_src = $(if $(FUZZ_SRC_$(1)),$(FUZZ_SRC_$(1)),$(FUZZ_SRC))

.PHONY: fuzz fuzz-build fuzz-regress

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	$(Q)fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-regress: fuzz-build
	$(Q)fuzz/run.sh 0 $(FUZZ_BIN)

# Library objects: instrumented for coverage, without libFuzzer's main.
$(FUZZ_O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

# One link rule per harness: its source plus the objects it needs.
define fuzz_harness
$(FUZZ_O)/fuzz_$(1): fuzz/fuzz_$(1).c $(patsubst %.c,$(FUZZ_O)/obj/%.o,$(call fuzz_src,$(1)))
	@mkdir -p $$(dir $$@)
	$$(call quiet,FUZZLD,$$@)$$(FUZZ_CC) $$(CPPFLAGS) $$(FUZZ_CFLAGS) \
		-fsanitize=fuzzer -MMD -MP -o $$@ $$< $$(filter %.o,$$^) -lz -lm
endef
$(foreach n,$(FUZZ_ALL),$(eval $(call fuzz_harness,$(n))))
