# make check-asan
#	Build everything again into build/asan/ with AddressSanitizer and
#	UndefinedBehaviorSanitizer (same sources, $(ASAN_OPT)), then run the
#	host unit tests and the lab scenarios (tests/lab/suites, with the
#	build/asan programs) with them.  ASAN_SUITES=PATTERN runs only the
#	programs and scenarios whose name contains PATTERN.  Ends with
#	"N passed, N failed", like tests/run.sh; logs in build/asan/test-logs.
# make check-valgrind
#	The host unit tests (the normal build) under valgrind's memcheck: a
#	program fails on any memcheck error (--error-exitcode).  Checks that
#	fail under valgrind alone are listed: programs that run themselves
#	again through /proc/self/exe (valgrind refuses), stack reports that
#	addr2line cannot symbolize under valgrind.
#
# In the lab, LeakSanitizer is off: the guest program's memory is mostly
# the DMA arena (huge pages mapped for VFIO), which ASan does not track,
# and leak checks there are the scenarios' own (lio_res_get).  gcc's
# -Wformat-truncation fires at -O1 with the sanitizers where -O2 does
# not; it stays a warning here.

ASAN_BUILD	:= build/asan
ASAN_OPT	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined -Wno-error=format-truncation
ASAN_SUITES	?=
ASAN_UNIT_ENV	:= ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_LAB_ENV	:= --env ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
		   --env UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_LAB_TIMEOUT := 900
VALGRIND_SUPP	:= $(BUILD)/valgrind.supp
# memcheck's error reports (also from forked children, whose exit
# status is their own)
VALGRIND_ERRS	:= ^==[0-9]+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function)

.PHONY: check-asan asan-build check-valgrind

asan-build:
	@mkdir -p $(ASAN_BUILD)
	@echo "# building $(ASAN_BUILD) (log: $(ASAN_BUILD)/build.log)"
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) OPT='$(ASAN_OPT)' \
	    all >$(ASAN_BUILD)/build.log 2>&1 || { \
		tail -20 $(ASAN_BUILD)/build.log; \
		echo "FAIL asan-build: expected the build to succeed"; \
		exit 1; }

# count NAME LOG STATUS: the PASS/FAIL lines of a log, as tests/run.sh
# counts them (a non-zero exit without a FAIL line is a failure).
ASAN_COUNT = count() { \
	np=$$(grep -c '^PASS ' "$$2"); nf=$$(grep -c '^FAIL ' "$$2"); \
	grep '^FAIL ' "$$2" | sed "s|^|  [$$1] |"; \
	if [ "$$3" -ne 0 ] && [ "$$nf" -eq 0 ]; then \
		nf=1; echo "  [$$1] FAIL $$1: exited $$3 (log: $$2)"; \
		grep -E 'ERROR: [A-Za-z]+Sanitizer|runtime error|SUMMARY|panic' \
		    "$$2" | head -5 | sed 's/^/      /'; \
	fi; \
	if [ "$$np" -eq 0 ] && [ "$$nf" -eq 0 ]; then \
		nf=1; echo "  [$$1] FAIL $$1: ran no check (log: $$2)"; \
	fi; \
	echo "$$1: $$np passed, $$nf failed"; \
	passed=$$((passed + np)); failed=$$((failed + nf)); \
}

check-asan: asan-build
	@logs=$(ASAN_BUILD)/test-logs; mkdir -p $$logs; \
	passed=0; failed=0; $(ASAN_COUNT); \
	for t in $(ASAN_BUILD)/tests/unit/*; do \
		[ -x "$$t" ] && [ -f "$$t" ] || continue; \
		case $$t in *.o) continue ;; esac; \
		n=unit/$${t##*/}; \
		case $$n in *"$(ASAN_SUITES)"*) ;; *) continue ;; esac; \
		log=$$logs/$$(echo $$n | tr / _).log; \
		$(ASAN_UNIT_ENV) "$$t" >$$log 2>&1; count $$n $$log $$?; \
	done; \
	while IFS='|' read -r name kind opts cmd; do \
		name=$$(echo "$$name" | sed 's/^ *//;s/ *$$//'); \
		case $$name in ''|'#'*) continue ;; esac; \
		case lab/$$name in *"$(ASAN_SUITES)"*) ;; *) continue ;; esac; \
		cmd=$$(echo "$$cmd" | \
		    sed 's|build/tests/lab/|$(ASAN_BUILD)/tests/lab/|g'); \
		case $$opts in *--timeout*) ;; \
		*) opts="$$opts --timeout $(ASAN_LAB_TIMEOUT)" ;; esac; \
		log=$$logs/lab_$$name.log; \
		lab/lab $$opts $(ASAN_LAB_ENV) -- $$cmd </dev/null >$$log 2>&1; \
		count lab/$$name $$log $$?; \
	done < tests/lab/suites; \
	echo "check-asan: $$passed passed, $$failed failed"; \
	[ "$$failed" -eq 0 ]

# memcheck's view of mutex_init's check that the caller does not hold
# the mutex it initializes: it reads the mutex before initializing it.
$(VALGRIND_SUPP):
	@mkdir -p $(@D)
	@printf '%s\n' '{' '   fakekernel-mutex-init-reads-the-old-mutex' \
	    '   Memcheck:Cond' '   fun:mutex_init' '}' >$@

check-valgrind: $(UNIT_BINS) $(VALGRIND_SUPP)
	@logs=$(BUILD)/valgrind-logs; mkdir -p $$logs; \
	progs=0; bad=0; envfail=0; \
	for t in $(UNIT_BINS); do \
		n=$${t##*/}; log=$$logs/$$n.log; \
		valgrind -q --error-exitcode=99 \
		    --suppressions=$(VALGRIND_SUPP) "$$t" >$$log 2>&1; rc=$$?; \
		progs=$$((progs + 1)); \
		errs=$$(grep -cE "$(VALGRIND_ERRS)" $$log); \
		nf=$$(grep -c '^FAIL ' $$log); \
		if [ $$rc -eq 99 ] || [ $$errs -ne 0 ]; then \
			bad=$$((bad + 1)); \
			echo "FAIL valgrind-$$n: expected no memcheck error, saw" \
			    "$$errs (log: $$log)"; \
			grep -A4 -E "$(VALGRIND_ERRS)" $$log | head -10 | \
			    sed 's/^/# /'; \
		else \
			echo "PASS valgrind-$$n"; \
		fi; \
		if [ $$nf -ne 0 ]; then \
			envfail=$$((envfail + nf)); \
			grep '^FAIL ' $$log | cut -c1-100 | \
			    sed "s|^FAIL |# $$n under valgrind only: |"; \
		fi; \
	done; \
	echo "# check-valgrind: $$progs programs, $$bad with memcheck" \
	    "errors; $$envfail checks fail under valgrind only"; \
	[ $$bad -eq 0 ]
