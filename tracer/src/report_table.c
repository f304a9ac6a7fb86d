/*
 * report_table.c -- the default report: the summary lines, then one row per
 * site, largest first, columns padded to their widest cell:
 *
 *   Source Location || Count || Size || Type || Function || Average ||
 *   Live || Live Size
 *
 * Count is the objects made there, or for storage (a type such as "Point
 * fields") the blocks.  With TraceStackTraces each row is followed by its
 * heaviest call paths, innermost frame first, and one line for the rest.
 * Top=N keeps the N largest rows and sums up the others in one line.
 */
#include <string.h>

#include "names.h"
#include "report.h"
#include "stack.h"
#include "state.h"

#define PATHS_SHOWN 3

enum { COL_LOCATION, COL_COUNT, COL_SIZE, COL_TYPE, COL_FUNCTION,
       COL_AVERAGE, COL_LIVE, COL_LIVE_SIZE, COLUMNS };

static const char *const headings[COLUMNS] = {
    "Source Location", "Count", "Size", "Type", "Function", "Average",
    "Live", "Live Size",
};

typedef struct row {
    char text[COLUMNS][TR_FMT_MAX];
    size_t len[COLUMNS];
    const char *file, *type, *function;  /* the cells too long for text */
} row;

static void row_fill(mt_site id, row *r) {
    const mt_site_figures *s = tr_site(id);
    const tr_func *func = tr_func_of(s->func);
    tr_site_view v;
    tr_site_view_get(s, &v);
    r->file = tr_func_file(func);
    r->type = tr_type_of(s->type)->name;
    r->function = func->name;
    /* A site at line 0 (start-up, a labelled phase) is its file alone. */
    r->len[COL_LOCATION] = strlen(r->file);
    if (s->line != 0)
        r->len[COL_LOCATION] += 1 + tr_fmt_i64(r->text[COL_LOCATION], s->line);
    r->len[COL_COUNT] = tr_fmt_u64(r->text[COL_COUNT], v.blocks);
    r->len[COL_SIZE] = tr_fmt_size(r->text[COL_SIZE], v.bytes);
    r->len[COL_TYPE] = strlen(r->type);
    r->len[COL_FUNCTION] = strlen(r->function);
    r->len[COL_AVERAGE] = tr_fmt_size(r->text[COL_AVERAGE],
                                      v.blocks > 0 ? (v.bytes + v.blocks / 2) /
                                                         v.blocks
                                                   : 0);
    r->len[COL_LIVE] = tr_fmt_u64(r->text[COL_LIVE], v.live_blocks);
    r->len[COL_LIVE_SIZE] = tr_fmt_size(r->text[COL_LIVE_SIZE], v.live_bytes);
}

static void cell(tr_out *out, const row *r, int column, size_t width) {
    const char *text = r->text[column];
    if (column == COL_LOCATION) {
        size_t file_len = strlen(r->file);
        tr_out_str(out, r->file);
        if (r->len[column] > file_len) {
            tr_out_str(out, ":");
            tr_out_mem(out, r->text[column], r->len[column] - file_len - 1);
        }
        tr_out_spaces(out, width - r->len[column]);
        tr_out_str(out, " || ");
        return;
    }
    if (column == COL_TYPE) text = r->type;
    if (column == COL_FUNCTION) text = r->function;
    if (column == COLUMNS - 1) {
        tr_out_mem(out, text, r->len[column]);
        return;
    }
    tr_report_cell(out, text, r->len[column], width);
}

/* The k heaviest groups of a site's stacks, heaviest first; how many. */
static size_t groups_heaviest(mt_site id, tr_stack_group *best, size_t k,
                              uint64_t *all, uint64_t *all_blocks,
                              uint64_t *all_bytes) {
    size_t have = 0;
    tr_stack_group group;
    *all = *all_blocks = *all_bytes = 0;
    for (bool more = tr_stack_group_first(id, &group); more;
         more = tr_stack_group_next(&group)) {
        if (group.blocks == 0) continue;  /* nothing since a reset */
        ++*all;
        *all_blocks += group.blocks;
        *all_bytes += group.bytes;
        size_t at = have < k ? have++ : k;
        while (at > 0 && (best[at - 1].bytes < group.bytes ||
                          (best[at - 1].bytes == group.bytes &&
                           best[at - 1].blocks < group.blocks))) {
            if (at < k) best[at] = best[at - 1];
            at--;
        }
        if (at < k) best[at] = group;
    }
    return have;
}

