/*
 * The kernel's min() and max() of two ints (sys/systm.h).  A driver that
 * includes sys/ddi.h gets macros of the same names instead, as in illumos.
 */
#include <sys/types.h>
#include <sys/systm.h>

int
min(int a, int b)
{
	return (a < b ? a : b);
}

int
max(int a, int b)
{
	return (a > b ? a : b);
}
