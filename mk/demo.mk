# make demo
#	Build everything, boot the lab with one PVSCSI HBA and three disks
#	(a 256 MiB raw file at target 0, null disks of 1 and 2 GiB at
#	targets 1 and 2) and run build/demo/demo in the guest: attach,
#	topology, a verified read/write load with a live progress line, hot
#	add and remove of a disk, a bus reset under load, detach and a
#	summary.  Non-strict DMA, for speed.  Exits with the demo's status.
#	Packages: the build's come from `make deps`, the guest's from
#	lab/lab itself on first use.

DEMO_BIN	:= $(BUILD)/demo/demo
DEMO_LAB_OPTS	:= --hba 1 --disk 0:0:file,size=256M \
		   --disk 0:1:null,size=1G --disk 0:2:null,size=2G \
		   --env FK_STRICT_DMA=0 --timeout 180

all: $(DEMO_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@lab/lab $(DEMO_LAB_OPTS) -- $(DEMO_BIN)

$(BUILD)/demo/%.o: demo/%.c $(FK_HDRS) $(LAB_QMP_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(FK_CPPFLAGS) $(DRV_ALIASES_DEF) -Ilab -c $< -o $@

$(DEMO_BIN): $(BUILD)/demo/demo.o $(DRV_OBJ) $(FK_LIB) $(LAB_QMP_OBJ)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(DRV_OBJ) $(FK_LIB) $(LAB_QMP_OBJ) \
	    $(LAB_QMP_LIBS) $(LDLIBS)
