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

static inline void where_begin(void) {}
static inline bool where_recording(bool on) { return (void)on, false; }
static inline void where_reset(void) {}
static inline bool where_snapshot(const char *path) {
    return (void)path, false;
}
static inline void where_call(CallFrame *frame) { (void)frame; }
static inline void where_return(CallFrame *caller) { (void)caller; }
static inline void where_unwind(void) {}

#else

#include <memtracer/inline.h>
#include <stddef.h>

/* Names the VM's types for the tracer: once tracing has started. */
void where_begin(void);
/* What the natives memtracer_start(), memtracer_stop(), memtracer_reset()
 * and memtracer_snapshot(path) do: recording turned on or off, and whether
 * it is on after; the figures counted from here; the report so far
 * written, or why not said on stderr.  Without --memtracer, or in a lox
 * without hooks, nothing is recording and nothing is written. */
bool where_recording(bool on);
void where_reset(void);
bool where_snapshot(const char *path);

/* What an instruction allocated last, and where the tracer counts it: an
 * instruction has two, the last object and the last block of storage
 * (concatenation makes a string's characters, then the string). */
typedef struct WhereSite {
    mt_type type;
    mt_site site;      /* 0: nothing allocated here yet */
} WhereSite;

enum { WHERE_OBJECT, WHERE_STORAGE, WHERE_KINDS };

/* The tracer's names of the VM's own types, interned when tracing starts
 * (where_begin). */
typedef struct WhereNames {
    mt_type objects[OBJ_TYPE_COUNT];
    mt_type storage[OWNER_COUNT];
    mt_func startup;
    mt_path root;      /* the call path outside every frame */
} WhereNames;
extern WhereNames where_names;

/* The innermost frame, or NULL outside every frame. */
static inline CallFrame *where_innermost(void) {
    return vm.frame_top > vm.frames ? vm.frame_top - 1 : NULL;
}

/* A class's types: its instances, their fields, its methods.  The class
 * keeps the first two, which every instance needs (0 until named); its
 * methods' is named each time they grow, which is rare, so that a class
 * is the size of glibc's chunk for the book's. */
enum { CLASS_INSTANCES, CLASS_FIELDS, CLASS_METHODS };
_Static_assert((int)CLASS_METHODS == (int)CLASS_TYPES_KEPT,
               "a class keeps its instances' and fields' types");
mt_type where_class_named(ObjClass *klass, int which);

static inline mt_type where_class_type(ObjClass *klass, int which) {
    mt_type type = klass->trace_types[which];
    return type != 0 ? type : where_class_named(klass, which);
}

/* The tracer's type of a new object: its type's, or for an instance its
 * class's. */
static inline mt_type where_object_type(ObjType type, ObjClass *klass) {
    if (type == OBJ_INSTANCE) return where_class_type(klass, CLASS_INSTANCES);
    return where_names.objects[type];
}

/* The tracer's type of a table's entries: <internal> for the VM's own
 * tables; any other is an instance's fields or a class's methods, at one
 * offset in both, so the object's header tells which. */
_Static_assert(offsetof(ObjInstance, fields) == offsetof(ObjClass, methods),
               "a table's holder is found at one offset");
static inline mt_type where_table_type(const Table *table) {
    if (table == &vm.globals || table == &vm.strings) return MT_TYPE_INTERNAL;
    const Obj *holder =
        (const Obj *)((const char *)table - offsetof(ObjInstance, fields));
    if (holder->type == OBJ_INSTANCE)
        return where_class_type(((const ObjInstance *)holder)->klass,
                                CLASS_FIELDS);
    return where_class_named((ObjClass *)holder, CLASS_METHODS);
}

/* The tracer's type of a block that is not an object, by its owner:
 * "Array elements", "Point fields", ...; <internal> for the VM's own.
 * Inline in the chokepoint, GCC follows a slot it knows is in vm (the
 * gray stack's, OWNER_VM) into the owners' structs on branches that
 * owner never takes, and warns (-Warray-bounds): not for this function. */
