/*
 * object.h -- the heap-allocated Lox values.
 *
 * Every object starts with an Obj header linking it into the VM's list of
 * all objects, which the collector sweeps.  Functions and classes carry
 * the tracer's name for them, interned the first time the tracer asks.
 */
#ifndef lox_object_h
#define lox_object_h

#include <memtracer.h>

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
    bool mt_named;    /* mt_func holds the tracer's name */
    mt_func mt_func;
    Chunk chunk;
    ObjString *name;  /* NULL for the top-level script */
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
    mt_tag upvalues_tag;
} ObjClosure;

typedef struct ObjClass {
    Obj obj;
    ObjString *name;
    Value initializer; /* cached init method, or nil */
    mt_type mt_type;   /* the tracer's name, or CLASS_UNNAMED */
    Table methods;
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
/* chars_tag: the tracer's tag of chars, whose allocation it was. */
ObjString *string_take(char *chars, int length, mt_tag chars_tag);
ObjString *string_copy(const char *chars, int length);
ObjUpvalue *upvalue_new(Value *slot);

/* The tracer's names, interned on first use. */
mt_func function_mt_name(ObjFunction *function);
static inline mt_func function_mt_func(ObjFunction *function) {
    return function->mt_named ? function->mt_func : function_mt_name(function);
}
/* A class's mt_type until it is interned: no type the tracer gives out. */
#define CLASS_UNNAMED ((mt_type)UINT32_MAX)
mt_type class_mt_name(ObjClass *klass);
static inline mt_type class_mt_type(ObjClass *klass) {
    return klass->mt_type != CLASS_UNNAMED ? klass->mt_type
                                           : class_mt_name(klass);
}

void object_print(Value value);

static inline bool obj_is(Value value, ObjType type) {
    return IS_OBJ(value) && AS_OBJ(value)->type == type;
}

#endif
