/*
 * The fakekernel's own interface for lab programs (tests, demo, bench):
 * start and stop it, load a driver, read its log and counters, and choose
 * its strictness.  Drivers never include this.
 */
#ifndef _FK_H
#define	_FK_H

#include <sys/types.h>
#include <sys/modctl.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Options, from the environment unless set before fk_init():
 *   FK_PLATFORM	"vfio" (the lab guest) or "none" (host unit tests)
 *   FK_STRICT_DMA	1: CPU and device views of DMA memory are separate
 *   FK_INTR		"any" (default), "msi", "fixed": interrupt types
 *			offered to drivers
 *   FK_QUIET		1: do not echo console messages to stderr
 */
typedef struct fk_options {
	const char	*fo_platform;
	int		fo_strict_dma;
	const char	*fo_intr;
	int		fo_quiet;
} fk_options_t;

extern int fk_init(const fk_options_t *);
extern void fk_fini(void);

/* Load and unload a driver whose _init/_fini/_info were renamed. */
extern int fk_mod_load(const char *, int (*)(void), int (*)(void),
    int (*)(struct modinfo *));
extern int fk_mod_unload(const char *);

/* Log of every message (console and "!" log-only). */
typedef struct fk_logmsg {
	int		lm_level;	/* CE_* */
	int		lm_console;	/* would reach the console */
	const char	*lm_text;	/* prefix ("pvscsi0: ") included */
	hrtime_t	lm_time;
} fk_logmsg_t;

extern uint_t fk_log_count(void);
extern const fk_logmsg_t *fk_log_get(uint_t);
extern uint_t fk_log_console_count(void);
extern int fk_log_find(const char *, uint_t);	/* index >= start, or -1 */

/* Counters every part of the fakekernel keeps. */
typedef struct fk_counters {
	uint64_t	fc_kmem_allocs;		/* kmem_alloc + cache allocs */
	uint64_t	fc_kmem_frees;
	int64_t		fc_kmem_bytes;		/* outstanding */
	uint64_t	fc_reg_writes;
	uint64_t	fc_intrs;		/* handler invocations */
	uint64_t	fc_intrs_claimed;
	uint64_t	fc_dma_syncs;
	uint64_t	fc_dma_binds;
	uint64_t	fc_pkt_starts;		/* tran_start calls */
	uint64_t	fc_tran_busy;		/* TRAN_BUSY returns */
	uint64_t	fc_pkt_comps;		/* scsi_hba_pkt_comp calls */
	uint64_t	fc_witness_reports;
	uint64_t	fc_timeouts_fired;
} fk_counters_t;

extern void fk_counters_get(fk_counters_t *);
extern fk_counters_t fk_counters;	/* updated atomically */

/* Register writes seen at one BAR offset (kicks). */
extern uint64_t fk_reg_writes_at(uint_t, uint64_t);

#ifdef __cplusplus
}
#endif

#endif /* _FK_H */
