# verdict.awk: make compare's verdict, and so CI's.  make compare fails
# when
#	- our driver ("ours") does not pass every black-box scenario, with
#	  strict DMA and with coherent DMA (FAIL, PANIC, DEADLOCK, HANG,
#	  NOTRUN), or ran none in one of the modes, or does not build;
#	- our driver gave no bench result (bench_ours=0);
#	- another driver (a peer) does not build.
# What a peer's scenarios find (FAIL, PANIC, DEADLOCK, HANG), the
# scenarios a peer's run did not reach in its time (NOTRUN), and a peer
# without a bench result, are findings: reported, never a failure.
#
#	awk -F '\t' -v modes="strict coherent" -v bench_ours=0|1 \
#	    -f compare/verdict.awk scenarios.txt
#
# scenarios.txt: compare/classify.awk's lines.  Prints, per driver in
# the order met, one line of counts per mode, then the reasons for a
# failure, then "verdict: pass" (exit 0) or "verdict: FAIL" (exit 1).

{
	d = $1
	if (!(d in seen)) {
		seen[d] = 1
		drivers[++nd] = d
	}
	if ($4 == "BUILD") {
		unbuilt[d] = $5
		next
	}
	total[d, $2]++
	kinds[d, $2, $4]++
	if (d == "ours" && $4 != "PASS")
		fail("our driver: " $3 " (" $2 " DMA): " $4 \
		    ($5 != "" ? ": " $5 : ""))
}

function fail(why) {
	reasons[++nr] = why
}

# counts(D, M): "P of N pass with M DMA (FAIL f, PANIC p, ...)"
function counts(d, m,    s, i, k, ks) {
	s = (kinds[d, m, "PASS"] + 0) " of " (total[d, m] + 0) " pass with " \
	    m " DMA"
	split("FAIL PANIC DEADLOCK HANG NOTRUN", ks, " ")
	k = ""
	for (i = 1; i <= 5; i++)
		if (kinds[d, m, ks[i]] > 0)
			k = k (k == "" ? "" : ", ") \
			    (ks[i] == "NOTRUN" ? "not run" : ks[i]) " " \
			    kinds[d, m, ks[i]]
	return s (k == "" ? "" : " (" k ")")
}

END {
	nm = split(modes, mode, " ")
	if (!("ours" in seen))
		fail("our driver: no result")
	for (i = 1; i <= nd; i++) {
		d = drivers[i]
		if (d in unbuilt) {
			printf "%s: does not build: %s\n", d, unbuilt[d]
			fail((d == "ours" ? "our driver" : "peer " d) \
			    " does not build")
			continue
		}
		line = ""
		for (j = 1; j <= nm; j++) {
			line = line (j > 1 ? "; " : "") counts(d, mode[j])
			if (d == "ours" && total[d, mode[j]] == 0)
				fail("our driver ran no black-box scenario " \
				    "with " mode[j] " DMA")
		}
		printf "%s: %s\n", d, line
	}
	if (bench_ours != 1)
		fail("our driver gave no bench result")
	for (i = 1; i <= nr; i++)
		printf "failure: %s\n", reasons[i]
	print (nr == 0 ? "verdict: pass" : "verdict: FAIL")
	exit (nr == 0 ? 0 : 1)
}
