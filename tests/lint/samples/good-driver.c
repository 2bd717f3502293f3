/*
 * This file and its contents are supplied under the terms of the
 * Common Development and Distribution License ("CDDL"), version 1.0.
 */

/*
 * A sample shaped like an illumos HBA driver, which cstyle must accept.
 *
 * Overview
 * --------
 *
 * The state machine:
 *
 *	FREE --> QUEUED --> ACTIVE --> DONE
 *	  ^                               |
 *	  +-------------------------------+
 */

#include <sys/types.h>
#include <sys/sunddi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	XS_MAX_TARGETS	64
#define	XS_LOCK(sp)	mutex_enter(&(sp)->xs_mutex)
#define	XS_CHECK(sp, x)	do {					\
		if ((x) == 0)						\
			return (DDI_FAILURE);				\
	} while (0)

typedef struct xs_softc {
	dev_info_t	*xs_dip;
	kmutex_t	xs_mutex;	/* protects everything below */
	uint32_t	xs_flags : 4;
	int		(*xs_cb)(void *, int);
} xs_softc_t;

typedef enum xs_state {
	XS_FREE = 0,
	XS_QUEUED,
	XS_DONE
} xs_state_t;

static int xs_attach(dev_info_t *, ddi_attach_cmd_t);
static int xs_detach(dev_info_t *, ddi_detach_cmd_t);
static void *xs_state;

static struct dev_ops xs_dev_ops = {
	.devo_rev =		DEVO_REV,
	.devo_getinfo =		nodev,
	.devo_identify =	nulldev,
	.devo_attach =		xs_attach,
	.devo_detach =		xs_detach,
	.devo_quiesce =		ddi_quiesce_not_needed,
};

static const char *xs_names[] = { "a", "b", NULL };

static xs_softc_t *
xs_lookup(dev_info_t *dip)
{
	return (ddi_get_soft_state(xs_state, ddi_get_instance(dip)));
}

static void __attribute__((unused))
xs_unused(void)
{
}

static int
xs_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	xs_softc_t *sp;
	int i;

	if (cmd != DDI_ATTACH)
		return (DDI_FAILURE);
	sp = xs_lookup(dip);
	XS_CHECK(sp, sp != NULL);
	for (i = 0; xs_names[i] != NULL; i++) {
		switch (i) {
		case 0:
			sp->xs_flags |= 1;
			break;
		default:
			goto fail;
		}
	}
	i = sp->xs_flags != 0 ? DDI_SUCCESS :
	    DDI_FAILURE;
	dev_err(dip, CE_NOTE, "attached: %d targets, %s", XS_MAX_TARGETS,
	    "/* not a comment */ // nor this");
	return (i);

fail:
	sp->xs_flags = 0;
	return (DDI_FAILURE);
}

static int
xs_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	char c = '{';

	if (cmd == DDI_DETACH && c == '{') {
		return (DDI_SUCCESS);
	} else if (cmd == DDI_SUSPEND) {
		return (DDI_FAILURE);
	} else {
		return (DDI_FAILURE);
	}
}

#ifdef __cplusplus
}
#endif
