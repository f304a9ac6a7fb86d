/*
 * report_typehistogram.c -- allocations per guest type: Type, Count, Size,
 * the largest first.  The sum over a type's sites.
 */
#include <string.h>

#include "names.h"
#include "report.h"

static int type_order(const mt_type_rec *a, const mt_type_rec *b) {
    if (a->bytes != b->bytes) return a->bytes > b->bytes ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return strcmp(a->name, b->name);
}

void mt_report_typehistogram(mt_out *o) {
    mt_type_rec **types = mt_names_types_table();
    for (mt_type_rec *t = *types; t != NULL; t = t->hh.next)
        t->count = t->bytes = 0;
    for (const mt_site *s = *mt_site_table(); s != NULL; s = s->hh.next) {
        mt_type_rec *t = mt_names_type(s->key.type);
        t->count += s->head.n.count;
        t->bytes += s->head.n.bytes;
    }
    HASH_SRT(hh, *types, type_order);

    size_t w_type = strlen("Type"), w_count = strlen("Count");
    size_t w_size = strlen("Size");
    char buf[MT_FMT_MAX];
    for (const mt_type_rec *t = *types; t != NULL; t = t->hh.next) {
        if (t->count == 0 && t->bytes == 0) continue;
        if (t->len > w_type) w_type = t->len;
        size_t n = mt_fmt_u64(buf, t->count);
        if (n > w_count) w_count = n;
        n = mt_fmt_size(buf, t->bytes);
        if (n > w_size) w_size = n;
    }

    mt_report_header(o);
    mt_out_str(o, " ");
    mt_report_cell(o, "Type", strlen("Type"), w_type);
    mt_report_cell(o, "Count", strlen("Count"), w_count);
    mt_out_str(o, "Size\n");
    for (const mt_type_rec *t = *types; t != NULL; t = t->hh.next) {
        if (t->count == 0 && t->bytes == 0) continue;
        mt_out_str(o, " ");
        mt_report_cell(o, t->name, t->len, w_type);
        mt_report_cell(o, buf, mt_fmt_u64(buf, t->count), w_count);
        mt_out_size(o, t->bytes);
        mt_out_str(o, "\n");
    }
}
