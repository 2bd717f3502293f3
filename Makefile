# pvscsi: the illumos driver and the lab that proves it.
#
#   make check	build everything and run every test (host and lab guest)
#   make demo	boot the lab and watch the driver work
#   make clean	remove build/
#
# Objects go under build/.  The lab caches its guest outside the repo.

CC		?= gcc
BUILD		:= build
# Our own code (fakekernel, tests, lab): every warning but unused
# parameters (interfaces hand every implementation arguments it may not
# need).
WARN		:= -Wall -Wextra -Werror -Wno-unused-parameter
# A driver is compiled as illumos-gate compiles its kernel modules: the
# gate's compiler wrapper (cw) turns -v into -Wall -Wextra and
# -errwarn=%all into -Werror, uts/Makefile.uts turns off missing-braces,
# sign-compare, unknown-pragmas, unused-parameter and
# missing-field-initializers, and the kernel is freestanding
# (-xmodel=kernel: -ffreestanding), so the compiler assumes no C library
# behind printf-like calls and raises no format-truncation.
KERN_WARN	:= -Wall -Wextra -Werror -Wno-missing-braces -Wno-sign-compare \
		   -Wno-unknown-pragmas -Wno-unused-parameter \
		   -Wno-missing-field-initializers
OPT		?= -O2 -g
CFLAGS_BASE	:= -std=gnu99 $(OPT) $(WARN) -fno-strict-aliasing -pthread
FK_CPPFLAGS	:= -D_KERNEL -DDEBUG -Ifakekernel/include -Ifakekernel
LDLIBS		:= -pthread -lrt

