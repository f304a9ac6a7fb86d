/*
 * state.h -- what the tracer's modules share: the effective options, the
 * troubles met, and how the run ended.
 *
 * The figures events move are in the sites and in mt_inline (inline.h);
 * the program's totals are derived from them when a report asks
 * (summary.h), so an event touches as few counters as it can.
 */
#ifndef TR_STATE_H
#define TR_STATE_H

#include <signal.h>
#include <stdint.h>

#include "memtracer/inline.h"

#define TR_DEFAULT_STACK_LIMIT 64

/* A glob list from FilterFile or FilterRootName; count 0: no filter. */
typedef struct tr_globs {
    char **globs;
    size_t count;
} tr_globs;

typedef struct tr_state_t {
    mt_options options;        /* strings copied into the tracer's memory */
    tr_globs file_globs, root_globs;
    const char *language, *program;
    uint64_t untracked_frees;  /* releases of blocks it never counted */
    uint64_t lost_events;      /* dropped: the tracer had no memory */
    int exit_status;           /* how the run ended (mt_exit_set) */
    mt_exit_reason exit_reason;
    int exit_signal;           /* the signal that ended it, or 0 */
    mt_phase phase;            /* what the program is doing now */
    bool recording;            /* new blocks are counted (mt_recording) */
    bool node_figures;         /* call-path nodes count their own blocks */
} tr_state_t;

extern tr_state_t tr_state;

/* An ending signal that waited while a block was counted at its site and
 * its call path (mt_inline.counting), handled once the count is whole. */
void tr_signal_deliver(void);

#endif
