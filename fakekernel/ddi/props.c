/*
 * Device properties: ddi_prop_lookup(9F), ddi_prop_get_int(9F),
 * ddi_prop_exists(9F), ddi_prop_update(9F), ddi_prop_remove(9F), and
 * driver.conf-style properties for the lab (fk_prop_conf_set).
 *
 * Each node keeps a list of typed properties (int, int64, string array,
 * byte array), under the node's devi_lock.  A property belongs either to
 * the driver and system (made by ddi_prop_update_*, by the lab or by the
 * framework) or to the driver's global (driver.conf) list, which binding
 * copies in from fk_prop_conf_set().  Lookups search, as the man pages
 * order it, the node's own properties, then its driver.conf ones, then
 * (without DDI_PROP_DONTPASS) the parent's, up to the root.
 * ddi_prop_remove and ddi_prop_remove_all touch only the node's own.
 *
 * Types.  An int lookup matches int properties, int64 matches int64,
 * string lookups match strings; a byte-array lookup returns any
 * property's raw bytes.  Another type is DDI_PROP_CANNOT_DECODE.  A
 * property with no value (a boolean) answers DDI_PROP_END_OF_DATA to the
 * lookups and 1 to ddi_prop_get_int.
 *
 * Devices.  A property remembers the dev_t it was made with;
 * DDI_DEV_T_ANY matches any, another dev_t only its own.  Looking up with
 * DDI_DEV_T_NONE, or updating with DDI_DEV_T_ANY, is DDI_PROP_INVAL_ARG.
 *
 * Values a lookup returns are kmem_alloc'd copies that ddi_prop_free()
 * releases (a header in front records the size and catches frees of
 * anything else).  Lookups and updates may block (user or kernel context
 * only: interrupt context panics); ddi_prop_get_int and ddi_prop_exists
 * do not allocate.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>
#include <fk.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum fk_prop_type {
	FK_PROP_INT,
	FK_PROP_INT64,
	FK_PROP_STRING,		/* p_nelem NUL-terminated strings */
	FK_PROP_BYTE
} fk_prop_type_t;

struct fk_prop {
	char		*p_name;
	dev_t		p_dev;
	fk_prop_type_t	p_type;
	int		p_conf;		/* from driver.conf */
	uint_t		p_nelem;
	size_t		p_len;		/* bytes at p_data */
	void		*p_data;
	struct fk_prop	*p_next;
};

/* The header in front of every value handed to a driver. */
#define	FK_PROPVAL_MAGIC	0x50524f50564c4155ULL	/* "PROPVALU" */
#define	FK_PROPVAL_FREED	0x46524545444d454dULL
#define	FK_KMEM_FREED32		0xdeadbeefU	/* kmem's freed-memory fill */

typedef struct fk_propval {
	uint64_t	pv_magic;
	uint64_t	pv_size;	/* total, header included */
} fk_propval_t;

/* driver.conf entries: (driver, property) pairs. */
typedef struct fk_conf {
	char		*cf_driver;
	struct fk_prop	*cf_prop;
	struct fk_conf	*cf_next;
} fk_conf_t;

static fk_lock_t fk_conf_lock = FK_LOCK_INIT;
static fk_conf_t *fk_confs;

#define	FK_PROP_FLAGS	(DDI_PROP_DONTPASS | DDI_PROP_NOTPROM | \
	DDI_PROP_CANSLEEP | DDI_PROP_DONTSLEEP)

static void
fk_prop_free(struct fk_prop *p)
{
	if (p != NULL) {
		free(p->p_name);
		free(p->p_data);
		free(p);
	}
}

