/*
 * report.c -- puts the recording in report order and hands it to the
 * writer of the chosen format; the summary lines, cells and stack frames
 * that several writers print.
 */
#include "report.h"

#include <string.h>

#include "destination.h"
#include "names.h"
#include "retain.h"
#include "sample.h"
#include "stack.h"
#include "state.h"
#include "summary.h"

/* ------------------------------------------------------------- sorting */

/* Merges the sorted lists a and b; its head. */
static uint32_t list_merge(uint32_t a, uint32_t b, uint32_t *(*next)(uint32_t),
                           bool (*before)(uint32_t, uint32_t)) {
    uint32_t head = 0, *tail = &head;
    while (a != 0 && b != 0) {
        if (before(b, a)) {
            *tail = b;
            tail = next(b);
            b = *tail;
        } else {
            *tail = a;
            tail = next(a);
            a = *tail;
        }
    }
    *tail = a != 0 ? a : b;
    return head;
}

/* Sorts the first n (at least 1) items of the list at *head, which it
 * advances past them; the sorted list's head.  Top down, so that the
 * lists being merged are small and recent while most of the work is done:
 * a million records sort in cache-sized pieces.  The recursion is
 * log2(n) deep. */
static uint32_t sort_first(uint32_t *head, size_t n,
                           uint32_t *(*next)(uint32_t),
                           bool (*before)(uint32_t, uint32_t)) {
    if (n == 1) {
        uint32_t one = *head;
        uint32_t *link = next(one);
        *head = *link;
        *link = 0;
        return one;
    }
    uint32_t a = sort_first(head, n / 2, next, before);
    uint32_t b = sort_first(head, n - n / 2, next, before);
    return list_merge(a, b, next, before);
}

uint32_t tr_list_sort(uint32_t head, uint32_t *(*next)(uint32_t),
                      bool (*before)(uint32_t, uint32_t)) {
    size_t n = 0;
    for (uint32_t id = head; id != 0; id = *next(id)) n++;
    return n > 0 ? sort_first(&head, n, next, before) : 0;
}

static tr_order site_order;

/* The figures a site is ordered by: bytes and blocks, obtained, live at
 * the end or held at the peak (as tr_site_view_get gives them). */
static inline void order_figures(const mt_site_figures *site,
                                 uint64_t *bytes, uint64_t *blocks) {
    switch (site_order) {
    case TR_ORDER_LIVE:
        *bytes = site->bytes - site->freed_bytes;
        *blocks = site->blocks - site->freed_blocks;
        break;
    case TR_ORDER_PEAK:
        if (site->peak_epoch == mt_inline.peak_epoch) {
            *bytes = site->peak_bytes;
            *blocks = site->peak_blocks;
        } else {
            *bytes = site->bytes - site->freed_bytes;
            *blocks = site->blocks - site->freed_blocks;
        }
        break;
    case TR_ORDER_BYTES:
    default: *bytes = site->bytes; *blocks = site->blocks; break;
    }
}

/* Two names in order; the same string is the same name, unread. */
static inline int name_order(const char *a, const char *b) {
    return a == b ? 0 : strcmp(a, b);
}

/* The heaviest first; ties by file, line, function (name, then the line
 * it is defined on) and type name, then by id.  Sites of one function
 * share its file, name and line, and sites of one type its name, so
 * those are compared only when the ids differ. */
static bool site_before(uint32_t a, uint32_t b) {
    const mt_site_figures *x = tr_site(a), *y = tr_site(b);
    uint64_t x_bytes, x_blocks, y_bytes, y_blocks;
    order_figures(x, &x_bytes, &x_blocks);
    order_figures(y, &y_bytes, &y_blocks);
    if (x_bytes != y_bytes) return x_bytes > y_bytes;
    if (x_blocks != y_blocks) return x_blocks > y_blocks;
    const tr_func *fx = NULL, *fy = NULL;
    int c;
    if (x->func != y->func) {
        fx = tr_func_of(x->func);
        fy = tr_func_of(y->func);
        c = name_order(tr_func_file(fx), tr_func_file(fy));
        if (c != 0) return c < 0;
    }
    if (x->line != y->line) return x->line < y->line;
    if (fx != NULL) {
        c = name_order(fx->name, fy->name);
        if (c != 0) return c < 0;
        if (fx->line != fy->line) return fx->line < fy->line;
    }
    if (x->type != y->type) {
        c = name_order(tr_type_of(x->type)->name, tr_type_of(y->type)->name);
        if (c != 0) return c < 0;
    }
    return a < b;
}

