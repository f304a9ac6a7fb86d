/*
 * report_table.c -- the reports in rows, one per site, columns padded to
 * their widest cell, each a view of the same sites:
 *
 *   table  (default) what each site obtained, largest first:
 *          Source Location || Count || Size || Type || Function ||
 *          Average || Live || Live Size [|| Unused]
 *   leaks  what is still live at the end, largest first, and the paths
 *          from the VM's roots that keep it alive:
 *          Source Location || Live || Live Size || Type || Function
 *          [|| Unused]
 *   peak   what held the program's peak, largest share first:
 *          Source Location || Peak Count || Peak Size || Type ||
 *          Function || Share
 *
 * Count is the objects made there, or for storage (a type such as "Point
 * fields") the blocks.  In a sampled run every figure is an estimate,
 * marked "~".  Unused, shown when a VM told any, is storage
 * reserved and never used.  With TraceStackTraces each row is followed by
 * its heaviest call paths, innermost frame first, and one line for the
 * rest.  Top=N keeps the N largest rows and sums up the others in one
 * line.  Phases other than the run are summed up in a line each unless
 * Phases=all.  Guest names (files, types, functions, what keeps a block
 * alive) are shown escaped (tr_out_name), so that a row is one line.
 */
#include <string.h>

#include "names.h"
#include "report.h"
#include "retain.h"
#include "stack.h"
#include "state.h"

#define PATHS_SHOWN 3
#define RETAINERS_SHOWN 3

typedef enum column {
    COL_LOCATION, COL_COUNT, COL_SIZE, COL_TYPE, COL_FUNCTION, COL_AVERAGE,
    COL_LIVE, COL_LIVE_SIZE, COL_UNUSED, COL_PEAK, COL_PEAK_SIZE, COL_SHARE,
    COLUMN_KINDS
} column;

static const char *const headings[COLUMN_KINDS] = {
    "Source Location", "Count", "Size", "Type", "Function", "Average",
    "Live", "Live Size", "Unused", "Peak Count", "Peak Size", "Share",
};

#define COLUMNS_MAX 9

typedef struct view {
    tr_order order;
    column columns[COLUMNS_MAX];
    size_t column_count;
    const char *noun;        /* what the view's figures are, for its lines */
} view;

/* A row's cells: a figure is its text; a location is its file and, in
 * text, what follows the ':' (empty at line 0); a type and a function
 * are their names.  Names are the guest's bytes, escaped when written
 * (tr_out_name); width is each cell's width as shown. */
typedef struct row {
    char text[COLUMNS_MAX][TR_FMT_MAX];
    size_t len[COLUMNS_MAX];     /* of text */
    size_t width[COLUMNS_MAX];
    const char *file, *type, *function;
    size_t file_len, type_len, function_len;
    bool file_plain, type_plain, function_plain;  /* see tr_out_name */
} row;

/* The view's figures of a site: blocks and bytes obtained, live at the
 * end, or held at the peak. */
static void figures(const view *w, const tr_site_view *v, uint64_t *blocks,
                    uint64_t *bytes) {
    switch (w->order) {
    case TR_ORDER_LIVE: *blocks = v->live_blocks; *bytes = v->live_bytes; break;
    case TR_ORDER_PEAK: *blocks = v->peak_blocks; *bytes = v->peak_bytes; break;
    case TR_ORDER_BYTES:
    default: *blocks = v->blocks; *bytes = v->bytes; break;
    }
}

/* A percentage to one decimal, "12.5%". */
static size_t fmt_share(char *text, uint64_t part, uint64_t whole) {
    size_t len = tr_fmt_ratio(text, part * 100, whole);
    text[len++] = '%';
    return len;
}

