# make fuzz
#	Fuzz the driver's completion and message processing on the host
#	(tests/fuzz/fuzz_rings.c: libFuzzer, AddressSanitizer and
#	UndefinedBehaviorSanitizer, clang) for FUZZ_SECONDS (default 60),
#	starting from tests/fuzz/corpus; what it learns goes to
#	build/fuzz/corpus, a crashing input to build/fuzz/crash-*.
# make fuzz-check
#	The short run for make check: replays tests/fuzz/corpus, then fuzzes
#	for FUZZ_CHECK_SECONDS (default 20).  PASS/FAIL lines (tests/check.h).
# make fuzz-coverage
#	Line coverage of pvscsi.c by the corpora (clang source coverage):
#	the completion and message functions, then the file.
#
# The driver, the harness and the device model (tests/fuzz/pvsdev.c) are
# built with coverage feedback; the fakekernel and the test platform
# (tests/unit/lib/fakeplat.c) with the sanitizers only, so that its
# threads and timers do not blur the fuzzer's view.

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_CHECK_SECONDS ?= 20
FUZZ_DIR	:= $(BUILD)/fuzz
FUZZ_BIN	:= $(FUZZ_DIR)/fuzz_rings
FUZZ_COV_BIN	:= $(FUZZ_DIR)/fuzz_rings_cov
FUZZ_SEEDS	:= tests/fuzz/corpus
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS	:= -std=gnu99 -O1 -g $(WARN) -fno-strict-aliasing -pthread
FUZZ_INC	:= -Itests -Itests/fuzz -Itests/unit/lib -I$(DRV_DIR)
FUZZ_FK_OBJS	:= $(FK_SRCS:%.c=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/fakeplat.o
FUZZ_COV_OBJS	:= $(FUZZ_DIR)/pvscsi.o $(FUZZ_DIR)/pvsdev.o \
		   $(FUZZ_DIR)/fuzz_rings.o
FUZZ_HDRS	:= $(wildcard tests/fuzz/*.h) $(FK_HDRS) $(DRV_HDRS)
FUZZ_OPTS	:= -timeout=20 -rss_limit_mb=4096 -detect_leaks=0 \
		   -print_final_stats=1
FUZZ_ENV	:= ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		   UBSAN_OPTIONS=print_stacktrace=1

.PHONY: fuzz fuzz-check fuzz-coverage fuzz-bin

fuzz-bin: $(FUZZ_BIN)

$(FUZZ_DIR)/fakekernel/%.o: fakekernel/%.c $(FK_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FK_CPPFLAGS) -c $< -o $@

$(FUZZ_DIR)/fakeplat.o: tests/unit/lib/fakeplat.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FK_CPPFLAGS) $(FUZZ_INC) \
	    -c $< -o $@

$(FUZZ_DIR)/pvscsi.o: $(DRV_SRC) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	    $(DRV_CFLAGS) $(FK_CPPFLAGS) -c $< -o $@

$(FUZZ_DIR)/%.o: tests/fuzz/%.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	    $(FK_CPPFLAGS) $(FUZZ_INC) $(DRV_ALIASES_DEF) -c $< -o $@

$(FUZZ_BIN): $(FUZZ_COV_OBJS) $(FUZZ_FK_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ \
	    $(FUZZ_COV_OBJS) $(FUZZ_FK_OBJS) $(LDLIBS)

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus $(FUZZ_SEEDS)

# PASS/FAIL lines: it builds, the committed corpus replays, a short run
# from it finds nothing.
fuzz-check:
	@mkdir -p $(FUZZ_DIR)
	@if $(MAKE) -s --no-print-directory $(FUZZ_BIN) \
	    >$(FUZZ_DIR)/build.log 2>&1; then \
		echo "PASS fuzz-build"; \
	else \
		echo "FAIL fuzz-build: expected $(FUZZ_BIN) built with" \
		    "$(FUZZ_CC), saw errors (log: $(FUZZ_DIR)/build.log)"; \
		exit 1; \
	fi
	@rm -rf $(FUZZ_DIR)/check-corpus
	@mkdir -p $(FUZZ_DIR)/check-corpus
	@log=$(FUZZ_DIR)/replay.log; \
	if $(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTS) $(FUZZ_SEEDS)/* \
	    >$$log 2>&1; then \
		echo "PASS fuzz-corpus-replay"; \
	else \
		echo "FAIL fuzz-corpus-replay: expected every input of" \
		    "$(FUZZ_SEEDS) to pass, saw a failure (log: $$log)"; \
		grep -E 'ERROR|fuzz_rings:|panic' $$log | head -5 | \
		    sed 's/^/# /'; \
	fi; \
	log=$(FUZZ_DIR)/check.log; \
	if $(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTS) \
	    -max_total_time=$(FUZZ_CHECK_SECONDS) \
	    -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/check-corpus \
	    $(FUZZ_SEEDS) >$$log 2>&1; then \
		grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' \
		    $$log | sed 's/^/# /'; \
		grep -E '^#[0-9]+.*(DONE|INITED)' $$log | tail -1 | \
		    sed 's/^/# /'; \
		echo "PASS fuzz-rings-$(FUZZ_CHECK_SECONDS)s"; \
	else \
		echo "FAIL fuzz-rings-$(FUZZ_CHECK_SECONDS)s: expected no" \
		    "crash, saw one (log: $$log; input: $(FUZZ_DIR)/crash-*)"; \
		grep -E 'ERROR|fuzz_rings:|panic|SUMMARY' $$log | head -5 | \
		    sed 's/^/# /'; \
		exit 1; \
	fi

# Coverage of pvscsi.c by the seeds and what fuzzing learnt.
$(FUZZ_DIR)/cov/%.o: tests/fuzz/%.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    -fprofile-instr-generate -fcoverage-mapping $(FK_CPPFLAGS) \
	    $(FUZZ_INC) $(DRV_ALIASES_DEF) -c $< -o $@

$(FUZZ_DIR)/cov/pvscsi.o: $(DRV_SRC) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    -fprofile-instr-generate -fcoverage-mapping $(DRV_CFLAGS) \
	    $(FK_CPPFLAGS) -c $< -o $@

$(FUZZ_COV_BIN): $(FUZZ_COV_OBJS:$(FUZZ_DIR)/%=$(FUZZ_DIR)/cov/%) $(FK_LIB) \
    $(BUILD)/tests/unit/lib/fakeplat.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
	    -fprofile-instr-generate -o $@ \
	    $(FUZZ_COV_OBJS:$(FUZZ_DIR)/%=$(FUZZ_DIR)/cov/%) \
	    $(BUILD)/tests/unit/lib/fakeplat.o $(FK_LIB) $(LDLIBS)

fuzz-coverage: $(FUZZ_COV_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus
	@rm -f $(FUZZ_DIR)/cov.profraw
	@LLVM_PROFILE_FILE=$(FUZZ_DIR)/cov.profraw $(FUZZ_COV_BIN) \
	    -runs=0 -detect_leaks=0 $(FUZZ_DIR)/corpus $(FUZZ_SEEDS) \
	    >$(FUZZ_DIR)/cov.log 2>&1
	@llvm-profdata merge -sparse $(FUZZ_DIR)/cov.profraw \
	    -o $(FUZZ_DIR)/cov.profdata
	@llvm-cov report $(FUZZ_COV_BIN) -instr-profile=$(FUZZ_DIR)/cov.profdata \
	    -show-functions $(DRV_SRC) | \
	    grep -E '^(Name|(pvscsi\.c:)?pvscsi_(reap|msgs|cmp_status|arq|host_reason|bad|cmd_done|service|intr|reset_adapter|fail_all|complete)) '
	@llvm-cov report $(FUZZ_COV_BIN) -instr-profile=$(FUZZ_DIR)/cov.profdata \
	    $(DRV_SRC) | tail -1