static uint32_t *site_links;
static uint32_t *site_link(uint32_t id) { return &site_links[id]; }
static uint32_t *stack_link(uint32_t id) { return &tr_stack_of(id)->next_in_site; }

static bool stack_heavier(uint32_t a, uint32_t b) {
    const tr_stack *x = tr_stack_of(a), *y = tr_stack_of(b);
    if (x->bytes != y->bytes) return x->bytes > y->bytes;
    if (x->blocks != y->blocks) return x->blocks > y->blocks;
    return x->node < y->node;
}

/* Where a walk up a stack's frames is, as tr_frames_next gives them. */
typedef struct frame_at {
    const tr_stack *stack;
    mt_path node;
    int line;
} frame_at;

/* The frame's function: the node's, or at the root path the site's. */
static inline mt_func frame_func(const frame_at *at) {
    return at->node == TR_PATH_ROOT ? tr_site(at->stack->site)->func
                                    : tr_node_of(at->node)->func;
}

static bool path_cut(mt_path node);

/* Whether a report shows the same frames for two stacks of one site: only
 * when StackLimit cut them to the same frames, since a site's stacks have
 * distinct paths and a path the limit does not cut shows all its frames.
 * Frames are compared as tr_frames_next gives them (function name, file,
 * line, repeat), without first walking the whole paths; two walks that
 * reach one node with one line show the same frames from there on. */
static bool frames_same(uint32_t a, uint32_t b) {
    frame_at x = {tr_stack_of(a), tr_stack_of(a)->node, 0};
    frame_at y = {tr_stack_of(b), tr_stack_of(b)->node, 0};
    if (!path_cut(x.node) && !path_cut(y.node)) return false;
    x.line = tr_site(x.stack->site)->line;
    y.line = tr_site(y.stack->site)->line;
    unsigned limit = tr_state.options.stack_limit;
    for (unsigned shown = 0;; shown++) {
        /* The first frame is always shown, the root path's included. */
        bool more_x = shown == 0 || (shown < limit && x.node != TR_PATH_ROOT &&
                                     x.node != 0);
        bool more_y = shown == 0 || (shown < limit && y.node != TR_PATH_ROOT &&
                                     y.node != 0);
        if (!more_x || !more_y) return more_x == more_y;
        mt_func fx = frame_func(&x), fy = frame_func(&y);
        if (x.node == y.node && x.line == y.line && fx == fy) return true;
        if (fx != fy) {
            const tr_func *func_x = tr_func_of(fx), *func_y = tr_func_of(fy);
            if (name_order(func_x->name, func_y->name) != 0 ||
                name_order(tr_func_file(func_x), tr_func_file(func_y)) != 0)
                return false;
        }
        if (x.line != y.line) return false;
        const tr_node *nx = tr_node_of(x.node), *ny = tr_node_of(y.node);
        if (nx->repeat != ny->repeat) return false;
        x.line = nx->call_line;
        y.line = ny->call_line;
        if (nx->parent != 0) x.node = nx->parent;
        if (ny->parent != 0) y.node = ny->parent;
    }
}

/* A hash of the frames frames_order compares, all but the first frame's
 * line (the site's, the same for all its stacks): stacks that show the
 * same frames hash the same.  One walk of StackLimit frames a stack. */
static uint64_t frames_hash(const tr_stack *stack) {
    frame_at at = {stack, stack->node, 0};
    unsigned limit = tr_state.options.stack_limit;
    uint64_t hash = 0;
    for (unsigned shown = 0;
         shown == 0 || (shown < limit && at.node != TR_PATH_ROOT &&
                        at.node != 0);
         shown++) {
        const tr_func *func = tr_func_of(frame_func(&at));
        const char *file = tr_func_file(func);
        uint64_t func_hash =
            func->file != NULL
                ? func->shown_hash
                : tr_func_shown_hash(func->name, func->name_len, file,
                                     strlen(file));
        const tr_node *node = tr_node_of(at.node);
        hash = tr_hash_pair(hash ^ func_hash,
                            (uint64_t)(uint32_t)at.line << 32 | node->repeat);
        at.line = node->call_line;
        if (node->parent != 0) at.node = node->parent;
    }
    return hash;
}

