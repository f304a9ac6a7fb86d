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

/* Reads "NUMBER [UNIT]": the number in `*number`, the unit's factor in
 * `*factor`. */
static bool amount_parse(const char *text, double *number, double *factor) {
    const char *at = text;
    while (isspace((unsigned char)*at)) at++;
    if (!isdigit((unsigned char)*at)) return false;
    char *end;
    double read = strtod(at, &end);
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
            *number = read;
            *factor = size_units[i].factor;
            return true;
        }
    }
    return false;
}

bool size_parse(const char *text, double *value) {
    double number, factor;
    if (!amount_parse(text, &number, &factor)) return false;
    /* A byte or a count is whole; a decimal of a larger unit is rounded
     * to a whole byte. */
    if (factor == 1 && number != floor(number)) return false;
    double whole = round(number * factor);
    if (!isfinite(whole)) return false;
    *value = whole;
    return true;
}

double decimal_round(double value) {
    return round(value * 10) / 10;
}

bool decimal_parse(const char *text, double *value) {
    double number, factor;
    if (!amount_parse(text, &number, &factor)) return false;
    double rounded = decimal_round(number * factor);
    if (!isfinite(rounded)) return false;
    *value = rounded;
    return true;
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
    /* %.0f gives a whole double's every digit, which strtod reads back
     * exactly; otherwise the fewest digits that read back exactly. */
    if (value == floor(value)) return str_printf("%.0f", value);
    for (int digits = 15;; digits++) {
        char *text = str_printf("%.*g", digits, value);
        if (digits == 17 || strtod(text, NULL) == value) return text;
        free(text);
    }
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
