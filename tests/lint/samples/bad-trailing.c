/*
 * Whitespace at the end of lines.
 */

static int a = 1; 
static int b = 2;	

static int c = 3;
