/*
 * memory.c -- the allocation chokepoint and the mark-sweep collector.
 *
 * A collection runs when the bytes allocated pass vm.next_gc.  GC stress
 * (LOX_GC_STRESS=1) keeps next_gc at 0, so the same comparison collects
 * before every allocation at no cost when stress is off; a collection
 * itself lifts next_gc out of reach so that growing the gray stack cannot
 * start another.
 *
 * In the VM with hooks, which runs only traced (run.h), a block is
 * counted once the allocator has given it, at the site where.c finds for
 * it, by <memtracer/inline.h> when it can and by a call when it cannot;
 * its tag goes in its slot (an object's in its header).  Every block has
 * a tag: the VM starts once tracing has, and tracing lasts until the
 * report (memtracer_stop only stops recording new blocks).
 */
#define _GNU_SOURCE /* mremap */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef MT_HOOKS_DISABLED
#include <sys/mman.h>
#endif

#include "compiler.h"
#include "memory.h"
#include "object.h"
#include "vm.h"
#include "where.h"

#define GC_HEAP_GROW_FACTOR 2

void heap_exhausted(void) {
    fprintf(stderr, "lox: out of memory\n");
    WITH_HOOKS(mt_exit_set(70, MT_EXIT_OUT_OF_MEMORY);)
    exit(70);
}

#ifndef MT_HOOKS_DISABLED

/* The traced chokepoint's parts that are out of line (the common ones,
 * resize_traced, object_obtain_traced and release_traced, are inline in
 * memory.h): the calls made when the inline functions decline. */

void release_called(mt_tag tag, size_t size) { mt_free_tagged(tag, size); }

/* A block the inline functions declined to count.  While calls are
 * traced, they decline while the current path is not known: once it is,
 * they may count it after all. */
mt_tag resize_called(mt_site site, mt_tag old, size_t old_size,
                     size_t new_size) {
    mt_tag tag;
    if (where_path_ready(site) &&
        mt_resize_at_inline(site, old, old_size, new_size, &tag))
        return tag;
    return mt_resize_at(site, old, old_size, new_size);
}

mt_tag obtain_called(mt_site site, size_t size) {
    mt_tag tag;
    if (where_path_ready(site) && mt_alloc_at_inline(site, size, &tag))
        return tag;
    return mt_alloc_at(site, size);
}

#endif

void *reallocate_plain(void *pointer, size_t old_size, size_t new_size) {
    if (new_size == 0) {
        if (pointer == NULL) return NULL;
        vm.bytes_allocated -= old_size;
        free(pointer);
        return NULL;
    }
    heap_account(old_size, new_size);
    return heap_realloc(pointer, new_size);
}

Obj *object_obtain_plain(size_t size) {
    return object_obtain_untraced(size, size);
}

/* Out of line: the mark phase's hot path stays small. */
static __attribute__((noinline)) void gray_stack_grow(void) {
    int old = vm.gray_capacity;
    vm.gray_capacity = GROW_CAPACITY(old);
    vm.gray_stack = GROW_ARRAY(Obj *, vm.gray_stack, old, vm.gray_capacity,
                               HEAP_SLOT(vm.gray_slot));
}

void gc_mark_object(Obj *object) {
    if (object == NULL || object->is_marked) return;
    object->is_marked = true;
    if (vm.gray_capacity < vm.gray_count + 1) gray_stack_grow();
    vm.gray_stack[vm.gray_count++] = object;
}

/* What the collector follows from an object: each object it references,
 * given to visit.  Inline, so that the collector's own visit is a direct
 * call. */
typedef void ObjectVisit(Obj *child, void *context);

static inline __attribute__((always_inline)) void
values_visit(const ValueArray *array, ObjectVisit *visit, void *context) {
    for (int i = 0; i < array->count; i++)
        if (IS_OBJ(array->values[i])) visit(AS_OBJ(array->values[i]), context);
}

static inline __attribute__((always_inline)) void
entries_visit(const Table *table, ObjectVisit *visit, void *context) {
    for (int i = 0; i < table->capacity; i++) {
        Entry *entry = &table->entries[i];
        if (entry->key == NULL) continue;
        visit((Obj *)entry->key, context);
        if (IS_OBJ(entry->value)) visit(AS_OBJ(entry->value), context);
    }
}