static void path(tr_out *out, const tr_stack_group *group, bool counted) {
    const tr_stack *stack = tr_stack_of(group->first);
    tr_frames it;
    tr_frame frame;
    if (counted) {
        tr_out_str(out, "   ");
        tr_report_count(out, group->blocks,
                        tr_site(stack->site)->object ? "allocation" : "block");
        tr_out_str(out, ", ");
        tr_out_size(out, group->bytes);
        tr_out_str(out, ":\n");
    }
    tr_frames_start(&it, stack->site, stack->node);
    while (tr_frames_next(&it, &frame)) {
        tr_out_str(out, "    at ");
        tr_out_str(out, frame.function);
        tr_out_str(out, " (");
        tr_out_str(out, frame.file);
        tr_out_str(out, ":");
        tr_out_i64(out, frame.line);
        tr_out_str(out, ")");
        if (frame.repeat > 1) {
            tr_out_str(out, " \xC3\x97");  /* U+00D7, the multiplication sign */
            tr_out_u64(out, frame.repeat);
        }
        tr_out_str(out, "\n");
    }
    if (group->truncated > 0) {
        tr_out_str(out, "    ... ");
        tr_report_count(out, group->truncated, "more frame");
        tr_out_str(out, " (StackLimit)\n");
    }
}

static void paths(tr_out *out, mt_site id) {
    tr_stack_group best[PATHS_SHOWN];
    uint64_t all, all_blocks, all_bytes;
    size_t shown = groups_heaviest(id, best, PATHS_SHOWN, &all, &all_blocks,
                                   &all_bytes);
    for (size_t i = 0; i < shown; i++) {
        path(out, &best[i], all > 1);
        all_blocks -= best[i].blocks;
        all_bytes -= best[i].bytes;
    }
    if (all > shown) {
        tr_out_str(out, "   ... ");
        tr_report_count(out, all - shown, "more path");
        tr_out_str(out, ": ");
        tr_report_count(out, all_blocks,
                        tr_site(id)->object ? "allocation" : "block");
        tr_out_str(out, ", ");
        tr_out_size(out, all_bytes);
        tr_out_str(out, "\n");
    }
}

/* One line for what a phase the table does not list made. */
static void phase_line(tr_out *out, mt_site first, mt_phase phase,
                       const char *what) {
    uint64_t blocks = 0, bytes = 0;
    for (mt_site id = first; id != 0; id = tr_report_next_site(id)) {
        if (tr_site(id)->phase != phase) continue;
        blocks += tr_site(id)->blocks;
        bytes += tr_site(id)->bytes;
    }
    if (blocks == 0) return;
    tr_out_str(out, what);
    tr_report_count(out, blocks, "block");
    tr_out_str(out, ", ");
    tr_out_size(out, bytes);
    tr_out_str(out, " (--memtracer.Phases=all lists them).\n");
}

/* The next site the table lists, from id on. */
static mt_site listed_from(mt_site id) {
    while (id != 0 && !tr_phase_listed((mt_phase)tr_site(id)->phase))
        id = tr_report_next_site(id);
    return id;
}

void tr_report_table(tr_out *out) {
    tr_summary sum;
    tr_summary_get(&sum);
    mt_site first = tr_report_sites();
    unsigned top = tr_state.options.top;
    size_t width[COLUMNS];
    for (int c = 0; c < COLUMNS; c++) width[c] = strlen(headings[c]);
    unsigned rows = 0;
    for (mt_site id = listed_from(first); id != 0 && (top == 0 || rows < top);
         id = listed_from(tr_report_next_site(id)), rows++) {
        row r;
        row_fill(id, &r);
        for (int c = 0; c < COLUMNS; c++)
            if (r.len[c] > width[c]) width[c] = r.len[c];
    }

    tr_report_header(out, &sum);
    tr_out_str(out, "In ");
    tr_report_count(out, sum.blocks, "block");
    tr_out_str(out, " of ");
    tr_out_ratio(out, sum.bytes, sum.blocks);
    tr_out_str(out, " B on average; ");
    tr_out_u64(out, sum.blocks - sum.freed_blocks);
    tr_out_str(out, " live at exit.\n");
    if (!tr_state.options.all_phases) {
        phase_line(out, first, MT_PHASE_STARTUP, "Start-up made ");
        phase_line(out, first, MT_PHASE_COMPILE, "Compiling made ");
    }
    tr_out_str(out, " ");
    for (int c = 0; c < COLUMNS - 1; c++)
        tr_report_cell(out, headings[c], strlen(headings[c]), width[c]);
    tr_out_str(out, headings[COLUMNS - 1]);
    tr_out_str(out, "\n");

    rows = 0;
    uint64_t rest = 0, rest_blocks = 0, rest_bytes = 0;
    for (mt_site id = listed_from(first); id != 0;
         id = listed_from(tr_report_next_site(id)), rows++) {
        if (top != 0 && rows >= top) {
            rest++;
            rest_blocks += tr_site(id)->blocks;
            rest_bytes += tr_site(id)->bytes;
            continue;
        }
        row r;
        row_fill(id, &r);
        tr_out_str(out, " ");
        for (int c = 0; c < COLUMNS; c++) cell(out, &r, c, width[c]);
        tr_out_str(out, "\n");
        if (tr_state.options.trace_stacks) paths(out, id);
    }
    if (rest > 0) {
        tr_out_str(out, " ... ");
        tr_report_count(out, rest, "more row");
        tr_out_str(out, " (Top): ");
        tr_report_count(out, rest_blocks, "block");
        tr_out_str(out, ", ");
        tr_out_size(out, rest_bytes);
        tr_out_str(out, "\n");
    }
}
