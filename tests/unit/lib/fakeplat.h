/*
 * A platform backend for host unit tests of the device-facing DDI (DMA,
 * registers, configuration space, interrupts): one fake PCI function and
 * a DMA arena (platform/arena.h) whose pages have device addresses chosen
 * to exercise cookie splitting.
 *
 * fakeplat_install() replaces the platform fk_init() started ("none"); its
 * one candidate function is claimed as any is (fk_add_drv, fk_pci_claim
 * with "pci15ad,7c0"); the test then plays the device: it reads and writes
 * DMA memory through fk_dma_devmem(), the BAR through fakeplat_bar, configuration space
 * through fakeplat_cfg, and fires interrupts with fakeplat_fire().
 *
 * The arena, by device address (4 KiB pages):
 *   FP_LOW	32 pages, one contiguous run		(below 4 GiB)
 *   FP_SCAT	32 pages, each its own run, descending	(below 4 GiB)
 *   FP_SEG	16 pages, one run across the 64 KiB boundary FP_SEG_BOUNDARY
 *   FP_HIGH	64 pages, one contiguous run		(above 4 GiB)
 * Choose among them with an allocation's [addr_lo, addr_hi].
 *
 * The function: 15ad:07c0 rev 2, subsystem 15ad:07c0, class 010000, at
 * 0000:00:03.0; BAR0 a 32 KiB 32-bit memory BAR; interrupt pin A; an MSI
 * capability (64-bit, no per-vector masking) with 2 vectors.
 */
#ifndef _TESTS_UNIT_LIB_FAKEPLAT_H
#define	_TESTS_UNIT_LIB_FAKEPLAT_H

#include <sys/types.h>
#include <stdint.h>

#define	FP_LOW			0x10000000ULL
#define	FP_LOW_PAGES		32
#define	FP_SCAT			0x20000000ULL
#define	FP_SCAT_PAGES		32
#define	FP_SCAT_END		(FP_SCAT + 2 * 4096 * FP_SCAT_PAGES)
#define	FP_SEG			0x30008000ULL
#define	FP_SEG_PAGES		16
#define	FP_SEG_BOUNDARY		0x30010000ULL
#define	FP_HIGH			0x200000000ULL
#define	FP_HIGH_PAGES		64

#define	FP_BAR0_SIZE		0x8000
#define	FP_BAR0_BUS		0xfebf0000U

extern uint8_t fakeplat_cfg[256];
extern uint8_t *fakeplat_bar;
extern int fakeplat_intr_types;		/* DDI_INTR_TYPE_* offered */
extern uint64_t fakeplat_unmasks;	/* po_intx_unmask calls */
extern int fakeplat_enabled_type;	/* 0 when none */
extern int fakeplat_enabled_n;

extern void fakeplat_install(void);
extern int fakeplat_fire(int);		/* vector inum fires */

#endif /* _TESTS_UNIT_LIB_FAKEPLAT_H */
