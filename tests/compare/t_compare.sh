#!/bin/sh
# Tests of make compare's judgement (compare/classify.awk,
# compare/verdict.awk, compare/table.awk) and of the counts at the device
# (bench/devcount.awk, read by bench/results.awk and compare/bench.awk),
# on synthetic run outputs, logs and traces written here: each kind of
# scenario verdict from what tests/run.sh and the lab leave, CI's rule
# (our driver's failures and a driver that does not build fail make
# compare; a peer's failures do not), and kicks, interrupts and register
# accesses per request.  Speaks the protocol of tests/check.h.
#
#   sh tests/compare/t_compare.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/check.sh
. "$top/tests/check.sh"

# classify D M OUT LOGS: compare/classify.awk over a run's output.
classify() {
	awk -v driver="$1" -v mode="$2" -v logs="$4" \
	    -f "$top/compare/classify.awk" "$3"
}

# verdict BENCH FILE: compare/verdict.awk's last line and exit status.
verdict() {
	awk -F '\t' -v modes="strict coherent" -v bench_ours="$1" \
	    -f "$top/compare/verdict.awk" "$2" >"$tmp/verdict.out"
	echo "$(tail -n 1 "$tmp/verdict.out") $?"
}

# --- classify: one verdict per scenario ----------------------------------

mkdir -p "$tmp/logs"
cat >"$tmp/run.out" <<-'EOT'
	  [lab/attach] PASS load
	  [lab/attach] PASS attach
	lab/attach: 2 passed, 0 failed (5s)
	  [lab/io-msi] PASS load
	  [lab/io-msi] FAIL discover-0,0: expected LUN 0,0, found none
	  [lab/io-msi] FAIL write-0,0: expected 0, saw -1
	  [lab/io-msi] log: /x/lab_io-msi.log
	lab/io-msi: 1 passed, 2 failed (44s)
	  [lab/cycles] PASS load
	  [lab/cycles] FAIL hot-add: expected 3 units, saw 2
	  [lab/cycles] FAIL lab/cycles: exited 134 with no FAIL line (log: /x)
	lab/cycles: 1 passed, 2 failed (4s)
	  [lab/recover-msi] PASS load
	  [lab/recover-msi] PASS resets
	lab/recover-msi: 2 passed, 0 failed (30s)
	  [lab/recover-intx] PASS load
	  [lab/recover-intx] FAIL lab/recover-intx: exited 134 with no FAIL line (log: /x)
	lab/recover-intx: 1 passed, 1 failed (9s)
	  [lab/timeout] PASS load
	  [lab/timeout] FAIL lab/timeout: HANG: timeout after 90 s (log: /x)
	lab/timeout: 1 passed, 1 failed (90s)
EOT
printf 'PASS load\n\npanic: list_remove of an unlinked node\nthread: "intr"\n' \
    >"$tmp/logs/lab_cycles.log"
printf 'PASS load\nWARNING: witness: lock order reversal: a cycle of 2 %s\nPASS resets\n' \
    'lock classes' >"$tmp/logs/lab_recover-msi.log"
printf 'PASS load\n\npanic: mutex_enter: recursive mutex_enter: thread "t"\n' \
    >"$tmp/logs/lab_recover-intx.log"
printf 'PASS load\nlab: timeout after 90 s\n' >"$tmp/logs/lab_timeout.log"
classify peer strict "$tmp/run.out" "$tmp/logs" >"$tmp/sc"
field() { awk -F '\t' -v s="$1" -v f="$2" '$3 == s { print $f }' "$tmp/sc"; }
check classify-count 6 "$(wc -l <"$tmp/sc" | tr -d ' ')"
check classify-pass "PASS" "$(field attach 4)"
check classify-fail "FAIL discover-0,0: expected LUN 0,0, found none" \
    "$(field io-msi 4) $(field io-msi 5)"
check classify-panic "PANIC panic: list_remove of an unlinked node; before it, FAIL hot-add: expected 3 units, saw 2" \
    "$(field cycles 4) $(field cycles 5)"
check classify-witness \
    "DEADLOCK witness: lock order reversal: a cycle of 2 lock classes" \
    "$(field recover-msi 4) $(field recover-msi 5)"
check classify-recursive "DEADLOCK" "$(field recover-intx 4)"
check classify-hang "HANG timeout after 90 s" \
    "$(field timeout 4) $(field timeout 5)"
echo 'FAIL build: /p/old does not build (log: build/drivers/old/build.log)' |
    classify old strict /dev/stdin "$tmp/logs" >"$tmp/build"
check classify-build "old strict - BUILD /p/old does not build" \
    "$(cut -f 1-5 "$tmp/build" | sed 's/	/ /g; s/ (log:.*//')"

# A run stopped before some scenarios: each expected one it did not reach
# is "not run", with the reason.
awk -v driver=peer -v mode=coherent -v logs="$tmp/logs" \
    -v expect="attach io-msi hotplug-cycles poll" -v cut="time spent" \
    -f "$top/compare/classify.awk" "$tmp/run.out" >"$tmp/cut"
