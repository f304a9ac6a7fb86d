/*
 * memory.c -- the allocation chokepoint and the mark-sweep collector.
 *
 * A collection runs when the bytes allocated pass vm.next_gc.  GC stress
 * (LOX_GC_STRESS=1) keeps next_gc at 0, so the same comparison collects
 * before every allocation at no cost when stress is off; a collection
 * itself lifts next_gc out of reach so that growing the gray stack cannot
 * start another.
 */
#include <mt_hooks.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "compiler.h"
#include "memory.h"
#include "object.h"
#include "vm.h"
#include "where.h"

#define GC_HEAP_GROW_FACTOR 2

/* The tracer's type for a block, as far as it is known without naming a
 * class: an instance of a class not named yet is CLASS_UNNAMED, which no
 * site has. */
static inline mt_type tag_mt_type_known(MemTag tag) {
    if (tag.kind == MEM_INTERNAL) return MT_TYPE_INTERNAL;
    if (tag.type == OBJ_INSTANCE) return tag.klass->mt_type;
    return vm.mt_types[tag.type];
}

static mt_type tag_mt_type(MemTag tag) {
    mt_type type = tag_mt_type_known(tag);
    return type != CLASS_UNNAMED ? type : class_mt_name(tag.klass);
}

/* Whether a block about to grow from old_size to new_size starts a
 * collection. */
static inline bool heap_collects(size_t old_size, size_t new_size) {
    return new_size > old_size &&
           vm.bytes_allocated + (new_size - old_size) > vm.next_gc;
}

/* The collector's accounting of a block about to change size: may collect. */
static inline void heap_account(size_t old_size, size_t new_size) {
    if (new_size > old_size) {
        vm.bytes_allocated += new_size - old_size;
        if (vm.bytes_allocated > vm.next_gc) gc_collect();
    } else {
        vm.bytes_allocated -= old_size - new_size;
    }
}

/* The allocator refused a block: the run ends, and the report (written by
 * exit) says so. */
static __attribute__((noinline, cold, noreturn)) void heap_exhausted(void) {
    fprintf(stderr, "lox: out of memory\n");
    mt_exit_set(70, MT_EXIT_OUT_OF_MEMORY);
    exit(70);
}

static inline void *heap_realloc(void *pointer, size_t new_size) {
    void *result = realloc(pointer, new_size);
    if (result == NULL) heap_exhausted();
    return result;
}

/* The tracer's count of a block the allocator has just given, at site:
 * an object, or storage replacing the block *slot tags (old_size 0: none).
 * Its tag. */
static mt_tag traced_count(mt_site *site, MemTag tag, mt_tag old,
                           size_t old_size, size_t new_size) {
    return tag.kind == MEM_OBJECT ? mt_alloc_at(site, new_size)
                                  : mt_resize_at(site, old, old_size, new_size);
}

/* A block obtained or resized while tracing, in general: it may start a
 * collection and look its site up.  The collection runs first, so the
 * peak is exact; the block is counted once the allocator has given it. */
static __attribute__((noinline)) void *
traced_realloc_slow(void *pointer, size_t old_size, size_t new_size,
                    MemTag tag, mt_tag *slot) {
    heap_account(old_size, new_size);
    mt_site *site = where_site(tag_mt_type(tag));
    void *result = heap_realloc(pointer, new_size);
    *slot = traced_count(site, tag, *slot, old_size, new_size);
    return result;
}

/* A block the inline count could not take (filtered, hidden, a site
 * without a row): counted by the call. */
static __attribute__((noinline)) mt_tag
traced_count_called(mt_site *site, MemTag tag, mt_tag old, size_t old_size,
                    size_t new_size) {
    return traced_count(site, tag, old, old_size, new_size);
}

/* The common case: no collection due, a site the instruction has made
 * before, a block counted inline after the allocator gave it. */
void *mem_realloc_traced(void *pointer, size_t old_size, size_t new_size,
                         MemTag tag, mt_tag *slot) {
    mt_site *site = where_site_known(tag_mt_type_known(tag));
    if (site == NULL || heap_collects(old_size, new_size))
        return traced_realloc_slow(pointer, old_size, new_size, tag, slot);
    void *result = heap_realloc(pointer, new_size);
    vm.bytes_allocated += new_size - old_size; /* a shrink wraps round */
    int object = tag.kind == MEM_OBJECT;
    mt_tag counted = object ? mt_alloc_at_try(site, new_size)
                            : mt_resize_at_try(site, *slot, old_size, new_size);
    if (counted == MT_TAG_NONE)
        counted = traced_count_called(site, tag, *slot, old_size, new_size);
    else if (MT_TRACING_CALLS())
        mt_counts_add_path(site, new_size, object);
    *slot = counted;
    return result;
}

/* A block released while tracing. */
void *mem_free_traced(void *pointer, size_t size, mt_tag *slot) {
    vm.bytes_allocated -= size;
    if (pointer == NULL) return NULL;
    if (!mt_free_tagged_try(*slot, size)) mt_free_tagged(*slot, size);
    free(pointer);
    return NULL;
}

void *mem_realloc_plain(void *pointer, size_t old_size, size_t new_size,
                        mt_tag *slot) {
    if (new_size == 0) {
        vm.bytes_allocated -= old_size;
        free(pointer);
        return NULL;
    }
    heap_account(old_size, new_size);
    void *result = heap_realloc(pointer, new_size);
    /* Untraced blocks carry MT_TAG_NONE, should tracing start later. */
    *slot = MT_TAG_NONE;
    return result;
}

