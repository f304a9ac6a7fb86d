/*
 * phase.c -- phases of a run and their figures (see phase.h).
 */
#include "phase.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"

const PhaseSet phase_named[PHASE_NAMED_COUNT] = {PHASE_RUN, PHASE_STARTUP, PHASE_COMPILE};

static const struct {
    const char *name;
    PhaseSet set;
} phase_names[] = {
    {"run", PHASE_RUN},
    {"start-up", PHASE_STARTUP},
    {"startup", PHASE_STARTUP},
    {"compile", PHASE_COMPILE},
    {"all", PHASE_ALL},
};

static PhaseSet phase_named_by(const char *name, size_t length) {
    for (size_t i = 0; i < sizeof phase_names / sizeof phase_names[0]; i++)
        if (strlen(phase_names[i].name) == length && strncmp(phase_names[i].name, name, length) == 0)
            return phase_names[i].set;
    return 0;
}

bool phase_set_parse(const char *text, PhaseSet *set) {
    PhaseSet parsed = 0;
    const char *at = text;
    for (;;) {
        while (*at == ' ') at++;
        size_t length = strcspn(at, ",");
        while (length > 0 && at[length - 1] == ' ') length--;
        PhaseSet one = phase_named_by(at, length);
        if (one == 0) return false;
        parsed |= one;
        at += strcspn(at, ",");
        if (*at == '\0') break;
        at++;
    }
    *set = parsed;
    return true;
}

static const char *phase_single_name(PhaseSet set) {
    switch (set) {
    case PHASE_RUN: return "run";
    case PHASE_STARTUP: return "start-up";
    case PHASE_COMPILE: return "compile";
    case PHASE_ALL: return "all phases";
    default: return NULL;
    }
}

char *phase_set_text(PhaseSet set) {
    const char *single = phase_single_name(set);
    if (single != NULL) return str_dup(single);
    char *text = str_dup("");
    for (int i = 0; i < PHASE_NAMED_COUNT; i++) {
        if (!(set & phase_named[i])) continue;
        char *longer = str_printf("%s%s%s", text, text[0] != '\0' ? ", " : "",
                                  phase_single_name(phase_named[i]));
        free(text);
        text = longer;
    }
    return text;
}

const char *site_phase(const Site *site) {
    return site->phase != NULL && site->phase[0] != '\0' ? site->phase : "run";
}

PhaseSet site_phase_bit(const Site *site) {
    const char *name = site_phase(site);
    PhaseSet bit = phase_named_by(name, strlen(name));
    return bit != 0 && bit != PHASE_ALL ? bit : PHASE_OTHER;
}

bool phase_set_present(const Report *report, PhaseSet set) {
    for (size_t i = 0; i < report->site_count; i++)
        if (phase_set_has(set, &report->sites[i])) return true;
    return false;
}

void phase_figures(const Report *report, PhaseSet set, Figure figures[SUMMARY_FIGURE_COUNT]) {
    if (set == PHASE_ALL) {
        memcpy(figures, report->summary, sizeof report->summary);
        return;
    }
    Figure sums[SITE_FIGURE_COUNT];
    for (int f = 0; f < SITE_FIGURE_COUNT; f++) sums[f] = (Figure){0, true};
    for (size_t i = 0; i < report->site_count; i++) {
        const Site *site = &report->sites[i];
        if (!phase_set_has(set, site)) continue;
        for (int f = 0; f < SITE_FIGURE_COUNT; f++) figure_add(&sums[f], site->figures[f]);
    }
    for (int f = 0; f < SUMMARY_FIGURE_COUNT; f++)
        figures[f] = summary_figures[f].whole_program ? report->summary[f] : (Figure){0, false};
    figures[SUMMARY_ALLOCATIONS] = sums[SITE_COUNT];
    figures[SUMMARY_BLOCKS] = sums[SITE_BLOCKS];
    figures[SUMMARY_BYTES] = sums[SITE_BYTES];
    figures[SUMMARY_PEAK_BYTES] = sums[SITE_PEAK_BYTES];
    figures[SUMMARY_LIVE_ALLOCATIONS] = sums[SITE_LIVE_COUNT];
    figures[SUMMARY_LIVE_BLOCKS] = sums[SITE_LIVE_BLOCKS];
    figures[SUMMARY_LIVE_BYTES] = sums[SITE_LIVE_BYTES];
    figures[SUMMARY_UNUSED_BYTES] = sums[SITE_UNUSED_BYTES];
    const struct {
        SummaryFigure freed, total, live;
    } freed[] = {
        {SUMMARY_FREES, SUMMARY_ALLOCATIONS, SUMMARY_LIVE_ALLOCATIONS},
        {SUMMARY_FREED_BLOCKS, SUMMARY_BLOCKS, SUMMARY_LIVE_BLOCKS},
        {SUMMARY_FREED_BYTES, SUMMARY_BYTES, SUMMARY_LIVE_BYTES},
    };
    for (size_t i = 0; i < sizeof freed / sizeof freed[0]; i++) {
        Figure total = figures[freed[i].total], live = figures[freed[i].live];
        figures[freed[i].freed] = (Figure){total.value - live.value, total.known && live.known};
    }
    Figure bytes = figures[SUMMARY_BYTES], blocks = figures[SUMMARY_BLOCKS];
    figures[SUMMARY_AVERAGE_SIZE] = (Figure){blocks.value > 0 ? bytes.value / blocks.value : 0,
                                             bytes.known && blocks.known};
}
