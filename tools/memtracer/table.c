/*
 * table.c -- aligned and Markdown tables (see table.h).  Widths count
 * UTF-8 characters, not bytes, so names outside ASCII stay aligned; a
 * control character in a cell is shown escaped, so a row stays one line.
 */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "msg.h"

struct Table {
    size_t columns;
    char *align;
    char **headers;
    char ***rows;  /* each an array of `columns` strings */
    size_t row_count, row_capacity;
};

Table *table_new(const char *const *headers, const char *align) {
    Table *table = mem_calloc(1, sizeof(Table));
    table->columns = strlen(align);
    table->align = str_dup(align);
    table->headers = mem_calloc(table->columns, sizeof(char *));
    for (size_t c = 0; c < table->columns; c++) table->headers[c] = str_dup(headers[c]);
    return table;
}

/* `text` as a terminal should show it (escape.h), so that a cell is one
 * line, as wide as text_width says.  Takes `text`. */
static char *cell_escape(char *text) {
    char *escaped = text_escape(text);
    free(text);
    return escaped;
}

void table_add(Table *table, char **cells) {
    char **row = mem_calloc(table->columns, sizeof(char *));
    for (size_t c = 0; c < table->columns; c++) row[c] = cell_escape(cells[c]);
    if (table->row_count == table->row_capacity) {
        table->row_capacity = table->row_capacity > 0 ? table->row_capacity * 2 : 16;
        table->rows = mem_grow(table->rows, table->row_capacity, sizeof(char **));
    }
    table->rows[table->row_count++] = row;
}

size_t table_rows(const Table *table) {
    return table->row_count;
}

static size_t text_width(const char *text) {
    size_t width = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
        if ((*c & 0xC0) != 0x80) width++;
    return width;
}

static void cell_print(FILE *out, const char *text, size_t width, char align, bool last) {
    size_t pad = width - text_width(text);
    if (align == 'r') fprintf(out, "%*s", (int)pad, "");
    fputs(text, out);
    if (align != 'r' && !last) fprintf(out, "%*s", (int)pad, "");
}

static void markdown_cell_print(FILE *out, const char *text) {
    fputs("| ", out);
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '|') fputc('\\', out);
        fputc(*c, out);
    }
    fputc(' ', out);
}

void table_print(const Table *table, FILE *out, bool markdown) {
    if (markdown) {
        for (size_t c = 0; c < table->columns; c++) markdown_cell_print(out, table->headers[c]);
        fputs("|\n", out);
        for (size_t c = 0; c < table->columns; c++)
            fputs(table->align[c] == 'r' ? "|---:" : "|---", out);
        fputs("|\n", out);
        for (size_t r = 0; r < table->row_count; r++) {
            for (size_t c = 0; c < table->columns; c++)
                markdown_cell_print(out, table->rows[r][c]);
            fputs("|\n", out);
        }
        return;
    }
    size_t *widths = mem_calloc(table->columns, sizeof(size_t));
    for (size_t c = 0; c < table->columns; c++) {
        widths[c] = text_width(table->headers[c]);
        for (size_t r = 0; r < table->row_count; r++) {
            size_t width = text_width(table->rows[r][c]);
            if (width > widths[c]) widths[c] = width;
        }
    }
    for (size_t r = 0; r <= table->row_count; r++) {
        char **cells = r == 0 ? table->headers : table->rows[r - 1];
        for (size_t c = 0; c < table->columns; c++) {
            fputs(c == 0 ? " " : "  ", out);
            cell_print(out, cells[c], widths[c], table->align[c], c + 1 == table->columns);
        }
        fputc('\n', out);
    }
    free(widths);
}

void table_free(Table *table) {
    if (table == NULL) return;
    for (size_t r = 0; r < table->row_count; r++) {
        for (size_t c = 0; c < table->columns; c++) free(table->rows[r][c]);
        free(table->rows[r]);
    }
    free(table->rows);
    for (size_t c = 0; c < table->columns; c++) free(table->headers[c]);
    free(table->headers);
    free(table->align);
    free(table);
}