/* A new property holding a copy of len bytes. */
static struct fk_prop *
fk_prop_new(const char *name, dev_t dev, fk_prop_type_t type, uint_t nelem,
    const void *data, size_t len)
{
	struct fk_prop *p;

	if ((p = calloc(1, sizeof (*p))) == NULL ||
	    (p->p_name = strdup(name)) == NULL ||
	    (p->p_data = malloc(len > 0 ? len : 1)) == NULL) {
		fk_prop_free(p);
		return (NULL);
	}
	if (len > 0)
		(void) memcpy(p->p_data, data, len);
	p->p_dev = dev;
	p->p_type = type;
	p->p_nelem = nelem;
	p->p_len = len;
	return (p);
}

static struct fk_prop *
fk_prop_dup(const struct fk_prop *p)
{
	struct fk_prop *n;

	n = fk_prop_new(p->p_name, p->p_dev, p->p_type, p->p_nelem,
	    p->p_data, p->p_len);
	if (n != NULL)
		n->p_conf = p->p_conf;
	return (n);
}

static int
fk_dev_matches(dev_t want, dev_t have)
{
	return (want == DDI_DEV_T_ANY || want == have);
}

/* A node's property by name (devi_lock held); own ones before conf. */
static struct fk_prop *
fk_prop_find(dev_info_t *dip, dev_t dev, const char *name)
{
	struct fk_prop *p, *conf = NULL;

	for (p = DEVI(dip)->devi_props; p != NULL; p = p->p_next) {
		if (strcmp(p->p_name, name) != 0 ||
		    !fk_dev_matches(dev, p->p_dev))
			continue;
		if (!p->p_conf)
			return (p);
		if (conf == NULL)
			conf = p;
	}
	return (conf);
}

/*
 * Search dip (and its ancestors unless DONTPASS) and return a private
 * copy of the property (caller frees it with fk_prop_free).
 */
static struct fk_prop *
fk_prop_search(dev_t dev, dev_info_t *dip, uint_t flags, const char *name)
{
	struct fk_prop *p, *copy = NULL;
	dev_info_t *d;

	for (d = dip; d != NULL; d = ddi_get_parent(d)) {
		fk_lock_enter(&DEVI(d)->devi_lock);
		if ((p = fk_prop_find(d, dev, name)) != NULL &&
		    (copy = fk_prop_dup(p)) == NULL)
			panic("ddi_prop_lookup: out of memory");
		fk_lock_exit(&DEVI(d)->devi_lock);
		if (copy != NULL || (flags & DDI_PROP_DONTPASS))
			break;
	}
	return (copy);
}

static int
fk_prop_args(const char *fn, dev_t dev, dev_info_t *dip, uint_t flags,
    const char *name)
{
	if (flags & ~FK_PROP_FLAGS) {
		cmn_err(CE_WARN, "%s: invalid flag %#x (prop = %s, node = "
		    "%s%d); invalid bits ignored", fn, flags,
		    name != NULL ? name : "NULL",
		    dip != NULL ? ddi_driver_name(dip) : "NULL",
		    dip != NULL ? ddi_get_instance(dip) : -1);
	}
	if (dip == NULL || name == NULL || name[0] == '\0' ||
	    dev == DDI_DEV_T_NONE)
		return (DDI_PROP_INVAL_ARG);
	return (DDI_PROP_SUCCESS);
}

/* A buffer to hand to a driver, freed by ddi_prop_free. */
static void *
fk_propval_alloc(size_t len)
{
	fk_propval_t *pv;

	pv = kmem_zalloc(sizeof (*pv) + len, KM_SLEEP);
	pv->pv_magic = FK_PROPVAL_MAGIC;
	pv->pv_size = sizeof (*pv) + len;
	return (pv + 1);
}

void
ddi_prop_free(void *data)
{
	fk_propval_t *pv;

	if (data == NULL)
		return;
	pv = (fk_propval_t *)data - 1;
	if (pv->pv_magic == FK_PROPVAL_FREED ||
	    (uint32_t)pv->pv_magic == FK_KMEM_FREED32)
		panic("ddi_prop_free(%p): freed twice%s", data,
		    fk_kmem_pattern_hint(pv->pv_magic));
	if (pv->pv_magic != FK_PROPVAL_MAGIC)
		panic("ddi_prop_free(%p): not a value from ddi_prop_lookup%s",
		    data, fk_kmem_pattern_hint(pv->pv_magic));
	pv->pv_magic = FK_PROPVAL_FREED;
	kmem_free(pv, (size_t)pv->pv_size);
}

