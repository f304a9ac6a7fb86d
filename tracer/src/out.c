/*
 * out.c -- buffered write(2) output and hand-made formatting for the
 * report writers (see out.h for why no stdio).
 */
#include "out.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

void tr_out_init(tr_out *o, int fd) {
    o->fd = fd;
    o->error = fd < 0 ? EBADF : 0;
    o->len = 0;
}

int tr_out_flush(tr_out *o) {
    size_t done = 0;
    while (done < o->len && o->error == 0) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) o->error = n < 0 ? errno : EIO;
        else done += (size_t)n;
    }
    o->len = 0;
    return o->error == 0;
}

void tr_out_spill(tr_out *o, const char *s, size_t n) {
    while (n > 0) {
        if (o->len == sizeof o->buf) tr_out_flush(o);
        size_t room = sizeof o->buf - o->len;
        size_t k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

void tr_out_spaces(tr_out *o, size_t n) {
    static const char spaces[] = "                                "
                                 "                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        tr_out_mem(o, spaces, k);
        n -= k;
    }
}

size_t tr_fmt_u64(char *buf, uint64_t v) {
    static const char pairs[] = "00010203040506070809"
                                "10111213141516171819"
                                "20212223242526272829"
                                "30313233343536373839"
                                "40414243444546474849"
                                "50515253545556575859"
                                "60616263646566676869"
                                "70717273747576777879"
                                "80818283848586878889"
                                "90919293949596979899";
    size_t n = 1;
    for (uint64_t rest = v; rest >= 10; rest /= 10) n++;
    char *last = buf + n;  /* filled from the end, two digits at a time */
    for (; v >= 100; v /= 100) {
        last -= 2;
        memcpy(last, pairs + v % 100 * 2, 2);
    }
    if (v >= 10)
        memcpy(last - 2, pairs + v * 2, 2);
    else
        last[-1] = (char)('0' + v);
    return n;
}

size_t tr_fmt_i64(char *buf, int64_t v) {
    if (v >= 0) return tr_fmt_u64(buf, (uint64_t)v);
    buf[0] = '-';
    return 1 + tr_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
}

size_t tr_fmt_size(char *buf, uint64_t bytes) {
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB",
                                        "EiB"};
    size_t n;
    if (bytes < 1024) {
        n = tr_fmt_u64(buf, bytes);
        memcpy(buf + n, " B", 2);
        return n + 2;
    }
    int unit = 0;
    double scale = 1024.0;
    while (unit < 5 && (double)bytes >= scale * 1024.0) {
        unit++;
        scale *= 1024.0;
    }
    double v = (double)bytes / scale;
    uint64_t tenths = (uint64_t)(v * 10.0 + 0.5);
    if (tenths < 100) {
        n = tr_fmt_u64(buf, tenths / 10);
        buf[n++] = '.';
        buf[n++] = (char)('0' + tenths % 10);
    } else {
        uint64_t whole = (uint64_t)(v + 0.5);
        if (whole >= 1024 && unit < 5) {
            /* 1023.6 KiB rounds to 1024 KiB: say 1.0 MiB instead. */
            unit++;
            memcpy(buf, "1.0", 3);
            n = 3;
        } else {
            n = tr_fmt_u64(buf, whole);
        }
    }
    buf[n++] = ' ';
    memcpy(buf + n, units[unit], 3);
    return n + 3;
}

size_t tr_fmt_ratio(char *buf, uint64_t numerator, uint64_t denominator) {
    if (denominator == 0) {
        memcpy(buf, "0.0", 3);
        return 3;
    }
    /* Tenths, rounded half up, without overflow for any 64-bit pair. */
    uint64_t whole = numerator / denominator, rest = numerator % denominator;
    uint64_t tenths = (uint64_t)(((unsigned __int128)rest * 20 + denominator) /
                                 (2 * (unsigned __int128)denominator));
    if (tenths == 10) {
        whole++;
        tenths = 0;
    }
    size_t n = tr_fmt_u64(buf, whole);
    buf[n++] = '.';
    buf[n++] = (char)('0' + tenths);
    return n;
}

void tr_out_ratio(tr_out *o, uint64_t numerator, uint64_t denominator) {
    char buf[TR_FMT_MAX];
    tr_out_mem(o, buf, tr_fmt_ratio(buf, numerator, denominator));
}

void tr_out_u64(tr_out *o, uint64_t v) {
    if (sizeof o->buf - o->len >= TR_FMT_MAX) {  /* formatted in place */
        o->len += tr_fmt_u64(o->buf + o->len, v);
        return;
    }
    char buf[TR_FMT_MAX];
    tr_out_mem(o, buf, tr_fmt_u64(buf, v));
}

void tr_out_i64(tr_out *o, int64_t v) {
    char buf[TR_FMT_MAX];
    tr_out_mem(o, buf, tr_fmt_i64(buf, v));
}

void tr_out_size(tr_out *o, uint64_t bytes) {
    char buf[TR_FMT_MAX];
    tr_out_mem(o, buf, tr_fmt_size(buf, bytes));
}

