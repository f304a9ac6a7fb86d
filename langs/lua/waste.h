/*
 * waste.h -- the unused bytes of Lua's tables: slots of a table's array or
 * hash part never used while the part lived.
 */
#ifndef LUAMT_WASTE_H
#define LUAMT_WASTE_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

/* Whether tables' parts are told apart and their unused bytes counted:
 * tracing, not sampled, and the layout probe passed (waste_start). */
extern bool waste_on;

/* At trace_start: sets waste_on.  A layout other than the one read here
 * leaves it off, said in one line on stderr. */
void waste_start(bool sampled);

/* Lua 5.4's layout (lobject.h), as layout_probe checks it: a TValue of
 * 16 bytes, its tag at offset 8; a Node of 24, its key's tag at 9. */
#define WASTE_TVALUE_SIZE 16
#define WASTE_NODE_SIZE 24
#define WASTE_VALUE_TAG_AT 8
#define WASTE_KEY_TAG_AT 9
#define WASTE_TAG_EMPTY (LUA_TNIL | 1 << 4)     /* LUA_VEMPTY */

/* The bytes of a part of size bytes (array: TValues, else Nodes) never
 * used since Lua made them. */
static inline size_t waste_unused(const void *part, size_t size, bool array)
{
    const unsigned char *at = part, *end = at + size;
    size_t never = 0;
    if (array) {
        for (at += WASTE_VALUE_TAG_AT; at < end; at += WASTE_TVALUE_SIZE)
            never += *at == WASTE_TAG_EMPTY;
        return never * WASTE_TVALUE_SIZE;
    }
    for (at += WASTE_KEY_TAG_AT; at < end; at += WASTE_NODE_SIZE)
        never += *at == LUA_TNIL;
    return never * WASTE_NODE_SIZE;
}

#endif
