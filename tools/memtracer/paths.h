/*
 * paths.h -- the call paths of a report, weighted by bytes and objects,
 * outermost frame first: what the folded, speedscope and flame graph
 * views draw.
 *
 * A site with stacks gives one path per stack; a site without (the report
 * was made without TraceStackTraces) gives one path of its own function.
 * What a site's stacks do not account for (bytes beyond their sum) is
 * added as a path of the site's function alone, so the paths' bytes sum
 * to the sites' bytes.  Recursion is folded: a run of frames of the same
 * function in the same file is one frame (the innermost of the run), as
 * is a frame whose `repeat` says it stands for several.
 */
#ifndef MEMTRACER_PATHS_H
#define MEMTRACER_PATHS_H

#include <stddef.h>

#include "report.h"

typedef struct {
    Frame *frames;       /* outermost first; strings borrowed from the report */
    size_t frame_count;  /* at least 1 */
    const Site *site;    /* whose allocations these are (its type) */
    double bytes;
    double count;
} CallPath;

typedef struct {
    CallPath *paths;
    size_t count;
} CallPaths;

/* The call paths of `report`'s sites, in site order; borrowed strings
 * stay valid while the report does. */
void paths_collect(const Report *report, CallPaths *paths);
void paths_free(CallPaths *paths);

/* A frame's name for a view: its function, or "?" when the report has
 * none. */
const char *frame_name(const Frame *frame);

#endif
