/*
 * Choosing the platform backend: fk_platform points at the ops table in
 * use, set by fk_platform_select() (from fk_init) after the backend's
 * po_init succeeds, and cleared by fk_platform_fini() (from fk_fini).  A
 * table of another FK_PLAT_VERSION is refused.
 *
 * Both tables are referenced strongly: that reference is what makes the
 * linker take vfio.o (and what it uses) out of libfakekernel.a, since
 * nothing else names it.  A backend whose table is missing at run time
 * (a weak build of this file) is reported as not linked in.
 */

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <fk_impl.h>
#include <platform/platform.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

const fk_plat_ops_t *fk_platform;

static const fk_plat_ops_t *
fk_platform_find(const char *name)
{
	if (strcmp(name, "none") == 0)
		return (&fk_plat_none);
	if (strcmp(name, "vfio") == 0)
		return (&fk_plat_vfio);
	return (NULL);
}

/*
 * Select and start a backend.  Returns 0 or an errno value: EINVAL for an
 * unknown name, ENOTSUP for one not linked in, else po_init's.
 */
int
fk_platform_select(const char *name)
{
	const fk_plat_ops_t *ops;
	int err;

	if (name == NULL)
		name = "none";
	if (strcmp(name, "none") != 0 && strcmp(name, "vfio") != 0) {
		cmn_err(CE_WARN, "fakekernel: unknown platform \"%s\" (the "
		    "platforms are \"none\" and \"vfio\")", name);
		return (EINVAL);
	}
	if ((ops = fk_platform_find(name)) == NULL || ops->po_name == NULL) {
		cmn_err(CE_WARN, "fakekernel: platform \"%s\" is not linked "
		    "into this program", name);
		return (ENOTSUP);
	}
	if (ops->po_version != FK_PLAT_VERSION) {
		cmn_err(CE_WARN, "fakekernel: platform \"%s\" is of seam "
		    "version %u, not %u", name, ops->po_version,
		    FK_PLAT_VERSION);
		return (ENOTSUP);
	}
	if (fk_platform == ops)
		return (0);
	if (fk_platform != NULL)
		fk_platform_fini();
	if (ops->po_init != NULL && (err = ops->po_init()) != 0) {
		cmn_err(CE_WARN, "fakekernel: platform \"%s\" failed to start "
		    "(error %d)", name, err);
		return (err);
	}
	fk_platform = ops;
	return (0);
}

/* Stop the backend in use, if any. */
void
fk_platform_fini(void)
{
	const fk_plat_ops_t *ops = fk_platform;

	fk_platform = NULL;
	if (ops != NULL && ops->po_fini != NULL)
		ops->po_fini();
}

/*
 * Vectors as eventfds (platform.h).  The descriptors block: a waiter
 * sleeps in read(2) until the vector fires, and one read takes every
 * firing since the last (the counter), so a batch of them is one
 * wake-up.  A stop sets ev_stop and writes the descriptor: the waiter
 * wakes, or finds it readable on its next wait, and sees the flag.
 */
int
fk_plat_evvec_open(fk_plat_evvec_t *ev, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ev[i].ev_stop = 0;
		ev[i].ev_bound = 0;
		if ((ev[i].ev_fd = eventfd(0, EFD_CLOEXEC)) < 0) {
			fk_plat_evvec_close(ev, i);
			return (-1);
		}
	}
	return (0);
}

void
fk_plat_evvec_close(fk_plat_evvec_t *ev, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ev[i].ev_fd >= 0)
			(void) close(ev[i].ev_fd);
		ev[i].ev_fd = -1;
	}
}

int
fk_plat_evvec_wait(fk_plat_evvec_t *ev)
{
	uint64_t cnt;
	ssize_t n;

	for (;;) {
		if (__atomic_exchange_n(&ev->ev_stop, 0, __ATOMIC_ACQ_REL))
			break;
		n = read(ev->ev_fd, &cnt, sizeof (cnt));
		if (n == (ssize_t)sizeof (cnt)) {
			if (__atomic_exchange_n(&ev->ev_stop, 0,
			    __ATOMIC_ACQ_REL))
				break;
			return (FK_PLAT_INTR_FIRED);
		}
		if (n < 0 && errno != EINTR)
			break;
	}
	ev->ev_bound = 0;	/* the waiter ends: the next is placed anew */
	return (FK_PLAT_INTR_STOP);
}

int
fk_plat_evvec_post(fk_plat_evvec_t *ev, int what)
{
	uint64_t one = 1;

	if (what == FK_PLAT_INTR_STOP)
		__atomic_store_n(&ev->ev_stop, 1, __ATOMIC_RELEASE);
	return (write(ev->ev_fd, &one, sizeof (one)) == sizeof (one) ? 0 : -1);
}
