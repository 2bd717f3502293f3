# lab/lab.mk: the lab's C programs.  Included by the top-level Makefile;
# also usable alone from the repository root: make -f lab/lab.mk lab-tools
#
#   build/lab/qmprelay   host side: starts QEMU, relays QMP, copies output
#   build/lab/qmp        QMP command for shell scripts inside the guest
#   build/lab/libqmp.a   QMP client library for C programs in the guest
#                        (header: lab/qmp.h; also $(LAB_QMP_OBJ) alone)
#
#   build/aarch64/lab/qmp, qmp.o, libqmp.a
#                        the same guest tools for an aarch64 guest: static,
#                        built with $(LAB_A64_CC) (aarch64-linux-gnu-gcc)
#
# Targets: lab-tools (all of the above but aarch64), lab-tools-aarch64,
# lab-selftest (lab/selftest/run.sh), lab-clean; lab-qmp-libs and
# lab-qmp-libs-aarch64 print the link flags a QMP client needs (json-c).  Everything is built with
# $(CC) (or $(LAB_A64_CC)) and $(LAB_CFLAGS); add flags with
# LAB_EXTRA_CFLAGS.

LAB_DIR		:= lab
LAB_BUILD	:= build/lab
LAB_CFLAGS	:= -O2 -g -Wall -Wextra -Werror -fno-strict-aliasing
LAB_EXTRA_CFLAGS ?=
LAB_CC		= $(CC) $(LAB_CFLAGS) $(LAB_EXTRA_CFLAGS)

LAB_QMP_HDR	:= $(LAB_DIR)/qmp.h
LAB_QMP_OBJ	:= $(LAB_BUILD)/qmp.o
# JSON is json-c's (Debian's libjson-c-dev): programs that link
# $(LAB_QMP_OBJ) or the relay link it too.
LAB_QMP_LIBS	:= -ljson-c
LAB_QMP_LIB	:= $(LAB_BUILD)/libqmp.a
LAB_QMPRELAY	:= $(LAB_BUILD)/qmprelay
LAB_QMPCLI	:= $(LAB_BUILD)/qmp
LAB_TOOLS	:= $(LAB_QMPRELAY) $(LAB_QMPCLI) $(LAB_QMP_LIB)

# The guest tools for aarch64 (lab/lab --arch aarch64).
LAB_A64_BUILD	:= build/aarch64/lab
LAB_A64_CC	?= aarch64-linux-gnu-gcc
LAB_A64_AR	?= aarch64-linux-gnu-ar
LAB_A64_CCF	= $(LAB_A64_CC) $(LAB_CFLAGS) $(LAB_EXTRA_CFLAGS)
LAB_A64_QMP_OBJ	:= $(LAB_A64_BUILD)/qmp.o
# json-c for arm64: libjson-c-dev's arm64 package, unpacked by
# lab/jsonc-arm64.sh (the host's dpkg architectures stay as they are).
LAB_A64_JSONC	:= build/aarch64/json-c
LAB_A64_QMP_CPPFLAGS := -I$(LAB_A64_JSONC)/usr/include
LAB_A64_QMP_LIBS := -L$(LAB_A64_JSONC)/usr/lib/aarch64-linux-gnu -ljson-c
LAB_A64_QMP_LIB	:= $(LAB_A64_BUILD)/libqmp.a
LAB_A64_QMPCLI	:= $(LAB_A64_BUILD)/qmp
LAB_A64_TOOLS	:= $(LAB_A64_QMPCLI) $(LAB_A64_QMP_LIB)

.PHONY: lab-tools lab-tools-aarch64 lab-selftest lab-clean lab-qmp-libs \
	lab-qmp-libs-aarch64

lab-tools: $(LAB_TOOLS)

lab-tools-aarch64: $(LAB_A64_TOOLS)

# Outputs are written to a temporary name and renamed, so a concurrent
# lab/lab run never sees a half-written binary.
$(LAB_QMP_OBJ): $(LAB_DIR)/qmp.c $(LAB_QMP_HDR)
	@mkdir -p $(LAB_BUILD)
	$(LAB_CC) -c $(LAB_DIR)/qmp.c -o $@.tmp.$$$$ && mv -f $@.tmp.$$$$ $@

$(LAB_QMP_LIB): $(LAB_QMP_OBJ)
	@mkdir -p $(LAB_BUILD)
	rm -f $@.tmp.$$$$ && $(AR) rcs $@.tmp.$$$$ $(LAB_QMP_OBJ) && \
	    mv -f $@.tmp.$$$$ $@

$(LAB_QMPCLI): $(LAB_DIR)/qmpcli.c $(LAB_QMP_OBJ) $(LAB_QMP_HDR)
	@mkdir -p $(LAB_BUILD)
	$(LAB_CC) $(LAB_DIR)/qmpcli.c $(LAB_QMP_OBJ) $(LAB_QMP_LIBS) \
	    -o $@.tmp.$$$$ && mv -f $@.tmp.$$$$ $@

$(LAB_QMPRELAY): $(LAB_DIR)/qmprelay.c
	@mkdir -p $(LAB_BUILD)
	$(LAB_CC) $(LAB_DIR)/qmprelay.c $(LAB_QMP_LIBS) -o $@.tmp.$$$$ && \
	    mv -f $@.tmp.$$$$ $@

$(LAB_A64_JSONC)/usr/include/json-c/json.h:
	@sh $(LAB_DIR)/jsonc-arm64.sh $(LAB_A64_JSONC)

$(LAB_A64_QMP_OBJ): $(LAB_DIR)/qmp.c $(LAB_QMP_HDR) \
    $(LAB_A64_JSONC)/usr/include/json-c/json.h
	@mkdir -p $(LAB_A64_BUILD)
	$(LAB_A64_CCF) $(LAB_A64_QMP_CPPFLAGS) -c $(LAB_DIR)/qmp.c \
	    -o $@.tmp.$$$$ && mv -f $@.tmp.$$$$ $@

$(LAB_A64_QMP_LIB): $(LAB_A64_QMP_OBJ)
	@mkdir -p $(LAB_A64_BUILD)
	rm -f $@.tmp.$$$$ && $(LAB_A64_AR) rcs $@.tmp.$$$$ $(LAB_A64_QMP_OBJ) && \
	    mv -f $@.tmp.$$$$ $@

$(LAB_A64_QMPCLI): $(LAB_DIR)/qmpcli.c $(LAB_A64_QMP_OBJ) $(LAB_QMP_HDR)
	@mkdir -p $(LAB_A64_BUILD)
	$(LAB_A64_CCF) -static $(LAB_DIR)/qmpcli.c $(LAB_A64_QMP_OBJ) \
	    $(LAB_A64_QMP_LIBS) -o $@.tmp.$$$$ && mv -f $@.tmp.$$$$ $@

# The link flags of a program that uses the QMP library (the relay's
# and lab/selftest/t_qmp.sh's use).
lab-qmp-libs:
	@echo $(LAB_QMP_LIBS)

lab-qmp-libs-aarch64:
	@echo $(LAB_A64_QMP_LIBS)

lab-selftest: $(LAB_TOOLS)
	$(LAB_DIR)/selftest/run.sh

lab-clean:
	rm -f $(LAB_TOOLS) $(LAB_QMP_OBJ) $(LAB_A64_TOOLS) $(LAB_A64_QMP_OBJ)
