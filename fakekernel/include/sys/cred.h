/*
 * illumos <sys/cred.h>: credentials, opaque to drivers.
 */
#ifndef _FK_SYS_CRED_H
#define	_FK_SYS_CRED_H

typedef struct cred cred_t;

#endif /* _FK_SYS_CRED_H */
