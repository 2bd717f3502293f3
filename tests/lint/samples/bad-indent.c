/*
 * Indentation by spaces.
 */

static int
f(int a)
{
        int b = a;
	int c = 0;

    	c = b;
	if (a > 0) {
	    c++;
	}
	if (a == b) {
	    c--;
	}
	c = a +
	    b;
	return (c);
}
