/*
 * comparison.c -- two reports compared (see comparison.h): sites paired
 * by site_match and sorted by impact (the absolute change in bytes, then
 * in blocks), the phases left out summed up, and growth beyond
 * --fail-above, whole figures decided exactly.
 */
#include "comparison.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "site_match.h"

static double site_value(const Site *site, SiteFigure figure) {
    return site != NULL && site->figures[figure].known ? site->figures[figure].value : 0;
}

static int change_compare(const void *left, const void *right) {
    const SiteChange *a = left, *b = right;
    double impact_a = fabs(a->bytes_change), impact_b = fabs(b->bytes_change);
    if (impact_a != impact_b) return impact_a > impact_b ? -1 : 1;
    double blocks_a = fabs(a->blocks_change), blocks_b = fabs(b->blocks_change);
    if (blocks_a != blocks_b) return blocks_a > blocks_b ? -1 : 1;
    const Site *site_a = a->head != NULL ? a->head : a->base;
    const Site *site_b = b->head != NULL ? b->head : b->base;
    int order = site_identity_compare(site_a, site_b);
    if (order != 0) return order;
    return site_a->line < site_b->line ? -1 : site_a->line > site_b->line;
}

/* The base's sites as site_match should see them: when the two runs are
 * of differently named programs (a script copied or renamed), the base
 * program's file is taken for the head's. */
static Site *base_sites_renamed(const Comparison *comparison) {
    const Report *base = &comparison->base, *head = &comparison->head;
    Site *sites = mem_calloc(base->site_count, sizeof(Site));
    bool renamed = base->program != NULL && head->program != NULL &&
                   strcmp(base->program, head->program) != 0;
    for (size_t i = 0; i < base->site_count; i++) {
        sites[i] = base->sites[i];
        if (renamed && strcmp(sites[i].file, base->program) == 0) sites[i].file = head->program;
    }
    return sites;
}

/* The phase summary a left-out site adds to, made on first use. */
static PhaseSummary *other_phase(Comparison *comparison, PhaseSet phase) {
    for (size_t i = 0; i < comparison->other_count; i++)
        if (comparison->others[i].phase == phase) return &comparison->others[i];
    PhaseSummary *summary = &comparison->others[comparison->other_count++];
    memset(summary, 0, sizeof *summary);
    summary->phase = phase;
    for (int f = 0; f < SITE_FIGURE_COUNT; f++)
        summary->base[f] = summary->head[f] = (Figure){0, true};
    return summary;
}

static int phase_summary_compare(const void *left, const void *right) {
    const PhaseSummary *a = left, *b = right;
    return a->phase < b->phase ? -1 : a->phase > b->phase;
}

