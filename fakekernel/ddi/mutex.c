/*
 * mutex(9F), with owner tracking and a lock-order witness.
 *
 * Owner tracking
 * --------------
 * A kmutex_t records the thread that holds it, so mutex_owned() (and so
 * MUTEX_HELD()) is true only for the owner.  These are panics, with the
 * mutex, the thread and where the lock was taken in the message:
 *	- mutex_enter or mutex_tryenter of a mutex the caller holds;
 *	- mutex_exit by a thread that does not hold the mutex;
 *	- mutex_destroy of a held mutex;
 *	- any use of a mutex that was never initialised or was destroyed
 *	  (m_magic).
 *
 * Witness
 * -------
 * Every mutex belongs to a lock class: the place that called mutex_init()
 * (its return address).  That is the illumos and BSD witness notion of a
 * lock "type": all the per-target locks initialised by one line of a
 * driver are one class, and the order the driver takes classes in must be
 * a partial order.  The name given to mutex_init() only labels the class.
 * (A helper that ends in a tail call to mutex_init() passes its callers'
 * sites on: each of them is a class.)
 *
 * When a thread that holds locks of classes A1..An acquires a lock of
 * class B, each edge "Ai held while acquiring B" goes into a graph,
 * unless it is there already.  A new edge records where Ai was taken,
 * where B was taken, the thread's name and its stack.  If the new edge
 * closes a cycle (B reaches Ai through known edges: two classes taken in
 * both orders, or a longer ring), the witness reports it once, when the
 * cycle first appears: every edge of the cycle, with where each lock was
 * taken, by which thread, and the stack of that acquisition.  The report
 * goes out as cmn_err(CE_WARN, "witness: ...") lines, before the thread
 * blocks on the lock (so a real deadlock still shows its report), and
 * fk_counters.fc_witness_reports counts it.  With FK_WITNESS_PANIC=1 in
 * the environment the report ends in a panic.
 *
 * Two locks of one class held together (e.g. two targets' locks) are not
 * an order between classes and are not checked.  mutex_tryenter() adds no
 * edge (it cannot wait, so it cannot deadlock), but the lock it takes is
 * held like any other, and locks acquired under it make edges.
 *
 * Cost: mutex_enter with no lock held does no witness work.  With locks
 * held it does one lock-free hash lookup per held lock; only the first
 * time an edge is seen does it take the witness's own lock (and record a
 * stack).  Classes and edges are never freed.
 *
 * Production configuration: FK_DEBUG=0 in the environment (read once,
 * fk_debug) makes a mutex what an illumos non-DEBUG kernel's is: a lock
 * and its owner, the owner kept for mutex_owned() (and the panics of a
 * recursive enter, an exit by another thread, a destroy while held).
 * There is no witness (mutex_init gives every mutex class 0, untracked,
 * without the class lookup and its lock; no cycle is found or reported,
 * fc_witness_reports stays 0) and no bookkeeping beyond the owner: no
 * held list and no "taken at", so a thread that blocks, or an interrupt
 * handler that returns, with a mutex held is not caught there (those
 * checks read the held list), as it is not on illumos without DEBUG.
 * mutex_enter is then a compare-and-swap and a store, mutex_exit a store
 * and an exchange.  Unset, or any other value, keeps everything.
 */

#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>
#include <fk.h>

#include <execinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define	MUTEX_MAGIC	0x4d555458u	/* "MUTX" */
#define	MUTEX_DEAD	0x6d757478u	/* "mutx": destroyed */

#define	WIT_MAXCLASS	4096
#define	WIT_CLASSHASH	8192
#define	WIT_MAXEDGE	8192
#define	WIT_EDGEHASH	16384		/* twice WIT_MAXEDGE: short probes */
#define	WIT_STACK	12
#define	WIT_MAXCYCLE	16
#define	WIT_NAMELEN	32

