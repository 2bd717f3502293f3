/*
 * C++ comments.
 */

static int a;	// a trailing one

// a whole-line one
static const char *url = "http://not.a/comment";
