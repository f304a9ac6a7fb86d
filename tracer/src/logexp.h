/*
 * logexp.h -- the two functions of the C math library that sampling needs,
 * written here so that the library, and every VM that links it, loads no
 * libm: its mapping alone is about 300 KiB of a traced program's RSS.
 *
 * Both are within a few units in the last place of the C library's
 * (tests/internal/test_logexp.c compares them over their whole domains).
 */
#ifndef TR_LOGEXP_H
#define TR_LOGEXP_H

/* The natural logarithm of x, for 0 < x <= 1 and x normal. */
double tr_log(double x);

/* e^y - 1, exact to the last places when y is near 0, for y <= 0. */
double tr_expm1(double y);

#endif
