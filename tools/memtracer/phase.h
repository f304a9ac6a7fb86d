/*
 * phase.h -- what part of a run a site belongs to, and the figures of a
 * chosen part.
 *
 * Every site of a report has a phase: "run" (what the program made while
 * running), "start-up" (while the VM started up) or "compile" (while
 * compiling).  compare and gate look at what ran unless asked for more,
 * and say which phases their figures count; the others are summed up
 * beside them, never mixed in silently.
 *
 * The figures of a set of phases are the sums over its sites: bytes,
 * blocks, allocations (objects), live, freed, unused (storage reserved
 * and never used), and peak_bytes, which for a
 * site is what it held at the program's peak: so a phase's peak_bytes is
 * its share of the program's peak, and the phases' shares add up to it.
 * With every phase, the figures are the report's own summary.  A summary
 * figure no site carries a part of (resizes, lost_events, ...: see
 * FigureInfo.whole_program) is the whole program's whatever the phases.
 */
#ifndef MEMTRACER_PHASE_H
#define MEMTRACER_PHASE_H

#include <stdbool.h>

#include "figures.h"
#include "report.h"

/* A set of phases, as bits.  PHASE_OTHER holds any phase a later report
 * may name that this command does not know: only "all" includes it. */
typedef unsigned PhaseSet;
enum {
    PHASE_RUN = 1u << 0,
    PHASE_STARTUP = 1u << 1,
    PHASE_COMPILE = 1u << 2,
    PHASE_OTHER = 1u << 3,
    PHASE_ALL = PHASE_RUN | PHASE_STARTUP | PHASE_COMPILE | PHASE_OTHER,
};

/* The phases this command names, in report order, for loops. */
#define PHASE_NAMED_COUNT 3
extern const PhaseSet phase_named[PHASE_NAMED_COUNT];

/* Reads "run", "start-up" (or "startup"), "compile", "all", or several
 * joined by commas ("start-up,compile").  Returns false for anything else. */
bool phase_set_parse(const char *text, PhaseSet *set);

/* "run", "start-up, compile", "all phases".  Newly allocated. */
char *phase_set_text(PhaseSet set);

/* A site's phase, "run" when it has none; and its bit. */
const char *site_phase(const Site *site);
PhaseSet site_phase_bit(const Site *site);
static inline bool phase_set_has(PhaseSet set, const Site *site) {
    return (set & site_phase_bit(site)) != 0;
}

/* Whether any site of `report` is in `set`. */
bool phase_set_present(const Report *report, PhaseSet set);

/* The summary figures of the sites in `set` (see above), indexed by
 * SummaryFigure. */
void phase_figures(const Report *report, PhaseSet set, Figure figures[SUMMARY_FIGURE_COUNT]);

#endif
