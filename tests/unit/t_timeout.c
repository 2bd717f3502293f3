/*
 * timeout(9F)/untimeout(9F) and ddi_periodic_add/delete(9F): real-time
 * firing and order, the callout thread and its interrupt context, the
 * fired counter, untimeout's return values, untimeout waiting for a
 * running callback, a callback cancelling itself without deadlock, ids
 * that do not repeat, periodic rate and delete (waiting for a running
 * callback), and the panics (blocking in a callback, returning with a
 * mutex, deleting a periodic from itself, bad arguments).
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/systm.h>
#include <sys/time.h>
#include <sys/ksynch.h>
#include <sys/kmem.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

typedef struct shot {
	volatile int	sh_fired;
	volatile int	sh_started;
	hrtime_t	sh_when;
	int		sh_intr;
	char		sh_thread[32];
	int		sh_order;
	clock_t		sh_self_rv;
	timeout_id_t	sh_id;
	timeout_id_t	sh_other;
	clock_t		sh_other_rv;
} shot_t;

static volatile int order_next;

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	(void) nanosleep(&ts, NULL);
}

/* Wait up to ms for *flag to become non-zero. */
static int
wait_for(volatile int *flag, int ms)
{
	while (*flag == 0 && ms > 0) {
		sleep_ms(1);
		ms--;
	}
	return (*flag != 0);
}

static void
fire(void *arg)
{
	shot_t *s = arg;

	s->sh_when = gethrtime();
	s->sh_intr = fk_in_intr();
	(void) strcpy(s->sh_thread, fk_curthread()->t_name);
	s->sh_order = __atomic_fetch_add(&order_next, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&s->sh_fired, 1, __ATOMIC_SEQ_CST);
}

static void
test_fire(void)
{
	shot_t s;
	hrtime_t t0;
	fk_counters_t c0, c1;

	(void) memset(&s, 0, sizeof (s));
	fk_counters_get(&c0);
	t0 = gethrtime();
	(void) timeout(fire, &s, drv_usectohz(50000));
	CHECK("timeout: the callback runs", wait_for(&s.sh_fired, 3000),
	    "expected it to fire within 3 s");
	CHECK("timeout: not before its time", s.sh_when - t0 >=
	    MSEC2NSEC(50), "expected >= 50 ms, saw %lld ns",
	    (long long)(s.sh_when - t0));
	CHECK("timeout: on the callout thread",
	    strcmp(s.sh_thread, "callout") == 0,
	    "expected \"callout\", saw \"%s\"", s.sh_thread);
	CHECK("timeout: the callback runs in interrupt context", s.sh_intr,
	    "expected fk_in_intr() true");
	sleep_ms(20);
	fk_counters_get(&c1);
	CHECK("timeout: fired callbacks are counted",
	    c1.fc_timeouts_fired == c0.fc_timeouts_fired + 1,
	    "expected +1, saw +%llu", (unsigned long long)
	    (c1.fc_timeouts_fired - c0.fc_timeouts_fired));

	(void) memset(&s, 0, sizeof (s));
	(void) timeout(fire, &s, 0);
	CHECK("timeout: zero ticks fires soon", wait_for(&s.sh_fired, 1000),
	    "expected it to fire within 1 s");
}

static void
test_order(void)
{
	shot_t a, b, c;

	(void) memset(&a, 0, sizeof (a));
	(void) memset(&b, 0, sizeof (b));
	(void) memset(&c, 0, sizeof (c));
	order_next = 0;
	(void) timeout(fire, &a, 9);
	(void) timeout(fire, &b, 3);
	(void) timeout(fire, &c, 6);
	(void) wait_for(&a.sh_fired, 3000);
	CHECK("timeout: callbacks fire in deadline order",
	    b.sh_order == 0 && c.sh_order == 1 && a.sh_order == 2,
	    "expected b, c, a, saw orders a=%d b=%d c=%d", a.sh_order,
	    b.sh_order, c.sh_order);
}

