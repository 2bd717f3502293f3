/*
 * Keywords and their parentheses.
 */

static int
f(int a)
{
	if(a)
		a++;
	for  (;;)
		break;
	while	(a > 0)
		a--;
	switch(a) {
	default:
		break;
	}
	return(a);
}
