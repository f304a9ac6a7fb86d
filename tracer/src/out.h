/*
 * out.h -- the report writers' output: a buffer flushed with write(2), and
 * number, size and JSON-string formatting done by hand.
 *
 * A report may be written from a SIGINT/SIGTERM handler, where stdio and
 * malloc are off limits, so nothing here uses either.
 */
#ifndef MT_OUT_H
#define MT_OUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct mt_out {
    int fd;          /* -1: nothing can be written */
    int error;       /* errno of the first write that failed, or 0 */
    size_t len;
    char buf[8192];
} mt_out;

void mt_out_init(mt_out *o, int fd);
void mt_out_mem(mt_out *o, const char *s, size_t n);
void mt_out_str(mt_out *o, const char *s);
void mt_out_u64(mt_out *o, uint64_t v);
void mt_out_i64(mt_out *o, int64_t v);
void mt_out_size(mt_out *o, uint64_t bytes);
void mt_out_spaces(mt_out *o, size_t n);
/* s as a JSON string literal, quotes included, in valid UTF-8 whatever
 * bytes s holds: each byte that is not part of a well-formed UTF-8
 * sequence is written as U+FFFD, the replacement character. */
void mt_out_json_str(mt_out *o, const char *s);
/* Writes what is buffered; false if any write failed. */
int mt_out_flush(mt_out *o);

/* Formatting into a caller's buffer (at least MT_FMT_MAX bytes), for
 * measuring column widths; each returns the length, no NUL written. */
#define MT_FMT_MAX 32
size_t mt_fmt_u64(char *buf, uint64_t v);
size_t mt_fmt_i64(char *buf, int64_t v);
/* A human size: "512 B", "3.1 MiB", "400 KiB".  Below 1024 B, bytes; else
 * the largest binary unit (KiB, MiB, GiB, ...) that keeps the figure at
 * least 1, rounded to one decimal below 10 and to a whole number above. */
size_t mt_fmt_size(char *buf, uint64_t bytes);

#endif
