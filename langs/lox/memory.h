/*
 * memory.h -- the VM's one allocation chokepoint and its garbage collector.
 *
 * Every block the VM obtains, grows, shrinks or releases passes through
 * reallocate() -- objects through object_obtain() and object_release(),
 * which share its core: that is where the collector is triggered and where
 * the tracer hears of the block, so neither can miss a byte.  A block that
 * is not an object comes with its slot (heap.h): who owns it, and room for
 * its tracer tag.
 */
#ifndef lox_memory_h
#define lox_memory_h

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifndef MT_HOOKS_DISABLED
#include <memtracer/inline.h>
#endif

#include "heap.h"
#include "value.h"
#include "vm.h"

#define ALLOCATE(type, count, slot) \
    (type *)reallocate(NULL, 0, sizeof(type) * (size_t)(count), slot)

#define GROW_CAPACITY(capacity) ((capacity) < 8 ? 8 : (capacity) * 2)

#define GROW_ARRAY(type, pointer, old_count, new_count, slot)             \
    (type *)reallocate(pointer, sizeof(type) * (size_t)(old_count),      \
                       sizeof(type) * (size_t)(new_count), slot)

#define FREE_ARRAY(type, pointer, count, slot) \
    reallocate(pointer, sizeof(type) * (size_t)(count), 0, slot)

#define FREE_OBJECT(obj_type, pointer) \
    object_release((Obj *)(pointer), obj_type)

/* The bytes a block has past its size: a table's entries, their tag. */
static inline size_t heap_hidden_bytes(const HeapSlot *slot) {
#ifndef MT_HOOKS_DISABLED
    return slot->owner == OWNER_TABLE ? sizeof slot->tag : 0;
#else
    (void)slot;
    return 0;
#endif
}

void gc_collect(void);

/* The allocator refused a block: the run ends, and the report (written by
 * exit) says so. */
__attribute__((noinline, cold, noreturn)) void heap_exhausted(void);

/* The collector's accounting of a block that changes from old_size to
 * new_size bytes: a growth past the threshold collects first. */
static inline void heap_account(size_t old_size, size_t new_size) {
    if (new_size > old_size) {
        vm.bytes_allocated += new_size - old_size;
        if (vm.bytes_allocated > vm.next_gc) gc_collect();
    } else {
        vm.bytes_allocated -= old_size - new_size;
    }
}

static inline void *heap_realloc(void *pointer, size_t new_size) {
    void *result = realloc(pointer, new_size);
    if (result == NULL) heap_exhausted();
    return result;
}

/* reallocate()'s halves: untraced, and traced (told to the tracer): a
 * block obtained or resized, and one released, both inline (below).  The
 * traced halves count a block inline (<memtracer/inline.h>) and call the
 * tracer, out of line, only when that declines. */
void *reallocate_plain(void *pointer, size_t old_size, size_t new_size);
#ifndef MT_HOOKS_DISABLED
static inline void *resize_traced(void *pointer, size_t old_size,
                                  size_t new_size, HeapSlot *slot);
static inline void *release_traced(void *pointer, size_t old_size,
                                   mt_tag tag);
mt_tag resize_called(mt_site site, mt_tag old, size_t old_size,
                     size_t new_size);
mt_tag obtain_called(mt_site site, size_t size);
#endif

/* A block obtained (pointer NULL), resized, or released (new_size 0).
 * The VM with hooks runs only traced (run.h), so every block goes to the
 * tracer, with no check of MT_TRACING(): after the report, as the VM
 * frees its heap, the tracer counts nothing (inline.h).  A sampled run
 * passes over most blocks without looking for a site: a new one, or one
 * it passed over before, keeps MT_TAG_UNTRACED, and releasing it counts
 * nothing. */
static inline void *reallocate(void *pointer, size_t old_size,
                               size_t new_size, HeapSlot *slot) {
#ifndef MT_HOOKS_DISABLED
    if (!(slot->tag == MT_TAG_UNTRACED &&
          (new_size == 0 || mt_sample_skips(new_size))))
        return new_size > 0
                   ? resize_traced(pointer, old_size, new_size, slot)
                   : release_traced(pointer, old_size, slot->tag);
    if (new_size > 0 && heap_hidden_bytes(slot) > 0) {
        heap_account(old_size, new_size);
        return heap_realloc(pointer, new_size + heap_hidden_bytes(slot));
    }
#else
    (void)slot;
#endif
    return reallocate_plain(pointer, old_size, new_size);
}

#ifndef MT_HOOKS_DISABLED
#include "where.h"

/* A release the inline functions could not count (mt_free_tagged). */
__attribute__((noinline, cold)) void release_called(mt_tag tag, size_t size);

