# memtop - live page-order histograms of process memory.
#
#   make            build ./memtop (strict warnings, -Werror)
#   make run        build and start memtop
#   make test       install missing test dependencies, build, run all tests
#                   (plain, ASan+UBSan and TSan builds)
#   make bench      benchmarks, printing ratios against a floor measured in
#                   the same run
#   make V=1        show the commands
#
# Build variants live in build/<variant>/; BUILD=asan|tsan|plain selects one.

VERSION   := 0.2.0
CC        ?= cc
BUILD     ?= plain
O         := build/$(BUILD)
PKG_CONFIG ?= pkg-config

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wvla -Wformat=2 -Wpointer-arith -Wundef -Wwrite-strings \
	-Wold-style-definition -Wmissing-declarations -Wno-unused-parameter
WERROR ?= 1
ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT_plain := -O2
OPT_asan  := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
OPT_tsan  := -O1 -fsanitize=thread

CURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

CPPFLAGS += -Iinclude -D_GNU_SOURCE -DMEMTOP_VERSION='"$(VERSION)"'
CFLAGS   ?= -g
CFLAGS   += -std=gnu11 $(OPT_$(BUILD)) $(WARN) $(CURSES_CFLAGS) -pthread -MMD -MP
LDFLAGS  += $(filter -fsanitize=%,$(OPT_$(BUILD))) -pthread
ZLIB_LIBS     := $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null || echo -lz)
LDLIBS   += $(CURSES_LIBS) $(ZLIB_LIBS) -lm

ifneq ($(V),1)
Q = @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c src/ui/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
MAIN_OBJ := $(O)/src/main.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(O)/tests/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(O)/bench/%)

.DELETE_ON_ERROR:
.PHONY: all run test check unit-tests helpers deps bench clean install-deps \
	test-plain test-asan test-tsan

all: memtop

ifeq ($(BUILD),plain)
memtop: $(O)/memtop
	$(call quiet,LN,$@)ln -sf $(O)/memtop memtop
endif

$(O)/memtop: $(MAIN_OBJ) $(O)/libmemtop.a
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/libmemtop.a: $(LIB_OBJ)
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/tests/test_%: tests/unit/test_%.c $(O)/libmemtop.a
	@mkdir -p $(dir $@)
	$(call quiet,CCLD,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(O)/libmemtop.a $(CMOCKA_LIBS) $(LDLIBS)

# Workload programs used by the live tests: no curses, no memtop code.
$(O)/tests/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(call quiet,CCLD,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lm

$(O)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(call quiet,CCLD,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lm

unit-tests: $(UNIT_BIN)
helpers: $(HELPER_BIN)

# Debian packages for building and testing; installed when missing.
deps:
	$(Q)tests/deps.sh

run: deps memtop
	./memtop

# Every test: plain build (unit + live + fixture + tmux), then the unit
# tests and a batch run again under ASan+UBSan, then the threaded tests
# under TSan.
test: deps
	$(Q)$(MAKE) --no-print-directory BUILD=plain memtop unit-tests helpers
	$(Q)$(MAKE) --no-print-directory BUILD=asan build/asan/memtop unit-tests helpers
	$(Q)$(MAKE) --no-print-directory BUILD=tsan build/tsan/memtop unit-tests
	$(Q)tests/run.sh

check: test

bench: deps
	$(Q)$(MAKE) --no-print-directory BUILD=plain memtop helpers $(BENCH_BIN)
	$(Q)bench/run.sh

clean:
	rm -rf build memtop

# Further targets (install, fuzzing, ...) live in mk/*.mk.
-include $(wildcard mk/*.mk)

-include $(shell find build -name '*.d' 2>/dev/null)
