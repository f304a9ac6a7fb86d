/*
 * value.c -- value arrays, equality and printing as clox does them.
 */
#include <stdio.h>

#include "memory.h"
#include "object.h"
#include "value.h"

void value_array_init(ValueArray *array) {
    array->capacity = 0;
    array->count = 0;
    array->values = NULL;
}

void value_array_write(ValueArray *array, Value value, MemTag tag) {
    if (array->capacity < array->count + 1) {
        int old = array->capacity;
        array->capacity = GROW_CAPACITY(old);
        array->values =
            GROW_ARRAY(Value, array->values, old, array->capacity, tag);
    }
    array->values[array->count++] = value;
}

void value_array_free(ValueArray *array) {
    FREE_ARRAY(Value, array->values, array->capacity);
    value_array_init(array);
}

/* Numbers compare as doubles, so NaN != NaN as in clox; everything else,
 * interned strings included, compares by identity. */
bool value_equal(Value a, Value b) {
    if (IS_NUMBER(a) && IS_NUMBER(b)) return AS_NUMBER(a) == AS_NUMBER(b);
    return a == b;
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
