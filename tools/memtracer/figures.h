/*
 * figures.h -- the figures a report carries, by name.  A summary or a site
 * holds its figures in an array indexed by these enums, so that compare,
 * gate and bench treat every figure alike; the tables give each one's JSON
 * key, the short name the command line and budgets also accept, and
 * whether it counts bytes.
 */
#ifndef MEMTRACER_FIGURES_H
#define MEMTRACER_FIGURES_H

#include <stdbool.h>

/* A number from a report.  `known` is false when the report lacks it (a
 * report made by hand, or a key yet to come): shown as unavailable, never
 * as 0. */
typedef struct {
    double value;
    bool known;
} Figure;

typedef enum {
    SUMMARY_ALLOCATIONS,
    SUMMARY_BLOCKS,
    SUMMARY_BYTES,
    SUMMARY_AVERAGE_SIZE,
    SUMMARY_FREES,
    SUMMARY_FREED_BLOCKS,
    SUMMARY_FREED_BYTES,
    SUMMARY_RESIZES,
    SUMMARY_PEAK_BYTES,
    SUMMARY_PEAK_AT_ALLOCATION,
    SUMMARY_LIVE_ALLOCATIONS,
    SUMMARY_LIVE_BLOCKS,
    SUMMARY_LIVE_BYTES,
    SUMMARY_FILTERED_ALLOCATIONS,
    SUMMARY_FILTERED_BLOCKS,
    SUMMARY_FILTERED_BYTES,
    SUMMARY_HIDDEN_INTERNAL_BLOCKS,
    SUMMARY_HIDDEN_INTERNAL_BYTES,
    SUMMARY_UNTRACKED_FREES,
    SUMMARY_LOST_EVENTS,
    SUMMARY_UNUSED_BYTES,
    SUMMARY_GC_CYCLES,
    SUMMARY_FIGURE_COUNT
} SummaryFigure;

typedef enum {
    SITE_COUNT,
    SITE_BLOCKS,
    SITE_BYTES,
    SITE_AVERAGE_SIZE,
    SITE_LIVE_COUNT,
    SITE_LIVE_BLOCKS,
    SITE_LIVE_BYTES,
    SITE_PEAK_COUNT,
    SITE_PEAK_BYTES,
    SITE_UNUSED_BYTES,
    SITE_FIGURE_COUNT
} SiteFigure;

typedef struct {
    const char *key;    /* the report's JSON key */
    const char *alias;  /* a short name also accepted, or NULL */
    bool is_bytes;      /* a size, shown with KiB/MiB beside it */
    bool is_average;    /* a ratio of two others: not summed, may be fractional */
    bool whole_program; /* a summary figure no site carries a part of: the same
                           whichever phases are looked at (see phase.h) */
    bool not_sampled;   /* counts what sampling does not touch (the VM's
                           collections): exact in a sampled report too */
} FigureInfo;

extern const FigureInfo summary_figures[SUMMARY_FIGURE_COUNT];
extern const FigureInfo site_figures[SITE_FIGURE_COUNT];

/* The summary figure named `name` (its key or its alias), or -1. */
int summary_figure_find(const char *name);
/* The site figure named `name` (its key or its alias), or -1. */
int site_figure_find(const char *name);

/* Whether `info`'s figure in a report is an estimate: the report was
 * sampled and sampling touches the figure. */
static inline bool figure_estimated(const FigureInfo *info, bool sampled) {
    return sampled && !info->not_sampled;
}

/* Adds `more` to `sum`; the sum stays known only while both are. */
void figure_add(Figure *sum, Figure more);

#endif
