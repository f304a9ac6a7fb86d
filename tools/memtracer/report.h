/*
 * report.h -- a JSON report read into memory.  Every other module works on
 * this, never on the JSON: report_load checks the format and the major
 * version once, checks every value's type and range (a count or a size is
 * a whole number from 0 to 2^53, so that no sum overflows), and leaves a
 * figure the report lacks as unknown rather than zero.
 */
#ifndef MEMTRACER_REPORT_H
#define MEMTRACER_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "figures.h"

/* The report version this command reads (its major number: a key that
 * changes meaning or goes away makes the next).  Version 1, which nothing
 * writes any more, had no phases and counted storage inside its objects,
 * so its figures cannot stand beside version 2's: it is refused. */
#define REPORT_VERSION 2

typedef struct {
    char *function;
    char *file;
    long line;    /* 0 when the report has none */
    long repeat;  /* > 1: a recursive run of this frame folded into one */
} Frame;

typedef struct {
    Figure count, blocks, bytes;
    long truncated_frames;
    Frame *frames;  /* innermost first */
    size_t frame_count;
} Stack;

typedef struct {
    char **path;  /* from a root to the retained object */
    size_t path_length;
    Figure count, blocks, bytes;
} Retainer;

typedef struct {
    char *file;      /* "" when the report leaves a name out */
    char *function;
    char *type;
    char *kind;      /* "object" (count == blocks), "storage" (count 0), or "" */
    char *phase;     /* "run", "start-up", "compile"; "run" when the report
                        leaves it out */
    long line;
    Figure figures[SITE_FIGURE_COUNT];
    Stack *stacks;
    size_t stack_count;
    Retainer *retainers;
    size_t retainer_count;
} Site;

typedef struct {
    Figure bytes_allocated, allocations, live_bytes, time_ms, gc_cycles;
} TimelinePoint;

typedef struct {
    bool present;
    TimelinePoint *points;  /* in the order of the run */
    size_t point_count;
    bool has_peak;
    Figure peak_bytes_allocated, peak_live_bytes, peak_time_ms;
} Timeline;

typedef struct {
    char *source;    /* the path it was read from, for messages */
    long version;
    char *language;  /* NULL when absent */
    char *program;
    bool sampled;    /* figures are estimates from sampling (`sampling` is
                        not null); see figure_estimated */
    Figure sample_bytes;  /* sampling's `bytes`: one sample per so many bytes
                             on average */
    Figure seed;          /* sampling's `seed`, to tell seeds apart (a double
                             holds one above 2^53 only roughly) */
    char *seed_text;      /* the seed, exactly; NULL when unknown or too big to
                             read exactly (a JSON integer above 2^63) */
    bool has_exit;
    Figure exit_status;
    char *exit_reason;  /* NULL when absent */
    char *exit_signal;
    Figure summary[SUMMARY_FIGURE_COUNT];
    bool degraded;
    Site *sites;
    size_t site_count;
    Timeline timeline;
} Report;

/* Reads the report at `path` ("-" is standard input).  Returns STATUS_OK,
 * or, having printed one line on stderr, STATUS_NO_INPUT (cannot open) or
 * STATUS_DATA (not JSON, not a memtracer report, an unknown major version,
 * a value of the wrong type or out of range).  `report` is to be freed
 * either way. */
int report_load(const char *path, Report *report);
void report_free(Report *report);

/* The sum of every site's `figure`: the report's "bytes in sites". */
Figure report_sites_total(const Report *report, SiteFigure figure);

/* Where a site is, for a person: "rows.lox:9 build"; a site at line 0 (a
 * phase such as start-up, named like "[start-up]") is its name alone.
 * Newly allocated. */
char *site_place(const Site *site);

/* "lox examples/points.lox" or whatever the report tells of its run. */
char *report_describe(const Report *report);

/* How the report was sampled, "one sample per 4096 bytes on average,
 * seed 1"; "exact" when it was not.  Newly allocated. */
char *report_sampling_text(const Report *report);

#endif
