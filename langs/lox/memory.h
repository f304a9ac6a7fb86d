/*
 * memory.h -- the VM's one allocation chokepoint and its garbage collector.
 *
 * Every block the VM obtains, grows, shrinks or releases passes through
 * mem_realloc(): that is where the collector is triggered and where the
 * tracer's hooks are called, so neither can miss a byte.
 */
#ifndef lox_memory_h
#define lox_memory_h

#include <mt_hooks.h>
#include <stddef.h>

#include "heap.h"
#include "value.h"

/* Every block's tracer tag (mt_hooks.h) lives beside its pointer, at
 * slot: an object's in its header (the constructor copies it there),
 * storage's in the struct that holds it (a table's, an array's, a
 * string's chars). */

#define ALLOCATE(type, count, tag, slot) \
    (type *)mem_realloc(NULL, 0, sizeof(type) * (size_t)(count), tag, slot)

#define GROW_CAPACITY(capacity) ((capacity) < 8 ? 8 : (capacity) * 2)

#define GROW_ARRAY(type, pointer, old_count, new_count, tag, slot)        \
    (type *)mem_realloc(pointer, sizeof(type) * (size_t)(old_count),     \
                        sizeof(type) * (size_t)(new_count), tag, slot)

#define FREE_OBJECT(type, pointer)                   \
    mem_realloc(pointer, sizeof(type), 0, TAG_FREE, \
                &((Obj *)(pointer))->mt_tag)

#define FREE_ARRAY(type, pointer, count, slot) \
    mem_realloc(pointer, sizeof(type) * (size_t)(count), 0, TAG_FREE, slot)

/* The chokepoint: a block obtained (pointer NULL), resized, or released
 * (new_size 0).  tag says whose it is; slot is where its tracer tag is
 * kept.  Inline, so that each call site tests tracing once and calls the
 * half it needs: a traced release, a traced block, or an untraced one,
 * each without the others' registers.  (The traced halves are unused in
 * a -Dhooks=false build.) */
void *mem_realloc_plain(void *pointer, size_t old_size, size_t new_size,
                        mt_tag *slot);
void *mem_realloc_traced(void *pointer, size_t old_size, size_t new_size,
                         MemTag tag, mt_tag *slot);
void *mem_free_traced(void *pointer, size_t size, mt_tag *slot);

static inline void *mem_realloc(void *pointer, size_t old_size,
                                size_t new_size, MemTag tag, mt_tag *slot) {
    if (MT_TRACING())
        return new_size == 0
                   ? mem_free_traced(pointer, old_size, slot)
                   : mem_realloc_traced(pointer, old_size, new_size, tag,
                                        slot);
    return mem_realloc_plain(pointer, old_size, new_size, slot);
}

void gc_mark_object(Obj *object);
void gc_collect(void);
void gc_free_objects(void);

/* Inline: the mark phase calls it for every value it reaches. */
static inline void gc_mark_value(Value value) {
    if (IS_OBJ(value)) gc_mark_object(AS_OBJ(value));
}

#endif
