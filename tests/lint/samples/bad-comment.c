/* A multi-line comment
 * whose first line has text.
 */

/*
 * A closing that is not alone. */

/*
   a line without the star
 */

static int a;	/*no blank after the opening */
static int b;	/* no blank before the closing*/

static void
f(void)
{
	/*
	 * Indented comment whose closing is out of line.
	*/
	a = b;
}
