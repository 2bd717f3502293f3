# make bench
#	Our driver against Linux's vmw_pvscsi (fio) and the raw polled ring
#	(the device's ceiling), in one lab guest with two PVSCSI controllers.
#	Writes build/bench/results.md (also on stdout), build/bench/bench.png
#	and build/bench/raw.txt.  BENCH_QUICK=1: one short round (~3 min).
#	See bench/README.md.

BENCH_DIR	:= $(BUILD)/bench
BENCH_IOGEN	:= $(BENCH_DIR)/iogen
BENCH_CPUWIN	:= $(BENCH_DIR)/cpuwin
BENCH_MODDISC	:= $(BENCH_DIR)/moddisc
BENCH_HDRS	:= $(wildcard bench/*.h)
BENCH_INC	:= -Ibench -Itests/lab -Itests -Ilab -I$(DRV_DIR)

.PHONY: bench bench-tools
# The build's output goes to stderr: stdout carries the report only.
bench:
	@$(MAKE) --no-print-directory bench-tools >&2
	@BENCH_QUICK="$(BENCH_QUICK)" sh bench/bench.sh

bench-tools: $(BENCH_IOGEN) $(BENCH_CPUWIN) $(BENCH_MODDISC)

# Programs built against the fakekernel (and the driver).
$(BENCH_DIR)/iogen.o $(BENCH_DIR)/ring.o: $(BENCH_DIR)/%.o: bench/%.c \
    $(BENCH_HDRS) $(FK_HDRS) $(DRV_HDRS) tests/lab/lib/drv.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(FK_CPPFLAGS) $(BENCH_INC) -c $< -o $@

# Plain Linux programs (devcount: QMP, lab/qmp.h).
$(BENCH_DIR)/bstat.o $(BENCH_DIR)/cpuwin.o $(BENCH_DIR)/moddisc.o \
    $(BENCH_DIR)/devcount.o: $(BENCH_DIR)/%.o: bench/%.c \
    $(BENCH_HDRS) $(LAB_QMP_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -Ibench -Ilab -c $< -o $@

# Linked as the lab tests are (tests/lab/lib, the driver, the fakekernel);
# make driver links the same objects with another driver
# (build/drivers/NAME/bench/iogen).
BENCH_IOGEN_OBJS := $(BENCH_DIR)/iogen.o $(BENCH_DIR)/ring.o \
		   $(BENCH_DIR)/bstat.o $(BENCH_DIR)/devcount.o
$(BENCH_IOGEN): $(BENCH_IOGEN_OBJS) $(LAB_LIB_OBJS) $(DRV_OBJ) $(FK_LIB) \
    $(LAB_QMP_OBJ)
	$(CC) $(CFLAGS_BASE) -o $@ $(BENCH_IOGEN_OBJS) $(LAB_LIB_OBJS) \
	    $(DRV_OBJ) $(FK_LIB) $(LAB_QMP_OBJ) $(LAB_QMP_LIBS) $(LDLIBS)

$(BENCH_CPUWIN): $(BENCH_DIR)/cpuwin.o $(BENCH_DIR)/bstat.o \
    $(BENCH_DIR)/devcount.o $(LAB_QMP_OBJ)
	$(CC) $(CFLAGS_BASE) -o $@ $^ $(LAB_QMP_LIBS) $(LDLIBS)

$(BENCH_MODDISC): $(BENCH_DIR)/moddisc.o $(BENCH_DIR)/bstat.o
	$(CC) $(CFLAGS_BASE) -o $@ $^ $(LDLIBS)
