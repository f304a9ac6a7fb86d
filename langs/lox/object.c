/*
 * object.c -- creating objects and printing them as clox does.
 *
 * Each constructor obtains its block from the heap's chokepoint (memory.h);
 * anything it must keep alive across a second allocation is pushed on the
 * VM stack first, because any allocation may run the collector.
 */
#include <stdio.h>
#include <string.h>

#include "memory.h"
#include "object.h"
#include "vm.h"

#ifdef MT_HOOKS_DISABLED
#define COUNTED_IS_SIZE(type, bytes) \
    _Static_assert(sizeof(type) == (bytes), #type "'s size is not " #bytes)
COUNTED_IS_SIZE(ObjArray, ARRAY_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjBoundMethod, BOUND_METHOD_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjClass, CLASS_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjClosure, CLOSURE_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjFunction, FUNCTION_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjInstance, INSTANCE_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjNative, NATIVE_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjString, STRING_COUNTED_BYTES);
COUNTED_IS_SIZE(ObjUpvalue, UPVALUE_COUNTED_BYTES);
#endif
/* The VM with hooks too: the objects a program makes by the million cost
 * it no memory of the tracer's (a table keeps its tag in its entries). */
_Static_assert(sizeof(ObjInstance) == INSTANCE_COUNTED_BYTES,
               "an instance is the book's size, traced or not");
/* A class fills glibc's chunk for the book's (64 bytes: the block and
 * its 8-byte header, rounded up to 16). */
_Static_assert(sizeof(ObjClass) <= (CLASS_COUNTED_BYTES + 8 + 15) / 16 * 16 - 8,
               "a class takes the chunk the book's takes");

#define ALLOCATE_OBJ(type, obj_type, klass) \
    (type *)object_allocate(sizeof(type), obj_type, klass)

static Obj *object_allocate(size_t size, ObjType type, ObjClass *klass) {
    Obj *object = object_obtain(size, type, klass);
    object->type = type;
    object->is_marked = false;
    object->next = vm.objects;
    vm.objects = object;
    return object;
}

/* An array literal knows its size: its storage is obtained in one block. */
ObjArray *array_new(int capacity) {
    ObjArray *array = ALLOCATE_OBJ(ObjArray, OBJ_ARRAY, NULL);
    value_array_init(&array->items, OWNER_ARRAY_ELEMENTS);
    if (capacity > 0) {
        vm_push(OBJ_VAL(array));
        array->items.values =
            ALLOCATE(Value, capacity, HEAP_SLOT(array->items.slot));
        array->items.capacity = capacity;
        vm_pop();
    }
    return array;
}

void array_push(ObjArray *array, Value value) {
    value_array_write(&array->items, value);
}

ObjBoundMethod *bound_method_new(Value receiver, ObjClosure *method) {
    ObjBoundMethod *bound =
        ALLOCATE_OBJ(ObjBoundMethod, OBJ_BOUND_METHOD, NULL);
    bound->receiver = receiver;
    bound->method = method;
    return bound;
}

ObjClass *class_new(ObjString *name) {
    ObjClass *klass = ALLOCATE_OBJ(ObjClass, OBJ_CLASS, NULL);
    klass->name = name;
    klass->initializer = NIL_VAL;
    WITH_HOOKS(klass->trace_types[CLASS_INSTANCES] =
                   klass->trace_types[CLASS_FIELDS] = 0;)
    table_init(&klass->methods);
    return klass;
}

ObjClosure *closure_new(ObjFunction *function) {
    ObjUpvalue **upvalues = NULL;
    HeapSlot upvalues_slot = HEAP_SLOT_NEW(OWNER_CLOSURE_UPVALUES);
    if (function->upvalue_count > 0) {
        upvalues = ALLOCATE(ObjUpvalue *, function->upvalue_count,
                            &upvalues_slot);
        for (int i = 0; i < function->upvalue_count; i++) upvalues[i] = NULL;
    }
    ObjClosure *closure = ALLOCATE_OBJ(ObjClosure, OBJ_CLOSURE, NULL);
    closure->function = function;
    closure->upvalues = upvalues;
    HEAP_TAG_KEEP(closure->upvalues_tag, upvalues_slot);
    closure->upvalue_count = function->upvalue_count;
    return closure;
}

ObjFunction *function_new(int line) {
    ObjFunction *function = ALLOCATE_OBJ(ObjFunction, OBJ_FUNCTION, NULL);
    function->arity = 0;
    function->upvalue_count = 0;
    function->max_stack = 0;
    function->line = line;
    WITH_HOOKS(function->trace_name = 0;)
    WITH_HOOKS(function->trace_allocates = false;)
    function->name = NULL;
    function->class_name = NULL;
    chunk_init(&function->chunk);
    return function;
}

ObjInstance *instance_new(ObjClass *klass) {
    ObjInstance *instance = ALLOCATE_OBJ(ObjInstance, OBJ_INSTANCE, klass);
    instance->klass = klass;
    table_init(&instance->fields);
    return instance;
}

ObjNative *native_new(NativeFn function, int arity) {
    ObjNative *native = ALLOCATE_OBJ(ObjNative, OBJ_NATIVE, NULL);
    native->function = function;
    native->arity = arity;
    return native;
}

static ObjString *string_allocate(char *chars, int length, uint32_t hash,
                                  HeapSlot chars_slot) {
    ObjString *string = ALLOCATE_OBJ(ObjString, OBJ_STRING, NULL);
    string->length = length;
    string->chars = chars;
    HEAP_TAG_KEEP(string->chars_tag, chars_slot);
    string->hash = hash;
    vm_push(OBJ_VAL(string));
    table_set(&vm.strings, string, NIL_VAL);
    vm_pop();
    return string;
}

/* FNV-1a. */
static uint32_t string_hash(const char *key, int length) {
    uint32_t hash = 2166136261u;
    for (int i = 0; i < length; i++) {
        hash ^= (uint8_t)key[i];
        hash *= 16777619;
    }
    return hash;
}

ObjString *string_take(char *chars, int length, HeapSlot chars_slot) {
    uint32_t hash = string_hash(chars, length);
    ObjString *interned = table_find_string(&vm.strings, chars, length, hash);
    if (interned != NULL) {
        FREE_ARRAY(char, chars, length + 1, &chars_slot);
        return interned;
    }
    return string_allocate(chars, length, hash, chars_slot);
}

ObjString *string_copy(const char *chars, int length) {
    uint32_t hash = string_hash(chars, length);
    ObjString *interned = table_find_string(&vm.strings, chars, length, hash);
    if (interned != NULL) return interned;
    HeapSlot chars_slot = HEAP_SLOT_NEW(OWNER_STRING_CHARS);
    char *heap_chars = ALLOCATE(char, length + 1, &chars_slot);
    memcpy(heap_chars, chars, (size_t)length);
    heap_chars[length] = '\0';
    return string_allocate(heap_chars, length, hash, chars_slot);
}

ObjUpvalue *upvalue_new(Value *slot) {
    ObjUpvalue *upvalue = ALLOCATE_OBJ(ObjUpvalue, OBJ_UPVALUE, NULL);
    upvalue->closed = NIL_VAL;
    upvalue->location = slot;
    upvalue->next = NULL;
    return upvalue;
}

static void function_print(ObjFunction *function) {
    if (function->name == NULL)
        printf("<script>");
    else
        printf("<fn %s>", function->name->chars);
}

/* Arrays may contain themselves: one already being printed shows as
 * [...], and so does anything nested deeper than the guard can hold. */
#define PRINT_DEPTH_MAX 64
static ObjArray *printing[PRINT_DEPTH_MAX];
static int printing_depth = 0;

static void array_print(ObjArray *array) {
    bool cycle = printing_depth == PRINT_DEPTH_MAX;
    for (int i = 0; i < printing_depth && !cycle; i++)
        cycle = printing[i] == array;
    if (cycle) {
        printf("[...]");
        return;
    }
    printing[printing_depth++] = array;
    printf("[");
    for (int i = 0; i < array->items.count; i++) {
        if (i > 0) printf(", ");
        value_print(array->items.values[i]);
    }
    printf("]");
    printing_depth--;
}

void object_print(Value value) {
    switch (OBJ_TYPE(value)) {
    case OBJ_ARRAY: array_print(AS_ARRAY(value)); break;
    case OBJ_BOUND_METHOD:
        function_print(AS_BOUND_METHOD(value)->method->function);
        break;
    case OBJ_CLASS: printf("%s", AS_CLASS(value)->name->chars); break;
    case OBJ_CLOSURE: function_print(AS_CLOSURE(value)->function); break;
    case OBJ_FUNCTION: function_print(AS_FUNCTION(value)); break;
    case OBJ_INSTANCE:
        printf("%s instance", AS_INSTANCE(value)->klass->name->chars);
        break;
    case OBJ_NATIVE: printf("<native fn>"); break;
    case OBJ_STRING: printf("%s", AS_CSTRING(value)); break;
    case OBJ_UPVALUE: printf("upvalue"); break;
    case OBJ_TYPE_COUNT: break;
    }
}
