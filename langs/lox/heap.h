/*
 * heap.h -- what a block on the Lox heap is.
 *
 * Every block the VM obtains goes through one chokepoint, mem_realloc()
 * (memory.c), with a MemTag saying whose block it is.  The tracer needs
 * that to charge the bytes to the right guest type: a new object, the
 * storage of an object (string characters, array elements, field tables,
 * ...), or a block that belongs to the VM itself.
 */
#ifndef lox_heap_h
#define lox_heap_h

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

typedef enum {
    MEM_INTERNAL, /* the VM's own: globals, interned strings, gray stack */
    MEM_OBJECT,   /* a new guest object of `type` */
    MEM_STORAGE,  /* storage owned by an object of `type` */
} MemKind;

struct ObjClass;

/* klass is set only for instances: their guest type is their class. */
typedef struct {
    MemKind kind;
    ObjType type;
    struct ObjClass *klass;
} MemTag;

#define TAG_INTERNAL ((MemTag){.kind = MEM_INTERNAL})
#define TAG_OBJECT(t) ((MemTag){.kind = MEM_OBJECT, .type = (t)})
#define TAG_STORAGE(t) ((MemTag){.kind = MEM_STORAGE, .type = (t)})
#define TAG_INSTANCE(k, cls) \
    ((MemTag){.kind = (k), .type = OBJ_INSTANCE, .klass = (cls)})
/* A release needs no owner: the tracer knows a block by its tag. */
#define TAG_FREE TAG_INTERNAL

#endif
