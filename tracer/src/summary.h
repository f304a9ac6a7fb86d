/*
 * summary.h -- the program's figures, as a report prints them: derived
 * when a report asks, from the sites and mt_inline, never kept per event.
 */
#ifndef TR_SUMMARY_H
#define TR_SUMMARY_H

#include <stdint.h>

#include "memtracer/inline.h"

typedef struct tr_summary {
    uint64_t allocations, blocks, bytes;      /* every object, block, byte */
    uint64_t frees, freed_blocks, freed_bytes;
    uint64_t resizes;
    uint64_t peak_bytes, peak_at_allocation;
    uint64_t filtered_allocations, filtered_blocks, filtered_bytes;
    uint64_t hidden_internal_blocks, hidden_internal_bytes;
    uint64_t untracked_frees;
    uint64_t lost_events;
    uint64_t unused_bytes;    /* storage reserved and never used */
} tr_summary;

void tr_summary_get(tr_summary *summary);

/* A report written from a signal may land in the middle of counting a
 * block, after its site's figures and before the program's peak: the
 * block is in the figures, so the peak is raised to hold it.  Called
 * before a report reads any figure. */
void tr_peak_settle(void);

/* A site's figures as a report shows them. */
typedef struct tr_site_view {
    uint64_t count, blocks, bytes;            /* count: objects */
    uint64_t live_count, live_blocks, live_bytes;
    uint64_t peak_count, peak_blocks, peak_bytes;  /* at the program's peak */
    uint64_t unused_bytes;                    /* storage: reserved, never used */
} tr_site_view;

void tr_site_view_get(const mt_site_figures *site, tr_site_view *view);

#endif
