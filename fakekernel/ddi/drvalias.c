/*
 * Driver aliases: the fakekernel's /etc/driver_aliases, and fk_add_drv()
 * and fk_rem_drv(), which stand in for add_drv(8) -i and rem_drv(8).
 *
 * An alias is a name a device node may carry in its "compatible"
 * property ("pci15ad,7c0", "pciex8086,10d3", "pciclass,010802" ...); the
 * node binds to the driver of the first of its compatible names that is
 * an alias, as illumos binds (ddi/pci.c asks fk_alias_driver()).  Alias
 * lists are written as add_drv -i takes them: names separated by white
 * space, each optionally in double quotes, e.g. "\"pciex15ad,7c0\"
 * \"pci15ad,7c0\"".  An alias names one driver: fk_add_drv() refuses one
 * that another driver has (EEXIST), as add_drv does; adding a driver again
 * replaces its list.
 *
 * fk_add_drv() also has the platform claim the PCI functions the aliases
 * match (fk_pci_claim_names, ddi/pci.c): the platform's backend is told
 * which functions to take, and knows nothing of drivers.  The table lives
 * for the life of the process, as the file does across reboots; claims
 * end with fk_fini, so a program that starts the fakekernel again adds its
 * drivers again.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <fk_impl.h>
#include <fk.h>

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define	FK_MAXALIAS	128

typedef struct fk_alias {
	char	fa_name[FK_ALIAS_LEN];
	char	fa_driver[FK_DRVNAME_LEN];
} fk_alias_t;

static fk_lock_t fk_alias_lock = FK_LOCK_INIT;
static fk_alias_t fk_aliases[FK_MAXALIAS];
static int fk_naliases;

/*
 * An alias list into names[0..max): the number of names, or -1 for a
 * malformed list (an unbalanced quote, an empty or too long name, more
 * than max names, none at all).
 */
int
fk_alias_parse(const char *list, char (*names)[FK_ALIAS_LEN], int max)
{
	const char *p = list, *start;
	size_t len;
	int n = 0, quoted;

	if (list == NULL)
		return (-1);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if ((quoted = (*p == '"')) != 0)
			p++;
		start = p;
		while (*p != '\0' && (quoted ? *p != '"' :
		    !isspace((unsigned char)*p) && *p != '"'))
			p++;
		len = (size_t)(p - start);
		if ((quoted && *p != '"') || (!quoted && *p == '"') ||
		    len == 0 || len >= FK_ALIAS_LEN || n == max)
			return (-1);
		(void) memcpy(names[n], start, len);
		names[n++][len] = '\0';
		if (quoted)
			p++;
	}
	return (n > 0 ? n : -1);
}

/* The table entry of alias name (fk_alias_lock held), or NULL. */
static fk_alias_t *
fk_alias_find(const char *name)
{
	int i;

	for (i = 0; i < fk_naliases; i++) {
		if (strcmp(fk_aliases[i].fa_name, name) == 0)
			return (&fk_aliases[i]);
	}
	return (NULL);
}

static void
fk_alias_drop(const char *driver)
{
	int i = 0;

	while (i < fk_naliases) {
		if (strcmp(fk_aliases[i].fa_driver, driver) == 0)
			fk_aliases[i] = fk_aliases[--fk_naliases];
		else
			i++;
	}
}

/*
 * The driver bound to the first of n compatible names that is an alias,
 * copied to driver[FK_DRVNAME_LEN]; 0, or -1 when none is.
 */
int
fk_alias_driver(char (*compat)[FK_ALIAS_LEN], int n, char *driver)
{
	fk_alias_t *fa = NULL;
	int i;

	fk_lock_enter(&fk_alias_lock);
	for (i = 0; i < n && fa == NULL; i++)
		fa = fk_alias_find(compat[i]);
	if (fa != NULL)
		(void) strlcpy(driver, fa->fa_driver, FK_DRVNAME_LEN);
	fk_lock_exit(&fk_alias_lock);
	return (fa != NULL ? 0 : -1);
}

int
fk_add_drv(const char *driver, const char *aliases)
{
	char names[FK_MAXALIAS][FK_ALIAS_LEN];
	fk_alias_t *fa;
	int n, i;

	if (driver == NULL || *driver == '\0' ||
	    strlen(driver) >= FK_DRVNAME_LEN ||
	    (n = fk_alias_parse(aliases, names, FK_MAXALIAS)) < 0)
		return (EINVAL);
	fk_lock_enter(&fk_alias_lock);
	for (i = 0; i < n; i++) {
		if ((fa = fk_alias_find(names[i])) != NULL &&
		    strcmp(fa->fa_driver, driver) != 0) {
			fk_lock_exit(&fk_alias_lock);
			return (EEXIST);
		}
	}
	fk_alias_drop(driver);
	if (fk_naliases + n > FK_MAXALIAS) {
		fk_lock_exit(&fk_alias_lock);
		return (ENOSPC);
	}
	for (i = 0; i < n; i++) {
		fa = &fk_aliases[fk_naliases++];
		(void) strlcpy(fa->fa_name, names[i], sizeof (fa->fa_name));
		(void) strlcpy(fa->fa_driver, driver, sizeof (fa->fa_driver));
	}
	fk_lock_exit(&fk_alias_lock);
	(void) fk_pci_claim_names(names, n);
	return (0);
}

void
fk_rem_drv(const char *driver)
{
	fk_lock_enter(&fk_alias_lock);
	fk_alias_drop(driver);
	fk_lock_exit(&fk_alias_lock);
}