void gc_mark_object(Obj *object) {
    if (object == NULL || object->is_marked) return;
    object->is_marked = true;
    if (vm.gray_capacity < vm.gray_count + 1) {
        int old = vm.gray_capacity;
        vm.gray_capacity = GROW_CAPACITY(old);
        vm.gray_stack = GROW_ARRAY(Obj *, vm.gray_stack, old,
                                   vm.gray_capacity, TAG_INTERNAL,
                                   &vm.gray_tag);
    }
    vm.gray_stack[vm.gray_count++] = object;
}

static void array_mark(ValueArray *array) {
    for (int i = 0; i < array->count; i++) gc_mark_value(array->values[i]);
}

static void object_blacken(Obj *object) {
    switch ((ObjType)object->type) {
    case OBJ_ARRAY: array_mark(&((ObjArray *)object)->items); break;
    case OBJ_BOUND_METHOD: {
        ObjBoundMethod *bound = (ObjBoundMethod *)object;
        gc_mark_value(bound->receiver);
        gc_mark_object((Obj *)bound->method);
        break;
    }
    case OBJ_CLASS: {
        ObjClass *klass = (ObjClass *)object;
        gc_mark_object((Obj *)klass->name);
        gc_mark_value(klass->initializer);
        table_mark(&klass->methods);
        break;
    }
    case OBJ_CLOSURE: {
        ObjClosure *closure = (ObjClosure *)object;
        gc_mark_object((Obj *)closure->function);
        for (int i = 0; i < closure->upvalue_count; i++)
            gc_mark_object((Obj *)closure->upvalues[i]);
        break;
    }
    case OBJ_FUNCTION: {
        ObjFunction *function = (ObjFunction *)object;
        gc_mark_object((Obj *)function->name);
        array_mark(&function->chunk.constants);
        break;
    }
    case OBJ_INSTANCE: {
        ObjInstance *instance = (ObjInstance *)object;
        gc_mark_object((Obj *)instance->klass);
        table_mark(&instance->fields);
        break;
    }
    case OBJ_UPVALUE: gc_mark_value(((ObjUpvalue *)object)->closed); break;
    case OBJ_NATIVE:
    case OBJ_STRING:
    case OBJ_TYPE_COUNT: break;
    }
}

static void object_free(Obj *object) {
    switch ((ObjType)object->type) {
    case OBJ_ARRAY: {
        ObjArray *array = (ObjArray *)object;
        value_array_free(&array->items);
        FREE_OBJECT(ObjArray, object);
        break;
    }
    case OBJ_BOUND_METHOD: FREE_OBJECT(ObjBoundMethod, object); break;
    case OBJ_CLASS: {
        ObjClass *klass = (ObjClass *)object;
        table_free(&klass->methods);
        FREE_OBJECT(ObjClass, object);
        break;
    }
    case OBJ_CLOSURE: {
        ObjClosure *closure = (ObjClosure *)object;
        FREE_ARRAY(ObjUpvalue *, closure->upvalues, closure->upvalue_count,
                   &closure->upvalues_tag);
        FREE_OBJECT(ObjClosure, object);
        break;
    }
    case OBJ_FUNCTION: {
        ObjFunction *function = (ObjFunction *)object;
        chunk_free(&function->chunk);
        FREE_OBJECT(ObjFunction, object);
        break;
    }
    case OBJ_INSTANCE: {
        ObjInstance *instance = (ObjInstance *)object;
        table_free(&instance->fields);
        FREE_OBJECT(ObjInstance, object);
        break;
    }
    case OBJ_NATIVE: FREE_OBJECT(ObjNative, object); break;
    case OBJ_STRING: {
        ObjString *string = (ObjString *)object;
        FREE_ARRAY(char, string->chars, string->length + 1,
                   &string->chars_tag);
        FREE_OBJECT(ObjString, object);
        break;
    }
    case OBJ_UPVALUE: FREE_OBJECT(ObjUpvalue, object); break;
    case OBJ_TYPE_COUNT: break;
    }
}

static void roots_mark(void) {
    for (Value *slot = vm.stack; slot < vm.stack_top; slot++)
        gc_mark_value(*slot);
    for (int i = 0; i < vm.frame_count; i++)
        gc_mark_object((Obj *)vm.frames[i].closure);
    for (ObjUpvalue *upvalue = vm.open_upvalues; upvalue != NULL;
         upvalue = upvalue->next)
        gc_mark_object((Obj *)upvalue);
    table_mark(&vm.globals);
    compiler_mark_roots();
    gc_mark_object((Obj *)vm.init_string);
}

static void sweep(void) {
    Obj *previous = NULL;
    Obj *object = vm.objects;
    while (object != NULL) {
        if (object->is_marked) {
            object->is_marked = false;
            previous = object;
            object = object->next;
            continue;
        }
        Obj *unreached = object;
        object = object->next;
        if (previous != NULL)
            previous->next = object;
        else
            vm.objects = object;
        object_free(unreached);
    }
}

void gc_collect(void) {
    vm.next_gc = SIZE_MAX;
    roots_mark();
    while (vm.gray_count > 0) object_blacken(vm.gray_stack[--vm.gray_count]);
    table_remove_white(&vm.strings);
    sweep();
    vm.next_gc =
        vm.gc_stress ? 0 : vm.bytes_allocated * GC_HEAP_GROW_FACTOR;
}

/* At teardown: every object, then the gray stack. */
void gc_free_objects(void) {
    Obj *object = vm.objects;
    while (object != NULL) {
        Obj *next = object->next;
        object_free(object);
        object = next;
    }
    vm.objects = NULL;
    FREE_ARRAY(Obj *, vm.gray_stack, vm.gray_capacity, &vm.gray_tag);
    vm.gray_stack = NULL;
    vm.gray_capacity = 0;
}
