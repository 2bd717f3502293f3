/*
 * Lines longer than 80 columns, counting a tab as 8; lines of exactly
 * 80 columns are fine.
 */

static int sample_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1;
										int x;
static int sample_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb = 1;
									intyyyyy
