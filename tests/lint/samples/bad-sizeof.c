/*
 * sizeof without a space and parentheses.
 */

static int a = sizeof(int);
static int b = sizeof a;
static int c = sizeof  (int);
static int d = sizeof (int);
