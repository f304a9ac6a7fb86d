/*
 * views.h -- the drawings of a report that `memtracer view` writes.  Each
 * writes a whole file to `out` and returns false only when it could not
 * be drawn for want of data (the caller has checked what it needs first).
 */
#ifndef MEMTRACER_VIEWS_H
#define MEMTRACER_VIEWS_H

#include <stdbool.h>
#include <stdio.h>

#include "phase.h"
#include "report.h"

/* The call-path views draw the sites of `phases` (see paths.h). */

/* `f1;f2;f3 BYTES` lines, outermost frame first, for flamegraph.pl and
 * inferno; identical paths are one line, and the weights sum to the
 * sites' bytes. */
void view_folded_write(const Report *report, PhaseSet phases, FILE *out);

/* speedscope's file format: shared frames, and three sampled profiles,
 * weighted by bytes, by objects and by blocks. */
void view_speedscope_write(const Report *report, PhaseSet phases, FILE *out);

/* A self-contained SVG flame graph of allocated bytes by call path, with
 * each type as the top box, figures in a tooltip per box. */
void view_flamegraph_write(const Report *report, PhaseSet phases, FILE *out);

/* An SVG of live bytes over the run (x: bytes allocated), the peak and GC
 * cycles marked.  Needs report->timeline with at least one drawable point. */
void view_timeline_write(const Report *report, FILE *out);

/* How many timeline points have both coordinates; 0 means nothing to draw. */
size_t view_timeline_drawable(const Report *report);

#endif
