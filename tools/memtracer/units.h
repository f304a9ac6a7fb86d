/*
 * units.h -- sizes as people write and read them.  Parsing accepts what a
 * budget file holds (1000, 4KB = 4000, 4KiB = 4096, MB/MiB, GB/GiB, TB/TiB);
 * formatting gives the exact number and, for sizes, a rounded binary form.
 */
#ifndef MEMTRACER_UNITS_H
#define MEMTRACER_UNITS_H

#include <stdbool.h>

#include "figures.h"

/* Reads a size or a count such as "512KiB", "1.5 MB" or "50000" into
 * `*value`, a whole number: a decimal takes a unit above a byte and is
 * rounded to a whole byte ("2.5KB" is 2500; "2.5" and "2.5B" are not
 * sizes).  Returns false, leaving `*value` alone, when `text` is not one. */
bool size_parse(const char *text, double *value);

/* Reads a number such as "36.4" or "1.5KiB" (an average) into `*value`,
 * rounded to one decimal as a report holds averages.  Returns false,
 * leaving `*value` alone, when `text` is not one. */
bool decimal_parse(const char *text, double *value);

/* `value` to one decimal, as a report holds averages. */
double decimal_round(double value);

/* "1.3 MiB", "512 B": a size rounded for reading.  Newly allocated. */
char *size_text(double bytes);

/* A figure for a table: the number ("10000", "12.5" when fractional), "~"
 * before it when `estimate`, "-" when unknown.  Newly allocated. */
char *figure_text(Figure figure, bool estimate);

/* A number as JSON would hold it, read back exactly by strtod: whole
 * numbers in every digit, without a fraction or an exponent. */
char *number_text(double value);

/* "+12.5%", "-3.0%", "+inf%" (growth from zero), "0.0%".  Newly allocated. */
char *percent_text(double base, double head);

#endif
