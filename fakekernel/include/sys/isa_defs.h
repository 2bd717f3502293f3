/*
 * illumos <sys/isa_defs.h>: byte order and bit-field order of the host.
 */
#ifndef _FK_SYS_ISA_DEFS_H
#define	_FK_SYS_ISA_DEFS_H

#include <endian.h>

#if __BYTE_ORDER == __LITTLE_ENDIAN
#ifndef _LITTLE_ENDIAN
#define	_LITTLE_ENDIAN
#endif
#define	_BIT_FIELDS_LTOH
#else
#ifndef _BIG_ENDIAN
#define	_BIG_ENDIAN
#endif
#define	_BIT_FIELDS_HTOL
#endif

#if defined(__x86_64__) && !defined(__amd64)
#define	__amd64
#endif
#if defined(__amd64)
#define	_MULTI_DATAMODEL	/* 32-bit programs too (kstat_named_t) */
#endif
#if defined(__LP64__) && !defined(_LP64)
#define	_LP64
#endif

#endif /* _FK_SYS_ISA_DEFS_H */
