/*
 * Function definition layout.
 */

static int f(int a)
{
	return (a);
}

static int
g(int a) {
	return (a);
}

static int
	h(int a)
{
	return (a);
}

static int
k(int a,
    int b)
	{
	return (a + b);
}

static int proto(int);
static int table[] = { 1, 2 };
