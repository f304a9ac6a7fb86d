/*
 * msg.h -- one-line messages on stderr, each prefixed with the command
 * ("memtracer compare: ..."), escaped as table cells are, and the
 * allocation helpers every module uses.  Running out of memory is not
 * recoverable here: the helpers print one line and exit with
 * STATUS_SOFTWARE rather than return NULL.
 */
#ifndef MEMTRACER_MSG_H
#define MEMTRACER_MSG_H

#include <stdarg.h>
#include <stddef.h>

/* What every message starts with; main sets it to "memtracer SUBCOMMAND". */
extern const char *msg_prefix;

/* Prints lead, then text escaped (text_escape: a path or a command's word
 * that a message quotes cannot break the line or drive the terminal),
 * and a newline, on stderr. */
void msg_say(const char *lead, const char *text);

/* Prints "PREFIX: MESSAGE" on stderr, as msg_say does, and returns `status`,
 * so that a caller can write `return msg_error(STATUS_DATA, "...")`. */
int msg_error(int status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "PREFIX: warning: MESSAGE" on stderr, as msg_say does: the command
 * goes on. */
void msg_warning(const char *format, ...) __attribute__((format(printf, 1, 2)));

void *mem_alloc(size_t size);
void *mem_calloc(size_t count, size_t size);
void *mem_grow(void *block, size_t count, size_t size);
char *str_dup(const char *text);
/* A newly allocated string formatted as by printf, however long. */
char *str_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
char *str_vprintf(const char *format, va_list args);

#endif
