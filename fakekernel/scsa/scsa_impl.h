/*
 * Private to the SCSA framework (fakekernel/scsa/): the per-node state,
 * packets, target maps and logical units its files share.
 *
 *   hba.c	HBA registration, iports, configuration, capabilities
 *   child.c	children an HBA makes itself (tran_bus_config, ndi)
 *   pkt.c	tran_setup_pkt packets, transport, completion
 *   legacy.c	tran_init_pkt packets
 *   tgtmap.c	target maps: reports, settle, the worker thread
 *   lun.c	logical units: probe, discovery, scsi_device
 *   target.c	the target-side API (fk_scsi.h)
 *   buf.c	buf(9S) helpers
 *
 * Locks, in the only order they nest: a target map's tm_lock, then the
 * registry lock (fk_scsa_reg_lock); a unit's l_lock and the completion
 * queue's lock nest under nothing.  No framework lock is held while the
 * framework calls into an HBA driver or a target's callback.
 */
#ifndef _FK_SCSA_IMPL_H
#define	_FK_SCSA_IMPL_H

#include <sys/scsi/scsi.h>
#include <sys/ksynch.h>
#include <fk_impl.h>
#include <fk_scsi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What devi_scsa points to: each structure starts with its kind. */
typedef enum {
	FK_SN_HBA = 0x48424121,		/* "!ABH" */
	FK_SN_IPORT = 0x54524f50,
	FK_SN_LUN = 0x4e554c21
} fk_scsa_kind_t;

typedef struct fk_scsa_hba fk_scsa_hba_t;
typedef struct fk_scsa_iport fk_scsa_iport_t;
typedef struct fk_tgt fk_tgt_t;
typedef struct __scsi_tgtmap fk_tgtmap_t;

/*
 * The packet cache of a tran_setup_pkt HBA: one per scsi_hba_attach_setup
 * call, shared by the iports' copies of the tran.
 */
typedef struct fk_pktcache {
	kmem_cache_t	*pc_cache;
	scsi_hba_tran_t	*pc_tran;	/* the tran it was made for */
	int		pc_flags;	/* hba_flags */
	size_t		pc_hba_off;	/* offsets in the object */
	size_t		pc_cdb_off;
	size_t		pc_priv_off;
	size_t		pc_scb_off;
	size_t		pc_cookie_off;
	uint_t		pc_ncookies;	/* inline cookie slots */
	size_t		pc_size;
} fk_pktcache_t;

/* Framework state of a tran. */
typedef struct fk_scsa_tran {
	fk_pktcache_t	*st_pc;
	scsi_hba_tran_t	*st_owner;	/* the tran this was made for */
} fk_scsa_tran_t;

/*
 * A tran as the framework allocates it (scsi_hba_tran_alloc(9F), or an
 * iport's copy of its HBA's): the driver's scsi_hba_tran_t, then the
 * framework's state, which a copy shares with the tran it was made from
 * (st_owner tells which).
 */
typedef struct fk_tran {
	scsi_hba_tran_t	ft_tran;	/* first */
	fk_scsa_tran_t	*ft_st;		/* NULL until attached */
} fk_tran_t;

#define	FK_TRAN_ST(tran)	(((fk_tran_t *)(void *)(tran))->ft_st)

struct fk_scsa_hba {
	fk_scsa_kind_t	h_kind;
	dev_info_t	*h_dip;
	scsi_hba_tran_t	*h_tran;
	int		h_flags;
	fk_scsa_iport_t	*h_iports;
	fk_scsa_hba_t	*h_next;
};

#define	FK_IPORT_PENDING	0
#define	FK_IPORT_ATTACHED	1
#define	FK_IPORT_FAILED		2

struct fk_scsa_iport {
	fk_scsa_kind_t	ip_kind;
	fk_scsa_hba_t	*ip_hba;
	dev_info_t	*ip_dip;
	char		*ip_name;
	scsi_hba_tran_t	*ip_tran;	/* the framework's copy */
	int		ip_state;
	fk_tgtmap_t	*ip_tgtmap;
	fk_scsa_iport_t	*ip_next;
};

/*
 * A logical unit (or a probe of one): its scsi_device, its node, and the
 * counts that let a departure wait for its packets.  Reference counted:
 * the registry, each packet allocated for it and each hold.
 */
