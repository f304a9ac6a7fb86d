/*
 * comparison_print.c -- a comparison (comparison.h) written out: plain
 * text, Markdown for a pull-request comment, or JSON
 * ("memtracer-compare", version 2).  The tables show what changed, by
 * impact; what each site held at the peak and at exit; and the storage
 * reserved and never used.
 */
#include "comparison.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "msg.h"
#include "table.h"
#include "units.h"

/* The summary figures every comparison shows, in this order. */
static const SummaryFigure compared_figures[] = {
    SUMMARY_PEAK_BYTES,   SUMMARY_BYTES,      SUMMARY_ALLOCATIONS,      SUMMARY_BLOCKS,
    SUMMARY_AVERAGE_SIZE, SUMMARY_LIVE_BYTES, SUMMARY_LIVE_ALLOCATIONS, SUMMARY_LIVE_BLOCKS,
    SUMMARY_UNUSED_BYTES,
};
#define COMPARED_FIGURE_COUNT (sizeof compared_figures / sizeof compared_figures[0])

static const char *const site_status_names[] = {"new", "gone", "grown", "shrunk", "unchanged"};

/* A site's figure, 0 for a site absent on that side (it allocated
 * nothing there). */
static Figure side_figure(const Site *site, SiteFigure figure) {
    if (site == NULL) return (Figure){0, true};
    return site->figures[figure];
}

/* "+48000 (+10.0%)" ("~+48000 (+10.0%)" when an estimate), or
 * "unavailable". */
static char *change_text(Figure base, Figure head, bool estimate) {
    if (!base.known || !head.known) return str_dup("unavailable");
    double change = head.value - base.value;
    char *number = figure_text((Figure){change, true}, false);
    char *percent = percent_text(base.value, head.value);
    const char *mark = estimate ? "~" : "";
    char *text = change == 0 ? str_printf("%s%s", mark, number)
                             : str_printf("%s%s%s (%s)", mark, change > 0 ? "+" : "", number,
                                          percent);
    free(number);
    free(percent);
    return text;
}

/* "1047264 (1023 KiB)" for sizes, the bare number otherwise. */
static char *value_text(Figure figure, bool is_bytes, bool estimate) {
    char *number = figure_text(figure, estimate);
    if (!figure.known || !is_bytes || fabs(figure.value) < 1024) return number;
    char *size = size_text(figure.value);
    char *text = str_printf("%s (%s)", number, size);
    free(number);
    free(size);
    return text;
}

/* "80 -> 88", or "80" when both are the same; each side marked "~" when
 * an estimate. */
static char *pair_text(Figure base, Figure head, bool base_estimate, bool head_estimate) {
    char *base_text = figure_text(base, base_estimate);
    char *head_text = figure_text(head, head_estimate);
    char *text = base.known && head.known && base.value == head.value &&
                         base_estimate == head_estimate
                     ? str_dup(head_text)
                     : str_printf("%s -> %s", base_text, head_text);
    free(base_text);
    free(head_text);
    return text;
}

static char *site_text(const SiteChange *change) {
    const Site *site = change->head != NULL ? change->head : change->base;
    char *place = site_place(site);
    if (change->base != NULL && change->head != NULL && change->base->line != change->head->line) {
        char *moved = str_printf("%s (was line %ld)", place, change->base->line);
        free(place);
        return moved;
    }
    return place;
}

static Table *summary_table(const Comparison *comparison, const CompareOptions *options) {
    char *scope = phase_set_text(comparison->phases);
    char *header = str_printf("Figure (%s)", scope);
    free(scope);
    const char *const headers[] = {header, "Base", "Head", "Change"};
    Table *table = table_new(headers, "lrrr");
    free(header);
    for (size_t i = 0; i < COMPARED_FIGURE_COUNT + SUMMARY_FIGURE_COUNT; i++) {
        int f;
        if (i < COMPARED_FIGURE_COUNT) {
            f = (int)compared_figures[i];
        } else {
            /* A figure --metric chose beyond the usual ones. */
            f = (int)(i - COMPARED_FIGURE_COUNT);
            bool usual = false;
            for (size_t u = 0; u < COMPARED_FIGURE_COUNT; u++) usual |= (int)compared_figures[u] == f;
            if (usual || !options->metrics[f] || !options->fail_check) continue;
        }
        Figure base = comparison->base_figures[f], head = comparison->head_figures[f];
        bool bytes = summary_figures[f].is_bytes;
        char *name = summary_figures[f].whole_program && comparison->phases != PHASE_ALL
                         ? str_printf("%s (whole program)", summary_figures[f].key)
                         : str_dup(summary_figures[f].key);
        char *cells[] = {
            name,
            value_text(base, bytes, comparison_base_estimated(comparison, f)),
            value_text(head, bytes, comparison_head_estimated(comparison, f)),
            change_text(base, head, comparison_change_estimated(comparison, f)),
        };
        table_add(table, cells);
    }
    return table;
}

