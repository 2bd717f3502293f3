/*
 * Unparenthesised return expressions.
 */

static int
f(int a)
{
	if (a == 0)
		return a;
	if (a == 1)
		return (a) + 1;
	if (a == 2)
		return -1;
	return (a);
}
