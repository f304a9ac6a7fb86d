/*
 * comparison.h -- two reports compared, as `memtracer compare` shows them:
 * each site of the base paired with its site in the head (site_match.h)
 * and the change in its figures, the phases left out summed up, and the
 * summary figures that grew beyond --fail-above.  comparison.c computes
 * it; comparison_print.c writes it as text, Markdown or JSON.
 */
#ifndef MEMTRACER_COMPARISON_H
#define MEMTRACER_COMPARISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "phase.h"
#include "report.h"

typedef enum { SITE_NEW, SITE_GONE, SITE_GROWN, SITE_SHRUNK, SITE_UNCHANGED } SiteStatus;
#define SITE_STATUS_COUNT 5

/* A site of either report, paired, and the change in its figures. */
typedef struct {
    const Site *base;  /* NULL for a new site */
    const Site *head;  /* NULL for a gone site */
    SiteStatus status;
    bool listed;       /* of a phase compared */
    double bytes_change, blocks_change, count_change, peak_change, live_change;
    Figure unused_change;  /* unknown when a side's report has no unused bytes */
} SiteChange;

/* A phase left out of the comparison, summed up. */
typedef struct {
    PhaseSet phase;
    size_t sites, changed;
    Figure base[SITE_FIGURE_COUNT], head[SITE_FIGURE_COUNT];
} PhaseSummary;

/* The command's options: what is compared, how it is written, and what
 * --fail-above checks. */
typedef struct {
    const char *base_path, *head_path;
    PhaseSet phases;
    bool json, markdown;
    bool fail_check;
    double fail_percent;
    /* The percentage as typed, exactly: percent_digits / percent_scale
     * ("12.43" is 1243 / 100); percent_exact false when it has more
     * digits than that holds. */
    uint64_t percent_digits, percent_scale;
    bool percent_exact;
    bool metrics[SUMMARY_FIGURE_COUNT]; /* checked by --fail-above */
    long top;                           /* sites shown; -1: the default */
} CompareOptions;

/* Two reports compared. */
typedef struct {
    Report base, head;
    PhaseSet phases;
    bool estimates;                            /* either report was sampled */
    bool mixed;                                /* one was sampled, the other not */
    Figure base_figures[SUMMARY_FIGURE_COUNT]; /* of the phases compared */
    Figure head_figures[SUMMARY_FIGURE_COUNT];
    SiteChange *changes;                       /* every site, by impact */
    size_t change_count;
    size_t status_counts[SITE_STATUS_COUNT];   /* of the sites listed */
    PhaseSummary others[PHASE_NAMED_COUNT + 1];
    size_t other_count;
    bool exceeded[SUMMARY_FIGURE_COUNT];       /* grew beyond --fail-above */
    bool unchecked[SUMMARY_FIGURE_COUNT];      /* chosen but unavailable */
    bool regression;
} Comparison;

/* Pairs the sites of comparison->base and ->head (both loaded, the
 * phases and their figures set) into changes, sorted by impact, and sums
 * up the phases left out. */
void comparison_compute(Comparison *comparison);
/* Marks the figures options->metrics chose that grew beyond
 * --fail-above, and those it could not check. */
void comparison_regressions_find(Comparison *comparison, const CompareOptions *options);

/* Whether summary figure `f` of the base, of the head, or their change is
 * an estimate. */
bool comparison_base_estimated(const Comparison *comparison, int f);
bool comparison_head_estimated(const Comparison *comparison, int f);
bool comparison_change_estimated(const Comparison *comparison, int f);
/* What a summary figure counts: the phases compared, or the whole
 * program for a figure no site carries a part of.  Newly allocated. */
char *comparison_figure_scope(const Comparison *comparison, int figure);

/* The comparison written to out: as text, as Markdown (a pull-request
 * comment), or as JSON (whether it was written). */
void comparison_text_print(const Comparison *comparison, const CompareOptions *options, FILE *out);
void comparison_markdown_print(const Comparison *comparison, const CompareOptions *options,
                               FILE *out);
bool comparison_json_print(const Comparison *comparison, const CompareOptions *options, FILE *out);

#endif
