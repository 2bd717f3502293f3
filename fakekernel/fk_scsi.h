/*
 * The target side of the fakekernel's SCSA framework, for lab programs
 * (tests, demo, bench): what sd(4D) would see.  Find the HBAs, iports,
 * targets and logical units the framework discovered, watch them come
 * and go, and send them commands: block reads, writes and verifies with
 * sd-like retries, raw CDBs, and asynchronous submissions with a bounded
 * queue depth for load generators.  Every packet is counted, so a test
 * can prove that each one completed exactly once (the framework itself
 * panics when an HBA completes a packet twice).
 *
 * Drivers never include this.  HBA drivers use <sys/scsi/scsi.h>.
 *
 * Data buffers handed to these functions must be DMA-able, as in a
 * kernel: memory from kmem_alloc(9F) (fk_scsi_buf_alloc() is a
 * shorthand).  The framework binds them with the HBA's DMA attributes.
 */
#ifndef _FK_SCSI_H
#define	_FK_SCSI_H

#include <sys/types.h>
#include <sys/dditypes.h>
#include <sys/scsi/scsi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_device;

/*
 * Bringing up HBAs.  A driver's attach(9E) registers its iports
 * (scsi_hba_iport_register(9F)); illumos attaches them when the HBA's
 * attach returns.  The fakekernel does the same: fk_devi_attach() calls
 * the post-attach hook (fk_impl.h), which attaches the HBA's iports.
 * fk_scsa_config() attaches any iport still pending and then waits for
 * the initial enumeration of each iport's target map: until the HBA has
 * reported and the reports are applied (units discovered), at most until
 * csync_usec after the map was created.  fk_scsa_config_all() does it
 * for every HBA (call it after fk_pci_attach_all()).  An HBA without
 * iports that makes its children itself has its tran_bus_config(9E)
 * called with BUS_CONFIG_ALL instead, as at boot.  Returns DDI_SUCCESS
 * when every iport attached (or the bus configuration succeeded).
 *
 * fk_scsa_unconfig() takes an HBA's children down as illumos's bus
 * unconfiguration does: children the HBA made itself offline and
 * removed (ndi_devi_offline(NDI_DEVI_REMOVE)); each iport's logical
 * units (tran_tgt_free, node removal), then the iport's detach(9E)
 * (where the driver destroys its target map), then the iport node.  Call
 * it before detaching the HBA itself.  It fails when a child's unit is
 * busy (fk_scsi_lun_open below).
 */
extern int fk_scsa_config(dev_info_t *);
extern int fk_scsa_config_all(void);
extern int fk_scsa_unconfig(dev_info_t *);

/*
 * How scsi_hba_pkt_comp(9F) delivers pkt_comp: the man page lets the
 * callback run later on another thread.
 *   FK_SCSI_COMP_DIRECT	always in the caller's context
 *   FK_SCSI_COMP_INTR	deferred to a framework thread when called in
 *			interrupt context, direct otherwise (default)
 *   FK_SCSI_COMP_ALWAYS	always deferred
 *   FK_SCSI_COMP_MIXED	every other completion deferred
 * FK_SCSI_COMP=direct|intr|always|mixed in the environment sets it too.
 */
#define	FK_SCSI_COMP_DIRECT	0
#define	FK_SCSI_COMP_INTR	1
#define	FK_SCSI_COMP_ALWAYS	2
#define	FK_SCSI_COMP_MIXED	3

extern int fk_scsi_comp_mode(int);	/* sets; returns the old mode */

/*
 * Enumeration.  Each function fills at most max entries and returns how
 * many there are in all.
 */
#define	FK_SCSI_ADDRLEN		64	/* target address, unit address */

extern int fk_scsi_hbas(dev_info_t **, int);
extern int fk_scsi_iports(dev_info_t *, dev_info_t **, int);
extern int fk_scsi_targets(dev_info_t *, char (*)[FK_SCSI_ADDRLEN], int);

/* DDI_SUCCESS when addr is an active (configured) target of the map. */
extern int fk_scsi_tgtmap_lookup(scsi_hba_tgtmap_t *, char *);

/*
 * Logical units.  An fk_lun_t stays valid while held, even after the
 * unit departs (operations on it then fail with ENXIO).  fk_scsi_luns()
 * returns held units (release each): every unit when iport is NULL,
 * or an iport's, or (with target) one target's.  The units of an HBA
 * without iports, which makes its children itself (tran_bus_config),
 * are the HBA node's: pass that node as the iport.  fk_scsi_lun_find()
 * looks one up by unit address ("target,lun" with the lun in hex), held,
 * or NULL.
 */
