/*
 * where.h -- where the guest is, as the tracer sees it: the site of each
 * allocation, remembered by bytecode position; the tracer's names of
 * functions, classes and types; and the guest's calls.
 *
 * Only the memory files (memory.c, heap.h) and the VM's call and return
 * paths use this; a lox built without hooks has only empty calls.
 */
#ifndef lox_where_h
#define lox_where_h

#include "object.h"
#include "vm.h"

#ifdef MT_HOOKS_DISABLED

static inline void where_call(ObjFunction *function) { (void)function; }
static inline void where_return(void) {}
static inline void where_unwind(void) {}

#else

#include <memtracer/inline.h>

/* What an instruction allocated last, and where the tracer counts it. */
typedef struct WhereSite {
    mt_type type;
    mt_site site;      /* 0: nothing allocated here yet */
} WhereSite;

/* The tracer's type of a new object: its type's, or for an instance its
 * class's (named on first use). */
mt_type where_object_type(ObjType type, ObjClass *klass);
/* The tracer's type of a block that is not an object, by its owner:
 * "Array elements", "Point fields", ...; <internal> for the VM's own. */
mt_type where_storage_type(const HeapSlot *slot);

/* The slow half of where_site: outside the VM's frames (frame NULL), or
 * an instruction that has not allocated that type yet. */
__attribute__((noinline)) mt_site where_find(CallFrame *frame, mt_type type);

/* The tracer's site for a block of that type made now: in the innermost
 * frame at its current instruction, found in the chunk's table when the
 * instruction has made one before. */
static inline mt_site where_site(mt_type type) {
    if (vm.frame_count == 0) return where_find(NULL, type);
    CallFrame *frame = &vm.frames[vm.frame_count - 1];
    const Chunk *chunk = &frame->closure->function->chunk;
    if (chunk->sites != NULL) {
        const WhereSite *slot = &chunk->sites[frame->ip - chunk->code];
        if (slot->type == type && slot->site != 0) return slot->site;
    }
    return where_find(frame, type);
}

/* The guest's calls, for call paths: out of line, so that the VM's call
 * keeps its registers when none are traced. */
__attribute__((noinline)) void where_call_traced(ObjFunction *function);
static inline void where_call(ObjFunction *function) {
    if (MT_TRACING_CALLS()) where_call_traced(function);
}
static inline void where_return(void) { MT_HOOK_RETURN(); }
/* An error unwound every frame. */
static inline void where_unwind(void) { MT_HOOK_UNWIND(0); }

#endif

#endif
