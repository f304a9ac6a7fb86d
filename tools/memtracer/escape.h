/*
 * escape.h -- text as a terminal should show it: every table cell,
 * every message (msg_say) and the words of bench's command go through
 * here, so that each stays one line and cannot drive the terminal.
 */
#ifndef MEMTRACER_ESCAPE_H
#define MEMTRACER_ESCAPE_H

/* A newly allocated copy of `text` with each control character (C0, DEL,
 * C1) shown as \n, \r, \t, \xNN or \u0080 to \u009f and each byte that
 * is not UTF-8 as \xNN; the rest as it is. */
char *text_escape(const char *text);

#endif
