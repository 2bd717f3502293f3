/*
 * A loopback SCSI HBA for the SCSA framework's unit tests: a driver
 * ("fkloop") with dev_ops that attaches with SCSI_HBA_HBA,
 * SCSI_HBA_TRAN_CDB, SCSI_HBA_TRAN_SCB and SCSI_HBA_ADDR_COMPLEX,
 * registers iport "iport0", creates a target map in the iport's attach,
 * uses tran_setup_pkt with a packet constructor, and answers INQUIRY,
 * REPORT LUNS, READ CAPACITY (10/16), READ/WRITE/VERIFY (10/16) and TEST
 * UNIT READY from memory, moving data through the packets' DMA cookies.
 * Completions come from its own thread (in interrupt context unless told
 * otherwise) through scsi_hba_pkt_comp.
 *
 * Everything a test needs to steer or observe is in lb_t: the simulated
 * targets and LUNs ("the hardware"), failure injection and counters.
 * Change the hardware under lb_lock (lb_lock/lb_unlock), then report it
 * with lb_report() (as a hotplug event would make a real HBA do).
 *
 * This is a test double for the framework only; it is not a model of any
 * real HBA.
 */
#ifndef _TESTS_UNIT_LIB_LOOPBACK_H
#define	_TESTS_UNIT_LIB_LOOPBACK_H

#include <sys/types.h>
#include <sys/scsi/scsi.h>
#include <pthread.h>

#define	LB_DRIVER	"fkloop"
#define	LB_MAXTGT	8
#define	LB_MAXLUN	16

/* How completions are delivered. */
#define	LB_COMP_INTR	0	/* loopback thread, in interrupt context */
#define	LB_COMP_THREAD	1	/* loopback thread, kernel context */
#define	LB_COMP_INLINE	2	/* inside tran_start, before it returns */

typedef struct lb_lun {
	int		ll_present;
	uchar_t		ll_dtype;
	uint32_t	ll_blksize;
	uint64_t	ll_nblocks;
	uchar_t		*ll_data;		/* ll_nblocks * ll_blksize */
	int		ll_ua;			/* report a unit attention */
	uchar_t		ll_ua_asc, ll_ua_ascq;
	int		ll_fail_tgt_init;	/* tran_tgt_init fails */
	int		ll_busy_status;		/* next N: STATUS_BUSY */
	uint64_t	ll_cmds;		/* commands it received */
} lb_lun_t;

typedef struct lb_tgt {
	int		lt_present;
	int		lt_no_report_luns;	/* REPORT LUNS: ILLEGAL REQ */
	lb_lun_t	lt_luns[LB_MAXLUN];
} lb_tgt_t;

typedef struct lb_config {
	scsi_tgtmap_mode_t lc_mode;
	int		lc_csync_usec;
	int		lc_settle_usec;
	int		lc_sgllen;		/* DMA scatter/gather limit */
	uint64_t	lc_seg;			/* DMA segment boundary - 1 */
	uint_t		lc_max_cdb;		/* longest CDB accepted */
	int		lc_comp;		/* LB_COMP_* */
	int		lc_callbacks;		/* activate/deactivate cbs */
	int		lc_cfgfail_again;	/* deactivate cb's answer */
	int		lc_report_delay_ms;	/* report from a thread */
	int		lc_ntgt;		/* initial hardware */
	int		lc_nlun;
	uint64_t	lc_nblocks;
} lb_config_t;

/* A callback the target map made. */
typedef struct lb_event {
	char		le_what;	/* 'A' activate, 'D' deactivate */
	char		le_addr[32];
	int		le_reason;	/* deactivate reason */
	hrtime_t	le_when;
} lb_event_t;

#define	LB_MAXEVENTS	256

typedef struct lb {
	dev_info_t	*lb_dip;
	dev_info_t	*lb_iport;
	scsi_hba_tran_t	*lb_tran;
	scsi_hba_tgtmap_t *lb_tgtmap;
	lb_config_t	lb_cfg;
	ddi_dma_attr_t	lb_dma_attr;
	pthread_mutex_t	lb_mtx;		/* hardware, queue, counters */
	pthread_cond_t	lb_cv;

	lb_tgt_t	lb_tgts[LB_MAXTGT];

	/* failure injection (under lb_mtx) */
	int		lb_busy_next;		/* next N tran_start: BUSY */
	int		lb_hold;		/* keep completions queued */
	int		lb_double_comp;		/* complete one twice */
	int		lb_comp_delay_us;	/* before each completion */

	/* the completion queue */
	struct scsi_pkt	**lb_q;
	int		lb_qlen, lb_qcap;
	int		lb_stop;
	fk_tid_t	lb_thread;
	int		lb_thread_running;

	/* counters (atomic) */
	int		lb_tgt_init, lb_tgt_free, lb_tgt_live;
	int		lb_tgt_init_probe;	/* on "probe" nodes */
	int		lb_ctor, lb_dtor, lb_setup, lb_teardown;
	int		lb_starts, lb_busy_returned, lb_comps;
	int		lb_polled;
	int		lb_max_cookies;
	int		lb_bad_cookies;		/* sum != dma len, > sgllen */
	int		lb_not_setup;		/* started, not set up */
	int		lb_freed_busy;		/* tgt_free with queued pkts */
	int		lb_comp_intr;		/* completions in intr ctx */
	int		lb_iport_attach, lb_iport_detach;
	int		lb_detach_fail;		/* HBA detach refuses */

	lb_event_t	lb_events[LB_MAXEVENTS];
	int		lb_nevents;
} lb_t;

/* Install the driver (once per process). */
extern int lb_install(void);

/* A default configuration: PERADDR, 2 targets x 1 LUN, 2048 blocks. */
extern void lb_config_default(lb_config_t *);

/*
 * Create an HBA node, attach it (the driver registers iport0, which
 * creates the target map and reports the initial hardware) and bring its
 * iport up with fk_scsa_config().  NULL on failure.
 */
extern lb_t *lb_create(const lb_config_t *);

/* fk_scsa_unconfig, detach and free the node; the lb_t stays (free it). */
extern int lb_destroy(lb_t *);

extern void lb_lock(lb_t *);
extern void lb_unlock(lb_t *);

/* Hardware changes (take the lock themselves). */
extern void lb_lun_set(lb_t *, int, int, int, uint64_t);
extern void lb_tgt_set(lb_t *, int, int);

/*
 * Tell the target map what the hardware holds: PERADDR adds or removes
 * target t (t < 0: every target); FULLSET reports the whole set.
 * From the calling thread (never interrupt context).
 */
extern int lb_report(lb_t *, int);

/* Let held completions go. */
extern void lb_release(lb_t *);

/* Completions waiting in the queue. */
extern int lb_queued(lb_t *);

/* Events recorded by the target map callbacks. */
extern int lb_count_events(lb_t *, char, const char *, int);

#endif /* _TESTS_UNIT_LIB_LOOPBACK_H */
