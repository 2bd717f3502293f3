/*
 * What a driver may put in its cb_ops(9S) and dev_ops(9S) when it has no
 * use of its own for an entry point: nochpoll(9F), ddi_no_info(9F), and
 * ddi_prop_op(9F), prop_op(9E) on the node's properties.
 */
#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/kmem.h>

#include <errno.h>
#include <string.h>

int
nochpoll(dev_t dev, short events, int anyyet, short *reventsp,
    struct pollhead **phpp)
{
	(void) dev;
	(void) events;
	(void) anyyet;
	(void) reventsp;
	(void) phpp;
	return (ENXIO);
}

int
ddi_no_info(dev_info_t *dip, ddi_info_cmd_t cmd, void *arg, void **resultp)
{
	(void) dip;
	(void) cmd;
	(void) arg;
	(void) resultp;
	return (DDI_FAILURE);
}

/*
 * The property's value as bytes (a byte-array lookup returns any
 * property's encoding; a property without a value has none), its length
 * into *lengthp, and per prop_op: nothing more (PROP_LEN, PROP_EXISTS),
 * a copy into the caller's buffer of *lengthp bytes
 * (PROP_LEN_AND_VAL_BUF; DDI_PROP_BUF_TOO_SMALL with the length needed
 * when it does not fit), or into a kmem_alloc'd one the caller frees
 * (PROP_LEN_AND_VAL_ALLOC, *(caddr_t *)valuep).
 */
int
ddi_prop_op(dev_t dev, dev_info_t *dip, ddi_prop_op_t prop_op, int flags,
    char *name, caddr_t valuep, int *lengthp)
{
	uchar_t *data = NULL;
	uint_t n = 0;
	caddr_t buf;
	int rv;

	rv = ddi_prop_lookup_byte_array(dev, dip, flags & ~DDI_PROP_CANSLEEP,
	    name, &data, &n);
	if (rv == DDI_PROP_END_OF_DATA)
		n = 0;
	else if (rv != DDI_PROP_SUCCESS)
		return (rv);
	rv = DDI_PROP_SUCCESS;
	switch (prop_op) {
	case PROP_LEN:
	case PROP_EXISTS:
		*lengthp = (int)n;
		break;
	case PROP_LEN_AND_VAL_BUF:
		if ((int)n > *lengthp)
			rv = DDI_PROP_BUF_TOO_SMALL;
		else if (n > 0)
			bcopy(data, valuep, n);
		*lengthp = (int)n;
		break;
	case PROP_LEN_AND_VAL_ALLOC:
		buf = kmem_alloc(MAX(n, 1), (flags & DDI_PROP_CANSLEEP) ?
		    KM_SLEEP : KM_NOSLEEP);
		if (buf == NULL) {
			rv = DDI_PROP_NO_MEMORY;
			break;
		}
		if (n > 0)
			bcopy(data, buf, n);
		*(caddr_t *)(void *)valuep = buf;
		*lengthp = (int)n;
		break;
	default:
		rv = DDI_PROP_INVAL_ARG;
		break;
	}
	if (data != NULL)
		ddi_prop_free(data);
	return (rv);
}
