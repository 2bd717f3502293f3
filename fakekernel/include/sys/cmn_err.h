/*
 * illumos cmn_err(9F) and dev_err(9F).  Leading "!" sends a message to the
 * log only, "^" to the console only, "?" to the console only when booted
 * verbose; the fakekernel keeps every message in a log tests can read.
 */
#ifndef _FK_SYS_CMN_ERR_H
#define	_FK_SYS_CMN_ERR_H

#include <sys/types.h>
#include <sys/dditypes.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	CE_CONT		0
#define	CE_NOTE		1
#define	CE_WARN		2
#define	CE_PANIC	3
#define	CE_IGNORE	4

/* The type of the v*() forms' argument list, as <sys/va_list.h> has it. */
typedef __builtin_va_list __va_list;

extern void cmn_err(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));
extern void vcmn_err(int, const char *, __va_list)
    __attribute__((format(printf, 2, 0)));
extern void dev_err(dev_info_t *, int, char *, ...)
    __attribute__((format(printf, 3, 4)));
extern void vdev_err(dev_info_t *, int, const char *, __va_list)
    __attribute__((format(printf, 3, 0)));
extern void panic(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));
extern void vpanic(const char *, __va_list)
    __attribute__((format(printf, 1, 0), noreturn));

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_CMN_ERR_H */
