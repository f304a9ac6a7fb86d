/*
 * value.c -- value arrays, and printing values as clox does.
 */
#include <stdio.h>

#include "memory.h"
#include "object.h"
#include "value.h"

void value_array_init(ValueArray *array, HeapOwner owner) {
    array->capacity = 0;
    array->count = 0;
    array->values = NULL;
    HEAP_SLOT_SET(array->slot, HEAP_SLOT_NEW(owner));
}

void value_array_write(ValueArray *array, Value value) {
    if (array->capacity < array->count + 1) {
        int old = array->capacity;
        array->capacity = GROW_CAPACITY(old);
        array->values = GROW_ARRAY(Value, array->values, old, array->capacity,
                                   HEAP_SLOT(array->slot));
    }
    array->values[array->count++] = value;
}

void value_array_free(ValueArray *array) {
    heap_unused(HEAP_SLOT(array->slot),
                sizeof(Value) * (size_t)(array->capacity - array->count));
    FREE_ARRAY(Value, array->values, array->capacity, HEAP_SLOT(array->slot));
    array->capacity = 0;
    array->count = 0;
    array->values = NULL;
}

void value_print(Value value) {
    if (IS_BOOL(value)) {
        printf(AS_BOOL(value) ? "true" : "false");
    } else if (IS_NIL(value)) {
        printf("nil");
    } else if (IS_NUMBER(value)) {
        printf("%g", AS_NUMBER(value));
    } else {
        object_print(value);
    }
}
