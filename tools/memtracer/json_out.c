/*
 * json_out.c -- JSON values from figures and writing them (see json_out.h).
 */
#include "json_out.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

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

json_t *json_from_text(const char *text) {
    return text != NULL ? json_string(text) : json_null();
}

bool json_write(const json_t *value, FILE *out, bool compact) {
    size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10) |
                   (compact ? JSON_COMPACT : JSON_INDENT(2));
    if (json_dumpf(value, out, flags) != 0) return false;
    return fputc('\n', out) != EOF;
}
