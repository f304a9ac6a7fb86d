/*
 * msg.c -- one-line messages and allocation helpers (see msg.h).
 */
#include "msg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "status.h"

const char *msg_prefix = "memtracer";

static void out_of_memory(void) {
    fprintf(stderr, "%s: out of memory\n", msg_prefix);
    exit(STATUS_SOFTWARE);
}

void msg_say(const char *lead, const char *text) {
    char *shown = text_escape(text);
    fprintf(stderr, "%s%s\n", lead, shown);
    free(shown);
}

/* Prints "PREFIX: " + kind + the message, as msg_say. */
static void message_say(const char *kind, const char *format, va_list args) {
    char *lead = str_printf("%s: %s", msg_prefix, kind);
    char *message = str_vprintf(format, args);
    msg_say(lead, message);
    free(message);
    free(lead);
}

int msg_error(int status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    message_say("", format, args);
    va_end(args);
    return status;
}

void msg_warning(const char *format, ...) {
    va_list args;
    va_start(args, format);
    message_say("warning: ", format, args);
    va_end(args);
}

void *mem_alloc(size_t size) {
    void *block = malloc(size == 0 ? 1 : size);
    if (block == NULL) out_of_memory();
    return block;
}

void *mem_calloc(size_t count, size_t size) {
    void *block = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
    if (block == NULL) out_of_memory();
    return block;
}

/* Resizes `block` to `count` elements of `size` bytes, checking the product. */
void *mem_grow(void *block, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) out_of_memory();
    void *grown = realloc(block, count * size == 0 ? 1 : count * size);
    if (grown == NULL) out_of_memory();
    return grown;
}

char *str_dup(const char *text) {
    size_t length = strlen(text);
    char *copy = mem_alloc(length + 1);
    memcpy(copy, text, length + 1);
    return copy;
}

char *str_vprintf(const char *format, va_list args) {
    va_list again;
    va_copy(again, args);
    int length = vsnprintf(NULL, 0, format, args);
    if (length < 0) {
        va_end(again);
        return str_dup("");
    }
    char *text = mem_alloc((size_t)length + 1);
    vsnprintf(text, (size_t)length + 1, format, again);
    va_end(again);
    return text;
}

char *str_printf(const char *format, ...) {
    va_list args;
    va_start(args, format);
    char *text = str_vprintf(format, args);
    va_end(args);
    return text;
}