/*
 * The common lookup: find, check the type, copy out.  "type" is the
 * type asked for (FK_PROP_BYTE takes anything).
 */
static int
fk_prop_lookup(const char *fn, dev_t dev, dev_info_t *dip, uint_t flags,
    const char *name, fk_prop_type_t type, struct fk_prop **pp)
{
	struct fk_prop *p;
	int rv;

	if ((rv = fk_prop_args(fn, dev, dip, flags, name)) != 0)
		return (rv);
	if ((p = fk_prop_search(dev, dip, flags, name)) == NULL)
		return (DDI_PROP_NOT_FOUND);
	if (type != FK_PROP_BYTE && p->p_type != type) {
		fk_prop_free(p);
		return (DDI_PROP_CANNOT_DECODE);
	}
	if (p->p_nelem == 0 || p->p_len == 0) {
		fk_prop_free(p);
		return (DDI_PROP_END_OF_DATA);
	}
	*pp = p;
	return (DDI_PROP_SUCCESS);
}

/*
 * The int, int64 and byte array lookups: a copy of the values; *nelemp
 * counts elements (bytes for a byte array, which takes any type).
 */
static int
fk_prop_lookup_array(const char *fn, dev_t dev, dev_info_t *dip,
    uint_t flags, const char *name, fk_prop_type_t type, void **datap,
    uint_t *nelemp)
{
	struct fk_prop *p;
	int rv;

	fk_assert_may_block(fn);
	if ((rv = fk_prop_lookup(fn, dev, dip, flags, name, type, &p)) !=
	    DDI_PROP_SUCCESS)
		return (rv);
	*datap = fk_propval_alloc(p->p_len);
	(void) memcpy(*datap, p->p_data, p->p_len);
	*nelemp = type == FK_PROP_BYTE ? (uint_t)p->p_len : p->p_nelem;
	fk_prop_free(p);
	return (DDI_PROP_SUCCESS);
}

int
ddi_prop_lookup_int_array(dev_t dev, dev_info_t *dip, uint_t flags,
    char *name, int **datap, uint_t *nelemp)
{
	return (fk_prop_lookup_array("ddi_prop_lookup_int_array", dev, dip,
	    flags, name, FK_PROP_INT, (void **)datap, nelemp));
}

int
ddi_prop_lookup_int64_array(dev_t dev, dev_info_t *dip, uint_t flags,
    char *name, int64_t **datap, uint_t *nelemp)
{
	return (fk_prop_lookup_array("ddi_prop_lookup_int64_array", dev, dip,
	    flags, name, FK_PROP_INT64, (void **)datap, nelemp));
}

int
ddi_prop_lookup_byte_array(dev_t dev, dev_info_t *dip, uint_t flags,
    char *name, uchar_t **datap, uint_t *nelemp)
{
	return (fk_prop_lookup_array("ddi_prop_lookup_byte_array", dev, dip,
	    flags, name, FK_PROP_BYTE, (void **)datap, nelemp));
}

/*
 * A string array comes back as a NULL-terminated vector of pointers
 * followed by the strings, in one allocation.
 */
int
ddi_prop_lookup_string_array(dev_t dev, dev_info_t *dip, uint_t flags,
    char *name, char ***datap, uint_t *nelemp)
{
	struct fk_prop *p;
	char **vec, *s;
	size_t vlen;
	uint_t i;
	int rv;

	fk_assert_may_block("ddi_prop_lookup_string_array");
	if ((rv = fk_prop_lookup("ddi_prop_lookup_string_array", dev, dip,
	    flags, name, FK_PROP_STRING, &p)) != DDI_PROP_SUCCESS)
		return (rv);
	vlen = (p->p_nelem + 1) * sizeof (char *);
	vec = fk_propval_alloc(vlen + p->p_len);
	s = (char *)vec + vlen;
	(void) memcpy(s, p->p_data, p->p_len);
	for (i = 0; i < p->p_nelem; i++) {
		vec[i] = s;
		s += strlen(s) + 1;
	}
	vec[i] = NULL;
	*datap = vec;
	*nelemp = p->p_nelem;
	fk_prop_free(p);
	return (DDI_PROP_SUCCESS);
}

