# mp: one GNU make entry point. Sources are found by wildcard; adding a .cpp file
# to a library, a test suite, a benchmark or a demo needs no edit here.

# ---- the libraries and the dependencies each one may include (the only place) ----
# One DEPS_<lib> line per library: adding a library is adding its line here. The
# build order and the link order are computed from these lines.
DEPS_sync       :=
DEPS_subproc    :=
DEPS_threadpool :=
DEPS_ipc        := sync
DEPS_shm        := sync
DEPS_pool       := ipc sync threadpool

# Every library after the ones it depends on (Kahn's algorithm, one round of
# ready libraries at a time, alphabetical within a round so the order is stable).
# DEPS_ lines given on the command line count (tests/make_order_test.sh uses that);
# ones from the environment do not.
declared_libs := $(sort $(foreach v,$(filter DEPS_%,$(.VARIABLES)),\
  $(if $(filter file command line,$(origin $(v))),$(patsubst DEPS_%,%,$(v)))))
$(foreach l,$(declared_libs),$(foreach d,$(DEPS_$(l)),$(if $(filter $(d),$(declared_libs)),,\
  $(error make: DEPS_$(l) names "$(d)", which has no DEPS_$(d) line))))
# topo_order(placed, left): ready = the left ones whose dependencies are all placed.
topo_order = $(if $(2),$(call topo_round,$(1),$(2),$(strip $(foreach l,$(2),$(if $(filter-out $(1),$(DEPS_$(l))),,$(l))))),$(1))
topo_round = $(if $(3),$(call topo_order,$(1) $(3),$(filter-out $(3),$(2))),\
  $(error make: the DEPS_ lines form a cycle; none of these can come first:$(foreach l,$(2), $(l) (needs $(DEPS_$(l))))))
reverse    = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
ALL_LIBS   := $(strip $(call topo_order,,$(declared_libs)))

# ---- tools and flags ----
# Every core unless the command line says -j N (make -j2 ...); a sub-make shares
# its parent's jobs (the jobserver).
ifeq ($(MAKELEVEL)$(filter -j%,$(MAKEFLAGS)),0)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif
# One short line per step ("  CXX  ipc/manager.cpp"); V=1 shows the full commands.
V ?= 0
say  = $(if $(filter 1,$(V)),,@printf '  %-4s %s\n' '$(1)' '$(2)';)

CXX      ?= g++
BUILD    ?= build
SAN      ?=
PREFIX   ?= /usr/local
WARNINGS := -Wall -Wextra -Wpedantic -Werror
# -g where it helps: sanitizer reports name lines with it; a plain build is for
# using and testing (make CXXFLAGS='-O0 -g' for a debugger).
CXXFLAGS ?= -O2 $(if $(SAN),-g)
# The tests' own files are not optimized: -O0 compiles them in half the time of
# -O1 (28 s against 53 s for the pool suite), and they spend their time waiting on
# what they test (the libraries, the tools), which is built with CXXFLAGS.
TEST_CXXFLAGS ?= -O0 $(if $(SAN),-g)
# UBSan's vptr check opens a pipe to look at each object it checks: with the
# descriptors exhausted (the tools are tested under ulimit -n 4) it reports every
# valid exception as an object without a vptr and ends the process. It is left out.
SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all \
  $(if $(findstring undefined,$(SAN)),-fno-sanitize=vptr))
BASEFLAGS = -std=c++20 $(WARNINGS) $(SANFLAGS) -pthread -I. -MMD -MP
ALLFLAGS := $(BASEFLAGS) $(CXXFLAGS)
TESTFLAGS = $(BASEFLAGS) $(TEST_CXXFLAGS)
# ccache may reuse objects built with the precompiled header (see TEST_PCH).
export CCACHE_SLOPPINESS ?= pch_defines,time_macros
LDFLAGS  += -pthread $(SANFLAGS)

# The normal build puts demos next to their sources (bin/<lib>); sanitizer builds
# keep theirs inside their own build folder so the two never mix.
BIN_OUT  := $(if $(SAN),$(BUILD)/bin,bin)