static void
test_untimeout(void)
{
	shot_t s;
	timeout_id_t id;
	clock_t left;
	void *ids[1000];
	int i, j, dup = 0, zero = 0;

	(void) memset(&s, 0, sizeof (s));
	id = timeout(fire, &s, 50);
	left = untimeout(id);
	CHECK("untimeout: a pending timeout returns the ticks left",
	    left >= 45 && left <= 50, "expected about 50, saw %ld", left);
	sleep_ms(700);
	CHECK("untimeout: a cancelled timeout never fires", s.sh_fired == 0,
	    "expected no call");
	CHECK("untimeout: cancelling twice returns -1", untimeout(id) == -1,
	    "expected -1");

	(void) memset(&s, 0, sizeof (s));
	id = timeout(fire, &s, 1);
	(void) wait_for(&s.sh_fired, 2000);
	sleep_ms(10);
	CHECK("untimeout: a timeout that has fired returns -1",
	    untimeout(id) == -1, "expected -1");
	CHECK("untimeout: NULL and unknown ids return -1",
	    untimeout(NULL) == -1 &&
	    untimeout((timeout_id_t)(uintptr_t)0x7fffffffffffULL) == -1,
	    "expected -1");

	for (i = 0; i < 1000; i++)
		ids[i] = timeout(fire, &s, 100000);
	for (i = 0; i < 1000; i++) {
		zero += ids[i] == NULL;
		for (j = 0; j < i; j++)
			dup += ids[i] == ids[j];
	}
	for (i = 0; i < 1000; i++)
		(void) untimeout(ids[i]);
	CHECK("timeout: ids are non-zero and never repeat",
	    zero == 0 && dup == 0 && ids[999] != id,
	    "expected 1000 distinct ids, saw %d zero, %d repeated", zero, dup);
}

/* A callback that takes a while (busy: it is interrupt context). */
static void
slow(void *arg)
{
	shot_t *s = arg;

	__atomic_store_n(&s->sh_started, 1, __ATOMIC_SEQ_CST);
	drv_usecwait(300000);
	__atomic_store_n(&s->sh_fired, 1, __ATOMIC_SEQ_CST);
}

static void
cancel_self(void *arg)
{
	shot_t *s = arg;

	while (s->sh_id == NULL)
		drv_usecwait(100);
	s->sh_self_rv = untimeout(s->sh_id);
	s->sh_other_rv = untimeout(s->sh_other);
	__atomic_store_n(&s->sh_fired, 1, __ATOMIC_SEQ_CST);
}

static void
test_untimeout_running(void)
{
	shot_t s, other;
	timeout_id_t id;
	clock_t rv;
	hrtime_t t0, t1;

	(void) memset(&s, 0, sizeof (s));
	id = timeout(slow, &s, 0);
	(void) wait_for(&s.sh_started, 2000);
	t0 = gethrtime();
	rv = untimeout(id);
	t1 = gethrtime();
	CHECK("untimeout: waits for a running callback to finish",
	    s.sh_started && s.sh_fired, "expected the callback done when "
	    "untimeout returned");
	CHECK("untimeout: of a running callback returns -1", rv == -1,
	    "expected -1, saw %ld", rv);
	CHECK("untimeout: the wait lasted while the callback ran",
	    t1 - t0 >= MSEC2NSEC(100), "expected a wait, saw %lld ns",
	    (long long)(t1 - t0));

	(void) memset(&s, 0, sizeof (s));
	(void) memset(&other, 0, sizeof (other));
	s.sh_other = timeout(fire, &other, 50);
	s.sh_id = NULL;
	id = timeout(cancel_self, &s, 0);
	s.sh_id = id;
	CHECK("untimeout: from the callback itself does not deadlock",
	    wait_for(&s.sh_fired, 5000), "expected the callback to finish");
	CHECK("untimeout: from the callback itself returns -1",
	    s.sh_self_rv == -1, "expected -1, saw %ld", s.sh_self_rv);
	CHECK("untimeout: a callback can cancel another pending timeout",
	    s.sh_other_rv >= 0, "expected >= 0, saw %ld", s.sh_other_rv);
	sleep_ms(700);
	CHECK("untimeout: the other timeout never fires",
	    other.sh_fired == 0, "expected no call");
}

/*
 * Periodics.
 */
typedef struct tick {
	volatile int	tk_count;
	volatile int	tk_inside;
	volatile int	tk_intr;
	int		tk_sleep_ms;
} tick_t;

static void
ticker(void *arg)
{
	tick_t *t = arg;

	t->tk_inside = 1;
	t->tk_intr = fk_in_intr();
	__atomic_fetch_add(&t->tk_count, 1, __ATOMIC_SEQ_CST);
	if (t->tk_sleep_ms > 0)
		delay(drv_usectohz(t->tk_sleep_ms * 1000));
	t->tk_inside = 0;
}

