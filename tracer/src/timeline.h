/*
 * timeline.h -- memory over the run, on the clock of bytes obtained.
 *
 * A point is taken each time the bytes obtained pass the next multiple of
 * the interval: live bytes, objects and bytes obtained so far, collections
 * so far (a collection happened between two points when the count grew)
 * and the wall time.  The points are bounded whatever the run's length:
 * when they fill their array, every other one goes and the interval
 * doubles, so about TR_TIMELINE_POINTS points stay, spread evenly.
 */
#ifndef TR_TIMELINE_H
#define TR_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#define TR_TIMELINE_POINTS 1024

typedef struct tr_point {
    uint64_t bytes;       /* obtained so far: the clock */
    uint64_t objects;     /* obtained so far */
    uint64_t live_bytes;
    uint64_t gc_cycles;
    uint64_t time_ns;     /* since tracing started */
} tr_point;

/* The bytes obtained (mt_inline.bytes) at which the next point is due. */
extern uint64_t tr_timeline_next;

/* Sets the timeline up empty, its first point due after the first
 * interval; false when memory is exhausted. */
bool tr_timeline_begin(void);
/* Empties the timeline and restarts its wall clock, keeping its array: the
 * next point is due at the first interval's next multiple. */
void tr_timeline_restart(void);
/* Takes the point that is due (mt_inline.bytes has reached
 * tr_timeline_next). */
void tr_timeline_tick(void);

/* The points so far, oldest first, and the interval between them. */
const tr_point *tr_timeline_points(uint32_t *count, uint64_t *interval);
/* The point of now, not kept: the report's last. */
tr_point tr_timeline_now(void);
/* Wall time since tracing started. */
uint64_t tr_timeline_clock(void);

#endif
