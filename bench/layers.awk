# layers.awk: perf's self-time lines, "pct%;comm;dso;[.] symbol" (perf
# report -t ';' --sort comm,dso,sym), for bench/profile.sh: the busiest
# thread other than the idle loop and perf, its share of the samples and
# its time summed by software layer, and its top functions.

function layer(dso, sym) {
	if (dso ~ /kernel/)
		return "guest kernel (syscalls, wake-ups, page faults)"
	if (sym ~ /^ddi_(put|get|rep_put|rep_get)(8|16|32|64)$/)
		return "register access (QEMU's device model runs here)"
	if (sym ~ /^pvscsi_/)
		return "driver (pvscsi_*)"
	if (sym ~ /dma/)
		return "fakekernel DMA (bind, cookies, sync)"
	if (sym ~ /^(kmem_|kmc_|fk_arena|arena_|fk_cpu$|sched_getcpu)/ ||
	    sym ~ /^(malloc|free|_int_|calloc)/)
		return "fakekernel kmem (magazines) and libc malloc"
	if (sym ~ /^(mutex_|cv_|fk_curthread|fk_mutex|fk_witness|rw_)/ ||
	    sym ~ /^fk_(lock|cond|once)/ ||
	    sym ~ /pthread_(mutex|cond|once)/ || sym ~ /mutex_(un)?lock/)
		return "locks (mutex_*, host locks, witness)"
	if (dso ~ /vdso/ || sym ~ /^(clock_gettime|gethrtime)/)
		return "clock (gethrtime, clock_gettime)"
	if (sym ~ /^(scsi_|fk_scsa|fk_pkt|fk_async|fk_scsi|fk_lun|getrbuf|freerbuf|bioinit)/)
		return "fakekernel SCSA (packets, transport, completion)"
	if (sym ~ /^(list_)/)
		return "fakekernel lists"
	if (sym ~ /^(io_|lba_|bh_|now_ns|run_|ring_|loop_|slot_|rawring_|big_|poll_thread)/)
		return "bench (iogen, ring)"
	if (sym ~ /^(drv_usecwait|fk_intr|fk_cpu_relax|fk_plat_evvec)/)
		return "fakekernel interrupts, waits"
	if (dso ~ /libc|ld-linux/)
		return "libc (other)"
	return "other"
}

BEGIN {
	FS = ";"
}

{
	pct = $1
	sub(/%/, "", pct)
	sub(/^ +/, "", pct)
	comm = $2
	sub(/ +$/, "", comm)
	sym = $4
	sub(/^\[.\] /, "", sym)
	sub(/ +$/, "", sym)
	n = ++nl[comm]
	lpct[comm, n] = pct
	ldso[comm, n] = $3
	lsym[comm, n] = sym
	ctot[comm] += pct
	all += pct
}

END {
	best = ""
	for (c in ctot)
		if (c != "swapper" && c != "perf" &&
		    (best == "" || ctot[c] > ctot[best]))
			best = c
	if (best == "" || all == 0)
		exit
	tot = ctot[best]
	for (i = 1; i <= nl[best]; i++)
		by[layer(ldso[best, i], lsym[best, i])] += lpct[best, i]
	printf "-- thread '%s': %.1f%% of all samples; its time by layer:\n",
	    best, 100 * tot / all
	n = 0
	for (l in by)
		names[++n] = l
	for (i = 2; i <= n; i++) {
		t = names[i]
		for (j = i - 1; j >= 1 && by[names[j]] < by[t]; j--)
			names[j + 1] = names[j]
		names[j + 1] = t
	}
	for (i = 1; i <= n; i++)
		printf "  %5.1f%%  %s\n", 100 * by[names[i]] / tot, names[i]
	# its top functions (perf lists them by decreasing share)
	printf "-- its top functions:\n"
	for (i = 1; i <= nl[best] && i <= 25; i++)
		printf "  %5.1f%%  %s\n", 100 * lpct[best, i] / tot,
		    lsym[best, i]
}