typedef struct wit_class {
	void		*wc_site;		/* mutex_init's caller */
	char		wc_name[WIT_NAMELEN];	/* first name given, or "" */
	uint32_t	wc_out;			/* first out-edge + 1, or 0 */
	uint32_t	wc_mark;		/* search generation */
	uint32_t	wc_via;			/* edge the search came by */
} wit_class_t;

typedef struct wit_edge {
	uint32_t	we_from;		/* class held */
	uint32_t	we_to;			/* class acquired */
	uint32_t	we_next;		/* we_from's next edge + 1 */
	void		*we_from_pc;		/* where we_from was taken */
	void		*we_to_pc;		/* where we_to was taken */
	char		we_thread[32];
	int		we_nstack;
	void		*we_stack[WIT_STACK];
} wit_edge_t;

static fk_lock_t wit_lock = FK_LOCK_INIT;
static wit_class_t wit_classes[WIT_MAXCLASS];	/* [0] is "no class" */
static uint32_t wit_nclasses = 1;
static uint32_t wit_class_hash[WIT_CLASSHASH];	/* class index or 0 */
static wit_edge_t wit_edges[WIT_MAXEDGE];
static uint32_t wit_nedges;
static uint64_t wit_edge_hash[WIT_EDGEHASH];	/* (from << 32 | to) or 0 */
static uint32_t wit_gen;
static int wit_full;

/*
 * Hashing.
 */
