/*
 * where.h -- where the guest is when it allocates, as the tracer's site.
 */
#ifndef lox_where_h
#define lox_where_h

#include <memtracer.h>

/* The tracer's site for a block of that type made now: in the innermost
 * frame at its current instruction (or in the code being compiled). */
mt_site *where_site(mt_type type);

/* Forgets every remembered site: a function's code is about to be freed,
 * and its addresses may be reused by another's. */
void where_forget(void);

#endif