/* The length of the well-formed UTF-8 sequence at s, of at most avail
 * bytes, or 0 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF). */
static size_t utf8_length(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (n > avail || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return n;
}

/* Whether byte c stands for itself in a JSON string: printable ASCII but
 * the quote and the backslash. */
static inline bool json_plain(unsigned char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

bool tr_json_plain(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!json_plain((unsigned char)s[i])) return false;
    return true;
}

void tr_out_json_plain(tr_out *o, const char *s, size_t n) {
    tr_out_mem(o, "\"", 1);
    tr_out_mem(o, s, n);
    tr_out_mem(o, "\"", 1);
}

void tr_out_json_str(tr_out *o, const char *text) {
    tr_out_json_mem(o, text, strlen(text));
}

void tr_out_json_mem(tr_out *o, const char *text, size_t len) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text, *end = s + len;
    tr_out_mem(o, "\"", 1);
    while (s < end) {
        const unsigned char *run = s;
        while (s < end && json_plain(*s)) s++;
        if (s > run) {
            tr_out_mem(o, (const char *)run, (size_t)(s - run));
            continue;
        }
        unsigned char c = *s;
        if (c >= 0x80) {
            size_t n = utf8_length(s, (size_t)(end - s));
            if (n == 0) {
                tr_out_mem(o, "\xEF\xBF\xBD", 3);
                n = 1;
            } else {
                tr_out_mem(o, (const char *)s, n);
            }
            s += n;
            continue;
        }
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            tr_out_mem(o, esc, 2);
        } else if (c == '\n') {
            tr_out_mem(o, "\\n", 2);
        } else if (c == '\t') {
            tr_out_mem(o, "\\t", 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            tr_out_mem(o, esc, 6);
        }
        s++;
    }
    tr_out_mem(o, "\"", 1);
}

/* Whether byte c stands for itself, one column wide, in a text report:
 * printable ASCII. */
static inline bool text_plain(unsigned char c) { return c >= 0x20 && c < 0x7f; }

/* The character at s, of at most avail (> 0) bytes, that text_plain does
 * not allow: how many bytes it takes; its escape in esc (at most 6
 * bytes, all ASCII) and the escape's length in *esc_len, 0 when it is
 * shown as it is (a printable character outside ASCII). */
static size_t text_char(const unsigned char *s, size_t avail, char *esc,
                        size_t *esc_len) {
    static const char hex[] = "0123456789abcdef";
    unsigned char c = s[0];
    size_t n = c >= 0x80 ? utf8_length(s, avail) : 0;
    if (n == 2 && c == 0xC2 && s[1] < 0xA0) {  /* C1: U+0080..U+009F */
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[s[1] >> 4];
        esc[5] = hex[s[1] & 15];
        *esc_len = 6;
        return 2;
    }
    if (n > 0) {
        *esc_len = 0;
        return n;
    }
    /* A C0 control, DEL, or a byte of no well-formed sequence. */
    esc[0] = '\\';
    switch (c) {
    case '\n': esc[1] = 'n'; *esc_len = 2; break;
    case '\r': esc[1] = 'r'; *esc_len = 2; break;
    case '\t': esc[1] = 't'; *esc_len = 2; break;
    default:
        esc[1] = 'x';
        esc[2] = hex[c >> 4];
        esc[3] = hex[c & 15];
        *esc_len = 4;
        break;
    }
    return 1;
}

/* How many of the n bytes at s, from the first, text_plain allows;
 * eight at a time while they all are. */
static size_t plain_run(const unsigned char *s, size_t n) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        /* Nonzero when a byte is below 0x20, or above 0x7e. */
        if (((x - 0x20 * ones) & ~x & highs) != 0 ||
            (((x + ones) | x) & highs) != 0)
            break;
    }
    while (i < n && text_plain(s[i])) i++;
    return i;
}

/* Writes the n bytes at text as tr_out_text says, to o unless it is NULL;
 * their width.  Runs shown as they are go out in one piece each: a name
 * that needs no escaping is one scan and one copy. */
static size_t text_put(tr_out *o, const char *text, size_t n) {
    const unsigned char *s = (const unsigned char *)text, *end = s + n;
    const unsigned char *run = s;  /* shown as it is, from run to s */
    size_t width = 0;
    for (;;) {
        size_t plain = plain_run(s, (size_t)(end - s));
        s += plain;
        width += plain;
        if (s == end) break;
        char esc[6];
        size_t esc_len;
        size_t k = text_char(s, (size_t)(end - s), esc, &esc_len);
        if (esc_len == 0) {
            s += k;
            width++;
            continue;
        }
        if (o != NULL) {
            tr_out_mem(o, (const char *)run, (size_t)(s - run));
            tr_out_mem(o, esc, esc_len);
        }
        width += esc_len;
        s += k;
        run = s;
    }
    if (o != NULL) tr_out_mem(o, (const char *)run, (size_t)(s - run));
    return width;
}

size_t tr_out_text(tr_out *o, const char *text, size_t n) {
    return text_put(o, text, n);
}

size_t tr_text_width(const char *text, size_t n) {
    return text_put(NULL, text, n);
}
