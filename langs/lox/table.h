/*
 * table.h -- open-addressing hash table keyed by interned strings.
 *
 * Used for globals, the string intern set, instance fields and class
 * methods.  Keys are interned, so a key compares by pointer.
 */
#ifndef lox_table_h
#define lox_table_h

#include "value.h"

typedef struct {
    ObjString *key;
    Value value;
} Entry;

typedef struct {
    Entry *entries;
    int count; /* live entries plus tombstones */
    int capacity;
    HEAP_SLOT_FIELD(slot)
} Table;

/* owner: whose entries they are (heap.h). */
static inline void table_init(Table *table, HeapOwner owner) {
    table->entries = NULL;
    table->count = 0;
    table->capacity = 0;
    HEAP_SLOT_SET(table->slot, HEAP_SLOT_NEW(owner));
}
void table_free(Table *table);
bool table_set(Table *table, ObjString *key, Value value);
bool table_delete(Table *table, ObjString *key);
void table_add_all(Table *from, Table *to);
ObjString *table_find_string(Table *table, const char *chars, int length,
                             uint32_t hash);
void table_remove_white(Table *table);
void table_mark(Table *table);

/* The probe and the look-up are inline: every global, field and method
 * access in the run loop goes through them. */
static inline Entry *table_entry_find(Entry *entries, int capacity,
                                      ObjString *key) {
    uint32_t mask = (uint32_t)capacity - 1;
    uint32_t index = key->hash & mask;
    Entry *tombstone = NULL;
    for (;;) {
        Entry *entry = &entries[index];
        if (entry->key == key) return entry;
        if (entry->key == NULL) {
            if (IS_NIL(entry->value)) return tombstone ? tombstone : entry;
            if (tombstone == NULL) tombstone = entry;
        }
        index = (index + 1) & mask;
    }
}

static inline bool table_get(Table *table, ObjString *key, Value *value) {
    if (table->count == 0) return false;
    Entry *entry = table_entry_find(table->entries, table->capacity, key);
    if (entry->key == NULL) return false;
    *value = entry->value;
    return true;
}

#endif