int
ddi_prop_lookup_string(dev_t dev, dev_info_t *dip, uint_t flags, char *name,
    char **datap)
{
	struct fk_prop *p;
	size_t len;
	int rv;

	fk_assert_may_block("ddi_prop_lookup_string");
	if ((rv = fk_prop_lookup("ddi_prop_lookup_string", dev, dip, flags,
	    name, FK_PROP_STRING, &p)) != DDI_PROP_SUCCESS)
		return (rv);
	len = strlen(p->p_data) + 1;
	*datap = fk_propval_alloc(len);
	(void) memcpy(*datap, p->p_data, len);
	fk_prop_free(p);
	return (DDI_PROP_SUCCESS);
}

/*
 * ddi_prop_get_int(9F), ddi_prop_get_int64(9F): the first value; 1 for a
 * boolean; defvalue when absent or not of the type.
 */
static int64_t
fk_prop_get_first(const char *fn, dev_t dev, dev_info_t *dip, uint_t flags,
    const char *name, fk_prop_type_t type, int64_t defvalue)
{
	struct fk_prop *p;
	int64_t v = defvalue;

	switch (fk_prop_lookup(fn, dev, dip, flags, name, type, &p)) {
	case DDI_PROP_SUCCESS:
		if (type == FK_PROP_INT64)
			v = *(int64_t *)p->p_data;
		else
			v = *(int *)p->p_data;
		fk_prop_free(p);
		break;
	case DDI_PROP_END_OF_DATA:
		v = 1;
		break;
	default:
		break;
	}
	return (v);
}

int
ddi_prop_get_int(dev_t dev, dev_info_t *dip, uint_t flags, char *name,
    int defvalue)
{
	return ((int)fk_prop_get_first("ddi_prop_get_int", dev, dip, flags,
	    name, FK_PROP_INT, defvalue));
}

int64_t
ddi_prop_get_int64(dev_t dev, dev_info_t *dip, uint_t flags, char *name,
    int64_t defvalue)
{
	return (fk_prop_get_first("ddi_prop_get_int64", dev, dip, flags, name,
	    FK_PROP_INT64, defvalue));
}

int
ddi_prop_exists(dev_t dev, dev_info_t *dip, uint_t flags, char *name)
{
	struct fk_prop *p;

	if (fk_prop_args("ddi_prop_exists", dev, dip, flags, name) != 0)
		return (0);
	if ((p = fk_prop_search(dev, dip, flags, name)) == NULL)
		return (0);
	fk_prop_free(p);
	return (1);
}

/*
 * Put a property on a node, replacing one of the same name and dev (of
 * the same origin: own or driver.conf).  Takes ownership of p.
 */
static void
fk_prop_install(dev_info_t *dip, struct fk_prop *p)
{
	struct fk_prop **pp, *old;

	fk_lock_enter(&DEVI(dip)->devi_lock);
	for (pp = &DEVI(dip)->devi_props; (old = *pp) != NULL;
	    pp = &old->p_next) {
		if (old->p_conf == p->p_conf && old->p_dev == p->p_dev &&
		    strcmp(old->p_name, p->p_name) == 0) {
			p->p_next = old->p_next;
			*pp = p;
			fk_lock_exit(&DEVI(dip)->devi_lock);
			fk_prop_free(old);
			return;
		}
	}
	p->p_next = NULL;
	*pp = p;
	fk_lock_exit(&DEVI(dip)->devi_lock);
}

