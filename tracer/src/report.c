/*
 * report.c -- puts the recording in report order and hands it to the
 * writer of the chosen format; the summary line and call-path frames that
 * several writers print.
 *
 * Sorting reorders the uthash tables in place (HASH_SRT is a merge sort on
 * their own links), so a report needs no scratch memory: it can be written
 * from a signal handler, or when the tracer has run out of memory.
 */
#include "report.h"

#include <string.h>

#include "names.h"
#include "destination.h"
#include "state.h"

#define SORT_DESC(a, b) \
    do {                \
        if ((a) != (b)) return (a) > (b) ? -1 : 1; \
    } while (0)

static int site_order(const mt_site *a, const mt_site *b) {
    SORT_DESC(a->head.n.bytes, b->head.n.bytes);
    SORT_DESC(a->head.n.count, b->head.n.count);
    const mt_func_rec *fa = mt_names_func(a->key.func);
    const mt_func_rec *fb = mt_names_func(b->key.func);
    int c = strcmp(mt_names_func_file(fa), mt_names_func_file(fb));
    if (c != 0) return c;
    if (a->key.line != b->key.line) return a->key.line < b->key.line ? -1 : 1;
    c = strcmp(fa->name, fb->name);
    if (c != 0) return c;
    if (fa->line != fb->line) return fa->line < fb->line ? -1 : 1;
    return strcmp(mt_names_type(a->key.type)->name,
                  mt_names_type(b->key.type)->name);
}

static int path_order(const mt_site_path *a, const mt_site_path *b) {
    SORT_DESC(a->bytes, b->bytes);
    SORT_DESC(a->count, b->count);
    return a->node->serial < b->node->serial ? -1 : 1;
}

/* The order of the frames a report shows for a path: the same for two
 * paths exactly when StackLimit cut them to the same innermost frames. */
static int path_frames_order(const mt_site_path *a, const mt_site_path *b) {
    mt_frames ia, ib;
    mt_frame fa, fb;
    mt_frames_start(&ia, a->site, a->node);
    mt_frames_start(&ib, b->site, b->node);
    for (;;) {
        int more_a = mt_frames_next(&ia, &fa);
        int more_b = mt_frames_next(&ib, &fb);
        if (!more_a || !more_b) return more_a - more_b;
        int c = strcmp(fa.function, fb.function);
        if (c == 0) c = strcmp(fa.file, fb.file);
        if (c == 0 && fa.line != fb.line) c = fa.line < fb.line ? -1 : 1;
        if (c != 0) return c;
    }
}

/* Paths that differ only in frames StackLimit cut are one stack to the
 * reader: each run of them is merged into its first, which takes the
 * deepest node, so the cut it reports is the largest among them. */
static void merge_cut_paths(mt_site *site) {
    const mt_site_path *cut = site->paths;
    while (cut != NULL && cut->node->depth <= mt_g.opt.stack_limit)
        cut = cut->hh.next;
    if (cut == NULL) return;
    HASH_SRT(hh, site->paths, path_frames_order);
    mt_site_path *kept = site->paths, *next;
    for (mt_site_path *p = kept != NULL ? kept->hh.next : NULL; p != NULL;
         p = next) {
        next = p->hh.next;
        if (path_frames_order(kept, p) != 0) {
            kept = p;
            continue;
        }
        kept->count += p->count;
        kept->bytes += p->bytes;
        if (p->node->depth > kept->node->depth) kept->node = p->node;
        HASH_DELETE(hh, site->paths, p);
    }
}

/* Sorts the rows, after dropping those where nothing was counted: a row
 * is made before TraceMem judges a block's size, and may have got none. */
static void sort_sites(void) {
    mt_site **sites = mt_site_table(), *s, *next;
    HASH_ITER(hh, *sites, s, next)
        if (s->head.n.count == 0 && s->head.n.bytes == 0) HASH_DEL(*sites, s);
    HASH_SRT(hh, *sites, site_order);
    for (s = *sites; s != NULL; s = s->hh.next) {
        merge_cut_paths(s);
        HASH_SRT(hh, s->paths, path_order);
    }
}

int mt_report_emit(void) {
    static mt_out o;  /* static: 8 KiB is too much for a signal's stack */
    mt_out_init(&o, tr_destination_fd());
    if (o.fd >= 0) {
        sort_sites();
        switch (mt_g.opt.output) {
        case MT_OUTPUT_JSON: mt_report_json(&o); break;
        case MT_OUTPUT_HISTOGRAM: mt_report_histogram(&o); break;
        case MT_OUTPUT_TYPEHISTOGRAM: mt_report_typehistogram(&o); break;
        case MT_OUTPUT_CALLTREE: mt_report_calltree(&o); break;
        case MT_OUTPUT_TABLE:
        default: mt_report_table(&o); break;
        }
    }
    int ok = mt_out_flush(&o);
    return tr_destination_commit(ok, o.error);
}

