# classify.awk: the verdict on each scenario of one tests/run.sh run of
# make compare (one driver, one DMA mode), from run.sh's output and the
# scenarios' logs.
#
#	awk -v driver=D -v mode=M -v logs=DIR [-v expect="NAME..."] \
#	    [-v cut=WHY] -f compare/classify.awk RUN.out
#
# prints one line per scenario, tab-separated:
#	driver  mode  scenario  verdict  detail
# verdict and detail:
#	PASS
#	FAIL	 the first failing check, "name: what was wrong"
#	PANIC	 the fakekernel's panic line
#	DEADLOCK the lock-order witness's line (a cycle of lock classes:
#		 threads that take them can deadlock), or a panic for a
#		 thread entering a mutex it holds or a witness cycle
#	HANG	 the lab stopped the scenario at its timeout ("timeout after
#		 N s")
#	NOTRUN	 a scenario of expect that the run did not reach: the run
#		 was stopped (cut says why), or it is not in the output
# in that order of precedence, and when the driver did not build, one line
# with scenario "-", verdict BUILD and run.sh's message.  A scenario's log
# is DIR/lab_NAME.log, as run.sh names it.

BEGIN {
	OFS = "\t"
}

# log_first(FILE, RE): the first line of FILE matching RE, or "".
function log_first(file, re,    line, found) {
	found = ""
	while ((getline line < file) > 0) {
		if (line ~ re) {
			found = line
			break
		}
	}
	close(file)
	return found
}

function verdict(name, failed,    file, p, w, h, also) {
	file = logs "/lab_" name ".log"
	p = log_first(file, "^panic: ")
	w = log_first(file, "witness: lock order reversal")
	h = log_first(file, "^lab: timeout after ")
	# a check that failed before the panic, deadlock or hang
	also = (name in first) ? "; before it, FAIL " first[name] : ""
	if (p ~ /lock order reversal|recursive mutex_enter/)
		print driver, mode, name, "DEADLOCK", p also
	else if (p != "")
		print driver, mode, name, "PANIC", p also
	else if (w != "")
		print driver, mode, name, "DEADLOCK", \
		    substr(w, index(w, "witness:")) also
	else if (h != "")
		print driver, mode, name, "HANG", substr(h, 6) also
	else if (failed > 0 && !(name in first))
		print driver, mode, name, "FAIL", ended[name]
	else if (failed > 0)
		print driver, mode, name, "FAIL", first[name]
	else
		print driver, mode, name, "PASS", ""
}

/^FAIL build: / {
	print driver, mode, "-", "BUILD", substr($0, 13)
	unbuilt = 1
	next
}

# "  [lab/NAME] FAIL what": the scenario's first failing check is kept;
# run.sh's own line on how the program ended ("FAIL lab/NAME: ...") apart.
/^  \[lab\/[^]]*\] FAIL / {
	name = substr($1, 6, length($1) - 6)
	what = substr($0, index($0, "] FAIL ") + 7)
	if (index(what, "lab/" name ": ") == 1)
		ended[name] = what
	else if (!(name in first))
		first[name] = what
	next
}

# "lab/NAME: P passed, F failed (Ns)": the scenario is over.
/^lab\/[^ :]*: [0-9]+ passed, [0-9]+ failed/ {
	name = substr($1, 5, length($1) - 5)
	verdict(name, $4 + 0)
	done[name] = 1
}

END {
	n = split(expect, want, " ")
	for (i = 1; i <= n && !unbuilt; i++)
		if (!(want[i] in done))
			print driver, mode, want[i], "NOTRUN",
			    (cut != "" ? cut : "not in tests/run.sh's output")
}
