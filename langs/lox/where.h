/*
 * where.h -- where the guest is when it allocates, as the tracer's site.
 */
#ifndef lox_where_h
#define lox_where_h

#include <memtracer.h>

#include "chunk.h"
#include "vm.h"

typedef struct where_slot {
    mt_type type;
    mt_site *site;    /* NULL: nothing allocated here yet */
} where_slot;

/* The slow half of where_site: outside the VM's frames (frame NULL), or
 * an instruction that has not allocated that type yet. */
__attribute__((noinline)) mt_site *where_find(CallFrame *frame,
                                              mt_type type);

/* The tracer's site for a block of that type made now in the innermost
 * frame at its current instruction, if that instruction has made one
 * before; else NULL.  Calls nothing. */
static inline mt_site *where_site_known(mt_type type) {
    if (vm.frame_count == 0) return NULL;
    const CallFrame *frame = &vm.frames[vm.frame_count - 1];
    const Chunk *chunk = &frame->closure->function->chunk;
    if (chunk->sites == NULL) return NULL;
    const where_slot *slot = &chunk->sites[frame->ip - chunk->code];
    return slot->type == type ? slot->site : NULL;
}

/* The tracer's site for a block of that type made now: in the innermost
 * frame at its current instruction (or in the code being compiled). */
static inline mt_site *where_site(mt_type type) {
    mt_site *site = where_site_known(type);
    if (site != NULL) return site;
    return where_find(vm.frame_count > 0 ? &vm.frames[vm.frame_count - 1]
                                         : NULL,
                      type);
}

/* Frees the sites remembered beside a chunk's code. */
void where_chunk_free(Chunk *chunk);

#endif
