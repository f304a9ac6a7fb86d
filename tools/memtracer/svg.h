/*
 * svg.h -- what the SVG views share: text escaped for XML, and colours
 * that stay the same for the same name from one drawing to the next.
 */
#ifndef MEMTRACER_SVG_H
#define MEMTRACER_SVG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes `text` escaped for XML character data or an attribute value.
 * Only characters XML 1.0 allows are written: a control character other
 * than tab and newlines, U+FFFE, U+FFFF, and a byte that starts no
 * well-formed UTF-8 sequence each become U+FFFD. */
void svg_escape(FILE *out, const char *text);

/* Writes at most `max_chars` characters of `text` escaped, ending in ".."
 * when cut; nothing when even that does not fit. */
void svg_escape_fitted(FILE *out, const char *text, size_t max_chars);

/* A hash of `text` (FNV-1a), to pick a colour from. */
uint32_t svg_hash(const char *text);

#endif
