# make lint [GATE=/path/to/illumos-gate]
#	illumos-gate fitness of usr/src: cstyle (our checker, built from
#	tests/lint/cstyle.c), mandoc -Tlint on the man page, cppcheck, the
#	driver compiled for amd64 and aarch64, a check that it uses
#	illumos interfaces only, that the fakekernel's headers declare
#	what illumos's do (against GATE, else against the lists recorded
#	from a gate), and the driver's code-line budget (the counts are
#	printed); plus the tests of the checker and of `make export`.
#	Prints PASS/FAIL lines (tests/check.h) and fails when a check
#	does; ends with the gate's own checks it does not replace.  See
#	tests/lint/lint.sh.
# make gate-decls GATE=/path/to/illumos-gate
#	Record the gate's declarations of the names the fakekernel's
#	headers declare (tests/lint/gate-decls.amd64, and .aarch64 when
#	the gate has the arm64 port), for make lint without a gate.

LINT_CSTYLE	:= $(BUILD)/tests/lint/cstyle

.PHONY: lint gate-decls
lint: $(LINT_CSTYLE)
	@GATE="$(GATE)" sh tests/lint/lint.sh $(LINT_CSTYLE)

gate-decls:
	@sh tests/lint/headers.sh -r "$(GATE)"

$(LINT_CSTYLE): tests/lint/cstyle.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $<