static int
fk_prop_update(const char *fn, dev_t dev, dev_info_t *dip, const char *name,
    fk_prop_type_t type, uint_t nelem, const void *data, size_t len)
{
	struct fk_prop *p;

	fk_assert_may_block(fn);
	if (dip == NULL || name == NULL || name[0] == '\0' ||
	    dev == DDI_DEV_T_ANY || (len > 0 && data == NULL))
		return (DDI_PROP_INVAL_ARG);
	if ((p = fk_prop_new(name, dev, type, nelem, data, len)) == NULL)
		return (DDI_PROP_NO_MEMORY);
	fk_prop_install(dip, p);
	return (DDI_PROP_SUCCESS);
}

int
ddi_prop_update_int(dev_t dev, dev_info_t *dip, char *name, int data)
{
	return (fk_prop_update("ddi_prop_update_int", dev, dip, name,
	    FK_PROP_INT, 1, &data, sizeof (data)));
}

int
ddi_prop_update_int64(dev_t dev, dev_info_t *dip, char *name, int64_t data)
{
	return (fk_prop_update("ddi_prop_update_int64", dev, dip, name,
	    FK_PROP_INT64, 1, &data, sizeof (data)));
}

int
ddi_prop_update_int_array(dev_t dev, dev_info_t *dip, char *name, int *data,
    uint_t nelem)
{
	return (fk_prop_update("ddi_prop_update_int_array", dev, dip, name,
	    FK_PROP_INT, nelem, data, nelem * sizeof (int)));
}

int
ddi_prop_update_int64_array(dev_t dev, dev_info_t *dip, char *name,
    int64_t *data, uint_t nelem)
{
	return (fk_prop_update("ddi_prop_update_int64_array", dev, dip, name,
	    FK_PROP_INT64, nelem, data, nelem * sizeof (int64_t)));
}

int
ddi_prop_update_byte_array(dev_t dev, dev_info_t *dip, char *name,
    uchar_t *data, uint_t nelem)
{
	return (fk_prop_update("ddi_prop_update_byte_array", dev, dip, name,
	    FK_PROP_BYTE, nelem, data, nelem));
}

/* Strings are stored back to back, each with its NUL. */
static char *
fk_strings_pack(char **strs, uint_t n, size_t *lenp)
{
	size_t len = 0, l;
	char *buf, *s;
	uint_t i;

	for (i = 0; i < n; i++) {
		if (strs[i] == NULL)
			return (NULL);
		len += strlen(strs[i]) + 1;
	}
	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		return (NULL);
	for (s = buf, i = 0; i < n; i++) {
		l = strlen(strs[i]) + 1;
		(void) memcpy(s, strs[i], l);
		s += l;
	}
	*lenp = len;
	return (buf);
}

int
ddi_prop_update_string_array(dev_t dev, dev_info_t *dip, char *name,
    char **data, uint_t nelem)
{
	size_t len = 0;
	char *buf;
	int rv;

	if (nelem > 0 && data == NULL)
		return (DDI_PROP_INVAL_ARG);
	if ((buf = fk_strings_pack(data, nelem, &len)) == NULL)
		return (DDI_PROP_CANNOT_ENCODE);
	rv = fk_prop_update("ddi_prop_update_string_array", dev, dip, name,
	    FK_PROP_STRING, nelem, buf, len);
	free(buf);
	return (rv);
}

int
ddi_prop_update_string(dev_t dev, dev_info_t *dip, char *name, char *data)
{
	if (data == NULL)
		return (DDI_PROP_INVAL_ARG);
	return (fk_prop_update("ddi_prop_update_string", dev, dip, name,
	    FK_PROP_STRING, 1, data, strlen(data) + 1));
}

