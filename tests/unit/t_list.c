/*
 * list(9F): every operation's effect on order and links, and the panics
 * (double insert, removing an unlinked node, destroying a non-empty list,
 * an uninitialised node).
 */

#include <sys/types.h>
#include <sys/list.h>
#include <sys/kmem.h>
#include <fk.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/expect.h"

typedef struct item {
	int		i_value;
	list_node_t	i_node;
} item_t;

static item_t items[8];

/* The list's values in order, as a string: "1 2 3". */
static const char *
order(list_t *l)
{
	static char buf[128];
	item_t *it;
	size_t off = 0;

	buf[0] = '\0';
	for (it = list_head(l); it != NULL; it = list_next(l, it)) {
		off += (size_t)snprintf(buf + off, sizeof (buf) - off, "%s%d",
		    off > 0 ? " " : "", it->i_value);
	}
	return (buf);
}

/* The same, walking backwards from the tail. */
static const char *
rorder(list_t *l)
{
	static char buf[128];
	item_t *it;
	size_t off = 0;

	buf[0] = '\0';
	for (it = list_tail(l); it != NULL; it = list_prev(l, it)) {
		off += (size_t)snprintf(buf + off, sizeof (buf) - off, "%s%d",
		    off > 0 ? " " : "", it->i_value);
	}
	return (buf);
}

#define	CHECK_ORDER(name, l, want)					\
	CHECK(name, strcmp(order(l), want) == 0,			\
	    "expected \"%s\", saw \"%s\"", want, order(l))

static void
reset_items(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		items[i].i_value = i;
		list_link_init(&items[i].i_node);
	}
}

static void
test_ops(void)
{
	list_t l, m;
	item_t *it;

	reset_items();
	list_create(&l, sizeof (item_t), offsetof(item_t, i_node));
	CHECK("list: a new list is empty", list_is_empty(&l) &&
	    list_head(&l) == NULL && list_tail(&l) == NULL,
	    "expected empty, NULL head and tail");
	CHECK("list: a new node is inactive",
	    !list_link_active(&items[1].i_node), "expected inactive");

	list_insert_tail(&l, &items[1]);
	list_insert_tail(&l, &items[2]);
	list_insert_head(&l, &items[0]);
	CHECK_ORDER("list: insert_head and insert_tail", &l, "0 1 2");
	CHECK("list: inserted node is active",
	    list_link_active(&items[1].i_node), "expected active");
	list_insert_after(&l, &items[1], &items[3]);
	list_insert_before(&l, &items[1], &items[4]);
	CHECK_ORDER("list: insert_after and insert_before", &l, "0 4 1 3 2");
	list_insert_after(&l, NULL, &items[5]);
	list_insert_before(&l, NULL, &items[6]);
	CHECK_ORDER("list: NULL position means head/tail", &l,
	    "5 0 4 1 3 2 6");
	CHECK("list: prev walks back", strcmp(rorder(&l), "6 2 3 1 4 0 5") ==
	    0, "expected \"6 2 3 1 4 0 5\", saw \"%s\"", rorder(&l));
	CHECK("list: next of the tail and prev of the head are NULL",
	    list_next(&l, &items[6]) == NULL &&
	    list_prev(&l, &items[5]) == NULL, "expected NULL at the ends");

	list_remove(&l, &items[1]);
	CHECK_ORDER("list: remove", &l, "5 0 4 3 2 6");
	CHECK("list: removed node is unlinked",
	    !list_link_active(&items[1].i_node) &&
	    items[1].i_node.list_next == NULL &&
	    items[1].i_node.list_prev == NULL, "expected NULL links");
	it = list_remove_head(&l);
	CHECK("list: remove_head", it == &items[5] &&
	    !list_link_active(&it->i_node), "expected item 5, unlinked");
	it = list_remove_tail(&l);
	CHECK("list: remove_tail", it == &items[6] &&
	    !list_link_active(&it->i_node), "expected item 6, unlinked");
	CHECK_ORDER("list: after removals", &l, "0 4 3 2");

	list_link_replace(&items[4].i_node, &items[7].i_node);
	CHECK_ORDER("list: link_replace", &l, "0 7 3 2");
	CHECK("list: replaced node is unlinked",
	    !list_link_active(&items[4].i_node), "expected unlinked");

	list_create(&m, sizeof (item_t), offsetof(item_t, i_node));
	list_insert_tail(&m, &items[1]);
	list_insert_tail(&m, &items[4]);
	list_move_tail(&l, &m);
	CHECK_ORDER("list: move_tail appends", &l, "0 7 3 2 1 4");
	CHECK("list: move_tail empties the source", list_is_empty(&m),
	    "expected an empty source");
	list_move_tail(&l, &m);
	CHECK_ORDER("list: move_tail of an empty list", &l, "0 7 3 2 1 4");
	list_destroy(&m);

	while ((it = list_remove_head(&l)) != NULL)
		;
	CHECK("list: empty again", list_is_empty(&l) &&
	    list_remove_head(&l) == NULL && list_remove_tail(&l) == NULL,
	    "expected empty and NULL removals");
	list_destroy(&l);
}

