/*
 * report.h -- what the report writers share: the summary line, sorted
 * sites and call paths, and a site's frames innermost first.
 *
 * Writers only read the recording; report.c puts everything in a
 * deterministic order first, so identical runs give identical reports.
 */
#ifndef MT_REPORT_H
#define MT_REPORT_H

#include "out.h"
#include "path.h"
#include "site.h"

/* Writes the report in the chosen format to its destination
 * (destination.h).  False if it could not. */
int mt_report_emit(void);

void mt_report_table(mt_out *o);
void mt_report_json(mt_out *o);
void mt_report_histogram(mt_out *o);
void mt_report_typehistogram(mt_out *o);
void mt_report_calltree(mt_out *o);

/* "Memory Tracer. Recorded ..." and the lines for what the report leaves
 * out (filtered, hidden, lost), each only when nonzero. */
void mt_report_header(mt_out *o);
/* A table cell: text padded to width, then the column separator. */
void mt_report_cell(mt_out *o, const char *text, size_t len, size_t width);
/* "N allocation" / "N allocations". */
void mt_report_count(mt_out *o, uint64_t n, const char *noun);
/* A function's location, file:line, or file alone when the line is 0. */
void mt_report_func_location(mt_out *o, mt_func func);
size_t mt_report_func_location_width(mt_func func);

/* Sets every node's total_count: its own allocations plus its callees'. */
void mt_report_node_totals(void);

/* One frame of a call path. */
typedef struct mt_frame {
    const char *function, *file;
    int line;
} mt_frame;

typedef struct mt_frames {
    const mt_node *node;   /* the frame to produce next */
    int line;              /* and its line */
    unsigned left;         /* frames still to produce within StackLimit */
    unsigned truncated;    /* frames cut by StackLimit */
} mt_frames;

/* The frames of a path at a site, innermost first: the site's own
 * (function, line), then each caller with the line it made the call from.
 * The root is a frame only when nothing encloses the site. */
void mt_frames_start(mt_frames *it, const mt_site *site, const mt_node *node);
int mt_frames_next(mt_frames *it, mt_frame *frame);

#endif
