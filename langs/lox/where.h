/*
 * where.h -- where the guest is when it allocates, as the tracer's site.
 */
#ifndef lox_where_h
#define lox_where_h

#include <memtracer.h>

#include "chunk.h"

/* The tracer's site for a block of that type made now: in the innermost
 * frame at its current instruction (or in the code being compiled). */
mt_site *where_site(mt_type type);

/* Frees the sites remembered beside a chunk's code. */
void where_chunk_free(Chunk *chunk);

#endif
