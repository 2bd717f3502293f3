# make lint
#	illumos-gate fitness of usr/src: cstyle (our checker, built from
#	tests/lint/cstyle.c), mandoc -Tlint on the man page, cppcheck, the
#	driver compiled for amd64 and aarch64, a check that it uses
#	illumos interfaces only, and the driver's code-line budget (the
#	counts are printed); plus the tests of the checker and of
#	`make export`.  Prints PASS/FAIL lines (tests/check.h) and fails
#	when a check does.  See tests/lint/lint.sh.

LINT_CSTYLE	:= $(BUILD)/tests/lint/cstyle

.PHONY: lint
lint: $(LINT_CSTYLE)
	@sh tests/lint/lint.sh $(LINT_CSTYLE)

$(LINT_CSTYLE): tests/lint/cstyle.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $<
