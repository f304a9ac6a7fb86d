/*
 * units.c -- parsing and formatting sizes (see units.h).  Unit names are
 * matched without regard to case: KB is 1000 bytes and KiB 1024.
 */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"

static const struct {
    const char *name;
    double factor;
} size_units[] = {
    {"", 1},
    {"b", 1},
    {"kb", 1e3},
    {"kib", 1024.0},
    {"mb", 1e6},
    {"mib", 1024.0 * 1024},
    {"gb", 1e9},
    {"gib", 1024.0 * 1024 * 1024},
    {"tb", 1e12},
    {"tib", 1024.0 * 1024 * 1024 * 1024},
};

bool size_parse(const char *text, double *value) {
    const char *at = text;
    while (isspace((unsigned char)*at)) at++;
    if (!isdigit((unsigned char)*at)) return false;
    char *end;
    double number = strtod(at, &end);
    /* strtod also takes hex, infinities and exponents: only digits and one
     * decimal point are a size. */
    for (const char *c = at; c < end; c++)
        if (!isdigit((unsigned char)*c) && *c != '.') return false;
    at = end;
    while (isspace((unsigned char)*at)) at++;
    size_t unit_length = strlen(at);
    while (unit_length > 0 && isspace((unsigned char)at[unit_length - 1])) unit_length--;
    for (size_t i = 0; i < sizeof size_units / sizeof size_units[0]; i++) {
        if (strlen(size_units[i].name) == unit_length &&
            strncasecmp(at, size_units[i].name, unit_length) == 0) {
            double whole = round(number * size_units[i].factor);
            if (!isfinite(whole) || whole > 9007199254740992.0) return false;
            *value = whole;
            return true;
        }
    }
    return false;
}

char *size_text(double bytes) {
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double magnitude = fabs(bytes);
    size_t unit = 0;
    while (magnitude >= 1024 && unit + 1 < sizeof names / sizeof names[0]) {
        magnitude /= 1024;
        unit++;
    }
    double shown = bytes < 0 ? -magnitude : magnitude;
    if (unit == 0) return str_printf("%.0f B", shown);
    return str_printf(magnitude < 10 ? "%.1f %s" : "%.0f %s", shown, names[unit]);
}

char *number_text(double value) {
    if (value == floor(value) && fabs(value) < 1e18) return str_printf("%.0f", value);
    return str_printf("%.6g", value);
}

char *figure_text(Figure figure, bool estimate) {
    if (!figure.known) return str_dup("-");
    char *number = figure.value == floor(figure.value) ? str_printf("%.0f", figure.value)
                                                       : str_printf("%.1f", figure.value);
    if (!estimate) return number;
    char *marked = str_printf("~%s", number);
    free(number);
    return marked;
}

char *percent_text(double base, double head) {
    if (base == head) return str_dup("0.0%");
    if (base == 0) return str_dup(head > 0 ? "+inf%" : "-inf%");
    return str_printf("%+.1f%%", (head - base) / fabs(base) * 100);
}
