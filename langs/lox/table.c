/*
 * table.c -- the hash table: linear probing, tombstones, capacity a power
 * of two so a probe wraps with a mask, grown at 3/4 load.
 */
#include <string.h>

#include "memory.h"
#include "object.h"
#include "table.h"

#define TABLE_MAX_LOAD 0.75

void table_free(Table *table) {
    TableSlot slot = table_slot(table);
    heap_unused(&slot.slot,
                sizeof(Entry) * (size_t)(table->capacity - table->count));
    FREE_ARRAY(Entry, table->entries, table->capacity, &slot.slot);
    table->entries = NULL;
    table->count = 0;
    table->capacity = 0;
}

/* The new entries are obtained under the old ones' slot, as a grown
 * block is, and keep their own tag; the old ones are freed under theirs,
 * their slots never used (count holds tombstones too) told as unused. */
static __attribute__((noinline)) void table_resize(Table *table,
                                                  int capacity) {
    TableSlot old_slot = table_slot(table);
    heap_unused(&old_slot.slot,
                sizeof(Entry) * (size_t)(table->capacity - table->count));
    TableSlot slot = old_slot;
    Entry *entries = ALLOCATE(Entry, capacity, &slot.slot);
    table_tag_keep(entries, capacity, &slot);
    for (int i = 0; i < capacity; i++) {
        entries[i].key = NULL;
        entries[i].value = NIL_VAL;
    }
    table->count = 0;
    for (int i = 0; i < table->capacity; i++) {
        Entry *entry = &table->entries[i];
        if (entry->key == NULL) continue;
        Entry *dest = table_entry_find(entries, capacity, entry->key);
        dest->key = entry->key;
        dest->value = entry->value;
        table->count++;
    }
    FREE_ARRAY(Entry, table->entries, table->capacity, &old_slot.slot);
    table->entries = entries;
    table->capacity = capacity;
}

/* Returns true when the key was not there before. */
bool table_set(Table *table, ObjString *key, Value value) {
    if (table->count + 1 > table->capacity * TABLE_MAX_LOAD)
        table_resize(table, GROW_CAPACITY(table->capacity));
    Entry *entry = table_entry_find(table->entries, table->capacity, key);
    bool is_new = entry->key == NULL;
    if (is_new && IS_NIL(entry->value)) table->count++;
    entry->key = key;
    entry->value = value;
    return is_new;
}

bool table_delete(Table *table, ObjString *key) {
    if (table->count == 0) return false;
    Entry *entry = table_entry_find(table->entries, table->capacity, key);
    if (entry->key == NULL) return false;
    entry->key = NULL;
    entry->value = TRUE_VAL; /* tombstone: keeps probe chains intact */
    return true;
}

void table_add_all(Table *from, Table *to) {
    for (int i = 0; i < from->capacity; i++) {
        Entry *entry = &from->entries[i];
        if (entry->key != NULL) table_set(to, entry->key, entry->value);
    }
}

/* The one look-up by content rather than identity: interning. */
ObjString *table_find_string(Table *table, const char *chars, int length,
                             uint32_t hash) {
    if (table->count == 0) return NULL;
    uint32_t index = hash & (uint32_t)(table->capacity - 1);
    for (;;) {
        Entry *entry = &table->entries[index];
        if (entry->key == NULL) {
            if (IS_NIL(entry->value)) return NULL;
        } else if (entry->key->length == length && entry->key->hash == hash &&
                   memcmp(entry->key->chars, chars, (size_t)length) == 0) {
            return entry->key;
        }
        index = (index + 1) & (uint32_t)(table->capacity - 1);
    }
}

/* The intern set holds its strings weakly: drop the ones about to die. */
void table_remove_white(Table *table) {
    for (int i = 0; i < table->capacity; i++) {
        Entry *entry = &table->entries[i];
        if (entry->key != NULL && !entry->key->obj.is_marked)
            table_delete(table, entry->key);
    }
}

void table_mark(Table *table) {
    for (int i = 0; i < table->capacity; i++) {
        Entry *entry = &table->entries[i];
        if (entry->key == NULL) continue;
        gc_mark_object((Obj *)entry->key);
        gc_mark_value(entry->value);
    }
}
