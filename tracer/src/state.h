/*
 * state.h -- what the recording modules and the report writers share: the
 * effective options, the troubles met, and the summary the reports print.
 *
 * The figures an event moves are in the sites and in mt_hot_state (the
 * public header lays them out for the inline hooks); the summary is
 * derived from them when a report is written, so an event touches as few
 * counters as it can.  Every event that may change a table runs between
 * mt_event_begin and mt_event_end, so that a signal never reports a
 * half-updated table.
 */
#ifndef MT_STATE_H
#define MT_STATE_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "memtracer.h"

#define MT_DEFAULT_STACK_LIMIT 64

/* The program's figures, as a report prints them. */
typedef struct mt_summary {
    uint64_t allocations, bytes;       /* every object and byte the VM got */
    uint64_t frees, freed_bytes;
    uint64_t resizes;
    uint64_t peak_bytes, peak_at_allocation;
    uint64_t filtered_allocations, filtered_bytes;
    uint64_t hidden_internal_allocations, hidden_internal_bytes;
    uint64_t untracked_frees;
    uint64_t lost_events;
} mt_summary;

/* A glob list from FilterFile or FilterRootName; count 0: no filter. */
typedef struct mt_globs {
    char **globs;
    size_t count;
} mt_globs;

typedef struct mt_state {
    mt_options opt;      /* strings copied into the tracer's memory */
    mt_globs file_globs, root_globs;
    const char *language, *program;
    uint64_t untracked_frees;  /* releases of blocks it never counted */
    uint64_t lost_events;      /* dropped: the tracer had no memory */
    int exit_status;           /* how the run ended (mt_exit_set) */
    mt_exit_reason exit_reason;
    int exit_signal;           /* the signal that ended it, or 0 */
} mt_state;

extern mt_state mt_g;

/* The bracket round an event: a signal that lands inside one is only
 * noted, and delivered when the tables are whole again. */
typedef struct mt_bracket {
    volatile sig_atomic_t in_event, pending_signal;
} mt_bracket;

extern mt_bracket mt_event;

/* Writes the report for a signal noted during an event, then lets the
 * signal do what it would have done (tracer.c). */
void mt_signal_deliver(void);

static inline void mt_event_begin(void) {
    mt_event.in_event = 1;
    atomic_signal_fence(memory_order_seq_cst);
}

static inline void mt_event_end(void) {
    atomic_signal_fence(memory_order_seq_cst);
    mt_event.in_event = 0;
    if (mt_event.pending_signal) mt_signal_deliver();
}

/* Zeroes the pseudo-sites' figures, for a new start (record.c). */
void mt_record_begin(void);
/* The summary as of now (record.c). */
void mt_summary_get(mt_summary *sum);

#endif