static void row_fill(const view *w, mt_site id, row *r) {
    const mt_site_figures *s = tr_site(id);
    const tr_func *func = tr_func_of(s->func);
    tr_site_view v;
    tr_site_view_get(s, &v);
    const tr_type *type = tr_type_of(s->type);
    r->file = tr_report_func_file(func, &r->file_len, &r->file_plain);
    r->type = type->name;
    r->type_len = type->len;
    r->type_plain = type->json_plain;
    r->function = func->name;
    r->function_len = func->name_len;
    r->function_plain = func->json_plain;
    for (size_t c = 0; c < w->column_count; c++) {
        char *text = r->text[c];
        size_t *len = &r->len[c];
        switch (w->columns[c]) {
        case COL_LOCATION:
            /* A site at line 0 (start-up, a labelled phase) is its file
             * alone; one at a line made while the program did not run
             * says so: "app.lox:3 (compile)". */
            *len = 0;
            r->width[c] = tr_name_width(r->file, r->file_len, r->file_plain);
            if (s->line != 0) {
                size_t n = tr_fmt_i64(text, s->line);
                if (s->phase != MT_PHASE_RUN) {
                    const char *name = tr_phase_name((mt_phase)s->phase);
                    size_t name_len = strlen(name);
                    memcpy(text + n, " (", 2);
                    memcpy(text + n + 2, name, name_len);
                    text[n + 2 + name_len] = ')';
                    n += 3 + name_len;
                }
                *len = n;
                r->width[c] += 1 + n;
            }
            continue;
        case COL_COUNT: *len = tr_fmt_u64(text, v.blocks); break;
        case COL_SIZE: *len = tr_fmt_size(text, v.bytes); break;
        case COL_TYPE:
            *len = 0;
            r->width[c] = tr_name_width(r->type, r->type_len, r->type_plain);
            continue;
        case COL_FUNCTION:
            *len = 0;
            r->width[c] = tr_name_width(r->function, r->function_len,
                                        r->function_plain);
            continue;
        case COL_AVERAGE:
            *len = tr_fmt_size(text, v.blocks > 0
                                         ? (v.bytes + v.blocks / 2) / v.blocks
                                         : 0);
            break;
        case COL_LIVE: *len = tr_fmt_u64(text, v.live_blocks); break;
        case COL_LIVE_SIZE: *len = tr_fmt_size(text, v.live_bytes); break;
        case COL_UNUSED:  /* an object has no capacity: "-" */
            *len = s->object ? (text[0] = '-', 1)
                             : tr_fmt_size(text, v.unused_bytes);
            break;
        case COL_PEAK: *len = tr_fmt_u64(text, v.peak_blocks); break;
        case COL_PEAK_SIZE: *len = tr_fmt_size(text, v.peak_bytes); break;
        case COL_SHARE:
            *len = fmt_share(text, v.peak_bytes, mt_inline.peak_bytes);
            break;
        case COLUMN_KINDS: *len = 0; break;
        }
        /* A sampled run's figures are estimates: "~12". */
        if (mt_inline.sampled && *len + 1 < TR_FMT_MAX) {
            memmove(text + 1, text, *len);
            text[0] = '~';
            ++*len;
        }
        r->width[c] = *len;
    }
}

