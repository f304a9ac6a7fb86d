/*
 * table.h -- open-addressing hash table keyed by interned strings.
 *
 * Used for globals, the string intern set, instance fields and class
 * methods.  Keys are interned, so a key compares by pointer.
 */
#ifndef lox_table_h
#define lox_table_h

#include <string.h>

#include "value.h"

typedef struct {
    ObjString *key;
    Value value;
} Entry;

typedef struct {
    Entry *entries;
    int count; /* live entries plus tombstones */
    int capacity;
} Table;

static inline void table_init(Table *table) {
    table->entries = NULL;
    table->count = 0;
    table->capacity = 0;
}

/* In the VM with hooks a table's entries keep their tracer tag after the
 * last entry (4 bytes more in their block, memory.h), so that a Table,
 * and an instance holding one, are the book's size.  The slot the table
 * hands the chokepoint is made on the stack: the tag read from the
 * entries, and the table, whose address says whose entries they are
 * (where.h). */
typedef struct TableSlot {
    HeapSlot slot;
    const Table *table;
} TableSlot;

static inline size_t table_tag_offset(int capacity) {
    return sizeof(Entry) * (size_t)capacity;
}

static inline TableSlot table_slot(const Table *table) {
    TableSlot slot = {HEAP_SLOT_NEW(OWNER_TABLE), table};
#ifndef MT_HOOKS_DISABLED
    if (table->entries != NULL)
        memcpy(&slot.slot.tag,
               (const char *)table->entries + table_tag_offset(table->capacity),
               sizeof slot.slot.tag);
#endif
    return slot;
}

/* The new entries' tag, kept after them. */
static inline void table_tag_keep(Entry *entries, int capacity,
                                  const TableSlot *slot) {
#ifndef MT_HOOKS_DISABLED
    memcpy((char *)entries + table_tag_offset(capacity), &slot->slot.tag,
           sizeof slot->slot.tag);
#else
    (void)entries;
    (void)capacity;
    (void)slot;
#endif
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

/* Its own probe, not table_entry_find's: a key found returns at once,
 * with no second test of what was found. */
static inline bool table_get(Table *table, ObjString *key, Value *value) {
    if (table->count == 0) return false;
    uint32_t mask = (uint32_t)table->capacity - 1;
    for (uint32_t index = key->hash & mask;; index = (index + 1) & mask) {
        const Entry *entry = &table->entries[index];
        if (entry->key == key) {
            *value = entry->value;
            return true;
        }
        if (entry->key == NULL && IS_NIL(entry->value)) return false;
    }
}

#endif