# ---- what exists ----
LIBS       := $(foreach l,$(ALL_LIBS),$(if $(wildcard $(l)/*.hpp $(l)/*.cpp),$(l)))
# A static library comes before the ones it uses on the link line.
LINK_ORDER := $(strip $(call reverse,$(LIBS)))
LIB_FILES  := $(foreach l,$(LINK_ORDER),$(BUILD)/lib$(l).a)
# A library's sources: its folder, internal/, and one level of sub-library folders
# with their own internal/ (threadpool/green/).
lib_srcs    = $(sort $(wildcard $(1)/*.cpp $(1)/*/*.cpp $(1)/*/internal/*.cpp))
objs_of     = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(1))

DEMOS      := $(filter $(ALL_LIBS),$(patsubst bin/%.cpp,%,$(wildcard bin/*.cpp)))
CLI_SRCS   := $(wildcard bin/cli/*.cpp)
SUITES     := $(patsubst tests/%_test.cpp,%,$(wildcard tests/*_test.cpp))
SUPPORT    := $(wildcard tests/support/*.cpp)
BENCHES    := $(patsubst bench/%_bench.cpp,%,$(wildcard bench/*_bench.cpp))
BENCH_LIB  := $(wildcard bench/harness/*.cpp)
# The seed programs (tests/seeds/README.md): one program each, run by the seeds suite.
# Most share one binary (tests/seeds/shared_program.sh); these make a process, a
# pipe or a shared segment at namespace scope, as their Python originals do at
# module level, which in a shared binary every seed would make: they are built alone.
SEEDS_ALONE := 002_13_array_processes 002_15_manager_dict_values 003_3_queue 003_4_pipe \
  003_5_manager_lock 003_6_socketpair
SEED_SRCS   := $(wildcard tests/seeds/*.cpp)
SEED_BINS   := $(patsubst tests/seeds/%.cpp,$(BUILD)/tests/seeds/%,$(SEED_SRCS))
ALONE_SEED_BINS  := $(filter $(foreach s,$(SEEDS_ALONE),$(BUILD)/tests/seeds/$(s)),$(SEED_BINS))
SHARED_SEED_BINS := $(filter-out $(ALONE_SEED_BINS),$(SEED_BINS))
SHARED_SEEDS_CPP := $(BUILD)/seeds/shared_program.cpp
# Suites that are mostly threads run again under ThreadSanitizer.
TSAN_SUITES ?= threadpool sync ipc

TEST_BINS  := $(foreach s,$(SUITES),$(BUILD)/tests/$(s)_test)
DEMO_BINS  := $(foreach d,$(DEMOS),$(BIN_OUT)/$(d))
BENCH_BINS := $(foreach b,$(BENCHES),$(BUILD)/bench/$(b)_bench)

.PHONY: all libs demos test check check-ports bench demo format clean install deps-check compile-fail-check \
        gtest-present examples-check install-check run-tests runner-check fuzz fuzz-targets fuzz-corpus-update soak bench-report
.DEFAULT_GOAL := all
# Objects are real products, not intermediates to delete after linking.
.SECONDARY:

all: libs demos
libs: $(LIB_FILES)
demos: $(DEMO_BINS)

# ---- compile and archive ----
# UNITY=1 (the default) compiles each group of sources as one translation unit,
# $(BUILD)/unity/<group>.cpp, which includes them: a library, a demo's own files,
# the tools' shared bin/cli/ code, a test suite. Headers are parsed and templates
# instantiated once per group instead of once per file, which takes the CPU time of
# a fresh build to about a third. The files of a group so share one anonymous
# namespace: their helpers need names of their own. UNITY=0 builds one object per
# file, quicker when one file changes again and again. A unit is rewritten only
# when its list of files changes (a new or removed file).
UNITY ?= 1
hash := \#
define newline


endef
unity_cpp  = $(BUILD)/unity/$(1).cpp
unity_text = $(foreach f,$(2),$(hash)include "$(f)"$(newline))
# group_objs(group, files): the objects that build these files.
group_objs = $(if $(filter 1,$(UNITY)),$(BUILD)/unity/$(1).o,$(call objs_of,$(2)))
# write_unity(group, files, the files its unit includes now): writes the unit
# unless it already includes exactly these files.
write_unity = $(if $(filter-out $(2),$(3))$(filter-out $(3),$(2)),\
  $(shell mkdir -p $(dir $(call unity_cpp,$(1))))$(file >$(call unity_cpp,$(1)),$(call unity_text,$(1),$(2))))
unity_files = $(patsubst "%",%,$(filter "%",$(file <$(call unity_cpp,$(1)))))

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(call say,CXX,$<)$(CXX) $(ALLFLAGS) -c $< -o $@
$(BUILD)/unity/%.o: $(BUILD)/unity/%.cpp
	$(call say,UNIT,$*)$(CXX) $(ALLFLAGS) -c $< -o $@

# Test files get GoogleTest and the standard headers precompiled once
# (tests/support/pch.hpp), force-included: parsing them was a second or more in
# each of about a hundred files.
TEST_PCH := $(BUILD)/pch/tests.hpp
$(TEST_PCH).gch: tests/support/pch.hpp
	@mkdir -p $(@D)
	@cp $< $(TEST_PCH)
	$(call say,PCH,$<)$(CXX) $(TESTFLAGS) -x c++-header $< -o $@
$(BUILD)/obj/tests/%.o: tests/%.cpp $(TEST_PCH).gch
	@mkdir -p $(@D)
	$(call say,CXX,$<)$(CXX) $(TESTFLAGS) -include $(TEST_PCH) -c $< -o $@
$(BUILD)/unity/tests/%.o: $(BUILD)/unity/tests/%.cpp $(TEST_PCH).gch
	$(call say,UNIT,tests/$*)$(CXX) $(TESTFLAGS) -include $(TEST_PCH) -c $< -o $@

# A suite is tests/<suite>_test.cpp plus its own tests/<suite>/*.cpp and tests/support/
# (the seed programs are programs of their own, not parts of a suite).
suite_srcs = tests/$(1)_test.cpp $(filter-out $(SEED_SRCS),$(wildcard tests/$(1)/*.cpp))
# A demo is bin/<lib>.cpp plus its own bin/<lib>_*.cpp, and the shared bin/cli/ code.
demo_srcs  = bin/$(1).cpp $(wildcard bin/$(1)_*.cpp)
ifeq ($(UNITY),1)
unit = $(call write_unity,$(1),$(2),$(call unity_files,$(1)))
$(foreach l,$(LIBS),$(call unit,$(l),$(call lib_srcs,$(l))))
$(call unit,bin/cli,$(CLI_SRCS))
$(foreach d,$(DEMOS),$(call unit,bin/$(d),$(call demo_srcs,$(d))))
$(foreach s,$(SUITES),$(call unit,tests/$(s),$(call suite_srcs,$(s))))
endif
CLI_OBJS := $(call group_objs,bin/cli,$(CLI_SRCS))

define LIB_RULE
$(BUILD)/lib$(1).a: $(call group_objs,$(1),$(call lib_srcs,$(1)))
	@mkdir -p $$(@D)
	$$(call say,AR,$$@)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LIBS),$(eval $(call LIB_RULE,$(l))))

define DEMO_RULE
$(BIN_OUT)/$(1): $(call group_objs,bin/$(1),$(call demo_srcs,$(1))) $(CLI_OBJS) $(LIB_FILES)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)$(CXX) $$(filter %.o,$$^) $(LIB_FILES) $(LDFLAGS) -o $$@
endef
$(foreach d,$(DEMOS),$(eval $(call DEMO_RULE,$(d))))

define SUITE_RULE
$(BUILD)/tests/$(1)_test: $(call group_objs,tests/$(1),$(call suite_srcs,$(1))) $(call objs_of,$(SUPPORT)) $(CLI_OBJS) $(LIB_FILES)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)$(CXX) $$(filter %.o,$$^) $(LIB_FILES) -lgtest $(LDFLAGS) -o $$@
endef
$(foreach s,$(SUITES),$(eval $(call SUITE_RULE,$(s))))
# The bench suite tests the benchmark harness (bench/harness/).
$(BUILD)/tests/bench_test: $(call objs_of,$(BENCH_LIB))

# A seed program is one file; the seeds suite runs every one of them. A shared
# seed's name is a link to the shared binary, which runs the seed of that name.
$(ALONE_SEED_BINS): $(BUILD)/tests/seeds/%: $(BUILD)/obj/tests/seeds/%.o $(LIB_FILES)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CXX) $< $(LIB_FILES) $(LDFLAGS) -o $@
$(SHARED_SEEDS_CPP): $(SEED_SRCS) tests/seeds/shared_program.sh
	@tests/seeds/shared_program.sh $@ $(filter-out $(ALONE_SEED_BINS:$(BUILD)/%=%.cpp),$(SEED_SRCS))
$(BUILD)/seeds/shared_program.o: $(SHARED_SEEDS_CPP)
	$(call say,UNIT,tests/seeds)$(CXX) $(TESTFLAGS) -c $< -o $@
$(BUILD)/seeds/shared_program: $(BUILD)/seeds/shared_program.o $(LIB_FILES)
	$(call say,LD,$@)$(CXX) $< $(LIB_FILES) $(LDFLAGS) -o $@
$(SHARED_SEED_BINS): $(BUILD)/seeds/shared_program
	@mkdir -p $(@D)
	@ln -sf ../../seeds/shared_program $@
$(BUILD)/tests/seeds_test: $(SEED_BINS)

$(BUILD)/bench/%_bench: $(call objs_of,bench/%_bench.cpp $(BENCH_LIB)) $(LIB_FILES)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CXX) $(filter %.o,$^) $(LIB_FILES) $(LDFLAGS) -o $@

# ---- tests ----
gtest-present:
	@echo '#include <gtest/gtest.h>' | $(CXX) -std=c++20 -fsyntax-only -x c++ - 2>/dev/null || \
	  { echo "make: GoogleTest is missing; install it with: apt-get install libgtest-dev" >&2; exit 1; }

deps-check:
	@tests/deps_check.sh . "$(CXX)" $(foreach l,$(ALL_LIBS),$(l):$(subst $() ,$(comma),$(strip $(DEPS_$(l)))))
	@tests/deps_check_test.sh
	@tests/make_order_test.sh

comma := ,

# Sources that must not compile (tests/compile_fail/README.md), and the checker's own test.
compile-fail-check:
	@tests/compile_fail_check.sh . "$(CXX)"
	@tests/compile_fail_check_test.sh

# Every C++ example in the READMEs and the public headers' comments compiles
# (tests/examples_check.sh says what counts as one).
examples-check:
	@tests/examples_check.sh . "$(CXX)" $(ALL_LIBS)
	@tests/examples_check_test.sh

# Suites run side by side, quiet unless they fail (tests/run_suites.sh): one line
# per suite, the total at the end, a failing suite's whole output. The longest
# suites run in shards (suite:shards), each a process with its share of the tests;
# TEST_JOBS=1 runs one process at a time.
RUN_SUITES  ?= $(SUITES)
TEST_SHARDS ?= pool:6 threadpool:2 ipc:2 subproc:2
# The runner's own test: order, shards, a failing shard's output, exit status.
runner-check:
	@tests/run_suites_test.sh

run-tests: gtest-present $(DEMO_BINS) $(foreach s,$(RUN_SUITES),$(BUILD)/tests/$(s)_test)
	@MP_BIN_DIR=$(BIN_OUT) tests/run_suites.sh $(BUILD) $(if $(SAN),$(SAN),plain) \
	  $(foreach s,$(RUN_SUITES),$(or $(filter $(s):%,$(TEST_SHARDS)),$(s)))

# make install into a temporary prefix, a program built against it, make uninstall.
install-check: all $(MAN_PAGES)
	@CXX="$(CXX)" tests/install_test.sh . $(BUILD)

# Everything is built in parallel, the longest suites first (a unit started last
# would keep one core busy alone at the end); then the suites run, and the checks
# compile beside them, on the CPU the waiting tests leave idle.
long_suites := $(foreach s,$(TEST_SHARDS),$(firstword $(subst :, ,$(s))))
test: gtest-present $(foreach s,$(long_suites),$(filter $(BUILD)/tests/$(s)_test,$(TEST_BINS))) $(TEST_BINS) all
	@$(MAKE) --no-print-directory run-tests runner-check deps-check compile-fail-check examples-check \
	  install-check

# The green-thread tests in the builds `make test` does not make: the aarch64 switch
# under qemu, the ucontext fallback, the poll hub (tests/green_ports_check.sh).
check-ports:
	@CXX="$(CXX)" tests/green_ports_check.sh . $(BUILD)/ports

# Sanitized tests need several times the CPU of plain ones: one suite process per
# core at a time (unless TEST_JOBS says otherwise), so that the load does not eat
# the margins of timed tests.
check: gtest-present
	@export TEST_JOBS=$${TEST_JOBS:-$$(nproc)}; \
	$(MAKE) --no-print-directory BUILD=build/asan SAN=address,undefined run-tests && \
	$(MAKE) --no-print-directory BUILD=build/tsan SAN=thread \
	  RUN_SUITES="$(filter $(TSAN_SUITES) harness,$(SUITES))" run-tests

# ---- benchmarks, demos, fuzzing ----
# Every benchmark, then a report (RESULTS.md and its charts) from the rows they
# printed, in $(BENCH_OUT). ONLY="pool shm" runs those benchmarks alone (names of
# bench/<name>_bench.cpp) and reports on them. The load average is printed before
# and after: the machine is shared, and a loaded one makes figures noisy. The
# committed report in bench/ changes only through `make bench-report`, which copies
# the last run's there (bench/README.md tells how to run one benchmark alone).
BENCH_TSV := $(BUILD)/bench/results.tsv
BENCH_OUT := $(BUILD)/bench/report
BENCH_RUN := $(or $(ONLY),$(BENCHES))
ifneq ($(filter-out $(BENCHES),$(BENCH_RUN)),)
  $(error ONLY: no benchmark named $(filter-out $(BENCHES),$(BENCH_RUN)); there are: $(BENCHES))
endif
bench: $(foreach b,$(BENCH_RUN),$(BUILD)/bench/$(b)_bench) $(DEMO_BINS)
	@rm -rf $(BENCH_TSV) $(BENCH_OUT); load=$$(cut -d' ' -f1-3 /proc/loadavg); \
	echo "make bench: load average (1, 5, 15 min) before: $$load"; \
	for b in $(BENCH_RUN); do echo "==== $$b"; MP_BENCH_TSV=$(BENCH_TSV) $(BUILD)/bench/$${b}_bench || exit 1; done; \
	echo "make bench: load average (1, 5, 15 min) after: $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	python3 bench/report/report.py --tsv $(BENCH_TSV) --cxx "$(CXX)" --load-before "$$load" --out $(BENCH_OUT)/RESULTS.md
	@echo "make bench: report in $(BENCH_OUT)/; \`make bench-report\` copies it to bench/"

# Replaces the committed report: the charts of the last run only, none left over.
bench-report:
	@test -f $(BENCH_OUT)/RESULTS.md || \
	  { echo "make bench-report: no report in $(BENCH_OUT)/; run make bench first" >&2; exit 1; }
	rm -f bench/charts/*.svg
	cp $(BENCH_OUT)/charts/*.svg bench/charts/
	cp $(BENCH_OUT)/RESULTS.md bench/RESULTS.md

demo: all
	@$(if $(DEMOS),for d in $(DEMOS); do echo "==== bin/$$d tour"; bin/$$d tour || exit 1; done,\
	  echo "make demo: no demos yet (bin/<lib>.cpp)")

# Fuzzing builds the libraries with clang into $(FUZZ_BUILD). A run reads the
# committed seeds (tests/fuzz/corpus/<target>/, never written) and keeps what it
# finds in $(FUZZ_BUILD)/corpus/<target>/, crashes in $(FUZZ_BUILD)/<target>-crash-*.
# `make fuzz-corpus-update` merges into the seeds the found inputs that reach new
# edges (edges only, -use_counters=0: the seeds stay a few dozen files).
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/*.cpp))
FUZZ_NONE    := echo "make fuzz: no fuzz targets yet (tests/fuzz/<name>.cpp)"; exit 0;

fuzz-targets:
	@$(if $(FUZZ_TARGETS),,$(FUZZ_NONE)) \
	$(MAKE) --no-print-directory CXX=clang++ BUILD=$(FUZZ_BUILD) SAN=address,undefined \
	  CXXFLAGS="-O1 -g -fsanitize=fuzzer-no-link" libs && \
	for t in $(FUZZ_TARGETS); do \
	  clang++ -std=c++20 -O1 -g -I. -fsanitize=fuzzer,address,undefined tests/fuzz/$$t.cpp \
	    $(foreach l,$(LINK_ORDER),$(FUZZ_BUILD)/lib$(l).a) -pthread -o $(FUZZ_BUILD)/$$t || exit 1; \
	done

# The demos too: tests/fuzz/demo_cli.cpp runs them.
fuzz: demos fuzz-targets
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t && \
	  $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=512 -artifact_prefix=$(FUZZ_BUILD)/$$t- \
	    $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

fuzz-corpus-update: fuzz-targets
	@for t in $(FUZZ_TARGETS); do \
	  if [ -d $(FUZZ_BUILD)/corpus/$$t ]; then \
	    $(FUZZ_BUILD)/$$t -merge=1 -use_counters=0 -rss_limit_mb=512 tests/fuzz/corpus/$$t $(FUZZ_BUILD)/corpus/$$t || exit 1; fi; \
	done

# Every library under injected faults at once, SOAK_SECONDS long (tests/soak/main.cpp).
# Not part of `make test`: it runs for minutes.
SOAK_SECONDS ?= 120
$(BUILD)/soak/soak: $(call objs_of,$(wildcard tests/soak/*.cpp)) $(CLI_OBJS) $(LIB_FILES)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CXX) $(filter %.o,$^) $(LIB_FILES) $(LDFLAGS) -o $@

soak: $(BUILD)/soak/soak
	$(BUILD)/soak/soak $(SOAK_SECONDS)

# ---- housekeeping ----
SOURCES := $(wildcard $(addsuffix /*.[ch]pp,$(ALL_LIBS) $(addsuffix /*,$(ALL_LIBS)) $(addsuffix /*/internal,$(ALL_LIBS)) tests tests/* bin bin/cli bench bench/*))
format:
	clang-format -i $(SOURCES)

# The demos of a plain build live in bin/, not in $(BUILD).
clean:
	rm -rf $(BUILD) $(DEMO_BINS)

# ---- install ----
# What install writes, and nothing else (uninstall removes exactly this):
#   $(PREFIX)/bin/mp-<lib>                 the tools, prefixed: a bare `sync` would
#                                          shadow coreutils sync(1) for every user
#   $(PREFIX)/share/man/man1/mp-<lib>.1    made from the tool's --help (bin/cli/man_page.sh)
#   $(PREFIX)/include/mp/<lib>/            the headers
#   $(PREFIX)/lib/libmp_<lib>.a            the static libraries
#   $(PREFIX)/lib/pkgconfig/mp-<lib>.pc    one per library, its dependencies as Requires.private
VERSION   := 0.1.0
BINDIR    := $(DESTDIR)$(PREFIX)/bin
MANDIR    := $(DESTDIR)$(PREFIX)/share/man/man1
INCDIR    := $(DESTDIR)$(PREFIX)/include/mp
LIBDIR    := $(DESTDIR)$(PREFIX)/lib
PCDIR     := $(LIBDIR)/pkgconfig
MAN_PAGES := $(foreach d,$(DEMOS),$(BUILD)/man/mp-$(d).1)

.PHONY: man uninstall
man: $(MAN_PAGES)
# A page's one-line summary is the tool's entry in the README's table of libraries.
$(BUILD)/man/mp-%.1: $(BIN_OUT)/% bin/cli/man_page.sh README.md
	@mkdir -p $(@D)
	$(call say,MAN,$@)bin/cli/man_page.sh $< mp-$* \
	  "$$(sed -n 's/.*| `bin\/$*`: \([^|]*[^ |]\) *|.*/\1/p' README.md)" >$@.tmp && mv $@.tmp $@

# pc_file(lib): the shell command that writes lib's pkg-config file.
pc_file = printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include/mp' 'libdir=$${prefix}/lib' '' \
  'Name: mp-$(1)' 'Description: mp $(1): $(1)/README.md in the mp sources' 'Version: $(VERSION)' \
  'Requires.private: $(addprefix mp-,$(DEPS_$(1)))' 'Cflags: -std=c++20 -pthread -I$${includedir}' \
  'Libs: -L$${libdir} -lmp_$(1) -pthread' >$(PCDIR)/mp-$(1).pc

install: all $(MAN_PAGES)
	install -d $(BINDIR) $(MANDIR) $(LIBDIR) $(PCDIR)
	@for l in $(LIBS); do \
	  for d in $$l $$l/*/ $$l/*/internal/; do \
	    if ls $$d/*.hpp >/dev/null 2>&1; then install -d $(INCDIR)/$$d && \
	      install -m 644 $$d/*.hpp $(INCDIR)/$$d/ || exit 1; fi; \
	  done; \
	done
	$(foreach l,$(LIBS),install -m 644 $(BUILD)/lib$(l).a $(LIBDIR)/libmp_$(l).a;)
	$(foreach l,$(LIBS),$(call pc_file,$(l));)
	$(foreach d,$(DEMOS),install -m 755 $(BIN_OUT)/$(d) $(BINDIR)/mp-$(d);)
	$(foreach d,$(DEMOS),install -m 644 $(BUILD)/man/mp-$(d).1 $(MANDIR)/mp-$(d).1;)

# The standard folders ($(PREFIX)/bin, lib, ...) stay: others' files live there.
uninstall:
	rm -f $(foreach d,$(DEMOS),$(BINDIR)/mp-$(d) $(MANDIR)/mp-$(d).1) \
	  $(foreach l,$(LIBS),$(LIBDIR)/libmp_$(l).a $(PCDIR)/mp-$(l).pc)
	rm -rf $(foreach l,$(LIBS),$(INCDIR)/$(l))
	rmdir $(INCDIR) 2>/dev/null || true

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
