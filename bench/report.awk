# report.awk: make bench's report, the bench's results (bench/guest.sh's
# output, read by bench/results.awk) as Markdown, plus a data file for
# the plot.  Result lines with hbas= are the row at scale, "D" lines its
# discovery times.
#
#	awk -v plot=PLOT.dat -v meta="..." -f bench/results.awk \
#	    -f bench/report.awk raw.txt
#
# Every number is the median over the rounds of one contender in one test;
# the IOPS range shows the spread.  Ratios are of medians.

# A goal's verdict: want ">=" or "<=".
function verdict(x, op, goal) {
	if (x == "-")
		return "not measured"
	if ((op == ">=" && x >= goal) || (op == "<=" && x <= goal))
		return "met"
	return "missed"
}

# Discovery of contender who: the median over the rounds for all HBAs
# and, per HBA, "h0 / h1 / ...".
function disc_all(who) {
	return fmt(median("disc" SUBSEP who SUBSEP "all", "secs"), 2)
}

function disc_each(who,    h, s) {
	s = ""
	for (h = 0; h < dhbas[who]; h++)
		s = s (h ? " / " : "") \
		    fmt(median("disc" SUBSEP who SUBSEP h, "secs"), 2)
	return s == "" ? "-" : s
}

function disc_units(who,    u) {
	u = median("disc" SUBSEP who SUBSEP "all", "units")
	return u == "-" ? "-" : fmt(u, 0)
}

function scale_report(    ci, c, k, who, t, x, y) {
	split(scale_test, t, SUBSEP)
	printf "## At scale: %d HBAs × %d disks, %s %s, QD%d per HBA\n\n",
	    scale_hbas, scale_luns, size_name(t[2]), wl_name(t[1]), t[3]
	printf "One guest with %d PVSCSI controllers of %d null-co disks " \
	    "each: ours on %d of them, Linux's vmw_pvscsi on the %d " \
	    "others, in turn each round (same device model, same disks, " \
	    "same load on the host).  Ours: QD%d per HBA spread evenly " \
	    "over its LUNs (iogen -s); Linux: fio, one job per " \
	    "controller over its disks (round robin), iodepth %d.  " \
	    "Discovery: ours from the start of the attach to the arrival " \
	    "of the HBA's last unit; Linux from the start of vmw_pvscsi's " \
	    "load to the HBA's last disk in /sys/block.  Medians over " \
	    "the rounds.\n\n", 2 * scale_hbas, scale_luns, scale_hbas,
	    scale_hbas, t[3], t[3]
	print "| contender | IOPS | IOPS min–max | p50 µs | p99 µs | CPU µs/IO | intr/IO | disks found | discovery, all (s) | discovery per HBA (s) |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for (ci = 1; ci <= no; ci++) {
		c = co[ci]
		k = scale_test SUBSEP "scale" SUBSEP c
		if (cnt[k, "n"] == 0)
			continue
		who = substr(c, 1, index(c, "/") - 1)
		printf "| %s | %s | %s–%s | %s | %s | %s | %s | %s | %s | %s |\n",
		    label(c), fmt_int(median(k, "iops")),
		    fmt_int(extreme(k, "iops", 0)),
		    fmt_int(extreme(k, "iops", 1)), fmt(median(k, "p50"), 0),
		    fmt(median(k, "p99"), 0), fmt(median(k, "cpu"), 1),
		    fmt(median(k, "intrs"), 2), disc_units(who),
		    disc_all(who), disc_each(who)
	}
	print ""
	x = ratio(median(scale_test SUBSEP "scale" SUBSEP "ours/intr", "iops"),
	    median(scale_test SUBSEP "scale" SUBSEP lnone, "iops"))
	y = ratio(median(scale_test SUBSEP "scale" SUBSEP "ours/intr", "cpu"),
	    median(scale_test SUBSEP "scale" SUBSEP lnone, "cpu"))
	printf "Ours / Linux (none): IOPS %s, CPU per I/O %s.\n\n",
	    fmt(x, 2), fmt(y, 2)
}

