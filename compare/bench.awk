# bench.awk: make compare's bench table, from the bench's raw results
# (bench/guest.sh's output, read by bench/results.awk): a row per test and
# contender, ours first, then the other drivers, then Linux's vmw_pvscsi;
# IOPS, total latency, guest CPU per I/O, and what the device counted per
# request (kicks, interrupts, register accesses); for every other
# contender, ours / it for IOPS and for CPU per I/O.
#
#	awk -v drivers="ours NAME..." [-v headline=1] -f bench/results.awk \
#	    -f compare/bench.awk raw.txt
#
# headline=1: one line instead, ours / it for IOPS at 4 KiB random read,
# QD32, for make compare's summary.  failures=1: instead, per driver, the
# runs that failed or were not run, and the first message of a failure
# (iogen's, or the fakekernel's panic line).

# A contender's name here: the driver's (all interrupt-driven), or
# Linux's with its scheduler.
function name(c,    who) {
	who = substr(c, 1, index(c, "/") - 1)
	if (who == "linux")
		return "Linux vmw_pvscsi (" substr(c, 7) ")"
	return who
}

# The first "panic: " or "iogen: " line since the last note is the
# message of the failure the next note reports.
/^(panic|iogen): / {
	if (msg == "")
		msg = $0
	next
}

# "# WHO: TEST failed (status N)", "# WHO: TEST failed after its result
# (status N)", "# WHO: TEST not run (...)"
/^# [^ ]+: [^ ]+ (failed (after its result )?\(status [0-9]+\)|not run )/ {
	who = substr($2, 1, length($2) - 1)
	if (!(who in seen_who)) {
		seen_who[who] = 1
		fwho[++nfwho] = who
	}
	if ($5 == "after")
		nafter[who]++
	else if ($4 == "failed")
		nfail[who]++
	else
		nskip[who]++
	if ($4 == "failed" && !(who in first) && msg != "")
		first[who] = msg
	msg = ""
	next
}

/^# / {
	msg = ""
}

function failure_lines(    i, w, s) {
	for (i = 1; i <= nfwho; i++) {
		w = fwho[i]
		s = ""
		if (nfail[w])
			s = nfail[w] " run(s) failed"
		if (nafter[w])
			s = s (s == "" ? "" : ", ") nafter[w] \
			    " failed after their result (kept)"
		if (nskip[w])
			s = s (s == "" ? "" : ", ") nskip[w] " not run after that"
		printf "%s: %s%s\n", w, s, (w in first ? "; first: " first[w] : "")
	}
}

function row(t, c, tp,    k, oi, oc) {
	k = t SUBSEP c
	oi = median(t SUBSEP "ours/intr", "iops")
	oc = median(t SUBSEP "ours/intr", "cpu")
	printf "| %s %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
	    size_name(tp[2]), tp[1], tp[3], name(c),
	    fmt_int(median(k, "iops")), fmt(median(k, "p50"), 0),
	    fmt(median(k, "p99"), 0), fmt(median(k, "cpu"), 1),
	    fmt(median(k, "dkicks"), 2), fmt(median(k, "dintrs"), 2),
	    fmt(median(k, "dregs"), 2),
	    (c == "ours/intr" ? "" : fmt(ratio(oi, median(k, "iops")), 2)),
	    (c == "ours/intr" ? "" : fmt(ratio(oc, median(k, "cpu")), 2))
}

END {
	defsched = info["default_sched"]
	n = split(drivers, dv, " ")
	want = ""
	for (i = 1; i <= n; i++) {
		want = want " " dv[i] "/intr"
		seen_cont[dv[i] "/intr"] = 1	# a row even without a result
	}
	order_contenders(want " linux/none linux/" defsched)
	if (failures) {
		failure_lines()
		exit
	}
	if (headline) {
		t = "randread" SUBSEP 4096 SUBSEP 32
		printf "bench, 4 KiB random read at QD32, IOPS ours / it:"
		for (ci = 2; ci <= no; ci++)
			printf "%s %s %s", (ci > 2 ? "," : ""), name(co[ci]),
			    fmt(ratio(median(t SUBSEP "ours/intr", "iops"),
			    median(t SUBSEP co[ci], "iops")), 2)
		printf "\n"
		exit
	}
	print "| workload | QD | driver | IOPS | p50 µs | p99 µs | CPU µs/IO | kicks/IO | intr/IO | MMIO/IO | ours / it, IOPS | ours / it, CPU per I/O |"
	print "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (ti = 1; ti <= ntests; ti++) {
		split(tests[ti], tp, SUBSEP)
		for (ci = 1; ci <= no; ci++)
			row(tests[ti], co[ci], tp)
	}
}
