/*
 * illumos <sys/ddipropdefs.h>: property flags and results.
 */
#ifndef _FK_SYS_DDIPROPDEFS_H
#define	_FK_SYS_DDIPROPDEFS_H

#define	DDI_PROP_SUCCESS	0
#define	DDI_PROP_NOT_FOUND	1
#define	DDI_PROP_UNDEFINED	2
#define	DDI_PROP_NO_MEMORY	3
#define	DDI_PROP_INVAL_ARG	4
#define	DDI_PROP_BUF_TOO_SMALL	5
#define	DDI_PROP_CANNOT_DECODE	6
#define	DDI_PROP_CANNOT_ENCODE	7
#define	DDI_PROP_END_OF_DATA	8
#define	DDI_PROP_FOUND_1275	255

#define	DDI_PROP_DONTPASS	0x0001
#define	DDI_PROP_CANSLEEP	0x0002
#define	DDI_PROP_SYSTEM_DEF	0x0004
#define	DDI_PROP_NOTPROM	0x0008
#define	DDI_PROP_DONTSLEEP	0x0010
#define	DDI_PROP_STACK_CREATE	0x0020
#define	DDI_PROP_UNDEF_IT	0x0040
#define	DDI_PROP_HW_DEF		0x0080

#define	DDI_DEV_T_NONE		((dev_t)-1)
#define	DDI_DEV_T_ANY		((dev_t)-2)
#define	DDI_MAJOR_T_UNKNOWN	((major_t)0)

#endif /* _FK_SYS_DDIPROPDEFS_H */
