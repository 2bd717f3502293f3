/*
 * illumos <sys/byteorder.h>: conversions between host and fixed-endian
 * representations.
 */
#ifndef _FK_SYS_BYTEORDER_H
#define	_FK_SYS_BYTEORDER_H

#include <sys/types.h>
#include <endian.h>

#define	LE_16(x)	((uint16_t)htole16((uint16_t)(x)))
#define	LE_32(x)	((uint32_t)htole32((uint32_t)(x)))
#define	LE_64(x)	((uint64_t)htole64((uint64_t)(x)))
#define	BE_16(x)	((uint16_t)htobe16((uint16_t)(x)))
#define	BE_32(x)	((uint32_t)htobe32((uint32_t)(x)))
#define	BE_64(x)	((uint64_t)htobe64((uint64_t)(x)))

#define	BE_IN8(xa)	(*((uint8_t *)(xa)))
#define	BE_IN16(xa)	(((uint16_t)BE_IN8(xa) << 8) | BE_IN8((uint8_t *)(xa) + 1))
#define	BE_IN32(xa)	(((uint32_t)BE_IN16(xa) << 16) | \
	BE_IN16((uint8_t *)(xa) + 2))
#define	BE_IN64(xa)	(((uint64_t)BE_IN32(xa) << 32) | \
	BE_IN32((uint8_t *)(xa) + 4))

#endif /* _FK_SYS_BYTEORDER_H */
