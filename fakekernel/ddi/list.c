/*
 * list(9F): doubly-linked lists whose links live inside the objects.
 *
 * The list is circular through list_head.  A node that is on no list has
 * both links NULL (list_link_init, and list_remove leaves it so), which
 * makes these checkable, and each panics:
 *	- inserting a node that is already linked ("list: double insert");
 *	- removing a node that is not linked;
 *	- a node whose neighbours do not point back at it (it is on another
 *	  list, or the list is corrupt);
 *	- list_destroy of a non-empty list; use of a list never created or
 *	  already destroyed.
 */

#include <sys/types.h>
#include <sys/list.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>

#define	list_d2l(a, obj)	((list_node_t *)((char *)(obj) + \
				    (a)->list_offset))
#define	list_l2o(a, node)	((void *)((char *)(node) - (a)->list_offset))

static void
list_verify(const list_t *list, const char *op)
{
	const list_node_t *head = &list->list_head;

	if (head->list_next == NULL || head->list_prev == NULL) {
		panic("%s(%p): the list was not created (list_create) or was "
		    "destroyed", op, (void *)list);
	}
}

/*
 * Links holding kmem's fill patterns: the node's memory was never
 * initialised, or was freed.
 */
static void
list_check_pattern(const list_node_t *node, const void *obj, const char *op)
{
	uintptr_t v = (uintptr_t)node->list_next;

	if (v == (uintptr_t)0xbaddcafebaddcafeull) {
		panic("list: %s of object %p: its node %p was never "
		    "initialised (list_link_init, or zeroed memory)", op, obj,
		    (void *)node);
	}
	if (v == (uintptr_t)0xdeadbeefdeadbeefull) {
		panic("list: %s of object %p: its node %p is in freed memory",
		    op, obj, (void *)node);
	}
}

static void
list_check_linked(const list_node_t *node, const void *obj, const char *op)
{
	list_check_pattern(node, obj, op);
	if (node->list_next == NULL || node->list_prev == NULL) {
		panic("list: %s of an unlinked node (object %p, node %p): it "
		    "is on no list", op, obj, (void *)node);
	}
	if (node->list_next->list_prev != node ||
	    node->list_prev->list_next != node) {
		panic("list: %s: node %p (object %p) is corrupt: its "
		    "neighbours do not point back at it", op, (void *)node,
		    obj);
	}
}

static void
list_check_unlinked(const list_node_t *node, const void *obj,
    const char *op)
{
	list_check_pattern(node, obj, op);
	if (node->list_next != NULL || node->list_prev != NULL) {
		panic("list: double insert: %s of object %p whose node %p is "
		    "already on a list", op, obj, (void *)node);
	}
}

/* Put node between prev and next. */
static void
list_link(list_node_t *prev, list_node_t *node, list_node_t *next)
{
	node->list_prev = prev;
	node->list_next = next;
	prev->list_next = node;
	next->list_prev = node;
}

static void
list_unlink(list_node_t *node)
{
	node->list_prev->list_next = node->list_next;
	node->list_next->list_prev = node->list_prev;
	node->list_next = NULL;
	node->list_prev = NULL;
}

void
list_create(list_t *list, size_t size, size_t offset)
{
	if (offset + sizeof (list_node_t) > size) {
		panic("list_create(%p): a node at offset %zu does not fit in "
		    "an object of %zu bytes", (void *)list, offset, size);
	}
	list->list_size = size;
	list->list_offset = offset;
	list->list_head.list_next = &list->list_head;
	list->list_head.list_prev = &list->list_head;
}

void
list_destroy(list_t *list)
{
	list_verify(list, "list_destroy");
	if (list->list_head.list_next != &list->list_head) {
		panic("list_destroy(%p): the list is not empty (first object "
		    "%p)", (void *)list,
		    list_l2o(list, list->list_head.list_next));
	}
	list->list_head.list_next = NULL;
	list->list_head.list_prev = NULL;
}

void
list_insert_after(list_t *list, void *object, void *nobject)
{
	list_node_t *lold, *lnew;

	if (object == NULL) {
		list_insert_head(list, nobject);
		return;
	}
	list_verify(list, "list_insert_after");
	lold = list_d2l(list, object);
	lnew = list_d2l(list, nobject);
	list_check_linked(lold, object, "list_insert_after (position)");
	list_check_unlinked(lnew, nobject, "list_insert_after");
	list_link(lold, lnew, lold->list_next);
}