typedef struct fk_lun fk_lun_t;

extern int fk_scsi_luns(dev_info_t *, const char *, fk_lun_t **, int);
extern fk_lun_t *fk_scsi_lun_find(dev_info_t *, const char *);
extern void fk_scsi_lun_hold(fk_lun_t *);
extern void fk_scsi_lun_rele(fk_lun_t *);

#define	FK_SCSI_INQLEN		132	/* sizeof (struct scsi_inquiry) */

typedef struct fk_lun_info {
	dev_info_t	*li_hba;
	dev_info_t	*li_iport;
	dev_info_t	*li_dip;		/* NULL once gone */
	struct scsi_device *li_sd;		/* NULL once gone */
	char		li_iport_ua[FK_SCSI_ADDRLEN];
	char		li_target[FK_SCSI_ADDRLEN];
	char		li_ua[FK_SCSI_ADDRLEN];	/* "target,lun" */
	char		li_nodename[32];	/* "disk", "tape", ... */
	uint64_t	li_lun;
	int		li_gone;
	uchar_t		li_dtype;		/* peripheral device type */
	uchar_t		li_inq[FK_SCSI_INQLEN];	/* standard INQUIRY data */
	char		li_vid[9];		/* trimmed, NUL-terminated */
	char		li_pid[17];
	char		li_rev[5];
	int		li_cap_valid;		/* READ CAPACITY succeeded */
	uint64_t	li_nblocks;
	uint32_t	li_blksize;
} fk_lun_info_t;

extern int fk_scsi_lun_info(fk_lun_t *, fk_lun_info_t *);
extern struct scsi_device *fk_scsi_lun_device(fk_lun_t *);
extern int fk_scsi_lun_gone(fk_lun_t *);

/*
 * Opening a unit, as sd's open(9E) does for a file system or a pool on
 * the disk: fk_scsi_lun_open() counts an open (0, or ENXIO once the unit
 * is gone), fk_scsi_lun_close() ends one.  A unit that is open, or that
 * has commands in transport or queued by the target side, is busy: like
 * sd's detach(9E), which refuses then, it makes ndi_devi_offline(9F) of
 * its node fail with NDI_BUSY (the children an HBA makes itself).  A
 * unit of a target map departs when its target leaves the map, open or
 * not: illumos's framework then marks the node removed (I/O to it fails
 * with ENXIO) and removes it once closed; here it is removed at once.
 */
extern int fk_scsi_lun_open(fk_lun_t *);
extern void fk_scsi_lun_close(fk_lun_t *);

/*
 * Arrivals and departures.  The event counter grows by one for each
 * logical unit that arrives or departs; fk_scsi_wait_event() waits until
 * it exceeds the given value (0, or ETIMEDOUT after timeout_ns).
 * fk_scsi_watch() calls cb(arg, lun, FK_SCSI_EV_*) on each event, from a
 * framework thread with no lock held; the lun is held for the call only.
 * fk_scsi_settle() waits until every target map (or iport's) has applied
 * its reports and finished discovery (0, or ETIMEDOUT).
 */
#define	FK_SCSI_EV_ARRIVE	1
#define	FK_SCSI_EV_DEPART	2

typedef void (*fk_scsi_watch_cb_t)(void *, fk_lun_t *, int);

extern uint64_t fk_scsi_events(void);
extern int fk_scsi_wait_event(uint64_t, hrtime_t);
extern void *fk_scsi_watch(fk_scsi_watch_cb_t, void *);
extern void fk_scsi_unwatch(void *);
extern int fk_scsi_settle(dev_info_t *, hrtime_t);

/*
 * Commands.  A command's outcome: the scsi_transport(9F) result, the
 * packet's reason, state, statistics and residue, the SCSI status and
 * any auto-request-sense data.
 */
#define	FK_SCSI_SENSELEN	252	/* MAX_SENSE_LENGTH */

typedef struct fk_scsi_status {
	int		ss_tran;	/* last scsi_transport() result */
	uchar_t		ss_status;	/* SCSI status byte */
	uchar_t		ss_reason;	/* pkt_reason */
	uint_t		ss_state;	/* pkt_state */
	uint_t		ss_statistics;	/* pkt_statistics */
	ssize_t		ss_resid;
	uint_t		ss_senselen;	/* valid bytes in ss_sense */
	uchar_t		ss_key, ss_asc, ss_ascq;
	uchar_t		ss_sense[FK_SCSI_SENSELEN];
	uint_t		ss_retries;	/* attempts beyond the first */
	hrtime_t	ss_latency;	/* transport to completion, ns */
} fk_scsi_status_t;