static inline __attribute__((always_inline)) void
object_references(Obj *object, ObjectVisit *visit, void *context) {
    switch ((ObjType)object->type) {
    case OBJ_ARRAY:
        values_visit(&((ObjArray *)object)->items, visit, context);
        break;
    case OBJ_BOUND_METHOD: {
        ObjBoundMethod *bound = (ObjBoundMethod *)object;
        if (IS_OBJ(bound->receiver)) visit(AS_OBJ(bound->receiver), context);
        visit((Obj *)bound->method, context);
        break;
    }
    case OBJ_CLASS: {
        ObjClass *klass = (ObjClass *)object;
        visit((Obj *)klass->name, context);
        if (IS_OBJ(klass->initializer))
            visit(AS_OBJ(klass->initializer), context);
        entries_visit(&klass->methods, visit, context);
        break;
    }
    case OBJ_CLOSURE: {
        ObjClosure *closure = (ObjClosure *)object;
        visit((Obj *)closure->function, context);
        for (int i = 0; i < closure->upvalue_count; i++)
            if (closure->upvalues[i] != NULL)
                visit((Obj *)closure->upvalues[i], context);
        break;
    }
    case OBJ_FUNCTION: {
        ObjFunction *function = (ObjFunction *)object;
        if (function->name != NULL) visit((Obj *)function->name, context);
        if (function->class_name != NULL)
            visit((Obj *)function->class_name, context);
        values_visit(&function->chunk.constants, visit, context);
        break;
    }
    case OBJ_INSTANCE: {
        ObjInstance *instance = (ObjInstance *)object;
        visit((Obj *)instance->klass, context);
        entries_visit(&instance->fields, visit, context);
        break;
    }
    case OBJ_UPVALUE: {
        Value closed = ((ObjUpvalue *)object)->closed;
        if (IS_OBJ(closed)) visit(AS_OBJ(closed), context);
        break;
    }
    case OBJ_NATIVE:
    case OBJ_STRING:
    case OBJ_TYPE_COUNT: break;
    }
}

static void mark_visit(Obj *child, void *context) {
    (void)context;
    gc_mark_object(child);
}

static void object_blacken(Obj *object) {
    object_references(object, mark_visit, NULL);
}

/* Inline in the sweep, whatever the size the releases inline in it give
 * it: a call for each dead object is what it saves. */
static inline __attribute__((always_inline)) void object_free(Obj *object) {
    switch ((ObjType)object->type) {
    case OBJ_ARRAY: {
        ObjArray *array = (ObjArray *)object;
        value_array_free(&array->items);
        FREE_OBJECT(OBJ_ARRAY, object);
        break;
    }
    case OBJ_BOUND_METHOD: FREE_OBJECT(OBJ_BOUND_METHOD, object); break;
    case OBJ_CLASS: {
        ObjClass *klass = (ObjClass *)object;
        table_free(&klass->methods);
        FREE_OBJECT(OBJ_CLASS, object);
        break;
    }
    case OBJ_CLOSURE: {
        ObjClosure *closure = (ObjClosure *)object;
        HeapSlot slot = HEAP_SLOT_TAGGED(closure->upvalues_tag,
                                         OWNER_CLOSURE_UPVALUES);
        FREE_ARRAY(ObjUpvalue *, closure->upvalues, closure->upvalue_count,
                   &slot);
        FREE_OBJECT(OBJ_CLOSURE, object);
        break;
    }
    case OBJ_FUNCTION: {
        ObjFunction *function = (ObjFunction *)object;
        chunk_free(&function->chunk);
        FREE_OBJECT(OBJ_FUNCTION, object);
        break;
    }
    case OBJ_INSTANCE: {
        ObjInstance *instance = (ObjInstance *)object;
        table_free(&instance->fields);
        FREE_OBJECT(OBJ_INSTANCE, object);
        break;
    }
    case OBJ_NATIVE: FREE_OBJECT(OBJ_NATIVE, object); break;
    case OBJ_STRING: {
        ObjString *string = (ObjString *)object;
        HeapSlot slot = HEAP_SLOT_TAGGED(string->chars_tag, OWNER_STRING_CHARS);
        FREE_ARRAY(char, string->chars, string->length + 1, &slot);
        FREE_OBJECT(OBJ_STRING, object);
        break;
    }
    case OBJ_UPVALUE: FREE_OBJECT(OBJ_UPVALUE, object); break;
    case OBJ_TYPE_COUNT: break;
    }
}