/* A site's stacks, at a site StackLimit cuts, sort by their frames' hash
 * (then path), so that stacks showing the same frames are neighbours; then,
 * stably, by the bytes of all the stacks of their hash, heaviest first.
 * group_from then compares frames: two frame lists with one hash (a 64-bit
 * collision) would be shown as separate groups, never as one.  The key is
 * in the stack's path node: a site's stacks have distinct paths. */
static uint64_t *cut_key(uint32_t id) {
    return &tr_node_of(tr_stack_of(id)->node)->cut_key;
}

static bool stack_hash_before(uint32_t a, uint32_t b) {
    uint64_t x = *cut_key(a), y = *cut_key(b);
    return x != y ? x < y : tr_stack_of(a)->node < tr_stack_of(b)->node;
}

static bool group_heavier(uint32_t a, uint32_t b) {
    return *cut_key(a) > *cut_key(b);
}

static uint32_t cut_stacks_sort(uint32_t first) {
    for (uint32_t id = first; id != 0; id = tr_stack_of(id)->next_in_site)
        *cut_key(id) = frames_hash(tr_stack_of(id));
    first = tr_list_sort(first, stack_link, stack_hash_before);
    for (uint32_t start = first; start != 0;) {
        uint64_t bytes = 0;
        uint32_t end = start;
        do {
            bytes += tr_stack_of(end)->bytes;
            end = tr_stack_of(end)->next_in_site;
        } while (end != 0 && *cut_key(end) == *cut_key(start));
        for (uint32_t id = start; id != end; id = tr_stack_of(id)->next_in_site)
            *cut_key(id) = bytes;
        start = end;
    }
    return tr_list_sort(first, stack_link, group_heavier);
}

static void node_frames(void);

/* Whether StackLimit cuts the path node: it has more frames to show.  A
 * node stands for one frame or more (node_frames): within the limit in
 * frames, it is within it in nodes, known without a walk. */
static bool path_cut(mt_path node) {
    if (node == 0 || tr_node_of(node)->frames <= tr_state.options.stack_limit)
        return false;
    unsigned frames = 0;
    for (; node != TR_PATH_ROOT && node != 0; node = tr_node_of(node)->parent)
        if (++frames > tr_state.options.stack_limit) return true;
    return false;
}

static bool site_cut(mt_site site) {
    for (uint32_t id = tr_stack_first(site); id != 0;
         id = tr_stack_of(id)->next_in_site)
        if (path_cut(tr_stack_of(id)->node)) return true;
    return false;
}

mt_site tr_report_sites(tr_order order) {
    uint32_t head = 0, *tail = &head;
    site_links = tr_site_links();
    site_order = order;
    for (mt_site id = TR_FIRST_LISTED_SITE; id < tr_site_count(); id++) {
        uint64_t bytes, blocks;
        order_figures(tr_site(id), &bytes, &blocks);
        if (blocks == 0) continue;
        *tail = id;
        tail = site_link(id);
    }
    *tail = 0;
    head = tr_list_sort(head, site_link, site_before);
    if (tr_state.options.trace_stacks) node_frames();
    tr_retained_order();
    for (mt_site id = head; id != 0; id = tr_report_next_site(id)) {
        uint32_t first = tr_stack_first(id);
        if (first != 0)
            tr_stack_set_first(id, site_cut(id) ? cut_stacks_sort(first)
                                                : tr_list_sort(first, stack_link,
                                                               stack_heavier));
    }
    return head;
}

static bool group_from(uint32_t record, tr_stack_group *group) {
    if (record == 0) return false;
    *group = (tr_stack_group){.first = record};
    uint32_t id = record;
    do {
        const tr_stack *stack = tr_stack_of(id);
        tr_frames frames;
        tr_frames_start(&frames, stack->site, stack->node);
        group->blocks += stack->blocks;
        group->bytes += stack->bytes;
        if (frames.truncated > group->truncated)
            group->truncated = frames.truncated;
        id = stack->next_in_site;
    } while (id != 0 && frames_same(record, id));
    group->end = id;
    return true;
}

bool tr_stack_group_first(mt_site site, tr_stack_group *group) {
    return group_from(tr_stack_first(site), group);
}

bool tr_stack_group_next(tr_stack_group *group) {
    return group_from(group->end, group);
}

/* ----------------------------------------------------------------- write */

