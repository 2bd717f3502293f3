/*
 * Counting at the device: QEMU's own trace of its PVSCSI model, switched
 * on through QMP for a window and off again, so that what a contender
 * asks of the device (kicks, interrupts, register accesses per request)
 * is counted the same way for every contender: our driver, another
 * driver, Linux's vmw_pvscsi, the raw ring.  Tracing costs time: counting
 * runs are apart from the timed ones.
 *
 * The lab writes QEMU's trace to $LAB_OUT/trace.log (lab/lab --trace);
 * bench/guest.sh switches every pvscsi_* event off before the runs.  A
 * window is a byte range of that file: its size before the events are
 * switched on, and after they are switched off (QEMU writes each trace
 * line as the event happens, line-buffered, and answers a QMP command
 * only once it has been carried out).  bench/devcount.awk counts what is
 * in the range.
 */
#ifndef _DEVCOUNT_H
#define	_DEVCOUNT_H

/*
 * Switch the counted events on (devcount_on) or off (devcount_off): the
 * trace file's size before switching on, or after switching off; -1, with
 * a message on stderr, when the lab gives no trace or QMP fails.
 */
extern long long devcount_on(void);
extern long long devcount_off(void);

#endif /* _DEVCOUNT_H */
