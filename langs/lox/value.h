/*
 * value.h -- the Lox value, NaN-boxed into 64 bits.
 *
 * A number is stored as its IEEE double.  Everything else hides in the
 * payload of a quiet NaN: nil/false/true as small tags, an object as its
 * pointer with the sign bit set.  A value fits a register, and testing or
 * unboxing a number costs nothing.
 */
#ifndef lox_value_h
#define lox_value_h

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "heap.h"

typedef struct Obj Obj;
typedef struct ObjString ObjString;

/* The header of every object, and the string object.  They live here, not
 * in object.h, because the hash tables (table.h) probe by a key string's
 * hash inline and cannot include object.h, which embeds tables.  The
 * heap's tag fills what would be padding: the header stays 16 bytes. */
struct Obj {
    uint8_t type;  /* an ObjType */
    bool is_marked;
    WITH_HOOKS(uint32_t tag;)
    struct Obj *next;
};

struct ObjString {
    Obj obj;
    int length;
    uint32_t hash;
    char *chars;
    WITH_HOOKS(uint32_t chars_tag;)
};

typedef uint64_t Value;

/* How many values one byte operand can address: locals, upvalues,
 * constants. */
#define UINT8_COUNT (UINT8_MAX + 1)

#define SIGN_BIT ((uint64_t)0x8000000000000000)
#define QNAN ((uint64_t)0x7ffc000000000000)

#define TAG_NIL 1
#define TAG_FALSE 2
#define TAG_TRUE 3

#define NIL_VAL ((Value)(QNAN | TAG_NIL))
#define FALSE_VAL ((Value)(QNAN | TAG_FALSE))
#define TRUE_VAL ((Value)(QNAN | TAG_TRUE))
#define BOOL_VAL(b) ((b) ? TRUE_VAL : FALSE_VAL)
#define NUMBER_VAL(num) value_from_number(num)
#define OBJ_VAL(obj) (Value)(SIGN_BIT | QNAN | (uint64_t)(uintptr_t)(obj))

#define IS_NIL(value) ((value) == NIL_VAL)
#define IS_BOOL(value) (((value) | 1) == TRUE_VAL)
#define IS_NUMBER(value) (((value) & QNAN) != QNAN)
#define IS_OBJ(value) (((value) & (QNAN | SIGN_BIT)) == (QNAN | SIGN_BIT))

#define AS_BOOL(value) ((value) == TRUE_VAL)
#define AS_NUMBER(value) value_to_number(value)
#define AS_OBJ(value) ((Obj *)(uintptr_t)((value) & ~(SIGN_BIT | QNAN)))

static inline double value_to_number(Value value) {
    double num;
    memcpy(&num, &value, sizeof num);
    return num;
}

static inline Value value_from_number(double num) {
    Value value;
    memcpy(&value, &num, sizeof value);
    return value;
}

/* A growable run of values: chunk constants and array elements. */
typedef struct {
    Value *values;
    int capacity;
    int count;
    HEAP_SLOT_FIELD(slot)
} ValueArray;

/* owner: whose values they are (heap.h). */
void value_array_init(ValueArray *array, HeapOwner owner);
void value_array_write(ValueArray *array, Value value);
void value_array_free(ValueArray *array);

/* Numbers compare as doubles, so NaN != NaN as in clox; everything else,
 * interned strings included, compares by identity. */
static inline bool value_equal(Value a, Value b) {
    if (IS_NUMBER(a) && IS_NUMBER(b)) return AS_NUMBER(a) == AS_NUMBER(b);
    return a == b;
}

void value_print(Value value);

#endif