struct fk_lun {
	fk_scsa_kind_t	l_kind;
	struct scsi_device l_sd;
	fk_tgtmap_t	*l_tm;		/* NULL: a child the HBA made */
	fk_tgt_t	*l_tgt;
	scsi_hba_tran_t	*l_tran;
	dev_info_t	*l_iport;
	dev_info_t	*l_hba;
	dev_info_t	*l_dip;		/* NULL once removed */
	uint64_t	l_lun;
	char		l_target[FK_SCSI_ADDRLEN];
	char		l_ua[FK_SCSI_ADDRLEN];
	char		l_nodename[32];
	int		l_probe;
	int		l_inited;	/* tran_tgt_init succeeded */
	int		l_published;	/* in the registry */
	uint32_t	l_refs;		/* atomic */

	kmutex_t	l_lock;
	kcondvar_t	l_cv;
	int		l_gone;
	uint_t		l_opens;	/* fk_scsi_lun_open */
	uint64_t	l_outstanding;	/* packets in transport */
	uint_t		l_depth;	/* fk_scsi_submit queue depth */
	uint_t		l_inflight;
	uint_t		l_cbactive;

	fk_scsi_stats_t	l_stats;	/* atomic */
	uchar_t		l_inq[FK_SCSI_INQLEN];
	int		l_cap_valid;
	uint64_t	l_nblocks;
	uint32_t	l_blksize;

	struct fk_lun	*l_tnext;	/* target's units (worker only) */
	struct fk_lun	*l_gnext;	/* registry */
	struct fk_lun	*l_gprev;
};

/* The unit of a scsi_device: each is the l_sd of an fk_lun_t. */
static inline fk_lun_t *
fk_lun_of_sd(struct scsi_device *sd)
{
	return ((fk_lun_t *)(void *)((char *)sd - offsetof(fk_lun_t, l_sd)));
}

/* Targets of a map. */
#define	FK_TOP_NONE	0
#define	FK_TOP_ACTIVATE	1
#define	FK_TOP_DEACT	2
#define	FK_TOP_RESCAN	3

struct fk_tgt {
	char		*t_addr;
	scsi_tgtmap_tgt_type_t t_type;
	void		*t_priv;
	int		t_reported;	/* in the settled report */
	int		t_inset;	/* in the FULLSET report being built */
	int		t_active;
	int		t_failed;	/* configuration failed */
	int		t_retries;
	hrtime_t	t_retry_at;	/* 0: no retry */
	int		t_rescan;
	int		t_op;		/* FK_TOP_*: worker only */
	fk_lun_t	*t_luns;	/* worker only */
	fk_tgt_t	*t_next;
};

#define	FK_TGTMAP_MAGIC	0x54474d50u

struct __scsi_tgtmap {
	uint32_t	tm_magic;
	dev_info_t	*tm_iport;
	fk_scsa_iport_t	*tm_ip;
	scsi_hba_tran_t	*tm_tran;
	scsi_tgtmap_mode_t tm_mode;
	int		tm_csync_usec;
	int		tm_settle_usec;
	void		*tm_priv;
	scsi_tgt_activate_cb_t tm_act;
	scsi_tgt_deactivate_cb_t tm_deact;

	kmutex_t	tm_lock;
	kcondvar_t	tm_cv;		/* the worker waits here */
	kcondvar_t	tm_idle_cv;	/* fk_scsi_settle waits here */
	fk_tgt_t	*tm_tgts;
	int		tm_inreport;	/* FULLSET: between begin and end */
	int		tm_dirty;	/* reports not yet applied */
	uint64_t	tm_reports;	/* reports received */
	hrtime_t	tm_deadline;	/* apply them from then on */
	int		tm_busy;	/* the worker is applying */
	int		tm_held;	/* unconfiguring: apply nothing */
	int		tm_stop;
	int		tm_running;	/* the worker thread exists */
	fk_tid_t	tm_thread;
	hrtime_t	tm_created;
	fk_tgtmap_t	*tm_next;	/* all maps */
};