bool tr_report_write(tr_destination *dest) {
    static tr_out out;  /* static: 8 KiB is too much for a signal's stack */
    tr_peak_settle();
    tr_out_init(&out, tr_destination_fd(dest));
    if (out.fd >= 0) {
        switch (tr_state.options.output) {
        case MT_OUTPUT_JSON: tr_report_json(&out); break;
        case MT_OUTPUT_HISTOGRAM: tr_report_histogram(&out); break;
        case MT_OUTPUT_TYPEHISTOGRAM: tr_report_typehistogram(&out); break;
        case MT_OUTPUT_CALLTREE: tr_report_calltree(&out); break;
        case MT_OUTPUT_LEAKS: tr_report_leaks(&out); break;
        case MT_OUTPUT_PEAK: tr_report_peak(&out); break;
        case MT_OUTPUT_TABLE:
        default: tr_report_table(&out); break;
        }
    }
    bool ok = tr_out_flush(&out);
    return tr_destination_commit(dest, ok, out.error);
}

/* ------------------------------------------------------ shared pieces */

const char *tr_phase_name(mt_phase phase) {
    switch (phase) {
    case MT_PHASE_STARTUP: return "start-up";
    case MT_PHASE_COMPILE: return "compile";
    case MT_PHASE_RUN: break;
    }
    return "run";
}

bool tr_phase_listed(mt_phase phase) {
    return phase == MT_PHASE_RUN || tr_state.options.all_phases;
}

void tr_report_cell(tr_out *out, const char *text, size_t len, size_t width) {
    tr_out_mem(out, text, len);
    tr_out_spaces(out, width - len);
    tr_out_str(out, " || ");
}

void tr_report_name_cell(tr_out *out, const char *name, size_t len,
                         bool plain, size_t width) {
    tr_out_spaces(out, width - tr_out_name(out, name, len, plain));
    tr_out_str(out, " || ");
}

void tr_report_count(tr_out *out, uint64_t n, const char *noun) {
    tr_out_u64(out, n);
    tr_out_str(out, " ");
    tr_out_str(out, noun);
    if (n != 1) tr_out_str(out, "s");
}

void tr_report_header(tr_out *out, const tr_summary *sum) {
    tr_out_str(out, "Memory Tracer. Recorded ");
    tr_report_count(out, sum->allocations, "allocation");
    tr_out_str(out, ", ");
    tr_out_size(out, sum->bytes);
    tr_out_str(out, "; peak ");
    tr_out_size(out, sum->peak_bytes);
    tr_out_str(out, " live; ");
    tr_out_u64(out, sum->allocations - sum->frees);
    tr_out_str(out, " live at exit (");
    tr_out_size(out, sum->bytes - sum->freed_bytes);
    tr_out_str(out, ").\n");
    if (mt_inline.sampled) {
        tr_out_str(out, "Sampled: about one block per ");
        tr_out_size(out, tr_state.options.sample_bytes);
        tr_out_str(out, " obtained (--memtracer.Seed=");
        tr_out_u64(out, tr_sample_seed());
        tr_out_str(out, " repeats it); every figure is an estimate.\n");
    }
    if (sum->filtered_blocks > 0) {
        tr_out_str(out, "Filtered out: ");
        tr_report_count(out, sum->filtered_blocks, "block");
        tr_out_str(out, ", ");
        tr_out_size(out, sum->filtered_bytes);
        tr_out_str(out, " (counted above, not listed below).\n");
    }
    if (sum->hidden_internal_blocks > 0) {
        tr_out_str(out, "Hidden: ");
        tr_out_size(out, sum->hidden_internal_bytes);
        tr_out_str(out, " in ");
        tr_report_count(out, sum->hidden_internal_blocks, "block");
        tr_out_str(out, " of the VM's own (not counted; "
                        "--memtracer.TraceInternal=true shows them).\n");
    }
    if (sum->lost_events > 0) {
        tr_out_str(out, "Degraded: the tracer ran out of memory and lost ");
        tr_report_count(out, sum->lost_events, "event");
        tr_out_str(out, "; the figures are incomplete.\n");
    }
}

const char *tr_report_func_file(const tr_func *func, size_t *len,
                                bool *plain) {
    /* json_plain covers the file unless it is the program's. */
    *plain = func->json_plain && func->file != NULL;
    *len = func->file != NULL ? func->file_len : strlen(tr_func_file(func));
    return tr_func_file(func);
}

void tr_report_func_location(tr_out *out, mt_func id) {
    const tr_func *func = tr_func_of(id);
    size_t len;
    bool plain;
    const char *file = tr_report_func_file(func, &len, &plain);
    tr_out_name(out, file, len, plain);
    if (func->line != 0) {
        tr_out_str(out, ":");
        tr_out_i64(out, func->line);
    }
}

