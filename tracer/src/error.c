/*
 * error.c -- the last error message (mt_error).  It lives in plain malloc
 * memory, not the tracer's own, because it must outlive a failed start,
 * which hands the tracer's memory back.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "memtracer/memtracer.h"

static char *message;

/* text with each control character written as an escape (\n, \x1b), so
 * that a message is one line whatever a user typed into it. */
static char *escaped(const char *text) {
    size_t len = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        len += *c < 0x20 || *c == 0x7f ? 4 : 1;
    char *copy = malloc(len + 1), *at = copy;
    if (copy == NULL) return NULL;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c >= 0x20 && *c != 0x7f) {
            *at++ = (char)*c;
        } else if (*c == '\n' || *c == '\r' || *c == '\t') {
            *at++ = '\\';
            *at++ = *c == '\n' ? 'n' : *c == '\r' ? 'r' : 't';
        } else {
            at += sprintf(at, "\\x%02x", *c);
        }
    }
    *at = '\0';
    return copy;
}

void tr_error_set(const char *format, ...) {
    va_list args;
    va_start(args, format);
    int length = vsnprintf(NULL, 0, format, args);
    va_end(args);
    char *text = length >= 0 ? malloc((size_t)length + 1) : NULL;
    if (text != NULL) {
        va_start(args, format);
        vsnprintf(text, (size_t)length + 1, format, args);
        va_end(args);
    }
    free(message);
    message = text != NULL ? escaped(text) : NULL;
    free(text);
}

const char *mt_error(void) {
    return message != NULL ? message : "out of memory";
}
