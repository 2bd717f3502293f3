# make soak: the recovery and hotplug scenarios of tests/lab/suites
# (recover-*, timeout, hotplug-*) at soak scale: SOAK=1 in the guest makes
# t_recover run 1,000 cycles of aborts and resets (1,000 adapter resets)
# under verified load, and t_hotplug 200 add/remove cycles under verified
# load; and the scale scenario at its full size, 4 HBAs of 64 disks
# (SOAK_SCALE; make check runs 2).  Each scenario's output goes to
# build/soak/NAME.log; the summary
# gives each one's checks, time and "# soak:" line (lost and duplicated
# completions, witness reports, leaked kmem), then the totals, which must
# all be 0.
#
#   make soak			all of them
#   make soak SOAK_ONLY=recover	those whose name contains recover
#   make soak SOAK_TIMEOUT=14400	the per-scenario limit, in seconds

SOAK_DIR	:= $(BUILD)/soak
SOAK_TIMEOUT	?= 10800
SOAK_ONLY	?=
SOAK_SCALE	:= scale-4x64 | white | --hba 4 --disk 0-3:0-63:file,size=16M | \
		   build/tests/lab/t_scale

.PHONY: soak
soak:
	@$(MAKE) -s --no-print-directory all
	@mkdir -p $(SOAK_DIR); t=$(SOAK_DIR)/totals; : >$$t; \
	{ grep -E '^ *(recover|timeout|hotplug)[-a-z0-9]* *\|' \
	    tests/lab/suites; echo '$(SOAK_SCALE)'; } | \
	while IFS='|' read -r name kind opts cmd; do \
		name=$$(echo "$$name" | sed 's/^ *//;s/ *$$//'); \
		case $$name in *"$(SOAK_ONLY)"*) ;; *) continue ;; esac; \
		log=$(SOAK_DIR)/$$name.log; start=$$(date +%s); \
		lab/lab $$opts --env SOAK=1 --timeout $(SOAK_TIMEOUT) -- \
		    $$cmd </dev/null >$$log 2>&1; rc=$$?; \
		p=$$(grep -c '^PASS ' $$log); f=$$(grep -c '^FAIL ' $$log); \
		[ $$rc -ne 0 ] && [ $$f -eq 0 ] && f=1; \
		echo "$$name: $$p passed, $$f failed, exit $$rc" \
		    "($$(( $$(date +%s) - start )) s)"; \
		grep '^FAIL ' $$log | sed 's/^/  /'; \
		grep -E '^# (soak:|storm: [0-9]+ cycles in)' $$log | \
		    sed 's/^/  /'; \
		grep -E '^# cycles: [0-9]+ in' $$log | tail -n 1 | \
		    sed 's/^/  /'; \
		echo "$$name $$f $$(sed -n 's/^# soak: [^:]*: \([0-9]*\) lost, \([0-9]*\) duplicated, \([0-9]*\) witness reports, \(-\{0,1\}[0-9]*\) leaked.*/\1 \2 \3 \4/p' $$log)" >>$$t; \
	done; \
	[ -s $$t ] || { echo "soak: no scenario ran"; exit 1; }; \
	awk '{ f += $$2; l += $$3; d += $$4; w += $$5; \
	    k += ($$6 < 0 ? -$$6 : $$6); if (NF < 6) m++ } \
	    END { printf "soak: %d scenarios: %d failed checks; %d lost and " \
	    "%d duplicated completions, %d witness reports, %d leaked kmem " \
	    "bytes%s\n", NR, f, l, d, w, k, m ? sprintf(" (%d without a " \
	    "summary line)", m) : ""; exit (f + l + d + w + k + m) != 0 }' $$t
