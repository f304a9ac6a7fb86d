/*
 * figures.c -- the names of the report's figures (see figures.h).  Keys
 * are the JSON report's; aliases are what a person types: `peak` for
 * peak_bytes, `live` for live_bytes, `average` for average_size, `unused`
 * for unused_bytes (storage reserved and never used: waste).
 */
#include "figures.h"

#include <string.h>

const FigureInfo summary_figures[SUMMARY_FIGURE_COUNT] = {
    [SUMMARY_ALLOCATIONS] = {"allocations", NULL, false, false, false, false},
    [SUMMARY_BLOCKS] = {"blocks", NULL, false, false, false, false},
    [SUMMARY_BYTES] = {"bytes", NULL, true, false, false, false},
    [SUMMARY_AVERAGE_SIZE] = {"average_size", "average", true, true, false, false},
    [SUMMARY_FREES] = {"frees", NULL, false, false, false, false},
    [SUMMARY_FREED_BLOCKS] = {"freed_blocks", NULL, false, false, false, false},
    [SUMMARY_FREED_BYTES] = {"freed_bytes", NULL, true, false, false, false},
    [SUMMARY_RESIZES] = {"resizes", NULL, false, false, true, false},
    [SUMMARY_PEAK_BYTES] = {"peak_bytes", "peak", true, false, false, false},
    [SUMMARY_PEAK_AT_ALLOCATION] = {"peak_at_allocation", NULL, false, false, true, false},
    [SUMMARY_LIVE_ALLOCATIONS] = {"live_allocations", NULL, false, false, false, false},
    [SUMMARY_LIVE_BLOCKS] = {"live_blocks", NULL, false, false, false, false},
    [SUMMARY_LIVE_BYTES] = {"live_bytes", "live", true, false, false, false},
    [SUMMARY_FILTERED_ALLOCATIONS] = {"filtered_allocations", NULL, false, false, true, false},
    [SUMMARY_FILTERED_BLOCKS] = {"filtered_blocks", NULL, false, false, true, false},
    [SUMMARY_FILTERED_BYTES] = {"filtered_bytes", NULL, true, false, true, false},
    [SUMMARY_HIDDEN_INTERNAL_BLOCKS] = {"hidden_internal_blocks", NULL, false, false, true, false},
    [SUMMARY_HIDDEN_INTERNAL_BYTES] = {"hidden_internal_bytes", NULL, true, false, true, false},
    [SUMMARY_UNTRACKED_FREES] = {"untracked_frees", NULL, false, false, true, false},
    [SUMMARY_LOST_EVENTS] = {"lost_events", NULL, false, false, true, false},
    [SUMMARY_UNUSED_BYTES] = {"unused_bytes", "unused", true, false, false, false},
    [SUMMARY_GC_CYCLES] = {"gc_cycles", NULL, false, false, true, true},
};

const FigureInfo site_figures[SITE_FIGURE_COUNT] = {
    [SITE_COUNT] = {"count", "allocations", false, false, false, false},
    [SITE_BLOCKS] = {"blocks", NULL, false, false, false, false},
    [SITE_BYTES] = {"bytes", NULL, true, false, false, false},
    [SITE_AVERAGE_SIZE] = {"average_size", "average", true, true, false, false},
    [SITE_LIVE_COUNT] = {"live_count", NULL, false, false, false, false},
    [SITE_LIVE_BLOCKS] = {"live_blocks", NULL, false, false, false, false},
    [SITE_LIVE_BYTES] = {"live_bytes", "live", true, false, false, false},
    [SITE_PEAK_COUNT] = {"peak_count", NULL, false, false, false, false},
    [SITE_PEAK_BYTES] = {"peak_bytes", "peak", true, false, false, false},
    [SITE_UNUSED_BYTES] = {"unused_bytes", "unused", true, false, false, false},
};

static int figure_find(const FigureInfo *table, int count, const char *name) {
    for (int i = 0; i < count; i++) {
        if (strcmp(table[i].key, name) == 0) return i;
        if (table[i].alias != NULL && strcmp(table[i].alias, name) == 0) return i;
    }
    return -1;
}

int summary_figure_find(const char *name) {
    return figure_find(summary_figures, SUMMARY_FIGURE_COUNT, name);
}

int site_figure_find(const char *name) {
    return figure_find(site_figures, SITE_FIGURE_COUNT, name);
}

void figure_add(Figure *sum, Figure more) {
    sum->value += more.value;
    sum->known = sum->known && more.known;
}
