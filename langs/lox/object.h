/*
 * object.h -- the heap-allocated Lox values.
 *
 * Every object starts with an Obj header linking it into the VM's list of
 * all objects, which the collector sweeps.  While tracing, functions and
 * classes keep the tracer's names for them (where.c), interned the first
 * time the tracer asks.
 */
#ifndef lox_object_h
#define lox_object_h

#include "chunk.h"
#include "table.h"
#include "value.h"

#define OBJ_TYPE(value) ((ObjType)AS_OBJ(value)->type)

#define IS_ARRAY(value) obj_is(value, OBJ_ARRAY)
#define IS_CLASS(value) obj_is(value, OBJ_CLASS)
#define IS_INSTANCE(value) obj_is(value, OBJ_INSTANCE)
#define IS_STRING(value) obj_is(value, OBJ_STRING)

#define AS_ARRAY(value) ((ObjArray *)AS_OBJ(value))
#define AS_BOUND_METHOD(value) ((ObjBoundMethod *)AS_OBJ(value))
#define AS_CLASS(value) ((ObjClass *)AS_OBJ(value))
#define AS_CLOSURE(value) ((ObjClosure *)AS_OBJ(value))
#define AS_FUNCTION(value) ((ObjFunction *)AS_OBJ(value))
#define AS_INSTANCE(value) ((ObjInstance *)AS_OBJ(value))
#define AS_NATIVE(value) ((ObjNative *)AS_OBJ(value))
#define AS_STRING(value) ((ObjString *)AS_OBJ(value))
#define AS_CSTRING(value) (((ObjString *)AS_OBJ(value))->chars)

typedef struct {
    Obj obj;
    int arity;
    int upvalue_count;
    int max_stack;    /* value slots a call uses: chunk_max_stack() */
    int line;         /* where the declaration starts */
    WITH_HOOKS(uint32_t trace_name;)  /* the tracer's name + 1; 0: none */
    /* With call paths: a frame of it has allocated (where.h). */
    WITH_HOOKS(bool trace_allocates;)
    Chunk chunk;
    ObjString *name;  /* NULL for the top-level script */
    ObjString *class_name;  /* a method's class, else NULL */
} ObjFunction;

/* A native reads its arguments from args[0..arity-1] and stores its result.
 * On bad arguments it reports a runtime error and returns false. */
typedef bool (*NativeFn)(Value *args, Value *result);

typedef struct {
    Obj obj;
    int arity;
    NativeFn function;
} ObjNative;

typedef struct ObjUpvalue {
    Obj obj;
    Value *location; /* the stack slot while open, &closed once closed */
    Value closed;
    struct ObjUpvalue *next; /* the VM's open upvalues, sorted by slot */
} ObjUpvalue;

typedef struct {
    Obj obj;
    ObjFunction *function;
    ObjUpvalue **upvalues;
    int upvalue_count;
    WITH_HOOKS(uint32_t upvalues_tag;)
} ObjClosure;

/* The tracer's types a class keeps (where.h). */
enum { CLASS_TYPES_KEPT = 2 };

typedef struct ObjClass {
    Obj obj;
    ObjString *name;
    Table methods;     /* where an instance has its fields (where.h) */
    Value initializer; /* cached init method, or nil */
    /* The tracer's types of its instances and their fields (where.h);
     * 0 until named. */
    WITH_HOOKS(uint32_t trace_types[CLASS_TYPES_KEPT];)
} ObjClass;

typedef struct {
    Obj obj;
    ObjClass *klass;
    Table fields;
} ObjInstance;

typedef struct {
    Obj obj;
    Value receiver;
    ObjClosure *method;
} ObjBoundMethod;

typedef struct {
    Obj obj;
    ValueArray items;
} ObjArray;

ObjArray *array_new(int capacity);
void array_push(ObjArray *array, Value value);
ObjBoundMethod *bound_method_new(Value receiver, ObjClosure *method);
ObjClass *class_new(ObjString *name);
ObjClosure *closure_new(ObjFunction *function);
ObjFunction *function_new(int line);
ObjInstance *instance_new(ObjClass *klass);
ObjNative *native_new(NativeFn function, int arity);
/* Takes chars (length + 1 bytes, NUL-terminated), obtained under
 * chars_slot. */
ObjString *string_take(char *chars, int length, HeapSlot chars_slot);
ObjString *string_copy(const char *chars, int length);
ObjUpvalue *upvalue_new(Value *slot);

void object_print(Value value);

static inline bool obj_is(Value value, ObjType type) {
    return IS_OBJ(value) && AS_OBJ(value)->type == type;
}

#endif
