/*
 * out.h -- the report writers' output: a buffer flushed with write(2), and
 * number, size, JSON-string and escaped-name formatting done by hand.
 *
 * A report may be written from a SIGINT/SIGTERM handler, where stdio and
 * malloc are off limits, so nothing here uses either.
 */
#ifndef TR_OUT_H
#define TR_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A report of a million sites is hundreds of MiB: the buffer is large
 * enough that write(2) is a small part of writing it. */
#define TR_OUT_BUFFER ((size_t)64 * 1024)

typedef struct tr_out {
    int fd;          /* -1: nothing can be written */
    int error;       /* errno of the first write that failed, or 0 */
    size_t len;
    char buf[TR_OUT_BUFFER];
} tr_out;

void tr_out_init(tr_out *o, int fd);
/* tr_out_mem when s does not fit in what is left of the buffer. */
void tr_out_spill(tr_out *o, const char *s, size_t n);
static inline void tr_out_mem(tr_out *o, const char *s, size_t n) {
    if (n <= sizeof o->buf - o->len) {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
    } else {
        tr_out_spill(o, s, n);
    }
}
/* Inline, so that a literal's length is known when compiling. */
static inline void tr_out_str(tr_out *o, const char *s) {
    tr_out_mem(o, s, strlen(s));
}
void tr_out_u64(tr_out *o, uint64_t v);
void tr_out_i64(tr_out *o, int64_t v);
void tr_out_size(tr_out *o, uint64_t bytes);
void tr_out_spaces(tr_out *o, size_t n);
/* numerator / denominator to one decimal, rounded half up ("93.5"); 0.0
 * when the denominator is 0. */
void tr_out_ratio(tr_out *o, uint64_t numerator, uint64_t denominator);
/* The len bytes at s as a JSON string literal, quotes included, in valid
 * UTF-8 whatever bytes they are: each byte that is not part of a
 * well-formed UTF-8 sequence is written as U+FFFD, the replacement
 * character, and a NUL as \u0000.  tr_out_json_str: of a C string. */
void tr_out_json_mem(tr_out *o, const char *s, size_t len);
void tr_out_json_str(tr_out *o, const char *s);
/* Whether the n bytes at s stand for themselves in a JSON string literal
 * (printable ASCII, no quote or backslash). */
bool tr_json_plain(const char *s, size_t n);
/* The n bytes at s, which tr_json_plain allows, as a JSON string
 * literal: what tr_out_json_str writes of them, without looking at each. */
void tr_out_json_plain(tr_out *o, const char *s, size_t n);
/* A guest name in a text report, on one line whatever bytes it holds: a
 * control character (C0, DEL, and C1, U+0080..U+009F) as \n, \r, \t,
 * \xNN or \u0080..\u009f, a byte that is not part of a well-formed
 * UTF-8 sequence as \xNN, every other character as it is.  Its width is
 * the characters it is shown as, so that names outside ASCII align.
 * tr_out_text writes the n bytes at s that way (a NUL among them is a C0
 * control; nothing past them is read) and returns the width;
 * tr_text_width only measures it. */
size_t tr_out_text(tr_out *o, const char *s, size_t n);
size_t tr_text_width(const char *s, size_t n);
/* The same of a name known to be printable ASCII when plain (as
 * tr_json_plain allows, found when it was interned): then as it is,
 * unread. */
static inline size_t tr_out_name(tr_out *o, const char *s, size_t n,
                                 bool plain) {
    if (!plain) return tr_out_text(o, s, n);
    tr_out_mem(o, s, n);
    return n;
}
static inline size_t tr_name_width(const char *s, size_t n, bool plain) {
    return plain ? n : tr_text_width(s, n);
}
/* Writes what is buffered; false if any write failed. */
int tr_out_flush(tr_out *o);

/* Formatting into a caller's buffer (at least TR_FMT_MAX bytes), for
 * measuring column widths; each returns the length, no NUL written. */
#define TR_FMT_MAX 32
size_t tr_fmt_u64(char *buf, uint64_t v);
size_t tr_fmt_i64(char *buf, int64_t v);
/* A human size: "512 B", "3.1 MiB", "400 KiB".  Below 1024 B, bytes; else
 * the largest binary unit (KiB, MiB, GiB, ...) that keeps the figure at
 * least 1, rounded to one decimal below 10 and to a whole number above. */
size_t tr_fmt_size(char *buf, uint64_t bytes);
size_t tr_fmt_ratio(char *buf, uint64_t numerator, uint64_t denominator);

#endif