/* hba.c */
extern kmutex_t fk_scsa_reg_lock;
extern void fk_scsa_init(void);
extern fk_scsa_hba_t *fk_scsa_hba_of(dev_info_t *);
extern fk_scsa_iport_t *fk_scsa_iport_of(dev_info_t *);
extern fk_lun_t *fk_scsa_lun_of(dev_info_t *);
extern fk_scsa_hba_t *fk_scsa_hbas;
extern fk_tgtmap_t *fk_scsa_tgtmaps;

/* pkt.c */
extern fk_pktcache_t *fk_pktcache_create(dev_info_t *, scsi_hba_tran_t *,
    int);
extern void fk_pktcache_destroy(fk_pktcache_t *);
extern hrtime_t fk_pkt_latency(struct scsi_pkt *);
extern size_t fk_pkt_scblen(struct scsi_pkt *);
extern int fk_scsa_in_comp(void);
extern void fk_compq_start(void);
extern void fk_scsa_run_comp(struct scsi_pkt *, void (*)(struct scsi_pkt *));
extern void fk_pkt_started(fk_lun_t *);
extern void fk_pkt_completed(fk_lun_t *, struct scsi_pkt *);
extern void fk_pkt_refused(fk_lun_t *, int);

/* legacy.c */
extern struct scsi_pkt *fk_legacy_init_pkt(struct scsi_address *,
    struct scsi_pkt *, struct buf *, int, int, int, int, int (*)(caddr_t));
extern void fk_legacy_destroy_pkt(struct scsi_pkt *);
extern hrtime_t fk_legacy_latency(struct scsi_pkt *);
extern size_t fk_legacy_scblen(struct scsi_pkt *);
extern int fk_legacy_transport(struct scsi_pkt *);
extern void fk_legacy_pkt_comp(struct scsi_pkt *);

/* child.c */
extern fk_lun_t *fk_child_lun_of(struct scsi_address *);
extern int fk_child_config(fk_scsa_hba_t *);
extern int fk_child_unconfig(fk_scsa_hba_t *);

/* lun.c */
extern fk_lun_t *fk_lun_alloc(scsi_hba_tran_t *, dev_info_t *, dev_info_t *,
    const char *, uint64_t, const char *, int, const uchar_t *);
extern void fk_lun_free(fk_lun_t *);
extern void fk_lun_depart(fk_lun_t *);
extern int fk_lun_depart_idle(fk_lun_t *);
extern int fk_lun_probe(fk_lun_t *, uchar_t *);
extern void fk_lun_capacity(fk_lun_t *);
extern const char *fk_dtype_nodename(uint_t);
extern fk_lun_t *fk_lun_from_addr(struct scsi_address *);
extern void fk_lun_hold(fk_lun_t *);
extern void fk_lun_rele(fk_lun_t *);
extern int fk_lun_enter(fk_lun_t *);
extern void fk_lun_exit(fk_lun_t *);
extern int fk_tgt_discover(fk_tgtmap_t *, fk_tgt_t *, int);
extern void fk_tgt_remove_luns(fk_tgtmap_t *, fk_tgt_t *);
extern int fk_scsa_cmd_once(fk_lun_t *, fk_scsi_cmd_t *);
extern int fk_scsa_cmd_retry(fk_lun_t *, fk_scsi_cmd_t *, int);
extern void fk_scsa_cmd_result(struct scsi_pkt *, fk_scsi_cmd_t *);

/* tgtmap.c */
extern void fk_tgtmap_lunchg(fk_lun_t *);
extern void fk_tgtmap_hold(fk_tgtmap_t *);
extern void fk_tgtmap_unhold(fk_tgtmap_t *);
extern int fk_tgtmap_sync(fk_tgtmap_t *, hrtime_t);
extern int fk_tgtmap_csync(fk_tgtmap_t *);

/* target.c */
extern void fk_scsa_publish(fk_lun_t *);
extern void fk_scsa_unpublish(fk_lun_t *);

/* Atomic counters. */
#define	FK_ATOMIC_INC(p)	__atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
#define	FK_ATOMIC_DEC(p)	__atomic_sub_fetch((p), 1, __ATOMIC_RELAXED)
#define	FK_ATOMIC_LOAD(p)	__atomic_load_n((p), __ATOMIC_RELAXED)

extern fk_scsi_stats_t fk_scsa_stats;	/* global, atomic */

#ifdef __cplusplus
}
#endif

#endif /* _FK_SCSA_IMPL_H */
