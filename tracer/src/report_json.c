/*
 * report_json.c -- the JSON report, the contract with tools (every key is
 * documented in docs/report.md).  Pretty-printed, one site per line unless
 * it carries stacks; keys always in the same order, so two identical runs
 * give byte-identical files.
 */
#define _GNU_SOURCE
#include <string.h>

#include "names.h"
#include "options.h"
#include "report.h"
#include "retain.h"
#include "sample.h"
#include "stack.h"
#include "state.h"
#include "timeline.h"

/* The report's format version: its major number changes when a key
 * changes meaning or goes away (docs/report.md lists what each changed). */
#define REPORT_VERSION 2

/* A key as JSON writes it, `"name": `, and after a comma unless it is
 * the object's first: name is a string literal, so that each is one
 * literal, copied at once. */
#define KEY_TEXT(name) "\"" name "\": "
#define KEY(out, name, first) \
    tr_out_str((out), (first) ? KEY_TEXT(name) : ", " KEY_TEXT(name))
#define KEY_U64(out, name, v, first) \
    (KEY(out, name, first), tr_out_u64((out), (v)))
#define KEY_STR(out, name, v, first) \
    (KEY(out, name, first), json_str_or_null((out), (v)))

static void json_str_or_null(tr_out *out, const char *v) {
    if (v != NULL) tr_out_json_str(out, v);
    else tr_out_str(out, "null");
}

/* How the run ended: a signal, else what the VM said (mt_exit_set). */
static void exit_info(tr_out *out) {
    static const char *const reasons[] = {
        [MT_EXIT_NORMAL] = "normal",
        [MT_EXIT_ERROR] = "error",
        [MT_EXIT_OUT_OF_MEMORY] = "out of memory",
    };
    tr_out_str(out, "  \"exit\": {");
    KEY(out, "status", true);
    tr_out_i64(out, tr_state.exit_status);
    if (tr_state.exit_signal != 0) {
        const char *name = sigabbrev_np(tr_state.exit_signal);
        KEY_STR(out, "reason", "signal", false);
        KEY(out, "signal", false);
        tr_out_str(out, "\"SIG");
        tr_out_str(out, name != NULL ? name : "UNKNOWN");
        tr_out_str(out, "\"");
    } else {
        KEY_STR(out, "reason", reasons[tr_state.exit_reason], false);
    }
    tr_out_str(out, "},\n");
}

static void summary(tr_out *out, const tr_summary *s) {
    const struct {
        const char *key;
        uint64_t value;
    } figures[] = {
        {KEY_TEXT("allocations"), s->allocations},
        {KEY_TEXT("blocks"), s->blocks},
        {KEY_TEXT("bytes"), s->bytes},
        {KEY_TEXT("frees"), s->frees},
        {KEY_TEXT("freed_blocks"), s->freed_blocks},
        {KEY_TEXT("freed_bytes"), s->freed_bytes},
        {KEY_TEXT("resizes"), s->resizes},
        {KEY_TEXT("peak_bytes"), s->peak_bytes},
        {KEY_TEXT("peak_at_allocation"), s->peak_at_allocation},
        {KEY_TEXT("live_allocations"), s->allocations - s->frees},
        {KEY_TEXT("live_blocks"), s->blocks - s->freed_blocks},
        {KEY_TEXT("live_bytes"), s->bytes - s->freed_bytes},
        {KEY_TEXT("filtered_allocations"), s->filtered_allocations},
        {KEY_TEXT("filtered_blocks"), s->filtered_blocks},
        {KEY_TEXT("filtered_bytes"), s->filtered_bytes},
        {KEY_TEXT("hidden_internal_blocks"), s->hidden_internal_blocks},
        {KEY_TEXT("hidden_internal_bytes"), s->hidden_internal_bytes},
        {KEY_TEXT("untracked_frees"), s->untracked_frees},
        {KEY_TEXT("lost_events"), s->lost_events},
    };
    tr_out_str(out, "  \"summary\": {");
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        tr_out_str(out, "\n    ");
        tr_out_str(out, figures[i].key);
        tr_out_u64(out, figures[i].value);
        tr_out_str(out, ",");
    }
    /* A sampled run does not estimate unused bytes: null, not 0. */
    tr_out_str(out, "\n    ");
    KEY(out, "unused_bytes", true);
    if (mt_inline.sampled) tr_out_str(out, "null");
    else tr_out_u64(out, s->unused_bytes);
    tr_out_str(out, ",\n    ");
    KEY_U64(out, "gc_cycles", mt_inline.gc_cycles, true);
    tr_out_str(out, ",\n    ");
    KEY(out, "average_size", true);
    tr_out_ratio(out, s->bytes, s->blocks);
    tr_out_str(out, ",\n    ");
    KEY(out, "degraded", true);
    tr_out_str(out, s->lost_events > 0 ? "true" : "false");
    tr_out_str(out, "\n  },\n");
}

/* The time of a point, in milliseconds to one decimal. */
static void time_ms(tr_out *out, uint64_t ns) { tr_out_ratio(out, ns, 1000000); }

