/*
 * illumos <sys/ddi.h>: the DKI's clock, page and device-number routines,
 * and min()/max() as macros, so that a driver compares as its operands'
 * types do rather than through the kernel's int functions (sys/systm.h).
 */
#ifndef _FK_SYS_DDI_H
#define	_FK_SYS_DDI_H

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>

#ifdef __cplusplus
extern "C" {
#endif

extern clock_t drv_usectohz(clock_t);
extern clock_t drv_hztousec(clock_t);
extern void drv_usecwait(clock_t);
extern clock_t ddi_get_lbolt(void);
extern int64_t ddi_get_lbolt64(void);
extern time_t ddi_get_time(void);

extern unsigned long btop(unsigned long);
extern unsigned long btopr(unsigned long);
extern unsigned long ptob(unsigned long);

#ifdef	min
#undef	min
#endif
#define	min(a, b)	((a) < (b) ? (a) : (b))
#ifdef	max
#undef	max
#endif
#define	max(a, b)	((a) < (b) ? (b) : (a))

extern major_t getmajor(dev_t);
extern minor_t getminor(dev_t);
extern dev_t makedevice(major_t, minor_t);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_DDI_H */
