/*
 * timeline.c -- memory over the run (see timeline.h).  Signal-safe to read:
 * a point is written, then counted.
 */
#include "timeline.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "memtracer/inline.h"

/* The first interval: a point per 64 KiB obtained, until the points fill
 * and it doubles. */
#define FIRST_INTERVAL ((uint64_t)64 * 1024)

static struct {
    tr_point *points;
    uint32_t count;
    uint64_t interval;
    struct timespec start;
} timeline;

uint64_t tr_timeline_next = UINT64_MAX;

uint64_t tr_timeline_clock(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - timeline.start.tv_sec) * 1000000000u +
           (uint64_t)now.tv_nsec - (uint64_t)timeline.start.tv_nsec;
}

bool tr_timeline_begin(void) {
    memset(&timeline, 0, sizeof timeline);
    clock_gettime(CLOCK_MONOTONIC, &timeline.start);
    timeline.points = tr_mem_calloc(TR_TIMELINE_POINTS, sizeof(tr_point));
    if (timeline.points == NULL) {
        tr_timeline_next = UINT64_MAX;
        return false;
    }
    tr_timeline_restart();
    return true;
}

void tr_timeline_restart(void) {
    clock_gettime(CLOCK_MONOTONIC, &timeline.start);
    timeline.count = 0;
    timeline.interval = FIRST_INTERVAL;
    if (timeline.points == NULL) return;
    tr_timeline_next =
        (mt_inline.bytes / timeline.interval + 1) * timeline.interval;
}

tr_point tr_timeline_now(void) {
    return (tr_point){mt_inline.bytes, mt_inline.objects,
                      mt_inline.live_bytes, mt_inline.gc_cycles,
                      tr_timeline_clock()};
}

/* Keeps every other point, the interval doubled: the points that stay are
 * those on the new interval's multiples. */
static void timeline_thin(void) {
    uint32_t kept = 0;
    for (uint32_t i = 1; i < timeline.count; i += 2)
        timeline.points[kept++] = timeline.points[i];
    timeline.count = kept;
    timeline.interval *= 2;
}

void tr_timeline_tick(void) {
    if (timeline.points == NULL) return;
    tr_point point = tr_timeline_now();
    if (timeline.count == TR_TIMELINE_POINTS) timeline_thin();
    timeline.points[timeline.count] = point;
    atomic_signal_fence(memory_order_seq_cst);  /* written, then counted */
    timeline.count++;
    /* The next multiple of the interval past the bytes obtained now. */
    tr_timeline_next =
        (mt_inline.bytes / timeline.interval + 1) * timeline.interval;
}

const tr_point *tr_timeline_points(uint32_t *count, uint64_t *interval) {
    *count = timeline.count;
    *interval = timeline.interval;
    return timeline.points;
}
