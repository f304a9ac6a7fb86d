/*
 * svg.h -- what the SVG views share: text escaped for XML, and colours
 * that stay the same for the same name from one drawing to the next.
 */
#ifndef MEMTRACER_SVG_H
#define MEMTRACER_SVG_H

#include <stdint.h>
#include <stdio.h>

/* Writes `text` escaped for XML character data or an attribute value;
 * control characters XML cannot hold become '?'. */
void svg_escape(FILE *out, const char *text);

/* Writes at most `max_chars` characters of `text` escaped, ending in ".."
 * when cut; nothing when even that does not fit. */
void svg_escape_fitted(FILE *out, const char *text, size_t max_chars);

/* A hash of `text` (FNV-1a), to pick a colour from. */
uint32_t svg_hash(const char *text);

#endif
