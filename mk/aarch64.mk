# mk/aarch64.mk: the fakekernel, the driver and the test programs for an
# aarch64 lab guest (lab/lab --arch aarch64), cross-compiled with Debian's
# aarch64-linux-gnu-gcc into build/aarch64/, static (the guest has no
# aarch64 libc: it runs them from the host's root over 9p).  Same flags
# and the same object lists as the top Makefile.
#
#   make aarch64-lab	libfakekernel.a, pvscsi.o, the lab programs
#			(tests/lab/*.c) and the guest's qmp tool
#   make aarch64-unit	the unit tests (tests/unit/*.c)
#   make aarch64-all	both
#   make build/aarch64/tests/lab/t_attach	one program
#   make aarch64-deps	install the cross toolchain and QEMU when missing
#   make aarch64-check	aarch64-lab, then the lab's self-test on an
#			aarch64 guest (lab/selftest/run.sh -a aarch64) and
#			the scenarios of tests/lab/suites with the aarch64
#			programs (tests/arch-suites.sh -a aarch64)
#   make aarch64-unit-check	aarch64-unit, then every unit test inside
#			one aarch64 guest (tests/arch-units.sh -a aarch64;
#			one that did not build counts as a failure)
#
# Outputs: build/aarch64/libfakekernel.a, build/aarch64/pvscsi.o,
# build/aarch64/tests/{unit,lab}/..., build/aarch64/lab/{qmp,libqmp.a}
# (the last from lab/lab.mk).

A64		:= $(BUILD)/aarch64
A64_CC		?= aarch64-linux-gnu-gcc
A64_AR		?= aarch64-linux-gnu-ar
A64_LDFLAGS	:= -static

A64_FK_OBJS	:= $(FK_SRCS:%.c=$(A64)/%.o)
A64_FK_LIB	:= $(A64)/libfakekernel.a
A64_DRV_OBJ	:= $(A64)/pvscsi.o
A64_UNIT_LIB_OBJS := $(UNIT_LIB_SRCS:%.c=$(A64)/%.o)
A64_UNIT_BINS	:= $(UNIT_SRCS:%.c=$(A64)/%)
A64_LAB_LIB_OBJS := $(LAB_LIB_SRCS:%.c=$(A64)/%.o)
A64_LAB_BINS	:= $(LAB_SRCS:%.c=$(A64)/%)
A64_TEST_HDRS	:= $(wildcard tests/*.h tests/*/*.h tests/*/*/*.h)

.PHONY: aarch64-all aarch64-lab aarch64-unit aarch64-deps aarch64-check \
    aarch64-unit-check aarch64-clean

aarch64-lab: $(A64_FK_LIB) $(A64_DRV_OBJ) $(A64_LAB_BINS) lab-tools-aarch64

aarch64-unit: $(A64_UNIT_BINS)

aarch64-all: aarch64-lab aarch64-unit

# The cross compiler and its libc, from Debian, when missing (and QEMU's
# aarch64 system emulator, which lab/lab --arch aarch64 also installs).
aarch64-deps:
	@command -v $(A64_CC) >/dev/null 2>&1 && \
	    test -f /usr/aarch64-linux-gnu/lib/libc.a && \
	    command -v qemu-system-aarch64 >/dev/null 2>&1 || { \
		echo "aarch64-deps: installing the cross toolchain"; \
		export DEBIAN_FRONTEND=noninteractive; \
		pkgs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"; \
		apt-get install -y -qq $$pkgs >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && \
		    apt-get install -y -qq $$pkgs >/dev/null 2>&1; } || \
		{ echo "aarch64-deps: cannot install $$pkgs" >&2; exit 1; }; }

$(A64)/fakekernel/%.o: fakekernel/%.c $(FK_HDRS)
	@mkdir -p $(@D)
	$(A64_CC) $(CFLAGS_BASE) $(FK_CPPFLAGS) -c $< -o $@

$(A64_FK_LIB): $(A64_FK_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(A64_AR) rcs $@ $(A64_FK_OBJS)

$(A64_DRV_OBJ): $(DRV_SRC) $(DRV_HDRS) $(FK_HDRS)
	@mkdir -p $(@D)
	$(A64_CC) $(CFLAGS_BASE) $(DRV_CFLAGS) $(FK_CPPFLAGS) -c $< -o $@

$(A64)/tests/%.o: tests/%.c $(FK_HDRS) $(A64_TEST_HDRS)
	@mkdir -p $(@D)
	$(A64_CC) $(CFLAGS_BASE) $(FK_CPPFLAGS) -Itests -Ilab -I$(DRV_DIR) \
	    $(DRV_ALIASES_DEF) -c $< -o $@

$(A64)/tests/unit/%: $(A64)/tests/unit/%.o $(A64_UNIT_LIB_OBJS) $(A64_FK_LIB)
	$(A64_CC) $(CFLAGS_BASE) $(A64_LDFLAGS) -o $@ $< $(A64_UNIT_LIB_OBJS) \
	    $(A64_FK_LIB) $(LDLIBS)

$(A64)/tests/lab/%: $(A64)/tests/lab/%.o $(A64_LAB_LIB_OBJS) $(A64_DRV_OBJ) \
    $(A64_FK_LIB) $(LAB_A64_QMP_OBJ)
	$(A64_CC) $(CFLAGS_BASE) $(A64_LDFLAGS) -o $@ $< $(A64_LAB_LIB_OBJS) \
	    $(A64_DRV_OBJ) $(A64_FK_LIB) $(LAB_A64_QMP_OBJ) \
	    $(LAB_A64_QMP_LIBS) $(LDLIBS)

aarch64-check: aarch64-deps
	@$(MAKE) --no-print-directory aarch64-lab
	@sh lab/selftest/run.sh -a aarch64
	@sh tests/arch-suites.sh -a aarch64

# A unit test that does not build for aarch64 is reported by
# tests/arch-units.sh as a FAIL line; the others still run.
aarch64-unit-check: aarch64-deps
	-@$(MAKE) --no-print-directory -k aarch64-unit
	@sh tests/arch-units.sh -a aarch64

aarch64-clean:
	rm -rf $(A64)