static void point(tr_out *out, const tr_point *p) {
    tr_out_str(out, "{");
    KEY_U64(out, "bytes_allocated", p->bytes, true);
    KEY_U64(out, "allocations", p->objects, false);
    KEY_U64(out, "live_bytes", p->live_bytes, false);
    KEY_U64(out, "gc_cycles", p->gc_cycles, false);
    KEY(out, "time_ms", false);
    time_ms(out, p->time_ns);
    tr_out_str(out, "}");
}

/* The peak's time, between the points around it on the clock. */
static uint64_t peak_time(const tr_point *points, uint32_t count,
                          const tr_point *now) {
    uint64_t at = mt_inline.peak_at_bytes;
    tr_point before = {0}, after = *now;
    for (uint32_t i = 0; i < count; i++) {
        if (points[i].bytes <= at) before = points[i];
        else {
            after = points[i];
            break;
        }
    }
    if (after.bytes <= before.bytes) return before.time_ns;
    return before.time_ns + (uint64_t)((double)(after.time_ns - before.time_ns) *
                                       (double)(at - before.bytes) /
                                       (double)(after.bytes - before.bytes));
}

static void timeline(tr_out *out) {
    uint32_t count;
    uint64_t interval;
    const tr_point *points = tr_timeline_points(&count, &interval);
    tr_point now = tr_timeline_now();
    tr_out_str(out, "  \"timeline\": {");
    KEY_STR(out, "clock", "bytes_allocated", true);
    KEY_U64(out, "interval", interval, false);
    KEY(out, "points", false);
    tr_out_str(out, "[");
    for (uint32_t i = 0; i < count; i++) {
        tr_out_str(out, "\n    ");
        point(out, &points[i]);
        tr_out_str(out, ",");
    }
    tr_out_str(out, "\n    ");
    point(out, &now);
    tr_out_str(out, "],\n    ");
    KEY(out, "peak", true);
    tr_out_str(out, "{");
    KEY_U64(out, "bytes_allocated", mt_inline.peak_at_bytes, true);
    KEY_U64(out, "live_bytes", mt_inline.peak_bytes, false);
    KEY(out, "time_ms", false);
    time_ms(out, peak_time(points, count, &now));
    tr_out_str(out, "}},\n");
}

/* What became of a site's objects, by their age at death in collections:
 * 0 (died young), 1, 2-3, 4-7, 8-15, 16 or more. */
static void lifetimes(tr_out *out, const mt_site_figures *s) {
    KEY(out, "lifetimes", false);
    tr_out_str(out, "{");
    KEY_U64(out, "young", s->life.deaths[0], true);
    KEY(out, "ages", false);
    tr_out_str(out, "[");
    for (int i = 0; i < 6; i++) {
        if (i > 0) tr_out_str(out, ", ");
        tr_out_u64(out, s->life.deaths[i]);
    }
    tr_out_str(out, "]}");
}

/* A name as a JSON string; plain: it needs no escaping (json_plain of
 * tr_func and tr_type, or a name of the tracer's own). */
static void json_text(tr_out *out, const char *text, size_t len,
                       bool plain) {
    if (plain) tr_out_json_plain(out, text, len);
    else tr_out_json_mem(out, text, len);
}

static void frames(tr_out *out, const tr_stack *stack) {
    tr_frames it;
    tr_frame frame;
    tr_frames_start(&it, stack->site, stack->node);
    KEY(out, "frames", false);
    tr_out_str(out, "[");
    for (bool first = true; tr_frames_next(&it, &frame); first = false) {
        tr_out_str(out, first ? "\n        {" : ",\n        {");
        KEY(out, "function", true);
        json_text(out, frame.function, frame.function_len, frame.json_plain);
        KEY(out, "file", false);
        json_text(out, frame.file, frame.file_len, frame.json_plain);
        KEY(out, "line", false);
        tr_out_i64(out, frame.line);
        if (frame.repeat > 1) KEY_U64(out, "repeat", frame.repeat, false);
        tr_out_str(out, "}");
    }
    tr_out_str(out, "]");
}

static void stacks(tr_out *out, mt_site id) {
    uint64_t object = tr_site(id)->object;
    tr_stack_group group;
    tr_out_str(out, ", \"stacks\": [");
    bool first = true;
    for (bool more = tr_stack_group_first(id, &group); more;
         more = tr_stack_group_next(&group)) {
        if (group.blocks == 0) continue;  /* nothing since a reset */
        tr_out_str(out, first ? "\n      {" : ",\n      {");
        first = false;
        KEY_U64(out, "count", group.blocks * object, true);
        KEY_U64(out, "blocks", group.blocks, false);
        KEY_U64(out, "bytes", group.bytes, false);
        KEY_U64(out, "truncated_frames", group.truncated, false);
        frames(out, tr_stack_of(group.first));
        tr_out_str(out, "}");
    }
    tr_out_str(out, "]");
}

/* The heaviest paths that keep the site's blocks alive, and one entry
 * for the rest. */