void mt_report_cell(mt_out *o, const char *text, size_t len, size_t width) {
    mt_out_mem(o, text, len);
    mt_out_spaces(o, width - len);
    mt_out_str(o, " || ");
}

void mt_report_count(mt_out *o, uint64_t n, const char *noun) {
    mt_out_u64(o, n);
    mt_out_str(o, " ");
    mt_out_str(o, noun);
    if (n != 1) mt_out_str(o, "s");
}

void mt_report_header(mt_out *o) {
    mt_summary sum;
    mt_summary_get(&sum);
    mt_out_str(o, "Memory Tracer. Recorded ");
    mt_report_count(o, sum.allocations, "allocation");
    mt_out_str(o, ", ");
    mt_out_size(o, sum.bytes);
    mt_out_str(o, "; peak ");
    mt_out_size(o, sum.peak_bytes);
    mt_out_str(o, " live; ");
    mt_out_u64(o, sum.allocations - sum.frees);
    mt_out_str(o, " live at exit (");
    mt_out_size(o, sum.bytes - sum.freed_bytes);
    mt_out_str(o, ").\n");
    if (sum.filtered_allocations > 0 || sum.filtered_bytes > 0) {
        mt_out_str(o, "Filtered out: ");
        mt_report_count(o, sum.filtered_allocations, "allocation");
        mt_out_str(o, ", ");
        mt_out_size(o, sum.filtered_bytes);
        mt_out_str(o, " (counted above, not listed below).\n");
    }
    if (sum.hidden_internal_allocations > 0 ||
        sum.hidden_internal_bytes > 0) {
        mt_out_str(o, "Hidden: ");
        mt_out_size(o, sum.hidden_internal_bytes);
        mt_out_str(o, " in the VM's own blocks");
        if (sum.hidden_internal_allocations > 0) {
            mt_out_str(o, ", ");
            mt_report_count(o, sum.hidden_internal_allocations, "object");
        }
        mt_out_str(o, " (not counted; --memtracer.TraceInternal=true shows them).\n");
    }
    if (sum.lost_events > 0) {
        mt_out_str(o, "Degraded: the tracer ran out of memory and lost ");
        mt_report_count(o, sum.lost_events, "event");
        mt_out_str(o, "; the figures are incomplete.\n");
    }
}

void mt_report_func_location(mt_out *o, mt_func func) {
    const mt_func_rec *f = mt_names_func(func);
    mt_out_str(o, mt_names_func_file(f));
    if (f->line != 0) {
        mt_out_str(o, ":");
        mt_out_i64(o, f->line);
    }
}

size_t mt_report_func_location_width(mt_func func) {
    const mt_func_rec *f = mt_names_func(func);
    char buf[MT_FMT_MAX];
    size_t n = strlen(mt_names_func_file(f));
    if (f->line != 0) n += 1 + mt_fmt_i64(buf, f->line);
    return n;
}

static void no_visit(mt_node *node, void *ctx) {
    (void)node;
    (void)ctx;
}

/* Post-order: every child's total is final before its parent sums them. */
static void total_leave(mt_node *node, void *ctx) {
    (void)ctx;
    node->total_count = node->self_count;
    for (const mt_node *c = node->children; c != NULL; c = c->hh.next)
        node->total_count += c->total_count;
}

void mt_report_node_totals(void) { mt_path_walk(no_visit, total_leave, NULL); }

void mt_frames_start(mt_frames *it, const mt_site *site, const mt_node *node) {
    unsigned total = node->depth > 0 ? node->depth : 1;
    unsigned limit = mt_g.opt.stack_limit;
    it->node = node;
    it->line = site->key.line;
    it->left = total < limit ? total : limit;
    it->truncated = total - it->left;
}

int mt_frames_next(mt_frames *it, mt_frame *frame) {
    if (it->left == 0) return 0;
    const mt_func_rec *f = mt_names_func(it->node->key.func);
    frame->function = f->name;
    frame->file = mt_names_func_file(f);
    frame->line = it->line;
    it->left--;
    it->line = it->node->key.call_line;
    if (it->node->parent != NULL) it->node = it->node->parent;
    return 1;
}
