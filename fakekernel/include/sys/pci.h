/*
 * illumos <sys/pci.h>: configuration space offsets and the "reg" property
 * encoding (pci_regspec_t).
 */
#ifndef _FK_SYS_PCI_H
#define	_FK_SYS_PCI_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	PCI_CONF_VENID		0x0
#define	PCI_CONF_DEVID		0x2
#define	PCI_CONF_COMM		0x4
#define	PCI_CONF_STAT		0x6
#define	PCI_CONF_REVID		0x8
#define	PCI_CONF_PROGCLASS	0x9
#define	PCI_CONF_SUBCLASS	0xA
#define	PCI_CONF_BASCLASS	0xB
#define	PCI_CONF_CACHE_LINESZ	0xC
#define	PCI_CONF_LATENCY_TIMER	0xD
#define	PCI_CONF_HEADER		0xE
#define	PCI_CONF_BIST		0xF
#define	PCI_CONF_BASE0		0x10
#define	PCI_CONF_BASE1		0x14
#define	PCI_CONF_BASE2		0x18
#define	PCI_CONF_BASE3		0x1c
#define	PCI_CONF_BASE4		0x20
#define	PCI_CONF_BASE5		0x24
#define	PCI_CONF_CIS		0x28
#define	PCI_CONF_SUBVENID	0x2c
#define	PCI_CONF_SUBSYSID	0x2e
#define	PCI_CONF_ROM		0x30
#define	PCI_CONF_CAP_PTR	0x34
#define	PCI_CONF_ILINE		0x3c
#define	PCI_CONF_IPIN		0x3d

#define	PCI_COMM_IO		0x0001
#define	PCI_COMM_MAE		0x0002
#define	PCI_COMM_ME		0x0004
#define	PCI_COMM_SPEC_CYC	0x0008
#define	PCI_COMM_MEMWR_INVAL	0x0010
#define	PCI_COMM_PARITY_DETECT	0x0040
#define	PCI_COMM_SERR_ENABLE	0x0100
#define	PCI_COMM_BACK2BACK_ENAB	0x0200
#define	PCI_COMM_INTX_DISABLE	0x0400

#define	PCI_STAT_INTR		0x0008
#define	PCI_STAT_CAP		0x0010

#define	PCI_BASE_SPACE_M	0x00000001
#define	PCI_BASE_SPACE_IO	0x1
#define	PCI_BASE_SPACE_MEM	0x0
#define	PCI_BASE_TYPE_M		0x00000006
#define	PCI_BASE_TYPE_MEM	0x0
#define	PCI_BASE_TYPE_LOW	0x2
#define	PCI_BASE_TYPE_ALL	0x4
#define	PCI_BASE_PREF_M		0x00000008

/*
 * The "reg" and "assigned-addresses" properties: five integers per entry.
 */
typedef struct pci_phys_spec {
	uint_t pci_phys_hi;
	uint_t pci_phys_mid;
	uint_t pci_phys_low;
	uint_t pci_size_hi;
	uint_t pci_size_low;
} pci_regspec_t;

#define	PCI_REG_REG_M		0x000000FF
#define	PCI_REG_FUNC_M		0x00000700
#define	PCI_REG_DEV_M		0x0000F800
#define	PCI_REG_BUS_M		0x00FF0000
#define	PCI_REG_ADDR_M		0x03000000
#define	PCI_REG_ALIAS_M		0x20000000
#define	PCI_REG_PF_M		0x40000000
#define	PCI_REG_REL_M		0x80000000
#define	PCI_REG_BDFR_M		0x00FFFFFF

#define	PCI_REG_FUNC_SHIFT	8
#define	PCI_REG_DEV_SHIFT	11
#define	PCI_REG_BUS_SHIFT	16
#define	PCI_REG_ADDR_SHIFT	24

#define	PCI_REG_REG_G(x)	((x) & PCI_REG_REG_M)
#define	PCI_REG_FUNC_G(x)	(((x) & PCI_REG_FUNC_M) >> PCI_REG_FUNC_SHIFT)
#define	PCI_REG_DEV_G(x)	(((x) & PCI_REG_DEV_M) >> PCI_REG_DEV_SHIFT)
#define	PCI_REG_BUS_G(x)	(((x) & PCI_REG_BUS_M) >> PCI_REG_BUS_SHIFT)
#define	PCI_REG_ADDR_G(x)	(((x) & PCI_REG_ADDR_M) >> PCI_REG_ADDR_SHIFT)

#define	PCI_ADDR_CONFIG		0x00000000
#define	PCI_ADDR_IO		0x01000000
#define	PCI_ADDR_MEM32		0x02000000
#define	PCI_ADDR_MEM64		0x03000000
#define	PCI_ADDR_MASK		PCI_REG_ADDR_M

#define	PCI_CAP_ID_MSI		0x05
#define	PCI_CAP_ID_PCI_E	0x10
#define	PCI_CAP_ID_MSI_X	0x11

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_PCI_H */
