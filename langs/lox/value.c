/*
 * value.c -- value arrays, and printing values as clox does.
 */
#include <stdio.h>

#include "memory.h"
#include "object.h"
#include "value.h"

void value_array_init(ValueArray *array) {
    array->capacity = 0;
    array->count = 0;
    array->values = NULL;
    array->mt_tag = MT_TAG_NONE;
}

void value_array_write(ValueArray *array, Value value, MemTag tag) {
    if (array->capacity < array->count + 1) {
        int old = array->capacity;
        array->capacity = GROW_CAPACITY(old);
        array->values =
            GROW_ARRAY(Value, array->values, old, array->capacity, tag,
                       &array->mt_tag);
    }
    array->values[array->count++] = value;
}

void value_array_free(ValueArray *array) {
    FREE_ARRAY(Value, array->values, array->capacity, &array->mt_tag);
    value_array_init(array);
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
