# report.awk: the bench's results (the "R", "D" and "I" lines of
# bench/guest.sh) as Markdown, plus a data file for the plot.  Result
# lines with hbas= are the row at scale, "D" lines its discovery times.
#
#	awk -v plot=PLOT.dat -v meta="..." -f bench/report.awk raw.txt
#
# Every number is the median over the rounds of one contender in one test;
# the IOPS range shows the spread.  Ratios are of medians.

function median(key, m,    n, i, j, t, a) {
	n = cnt[key, m]
	if (n == 0)
		return "-"
	for (i = 1; i <= n; i++)
		a[i] = val[key, m, i]
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	if (n % 2)
		return a[(n + 1) / 2]
	return (a[n / 2] + a[n / 2 + 1]) / 2
}

function extreme(key, m, want_max,    n, i, x) {
	n = cnt[key, m]
	x = val[key, m, 1]
	for (i = 2; i <= n; i++)
		if ((want_max && val[key, m, i] > x) ||
		    (!want_max && val[key, m, i] < x))
			x = val[key, m, i]
	return x
}

function fmt(x, prec) {
	if (x == "-" || x == "")
		return "-"
	return sprintf("%." prec "f", x)
}

# IOPS with a thousands separator.
function fmt_int(x,    s, r) {
	if (x == "-" || x == "")
		return "-"
	s = sprintf("%.0f", x)
	r = ""
	while (length(s) > 3) {
		r = "," substr(s, length(s) - 2) r
		s = substr(s, 1, length(s) - 3)
	}
	return s r
}

function ratio(a, b) {
	if (a == "-" || b == "-" || b + 0 == 0)
		return "-"
	return a / b
}

function size_name(bs) {
	if (bs % 1024 == 0)
		return (bs / 1024) " KiB"
	return bs " B"
}

function label(c) {
	if (c == "ours/intr")
		return "ours, interrupts"
	if (c == "ours/poll")
		return "ours, polled"
	if (c == "ring/poll")
		return "raw ring (ceiling)"
	if (c == "linux/" defsched)
		return "Linux, " substr(c, 7) " (default)"
	return "Linux, " substr(c, 7)
}

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

function wl_name(wl) {
	if (wl == "randread")
		return "random read"
	if (wl == "randwrite")
		return "random write"
	if (wl == "seqread")
		return "sequential read"
	return wl
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

$1 == "I" {
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		info[kv[1]] = substr($i, length(kv[1]) + 2)
	}
	next
}

# D who=W rep=R hba=I|all units=N secs=S: discovery at scale
$1 == "D" {
	delete f
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		f[kv[1]] = kv[2]
	}
	k = "disc" SUBSEP f["who"] SUBSEP f["hba"]
	val[k, "secs", ++cnt[k, "secs"]] = f["secs"] + 0
	val[k, "units", ++cnt[k, "units"]] = f["units"] + 0
	if (f["hba"] != "all" && f["hba"] + 1 > dhbas[f["who"]])
		dhbas[f["who"]] = f["hba"] + 1
	next
}

$1 == "R" {
	delete f
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		f[kv[1]] = kv[2]
	}
	if (f["hbas"] != "") {
		scale_hbas = f["hbas"]
		scale_luns = f["luns"]
		scale_test = f["wl"] SUBSEP f["bs"] SUBSEP f["qd"]
	}
	t = f["wl"] SUBSEP f["bs"] SUBSEP f["qd"] \
	    (f["hbas"] != "" ? SUBSEP "scale" : "")
	if (!(t in seen_test)) {
		seen_test[t] = 1
		tests[++ntests] = t
	}
	c = f["who"] "/" f["mode"]
	if (!(c in seen_cont)) {
		seen_cont[c] = 1
		conts[++nconts] = c
	}
	k = t SUBSEP c
	n = ++cnt[k, "n"]
	split("iops mbps p50 p99 kicks intrs cpu errors", ms, " ")
	for (i in ms) {
		m = ms[i]
		if (f[m] != "-" && f[m] != "") {
			val[k, m, ++cnt[k, m]] = f[m] + 0
		}
	}
	next
}

END {
	defsched = info["default_sched"]
	# contenders in a fixed order
	split("ours/intr ours/poll linux/none linux/" defsched " ring/poll",
	    order, " ")
	no = 0
	for (i = 1; i <= 5; i++)
		if (order[i] in seen_cont && !(order[i] in placed)) {
			placed[order[i]] = 1
			co[++no] = order[i]
		}
	for (i = 1; i <= nconts; i++)
		if (!(conts[i] in placed))
			co[++no] = conts[i]
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
	    "(/proc/stat) per I/O.  Kicks are writes to the kick registers " \
	    "(not observable for Linux's driver); interrupts are handler " \
	    "calls (ours) or vmw_pvscsi's /proc/interrupts count (Linux)."
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
			    fmt(median(k, "p99"), 0), fmt(median(k, "kicks"), 2),
			    fmt(median(k, "intrs"), 2), fmt(median(k, "cpu"), 1),
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

	print ""
	if (scale_hbas != "")
		scale_report()

	# plot data: one block per 4 KiB random workload, a row per QD; the
	# contenders' labels, one a line, in PLOT.labels
	if (plot == "")
		exit
	printf "# contenders:" > plot
	for (ci = 1; ci <= no; ci++)
		printf " %s", co[ci] > plot
	printf "\n" > plot
	split("randread randwrite", pw, " ")
	for (w = 1; w <= 2; w++) {
		printf "# %s 4 KiB: qd, then iops and cpu per contender\n",
		    pw[w] > plot
		for (ti = 1; ti <= ntests; ti++) {
			split(tests[ti], tp, SUBSEP)
			if (tp[1] != pw[w] || tp[2] != 4096 || tp[4] == "scale")
				continue
			printf "%s", tp[3] > plot
			for (ci = 1; ci <= no; ci++) {
				k = tests[ti] SUBSEP co[ci]
				a = median(k, "iops")
				b = median(k, "cpu")
				printf " %s %s", (a == "-" ? "NaN" : a),
				    (b == "-" ? "NaN" : b) > plot
			}
			printf "\n" > plot
		}
		printf "\n\n" > plot
	}
	close(plot)
	for (ci = 1; ci <= no; ci++)
		printf "%s\n", label(co[ci]) > (plot ".labels")
	close(plot ".labels")
}