size_t tr_report_func_location_width(mt_func id) {
    const tr_func *func = tr_func_of(id);
    char buf[TR_FMT_MAX];
    size_t len;
    bool plain;
    const char *file = tr_report_func_file(func, &len, &plain);
    size_t n = tr_name_width(file, len, plain);
    if (func->line != 0) n += 1 + tr_fmt_i64(buf, func->line);
    return n;
}

/* ------------------------------------------------------------ the trie */

void tr_path_walk(tr_node_visit *enter, tr_node_visit *leave, void *context) {
    mt_path node = TR_PATH_ROOT;
    enter(node, context);
    for (;;) {
        if (tr_node_of(node)->first_child != 0) {
            node = tr_node_of(node)->first_child;
            enter(node, context);
            continue;
        }
        /* A leaf: leave it, and every ancestor whose children are done,
         * until one has a next sibling. */
        for (;;) {
            leave(node, context);
            if (node == TR_PATH_ROOT) return;
            if (tr_node_of(node)->next_sibling != 0) {
                node = tr_node_of(node)->next_sibling;
                enter(node, context);
                break;
            }
            node = tr_node_of(node)->parent;
        }
    }
}

static void no_visit(mt_path node, void *context) {
    (void)node;
    (void)context;
}

/* Post-order: every child's totals are final before its parent sums
 * them. */
static void totals_leave(mt_path id, void *context) {
    (void)context;
    tr_node *node = tr_node_of(id);
    node->total_count = node->self_count;
    node->total_bytes = node->self_bytes;
    for (mt_path c = node->first_child; c != 0; c = tr_node_of(c)->next_sibling) {
        node->total_count += tr_node_of(c)->total_count;
        node->total_bytes += tr_node_of(c)->total_bytes;
    }
}

void tr_report_node_totals(void) { tr_path_walk(no_visit, totals_leave, NULL); }

/* --------------------------------------------------------------- frames */

/* Sets every node's frames: its parent's and its own repeat.  A node's
 * id is above its parent's, so one pass in id order does it. */
static void node_frames(void) {
    uint32_t count = tr_node_count();
    if (count <= TR_PATH_ROOT) return;
    tr_node_of(TR_PATH_ROOT)->frames = 0;
    for (mt_path id = TR_PATH_ROOT + 1; id < count; id++) {
        tr_node *node = tr_node_of(id);
        node->frames = tr_node_of(node->parent)->frames + node->repeat;
    }
}

/* What lies beyond StackLimit is the node's frames less those shown
 * (node_frames, run by tr_report_sites): nothing when the path is within
 * the limit, else found by walking the limit's frames. */
void tr_frames_start(tr_frames *frames, mt_site site, mt_path node) {
    frames->site = site;
    frames->node = node;
    frames->line = tr_site(site)->line;
    frames->left = tr_state.options.stack_limit;
    frames->truncated = 0;
    if (!path_cut(node)) return;
    uint64_t kept = 0;
    mt_path at = node;
    for (unsigned shown = 0; shown < frames->left; shown++) {
        kept += tr_node_of(at)->repeat;
        at = tr_node_of(at)->parent;
    }
    frames->truncated = tr_node_of(node)->frames - kept;
}

bool tr_frames_next(tr_frames *frames, tr_frame *frame) {
    if (frames->left == 0) return false;
    const tr_node *node = tr_node_of(frames->node);
    /* Nothing encloses the site (the root path): its own function is the
     * one frame, whatever phase made it. */
    mt_func id = frames->node == TR_PATH_ROOT ? tr_site(frames->site)->func
                                              : node->func;
    const tr_func *func = tr_func_of(id);
    frame->function = func->name;
    frame->file = tr_func_file(func);
    frame->function_len = func->name_len;
    frame->file_len = func->file != NULL ? func->file_len
                                         : strlen(frame->file);
    frame->json_plain = func->json_plain && func->file != NULL;
    frame->line = frames->line;
    frame->repeat = node->repeat;
    /* The first frame is always shown, the root path's included; the
     * frames end below the root or at the limit. */
    bool last = frames->node == TR_PATH_ROOT || frames->node == 0 ||
                node->parent == TR_PATH_ROOT || node->parent == 0;
    frames->left = last ? 0 : frames->left - 1;
    frames->line = node->call_line;
    if (node->parent != 0) frames->node = node->parent;
    return true;
}