static inline uint32_t
wit_hash(uint64_t key, uint32_t size)
{
	return ((uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & (size - 1));
}

/*
 * Classes.
 */
static uint32_t
wit_class_lookup(void *site, const char *name)
{
	uint32_t h, c;
	wit_class_t *wc;

	fk_lock_enter(&wit_lock);
	h = wit_hash((uintptr_t)site, WIT_CLASSHASH);
	while ((c = wit_class_hash[h]) != 0) {
		if (wit_classes[c].wc_site == site)
			goto out;
		h = (h + 1) & (WIT_CLASSHASH - 1);
	}
	if (wit_nclasses == WIT_MAXCLASS) {
		c = 0;		/* untracked: the witness ignores it */
		goto out;
	}
	c = wit_nclasses++;
	wc = &wit_classes[c];
	wc->wc_site = site;
	if (name != NULL)
		(void) snprintf(wc->wc_name, sizeof (wc->wc_name), "%s", name);
	wit_class_hash[h] = c;
out:
	fk_lock_exit(&wit_lock);
	return (c);
}

/* "name" (mutex_init at where), or: mutex initialised at where */
static void
wit_class_label(uint32_t c, const char *site, char *buf, size_t len)
{
	const wit_class_t *wc = &wit_classes[c];

	if (wc->wc_name[0] != '\0') {
		(void) snprintf(buf, len, "\"%s\" (mutex_init at %s)",
		    wc->wc_name, site);
	} else {
		(void) snprintf(buf, len, "mutex initialised at %s", site);
	}
}

/*
 * Edges.
 */
static inline int
wit_edge_known(uint64_t key)
{
	uint32_t h = wit_hash(key, WIT_EDGEHASH);
	uint64_t k;

	for (;;) {
		k = __atomic_load_n(&wit_edge_hash[h], __ATOMIC_ACQUIRE);
		if (k == key)
			return (1);
		if (k == 0)
			return (0);
		h = (h + 1) & (WIT_EDGEHASH - 1);
	}
}

/* Under wit_lock: a new edge, published to wit_edge_known() last. */
static uint32_t
wit_edge_insert(uint64_t key, fk_thread_t *t, int held, void *pc)
{
	uint32_t h = wit_hash(key, WIT_EDGEHASH);
	uint32_t e = wit_nedges++;
	wit_edge_t *we = &wit_edges[e];
	wit_class_t *from;

	we->we_from = (uint32_t)(key >> 32);
	we->we_to = (uint32_t)key;
	we->we_from_pc = t->t_held_pc[held];
	we->we_to_pc = pc;
	(void) memcpy(we->we_thread, t->t_name, sizeof (we->we_thread));
	we->we_nstack = backtrace(we->we_stack, WIT_STACK);
	from = &wit_classes[we->we_from];
	we->we_next = from->wc_out;
	from->wc_out = e + 1;
	while (wit_edge_hash[h] != 0)
		h = (h + 1) & (WIT_EDGEHASH - 1);
	__atomic_store_n(&wit_edge_hash[h], key, __ATOMIC_RELEASE);
	return (e);
}

/* Under wit_lock: the class the search reached class c from. */
static inline uint32_t
wit_came_from(uint32_t c)
{
	return (wit_edges[wit_classes[c].wc_via - 1].we_from);
}

/*
 * Under wit_lock: is there a path from class "src" to class "dst"?  If
 * so, fill path[] with its edges, in order, and return their number (at
 * most maxpath: the last ones).  Depth-first, iterative; wc_via remembers
 * the edge (+ 1) each class was reached by.
 */
static int
wit_find_path(uint32_t src, uint32_t dst, uint32_t *path, int maxpath)
{
	static uint32_t stack[WIT_MAXCLASS];
	uint32_t gen = ++wit_gen, c, e, to;
	int sp = 0, n = 0, i;

	wit_classes[src].wc_mark = gen;
	wit_classes[src].wc_via = 0;
	stack[sp++] = src;
	while (sp > 0) {
		c = stack[--sp];
		if (c == dst)
			break;
		e = wit_classes[c].wc_out;
		while (e != 0) {
			to = wit_edges[e - 1].we_to;
			if (wit_classes[to].wc_mark != gen) {
				wit_classes[to].wc_mark = gen;
				wit_classes[to].wc_via = e;
				stack[sp++] = to;
			}
			e = wit_edges[e - 1].we_next;
		}
	}
	if (wit_classes[dst].wc_mark != gen)
		return (0);
	for (c = dst; c != src; c = wit_came_from(c))
		n++;
	if (n > maxpath)
		n = maxpath;
	i = n;
	for (c = dst; c != src && i > 0; c = wit_came_from(c))
		path[--i] = wit_classes[c].wc_via - 1;
	return (n);
}

/*
 * One line of a report.  When the report ends in a panic, its lines go
 * to standard error as the panic's own output does (quiet console or
 * not), and to the log.
 */
static void __attribute__((format(printf, 2, 3)))
wit_say(int panicking, const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	(void) vsnprintf(line, sizeof (line), fmt, ap);
	va_end(ap);
	if (panicking) {
		cmn_err(CE_WARN, "!%s", line);
		(void) fprintf(stderr, "WARNING: %s\n", line);
	} else {
		cmn_err(CE_WARN, "%s", line);
	}
}

/*
 * The report: one warning line per fact, all starting "witness: ".
 * Called without wit_lock (cmn_err may take locks); edges are immutable
 * once published.
 */
static void
wit_report_edge(const wit_edge_t *we, int isnew, int panicking)
{
	char sym[2 + WIT_STACK][160];
	void *pcs[2 + WIT_STACK];
	char from[256], to[256], stack[1024];
	size_t off = 0;
	int i, n;

	pcs[0] = wit_classes[we->we_from].wc_site;
	pcs[1] = wit_classes[we->we_to].wc_site;
	n = we->we_nstack < WIT_STACK ? we->we_nstack : WIT_STACK;
	for (i = 0; i < n; i++)
		pcs[2 + i] = we->we_stack[i];
	fk_symbolize(pcs, 2 + n, sym);
	wit_class_label(we->we_from, sym[0], from, sizeof (from));
	wit_class_label(we->we_to, sym[1], to, sizeof (to));

	wit_say(panicking, "witness: %s order, thread \"%s\": held %s",
	    isnew ? "new" : "earlier", we->we_thread, from);
	fk_symbolize((void *const *)&we->we_from_pc, 1, sym);
	wit_say(panicking, "witness:     (taken at %s)", sym[0]);
	fk_symbolize((void *const *)&we->we_to_pc, 1, sym);
	wit_say(panicking, "witness:   while acquiring %s", to);
	wit_say(panicking, "witness:     (at %s)", sym[0]);

	/* The stack starts inside the witness: skip to mutex_enter's caller */
	fk_symbolize(pcs + 2, n, sym);
	stack[0] = '\0';
	for (i = 0; i < n; i++) {
		if (pcs[2 + i] == we->we_to_pc)
			break;
	}
	if (i == n)
		i = 0;
	for (; i < n && off < sizeof (stack); i++) {
		off += snprintf(stack + off, sizeof (stack) - off, "%s%s",
		    off > 0 ? " < " : "", sym[i]);
	}
	wit_say(panicking, "witness:     stack: %s", stack);
}

static void
wit_report(const uint32_t *cycle, int n)
{
	const char *env = getenv("FK_WITNESS_PANIC");
	int panicking = env != NULL && strcmp(env, "1") == 0;
	int i;

	__atomic_add_fetch(&fk_counters.fc_witness_reports, 1,
	    __ATOMIC_RELAXED);
	wit_say(panicking, "witness: lock order reversal: a cycle of %d lock "
	    "class%s, first closed by thread \"%s\"", n, n == 1 ? "" : "es",
	    wit_edges[cycle[0]].we_thread);
	for (i = 0; i < n; i++)
		wit_report_edge(&wit_edges[cycle[i]], i == 0, panicking);
	if (panicking) {
		panic("witness: lock order reversal (%d lock classes in a "
		    "cycle; FK_WITNESS_PANIC=1)", n);
	}
}

/*
 * Slow path: an edge not seen before.  cycle[0] is the new edge, then
 * the known path back from its head to its tail.
 */
static void
wit_new_edge(uint64_t key, fk_thread_t *t, int held, void *pc)
{
	uint32_t cycle[WIT_MAXCYCLE];
	int n = 0;

	fk_lock_enter(&wit_lock);
	if (wit_edge_known(key) || wit_full) {
		fk_lock_exit(&wit_lock);
		return;
	}
	if (wit_nedges == WIT_MAXEDGE) {
		wit_full = 1;
		fk_lock_exit(&wit_lock);
		cmn_err(CE_WARN, "witness: %d lock order edges: no room for "
		    "more, lock order is no longer checked", WIT_MAXEDGE);
		return;
	}
	cycle[0] = wit_edge_insert(key, t, held, pc);
	n = wit_find_path((uint32_t)key, (uint32_t)(key >> 32), cycle + 1,
	    WIT_MAXCYCLE - 1);
	fk_lock_exit(&wit_lock);
	if (n > 0)
		wit_report(cycle, n + 1);
}

/* Thread t, holding t_held[], acquires mp at pc. */
static void
wit_acquire(fk_thread_t *t, const kmutex_t *mp, void *pc)
{
	uint32_t to = mp->m_class, from;
	uint64_t key;
	int i;

	if (to == 0 || wit_full)
		return;
	for (i = 0; i < t->t_nheld; i++) {
		from = t->t_held[i]->m_class;
		if (from == 0 || from == to)
			continue;
		key = ((uint64_t)from << 32) | to;
		if (__builtin_expect(!wit_edge_known(key), 0))
			wit_new_edge(key, t, i, pc);
	}
}

/*
 * The held list.
 */
static inline void
held_push(fk_thread_t *t, kmutex_t *mp, void *pc)
{
	if (__builtin_expect(t->t_nheld < FK_MAXHELD, 1)) {
		t->t_held[t->t_nheld] = mp;
		t->t_held_pc[t->t_nheld] = pc;
		t->t_nheld++;
	} else {
		t->t_untracked++;
	}
}

static inline void
held_pop(fk_thread_t *t, kmutex_t *mp)
{
	int i;

	for (i = t->t_nheld - 1; i >= 0; i--) {
		if (t->t_held[i] != mp)
			continue;
		for (; i < t->t_nheld - 1; i++) {
			t->t_held[i] = t->t_held[i + 1];
			t->t_held_pc[i] = t->t_held_pc[i + 1];
		}
		t->t_nheld--;
		return;
	}
	if (t->t_untracked > 0)
		t->t_untracked--;
}

/*
 * Describing mutexes in panics.
 */
size_t
fk_mutex_describe(const kmutex_t *mp, void *pc, char *buf, size_t len)
{
	char sym[2][160];
	void *pcs[2];
	int n;

	pcs[0] = mp->m_init_pc;
	pcs[1] = pc;
	fk_symbolize(pcs, 2, sym);
	if (pc != NULL) {
		n = snprintf(buf, len, "mutex %p%s%s%s (mutex_init at %s) "
		    "taken at %s", (void *)mp, mp->m_name ? " \"" : "",
		    mp->m_name ? mp->m_name : "", mp->m_name ? "\"" : "",
		    sym[0], sym[1]);
	} else {
		n = snprintf(buf, len, "mutex %p%s%s%s (mutex_init at %s)",
		    (void *)mp, mp->m_name ? " \"" : "",
		    mp->m_name ? mp->m_name : "", mp->m_name ? "\"" : "",
		    sym[0]);
	}
	return (n < 0 ? 0 : ((size_t)n < len ? (size_t)n : len - 1));
}

static void __attribute__((noreturn, noinline))
mutex_bad_magic(const kmutex_t *mp, const char *op)
{
	if (mp->m_magic == MUTEX_DEAD) {
		panic("%s(%p): the mutex was destroyed (mutex_destroy)", op,
		    (void *)mp);
	}
	panic("%s(%p): not an initialised mutex (magic %#x%s); mutex_init() "
	    "was not called", op, (void *)mp, mp->m_magic,
	    fk_kmem_pattern_hint(mp->m_magic));
}

void
fk_mutex_verify(const kmutex_t *mp, const char *op)
{
	if (__builtin_expect(mp->m_magic != MUTEX_MAGIC, 0))
		mutex_bad_magic(mp, op);
}

static void __attribute__((noreturn, noinline))
mutex_recursive(const kmutex_t *mp, fk_thread_t *t, const char *op,
    void *pc)
{
	char desc[512], sym[1][160];

	(void) fk_mutex_describe(mp, mp->m_enter_pc, desc, sizeof (desc));
	fk_symbolize(&pc, 1, sym);
	panic("%s: recursive mutex_enter: thread \"%s\" already holds %s; "
	    "entered again at %s", op, t->t_name, desc, sym[0]);
}

static void __attribute__((noreturn, noinline))
mutex_not_owner(const kmutex_t *mp, fk_thread_t *t, const char *op,
    void *pc)
{
	fk_thread_t *owner = mp->m_owner;
	char desc[512], sym[1][160];

	fk_symbolize(&pc, 1, sym);
	if (owner == NULL) {
		(void) fk_mutex_describe(mp, NULL, desc, sizeof (desc));
		panic("%s: %s is not held; thread \"%s\" released it at %s",
		    op, desc, t->t_name, sym[0]);
	}
	(void) fk_mutex_describe(mp, mp->m_enter_pc, desc, sizeof (desc));
	panic("%s by a thread that is not the owner: %s is held by thread "
	    "\"%s\", and thread \"%s\" released it at %s", op, desc,
	    owner->t_name, t->t_name, sym[0]);
}

/*
 * mutex(9F).
 */
void
mutex_init(kmutex_t *mp, char *name, kmutex_type_t type, void *arg)
{
	void *site = __builtin_return_address(0);

	if (type != MUTEX_ADAPTIVE && type != MUTEX_SPIN &&
	    type != MUTEX_DRIVER && type != MUTEX_DEFAULT)
		panic("mutex_init(%p): bad type %d", (void *)mp, (int)type);
	if (mp->m_magic == MUTEX_MAGIC && mp->m_owner == fk_curthread())
		panic("mutex_init(%p): the caller holds this mutex",
		    (void *)mp);
	fk_lock_init(&mp->m_lock);
	mp->m_owner = NULL;
	mp->m_pri = (uintptr_t)arg;
	mp->m_name = name;
	mp->m_init_pc = site;
	mp->m_enter_pc = NULL;
	mp->m_class = FK_DEBUG_ON() ? wit_class_lookup(site, name) : 0;
	__atomic_store_n(&mp->m_magic, MUTEX_MAGIC, __ATOMIC_RELEASE);
}

void
mutex_destroy(kmutex_t *mp)
{
	char desc[512];

	fk_mutex_verify(mp, "mutex_destroy");
	if (mp->m_owner != NULL) {
		(void) fk_mutex_describe(mp, mp->m_enter_pc, desc,
		    sizeof (desc));
		panic("mutex_destroy: %s is held by thread \"%s\"", desc,
		    mp->m_owner->t_name);
	}
	mp->m_magic = MUTEX_DEAD;
}

void
mutex_enter(kmutex_t *mp)
{
	fk_thread_t *t = fk_curthread();
	void *pc = __builtin_return_address(0);

	fk_mutex_verify(mp, "mutex_enter");
	if (__builtin_expect(mp->m_owner == t, 0))
		mutex_recursive(mp, t, "mutex_enter", pc);
	if (!FK_DEBUG_ON()) {
		fk_lock_enter(&mp->m_lock);
		mp->m_owner = t;
		return;
	}
	if (t->t_nheld != 0 && mp->m_class != 0)
		wit_acquire(t, mp, pc);
	fk_lock_enter(&mp->m_lock);
	mp->m_owner = t;
	mp->m_enter_pc = pc;
	held_push(t, mp, pc);
}

int
mutex_tryenter(kmutex_t *mp)
{
	fk_thread_t *t = fk_curthread();
	void *pc = __builtin_return_address(0);

	fk_mutex_verify(mp, "mutex_tryenter");
	if (__builtin_expect(mp->m_owner == t, 0))
		mutex_recursive(mp, t, "mutex_tryenter", pc);
	if (!fk_lock_tryenter(&mp->m_lock))
		return (0);
	mp->m_owner = t;
	if (FK_DEBUG_ON()) {
		mp->m_enter_pc = pc;
		held_push(t, mp, pc);
	}
	return (1);
}

void
mutex_exit(kmutex_t *mp)
{
	fk_thread_t *t = fk_curthread();

	fk_mutex_verify(mp, "mutex_exit");
	if (__builtin_expect(mp->m_owner != t, 0)) {
		mutex_not_owner(mp, t, "mutex_exit",
		    __builtin_return_address(0));
	}
	if (FK_DEBUG_ON())
		held_pop(t, mp);
	mp->m_owner = NULL;
	fk_lock_exit(&mp->m_lock);
}

int
mutex_owned(const kmutex_t *mp)
{
	fk_mutex_verify(mp, "mutex_owned");
	return (mp->m_owner == fk_curthread());
}

/*
 * For condvar.c: the waiter gives the mutex up (fk_cond_wait will
 * unlock it) and takes it back; the reacquisition is an acquisition for
 * the witness, as the waiter may hold other locks.
 */
void
fk_mutex_wait_release(kmutex_t *mp, fk_thread_t *t)
{
	if (FK_DEBUG_ON())
		held_pop(t, mp);
	mp->m_owner = NULL;
}

void
fk_mutex_wait_reacquire(kmutex_t *mp, fk_thread_t *t, void *pc)
{
	mp->m_owner = t;
	if (!FK_DEBUG_ON())
		return;
	mp->m_enter_pc = pc;
	if (t->t_nheld != 0 && mp->m_class != 0)
		wit_acquire(t, mp, pc);
	held_push(t, mp, pc);
}