#define	FK_SCSI_DIR_NONE	0
#define	FK_SCSI_DIR_READ	1	/* device to memory */
#define	FK_SCSI_DIR_WRITE	2	/* memory to device */

typedef struct fk_scsi_cmd fk_scsi_cmd_t;
typedef void (*fk_scsi_done_t)(fk_scsi_cmd_t *, void *);

struct fk_scsi_cmd {
	uchar_t		sc_cdb[32];
	uint_t		sc_cdblen;
	void		*sc_buf;	/* DMA-able (kmem_alloc) */
	size_t		sc_buflen;
	int		sc_dir;		/* FK_SCSI_DIR_* */
	int		sc_timeout;	/* pkt_time, seconds; 0: 60 */
	uint_t		sc_flags;	/* pkt_flags: FLAG_NOINTR, tags */
	fk_scsi_done_t	sc_done;	/* fk_scsi_submit() */
	void		*sc_arg;
	fk_scsi_status_t sc_res;	/* outcome */
	int		sc_error;	/* fk_scsi_submit(): 0 or errno */
};

/*
 * fk_scsi_cmd() runs one command once, synchronously: 0 when it
 * completed with CMD_CMPLT and GOOD status, EIO when it completed
 * otherwise (see sc_res), EAGAIN when the HBA stayed busy, ENXIO when the
 * unit is gone, ENOMEM or EINVAL (bad arguments, TRAN_BADPKT) or EFAULT
 * (the buffer could not be bound).
 *
 * fk_scsi_read/write/verify() move nblks blocks at lba with READ,
 * WRITE or VERIFY (10 or 16 byte CDBs as the range needs), retrying
 * unit attentions, BUSY and transport errors a bounded number of times,
 * as sd does.  Verify with a buffer compares (BYTCHK); without, it
 * checks the medium only.  st (may be NULL) receives the last attempt's
 * outcome.
 */
extern int fk_scsi_cmd(fk_lun_t *, fk_scsi_cmd_t *);
extern int fk_scsi_read(fk_lun_t *, uint64_t, uint32_t, void *,
    fk_scsi_status_t *);
extern int fk_scsi_write(fk_lun_t *, uint64_t, uint32_t, const void *,
    fk_scsi_status_t *);
extern int fk_scsi_verify(fk_lun_t *, uint64_t, uint32_t, const void *,
    fk_scsi_status_t *);
extern int fk_scsi_tur(fk_lun_t *, fk_scsi_status_t *);

/*
 * Asynchronous commands.  fk_scsi_submit() starts cmd and returns once
 * it is in the HBA's hands (0), waiting first for a free slot when the
 * unit already has its queue depth of commands outstanding; cmd->sc_done
 * (cmd, sc_arg) runs when it completes, with sc_res and sc_error filled
 * in, in whatever context pkt_comp runs (see fk_scsi_comp_mode).  A
 * submission from a completion callback does not wait: it fails with
 * EWOULDBLOCK when no slot is free.  There are no retries.
 * fk_scsi_drain() waits until no submission of the unit is outstanding
 * and no callback is running (0, or ETIMEDOUT).
 */
extern int fk_scsi_submit(fk_lun_t *, fk_scsi_cmd_t *);
extern int fk_scsi_drain(fk_lun_t *, hrtime_t);
extern uint_t fk_scsi_set_depth(fk_lun_t *, uint_t);	/* returns old */

/* Helpers to build the common CDBs into a command. */
extern void fk_scsi_cdb_rw(fk_scsi_cmd_t *, int, uint64_t, uint32_t,
    uint32_t);

/*
 * Packet accounting, per unit and for the whole framework: packets
 * accepted by tran_start, completed (by scsi_hba_pkt_comp, or polled),
 * and in between; TRAN_BUSY answers; retries of the sd-like paths.
 */
typedef struct fk_scsi_stats {
	uint64_t	st_started;
	uint64_t	st_completed;
	uint64_t	st_outstanding;
	uint64_t	st_busy;
	uint64_t	st_retries;
	uint64_t	st_errors;	/* completions other than GOOD */
} fk_scsi_stats_t;

extern void fk_scsi_lun_stats(fk_lun_t *, fk_scsi_stats_t *);
extern void fk_scsi_stats(fk_scsi_stats_t *);

/* DMA-able buffers for commands (kmem_zalloc/kmem_free). */
extern void *fk_scsi_buf_alloc(size_t);
extern void fk_scsi_buf_free(void *, size_t);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SCSI_H */