static void
test_periodic(void)
{
	tick_t t;
	ddi_periodic_t p;
	int n;

	(void) memset(&t, 0, sizeof (t));
	p = ddi_periodic_add(ticker, &t, MSEC2NSEC(10), DDI_IPL_0);
	CHECK("ddi_periodic_add: returns a non-zero handle", p != NULL,
	    "expected non-NULL");
	sleep_ms(300);
	ddi_periodic_delete(p);
	n = t.tk_count;
	CHECK("ddi_periodic_add: fires repeatedly at its interval",
	    n >= 5 && n <= 32, "expected about 30 calls in 300 ms, saw %d", n);
	CHECK("ddi_periodic_add: level 0 runs in kernel context",
	    t.tk_intr == 0, "expected fk_in_intr() false");
	sleep_ms(100);
	CHECK("ddi_periodic_delete: no call after it returns",
	    t.tk_count == n, "expected %d, saw %d", n, t.tk_count);

	(void) memset(&t, 0, sizeof (t));
	t.tk_sleep_ms = 0;
	p = ddi_periodic_add(ticker, &t, MSEC2NSEC(20), DDI_IPL_5);
	(void) wait_for(&t.tk_count, 2000);
	ddi_periodic_delete(p);
	CHECK("ddi_periodic_add: a level above 0 runs in interrupt context",
	    t.tk_count > 0 && t.tk_intr == 1, "expected fk_in_intr() true");

	(void) memset(&t, 0, sizeof (t));
	t.tk_sleep_ms = 300;
	p = ddi_periodic_add(ticker, &t, MSEC2NSEC(10), DDI_IPL_0);
	(void) wait_for(&t.tk_inside, 2000);
	ddi_periodic_delete(p);
	n = t.tk_count;
	CHECK("ddi_periodic_delete: waits for a running callback",
	    t.tk_inside == 0 && n == 1, "expected the callback finished "
	    "(inside %d, %d calls)", t.tk_inside, n);
	sleep_ms(100);
	CHECK("ddi_periodic_delete: the deleted periodic stays quiet",
	    t.tk_count == n, "expected %d, saw %d", n, t.tk_count);

	(void) memset(&t, 0, sizeof (t));
	t.tk_sleep_ms = 50;
	p = ddi_periodic_add(ticker, &t, MSEC2NSEC(10), DDI_IPL_0);
	sleep_ms(330);
	ddi_periodic_delete(p);
	CHECK("ddi_periodic_add: intervals missed while running are skipped",
	    t.tk_count >= 2 && t.tk_count <= 8,
	    "expected about 6 calls of 50 ms in 330 ms, saw %d", t.tk_count);
}

/*
 * Deaths.
 */
static void
sleeper(void *arg)
{
	(void) arg;
	delay(1);
}

static void
die_block_in_timeout(void *arg)
{
	(void) arg;
	(void) timeout(sleeper, NULL, 0);
	sleep_ms(5000);
}

static kmutex_t held_lock;

static void
keep_lock(void *arg)
{
	(void) arg;
	mutex_enter(&held_lock);
}

static void
die_timeout_holding(void *arg)
{
	(void) arg;
	mutex_init(&held_lock, NULL, MUTEX_DRIVER, NULL);
	(void) timeout(keep_lock, NULL, 0);
	sleep_ms(5000);
}

static ddi_periodic_t self_p;

static void
delete_self(void *arg)
{
	(void) arg;
	while (self_p == NULL)
		drv_usecwait(100);
	ddi_periodic_delete(self_p);
}

static void
die_delete_self(void *arg)
{
	(void) arg;
	self_p = ddi_periodic_add(delete_self, NULL, MSEC2NSEC(10), 0);
	sleep_ms(5000);
}

static void
die_bad_level(void *arg)
{
	(void) arg;
	(void) ddi_periodic_add(ticker, NULL, MSEC2NSEC(10), 11);
}

static void
die_delete_unknown(void *arg)
{
	(void) arg;
	ddi_periodic_delete((ddi_periodic_t)(uintptr_t)0x123456789ULL);
}

static void
test_deaths(void)
{
	expect_death("timeout: blocking in a callback panics",
	    die_block_in_timeout, NULL, "delay in interrupt context");
	expect_death("timeout: a callback returning with a mutex panics",
	    die_timeout_holding, NULL, "holding a mutex");
	expect_death("ddi_periodic_delete: from its own callback panics",
	    die_delete_self, NULL, "called from the periodic callback itself");
	expect_death("ddi_periodic_add: a level above 10 panics",
	    die_bad_level, NULL, "level 11 is not in 0..10");
	expect_death("ddi_periodic_delete: an unknown handle panics",
	    die_delete_unknown, NULL, "is not a live periodic request");
}

static void
test_fini(void)
{
	shot_t s;

	(void) memset(&s, 0, sizeof (s));
	(void) timeout(fire, &s, 100000);
	fk_fini();
	CHECK("fk_fini: reports and cancels pending timeouts",
	    fk_log_find("1 timeout or periodic callbacks were still pending",
	    0) >= 0, "expected the log line");
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };

	(void) alarm(120);	/* a deadlock fails the run, not hangs it */
	CHECK("fk_init: starts", fk_init(&o) == 0, "expected 0");
	test_fire();
	test_order();
	test_untimeout();
	test_untimeout_running();
	test_periodic();
	test_deaths();
	test_fini();
	return (check_exit());
}
