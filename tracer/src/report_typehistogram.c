/*
 * report_typehistogram.c -- allocations per guest type: Type, Count, Size,
 * the largest first; the sum over a type's sites.  Count is objects, or
 * for a storage type its blocks.  Names are shown escaped (tr_out_name).
 */
#include <string.h>

#include "names.h"
#include "report.h"

/* Types are listed by id + 1, since 0 ends a list and <internal> is 0. */
static uint32_t *type_link(uint32_t key) {
    return &tr_type_of(key - 1)->report_next;
}

static bool type_before(uint32_t a, uint32_t b) {
    const tr_type *x = tr_type_of(a - 1), *y = tr_type_of(b - 1);
    if (x->report_bytes != y->report_bytes)
        return x->report_bytes > y->report_bytes;
    if (x->report_blocks != y->report_blocks)
        return x->report_blocks > y->report_blocks;
    return strcmp(x->name, y->name) < 0;
}

void tr_report_typehistogram(tr_out *out) {
    tr_summary sum;
    tr_summary_get(&sum);
    uint32_t count = tr_type_count();
    for (mt_type id = 0; id < count; id++)
        tr_type_of(id)->report_blocks = tr_type_of(id)->report_bytes = 0;
    for (mt_site id = TR_FIRST_LISTED_SITE; id < tr_site_count(); id++) {
        const mt_site_figures *site = tr_site(id);
        tr_type *type = tr_type_of(site->type);
        type->report_blocks += site->blocks;
        type->report_bytes += site->bytes;
    }
    uint32_t head = 0, *tail = &head;
    for (mt_type id = 0; id < count; id++) {
        if (tr_type_of(id)->report_blocks == 0) continue;
        *tail = id + 1;
        tail = type_link(id + 1);
    }
    *tail = 0;
    head = tr_list_sort(head, type_link, type_before);

    size_t w_type = strlen("Type"), w_count = strlen("Count");
    char buf[TR_FMT_MAX];
    for (uint32_t key = head; key != 0; key = *type_link(key)) {
        const tr_type *type = tr_type_of(key - 1);
        size_t width = tr_name_width(type->name, type->len, type->json_plain);
        if (width > w_type) w_type = width;
        size_t n = tr_fmt_u64(buf, type->report_blocks);
        if (n > w_count) w_count = n;
    }
    tr_report_header(out, &sum);
    tr_out_str(out, " ");
    tr_report_cell(out, "Type", strlen("Type"), w_type);
    tr_report_cell(out, "Count", strlen("Count"), w_count);
    tr_out_str(out, "Size\n");
    for (uint32_t key = head; key != 0; key = *type_link(key)) {
        const tr_type *type = tr_type_of(key - 1);
        tr_out_str(out, " ");
        tr_report_name_cell(out, type->name, type->len, type->json_plain,
                            w_type);
        tr_report_cell(out, buf, tr_fmt_u64(buf, type->report_blocks), w_count);
        tr_out_size(out, type->report_bytes);
        tr_out_str(out, "\n");
    }
}
