/*
 * <sys/id32.h>: 32-bit handles for pointers, for hardware that carries
 * 32 bits of context where a driver wants a pointer.
 *
 * An id is (generation << ID32_IDXBITS) | (slot + 1): never 0.  Freeing an
 * id bumps its slot's generation, so the stale id, and every earlier id
 * of the slot, looks up NULL even after the slot is reused; free slots
 * are reused oldest first, so a generation comes round again only after
 * 2^ID32_GENBITS reuses of one slot.  id32_free of an id that is not
 * allocated panics.  KM_NOSLEEP allocations fail (return 0) when kmem's
 * failure injection says so (each id32_alloc is an allocation in illumos)
 * or when the table is full; KM_SLEEP in interrupt context panics.
 *
 * The table grows in chunks that are never freed, from malloc rather
 * than kmem, so that it does not count as a kmem leak.
 */

#include <sys/types.h>
#include <sys/id32.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>

#include <stdlib.h>

#define	ID32_IDXBITS	18
#define	ID32_GENBITS	(32 - ID32_IDXBITS)
#define	ID32_MAXSLOT	((1u << ID32_IDXBITS) - 1)	/* slot + 1 fits */
#define	ID32_CHUNK	1024
#define	ID32_NCHUNK	((ID32_MAXSLOT + ID32_CHUNK - 1) / ID32_CHUNK)
#define	ID32_NONE	UINT32_MAX

typedef struct id32_slot {
	void		*is_ptr;
	uint32_t	is_gen;
	uint32_t	is_next;	/* next free slot, or ID32_NONE */
	int		is_used;
} id32_slot_t;

static fk_lock_t id32_lock = FK_LOCK_INIT;
static id32_slot_t *id32_chunks[ID32_NCHUNK];
static uint32_t id32_nslots;
static uint32_t id32_free_head = ID32_NONE;
static uint32_t id32_free_tail = ID32_NONE;

static inline id32_slot_t *
id32_slot(uint32_t idx)
{
	return (&id32_chunks[idx / ID32_CHUNK][idx % ID32_CHUNK]);
}

/* Under id32_lock: add a chunk of free slots.  0 if none can be had. */
static int
id32_grow(void)
{
	uint32_t base = id32_nslots, i, n;
	id32_slot_t *chunk;

	if (base >= ID32_MAXSLOT)
		return (0);
	if ((chunk = calloc(ID32_CHUNK, sizeof (id32_slot_t))) == NULL)
		return (0);
	id32_chunks[base / ID32_CHUNK] = chunk;
	n = ID32_MAXSLOT - base < ID32_CHUNK ? ID32_MAXSLOT - base : ID32_CHUNK;
	for (i = 0; i < n; i++)
		chunk[i].is_next = i + 1 < n ? base + i + 1 : ID32_NONE;
	id32_free_head = base;
	id32_free_tail = base + n - 1;
	id32_nslots = base + n;
	return (1);
}

uint32_t
id32_alloc(void *ptr, int kmflag)
{
	id32_slot_t *is;
	uint32_t idx, id;

	if ((kmflag & KM_NOSLEEP) == 0)
		fk_assert_may_block("KM_SLEEP allocation (id32_alloc)");
	else if (fk_kmem_nosleep_fail(kmflag))
		return (0);
	fk_lock_enter(&id32_lock);
	if (id32_free_head == ID32_NONE && !id32_grow()) {
		fk_lock_exit(&id32_lock);
		if ((kmflag & KM_NOSLEEP) == 0)
			panic("id32_alloc: out of ids (KM_SLEEP)");
		return (0);
	}
	idx = id32_free_head;
	is = id32_slot(idx);
	id32_free_head = is->is_next;
	if (id32_free_head == ID32_NONE)
		id32_free_tail = ID32_NONE;
	is->is_next = ID32_NONE;
	is->is_ptr = ptr;
	is->is_used = 1;
	id = (is->is_gen << ID32_IDXBITS) | (idx + 1);
	fk_lock_exit(&id32_lock);
	return (id);
}

/* The slot of a live id, or NULL.  Under id32_lock. */
static id32_slot_t *
id32_live(uint32_t id)
{
	uint32_t idx = (id & ID32_MAXSLOT) - 1;
	id32_slot_t *is;

	if ((id & ID32_MAXSLOT) == 0 || idx >= id32_nslots)
		return (NULL);
	is = id32_slot(idx);
	if (!is->is_used || is->is_gen != id >> ID32_IDXBITS)
		return (NULL);
	return (is);
}

void
id32_free(uint32_t id)
{
	id32_slot_t *is;
	uint32_t idx = (id & ID32_MAXSLOT) - 1;

	fk_lock_enter(&id32_lock);
	if ((is = id32_live(id)) == NULL) {
		fk_lock_exit(&id32_lock);
		panic("id32_free(%#x): not an allocated id (freed already, or "
		    "never allocated)", id);
	}
	is->is_used = 0;
	is->is_ptr = NULL;
	is->is_gen = (is->is_gen + 1) & ((1u << ID32_GENBITS) - 1);
	is->is_next = ID32_NONE;
	if (id32_free_tail == ID32_NONE)
		id32_free_head = idx;
	else
		id32_slot(id32_free_tail)->is_next = idx;
	id32_free_tail = idx;
	fk_lock_exit(&id32_lock);
}

void *
id32_lookup(uint32_t id)
{
	id32_slot_t *is;
	void *ptr;

	fk_lock_enter(&id32_lock);
	is = id32_live(id);
	ptr = is != NULL ? is->is_ptr : NULL;
	fk_lock_exit(&id32_lock);
	return (ptr);
}
