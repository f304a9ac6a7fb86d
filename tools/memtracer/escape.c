/*
 * escape.c -- text as a terminal should show it (see escape.h).
 */
#include "escape.h"

#include <stdio.h>
#include <string.h>

#include "json_out.h"
#include "msg.h"

/* The length of the character at `c` when a terminal shows it as it is;
 * 0 for a control character (C0, DEL, C1) or a byte that is not UTF-8. */
static size_t printable_length(const char *c) {
    const unsigned char *bytes = (const unsigned char *)c;
    size_t length = utf8_length(c);
    if (length == 1 && (bytes[0] < 0x20 || bytes[0] == 0x7F)) return 0;
    if (length == 2 && bytes[0] == 0xC2 && bytes[1] < 0xA0) return 0;
    return length;
}

char *text_escape(const char *text) {
    /* An escaped byte takes at most 4 ("\x01"); a C1 control's two, 6. */
    char *escaped = mem_alloc(strlen(text) * 4 + 1), *at = escaped;
    for (const char *c = text; *c != '\0';) {
        const unsigned char *bytes = (const unsigned char *)c;
        size_t length = printable_length(c);
        if (length > 0) {
            memcpy(at, c, length);
            at += length;
            c += length;
        } else if (utf8_length(c) == 2) {
            at += sprintf(at, "\\u%04x", bytes[1]);
            c += 2;
        } else {
            const char *name = bytes[0] == '\n' ? "\\n" : bytes[0] == '\r' ? "\\r"
                               : bytes[0] == '\t' ? "\\t" : NULL;
            at += name != NULL ? sprintf(at, "%s", name) : sprintf(at, "\\x%02x", bytes[0]);
            c++;
        }
    }
    *at = '\0';
    return escaped;
}