void
list_insert_before(list_t *list, void *object, void *nobject)
{
	list_node_t *lold, *lnew;

	if (object == NULL) {
		list_insert_tail(list, nobject);
		return;
	}
	list_verify(list, "list_insert_before");
	lold = list_d2l(list, object);
	lnew = list_d2l(list, nobject);
	list_check_linked(lold, object, "list_insert_before (position)");
	list_check_unlinked(lnew, nobject, "list_insert_before");
	list_link(lold->list_prev, lnew, lold);
}

void
list_insert_head(list_t *list, void *object)
{
	list_node_t *node = list_d2l(list, object);

	list_verify(list, "list_insert_head");
	list_check_unlinked(node, object, "list_insert_head");
	list_link(&list->list_head, node, list->list_head.list_next);
}

void
list_insert_tail(list_t *list, void *object)
{
	list_node_t *node = list_d2l(list, object);

	list_verify(list, "list_insert_tail");
	list_check_unlinked(node, object, "list_insert_tail");
	list_link(list->list_head.list_prev, node, &list->list_head);
}

void
list_remove(list_t *list, void *object)
{
	list_node_t *node = list_d2l(list, object);

	list_verify(list, "list_remove");
	if (node == &list->list_head)
		panic("list_remove(%p): removing the list head", (void *)list);
	list_check_linked(node, object, "list_remove");
	list_unlink(node);
}

void *
list_remove_head(list_t *list)
{
	list_node_t *node;

	list_verify(list, "list_remove_head");
	node = list->list_head.list_next;
	if (node == &list->list_head)
		return (NULL);
	list_check_linked(node, list_l2o(list, node), "list_remove_head");
	list_unlink(node);
	return (list_l2o(list, node));
}

void *
list_remove_tail(list_t *list)
{
	list_node_t *node;

	list_verify(list, "list_remove_tail");
	node = list->list_head.list_prev;
	if (node == &list->list_head)
		return (NULL);
	list_check_linked(node, list_l2o(list, node), "list_remove_tail");
	list_unlink(node);
	return (list_l2o(list, node));
}

/* Move every object of src to the tail of dst; src ends empty. */
void
list_move_tail(list_t *dst, list_t *src)
{
	list_node_t *dh = &dst->list_head, *sh = &src->list_head;

	list_verify(dst, "list_move_tail");
	list_verify(src, "list_move_tail");
	if (dst->list_offset != src->list_offset) {
		panic("list_move_tail(%p, %p): the lists link objects at "
		    "different offsets (%zu, %zu)", (void *)dst, (void *)src,
		    dst->list_offset, src->list_offset);
	}
	if (sh->list_next == sh)
		return;
	dh->list_prev->list_next = sh->list_next;
	sh->list_next->list_prev = dh->list_prev;
	dh->list_prev = sh->list_prev;
	sh->list_prev->list_next = dh;
	sh->list_next = sh->list_prev = sh;
}

void *
list_head(list_t *list)
{
	list_verify(list, "list_head");
	if (list->list_head.list_next == &list->list_head)
		return (NULL);
	return (list_l2o(list, list->list_head.list_next));
}

void *
list_tail(list_t *list)
{
	list_verify(list, "list_tail");
	if (list->list_head.list_prev == &list->list_head)
		return (NULL);
	return (list_l2o(list, list->list_head.list_prev));
}

void *
list_next(list_t *list, void *object)
{
	list_node_t *node = list_d2l(list, object);

	list_check_linked(node, object, "list_next");
	if (node->list_next == &list->list_head)
		return (NULL);
	return (list_l2o(list, node->list_next));
}

void *
list_prev(list_t *list, void *object)
{
	list_node_t *node = list_d2l(list, object);

	list_check_linked(node, object, "list_prev");
	if (node->list_prev == &list->list_head)
		return (NULL);
	return (list_l2o(list, node->list_prev));
}

int
list_is_empty(list_t *list)
{
	list_verify(list, "list_is_empty");
	return (list->list_head.list_next == &list->list_head);
}

void
list_link_init(list_node_t *node)
{
	node->list_next = NULL;
	node->list_prev = NULL;
}

/*
 * lnew takes lold's place on its list; lold ends unlinked.
 */
void
list_link_replace(list_node_t *lold, list_node_t *lnew)
{
	list_check_linked(lold, NULL, "list_link_replace");
	list_check_unlinked(lnew, NULL, "list_link_replace");
	lnew->list_next = lold->list_next;
	lnew->list_prev = lold->list_prev;
	lold->list_prev->list_next = lnew;
	lold->list_next->list_prev = lnew;
	lold->list_next = NULL;
	lold->list_prev = NULL;
}

int
list_link_active(list_node_t *node)
{
	return (node->list_next != NULL);
}
