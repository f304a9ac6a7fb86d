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
    message = text;
}

const char *mt_error(void) {
    return message != NULL ? message : "out of memory";
}
