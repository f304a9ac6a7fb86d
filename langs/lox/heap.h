/*
 * heap.h -- what a block on the Lox heap is.
 *
 * Every block the VM obtains goes through one chokepoint, reallocate()
 * (memory.h).  An object's block is known by the object's type.  Any other
 * block -- a string's characters, an array's elements -- has a slot beside
 * its pointer: who owns it (a HeapOwner, set once) and the tracer's tag of
 * the block (set by the chokepoint).  A table's entries keep their tag
 * after the last entry instead, so that a table (and an instance, which
 * holds one) is the book's size; the table's address says whose entries
 * they are (table.h's TableSlot).  The VM's own blocks (the gray stack)
 * are owned by OWNER_VM.
 *
 * A lox built without hooks (-Dhooks=false) keeps no slots at all: its
 * structs are the book's, the honest baseline of what the hooks cost.
 */
#ifndef lox_heap_h
#define lox_heap_h

#include <stddef.h>
#include <stdint.h>

/* The kinds of guest objects.  OBJ_TYPE_COUNT sizes per-type tables. */
typedef enum {
    OBJ_ARRAY,
    OBJ_BOUND_METHOD,
    OBJ_CLASS,
    OBJ_CLOSURE,
    OBJ_FUNCTION,
    OBJ_INSTANCE,
    OBJ_NATIVE,
    OBJ_STRING,
    OBJ_UPVALUE,
    OBJ_TYPE_COUNT
} ObjType;

/* The bytes an object counts for, to the collector and to the tracer: its
 * struct's size in the VM without hooks on a 64-bit target (object.c
 * checks them as it builds that VM, which every build of lox does: a
 * target where they differ does not build).  The tags some structs of the
 * VM with hooks carry are the tracer's memory, not the program's: counted
 * as the book's, a traced run collects when an untraced one would, and
 * its report shows the program's figures. */
enum {
    ARRAY_COUNTED_BYTES = 32,
    BOUND_METHOD_COUNTED_BYTES = 32,
    CLASS_COUNTED_BYTES = 48,
    CLOSURE_COUNTED_BYTES = 40,
    FUNCTION_COUNTED_BYTES = 88,
    INSTANCE_COUNTED_BYTES = 40,
    NATIVE_COUNTED_BYTES = 32,
    STRING_COUNTED_BYTES = 32,
    UPVALUE_COUNTED_BYTES = 40,
};

static inline size_t object_counted_bytes(ObjType type) {
    switch (type) {
    case OBJ_ARRAY: return ARRAY_COUNTED_BYTES;
    case OBJ_BOUND_METHOD: return BOUND_METHOD_COUNTED_BYTES;
    case OBJ_CLASS: return CLASS_COUNTED_BYTES;
    case OBJ_CLOSURE: return CLOSURE_COUNTED_BYTES;
    case OBJ_FUNCTION: return FUNCTION_COUNTED_BYTES;
    case OBJ_INSTANCE: return INSTANCE_COUNTED_BYTES;
    case OBJ_NATIVE: return NATIVE_COUNTED_BYTES;
    case OBJ_STRING: return STRING_COUNTED_BYTES;
    case OBJ_UPVALUE: return UPVALUE_COUNTED_BYTES;
    case OBJ_TYPE_COUNT: break;
    }
    return 0;
}

/* Whose a block that is not an object is. */
typedef enum {
    OWNER_VM,                /* the VM's own */
    OWNER_ARRAY_ELEMENTS,
    OWNER_CLOSURE_UPVALUES,
    OWNER_FUNCTION_CODE,     /* a chunk's instructions and lines */
    OWNER_FUNCTION_CONSTANTS,
    OWNER_STRING_CHARS,
    OWNER_TABLE,             /* a table's entries, their tag after them */
    OWNER_COUNT
} HeapOwner;

/* A block's slot: its owner and its tracer tag. */
typedef struct {
    uint32_t tag;
    uint8_t owner;
} HeapSlot;

#define HEAP_SLOT_NEW(owner_) ((HeapSlot){0, (uint8_t)(owner_)})

/* Where a chunk's count instructions allocate, kept beside it while
 * tracing (where.c); freed with the chunk. */
struct WhereSite;
void where_sites_free(struct WhereSite *sites, int count);

#ifdef MT_HOOKS_DISABLED
/* What only a lox with hooks has (a field, a statement): x, or nothing. */
#define WITH_HOOKS(x)
/* A struct's slot field, and the slot's address to hand the chokepoint. */
#define HEAP_SLOT_FIELD(name)
#define HEAP_SLOT(field) NULL
#define HEAP_SLOT_SET(field, value) ((void)(value))
/* A block whose owner is fixed keeps its tag alone: the slot rebuilt
 * from the tag field, and the tag kept back from a slot. */
#define HEAP_SLOT_TAGGED(tag_field, owner_) HEAP_SLOT_NEW(owner_)
#define HEAP_TAG_KEEP(tag_field, slot) ((void)(slot))
#else
#define WITH_HOOKS(x) x
#define HEAP_SLOT_FIELD(name) HeapSlot name;
#define HEAP_SLOT(field) (&(field))
#define HEAP_SLOT_SET(field, value) ((field) = (value))
#define HEAP_SLOT_TAGGED(tag_field, owner_) \
    ((HeapSlot){(tag_field), (uint8_t)(owner_)})
#define HEAP_TAG_KEEP(tag_field, slot) ((tag_field) = (slot).tag)
#endif

#endif
