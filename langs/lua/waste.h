/*
 * waste.h -- the unused bytes of Lua's tables: slots of a table's array or
 * hash part never used while the part lived.
 */
#ifndef LUAMT_WASTE_H
#define LUAMT_WASTE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether tables' parts are told apart and their unused bytes counted:
 * tracing, not sampled, and the layout probe passed (waste_start). */
extern bool waste_on;

/* At trace_start: sets waste_on.  A layout other than the one read here
 * leaves it off, said in one line on stderr. */
void waste_start(bool sampled);

/* The bytes of a part of size bytes (array: TValues, else Nodes) that were
 * never used since Lua made it. */
size_t waste_unused(const void *part, size_t size, bool array);

#endif
