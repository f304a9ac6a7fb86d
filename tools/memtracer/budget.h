/*
 * budget.h -- a budget file (YAML, read with libyaml): limits on a run's
 * figures, for the summary, per type, per function and per site, each
 * remembering the line and column it was written at so that a violation
 * can point at it.  The schema is in docs/tools.md; in short:
 *
 *     exact: false            # optional: true makes every figure exact
 *     phase: run              # optional: the phases counted (run, the default)
 *     summary:   {peak: 512KiB, allocations: 50000, live: 0}
 *     phases:    {start-up: {bytes: 1KiB}, all: {peak: 600KiB}}
 *     types:     {Point: {bytes: 1MiB, count: 10000}}
 *     functions: {path: {bytes: 100KiB, file: points.lox}}
 *     sites:     [{file: points.lox, line: 13, function: plus, type: Point,
 *                  bytes: "== 480000"}]
 *
 * Each entry counts the sites of its phases: the budget's `phase`, or its
 * own (`phase:` in a type's, function's or site's mapping; a key of
 * `phases`).  A site is of one phase.
 * A figure's value is an upper limit (1000, 4KB, 4KiB, 1.5MiB, "<= N"),
 * or exact ("== N"): a whole number, but an average's, which keeps one
 * decimal as the report does.  A budget is one YAML document, nested a few
 * levels deep; what is not as the schema says is refused, never skipped.
 */
#ifndef MEMTRACER_BUDGET_H
#define MEMTRACER_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

#include "phase.h"

typedef enum { SCOPE_SUMMARY, SCOPE_TYPE, SCOPE_FUNCTION, SCOPE_SITE } BudgetScope;

typedef struct {
    int figure;     /* a SummaryFigure for the summary, a SiteFigure otherwise */
    double value;   /* whole; to one decimal for an average */
    bool exact;     /* the figure must equal `value`, not merely stay at or below it */
    long line;      /* where the value is written, from 1 */
} BudgetLimit;

typedef struct {
    BudgetScope scope;
    char *name;      /* the type or function; NULL for the summary and sites */
    char *file;      /* a function's file when given; a site's file */
    char *function;  /* a site's */
    char *type;      /* a site's */
    long site_line;  /* a site's line in the program, 0 to INT_MAX (a C int, as in a report) */
    long line;       /* where the entry is written, from 1 */
    PhaseSet phases; /* the phases whose sites it counts */
    BudgetLimit *limits;
    size_t limit_count;
} BudgetEntry;

typedef struct {
    char *source;     /* the budget file's path */
    PhaseSet phases;  /* its `phase:`, PHASE_RUN by default */
    BudgetEntry *entries;
    size_t entry_count;
} Budget;

/* Reads the budget at `path`.  Returns STATUS_OK, STATUS_NO_INPUT, or
 * STATUS_DATA having printed "PATH:LINE:COLUMN: what is wrong".  `budget`
 * is to be freed either way. */
int budget_load(const char *path, Budget *budget);
void budget_free(Budget *budget);

#endif
