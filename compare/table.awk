# table.awk: make compare's scenario table, Markdown: a row per black-box
# scenario, a column per driver (in the order met, ours first), each cell
# the verdict with strict DMA and with coherent DMA (one when both are
# the same): PASS; FAIL and the first failing check; PANIC or DEADLOCK
# and the fakekernel's line; HANG (stopped at its timeout); not run (the
# run was stopped before it, and why).
#
#	awk -F '\t' -f compare/table.awk scenarios.txt
#
# scenarios.txt: compare/classify.awk's lines.  A detail longer than
# WIDTH characters (default 90) is cut there (scenarios.txt keeps it); a
# panic's detail that names the check failed before it ("; before it,
# FAIL ...") is cut in two parts of WIDTH each, so that the check is not
# cut away.  A panic's addresses go (they differ in every run).

function cell(d, s, m,    v) {
	if ((d, s, m) in res)
		return res[d, s, m]
	return "not run"
}

# s cut to n characters, the last one an ellipsis.
function cut(s, n) {
	return length(s) > n ? substr(s, 1, n - 1) "…" : s
}

function text(v, det,    at) {
	if (v == "PASS")
		return "PASS"
	if (v == "HANG")
		return "HANG (" det ")"
	if (v == "NOTRUN")
		return "not run (" det ")"
	if (v == "PANIC") {
		sub(/^panic: /, "", det)
		gsub(/ 0x[0-9a-f]+/, "", det)
	}
	at = index(det, "; before it, FAIL ")
	if (at > 0) {
		det = cut(substr(det, 1, at - 1), width) "; " \
		    cut(substr(det, at + 2), width)
	} else {
		det = cut(det, width)
	}
	gsub(/\|/, "\\|", det)
	return v " " det
}

BEGIN {
	if (width == "")
		width = 90
}

{
	d = $1
	if (!(d in seen)) {
		seen[d] = 1
		drivers[++nd] = d
	}
	if (!($2 in seenm)) {
		seenm[$2] = 1
		modes[++nm] = $2
	}
	if ($4 == "BUILD") {
		unbuilt[d] = 1
		next
	}
	if (!($3 in seens)) {
		seens[$3] = 1
		scen[++ns] = $3
	}
	res[d, $3, $2] = text($4, $5)
}

END {
	printf "| scenario |"
	for (i = 1; i <= nd; i++)
		printf " %s |", drivers[i]
	printf "\n|---|"
	for (i = 1; i <= nd; i++)
		printf "---|"
	printf "\n"
	for (s = 1; s <= ns; s++) {
		printf "| %s |", scen[s]
		for (i = 1; i <= nd; i++) {
			d = drivers[i]
			if (d in unbuilt) {
				printf " does not build |"
				continue
			}
			same = 1
			for (j = 2; j <= nm; j++)
				if (cell(d, scen[s], modes[j]) != \
				    cell(d, scen[s], modes[1]))
					same = 0
			if (same) {
				printf " %s |", cell(d, scen[s], modes[1])
				continue
			}
			printf " "
			for (j = 1; j <= nm; j++)
				printf "%s%s: %s", (j > 1 ? "<br>" : ""),
				    modes[j], cell(d, scen[s], modes[j])
			printf " |"
		}
		printf "\n"
	}
}
