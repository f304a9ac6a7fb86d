/*
 * json_out.c -- JSON values from figures and writing them (see json_out.h).
 */
#include "json_out.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

json_t *json_from_number(double value) {
    if (value == floor(value) && fabs(value) < 9e15) return json_integer((json_int_t)value);
    if (!isfinite(value)) return json_null();
    return json_real(value);
}

json_t *json_from_figure(Figure figure) {
    return figure.known ? json_from_number(figure.value) : json_null();
}

json_t *json_from_seed(const char *text) {
    if (text == NULL) return json_null();
    errno = 0;
    char *end;
    long long seed = strtoll(text, &end, 10);
    return errno == 0 && *end == '\0' ? json_integer((json_int_t)seed) : json_null();
}

size_t utf8_length(const char *text) {
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000}; /* by length */
    const unsigned char *bytes = (const unsigned char *)text;
    if (bytes[0] < 0x80) return 1;
    if (bytes[0] < 0xC2 || bytes[0] > 0xF4) return 0;
    size_t length = bytes[0] >= 0xF0 ? 4 : bytes[0] >= 0xE0 ? 3 : 2;
    uint32_t code = bytes[0] & (0x7Fu >> length);
    for (size_t i = 1; i < length; i++) {
        /* Also stops at the terminating '\0'. */
        if ((bytes[i] & 0xC0) != 0x80) return 0;
        code = code << 6 | (bytes[i] & 0x3F);
    }
    if (code < least[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return length;
}

json_t *json_from_text(const char *text) {
    if (text == NULL) return json_null();
    json_t *value = json_string(text);
    if (value != NULL) return value;
    /* Not UTF-8: each stray byte becomes U+FFFD, 3 bytes. */
    char *clean = mem_alloc(strlen(text) * 3 + 1), *at = clean;
    for (const char *c = text; *c != '\0';) {
        size_t length = utf8_length(c);
        if (length == 0) {
            memcpy(at, "\xEF\xBF\xBD", 3);
            at += 3;
            c++;
        } else {
            memcpy(at, c, length);
            at += length;
            c += length;
        }
    }
    *at = '\0';
    value = json_string(clean);
    free(clean);
    return value != NULL ? value : json_string("\xEF\xBF\xBD");
}

bool json_write(const json_t *value, FILE *out, bool compact) {
    size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10) |
                   (compact ? JSON_COMPACT : JSON_INDENT(2));
    if (json_dumpf(value, out, flags) != 0) return false;
    return fputc('\n', out) != EOF;
}