/* Remove the node's own property (not a driver.conf one). */
int
ddi_prop_remove(dev_t dev, dev_info_t *dip, char *name)
{
	struct fk_prop **pp, *p;

	if (dip == NULL || name == NULL || name[0] == '\0')
		return (DDI_PROP_INVAL_ARG);
	fk_lock_enter(&DEVI(dip)->devi_lock);
	for (pp = &DEVI(dip)->devi_props; (p = *pp) != NULL; pp = &p->p_next) {
		if (!p->p_conf && fk_dev_matches(dev, p->p_dev) &&
		    strcmp(p->p_name, name) == 0) {
			*pp = p->p_next;
			fk_lock_exit(&DEVI(dip)->devi_lock);
			fk_prop_free(p);
			return (DDI_PROP_SUCCESS);
		}
	}
	fk_lock_exit(&DEVI(dip)->devi_lock);
	return (DDI_PROP_NOT_FOUND);
}

/* Remove the properties of a node, the driver.conf ones too if "all". */
static void
fk_prop_remove_which(dev_info_t *dip, int all)
{
	struct fk_prop **pp, *p, *dead = NULL;

	fk_lock_enter(&DEVI(dip)->devi_lock);
	for (pp = &DEVI(dip)->devi_props; (p = *pp) != NULL; ) {
		if (all || !p->p_conf) {
			*pp = p->p_next;
			p->p_next = dead;
			dead = p;
		} else {
			pp = &p->p_next;
		}
	}
	fk_lock_exit(&DEVI(dip)->devi_lock);
	while ((p = dead) != NULL) {
		dead = p->p_next;
		fk_prop_free(p);
	}
}

void
ddi_prop_remove_all(dev_info_t *dip)
{
	if (dip != NULL)
		fk_prop_remove_which(dip, 0);
}

/* For fk_devi_free: every property goes. */
void
fk_prop_destroy_all(dev_info_t *dip)
{
	fk_prop_remove_which(dip, 1);
}

/*
 * driver.conf-style properties.
 */

/* Is tok (length len) a whole integer?  Its value in *vp. */
static int
fk_conf_integer(const char *tok, size_t len, long long *vp)
{
	char buf[64], *end;

	if (len == 0 || len >= sizeof (buf))
		return (0);
	(void) memcpy(buf, tok, len);
	buf[len] = '\0';
	errno = 0;
	*vp = strtoll(buf, &end, 0);
	return (errno == 0 && *end == '\0' && end != buf);
}

/*
 * Split "v1,v2,..." into values: quoted strings or bare words; fills
 * starts/lens (quotes removed) and says whether all are integers.
 */
static int
fk_conf_split(const char *v, const char **starts, size_t *lens, int max,
    int *all_int)
{
	int n = 0;
	long long x;

	*all_int = 1;
	for (;;) {
		if (n == max)
			return (-1);
		if (*v == '"') {
			starts[n] = ++v;
			while (*v != '\0' && *v != '"')
				v++;
			if (*v != '"')
				return (-1);
			lens[n] = (size_t)(v - starts[n]);
			*all_int = 0;
			v++;
		} else {
			starts[n] = v;
			lens[n] = strcspn(v, ",");
			v += lens[n];
			if (!fk_conf_integer(starts[n], lens[n], &x))
				*all_int = 0;
		}
		n++;
		if (*v == '\0')
			return (n);
		if (*v != ',')
			return (-1);
		v++;
	}
}

