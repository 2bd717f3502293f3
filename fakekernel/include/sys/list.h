/*
 * illumos list(9F): doubly-linked lists with the link inside the object.
 */
#ifndef _FK_SYS_LIST_H
#define	_FK_SYS_LIST_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct list_node {
	struct list_node *list_next;
	struct list_node *list_prev;
} list_node_t;

typedef struct list {
	size_t		list_size;
	size_t		list_offset;
	struct list_node list_head;
} list_t;

extern void list_create(list_t *, size_t, size_t);
extern void list_destroy(list_t *);
extern void list_insert_after(list_t *, void *, void *);
extern void list_insert_before(list_t *, void *, void *);
extern void list_insert_head(list_t *, void *);
extern void list_insert_tail(list_t *, void *);
extern void list_remove(list_t *, void *);
extern void *list_remove_head(list_t *);
extern void *list_remove_tail(list_t *);
extern void list_move_tail(list_t *, list_t *);
extern void *list_head(list_t *);
extern void *list_tail(list_t *);
extern void *list_next(list_t *, void *);
extern void *list_prev(list_t *, void *);
extern int list_is_empty(list_t *);
extern void list_link_init(list_node_t *);
extern void list_link_replace(list_node_t *, list_node_t *);
extern int list_link_active(list_node_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_LIST_H */