/* The changed sites of the phases compared, by impact; a Phase column
 * when more than one phase is. */
static Table *sites_table(const Comparison *comparison, long top) {
    bool phase_column = comparison->phases != PHASE_RUN && comparison->phases != PHASE_STARTUP &&
                        comparison->phases != PHASE_COMPILE;
    const char *const headers[] = {"Change", "Site", "Type", "Bytes", "Bytes change", "Blocks",
                                   "Blocks change", "Average", "Phase"};
    Table *table = table_new(headers, phase_column ? "lllrrrrrl" : "lllrrrrr");
    long shown = 0;
    bool base_estimate = comparison->base.sampled, head_estimate = comparison->head.sampled;
    bool estimate = comparison->estimates;
    for (size_t i = 0; i < comparison->change_count && (top < 0 || shown < top); i++) {
        const SiteChange *change = &comparison->changes[i];
        if (!change->listed || change->status == SITE_UNCHANGED) continue;
        const Site *site = change->head != NULL ? change->head : change->base;
        Figure base_bytes = side_figure(change->base, SITE_BYTES);
        Figure head_bytes = side_figure(change->head, SITE_BYTES);
        Figure base_blocks = side_figure(change->base, SITE_BLOCKS);
        Figure head_blocks = side_figure(change->head, SITE_BLOCKS);
        /* A side without the site has no average, rather than 0. */
        Figure base_average = change->base != NULL ? change->base->figures[SITE_AVERAGE_SIZE]
                                                   : (Figure){0, false};
        Figure head_average = change->head != NULL ? change->head->figures[SITE_AVERAGE_SIZE]
                                                   : (Figure){0, false};
        char *average = change->base == NULL   ? figure_text(head_average, head_estimate)
                        : change->head == NULL ? figure_text(base_average, base_estimate)
                                               : pair_text(base_average, head_average,
                                                           base_estimate, head_estimate);
        char *cells[] = {
            str_dup(site_status_names[change->status]),
            site_text(change),
            str_dup(site->type),
            pair_text(base_bytes, head_bytes, base_estimate, head_estimate),
            change_text(base_bytes, head_bytes, estimate),
            pair_text(base_blocks, head_blocks, base_estimate, head_estimate),
            change_text(base_blocks, head_blocks, estimate),
            average,
            str_dup(site_phase(site)),
        };
        if (!phase_column) free(cells[8]);
        table_add(table, cells);
        shown++;
    }
    return table;
}

/* Orders changes by the size of the change at the peak, then at exit;
 * ties keep their order by impact, the order of the changes array. */