/* Parse "name=value[,value...]" or "name" into a property. */
static struct fk_prop *
fk_conf_parse(const char *spec)
{
	const char *eq, *starts[256];
	size_t lens[256], nlen, len = 0;
	char name[256], *buf = NULL, *s;
	int n, all_int, i, is64 = 0;
	long long x, vals[256];
	int ivals[256];
	struct fk_prop *p;

	eq = strchr(spec, '=');
	nlen = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
	if (nlen == 0 || nlen >= sizeof (name))
		return (NULL);
	(void) memcpy(name, spec, nlen);
	name[nlen] = '\0';
	if (eq == NULL)
		return (fk_prop_new(name, DDI_DEV_T_NONE, FK_PROP_INT, 0, NULL,
		    0));
	if ((n = fk_conf_split(eq + 1, starts, lens, 256, &all_int)) < 0)
		return (NULL);
	if (all_int) {
		for (i = 0; i < n; i++) {
			(void) fk_conf_integer(starts[i], lens[i], &x);
			vals[i] = x;
			if (x < INT_MIN || x > INT_MAX)
				is64 = 1;
		}
		if (is64) {
			return (fk_prop_new(name, DDI_DEV_T_NONE,
			    FK_PROP_INT64, (uint_t)n, vals,
			    (size_t)n * sizeof (int64_t)));
		}
		for (i = 0; i < n; i++)
			ivals[i] = (int)vals[i];
		return (fk_prop_new(name, DDI_DEV_T_NONE, FK_PROP_INT,
		    (uint_t)n, ivals, (size_t)n * sizeof (int)));
	}
	for (i = 0; i < n; i++)
		len += lens[i] + 1;
	if ((buf = malloc(len)) == NULL)
		return (NULL);
	for (s = buf, i = 0; i < n; i++) {
		(void) memcpy(s, starts[i], lens[i]);
		s[lens[i]] = '\0';
		s += lens[i] + 1;
	}
	p = fk_prop_new(name, DDI_DEV_T_NONE, FK_PROP_STRING, (uint_t)n, buf,
	    len);
	free(buf);
	return (p);
}

int
fk_prop_conf_set(const char *driver, const char *spec)
{
	fk_conf_t *cf, **cfp;
	struct fk_prop *p;

	if (driver == NULL || spec == NULL)
		return (EINVAL);
	if ((p = fk_conf_parse(spec)) == NULL) {
		cmn_err(CE_WARN, "fk_prop_conf_set(%s): cannot parse \"%s\"",
		    driver, spec);
		return (EINVAL);
	}
	p->p_conf = 1;
	fk_lock_enter(&fk_conf_lock);
	for (cfp = &fk_confs; (cf = *cfp) != NULL; cfp = &cf->cf_next) {
		if (strcmp(cf->cf_driver, driver) == 0 &&
		    strcmp(cf->cf_prop->p_name, p->p_name) == 0) {
			fk_prop_free(cf->cf_prop);
			cf->cf_prop = p;
			fk_lock_exit(&fk_conf_lock);
			return (0);
		}
	}
	if ((cf = calloc(1, sizeof (*cf))) == NULL ||
	    (cf->cf_driver = strdup(driver)) == NULL) {
		fk_lock_exit(&fk_conf_lock);
		free(cf);
		fk_prop_free(p);
		return (ENOMEM);
	}
	cf->cf_prop = p;
	*cfp = cf;
	fk_lock_exit(&fk_conf_lock);
	return (0);
}

void
fk_prop_conf_clear(const char *driver)
{
	fk_conf_t *cf, **cfp;

	fk_lock_enter(&fk_conf_lock);
	for (cfp = &fk_confs; (cf = *cfp) != NULL; ) {
		if (driver != NULL && strcmp(cf->cf_driver, driver) != 0) {
			cfp = &cf->cf_next;
			continue;
		}
		*cfp = cf->cf_next;
		fk_prop_free(cf->cf_prop);
		free(cf->cf_driver);
		free(cf);
	}
	fk_lock_exit(&fk_conf_lock);
}

/* At bind: copy the driver's driver.conf properties onto the node. */
void
fk_prop_conf_apply(dev_info_t *dip, const char *driver)
{
	struct fk_prop *p;
	fk_conf_t *cf;

	fk_lock_enter(&fk_conf_lock);
	for (cf = fk_confs; cf != NULL; cf = cf->cf_next) {
		if (strcmp(cf->cf_driver, driver) != 0)
			continue;
		if ((p = fk_prop_dup(cf->cf_prop)) == NULL)
			panic("fk_prop_conf_apply: out of memory");
		fk_prop_install(dip, p);
	}
	fk_lock_exit(&fk_conf_lock);
}