#define WHERE_OWNER_OF(slot, type, member) \
    ((type *)((char *)(slot) - offsetof(type, member)))
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
static inline mt_type where_storage_type(const HeapSlot *slot) {
    switch ((HeapOwner)slot->owner) {
    case OWNER_VM: return MT_TYPE_INTERNAL;
    case OWNER_TABLE:
        return where_table_type(WHERE_OWNER_OF(slot, TableSlot, slot)->table);
    default: return where_names.storage[slot->owner];
    }
}
#pragma GCC diagnostic pop

/* The slow half of where_site: outside the VM's frames (frame NULL), or
 * an instruction that has not allocated that type yet. */
__attribute__((noinline)) mt_site where_find(CallFrame *frame, mt_type type,
                                             int kind);

/* The tracer's site for a block of that type and kind (WHERE_OBJECT,
 * WHERE_STORAGE) made now in the innermost frame at its current
 * instruction, if the instruction has made one before; else 0.  Calls
 * nothing. */
static inline mt_site where_site_known(mt_type type, int kind) {
    const CallFrame *frame = where_innermost();
    if (frame == NULL) return 0;
    const Chunk *chunk = &frame->closure->function->chunk;
    if (chunk->sites == NULL) return 0;
    const WhereSite *slot =
        &chunk->sites[(frame->ip - chunk->code) * WHERE_KINDS + kind];
    return slot->type == type ? slot->site : 0;
}

/* The tracer's site for a block of that type and kind made now: in the
 * innermost frame at its current instruction (or outside the frames). */
static inline mt_site where_site(mt_type type, int kind) {
    mt_site site = where_site_known(type, kind);
    if (site != 0) return site;
    return where_find(where_innermost(), type, kind);
}

/* Builds the paths of the frames that have none, up to frame, the
 * innermost (NULL outside every frame), and makes frame's current. */
__attribute__((noinline)) void where_path_build(CallFrame *frame);

/* Whether this VM keeps the guest's call paths.  lox links two traced
 * builds of it (run.h): the one built with LOX_CALL_PATHS runs when the
 * tracer records calls, and asks it at each; the other runs when it does
 * not, and its calls tell the tracer nothing. */
#ifdef LOX_CALL_PATHS
#define WHERE_CALL_PATHS() MT_TRACING_CALLS()
#else
#define WHERE_CALL_PATHS() false
#endif

/* The guest's calls, for call paths: each frame's path.  A frame's path
 * is built when something first allocates under it, so that a call that
 * allocates nothing costs a store or two and the tracer no memory; but a
 * call of a function that has allocated before builds it at once, as it
 * would be built at its first block anyway, where the block would first
 * be declined by the inline count. */
static inline void where_call(CallFrame *frame) {
    if (WHERE_CALL_PATHS()) {
        frame->trace_path = 0;
        mt_path_current_set(0);
        if (frame->closure->function->trace_allocates)
            where_path_build(frame);
    }
}

/* After a return to caller, the frame now innermost (NULL: the outermost
 * returned): its path, or outside every frame the root. */
static inline void where_return(CallFrame *caller) {
    if (WHERE_CALL_PATHS())
        mt_path_current_set(caller != NULL ? caller->trace_path
                                           : where_names.root);
}

/* An error unwound every frame. */
static inline void where_unwind(void) {
    if (WHERE_CALL_PATHS()) mt_path_current_set(where_names.root);
}

/* The line of the instruction running in frame. */
static inline int where_frame_line(const CallFrame *frame) {
    const Chunk *chunk = &frame->closure->function->chunk;
    return chunk->lines[frame->ip - chunk->code - 1];
}

/* When the inline functions declined a block at site while calls are
 * traced: the current path made known if it was not (they decline while
 * it is not; the call needs it), unless the block is the tracer's own to
 * count (the VM's memory), and the innermost function marked as one that
 * allocates.  Whether it was built here: then the inline functions may
 * count the block after all. */
static inline bool where_path_ready(mt_site site) {
    if (!(WHERE_CALL_PATHS() && mt_path_current() == 0 &&
          site >= MT_FIRST_COUNTED_SITE))
        return false;
    CallFrame *frame = where_innermost();
    if (frame != NULL) frame->closure->function->trace_allocates = true;
    where_path_build(frame);
    return true;
}

#endif

#endif
