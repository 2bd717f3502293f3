# pvscsi: the illumos driver and the lab that proves it.
#
#   make check	build everything and run every test (host and lab guest)
#   make demo	boot the lab and watch the driver work
#   make clean	remove build/
#
# Objects go under build/.  The lab caches its guest outside the repo.

CC		?= gcc
BUILD		:= build
# As illumos-gate builds its kernel: everything but unused parameters
# (interfaces hand every implementation arguments it may not need).
WARN		:= -Wall -Wextra -Werror -Wno-unused-parameter
OPT		?= -O2 -g
CFLAGS_BASE	:= -std=gnu99 $(OPT) $(WARN) -fno-strict-aliasing -pthread
FK_CPPFLAGS	:= -D_KERNEL -DDEBUG -Ifakekernel/include -Ifakekernel
LDLIBS		:= -pthread -lrt

DRV_DIR		:= usr/src/uts/common/io/scsi/adapters/pvscsi
DRV_SRC		:= $(DRV_DIR)/pvscsi.c
DRV_HDRS	:= $(wildcard $(DRV_DIR)/*.h)
# _init/_fini/_info would collide with the ELF ones of crt: rename them.
DRV_CFLAGS	:= -D_init=pvscsi__init \
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