static int held_compare(const void *left, const void *right) {
    const SiteChange *a = *(const SiteChange *const *)left;
    const SiteChange *b = *(const SiteChange *const *)right;
    if (fabs(a->peak_change) != fabs(b->peak_change))
        return fabs(a->peak_change) > fabs(b->peak_change) ? -1 : 1;
    if (fabs(a->live_change) != fabs(b->live_change))
        return fabs(a->live_change) > fabs(b->live_change) ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* Orders changes by the size of the change in unused bytes; ties keep
 * their order by impact. */
static int unused_compare(const void *left, const void *right) {
    const SiteChange *a = *(const SiteChange *const *)left;
    const SiteChange *b = *(const SiteChange *const *)right;
    if (fabs(a->unused_change.value) != fabs(b->unused_change.value))
        return fabs(a->unused_change.value) > fabs(b->unused_change.value) ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* What each site of the phases compared held at the program's peak and
 * at exit, where either changed, by the size of the change at the peak,
 * then at exit.  Over every phase, the changes at the peak add up to the
 * change of the program's peak. */
static Table *held_table(const Comparison *comparison, long top) {
    static const char *const headers[] = {"Site",         "Type",   "At the peak", "Change",
                                          "Of the peak", "At exit", "Change"};
    Table *table = table_new(headers, "llrrrrr");
    bool base_estimate = comparison->base.sampled, head_estimate = comparison->head.sampled;
    bool estimate = comparison->estimates;
    Figure head_peak = comparison->head.summary[SUMMARY_PEAK_BYTES];
    const SiteChange **order = mem_calloc(comparison->change_count, sizeof(SiteChange *));
    size_t count = 0;
    for (size_t i = 0; i < comparison->change_count; i++) {
        const SiteChange *change = &comparison->changes[i];
        if (change->listed && (change->peak_change != 0 || change->live_change != 0))
            order[count++] = change;
    }
    qsort(order, count, sizeof(SiteChange *), held_compare);
    for (size_t i = 0; i < count && (top < 0 || (long)i < top); i++) {
        const SiteChange *change = order[i];
        const Site *site = change->head != NULL ? change->head : change->base;
        Figure base = side_figure(change->base, SITE_PEAK_BYTES);
        Figure head = side_figure(change->head, SITE_PEAK_BYTES);
        Figure base_live = side_figure(change->base, SITE_LIVE_BYTES);
        Figure head_live = side_figure(change->head, SITE_LIVE_BYTES);
        char *share = head.known && head_peak.known && head_peak.value > 0
                          ? str_printf("%.1f%%", head.value / head_peak.value * 100)
                          : str_dup("-");
        char *cells[] = {
            site_text(change),
            str_dup(site->type),
            pair_text(base, head, base_estimate, head_estimate),
            change_text(base, head, estimate),
            share,
            pair_text(base_live, head_live, base_estimate, head_estimate),
            change_text(base_live, head_live, estimate),
        };
        table_add(table, cells);
    }
    free(order);
    return table;
}

/* The storage each site of the phases compared reserved and never used
 * (its unused_bytes: waste), where that changed, by the size of the
 * change: base -> head, the change, and the head's part of the site's
 * bytes.  Empty when a report has no unused bytes (a sampled one). */
static Table *unused_table(const Comparison *comparison, long top) {
    static const char *const headers[] = {"Site", "Type", "Unused", "Change", "Of its bytes"};
    Table *table = table_new(headers, "llrrr");
    const SiteChange **order = mem_calloc(comparison->change_count, sizeof(SiteChange *));
    size_t count = 0;
    for (size_t i = 0; i < comparison->change_count; i++) {
        const SiteChange *change = &comparison->changes[i];
        if (change->listed && change->unused_change.known && change->unused_change.value != 0)
            order[count++] = change;
    }
    qsort(order, count, sizeof(SiteChange *), unused_compare);
    for (size_t i = 0; i < count && (top < 0 || (long)i < top); i++) {
        const SiteChange *change = order[i];
        const Site *site = change->head != NULL ? change->head : change->base;
        Figure base = side_figure(change->base, SITE_UNUSED_BYTES);
        Figure head = side_figure(change->head, SITE_UNUSED_BYTES);
        Figure bytes = side_figure(change->head, SITE_BYTES);
        char *share = bytes.known && bytes.value > 0
                          ? str_printf("%.1f%%", head.value / bytes.value * 100)
                          : str_dup("-");
        char *cells[] = {
            site_text(change),
            str_dup(site->type),
            pair_text(base, head, false, false),
            change_text(base, head, false),
            share,
        };
        table_add(table, cells);
    }
    free(order);
    return table;
}

/* "compile: 1831 -> 1879 bytes (+48 (+2.6%)), 35 -> 37 blocks, 2 of 16
 * sites changed"; newly allocated. */
static char *other_phase_text(const Comparison *comparison, const PhaseSummary *other) {
    bool estimate = comparison->estimates;
    bool base_estimate = comparison->base.sampled, head_estimate = comparison->head.sampled;
    char *name = phase_set_text(other->phase);
    char *bytes = pair_text(other->base[SITE_BYTES], other->head[SITE_BYTES], base_estimate,
                            head_estimate);
    char *blocks = pair_text(other->base[SITE_BLOCKS], other->head[SITE_BLOCKS], base_estimate,
                             head_estimate);
    char *text;
    if (other->changed == 0) {
        text = str_printf("%s: %s bytes, %s blocks, unchanged", name, bytes, blocks);
    } else {
        char *change = change_text(other->base[SITE_BYTES], other->head[SITE_BYTES], estimate);
        text = str_printf("%s: %s bytes (%s), %s blocks, %zu of %zu sites changed", name, bytes,
                          change, blocks, other->changed, other->sites);
        free(change);
    }
    free(name);
    free(bytes);
    free(blocks);
    return text;
}

static void others_print(const Comparison *comparison, FILE *out, const char *prefix) {
    if (comparison->other_count == 0) return;
    fprintf(out, "%sNot compared above (--phase all includes them):", prefix);
    for (size_t i = 0; i < comparison->other_count; i++) {
        char *text = other_phase_text(comparison, &comparison->others[i]);
        fprintf(out, "%s%s", i == 0 ? " " : "; ", text);
        free(text);
    }
    fputs(".\n", out);
}

static char *exit_text(const Report *report) {
    if (!report->has_exit || report->exit_reason == NULL ||
        strcmp(report->exit_reason, "normal") == 0)
        return NULL;
    if (report->exit_signal != NULL)
        return str_printf("%s (%s)", report->exit_reason, report->exit_signal);
    if (report->exit_status.known)
        return str_printf("%s (status %.0f)", report->exit_reason, report->exit_status.value);
    return str_dup(report->exit_reason);
}

/* Which reports were sampled, and how; NULL when neither was.  Newly
 * allocated. */
static char *sampling_text(const Comparison *comparison) {
    const Report *base = &comparison->base, *head = &comparison->head;
    if (!comparison->estimates) return NULL;
    char *base_how = report_sampling_text(base), *head_how = report_sampling_text(head);
    char *text;
    if (comparison->mixed)
        text = str_printf("the %s report was sampled (%s), the %s is exact: the changes are "
                          "partly sampling's error",
                          base->sampled ? "base" : "head", base->sampled ? base_how : head_how,
                          base->sampled ? "head" : "base");
    else if (strcmp(base_how, head_how) == 0)
        text = str_printf("both reports were sampled (%s)", head_how);
    else
        text = str_printf("both reports were sampled (base: %s; head: %s)", base_how, head_how);
    free(base_how);
    free(head_how);
    return text;
}

/* Notes that hold for the whole comparison: estimates, runs that did not
 * end normally, reports that lost events. */
static void notes_print(const Comparison *comparison, FILE *out, const char *bullet) {
    const Report *reports[] = {&comparison->base, &comparison->head};
    const char *names[] = {"base", "head"};
    char *sampling = sampling_text(comparison);
    if (sampling != NULL)
        fprintf(out,
                "%sFigures marked ~ are estimates: %s.  A site a sampled report lacks may "
                "have allocated too little to be sampled; unused bytes are not estimated.\n",
                bullet, sampling);
    free(sampling);
    for (int r = 0; r < 2; r++) {
        char *ending = exit_text(reports[r]);
        if (ending != NULL) fprintf(out, "%sThe %s run ended by %s.\n", bullet, names[r], ending);
        free(ending);
        if (reports[r]->degraded)
            fprintf(out, "%sThe %s report lost events: its figures are short.\n", bullet, names[r]);
    }
}

/* The figures over --fail-above and those it could not check; a Markdown
 * list when `markdown`, then a blank line.  Returns whether it printed. */
static bool regressions_print(const Comparison *comparison, const CompareOptions *options,
                              FILE *out, bool markdown) {
    bool printed = false;
    for (int f = 0; f < SUMMARY_FIGURE_COUNT; f++) {
        if (!comparison->exceeded[f] && !comparison->unchecked[f]) continue;
        char *scope = comparison_figure_scope(comparison, f);
        const char *bullet = markdown ? "- " : "";
        if (comparison->exceeded[f]) {
            char *percent = percent_text(comparison->base_figures[f].value,
                                         comparison->head_figures[f].value);
            char *pair = pair_text(comparison->base_figures[f], comparison->head_figures[f],
                                   comparison_base_estimated(comparison, f), comparison_head_estimated(comparison, f));
            fprintf(out, "%s%s %s (%s) grew by %s%s (%s), more than %g%%%s.\n", bullet,
                    markdown ? "**Regression:**" : "Regression:", summary_figures[f].key, scope,
                    comparison_change_estimated(comparison, f) ? "~" : "", percent, pair,
                    options->fail_percent,
                    comparison_change_estimated(comparison, f) ? ", on estimates" : "");
            free(pair);
            free(percent);
        } else {
            fprintf(out, "%sNot checked: %s (%s) is unavailable in %s.\n", bullet,
                    summary_figures[f].key, scope,
                    comparison->base_figures[f].known ? "the head report" : "the base report");
        }
        free(scope);
        printed = true;
    }
    if (printed && markdown) fputs("\n", out);
    return printed;
}

static void counts_print(const Comparison *comparison, FILE *out) {
    const size_t *counts = comparison->status_counts;
    fprintf(out, "%zu grown, %zu shrunk, %zu new, %zu gone, %zu unchanged",
            counts[SITE_GROWN], counts[SITE_SHRUNK], counts[SITE_NEW], counts[SITE_GONE],
            counts[SITE_UNCHANGED]);
}

/* "74313 -> 82313 bytes (+8000 (+10.8%))": the program's peak. */
static char *peak_heading(const Comparison *comparison) {
    Figure base = comparison->base.summary[SUMMARY_PEAK_BYTES];
    Figure head = comparison->head.summary[SUMMARY_PEAK_BYTES];
    char *pair = pair_text(base, head, comparison->base.sampled, comparison->head.sampled);
    char *change = change_text(base, head, comparison->estimates);
    char *text = str_printf("%s bytes (%s)", pair, change);
    free(pair);
    free(change);
    return text;
}

/* "Base: rows.lox (lox)  (base.json)", and how it was sampled. */
static void identity_print(const Report *report, const char *side, FILE *out) {
    char *run = report_describe(report);
    fprintf(out, "%s: %s  (%s)", side, run, report->source);
    free(run);
    if (report->sampled) {
        char *how = report_sampling_text(report);
        fprintf(out, "  sampled: %s; its figures are estimates", how);
        free(how);
    }
    fputs("\n", out);
}

void comparison_text_print(const Comparison *comparison, const CompareOptions *options, FILE *out) {
    identity_print(&comparison->base, "Base", out);
    identity_print(&comparison->head, "Head", out);
    fputs("\n", out);
    Table *summary = summary_table(comparison, options);
    table_print(summary, out, false);
    table_free(summary);
    char *scope = phase_set_text(comparison->phases);
    fprintf(out, "\nSites (%s): ", scope);
    free(scope);
    counts_print(comparison, out);
    fputs("\n", out);
    Table *sites = sites_table(comparison, options->top);
    if (table_rows(sites) > 0) table_print(sites, out, false);
    table_free(sites);
    Table *peak = held_table(comparison, options->top);
    if (table_rows(peak) > 0) {
        char *heading = peak_heading(comparison);
        fprintf(out, "\nAt the program's peak, %s, and at exit, the sites held:\n", heading);
        free(heading);
        table_print(peak, out, false);
    }
    table_free(peak);
    Table *unused = unused_table(comparison, options->top);
    if (table_rows(unused) > 0) {
        fputs("\nStorage reserved and never used (unused_bytes), where it changed:\n", out);
        table_print(unused, out, false);
    }
    table_free(unused);
    others_print(comparison, out, "\n");
    notes_print(comparison, out, "");
    regressions_print(comparison, options, out, false);
}

void comparison_markdown_print(const Comparison *comparison, const CompareOptions *options,
                               FILE *out) {
    char *head = report_describe(&comparison->head);
    fprintf(out, "### memtracer: %s\n\n", head);
    free(head);
    regressions_print(comparison, options, out, true);
    Table *summary = summary_table(comparison, options);
    table_print(summary, out, true);
    table_free(summary);
    char *scope = phase_set_text(comparison->phases);
    fprintf(out, "\n**Sites (%s):** ", scope);
    free(scope);
    counts_print(comparison, out);
    fputs("\n\n", out);
    long top = options->top < 0 ? 20 : options->top;
    Table *sites = sites_table(comparison, top);
    if (table_rows(sites) > 0) table_print(sites, out, true);
    size_t changed = 0;
    for (int s = 0; s < SITE_STATUS_COUNT; s++)
        if (s != SITE_UNCHANGED) changed += comparison->status_counts[s];
    if (changed > table_rows(sites))
        fprintf(out, "\n%zu more changed sites not shown.\n", changed - table_rows(sites));
    table_free(sites);
    Table *peak = held_table(comparison, top);
    if (table_rows(peak) > 0) {
        char *heading = peak_heading(comparison);
        fprintf(out, "\n**At the program's peak**, %s, and at exit, the sites held:\n\n",
                heading);
        free(heading);
        table_print(peak, out, true);
    }
    table_free(peak);
    Table *unused = unused_table(comparison, top);
    if (table_rows(unused) > 0) {
        fputs("\n**Storage reserved and never used** (unused_bytes), where it changed:\n\n", out);
        table_print(unused, out, true);
    }
    table_free(unused);
    others_print(comparison, out, "\n");
    notes_print(comparison, out, "\n> ");
}

static json_t *json_report_identity(const Report *report) {
    json_t *identity = json_object();
    json_object_set_new(identity, "source", json_from_text(report->source));
    json_object_set_new(identity, "program", json_from_text(report->program));
    json_object_set_new(identity, "language", json_from_text(report->language));
    json_object_set_new(identity, "version", json_integer(report->version));
    json_object_set_new(identity, "sampled", json_boolean(report->sampled));
    json_t *sampling = json_null();
    if (report->sampled) {
        sampling = json_object();
        json_object_set_new(sampling, "bytes", json_from_figure(report->sample_bytes));
        json_object_set_new(sampling, "seed", json_from_seed(report->seed_text));
    }
    json_object_set_new(identity, "sampling", sampling);
    return identity;
}

static json_t *json_site_figures(const Site *site) {
    if (site == NULL) return json_null();
    json_t *figures = json_object();
    json_object_set_new(figures, "line", json_integer(site->line));
    for (int f = 0; f < SITE_FIGURE_COUNT; f++)
        if (site->figures[f].known)
            json_object_set_new(figures, site_figures[f].key, json_from_figure(site->figures[f]));
    return figures;
}

/* A figure base -> head: `estimated` when either side is an estimate. */
static json_t *json_change(Figure base, Figure head, bool estimated) {
    json_t *change = json_object();
    json_object_set_new(change, "base", json_from_figure(base));
    json_object_set_new(change, "head", json_from_figure(head));
    bool known = base.known && head.known;
    json_object_set_new(change, "change", known ? json_from_number(head.value - base.value) : json_null());
    json_t *percent = json_null();
    if (known && base.value != 0) percent = json_real((head.value - base.value) / fabs(base.value) * 100);
    else if (known && head.value == 0) percent = json_real(0);
    json_object_set_new(change, "percent", percent);
    json_object_set_new(change, "from_zero", json_boolean(known && base.value == 0 && head.value != 0));
    json_object_set_new(change, "estimated", json_boolean(estimated));
    return change;
}

static json_t *json_figures(const Comparison *comparison, const Figure *base, const Figure *head) {
    json_t *summary = json_object();
    for (size_t i = 0; i < COMPARED_FIGURE_COUNT; i++) {
        SummaryFigure f = compared_figures[i];
        json_object_set_new(summary, summary_figures[f].key,
                            json_change(base[f], head[f], comparison_change_estimated(comparison, f)));
    }
    return summary;
}

static json_t *json_phases(PhaseSet phases) {
    json_t *names = json_array();
    if (phases == PHASE_ALL) {
        json_array_append_new(names, json_string("all"));
        return names;
    }
    for (int i = 0; i < PHASE_NAMED_COUNT; i++) {
        if (!(phases & phase_named[i])) continue;
        char *name = phase_set_text(phase_named[i]);
        json_array_append_new(names, json_string(name));
        free(name);
    }
    return names;
}

bool comparison_json_print(const Comparison *comparison, const CompareOptions *options, FILE *out) {
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("memtracer-compare"));
    json_object_set_new(root, "version", json_integer(2));
    json_object_set_new(root, "base", json_report_identity(&comparison->base));
    json_object_set_new(root, "head", json_report_identity(&comparison->head));
    json_object_set_new(root, "estimates", json_boolean(comparison->estimates));
    json_object_set_new(root, "phases", json_phases(comparison->phases));
    json_object_set_new(root, "summary", json_figures(comparison, comparison->base_figures,
                                                      comparison->head_figures));
    json_object_set_new(root, "whole_program", json_figures(comparison, comparison->base.summary,
                                                            comparison->head.summary));
    json_t *others = json_object();
    for (size_t i = 0; i < comparison->other_count; i++) {
        const PhaseSummary *other = &comparison->others[i];
        json_t *entry = json_object();
        json_object_set_new(entry, "sites", json_integer((json_int_t)other->sites));
        json_object_set_new(entry, "changed", json_integer((json_int_t)other->changed));
        bool estimated = comparison->estimates;
        json_object_set_new(entry, "bytes", json_change(other->base[SITE_BYTES],
                                                        other->head[SITE_BYTES], estimated));
        json_object_set_new(entry, "blocks", json_change(other->base[SITE_BLOCKS],
                                                         other->head[SITE_BLOCKS], estimated));
        json_object_set_new(entry, "peak_bytes", json_change(other->base[SITE_PEAK_BYTES],
                                                             other->head[SITE_PEAK_BYTES], estimated));
        char *name = other->phase == PHASE_OTHER ? str_dup("other") : phase_set_text(other->phase);
        json_object_set_new(others, name, entry);
        free(name);
    }
    json_object_set_new(root, "other_phases", others);

    json_t *counts = json_object();
    for (int s = 0; s < SITE_STATUS_COUNT; s++)
        json_object_set_new(counts, site_status_names[s], json_integer((json_int_t)comparison->status_counts[s]));
    json_object_set_new(root, "site_counts", counts);
    json_t *sites = json_array();
    for (size_t i = 0; i < comparison->change_count; i++) {
        const SiteChange *change = &comparison->changes[i];
        if (!change->listed) continue;
        const Site *site = change->head != NULL ? change->head : change->base;
        json_t *entry = json_object();
        json_object_set_new(entry, "status", json_string(site_status_names[change->status]));
        json_object_set_new(entry, "file", json_string(site->file));
        json_object_set_new(entry, "function", json_string(site->function));
        json_object_set_new(entry, "type", json_string(site->type));
        json_object_set_new(entry, "kind", json_string(site->kind));
        json_object_set_new(entry, "phase", json_string(site_phase(site)));
        json_object_set_new(entry, "bytes_change", json_from_number(change->bytes_change));
        json_object_set_new(entry, "blocks_change", json_from_number(change->blocks_change));
        json_object_set_new(entry, "count_change", json_from_number(change->count_change));
        json_object_set_new(entry, "peak_bytes_change", json_from_number(change->peak_change));
        json_object_set_new(entry, "live_bytes_change", json_from_number(change->live_change));
        json_object_set_new(entry, "unused_bytes_change", json_from_figure(change->unused_change));
        json_object_set_new(entry, "estimated", json_boolean(comparison->estimates));
        json_object_set_new(entry, "base", json_site_figures(change->base));
        json_object_set_new(entry, "head", json_site_figures(change->head));
        json_array_append_new(sites, entry);
    }
    json_object_set_new(root, "sites", sites);

    json_t *verdict = json_null();
    if (options->fail_check) {
        verdict = json_object();
        json_t *checked = json_array(), *exceeded = json_array(), *unchecked = json_array();
        for (int f = 0; f < SUMMARY_FIGURE_COUNT; f++) {
            if (!options->metrics[f]) continue;
            json_t *name = json_string(summary_figures[f].key);
            json_array_append(checked, name);
            if (comparison->exceeded[f]) json_array_append(exceeded, name);
            if (comparison->unchecked[f]) json_array_append(unchecked, name);
            json_decref(name);
        }
        json_object_set_new(verdict, "percent", json_from_number(options->fail_percent));
        json_object_set_new(verdict, "metrics", checked);
        json_object_set_new(verdict, "exceeded", exceeded);
        json_object_set_new(verdict, "unavailable", unchecked);
        json_object_set_new(verdict, "regression", json_boolean(comparison->regression));
    }
    json_object_set_new(root, "fail_above", verdict);
    bool written = json_write(root, out, false);
    json_decref(root);
    return written;
}

