/*
 * summary.c -- the program's figures, the sum of its sites' (summary.h).
 */
#include "summary.h"

#include <string.h>

#include "record.h"
#include "site.h"
#include "state.h"

void tr_site_view_get(const mt_site_figures *site, tr_site_view *view) {
    uint64_t object = site->object;
    view->blocks = site->blocks;
    view->bytes = site->bytes;
    view->count = site->blocks * object;
    view->live_blocks = site->blocks - site->freed_blocks;
    view->live_bytes = site->bytes - site->freed_bytes;
    view->live_count = view->live_blocks * object;
    /* A site with no event since the program's last peak holds now what
     * it held then. */
    if (site->peak_epoch == mt_inline.peak_epoch) {
        view->peak_bytes = site->peak_bytes;
        view->peak_blocks = site->peak_blocks;
    } else {
        view->peak_bytes = view->live_bytes;
        view->peak_blocks = view->live_blocks;
    }
    view->peak_count = view->peak_blocks * object;
    /* A sampled run does not estimate unused bytes. */
    view->unused_bytes =
        object || mt_inline.sampled ? 0 : site->life.unused_bytes;
}

void tr_peak_settle(void) {
    uint64_t live = 0, objects = 0;
    for (mt_site id = TR_SITE_FILTERED_OBJECTS; id < tr_site_count(); id++) {
        const mt_site_figures *site = tr_site(id);
        live += site->bytes - site->freed_bytes;
        objects += site->blocks * site->object;
    }
    if (live <= mt_inline.peak_bytes) return;
    mt_inline.peak_bytes = live;
    mt_inline.peak_objects = objects;
    mt_inline.peak_at_bytes = mt_inline.bytes;
    mt_inline.peak_epoch++;  /* every site's share is what it holds now */
}

void tr_summary_get(tr_summary *sum) {
    memset(sum, 0, sizeof *sum);
    uint32_t count = tr_site_count();
    for (mt_site id = TR_SITE_FILTERED_OBJECTS; id < count; id++) {
        const mt_site_figures *site = tr_site(id);
        sum->blocks += site->blocks;
        sum->bytes += site->bytes;
        sum->freed_blocks += site->freed_blocks;
        sum->freed_bytes += site->freed_bytes;
        if (site->object) {
            sum->allocations += site->blocks;
            sum->frees += site->freed_blocks;
        } else if (!mt_inline.sampled) {
            sum->unused_bytes += site->life.unused_bytes;
        }
    }
    if (count > TR_SITE_FILTERED_STORAGE) {
        const mt_site_figures *objects = tr_site(TR_SITE_FILTERED_OBJECTS);
        const mt_site_figures *storage = tr_site(TR_SITE_FILTERED_STORAGE);
        sum->filtered_allocations = objects->blocks;
        sum->filtered_blocks = objects->blocks + storage->blocks;
        sum->filtered_bytes = objects->bytes + storage->bytes;
    }
    tr_hidden_figures(&sum->hidden_internal_blocks,
                      &sum->hidden_internal_bytes);
    sum->resizes = mt_inline.resizes;
    sum->peak_bytes = mt_inline.peak_bytes;
    sum->peak_at_allocation = mt_inline.peak_objects;
    sum->untracked_frees = tr_state.untracked_frees;
    sum->lost_events = tr_state.lost_events;
}
