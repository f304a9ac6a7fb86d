/*
 * table.h -- rows of text cells printed as aligned columns or as a
 * Markdown table.  Every table of the command (compare, gate, bench) goes
 * through here, so they all look alike.
 */
#ifndef MEMTRACER_TABLE_H
#define MEMTRACER_TABLE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct Table Table;

/* A table with the given headers; `align` has one letter per column,
 * 'l' or 'r'. */
Table *table_new(const char *const *headers, const char *align);
/* Adds a row of as many cells as there are columns; the table takes the
 * (newly allocated) strings. */
void table_add(Table *table, char **cells);
size_t table_rows(const Table *table);
/* Prints with one space of margin and two between columns, or as a
 * Markdown table ('|' in a cell escaped). */
void table_print(const Table *table, FILE *out, bool markdown);
void table_free(Table *table);

#endif
