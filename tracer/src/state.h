/*
 * state.h -- what the recording modules and the report writers share: the
 * effective options, the program's summary figures, and the bracket every
 * event runs inside so that a signal never reports half-updated tables.
 */
#ifndef MT_STATE_H
#define MT_STATE_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "memtracer.h"

#define MT_DEFAULT_STACK_LIMIT 64

typedef struct mt_summary {
    uint64_t allocations, bytes;       /* every object and byte the VM got */
    uint64_t frees, freed_bytes;
    uint64_t resizes;
    uint64_t peak_bytes, peak_at_allocation;
    uint64_t filtered_allocations, filtered_bytes;
    uint64_t hidden_internal_allocations, hidden_internal_bytes;
    uint64_t untracked_frees;
    uint64_t lost_events;              /* dropped: the tracer had no memory */
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
    mt_summary sum;
    volatile sig_atomic_t in_event;
    volatile sig_atomic_t pending_signal;
} mt_state;

extern mt_state mt_g;

/* Runs the report for a signal that arrived during an event, then lets the
 * signal kill the process as it would have. */
void mt_tracer_deliver_signal(void);

#define MT_EVENT_BEGIN()                                  \
    do {                                                  \
        mt_g.in_event = 1;                                \
        atomic_signal_fence(memory_order_seq_cst);        \
    } while (0)

#define MT_EVENT_END()                                    \
    do {                                                  \
        atomic_signal_fence(memory_order_seq_cst);        \
        mt_g.in_event = 0;                                \
        if (mt_g.pending_signal) mt_tracer_deliver_signal(); \
    } while (0)

#endif
