/*
 * Driver soft state: ddi_soft_state_init(9F) and friends.
 *
 * A soft state set is an array of item pointers indexed by instance
 * number, grown on demand.  Items come from kmem_zalloc(KM_SLEEP), so a
 * driver that forgets ddi_soft_state_free() shows up in the kmem leak
 * report.  Lookups take the set's lock and may be made from any context.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <fk_impl.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct fk_softstate {
	fk_lock_t	ss_lock;
	size_t		ss_size;	/* bytes per item */
	size_t		ss_n;		/* slots in ss_items */
	void		**ss_items;
} fk_softstate_t;

int
ddi_soft_state_init(void **state_p, size_t size, size_t n_items)
{
	fk_softstate_t *ss;

	if (state_p == NULL || size == 0)
		return (EINVAL);
	if (n_items < 1)
		n_items = 1;
	if ((ss = calloc(1, sizeof (*ss))) == NULL ||
	    (ss->ss_items = calloc(n_items, sizeof (void *))) == NULL) {
		free(ss);
		return (ENOMEM);
	}
	fk_lock_init(&ss->ss_lock);
	ss->ss_size = size;
	ss->ss_n = n_items;
	*state_p = ss;
	return (0);
}

/* Make room for slot "item" (lock held).  Returns 0 or -1. */
static int
fk_softstate_grow(fk_softstate_t *ss, size_t item)
{
	size_t n = ss->ss_n;
	void **na;

	while (n <= item)
		n *= 2;
	if ((na = realloc(ss->ss_items, n * sizeof (void *))) == NULL)
		return (-1);
	(void) memset(na + ss->ss_n, 0, (n - ss->ss_n) * sizeof (void *));
	ss->ss_items = na;
	ss->ss_n = n;
	return (0);
}

int
ddi_soft_state_zalloc(void *state, int item)
{
	fk_softstate_t *ss = state;
	void *p;
	int rv = DDI_FAILURE;

	if (ss == NULL || item < 0)
		return (DDI_FAILURE);
	p = kmem_zalloc(ss->ss_size, KM_SLEEP);
	fk_lock_enter(&ss->ss_lock);
	if (((size_t)item < ss->ss_n ||
	    fk_softstate_grow(ss, (size_t)item) == 0) &&
	    ss->ss_items[item] == NULL) {
		ss->ss_items[item] = p;
		p = NULL;
		rv = DDI_SUCCESS;
	}
	fk_lock_exit(&ss->ss_lock);
	if (p != NULL)
		kmem_free(p, ss->ss_size);
	return (rv);
}

void *
ddi_get_soft_state(void *state, int item)
{
	fk_softstate_t *ss = state;
	void *p = NULL;

	if (ss == NULL || item < 0)
		return (NULL);
	fk_lock_enter(&ss->ss_lock);
	if ((size_t)item < ss->ss_n)
		p = ss->ss_items[item];
	fk_lock_exit(&ss->ss_lock);
	return (p);
}

void
ddi_soft_state_free(void *state, int item)
{
	fk_softstate_t *ss = state;
	void *p = NULL;

	if (ss == NULL || item < 0)
		return;
	fk_lock_enter(&ss->ss_lock);
	if ((size_t)item < ss->ss_n) {
		p = ss->ss_items[item];
		ss->ss_items[item] = NULL;
	}
	fk_lock_exit(&ss->ss_lock);
	if (p != NULL)
		kmem_free(p, ss->ss_size);
}

/* Frees any items still allocated, then the set; *state_p becomes NULL. */
void
ddi_soft_state_fini(void **state_p)
{
	fk_softstate_t *ss;
	size_t i;

	if (state_p == NULL || (ss = *state_p) == NULL) {
		cmn_err(CE_WARN, "ddi_soft_state_fini: no soft state set "
		    "(NULL)");
		return;
	}
	for (i = 0; i < ss->ss_n; i++) {
		if (ss->ss_items[i] != NULL)
			kmem_free(ss->ss_items[i], ss->ss_size);
	}
	free(ss->ss_items);
	free(ss);
	*state_p = NULL;
}
