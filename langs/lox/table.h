/*
 * table.h -- open-addressing hash table keyed by interned strings.
 *
 * Used for globals, the string intern set, instance fields and class
 * methods.  Keys are interned, so a key compares by pointer.  A table
 * carries its owner's tag so its entry array is charged to the right type.
 */
#ifndef lox_table_h
#define lox_table_h

#include "value.h"

typedef struct {
    ObjString *key;
    Value value;
} Entry;

typedef struct {
    int count; /* live entries plus tombstones */
    int capacity;
    Entry *entries;
    MemTag tag;
} Table;

void table_init(Table *table, MemTag tag);
void table_free(Table *table);
bool table_get(Table *table, ObjString *key, Value *value);
bool table_set(Table *table, ObjString *key, Value value);
bool table_delete(Table *table, ObjString *key);
void table_add_all(Table *from, Table *to);
ObjString *table_find_string(Table *table, const char *chars, int length,
                             uint32_t hash);
void table_remove_white(Table *table);
void table_mark(Table *table);

#endif
