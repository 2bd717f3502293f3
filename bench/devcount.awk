# devcount.awk: what one window of QEMU's trace of its PVSCSI model
# counts (bench/devcount.h switches the events on and off), as a line
#	K who=W mode=M wl=L bs=B qd=Q rep=N reqs=R kicks=K intrs=I regs=G
# for the result line r (an "R ..." line, whose first fields name the
# measurement).
#
#	awk -v r="R who=..." -f bench/devcount.awk WINDOW
#
#	reqs	requests the device completed (pvscsi_complete_request)
#	kicks	writes to KICK_RW_IO and KICK_NON_RW_IO (pvscsi_io_write)
#	intrs	MSIs sent (pvscsi_update_irq_msi: one each time the device
#		re-evaluates its interrupt while it is raised); with the INTx
#		line instead, its rises from low to high
#		(pvscsi_update_irq_level's "interrupt level set to N")
#	regs	register accesses, reads and writes: each one a trap to the
#		device model (pvscsi_io_read, pvscsi_io_write)
#
# A line may start with QEMU's "PID@SECONDS:" (-msg timestamp=on).

{
	sub(/^[0-9]+@[0-9.]+:/, "")
}

$1 == "pvscsi_complete_request" {
	reqs++
}

$1 == "pvscsi_io_write" {
	regs++
	if ($2 ~ /_KICK_(NON_)?RW_IO$/)
		kicks++
}

$1 == "pvscsi_io_read" {
	regs++
}

$1 == "pvscsi_update_irq_msi" {
	msis++
}

$1 == "pvscsi_update_irq_level" && $3 == "level" {
	level = $6 + 0
	if (level && !high)
		rises++
	high = level
}

END {
	n = split(r, f, " ")
	printf "K"
	for (i = 2; i <= n && i <= 7; i++)
		printf " %s", f[i]
	printf " reqs=%d kicks=%d intrs=%d regs=%d\n", reqs, kicks,
	    (msis > 0 ? msis : rises), regs
}
