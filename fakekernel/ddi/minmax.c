/*
 * min(9F), max(9F): the smaller and the larger of two integers.
 */
#include <sys/types.h>
#include <sys/ddi.h>

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