static void cell(tr_out *out, const view *w, const row *r, size_t c,
                 size_t width) {
    switch (w->columns[c]) {
    case COL_LOCATION:
        tr_out_name(out, r->file, r->file_len, r->file_plain);
        if (r->len[c] > 0) tr_out_str(out, ":");
        break;
    case COL_TYPE:
        tr_out_name(out, r->type, r->type_len, r->type_plain);
        break;
    case COL_FUNCTION:
        tr_out_name(out, r->function, r->function_len, r->function_plain);
        break;
    default: break;
    }
    tr_out_mem(out, r->text[c], r->len[c]);
    if (c == w->column_count - 1) return;
    tr_out_spaces(out, width - r->width[c]);
    tr_out_str(out, " || ");
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

static const char *block_noun(mt_site id) {
    return tr_site(id)->object ? "allocation" : "block";
}

static void path(tr_out *out, const tr_stack_group *group, bool counted) {
    const tr_stack *stack = tr_stack_of(group->first);
    tr_frames it;
    tr_frame frame;
    if (counted) {
        tr_out_str(out, "   ");
        tr_report_count(out, group->blocks, block_noun(stack->site));
        tr_out_str(out, ", ");
        tr_out_size(out, group->bytes);
        tr_out_str(out, ":\n");
    }
    tr_frames_start(&it, stack->site, stack->node);
    while (tr_frames_next(&it, &frame)) {
        tr_out_str(out, "    at ");
        tr_out_name(out, frame.function, frame.function_len,
                    frame.json_plain);
        tr_out_str(out, " (");
        tr_out_name(out, frame.file, frame.file_len, frame.json_plain);
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
        tr_report_count(out, all_blocks, block_noun(id));
        tr_out_str(out, ", ");
        tr_out_size(out, all_bytes);
        tr_out_str(out, "\n");
    }
}

/* "   kept alive by global log → Array → Order: 3 objects, 120 B", for
 * the heaviest paths, and one line for the rest. */
static void retainers(tr_out *out, mt_site id) {
    size_t shown = 0;
    uint64_t rest = 0, rest_blocks = 0, rest_bytes = 0;
    for (uint32_t r = tr_retained_first(id); r != 0;
         r = tr_retained_of(r)->next_in_site) {
        const tr_retained *record = tr_retained_of(r);
        if (shown == RETAINERS_SHOWN) {
            rest++;
            rest_blocks += record->blocks;
            rest_bytes += record->bytes;
            continue;
        }
        shown++;
        const char *labels[TR_RETAINER_LABELS];
        size_t count =
            tr_retainer_labels(record->path, labels, TR_RETAINER_LABELS);
        tr_out_str(out, "   kept alive by ");
        for (size_t i = 0; i < count; i++) {
            if (i > 0) tr_out_str(out, " \xE2\x86\x92 ");  /* U+2192, → */
            tr_out_text(out, labels[i], strlen(labels[i]));
        }
        tr_out_str(out, ": ");
        tr_report_count(out, record->blocks,
                        tr_site(id)->object ? "object" : "block");
        tr_out_str(out, ", ");
        tr_out_size(out, record->bytes);
        tr_out_str(out, "\n");
    }
    if (rest > 0) {
        tr_out_str(out, "   ... ");
        tr_report_count(out, rest, "more path");
        tr_out_str(out, ": ");
        tr_report_count(out, rest_blocks, "block");
        tr_out_str(out, ", ");
        tr_out_size(out, rest_bytes);
        tr_out_str(out, "\n");
    }
}

/* One line for what a phase the view does not list holds. */
static void phase_line(tr_out *out, const view *w, mt_site first,
                       mt_phase phase, const char *what) {
    uint64_t blocks = 0, bytes = 0;
    for (mt_site id = first; id != 0; id = tr_report_next_site(id)) {
        if (tr_site(id)->phase != phase) continue;
        tr_site_view v;
        uint64_t site_blocks, site_bytes;
        tr_site_view_get(tr_site(id), &v);
        figures(w, &v, &site_blocks, &site_bytes);
        blocks += site_blocks;
        bytes += site_bytes;
    }
    if (blocks == 0) return;
    tr_out_str(out, what);
    tr_out_str(out, w->noun);
    tr_report_count(out, blocks, "block");
    tr_out_str(out, ", ");
    tr_out_size(out, bytes);
    tr_out_str(out, " (--memtracer.Phases=all lists them).\n");
}

/* The next site the view lists, from id on. */
static mt_site listed_from(mt_site id) {
    while (id != 0 && !tr_phase_listed((mt_phase)tr_site(id)->phase))
        id = tr_report_next_site(id);
    return id;
}

/* The view's own lines between the header and the rows. */
static void view_lines(tr_out *out, const view *w, const tr_summary *sum) {
    switch (w->order) {
    case TR_ORDER_LIVE:
        tr_out_str(out, "Live at exit: ");
        tr_report_count(out, sum->blocks - sum->freed_blocks, "block");
        tr_out_str(out, ", ");
        tr_out_size(out, sum->bytes - sum->freed_bytes);
        tr_out_str(out, ", by where they were made and what keeps "
                        "them alive.\n");
        break;
    case TR_ORDER_PEAK:
        tr_out_str(out, "Peak: ");
        tr_out_size(out, sum->peak_bytes);
        tr_out_str(out, " live after ");
        tr_out_size(out, mt_inline.peak_at_bytes);
        tr_out_str(out, " obtained (at allocation ");
        tr_out_u64(out, sum->peak_at_allocation);
        tr_out_str(out, "), held by these sites.\n");
        break;
    case TR_ORDER_BYTES:
    default:
        tr_out_str(out, "In ");
        tr_report_count(out, sum->blocks, "block");
        tr_out_str(out, " of ");
        tr_out_ratio(out, sum->bytes, sum->blocks);
        tr_out_str(out, " B on average; ");
        tr_out_u64(out, sum->blocks - sum->freed_blocks);
        tr_out_str(out, " live at exit.\n");
        break;
    }
}

static void rows_write(tr_out *out, view *w) {
    tr_summary sum;
    tr_summary_get(&sum);
    mt_site first = tr_report_sites(w->order);
    if (sum.unused_bytes > 0 && w->order != TR_ORDER_PEAK)
        w->columns[w->column_count++] = COL_UNUSED;
    unsigned top = tr_state.options.top;
    size_t width[COLUMNS_MAX];
    for (size_t c = 0; c < w->column_count; c++)
        width[c] = strlen(headings[w->columns[c]]);
    unsigned rows = 0;
    for (mt_site id = listed_from(first); id != 0 && (top == 0 || rows < top);
         id = listed_from(tr_report_next_site(id)), rows++) {
        row r;
        row_fill(w, id, &r);
        for (size_t c = 0; c < w->column_count; c++)
            if (r.width[c] > width[c]) width[c] = r.width[c];
    }

    tr_report_header(out, &sum);
    view_lines(out, w, &sum);
    if (!tr_state.options.all_phases) {
        phase_line(out, w, first, MT_PHASE_STARTUP, "Start-up ");
        phase_line(out, w, first, MT_PHASE_COMPILE, "Compiling ");
    }
    tr_out_str(out, " ");
    for (size_t c = 0; c < w->column_count; c++) {
        const char *heading = headings[w->columns[c]];
        if (c + 1 < w->column_count)
            tr_report_cell(out, heading, strlen(heading), width[c]);
        else
            tr_out_str(out, heading);
    }
    tr_out_str(out, "\n");

    rows = 0;
    uint64_t rest = 0, rest_blocks = 0, rest_bytes = 0;
    for (mt_site id = listed_from(first); id != 0;
         id = listed_from(tr_report_next_site(id)), rows++) {
        if (top != 0 && rows >= top) {
            tr_site_view v;
            uint64_t blocks, bytes;
            tr_site_view_get(tr_site(id), &v);
            figures(w, &v, &blocks, &bytes);
            rest++;
            rest_blocks += blocks;
            rest_bytes += bytes;
            continue;
        }
        row r;
        row_fill(w, id, &r);
        tr_out_str(out, " ");
        for (size_t c = 0; c < w->column_count; c++)
            cell(out, w, &r, c, width[c]);
        tr_out_str(out, "\n");
        if (w->order == TR_ORDER_LIVE) retainers(out, id);
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

void tr_report_table(tr_out *out) {
    view w = {TR_ORDER_BYTES,
              {COL_LOCATION, COL_COUNT, COL_SIZE, COL_TYPE, COL_FUNCTION,
               COL_AVERAGE, COL_LIVE, COL_LIVE_SIZE},
              8, "made "};
    rows_write(out, &w);
}

void tr_report_leaks(tr_out *out) {
    view w = {TR_ORDER_LIVE,
              {COL_LOCATION, COL_LIVE, COL_LIVE_SIZE, COL_TYPE, COL_FUNCTION},
              5, "left "};
    rows_write(out, &w);
}

void tr_report_peak(tr_out *out) {
    view w = {TR_ORDER_PEAK,
              {COL_LOCATION, COL_PEAK, COL_PEAK_SIZE, COL_TYPE, COL_FUNCTION,
               COL_SHARE},
              6, "held "};
    rows_write(out, &w);
}
