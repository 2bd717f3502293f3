/*
 * The clock: gethrtime, lbolt, tick conversions, delay(9F) and
 * drv_usecwait(9F).
 *
 * gethrtime() is CLOCK_MONOTONIC in nanoseconds.  The tick is 1/FK_HZ s
 * (hz, as <sys/param.h> declares it, is 100); lbolt counts ticks since the
 * fakekernel started (fk_time_init(), or the first clock call).
 *
 * drv_usecwait() is a busy wait and may be used in interrupt context.
 * Waits longer than FK_SPIN_NS sleep for all but the last FK_SPIN_NS
 * (the caller cannot tell the difference, and the two CPUs the lab has
 * are shared with the device model).  delay() sleeps and so panics in
 * interrupt context.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/systm.h>
#include <sys/time.h>
#include <fk_impl.h>

#include <errno.h>
#include <time.h>

#define	FK_TICK_NS	(NANOSEC / FK_HZ)
#define	FK_SPIN_NS	(100 * (NANOSEC / MICROSEC))	/* 100 us */

static hrtime_t fk_boot_hrtime;
static fk_once_t fk_time_once = FK_ONCE_INIT;

hrtime_t
gethrtime(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((hrtime_t)ts.tv_sec * NANOSEC + ts.tv_nsec);
}

static void
fk_time_start(void)
{
	fk_boot_hrtime = gethrtime();
}

/* Start the tick count (idempotent). */
void
fk_time_init(void)
{
	fk_once(&fk_time_once, fk_time_start);
}

/* The hrtime at which lbolt was 0. */
hrtime_t
fk_time_boot(void)
{
	fk_time_init();
	return (fk_boot_hrtime);
}

int64_t
ddi_get_lbolt64(void)
{
	return ((gethrtime() - fk_time_boot()) / FK_TICK_NS);
}

clock_t
ddi_get_lbolt(void)
{
	return ((clock_t)ddi_get_lbolt64());
}

time_t
ddi_get_time(void)
{
	return (time(NULL));
}

/* Microseconds to ticks, rounded up: any wait lasts at least as asked. */
clock_t
drv_usectohz(clock_t usec)
{
	const clock_t per = MICROSEC / FK_HZ;

	if (usec <= 0)
		return (0);
	if (usec > LONG_MAX - per)
		return (LONG_MAX / per);
	return ((usec + per - 1) / per);
}

clock_t
drv_hztousec(clock_t ticks)
{
	const clock_t per = MICROSEC / FK_HZ;

	if (ticks <= 0)
		return (0);
	if (ticks > LONG_MAX / per)
		return (LONG_MAX);
	return (ticks * per);
}

/* Sleep until a gethrtime() value. */
void
fk_sleep_until(hrtime_t when)
{
	struct timespec ts;

	ts.tv_sec = when / NANOSEC;
	ts.tv_nsec = when % NANOSEC;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		continue;
}

static inline void
fk_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

void
drv_usecwait(clock_t usec)
{
	hrtime_t end;

	if (usec <= 0)
		return;
	end = gethrtime() + USEC2NSEC(usec);
	if (USEC2NSEC(usec) > FK_SPIN_NS)
		fk_sleep_until(end - FK_SPIN_NS);
	while (gethrtime() < end)
		fk_cpu_relax();
}

void
delay(clock_t ticks)
{
	fk_assert_may_block("delay");
	if (ticks <= 0)
		return;
	fk_sleep_until(gethrtime() + (hrtime_t)ticks * FK_TICK_NS);
}
