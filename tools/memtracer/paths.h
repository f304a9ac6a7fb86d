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
 *
 * What the program made while running starts at its outermost frame.
 * What another phase made starts at a frame named by the phase
 * ("[start-up]", "[compile]"), then its stack's frames or the site's
 * function (the function being compiled, say): frames of <root>, which
 * stands for no guest function at all, are left out there, and a site or
 * frame named by its phase ("[start-up]") is that one frame.
 */
#ifndef MEMTRACER_PATHS_H
#define MEMTRACER_PATHS_H

#include <stddef.h>

#include "phase.h"
#include "report.h"

typedef struct {
    Frame *frames;       /* outermost first; strings borrowed from the report,
                            or static */
    size_t frame_count;  /* at least 1 */
    const Site *site;    /* whose allocations these are (its type) */
    double bytes;
    double blocks;
    double count;        /* objects */
} CallPath;

typedef struct {
    CallPath *paths;
    size_t count;
    size_t capacity;     /* doubled as paths are added */
} CallPaths;

/* The call paths of `report`'s sites of `phases`, in site order;
 * borrowed strings stay valid while the report does. */
void paths_collect(const Report *report, PhaseSet phases, CallPaths *paths);
void paths_free(CallPaths *paths);

/* A frame's name for a view: its function, or "?" when the report has
 * none. */
const char *frame_name(const Frame *frame);

#endif