DRV_DIR		:= usr/src/uts/common/io/scsi/adapters/pvscsi
DRV_SRC		:= $(DRV_DIR)/pvscsi.c
DRV_HDRS	:= $(wildcard $(DRV_DIR)/*.h)
# _init/_fini/_info would collide with the ELF ones of crt: rename them.
# (Given after CFLAGS_BASE, the kernel's warning set replaces ours.)
DRV_CFLAGS	:= $(KERN_WARN) -ffreestanding -D_init=pvscsi__init \
		   -D_fini=pvscsi__fini -D_info=pvscsi__info
# The driver's aliases, as its package manifest's driver action lists
# them: programs that load the driver register it with them (fk_add_drv,
# as add_drv -i), so the manifest stays their one owner.
DRV_MANIFEST	:= usr/src/pkg/manifests/driver-storage-pvscsi.p5m
DRV_ALIASES	:= $(shell awk '$$1 == "driver" { for (i = 2; i <= NF; i++) \
		   if (sub(/^alias=/, "", $$i)) { \
		   printf "%s\\\"%s\\\"", s, $$i; s = " " } }' $(DRV_MANIFEST))
DRV_ALIASES_DEF	:= -DDRV_ALIASES='"$(DRV_ALIASES)"'

FK_SRCS		:= $(wildcard fakekernel/ddi/*.c fakekernel/scsa/*.c \
		   fakekernel/platform/*.c)
FK_OBJS		:= $(FK_SRCS:%.c=$(BUILD)/%.o)
FK_HDRS		:= $(shell find fakekernel -name '*.h')
FK_LIB		:= $(BUILD)/libfakekernel.a
DRV_OBJ		:= $(BUILD)/pvscsi.o

# Host unit tests: one program per tests/unit/*.c; test doubles that a
# unit test needs live in tests/unit/lib/.
UNIT_SRCS	:= $(wildcard tests/unit/*.c)
UNIT_LIB_SRCS	:= $(wildcard tests/unit/lib/*.c)
UNIT_LIB_OBJS	:= $(UNIT_LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS	:= $(UNIT_SRCS:%.c=$(BUILD)/%)

# Lab programs (run inside the guest): one per tests/lab/*.c, linked
# with the driver; shared helpers in tests/lab/lib/.
LAB_SRCS	:= $(wildcard tests/lab/*.c)
LAB_LIB_SRCS	:= $(wildcard tests/lab/lib/*.c)
LAB_LIB_OBJS	:= $(LAB_LIB_SRCS:%.c=$(BUILD)/%.o)
LAB_BINS	:= $(LAB_SRCS:%.c=$(BUILD)/%)

.PHONY: all check check-aarch64 deps demo bench clean unit-tests lab-tests
# Keep intermediate objects (test helpers are reached only through pattern
# rules); make would otherwise delete them after each link.
.SECONDARY:
all: $(FK_LIB) $(DRV_OBJ) $(UNIT_BINS) $(LAB_BINS)

-include lab/lab.mk
-include mk/*.mk

$(BUILD)/fakekernel/%.o: fakekernel/%.c $(FK_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(FK_CPPFLAGS) -c $< -o $@

$(FK_LIB): $(FK_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(FK_OBJS)

$(DRV_OBJ): $(DRV_SRC) $(DRV_HDRS) $(FK_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(DRV_CFLAGS) $(FK_CPPFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c $(FK_HDRS) $(wildcard tests/*.h tests/*/*.h tests/*/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(FK_CPPFLAGS) -Itests -Ilab -I$(DRV_DIR) \
	    $(DRV_ALIASES_DEF) -c $< -o $@

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(UNIT_LIB_OBJS) $(FK_LIB)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(UNIT_LIB_OBJS) $(FK_LIB) $(LDLIBS)

$(BUILD)/tests/lab/%: $(BUILD)/tests/lab/%.o $(LAB_LIB_OBJS) $(DRV_OBJ) \
    $(FK_LIB) $(LAB_QMP_OBJ)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(LAB_LIB_OBJS) $(DRV_OBJ) $(FK_LIB) \
	    $(LAB_QMP_OBJ) $(LAB_QMP_LIBS) $(LDLIBS)

# Any pvscsi driver's source directory (pvscsi.c, pvscsi.h, pvscsi_var.h),
# built unmodified against the fakekernel as ours is, and the lab
# programs and the bench's I/O generator linked with it in place of ours:
#   make driver DRIVER_DIR=dir	build/drivers/NAME/pvscsi.o,
#				build/drivers/NAME/tests/lab/t_* and
#				build/drivers/NAME/bench/iogen
# (NAME: the directory's own name).  A program that uses our driver's
# symbols does not link with another driver; make -k builds the rest,
# and tests/run.sh --driver reports it.  DRIVER_NDI=circular builds a
# driver written for illumos before 15483 (2023), whose ndi_devi_enter(9F)
# and ndi_devi_exit took a "circular" argument (sys/sunndi.h).
DRIVER_DIR	?=
DRIVER_NDI	?=
DRIVER_NDI_FLAGS = $(if $(filter circular,$(DRIVER_NDI)),-DFK_NDI_CIRCULAR)
DRIVER_BUILD	= $(BUILD)/drivers/$(notdir $(abspath $(DRIVER_DIR)))
DRIVER_OBJ	= $(DRIVER_BUILD)/pvscsi.o
DRIVER_IOGEN	= $(DRIVER_BUILD)/bench/iogen
DRIVER_BINS	= $(LAB_SRCS:tests/lab/%.c=$(DRIVER_BUILD)/tests/lab/%) \
		  $(DRIVER_IOGEN)

.PHONY: driver
driver:
	@test -f "$(DRIVER_DIR)/pvscsi.c" || { echo "make driver:" \
	    "DRIVER_DIR='$(DRIVER_DIR)' holds no pvscsi.c" >&2; exit 2; }
	@$(MAKE) --no-print-directory $(DRIVER_BINS)

ifneq ($(DRIVER_DIR),)
$(DRIVER_OBJ): $(DRIVER_DIR)/pvscsi.c $(wildcard $(DRIVER_DIR)/*.h) \
    $(FK_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(DRV_CFLAGS) $(DRIVER_NDI_FLAGS) $(FK_CPPFLAGS) \
	    -c $< -o $@

$(DRIVER_BUILD)/tests/lab/%: $(BUILD)/tests/lab/%.o $(LAB_LIB_OBJS) \
    $(DRIVER_OBJ) $(FK_LIB) $(LAB_QMP_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(LAB_LIB_OBJS) $(DRIVER_OBJ) \
	    $(FK_LIB) $(LAB_QMP_OBJ) $(LAB_QMP_LIBS) $(LDLIBS)

$(DRIVER_IOGEN): $(BENCH_IOGEN_OBJS) $(LAB_LIB_OBJS) $(DRIVER_OBJ) \
    $(FK_LIB) $(LAB_QMP_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $(BENCH_IOGEN_OBJS) $(LAB_LIB_OBJS) \
	    $(DRIVER_OBJ) $(FK_LIB) $(LAB_QMP_OBJ) $(LAB_QMP_LIBS) $(LDLIBS)
endif

deps:
	@sh tests/deps.sh

check: deps aarch64-deps
	@$(MAKE) --no-print-directory all aarch64-lab
	@sh tests/run.sh

# Everything on the emulated arm64 machine: the lab's self-test, every
# scenario and every unit test (make check runs a representative subset).
check-aarch64: aarch64-check aarch64-unit-check

clean:
	rm -rf $(BUILD)