static void retainers(tr_out *out, mt_site id) {
    uint64_t object = tr_site(id)->object;
    uint64_t rest = 0, rest_blocks = 0, rest_bytes = 0;
    tr_out_str(out, ", \"retainers\": [");
    size_t listed = 0;
    for (uint32_t r = tr_retained_first(id); r != 0;
         r = tr_retained_of(r)->next_in_site) {
        const tr_retained *record = tr_retained_of(r);
        if (listed == TR_RETAINERS_LISTED) {
            rest++;
            rest_blocks += record->blocks;
            rest_bytes += record->bytes;
            continue;
        }
        const char *labels[TR_RETAINER_LABELS];
        size_t count = tr_retainer_labels(record->path, labels,
                                          TR_RETAINER_LABELS);
        tr_out_str(out, listed++ == 0 ? "\n      {" : ",\n      {");
        KEY(out, "path", true);
        tr_out_str(out, "[");
        for (size_t i = 0; i < count; i++) {
            if (i > 0) tr_out_str(out, ", ");
            tr_out_json_str(out, labels[i]);
        }
        tr_out_str(out, "]");
        KEY_U64(out, "count", record->blocks * object, false);
        KEY_U64(out, "blocks", record->blocks, false);
        KEY_U64(out, "bytes", record->bytes, false);
        tr_out_str(out, "}");
    }
    tr_out_str(out, "]");
    if (rest > 0) {
        tr_out_str(out, ", \"retainers_rest\": {");
        KEY_U64(out, "paths", rest, true);
        KEY_U64(out, "count", rest_blocks * object, false);
        KEY_U64(out, "blocks", rest_blocks, false);
        KEY_U64(out, "bytes", rest_bytes, false);
        tr_out_str(out, "}");
    }
}

static void site(tr_out *out, mt_site id) {
    const mt_site_figures *s = tr_site(id);
    const tr_func *func = tr_func_of(s->func);
    tr_site_view v;
    tr_site_view_get(s, &v);
    tr_out_str(out, "    {");
    bool plain = func->json_plain && func->file != NULL;
    size_t file_len;
    bool file_plain;
    const char *file = tr_report_func_file(func, &file_len, &file_plain);
    KEY(out, "file", true);
    json_text(out, file, file_len, file_plain);
    KEY(out, "line", false);
    tr_out_i64(out, s->line);
    KEY(out, "function", false);
    json_text(out, func->name, func->name_len, plain);
    const tr_type *type = tr_type_of(s->type);
    KEY(out, "type", false);
    json_text(out, type->name, type->len, type->json_plain);
    KEY(out, "kind", false);
    tr_out_str(out, s->object ? "\"object\"" : "\"storage\"");
    const char *phase = tr_phase_name((mt_phase)s->phase);
    KEY(out, "phase", false);
    json_text(out, phase, strlen(phase), true);
    KEY_U64(out, "count", v.count, false);
    KEY_U64(out, "blocks", v.blocks, false);
    KEY_U64(out, "bytes", v.bytes, false);
    KEY(out, "average_size", false);
    tr_out_ratio(out, v.bytes, v.blocks);
    KEY_U64(out, "live_count", v.live_count, false);
    KEY_U64(out, "live_blocks", v.live_blocks, false);
    KEY_U64(out, "live_bytes", v.live_bytes, false);
    KEY_U64(out, "peak_count", v.peak_count, false);
    KEY_U64(out, "peak_bytes", v.peak_bytes, false);
    if (v.unused_bytes > 0 && !mt_inline.sampled)
        KEY_U64(out, "unused_bytes", v.unused_bytes, false);
    if (s->object && mt_inline.gc_cycles > 0 && !mt_inline.sampled)
        lifetimes(out, s);
    if (tr_retained_first(id) != 0) retainers(out, id);
    if (tr_state.options.trace_stacks) stacks(out, id);
    tr_out_str(out, "}");
}

void tr_report_json(tr_out *out) {
    tr_summary sum;
    tr_summary_get(&sum);
    mt_site first = tr_report_sites(TR_ORDER_BYTES);
    tr_out_str(out, "{\n  \"format\": \"memtracer\",\n  \"version\": ");
    tr_out_u64(out, REPORT_VERSION);
    tr_out_str(out, ",\n  \"language\": ");
    tr_out_json_str(out, tr_state.language);
    tr_out_str(out, ",\n  \"program\": ");
    tr_out_json_str(out, tr_state.program);
    tr_out_str(out, ",\n  \"options\": ");
    tr_options_json(out, &tr_state.options);
    tr_out_str(out, ",\n  \"sampling\": ");
    if (mt_inline.sampled) {
        tr_out_str(out, "{");
        KEY_U64(out, "bytes", tr_state.options.sample_bytes, true);
        KEY_U64(out, "seed", tr_sample_seed(), false);
        tr_out_str(out, "}");
    } else {
        tr_out_str(out, "null");
    }
    tr_out_str(out, ",\n");
    exit_info(out);
    summary(out, &sum);
    timeline(out);
    tr_out_str(out, "  \"sites\": [");
    for (mt_site id = first; id != 0; id = tr_report_next_site(id)) {
        tr_out_str(out, id == first ? "\n" : ",\n");
        site(out, id);
    }
    tr_out_str(out, "\n  ]\n}\n");
}
