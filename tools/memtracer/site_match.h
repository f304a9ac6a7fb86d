/*
 * site_match.h -- pairing the sites of two reports the way a person would.
 *
 * A site is known by (file, function, type, phase); its line is only
 * where it is now (its kind, object or storage, goes with its type).
 * Sites with the same (file, function, type, phase) are paired in line
 * order: when both sides have as many, one by one; otherwise as many
 * pairs as possible, and among the ways to pair that many, the one with
 * the most pairs alike in size (bytes within a factor of two), then the
 * one whose head lines lie nearest where the base lines are expected to
 * have moved, judged by how far the one-by-one pairs nearby moved.  So a line
 * inserted above a site, which moves every line below it, pairs every
 * site with itself, and a new site among others of its kind is the one
 * new.  A function named by where it is defined (Lua's
 * "function <f.lua:12>") is known by its file alone, so that moving it
 * does not rename it.
 */
#ifndef MEMTRACER_SITE_MATCH_H
#define MEMTRACER_SITE_MATCH_H

#include <stddef.h>

#include "report.h"

/* One site of the base and its counterpart in the head; either is NULL
 * for a site only the other has. */
typedef struct {
    const Site *base;
    const Site *head;
} SitePair;

/* Pairs every site of `base` with at most one of `head`.  Returns a new
 * array of `*pair_count` pairs: every site of either side appears once. */
SitePair *sites_match(const Site *base, size_t base_count, const Site *head, size_t head_count,
                      size_t *pair_count);

/* The name a function is matched by: "function <f.lua:12>" becomes
 * "function <f.lua>"; any other name is itself.  Newly allocated. */
char *function_identity(const char *function);

/* Orders two sites by file, function (as identified), type and phase: 0
 * when they are the same site, wherever their lines. */
int site_identity_compare(const Site *a, const Site *b);

#endif
