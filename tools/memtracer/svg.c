/*
 * svg.c -- XML escaping and stable colours (see svg.h).
 */
#include "svg.h"

#include <string.h>

static void char_write(FILE *out, unsigned char c) {
    switch (c) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&apos;", out); break;
    default:
        /* XML 1.0 has no place for C0 controls other than tab and newlines. */
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') fputc('?', out);
        else fputc(c, out);
    }
}

void svg_escape(FILE *out, const char *text) {
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) char_write(out, *c);
}

void svg_escape_fitted(FILE *out, const char *text, size_t max_chars) {
    size_t chars = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
        if ((*c & 0xC0) != 0x80) chars++;
    if (chars <= max_chars) {
        svg_escape(out, text);
        return;
    }
    if (max_chars < 3) return;
    /* Keep max_chars - 2 whole UTF-8 characters, then "..". */
    size_t kept = 0;
    const unsigned char *c = (const unsigned char *)text;
    for (; *c != '\0'; c++) {
        if ((*c & 0xC0) != 0x80 && kept++ == max_chars - 2) break;
        char_write(out, *c);
    }
    fputs("..", out);
}

uint32_t svg_hash(const char *text) {
    uint32_t hash = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
        hash ^= *c;
        hash *= 16777619u;
    }
    return hash;
}
