/*
 * json_out.h -- building and writing the JSON this command prints (compare
 * --json, bench --json, the speedscope view), with jansson.
 */
#ifndef MEMTRACER_JSON_OUT_H
#define MEMTRACER_JSON_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "figures.h"

/* A number: an integer when whole, a real otherwise. */
json_t *json_from_number(double value);
/* A figure: its number, or null when unknown. */
json_t *json_from_figure(Figure figure);
/* A seed's exact text as a JSON integer; null for NULL or one above
 * 2^63 - 1 (see Report.seed_text). */
json_t *json_from_seed(const char *text);
/* A string, or null for NULL. */
json_t *json_from_text(const char *text);

/* Writes `value` and a newline; indented unless `compact`.  Returns false
 * when writing failed. */
bool json_write(const json_t *value, FILE *out, bool compact);

#endif