/* Counted out, then freed.  Inline in every caller: the sweep releases
 * every dead object's storage through it. */
static inline void *release_traced(void *pointer, size_t old_size,
                                   mt_tag tag) {
    if (pointer == NULL) return NULL;
    if (!mt_free_tagged_inline(tag, old_size)) release_called(tag, old_size);
    vm.bytes_allocated -= old_size;
    free(pointer);
    return NULL;
}

/* Counted at the site where.c finds for it, once the allocator has given
 * it; the collection that a growth may start runs first, so the peak is
 * exact.  Inline in every caller: it is the common path of the VM with
 * hooks, which runs only traced (its cost is cost.py's on column). */
static inline void *resize_traced(void *pointer, size_t old_size,
                                  size_t new_size, HeapSlot *slot) {
    mt_site site = where_site(where_storage_type(slot), WHERE_STORAGE);
    heap_account(old_size, new_size);
    void *result = heap_realloc(pointer, new_size + heap_hidden_bytes(slot));
    if (!mt_resize_at_inline(site, slot->tag, old_size, new_size, &slot->tag))
        slot->tag = resize_called(site, slot->tag, old_size, new_size);
    return result;
}
#endif

/* A new object's block, untraced: out of line (object_obtain_plain) in
 * the VM without hooks, as the book's is; inline in a sampled run's
 * common path. */
static inline Obj *object_obtain_untraced(size_t size, size_t counted) {
    heap_account(0, counted);
    return heap_realloc(NULL, size);
}
Obj *object_obtain_plain(size_t size);
#ifndef MT_HOOKS_DISABLED
/* A new object, counted as resize_traced counts a block.  Inline in its
 * one caller, the constructors' common core (object.c). */
static inline Obj *object_obtain_traced(size_t size, ObjType type,
                                       mt_type trace_type) {
    mt_site site = where_site(trace_type, WHERE_OBJECT);
    size_t counted = object_counted_bytes(type);
    heap_account(0, counted);
    Obj *object = heap_realloc(NULL, size);
    if (!mt_alloc_at_inline(site, counted, &object->tag))
        object->tag = obtain_called(site, counted);
    return object;
}
#endif

/* A new object's block, its header's tag set in the VM with hooks;
 * klass: an instance's.  Inline, so that the tracer's type of a constant
 * ObjType is one load. */
static inline Obj *object_obtain(size_t size, ObjType type,
                                 struct ObjClass *klass) {
#ifndef MT_HOOKS_DISABLED
    if (!mt_sample_skips(object_counted_bytes(type)))
        return object_obtain_traced(size, type,
                                    where_object_type(type, klass));
    /* A sampled run passes over most objects without a site. */
    Obj *object = object_obtain_untraced(size, object_counted_bytes(type));
    object->tag = MT_TAG_UNTRACED;
    return object;
#else
    (void)type;
    (void)klass;
    return object_obtain_plain(size);
#endif
}

/* An object's block released.  Inline: the sweep releases every dead
 * object through it.  One a sampled run passed over (MT_TAG_UNTRACED, as
 * nearly all are there) counts nothing: mt_free_tagged_inline answers
 * for it without touching a site. */
static inline void object_release(Obj *object, ObjType type) {
#ifndef MT_HOOKS_DISABLED
    if (!mt_free_tagged_inline(object->tag, object_counted_bytes(type)))
        mt_free_tagged(object->tag, object_counted_bytes(type));
#endif
    vm.bytes_allocated -= object_counted_bytes(type);
    free(object);
}

/* Bytes of a storage block that hold nothing as it goes (released or
 * outgrown) or as the run ends: its site's unused bytes, until the report
 * (a sampled run does not count them).  A block a sampled run passed over
 * (MT_TAG_UNTRACED, as nearly all are there) is told apart first. */
static inline void heap_unused(const HeapSlot *slot, size_t bytes) {
#ifndef MT_HOOKS_DISABLED
    if (slot->tag != MT_TAG_UNTRACED)
        mt_unused_tagged_inline(slot->tag, bytes);
#else
    (void)slot;
    (void)bytes;
#endif
}

void gc_mark_object(Obj *object);
#ifndef MT_HOOKS_DISABLED
/* The full collection before the report: what survives it is what leaked.
 * Each survivor is told to the tracer with the path from a root that keeps
 * it alive (when the report shows retainers: the walk that finds the
 * paths marks), and its storage's unused bytes. */
void gc_collect_at_exit(void);
#endif
void gc_free_objects(void);

/* Inline: the mark phase calls it for every value it reaches. */
static inline void gc_mark_value(Value value) {
    if (IS_OBJ(value)) gc_mark_object(AS_OBJ(value));
}

#endif