/*
 * Panics.
 */
static list_t dl;

static void
die_double_insert(void *arg)
{
	(void) arg;
	reset_items();
	list_create(&dl, sizeof (item_t), offsetof(item_t, i_node));
	list_insert_tail(&dl, &items[0]);
	list_insert_head(&dl, &items[0]);
}

static void
die_double_insert_other_list(void *arg)
{
	list_t other;

	(void) arg;
	reset_items();
	list_create(&dl, sizeof (item_t), offsetof(item_t, i_node));
	list_create(&other, sizeof (item_t), offsetof(item_t, i_node));
	list_insert_tail(&dl, &items[0]);
	list_insert_after(&other, NULL, &items[0]);
}

static void
die_remove_unlinked(void *arg)
{
	(void) arg;
	reset_items();
	list_create(&dl, sizeof (item_t), offsetof(item_t, i_node));
	list_insert_tail(&dl, &items[0]);
	list_remove(&dl, &items[1]);
}

static void
die_remove_twice(void *arg)
{
	(void) arg;
	reset_items();
	list_create(&dl, sizeof (item_t), offsetof(item_t, i_node));
	list_insert_tail(&dl, &items[0]);
	list_remove(&dl, &items[0]);
	list_remove(&dl, &items[0]);
}

static void
die_destroy_nonempty(void *arg)
{
	(void) arg;
	reset_items();
	list_create(&dl, sizeof (item_t), offsetof(item_t, i_node));
	list_insert_tail(&dl, &items[0]);
	list_destroy(&dl);
}

static void
die_uninit_node(void *arg)
{
	item_t *it = kmem_alloc(sizeof (*it), KM_SLEEP);

	(void) arg;
	list_create(&dl, sizeof (item_t), offsetof(item_t, i_node));
	list_insert_tail(&dl, it);
}

static void
die_uncreated(void *arg)
{
	list_t zero;

	(void) arg;
	(void) memset(&zero, 0, sizeof (zero));
	reset_items();
	list_insert_tail(&zero, &items[0]);
}

static void
test_panics(void)
{
	(void) expect_death("panic: double insert", die_double_insert, NULL,
	    "list: double insert");
	(void) expect_death("panic: insert of a node on another list",
	    die_double_insert_other_list, NULL, "list: double insert");
	(void) expect_death("panic: remove an unlinked node",
	    die_remove_unlinked, NULL, "list: list_remove of an unlinked node");
	(void) expect_death("panic: remove twice", die_remove_twice, NULL,
	    "unlinked node");
	(void) expect_death("panic: destroy a non-empty list",
	    die_destroy_nonempty, NULL, "the list is not empty");
	(void) expect_death("panic: insert an uninitialised node",
	    die_uninit_node, NULL, "was never initialised");
	(void) expect_death("panic: a list never created", die_uncreated,
	    NULL, "the list was not created");
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	test_ops();
	test_panics();
	return (check_exit());
}
