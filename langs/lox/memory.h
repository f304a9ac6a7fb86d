/*
 * memory.h -- the VM's one allocation chokepoint and its garbage collector.
 *
 * Every block the VM obtains, grows, shrinks or releases passes through
 * mem_realloc(): that is where the collector is triggered and where the
 * tracer's hooks are called, so neither can miss a byte.
 */
#ifndef lox_memory_h
#define lox_memory_h

#include <stddef.h>

#include "heap.h"
#include "value.h"

#define ALLOCATE(type, count, tag) \
    (type *)mem_realloc(NULL, 0, sizeof(type) * (size_t)(count), tag)

#define GROW_CAPACITY(capacity) ((capacity) < 8 ? 8 : (capacity) * 2)

#define GROW_ARRAY(type, pointer, old_count, new_count, tag)              \
    (type *)mem_realloc(pointer, sizeof(type) * (size_t)(old_count),     \
                        sizeof(type) * (size_t)(new_count), tag)

/* An object's own block: the tracer's tag in its header goes back too. */
#define FREE_OBJECT(type, pointer) \
    mem_realloc(pointer, sizeof(type), 0, TAG_FREE_OBJECT)

#define FREE_ARRAY(type, pointer, count) \
    mem_realloc(pointer, sizeof(type) * (size_t)(count), 0, TAG_FREE)

void *mem_realloc(void *pointer, size_t old_size, size_t new_size,
                  MemTag tag);

void gc_mark_object(Obj *object);
void gc_collect(void);
void gc_free_objects(void);

/* Inline: the mark phase calls it for every value it reaches. */
static inline void gc_mark_value(Value value) {
    if (IS_OBJ(value)) gc_mark_object(AS_OBJ(value));
}

#endif
