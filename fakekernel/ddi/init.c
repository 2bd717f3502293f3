/*
 * Starting and stopping the fakekernel: options, the platform, the
 * subsystems that need a start (clock, system_taskq), the counters, and
 * the leak report at the end.
 *
 * Options come from the fk_options_t given to fk_init(), each field that
 * is left zero (NULL) falling back on the environment:
 *	fo_platform	FK_PLATFORM	"none" (default) or "vfio"
 *	fo_strict_dma	FK_STRICT_DMA	> 0 on, < 0 off; env "1" is on
 *	fo_intr		FK_INTR		"any" (default), "msi", "msix",
 *					"fixed"
 *	fo_quiet	FK_QUIET	> 0 on, < 0 off; env "1" is on
 * FK_VERBOSE=1 makes "?" messages reach the console.
 *
 * fk_fini() stops what fk_init() started, cancels timeouts and periodics
 * a driver left behind, warns of kstats it never deleted, and reports
 * outstanding kmem (bytes and allocations, from fk_counters) as a log
 * line: a WARNING when something leaked.  It returns; the process goes on.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>
#include <fk.h>
#include <platform/platform.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

fk_counters_t fk_counters;

int fk_strict_dma;
const char *fk_intr_types = "any";
int fk_quiet = -1;
int fk_verbose = -1;

static fk_lock_t fk_init_lock = FK_LOCK_INIT;
static int fk_initialized;

CTASSERT(sizeof (fk_counters_t) % sizeof (uint64_t) == 0);

/* A snapshot of the counters, each read atomically. */
void
fk_counters_get(fk_counters_t *out)
{
	const uint64_t *src = (const uint64_t *)&fk_counters;
	uint64_t *dst = (uint64_t *)out;
	size_t i;

	for (i = 0; i < sizeof (fk_counters_t) / sizeof (uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* An on/off option: the field if set, else the environment. */
static int
fk_opt_flag(int field, const char *env)
{
	const char *v;

	if (field != 0)
		return (field > 0);
	v = getenv(env);
	return (v != NULL && v[0] != '\0' && strcmp(v, "0") != 0);
}

static const char *
fk_opt_string(const char *field, const char *env, const char *def)
{
	const char *v;

	if (field != NULL)
		return (field);
	v = getenv(env);
	return (v != NULL && v[0] != '\0' ? v : def);
}

/*
 * The configuration: FK_DEBUG=0 in the environment is the production one
 * (no kmem debugging, no lock-order witness, no held lists: ddi/kmem.c,
 * ddi/mutex.c), anything else the debug one.  Read at the first call,
 * which comes before any mutex or allocation, and fixed for the life of
 * the process: fk_debug is 1 or 0 from then on.
 */
int fk_debug = -1;

int
fk_debug_resolve(void)
{
	const char *s = getenv("FK_DEBUG");
	int on = s == NULL || strcmp(s, "0") != 0;

	__atomic_store_n(&fk_debug, on, __ATOMIC_RELAXED);
	return (on);
}

static int
fk_intr_types_valid(const char *s)
{
	return (strcmp(s, "any") == 0 || strcmp(s, "msi") == 0 ||
	    strcmp(s, "msix") == 0 || strcmp(s, "fixed") == 0);
}

int
fk_init(const fk_options_t *opts)
{
	static const fk_options_t none;
	const char *platform, *intr;
	int err;

	if (opts == NULL)
		opts = &none;
	fk_lock_enter(&fk_init_lock);
	if (fk_initialized) {
		fk_lock_exit(&fk_init_lock);
		cmn_err(CE_WARN, "fk_init: already initialised");
		return (EALREADY);
	}
	fk_quiet = fk_opt_flag(opts->fo_quiet, "FK_QUIET");
	fk_verbose = fk_opt_flag(0, "FK_VERBOSE");
	fk_strict_dma = fk_opt_flag(opts->fo_strict_dma, "FK_STRICT_DMA");
	platform = fk_opt_string(opts->fo_platform, "FK_PLATFORM", "none");
	intr = fk_opt_string(opts->fo_intr, "FK_INTR", "any");
	if (!fk_intr_types_valid(intr)) {
		fk_lock_exit(&fk_init_lock);
		cmn_err(CE_WARN, "fk_init: FK_INTR \"%s\" is not any, msi, "
		    "msix or fixed", intr);
		return (EINVAL);
	}
	fk_intr_types = intr;

	fk_time_init();
	fk_trap_init();
	(void) fk_root_node();
	if ((err = fk_platform_select(platform)) != 0) {
		fk_lock_exit(&fk_init_lock);
		return (err);
	}
	fk_taskq_init();
	fk_initialized = 1;
	fk_lock_exit(&fk_init_lock);

	cmn_err(CE_CONT, "!fakekernel: platform %s, strict DMA %s, "
	    "interrupts %s\n", platform, fk_strict_dma ? "on" : "off", intr);
	return (0);
}

static void
fk_leak_report(void)
{
	fk_counters_t c;
	uint64_t dropped;

	fk_counters_get(&c);
	if (c.fc_kmem_bytes != 0 || c.fc_kmem_allocs != c.fc_kmem_frees) {
		cmn_err(CE_WARN, "fakekernel: kmem leak: %lld bytes in %lld "
		    "allocations outstanding", (long long)c.fc_kmem_bytes,
		    (long long)(c.fc_kmem_allocs - c.fc_kmem_frees));
	} else {
		cmn_err(CE_CONT, "!fakekernel: no kmem outstanding (%llu "
		    "allocations, all freed)\n",
		    (unsigned long long)c.fc_kmem_allocs);
	}
	if ((dropped = fk_log_dropped_count()) != 0) {
		cmn_err(CE_WARN, "fakekernel: the log was full: %llu messages "
		    "were not kept", (unsigned long long)dropped);
	}
}

void
fk_fini(void)
{
	int n;

	fk_lock_enter(&fk_init_lock);
	if (!fk_initialized) {
		fk_lock_exit(&fk_init_lock);
		return;
	}
	fk_log_flush();
	fk_taskq_fini();
	if ((n = fk_callout_cancel_all()) != 0) {
		cmn_err(CE_WARN, "fakekernel: %d timeout or periodic "
		    "callbacks were still pending; cancelled", n);
	}
	fk_kstat_fini();
	fk_leak_report();
	fk_platform_fini();
	fk_initialized = 0;
	fk_lock_exit(&fk_init_lock);
}
