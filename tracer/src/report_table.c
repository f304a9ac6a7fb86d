/*
 * report_table.c -- the default report: the summary line, then one row per
 * site, ` Source Location || Count || Size || Type`, columns padded to
 * their widest cell, largest sites first.  With TraceStackTraces each row
 * is followed by its distinct call paths, innermost frame first; a path
 * gets its own count/size line when the site was reached by several.
 */
#include <string.h>

#include "names.h"
#include "report.h"
#include "state.h"

typedef struct widths {
    size_t location, count, size;
} widths;

static size_t location_width(const mt_site *s) {
    char buf[MT_FMT_MAX];
    const mt_func_rec *f = mt_names_func(s->key.func);
    return strlen(mt_names_func_file(f)) + 1 + mt_fmt_i64(buf, s->key.line);
}

static widths measure(const mt_site *sites) {
    widths w = {strlen("Source Location"), strlen("Count"), strlen("Size")};
    char buf[MT_FMT_MAX];
    for (const mt_site *s = sites; s != NULL; s = s->hh.next) {
        size_t n = location_width(s);
        if (n > w.location) w.location = n;
        n = mt_fmt_u64(buf, s->head.n.count);
        if (n > w.count) w.count = n;
        n = mt_fmt_size(buf, s->head.n.bytes);
        if (n > w.size) w.size = n;
    }
    return w;
}

static void row(mt_out *o, const mt_site *s, const widths *w) {
    const mt_func_rec *f = mt_names_func(s->key.func);
    char buf[MT_FMT_MAX];
    mt_out_str(o, " ");
    mt_out_str(o, mt_names_func_file(f));
    mt_out_str(o, ":");
    mt_out_i64(o, s->key.line);
    mt_out_spaces(o, w->location - location_width(s));
    mt_out_str(o, " || ");
    mt_report_cell(o, buf, mt_fmt_u64(buf, s->head.n.count), w->count);
    mt_report_cell(o, buf, mt_fmt_size(buf, s->head.n.bytes), w->size);
    mt_out_str(o, mt_names_type(s->key.type)->name);
    mt_out_str(o, "\n");
}

static void path(mt_out *o, const mt_site *s, const mt_site_path *p) {
    mt_frames it;
    mt_frame frame;
    if (s->paths->hh.next != NULL) {
        mt_out_str(o, "   ");
        mt_report_count(o, p->count, "allocation");
        mt_out_str(o, ", ");
        mt_out_size(o, p->bytes);
        mt_out_str(o, ":\n");
    }
    mt_frames_start(&it, s, p->node);
    while (mt_frames_next(&it, &frame)) {
        mt_out_str(o, "    at ");
        mt_out_str(o, frame.function);
        mt_out_str(o, " (");
        mt_out_str(o, frame.file);
        mt_out_str(o, ":");
        mt_out_i64(o, frame.line);
        mt_out_str(o, ")\n");
    }
    if (it.truncated > 0) {
        mt_out_str(o, "    ... ");
        mt_report_count(o, it.truncated, "more frame");
        mt_out_str(o, " (StackLimit)\n");
    }
}

void mt_report_table(mt_out *o) {
    const mt_site *sites = *mt_site_table();
    widths w = measure(sites);
    mt_report_header(o);
    mt_out_str(o, " ");
    mt_report_cell(o, "Source Location", strlen("Source Location"), w.location);
    mt_report_cell(o, "Count", strlen("Count"), w.count);
    mt_report_cell(o, "Size", strlen("Size"), w.size);
    mt_out_str(o, "Type\n");
    for (const mt_site *s = sites; s != NULL; s = s->hh.next) {
        row(o, s, &w);
        for (const mt_site_path *p = s->paths; p != NULL; p = p->hh.next)
            path(o, s, p);
    }
}