check classify-notrun "peer coherent hotplug-cycles NOTRUN time spent|peer coherent poll NOTRUN time spent" \
    "$(grep NOTRUN "$tmp/cut" | tr '\t' ' ' | paste -sd '|' -)"
check classify-notrun-count 8 "$(wc -l <"$tmp/cut" | tr -d ' ')"

# --- verdict: CI's rule --------------------------------------------------

# scen D M VERDICT...: one scenario line per verdict given.
scen() {
	d=$1 m=$2
	shift 2
	i=0
	for sv; do
		i=$((i + 1))
		printf '%s\t%s\ts%d\t%s\t%s\n' "$d" "$m" "$i" "$sv" \
		    "$( [ "$sv" = PASS ] || echo detail)"
	done
}
{
	scen ours strict PASS PASS PASS
	scen ours coherent PASS PASS PASS
	scen peer strict FAIL PANIC HANG
	scen peer coherent DEADLOCK PANIC FAIL
} >"$tmp/ok"
check verdict-peer-findings "verdict: pass 0" "$(verdict 1 "$tmp/ok")"
check verdict-counts "peer: 0 of 3 pass with strict DMA (FAIL 1, PANIC 1, HANG 1); 0 of 3 pass with coherent DMA (FAIL 1, PANIC 1, DEADLOCK 1)" \
    "$(grep '^peer: ' "$tmp/verdict.out")"
for v in FAIL PANIC DEADLOCK HANG; do
	{
		scen ours strict PASS PASS PASS
		scen ours coherent PASS "$v" PASS
	} >"$tmp/bad"
	check "verdict-ours-$v" "verdict: FAIL 1" "$(verdict 1 "$tmp/bad")"
done
check verdict-ours-reason "failure: our driver: s2 (coherent DMA): HANG: detail" \
    "$(grep '^failure: ' "$tmp/verdict.out")"
{
	scen ours strict PASS PASS PASS
	scen peer strict FAIL FAIL FAIL
	scen peer coherent FAIL FAIL FAIL
} >"$tmp/nomode"
check verdict-ours-no-mode "verdict: FAIL 1" "$(verdict 1 "$tmp/nomode")"
{
	scen ours strict PASS PASS PASS
	scen ours coherent PASS PASS NOTRUN
} >"$tmp/oursnotrun"
check verdict-ours-notrun "verdict: FAIL 1" "$(verdict 1 "$tmp/oursnotrun")"
{
	cat "$tmp/ok"
	scen late strict PASS NOTRUN NOTRUN
	scen late coherent NOTRUN NOTRUN NOTRUN
} >"$tmp/peernotrun"
check verdict-peer-notrun "verdict: pass 0" "$(verdict 1 "$tmp/peernotrun")"
check verdict-notrun-counts "late: 1 of 3 pass with strict DMA (not run 2); 0 of 3 pass with coherent DMA (not run 3)" \
    "$(grep '^late: ' "$tmp/verdict.out")"
{
	cat "$tmp/ok"
	printf 'old\tstrict\t-\tBUILD\tit does not build\n'
	printf 'old\tcoherent\t-\tBUILD\tit does not build\n'
} >"$tmp/unbuilt"
check verdict-peer-unbuilt "verdict: FAIL 1" "$(verdict 1 "$tmp/unbuilt")"
check verdict-ours-no-bench "verdict: FAIL 1" "$(verdict 0 "$tmp/ok")"
check verdict-empty "verdict: FAIL 1" "$(verdict 1 /dev/null)"

# --- table ------------------------------------------------------------------

awk -F '\t' -f "$top/compare/table.awk" "$tmp/unbuilt" >"$tmp/table"
check table-rows 5 "$(wc -l <"$tmp/table" | tr -d ' ')"
check table-row "| s1 | PASS | strict: FAIL detail<br>coherent: DEADLOCK detail | does not build |" \
    "$(sed -n 3p "$tmp/table")"
check table-same "| s2 | PASS | PANIC detail | does not build |" \
    "$(sed -n 4p "$tmp/table")"
long="panic: ddi_dma_free_handle: handle 0x7f9c1580f7c0 is still bound (ddi_dma_unbind_handle first)"
printf 'old\tcoherent\ts3\tPANIC\t%s; before it, FAIL sat: no warning: saw 948\n' \
    "$long" | awk -F '\t' -v width=40 -f "$top/compare/table.awk" >"$tmp/table"
check table-panic-before "| s3 | PANIC ddi_dma_free_handle: handle is still bo…; before it, FAIL sat: no warning: saw 948 |" \
    "$(sed -n 3p "$tmp/table")"

# --- counting at the device -------------------------------------------------

