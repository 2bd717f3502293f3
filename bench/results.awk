# results.awk: the bench's raw results (bench/guest.sh's output: "I",
# "R", "D" and "K" lines) read into arrays, and what the reports built on
# them share: medians, formats, names, the plot's data.  Given before a
# report's own program:
#
#	awk -f bench/results.awk -f bench/report.awk raw.txt	(make bench)
#	awk -f bench/results.awk -f compare/bench.awk raw.txt	(make compare)
#
# tests[1..ntests]: each test, "WL SUBSEP BS SUBSEP QD" (SUBSEP "scale"
# for the row at scale); conts[1..nconts]: each contender, "WHO/MODE", in
# the order met; val[TEST SUBSEP CONTENDER, MEASURE, i], cnt[..., MEASURE]:
# the values of a measure (iops mbps p50 p99 kicks intrs cpu errors from
# the timed runs, dkicks dintrs dregs from the device); info[KEY]: the
# "I" lines.

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

# A contender's name: who/mode, who being ours, linux, ring or another
# driver's name (make driver).
function label(c,    who, mode) {
	who = substr(c, 1, index(c, "/") - 1)
	mode = substr(c, index(c, "/") + 1)
	if (who == "ring")
		return "raw ring (ceiling)"
	if (who == "linux")
		return "Linux, " mode (mode == defsched ? " (default)" : "")
	return who ", " (mode == "poll" ? "polled" : "interrupts")
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

# order_contenders(LIST): co[1..no], the contenders seen, those of LIST
# (space-separated WHO/MODE) first in its order, then the others as met.
function order_contenders(list,    n, i, want, placed) {
	n = split(list, want, " ")
	no = 0
	for (i = 1; i <= n; i++)
		if (want[i] in seen_cont && !(want[i] in placed)) {
			placed[want[i]] = 1
			co[++no] = want[i]
		}
	for (i = 1; i <= nconts; i++)
		if (!(conts[i] in placed))
			co[++no] = conts[i]
}

# plot_data(PLOT): for bench/plot.sh, one block per 4 KiB random
# workload, a row per QD: the QD, then IOPS and CPU per I/O of each
# contender co[1..no]; their labels, one a line, in PLOT.labels.
function plot_data(plot,    ci, w, ti, tp, pw, k, a, b) {
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

# read_fields(A): the line's KEY=VALUE fields (all but the first) into A.
function read_fields(a,    i, kv) {
	delete a
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		a[kv[1]] = substr($i, length(kv[1]) + 2)
	}
}

$1 == "I" {
	read_fields(f)
	for (key in f)
		info[key] = f[key]
	next
}

# D who=W rep=R hba=I|all units=N secs=S: discovery at scale
$1 == "D" {
	read_fields(f)
	k = "disc" SUBSEP f["who"] SUBSEP f["hba"]
	val[k, "secs", ++cnt[k, "secs"]] = f["secs"] + 0
	val[k, "units", ++cnt[k, "units"]] = f["units"] + 0
	if (f["hba"] != "all" && f["hba"] + 1 > dhbas[f["who"]])
		dhbas[f["who"]] = f["hba"] + 1
	next
}

# R ...: one measurement (bench/bstat.h); those of the counting pass are
# not measurements (their K lines carry what they counted).
$1 == "R" && !/ trace=/ {
	read_fields(f)
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

# K ...: a window counted at the device (bench/devcount.awk): per request
# the device completed, kicks (dkicks), interrupts (dintrs), register
# accesses (dregs).
$1 == "K" {
	read_fields(f)
	if (f["reqs"] + 0 == 0)
		next
	k = f["wl"] SUBSEP f["bs"] SUBSEP f["qd"] SUBSEP f["who"] "/" f["mode"]
	val[k, "dkicks", ++cnt[k, "dkicks"]] = f["kicks"] / f["reqs"]
	val[k, "dintrs", ++cnt[k, "dintrs"]] = f["intrs"] / f["reqs"]
	val[k, "dregs", ++cnt[k, "dregs"]] = f["regs"] / f["reqs"]
	next
}
