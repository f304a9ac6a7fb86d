/*
 * json_out.h -- building and writing the JSON this command prints (compare
 * --json, bench --json, the speedscope view), with jansson.
 */
#ifndef MEMTRACER_JSON_OUT_H
#define MEMTRACER_JSON_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "figures.h"

/* A number: an integer when whole, a real otherwise. */
json_t *json_from_number(double value);
/* A figure: its number, or null when unknown. */
json_t *json_from_figure(Figure figure);
/* A seed's exact text as a JSON integer; null for NULL or one above
 * 2^63 - 1 (see Report.seed_text). */
json_t *json_from_seed(const char *text);
/* A string, or null for NULL.  Bytes that are not UTF-8 (a path is any
 * bytes) become U+FFFD, so that the key is never lost. */
json_t *json_from_text(const char *text);

/* The length of the UTF-8 character at `text` (1 to 4), or 0 when the
 * bytes there are not one as JSON allows (an overlong form, a surrogate,
 * beyond U+10FFFF, cut short). */
size_t utf8_length(const char *text);

/* Writes `value` and a newline; indented unless `compact`.  Returns false
 * when writing failed. */
bool json_write(const json_t *value, FILE *out, bool compact);

#endif
