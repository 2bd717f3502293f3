/*
 * illumos <sys/note.h>: annotations for static analysers; no code.
 */
#ifndef _FK_SYS_NOTE_H
#define	_FK_SYS_NOTE_H

#define	_NOTE(s)

#endif /* _FK_SYS_NOTE_H */
