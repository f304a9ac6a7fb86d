/*
 * svg.c -- XML escaping and stable colours (see svg.h).
 */
#include "svg.h"

#include <stdbool.h>
#include <string.h>

#define CHAR_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

/* The length in bytes of the well-formed UTF-8 character `text` starts
 * with (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF), storing its code point in *code; 0 when there is none. */
static size_t char_decode(const unsigned char *text, uint32_t *code) {
    unsigned char lead = text[0];
    if (lead < 0x80) {
        *code = lead;
        return 1;
    }
    size_t length;
    uint32_t value, least;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2, value = lead & 0x1F, least = 0x80;
    else if (lead >= 0xE0 && lead <= 0xEF) length = 3, value = lead & 0x0F, least = 0x800;
    else if (lead >= 0xF0 && lead <= 0xF4) length = 4, value = lead & 0x07, least = 0x10000;
    else return 0;
    /* A NUL ends the text, and is no continuation byte: never read past it. */
    for (size_t i = 1; i < length; i++) {
        if ((text[i] & 0xC0) != 0x80) return 0;
        value = value << 6 | (text[i] & 0x3F);
    }
    if (value < least || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
    *code = value;
    return length;
}

/* XML 1.0's Char production. */
static bool char_allowed(uint32_t code) {
    return code == 0x9 || code == 0xA || code == 0xD || (code >= 0x20 && code <= 0xD7FF) ||
           (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
}

/* Writes the character `text` starts with, escaped; returns the bytes it
 * took (a malformed byte is one character of its own). */
static size_t char_write(FILE *out, const unsigned char *text) {
    uint32_t code;
    size_t length = char_decode(text, &code);
    if (length == 0) {
        fputs(CHAR_REPLACEMENT, out);
        return 1;
    }
    switch (code) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&apos;", out); break;
    default:
        if (char_allowed(code)) fwrite(text, 1, length, out);
        else fputs(CHAR_REPLACEMENT, out);
    }
    return length;
}

/* Characters as char_write counts them. */
static size_t chars_count(const unsigned char *text) {
    size_t chars = 0;
    uint32_t code;
    while (*text != '\0') {
        size_t length = char_decode(text, &code);
        text += length != 0 ? length : 1;
        chars++;
    }
    return chars;
}

void svg_escape(FILE *out, const char *text) {
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0';) c += char_write(out, c);
}

void svg_escape_fitted(FILE *out, const char *text, size_t max_chars) {
    const unsigned char *c = (const unsigned char *)text;
    if (chars_count(c) <= max_chars) {
        svg_escape(out, text);
        return;
    }
    if (max_chars < 3) return;
    /* Keep max_chars - 2 characters, then "..". */
    for (size_t kept = 0; kept < max_chars - 2; kept++) c += char_write(out, c);
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