r="R who=ours mode=intr wl=randread bs=4096 qd=32 rep=1 secs=1 trace=0-1"
# MSI: each MSI sent counts; kicks are writes to either kick register.
cat >"$tmp/msi" <<-'EOT'
	pvscsi_io_write PVSCSI_REG_OFFSET_KICK_RW_IO write: 0x0
	pvscsi_io_write PVSCSI_REG_OFFSET_KICK_NON_RW_IO write: 0x0
	pvscsi_complete_request completion: ctx: 0x1, len: 0x1000, sense key: 0
	pvscsi_complete_request completion: ctx: 0x2, len: 0x1000, sense key: 0
	pvscsi_update_irq_level interrupt level set to 1 (MASK: 0x3, STATUS: 0x1)
	pvscsi_update_irq_msi sending MSI notification
	123@1700000000.000001:pvscsi_update_irq_msi sending MSI notification
	pvscsi_io_write PVSCSI_REG_OFFSET_INTR_MASK write: 0x3
EOT
check devcount-msi "K who=ours mode=intr wl=randread bs=4096 qd=32 rep=1 reqs=2 kicks=2 intrs=2 regs=3" \
    "$(awk -v r="$r" -f "$top/bench/devcount.awk" "$tmp/msi")"
# INTx: the line's rises from low to high count.
cat >"$tmp/intx" <<-'EOT'
	pvscsi_complete_request completion: ctx: 0x1, len: 0x1000, sense key: 0
	pvscsi_update_irq_level interrupt level set to 1 (MASK: 0x3, STATUS: 0x1)
	pvscsi_update_irq_level interrupt level set to 1 (MASK: 0x3, STATUS: 0x1)
	pvscsi_io_read PVSCSI_REG_OFFSET_INTR_STATUS read: 0x1
	pvscsi_io_write PVSCSI_REG_OFFSET_INTR_STATUS write: 0x1
	pvscsi_update_irq_level interrupt level set to 0 (MASK: 0x3, STATUS: 0x0)
	pvscsi_update_irq_level interrupt level set to 1 (MASK: 0x3, STATUS: 0x1)
EOT
check devcount-intx "reqs=1 kicks=0 intrs=2 regs=2" \
    "$(awk -v r="$r" -f "$top/bench/devcount.awk" "$tmp/intx" |
    sed 's/.* reqs=/reqs=/')"

# Per request, in the bench's tables, with ours / it.
cat >"$tmp/raw" <<-'EOT'
	I default_sched=mq-deadline
	R who=ours mode=intr wl=randread bs=4096 qd=32 rep=1 secs=2 ios=100000 errors=0 iops=50000 mbps=200 p50=600 p99=900 kicks=0.03 intrs=0.03 cpu=12.00
	R who=ours mode=intr wl=randread bs=4096 qd=32 rep=1 secs=1 ios=50 errors=0 iops=50 mbps=1 p50=1 p99=1 kicks=1 intrs=1 cpu=1 trace=10-20
	R who=old mode=intr wl=randread bs=4096 qd=32 rep=1 secs=2 ios=20000 errors=0 iops=10000 mbps=40 p50=3000 p99=5000 kicks=1.00 intrs=0.50 cpu=48.00
	K who=ours mode=intr wl=randread bs=4096 qd=32 rep=1 reqs=1000 kicks=30 intrs=31 regs=61
	K who=old mode=intr wl=randread bs=4096 qd=32 rep=1 reqs=1000 kicks=1000 intrs=500 regs=2500
EOT
awk -v drivers="ours old" -f "$top/bench/results.awk" \
    -f "$top/compare/bench.awk" "$tmp/raw" >"$tmp/btable"
check bench-ours "| 4 KiB randread | 32 | ours | 50,000 | 600 | 900 | 12.0 | 0.03 | 0.03 | 0.06 |  |  |" \
    "$(sed -n 3p "$tmp/btable")"
check bench-peer "| 4 KiB randread | 32 | old | 10,000 | 3000 | 5000 | 48.0 | 1.00 | 0.50 | 2.50 | 5.00 | 0.25 |" \
    "$(sed -n 4p "$tmp/btable")"
check bench-headline "bench, 4 KiB random read at QD32, IOPS ours / it: old 5.00" \
    "$(awk -v drivers="ours old" -v headline=1 -f "$top/bench/results.awk" \
    -f "$top/compare/bench.awk" "$tmp/raw")"

# What failed in the bench, per driver: the first message of a failure.
cat >>"$tmp/raw" <<-'EOT'
	# round 1/1, test 1/2: randread:4k:32
	iogen: no LUN 0,0
	# old: randread:4k:32:intr failed (status 3)
	# old: randread:4k:128:intr not run (the driver failed before)
	panic: a still bound handle
	# gone: randread:4k:32:intr failed after its result (status 134)
	# gone: randread:4k:128:intr failed (status 134)
EOT
check bench-failures "old: 1 run(s) failed, 1 not run after that; first: iogen: no LUN 0,0|gone: 1 run(s) failed, 1 failed after their result (kept); first: panic: a still bound handle" \
    "$(awk -v failures=1 -f "$top/bench/results.awk" \
    -f "$top/compare/bench.awk" "$tmp/raw" | paste -sd '|' -)"

exit "$failed"