END {
	defsched = info["default_sched"]
	order_contenders("ours/intr ours/poll base/intr base/poll linux/none " \
	    "linux/" defsched " ring/poll")
	lnone = "linux/none"
	ldef = "linux/" defsched

	print "# `make bench`: our driver, Linux's vmw_pvscsi and the device's ceiling"
	print ""
	print meta
	print ""
	printf "Guest: Linux %s, %s vCPUs (TCG), two PVSCSI controllers with " \
	    "null-co disks (1 GiB); Linux's disk: %s, its default scheduler: " \
	    "%s; %s.  %s round(s), each test run by every contender in turn " \
	    "(ours, Linux, ring), %s s warm-up and a %s s window; " \
	    "numbers are medians over the rounds.\n", info["kernel"],
	    info["cpus"], info["linux_disk"], defsched, info["fio"],
	    info["reps"], info["warmup"], info["secs"]
	print ""

	# headline
	hk = "randread" SUBSEP 4096 SUBSEP 32
	oi = median(hk SUBSEP "ours/intr", "iops")
	op = median(hk SUBSEP "ours/poll", "iops")
	ln = median(hk SUBSEP lnone, "iops")
	ld = median(hk SUBSEP ldef, "iops")
	rg = median(hk SUBSEP "ring/poll", "iops")
	oc = median(hk SUBSEP "ours/intr", "cpu")
	lc = median(hk SUBSEP lnone, "cpu")
	ldc = median(hk SUBSEP ldef, "cpu")
	print "## Headline: 4 KiB random read at QD32"
	print ""
	print "| ratio | value | goal | verdict |"
	print "|---|---:|---|---|"
	x = ratio(oi, ln)
	printf "| IOPS, ours (interrupts) / Linux (none) | %s | >= 5 | %s |\n",
	    fmt(x, 2), verdict(x, ">=", 5)
	x = ratio(oi, ld)
	printf "| IOPS, ours (interrupts) / Linux (%s, default) | %s | >= 5 | %s |\n",
	    defsched, fmt(x, 2), verdict(x, ">=", 5)
	x = ratio(oi, rg)
	printf "| IOPS, ours (interrupts) / ceiling | %s | >= 0.6 | %s |\n",
	    fmt(x, 2), verdict(x, ">=", 0.6)
	x = ratio(op, rg)
	printf "| IOPS, ours (polled) / ceiling | %s | >= 0.9 | %s |\n",
	    fmt(x, 2), verdict(x, ">=", 0.9)
	x = ratio(oc, lc)
	printf "| CPU per I/O, ours (interrupts) / Linux (none) | %s | <= 0.2 | %s |\n",
	    fmt(x, 2), verdict(x, "<=", 0.2)
	x = ratio(oc, ldc)
	printf "| CPU per I/O, ours (interrupts) / Linux (%s, default) | %s | <= 0.2 | %s |\n",
	    defsched, fmt(x, 2), verdict(x, "<=", 0.2)
	print ""

	# everything
	print "## All results"
	print ""
	print "Latency is total (submission to completion as the submitter sees " \
	    "it; fio: `lat_ns`).  CPU is the busy time of both vCPUs " \
	    "(/proc/stat) per I/O.  Kicks (writes to the kick registers) " \
	    "and interrupts (MSIs sent) are counted at the device, in QEMU's " \
	    "trace, per request it completed, for every contender alike, " \
	    "in a counting run apart from the timed ones."
	print ""
	print "| workload | QD | contender | IOPS | IOPS min–max | MB/s | p50 µs | p99 µs | kicks/IO | intr/IO | CPU µs/IO | errors |"
	print "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (ti = 1; ti <= ntests; ti++) {
		split(tests[ti], tp, SUBSEP)
		if (tp[4] == "scale")
			continue
		for (ci = 1; ci <= no; ci++) {
			k = tests[ti] SUBSEP co[ci]
			if (cnt[k, "n"] == 0)
				continue
			printf "| %s %s | %s | %s | %s | %s–%s | %s | %s | %s | %s | %s | %s | %s |\n",
			    size_name(tp[2]), tp[1], tp[3], label(co[ci]),
			    fmt_int(median(k, "iops")),
			    fmt_int(extreme(k, "iops", 0)),
			    fmt_int(extreme(k, "iops", 1)),
			    fmt(median(k, "mbps"), 1), fmt(median(k, "p50"), 0),
			    fmt(median(k, "p99"), 0), fmt(median(k, "dkicks"), 2),
			    fmt(median(k, "dintrs"), 2), fmt(median(k, "cpu"), 1),
			    fmt(median(k, "errors"), 0)
		}
	}
	print ""

	print "## Ratios by test"
	print ""
	printf "| workload | QD | ours / Linux none | ours / Linux %s | ours / ceiling | polled / ceiling | CPU ours / Linux none | CPU ours / Linux %s |\n",
	    defsched, defsched
	print "|---|---:|---:|---:|---:|---:|---:|---:|"
	for (ti = 1; ti <= ntests; ti++) {
		split(tests[ti], tp, SUBSEP)
		t = tests[ti]
		if (tp[4] == "scale")
			continue
		oi = median(t SUBSEP "ours/intr", "iops")
		op = median(t SUBSEP "ours/poll", "iops")
		printf "| %s %s | %s | %s | %s | %s | %s | %s | %s |\n",
		    size_name(tp[2]), tp[1], tp[3],
		    fmt(ratio(oi, median(t SUBSEP lnone, "iops")), 2),
		    fmt(ratio(oi, median(t SUBSEP ldef, "iops")), 2),
		    fmt(ratio(oi, median(t SUBSEP "ring/poll", "iops")), 2),
		    fmt(ratio(op, median(t SUBSEP "ring/poll", "iops")), 2),
		    fmt(ratio(median(t SUBSEP "ours/intr", "cpu"),
		    median(t SUBSEP lnone, "cpu")), 2),
		    fmt(ratio(median(t SUBSEP "ours/intr", "cpu"),
		    median(t SUBSEP ldef, "cpu")), 2)
	}

	# before and after, when another build ran as "base" (BENCH_BASE)
	if (("base/intr") in seen_cont) {
		print ""
		print "## Before and after"
		print ""
		printf "Base build: `%s`.\n\n", info["base"]
		print "| workload | QD | base intr / ceiling | ours intr / ceiling | base polled / ceiling | ours polled / ceiling |"
		print "|---|---:|---:|---:|---:|---:|"
		for (ti = 1; ti <= ntests; ti++) {
			split(tests[ti], tp, SUBSEP)
			t = tests[ti]
			rg = median(t SUBSEP "ring/poll", "iops")
			printf "| %s %s | %s | %s | %s | %s | %s |\n",
			    size_name(tp[2]), tp[1], tp[3],
			    fmt(ratio(median(t SUBSEP "base/intr", "iops"), rg), 2),
			    fmt(ratio(median(t SUBSEP "ours/intr", "iops"), rg), 2),
			    fmt(ratio(median(t SUBSEP "base/poll", "iops"), rg), 2),
			    fmt(ratio(median(t SUBSEP "ours/poll", "iops"), rg), 2)
		}
	}
	print ""
	if (scale_hbas != "")
		scale_report()

	if (plot != "")
		plot_data(plot)
}