static void roots_mark(void) {
    for (Value *slot = vm.stack; slot < vm.stack_top; slot++)
        gc_mark_value(*slot);
    for (CallFrame *frame = vm.frames; frame < vm.frame_top; frame++)
        gc_mark_object((Obj *)frame->closure);
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

static inline void mark(void) {
    roots_mark();
    while (vm.gray_count > 0) object_blacken(vm.gray_stack[--vm.gray_count]);
}

/* A collection once every object reachable is marked. */
static inline void collection_finish(void) {
    table_remove_white(&vm.strings);
    sweep();
    WITH_HOOKS(mt_gc_cycle();)
    vm.next_gc =
        vm.gc_stress ? 0 : vm.bytes_allocated * GC_HEAP_GROW_FACTOR;
}

/* Out of line: the allocation paths that start it stay small. */
__attribute__((noinline)) void gc_collect(void) {
    vm.next_gc = SIZE_MAX;
    mark();
    collection_finish();
}

#ifndef MT_HOOKS_DISABLED

/* What keeps each object alive at exit: a walk from the roots, breadth
 * first, so each object is told with a shortest path to it, when the
 * report shows retainers (mt_retainer_root answers 0 when not).  The walk
 * is the exit collection's mark phase too.  Its
 * queue is the VM's own memory of the moment, mapped from the system,
 * never the program's: a large malloc would make glibc consolidate the
 * program's freed chunks, work an untraced run never does. */

typedef struct Reached {
    Obj *object;
    mt_retainer path;
} Reached;

/* The queue; shown: whether the report shows retainers, as the first
 * root told (-1: not asked yet). */
static struct {
    Reached *items;
    size_t count, capacity;
    int shown;
} reached;

/* Doubles the queue: its pages moved by the kernel, not copied. */
static void reached_grow(void) {
    size_t capacity = reached.capacity < 256 ? 256 : reached.capacity * 2;
    Reached *items =
        reached.items == NULL
            ? mmap(NULL, capacity * sizeof *items, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            : mremap(reached.items, reached.capacity * sizeof *items,
                     capacity * sizeof *items, MREMAP_MAYMOVE);
    if (items == MAP_FAILED) heap_exhausted();
    reached.items = items;
    reached.capacity = capacity;
}

/* Reaches object from the path parent: the first time, queued with its
 * own path.  is_marked says reached, as in a collection. */
static void reach_visit(Obj *object, void *context) {
    if (object->is_marked) return;
    object->is_marked = true;
    if (reached.count == reached.capacity) reached_grow();
    mt_retainer parent = *(mt_retainer *)context;
    mt_retainer path = 0;
    if (parent != 0) {
        ObjClass *klass = object->type == OBJ_INSTANCE
                              ? ((ObjInstance *)object)->klass
                              : NULL;
        path = mt_retainer_child(
            parent, where_object_type((ObjType)object->type, klass));
    }
    reached.items[reached.count++] = (Reached){object, path};
}

/* A root named "what name" reaching object. */
static void reach_root(Obj *object, const char *what, const ObjString *name) {
    if (reached.shown == 0) return;
    enum { LABEL_MAX = 63 };  /* a longer name is cut */
    char label[LABEL_MAX];
    size_t len = strlen(what);
    memcpy(label, what, len);
    if (name != NULL) {
        label[len++] = ' ';
        size_t room = LABEL_MAX - len;
        size_t kept = (size_t)name->length < room ? (size_t)name->length : room;
        memcpy(label + len, name->chars, kept);
        len += kept;
    }
    mt_retainer root = mt_retainer_root(label, len);
    if (reached.shown < 0) reached.shown = root != 0;
    if (reached.shown) reach_visit(object, &root);
}

/* Whether the tracer needs to hear that the block tagged tag is retained
 * by path: not without a path, nor a block it did not count at a site (in
 * a sampled run, most of them). */
static inline bool retained_told(mt_tag tag, mt_retainer path) {
    return path != 0 && MT_TAG_SITE(tag) >= MT_FIRST_COUNTED_SITE;
}

/* A storage block of an object reached by path: retained by it, and the
 * part of it that holds nothing. */
static void storage_tell(mt_tag tag, size_t size, size_t unused,
                         mt_retainer path) {
    if (size == 0) return;
    if (retained_told(tag, path)) mt_retained_tagged(tag, size, path);
    if (unused > 0) mt_unused_tagged_inline(tag, unused);
}

static void values_tell(const ValueArray *array, mt_retainer path) {
    storage_tell(array->slot.tag, sizeof(Value) * (size_t)array->capacity,
                 sizeof(Value) * (size_t)(array->capacity - array->count),
                 path);
}

static void entries_tell(const Table *table, mt_retainer path) {
    storage_tell(table_slot(table).slot.tag,
                 sizeof(Entry) * (size_t)table->capacity,
                 sizeof(Entry) * (size_t)(table->capacity - table->count),
                 path);
}

/* An object reached by path, and its storage, told to the tracer. */
static void reached_tell(Obj *object, mt_retainer path) {
    if (retained_told(object->tag, path))
        mt_retained_tagged(object->tag,
                           object_counted_bytes((ObjType)object->type), path);
    switch ((ObjType)object->type) {
    case OBJ_ARRAY: values_tell(&((ObjArray *)object)->items, path); break;
    case OBJ_CLASS: entries_tell(&((ObjClass *)object)->methods, path); break;
    case OBJ_INSTANCE:
        entries_tell(&((ObjInstance *)object)->fields, path);
        break;
    case OBJ_CLOSURE: {
        ObjClosure *closure = (ObjClosure *)object;
        storage_tell(closure->upvalues_tag,
                     sizeof(ObjUpvalue *) * (size_t)closure->upvalue_count, 0,
                     path);
        break;
    }
    case OBJ_FUNCTION: {
        Chunk *chunk = &((ObjFunction *)object)->chunk;
        size_t unused = (size_t)(chunk->capacity - chunk->count);
        storage_tell(chunk->code_tag, (size_t)chunk->capacity, unused, path);
        storage_tell(chunk->lines_tag, sizeof(int) * (size_t)chunk->capacity,
                     sizeof(int) * unused, path);
        values_tell(&chunk->constants, path);
        break;
    }
    case OBJ_STRING: {
        ObjString *string = (ObjString *)object;
        storage_tell(string->chars_tag, (size_t)string->length + 1, 0, path);
        break;
    }
    default: break;
    }
}

/* The walk, when the report shows retainers: each object reached is
 * marked, as a collection's mark phase would (the same roots, the same
 * references), and told with its path; whether it was made. */
static bool retainers_mark(void) {
    reached.count = 0;
    reached.shown = -1;
    for (int i = 0; i < vm.globals.capacity; i++) {
        Entry *entry = &vm.globals.entries[i];
        if (entry->key == NULL) continue;
        reach_root((Obj *)entry->key, "global", entry->key);
        if (IS_OBJ(entry->value))
            reach_root(AS_OBJ(entry->value), "global", entry->key);
    }
    for (Value *slot = vm.stack; slot < vm.stack_top; slot++)
        if (IS_OBJ(*slot)) reach_root(AS_OBJ(*slot), "stack", NULL);
    for (CallFrame *frame = vm.frames; frame < vm.frame_top; frame++)
        reach_root((Obj *)frame->closure, "stack", NULL);
    for (ObjUpvalue *upvalue = vm.open_upvalues; upvalue != NULL;
         upvalue = upvalue->next)
        reach_root((Obj *)upvalue, "stack", NULL);
    if (vm.init_string != NULL)
        reach_root((Obj *)vm.init_string, "VM", NULL);
    for (size_t at = 0; at < reached.count; at++) {
        Reached item = reached.items[at];
        reached_tell(item.object, item.path);
        object_references(item.object, reach_visit, &item.path);
    }
    if (reached.items != NULL)
        munmap(reached.items, reached.capacity * sizeof *reached.items);
    reached.items = NULL;
    reached.capacity = reached.count = 0;
    return reached.shown == 1;
}

void gc_collect_at_exit(void) {
    vm.next_gc = SIZE_MAX;
    /* Nothing is interned after: the intern set, which holds its strings
     * weakly, goes whole rather than cleared of the dead one by one. */
    table_free(&vm.strings);
    if (retainers_mark()) {
        collection_finish();
        return;
    }
    mark();
    collection_finish();
    /* No retainers shown: the unused bytes of every survivor. */
    for (Obj *object = vm.objects; object != NULL; object = object->next)
        reached_tell(object, 0);
}

#endif

/* At teardown: every object, then the gray stack. */
void gc_free_objects(void) {
    Obj *object = vm.objects;
    while (object != NULL) {
        Obj *next = object->next;
        object_free(object);
        object = next;
    }
    vm.objects = NULL;
    FREE_ARRAY(Obj *, vm.gray_stack, vm.gray_capacity, HEAP_SLOT(vm.gray_slot));
    vm.gray_stack = NULL;
    vm.gray_capacity = 0;
}
