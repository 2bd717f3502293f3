/*
 * The clock: tick conversions (rounding up), lbolt against real time,
 * gethrtime, delay (and its panic in interrupt context), drv_usecwait
 * (allowed in interrupt context), ddi_get_time.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/systm.h>
#include <sys/time.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "lib/expect.h"

static void
test_conversions(void)
{
	(void) CHECK("drv_usectohz: hz is 100", hz == 100,
	    "expected 100, saw %d", hz);
	CHECK("drv_usectohz: 0 us is 0 ticks", drv_usectohz(0) == 0,
	    "expected 0, saw %ld", drv_usectohz(0));
	CHECK("drv_usectohz: 1 us rounds up to 1 tick", drv_usectohz(1) == 1,
	    "expected 1, saw %ld", drv_usectohz(1));
	CHECK("drv_usectohz: 10000 us is exactly 1 tick",
	    drv_usectohz(10000) == 1, "expected 1, saw %ld",
	    drv_usectohz(10000));
	CHECK("drv_usectohz: 10001 us rounds up to 2 ticks",
	    drv_usectohz(10001) == 2, "expected 2, saw %ld",
	    drv_usectohz(10001));
	CHECK("drv_usectohz: 1 s is 100 ticks", drv_usectohz(1000000) == 100,
	    "expected 100, saw %ld", drv_usectohz(1000000));
	CHECK("drv_usectohz: negative is 0", drv_usectohz(-5) == 0,
	    "expected 0, saw %ld", drv_usectohz(-5));
	CHECK("drv_usectohz: huge values do not overflow",
	    drv_usectohz(LONG_MAX) > 0, "expected a positive count, saw %ld",
	    drv_usectohz(LONG_MAX));
	CHECK("drv_hztousec: 1 tick is 10000 us", drv_hztousec(1) == 10000,
	    "expected 10000, saw %ld", drv_hztousec(1));
	CHECK("drv_hztousec: 100 ticks is 1 s", drv_hztousec(100) == 1000000,
	    "expected 1000000, saw %ld", drv_hztousec(100));
	CHECK("drv_hztousec: saturates instead of overflowing",
	    drv_hztousec(LONG_MAX) == LONG_MAX, "expected LONG_MAX, saw %ld",
	    drv_hztousec(LONG_MAX));
}

static void
test_clocks(void)
{
	hrtime_t t0, t1;
	clock_t l0, l1;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int64_t expect;

	t0 = gethrtime();
	(void) nanosleep(&ts, NULL);
	t1 = gethrtime();
	CHECK("gethrtime: counts nanoseconds", t1 - t0 >= MSEC2NSEC(50) &&
	    t1 - t0 < SEC2NSEC(2), "expected >= 50 ms, saw %lld ns",
	    (long long)(t1 - t0));

	expect = (gethrtime() - fk_time_boot()) / (NANOSEC / hz);
	l0 = ddi_get_lbolt();
	CHECK("ddi_get_lbolt: ticks since the fakekernel started",
	    l0 >= expect && l0 <= expect + 50, "expected about %lld, saw %ld",
	    (long long)expect, l0);
	CHECK("ddi_get_lbolt: starts near 0 at fk_init", l0 < 10 * hz,
	    "expected under 10 s of ticks, saw %ld", l0);

	t0 = gethrtime();
	delay(10);
	t1 = gethrtime();
	l1 = ddi_get_lbolt();
	CHECK("delay: sleeps at least the ticks asked",
	    t1 - t0 >= MSEC2NSEC(100) && t1 - t0 < SEC2NSEC(3),
	    "expected >= 100 ms, saw %lld ns", (long long)(t1 - t0));
	CHECK("ddi_get_lbolt: advances with time", l1 - l0 >= 10 &&
	    l1 - l0 < 300, "expected >= 10 ticks, saw %ld", l1 - l0);
	CHECK("ddi_get_lbolt64: agrees with ddi_get_lbolt",
	    ddi_get_lbolt64() - ddi_get_lbolt() <= 1,
	    "expected the same count");

	t0 = gethrtime();
	delay(0);
	delay(-3);
	t1 = gethrtime();
	CHECK("delay: zero or negative ticks return at once",
	    t1 - t0 < MSEC2NSEC(50), "expected < 50 ms, saw %lld ns",
	    (long long)(t1 - t0));

	CHECK("ddi_get_time: wall-clock seconds",
	    llabs((long long)(ddi_get_time() - time(NULL))) <= 1,
	    "expected about %ld, saw %ld", (long)time(NULL),
	    (long)ddi_get_time());
}

static void *
usecwait_in_intr(void *arg)
{
	hrtime_t *took = arg, t0;

	fk_intr_enter(5);
	t0 = gethrtime();
	drv_usecwait(3000);
	*took = gethrtime() - t0;
	fk_intr_exit();
	return (NULL);
}

static void
test_usecwait(void)
{
	hrtime_t t0, t1, took = 0;
	fk_tid_t tid;

	t0 = gethrtime();
	drv_usecwait(50);
	t1 = gethrtime();
	CHECK("drv_usecwait: waits at least 50 us", t1 - t0 >= USEC2NSEC(50),
	    "expected >= 50000 ns, saw %lld", (long long)(t1 - t0));
	t0 = gethrtime();
	drv_usecwait(20000);
	t1 = gethrtime();
	CHECK("drv_usecwait: waits at least 20 ms",
	    t1 - t0 >= MSEC2NSEC(20) && t1 - t0 < SEC2NSEC(2),
	    "expected >= 20 ms, saw %lld ns", (long long)(t1 - t0));
	(void) fk_thread_create(&tid, "intr", usecwait_in_intr, &took);
	(void) fk_thread_join(tid, NULL);
	CHECK("drv_usecwait: allowed in interrupt context",
	    took >= MSEC2NSEC(3), "expected >= 3 ms, saw %lld ns",
	    (long long)took);
}

static void
die_delay_in_intr(void *arg)
{
	(void) arg;
	fk_intr_enter(3);
	delay(1);
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };

	CHECK("fk_init: starts", fk_init(&o) == 0, "expected 0");
	test_conversions();
	test_clocks();
	test_usecwait();
	expect_death("delay: panics in interrupt context", die_delay_in_intr,
	    NULL, "delay in interrupt context");
	fk_fini();
	return (check_exit());
}
