/*
 * else placement.
 */

static int
f(int a)
{
	if (a) {
		a++;
	}
	else {
		a--;
	}
	if (a) {
		a++;
	}else{
		a--;
	}
	if (a) {
		a++;
	} else
	{
		a--;
	}
	return (a);
}
