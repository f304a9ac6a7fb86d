/*
 * error.h -- the library's last error message, which mt_error() returns:
 * one line, no newline, never cut however long the names in it.
 */
#ifndef TR_ERROR_H
#define TR_ERROR_H

/* Replaces the message.  Not for signal handlers: it allocates. */
void tr_error_set(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

#endif
