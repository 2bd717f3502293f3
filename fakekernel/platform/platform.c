/*
 * Choosing the platform backend: fk_platform points at the ops table in
 * use, set by fk_platform_select() (from fk_init) after the backend's
 * po_init succeeds, and cleared by fk_platform_fini() (from fk_fini).
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
#include <string.h>

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
