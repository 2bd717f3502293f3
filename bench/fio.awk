# fio.awk: the numbers the bench needs from fio's JSON output (one job).
#
#	awk -f bench/fio.awk fio.json
#
# prints "iops=N mbps=N p50=US p99=US errors=N" for the direction that
# did I/O (read or write); the latencies are total (lat_ns percentiles,
# fio's --lat_percentiles=1).  fio prints its JSON one member per line;
# the parser keeps the path of object and array names it is inside.

function path(k,   i, p) {
	p = ""
	for (i = 1; i <= depth; i++)
		p = p stack[i] "/"
	return p k
}

{
	line = $0
	gsub(/^[ \t]+|[ \t,]+$/, "", line)
}

# "name" : { or "name" : [
line ~ /^"[^"]*" : [{[]$/ {
	k = line
	sub(/^"/, "", k)
	sub(/" : .*/, "", k)
	stack[++depth] = k
	next
}
# the top-level object has no name in paths
line == "{" && !top {
	top = 1
	next
}
# an anonymous object or array
line == "{" || line == "[" {
	stack[++depth] = "-"
	next
}
line ~ /^[]}]$/ {
	if (depth > 0)
		depth--
	next
}
# "name" : value
line ~ /^"[^"]*" : / {
	k = line
	sub(/^"/, "", k)
	sub(/" : .*/, "", k)
	v = line
	sub(/^"[^"]*" : /, "", v)
	gsub(/"/, "", v)
	val[path(k)] = v
}

END {
	dir = "read"
	if (val["jobs/-/write/total_ios"] + 0 > val["jobs/-/read/total_ios"] + 0)
		dir = "write"
	p = "jobs/-/" dir "/"
	printf "iops=%.0f mbps=%.1f p50=%.1f p99=%.1f errors=%d\n",
	    val[p "iops"], val[p "bw_bytes"] / 1e6,
	    val[p "lat_ns/percentile/50.000000"] / 1e3,
	    val[p "lat_ns/percentile/99.000000"] / 1e3,
	    val["jobs/-/error"] + 0
}