void comparison_compute(Comparison *comparison) {
    size_t pair_count;
    Site *base_sites = base_sites_renamed(comparison);
    SitePair *pairs = sites_match(base_sites, comparison->base.site_count,
                                  comparison->head.sites, comparison->head.site_count, &pair_count);
    /* Back from the renamed copies to the base report's own sites. */
    for (size_t i = 0; i < pair_count; i++)
        if (pairs[i].base != NULL) pairs[i].base = &comparison->base.sites[pairs[i].base - base_sites];
    free(base_sites);
    comparison->changes = mem_calloc(pair_count, sizeof(SiteChange));
    for (size_t i = 0; i < pair_count; i++) {
        SiteChange *change = &comparison->changes[i];
        change->base = pairs[i].base;
        change->head = pairs[i].head;
        change->bytes_change = site_value(change->head, SITE_BYTES) - site_value(change->base, SITE_BYTES);
        change->blocks_change = site_value(change->head, SITE_BLOCKS) - site_value(change->base, SITE_BLOCKS);
        change->count_change = site_value(change->head, SITE_COUNT) - site_value(change->base, SITE_COUNT);
        change->peak_change = site_value(change->head, SITE_PEAK_BYTES) -
                              site_value(change->base, SITE_PEAK_BYTES);
        change->live_change = site_value(change->head, SITE_LIVE_BYTES) -
                              site_value(change->base, SITE_LIVE_BYTES);
        /* A site absent on one side is 0 there only when that report has
         * unused bytes at all (an exact one does). */
        Figure base_unused = change->base != NULL
                                 ? change->base->figures[SITE_UNUSED_BYTES]
                                 : (Figure){0, comparison->base.summary[SUMMARY_UNUSED_BYTES].known};
        Figure head_unused = change->head != NULL
                                 ? change->head->figures[SITE_UNUSED_BYTES]
                                 : (Figure){0, comparison->head.summary[SUMMARY_UNUSED_BYTES].known};
        change->unused_change = (Figure){head_unused.value - base_unused.value,
                                         base_unused.known && head_unused.known};
        if (change->base == NULL) change->status = SITE_NEW;
        else if (change->head == NULL) change->status = SITE_GONE;
        else if (change->bytes_change > 0 || (change->bytes_change == 0 && change->blocks_change > 0))
            change->status = SITE_GROWN;
        else if (change->bytes_change < 0 || change->blocks_change < 0)
            change->status = SITE_SHRUNK;
        else change->status = SITE_UNCHANGED;
        const Site *site = change->head != NULL ? change->head : change->base;
        change->listed = phase_set_has(comparison->phases, site);
        if (change->listed) {
            comparison->status_counts[change->status]++;
            continue;
        }
        PhaseSummary *other = other_phase(comparison, site_phase_bit(site));
        other->sites++;
        other->changed += change->status != SITE_UNCHANGED;
        for (int f = 0; f < SITE_FIGURE_COUNT; f++) {
            if (change->base != NULL) figure_add(&other->base[f], change->base->figures[f]);
            if (change->head != NULL) figure_add(&other->head[f], change->head->figures[f]);
        }
    }
    comparison->change_count = pair_count;
    free(pairs);
    qsort(comparison->changes, pair_count, sizeof(SiteChange), change_compare);
    qsort(comparison->others, comparison->other_count, sizeof(PhaseSummary), phase_summary_compare);
}

/* a * b in 128 bits, as its high and low halves. */
static void wide_multiply(uint64_t a, uint64_t b, uint64_t *high, uint64_t *low) {
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t middle = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    *low = middle << 32 | (p00 & 0xFFFFFFFFu);
    *high = p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32);
}

/* Whether `head` grew from `base` by more than the --fail-above
 * percentage.  Whole figures (what the tracer counts) are decided exactly,
 * growth * 100 * scale > digits * base in 128 bits, so that 100 -> 107 is
 * 7% and not a rounding error above it; others (average_size) to a
 * relative 1e-9. */
static bool grew_beyond(double base, double head, const CompareOptions *options) {
    if (head <= base) return false;
    if (base <= 0) return true;
    if (options->percent_exact && base == floor(base) && head == floor(head) &&
        head <= 0x1p53) {
        uint64_t left_high, left_low, right_high, right_low;
        wide_multiply((uint64_t)(head - base) * 100, options->percent_scale, &left_high,
                      &left_low);
        wide_multiply(options->percent_digits, (uint64_t)base, &right_high, &right_low);
        return left_high != right_high ? left_high > right_high : left_low > right_low;
    }
    return (head - base) * 100 > options->fail_percent * base * (1 + 1e-9);
}

void comparison_regressions_find(Comparison *comparison, const CompareOptions *options) {
    if (!options->fail_check) return;
    for (int f = 0; f < SUMMARY_FIGURE_COUNT; f++) {
        if (!options->metrics[f]) continue;
        Figure base = comparison->base_figures[f], head = comparison->head_figures[f];
        if (!base.known || !head.known) {
            comparison->unchecked[f] = true;
            continue;
        }
        if (grew_beyond(base.value, head.value, options)) {
            comparison->exceeded[f] = true;
            comparison->regression = true;
        }
    }
}

bool comparison_base_estimated(const Comparison *comparison, int f) {
    return figure_estimated(&summary_figures[f], comparison->base.sampled);
}

bool comparison_head_estimated(const Comparison *comparison, int f) {
    return figure_estimated(&summary_figures[f], comparison->head.sampled);
}

bool comparison_change_estimated(const Comparison *comparison, int f) {
    return comparison_base_estimated(comparison, f) || comparison_head_estimated(comparison, f);
}

char *comparison_figure_scope(const Comparison *comparison, int figure) {
    if (summary_figures[figure].whole_program && comparison->phases != PHASE_ALL)
        return str_dup("whole program");
    return phase_set_text(comparison->phases);
}

