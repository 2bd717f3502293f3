/*
 * #define with a space.
 */

#define BAD_ONE 1
#define	GOOD_ONE 2
