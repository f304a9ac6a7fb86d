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
#include "stack.h"
#include "state.h"

/* The report's format version: its major number changes when a key
 * changes meaning or goes away (docs/report.md lists what each changed). */
#define REPORT_VERSION 2

/* Writes `"key": ` after a comma unless it is the object's first key. */
static void key(tr_out *out, const char *name, bool first) {
    tr_out_str(out, first ? "\"" : ", \"");
    tr_out_str(out, name);
    tr_out_str(out, "\": ");
}

static void key_u64(tr_out *out, const char *name, uint64_t v, bool first) {
    key(out, name, first);
    tr_out_u64(out, v);
}

static void key_str(tr_out *out, const char *name, const char *v, bool first) {
    key(out, name, first);
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
    key(out, "status", true);
    tr_out_i64(out, tr_state.exit_status);
    if (tr_state.exit_signal != 0) {
        const char *name = sigabbrev_np(tr_state.exit_signal);
        key_str(out, "reason", "signal", false);
        key(out, "signal", false);
        tr_out_str(out, "\"SIG");
        tr_out_str(out, name != NULL ? name : "UNKNOWN");
        tr_out_str(out, "\"");
    } else {
        key_str(out, "reason", reasons[tr_state.exit_reason], false);
    }
    tr_out_str(out, "},\n");
}

static void summary(tr_out *out, const tr_summary *s) {
    const struct {
        const char *name;
        uint64_t value;
    } figures[] = {
        {"allocations", s->allocations},
        {"blocks", s->blocks},
        {"bytes", s->bytes},
        {"frees", s->frees},
        {"freed_blocks", s->freed_blocks},
        {"freed_bytes", s->freed_bytes},
        {"resizes", s->resizes},
        {"peak_bytes", s->peak_bytes},
        {"peak_at_allocation", s->peak_at_allocation},
        {"live_allocations", s->allocations - s->frees},
        {"live_blocks", s->blocks - s->freed_blocks},
        {"live_bytes", s->bytes - s->freed_bytes},
        {"filtered_allocations", s->filtered_allocations},
        {"filtered_blocks", s->filtered_blocks},
        {"filtered_bytes", s->filtered_bytes},
        {"hidden_internal_blocks", s->hidden_internal_blocks},
        {"hidden_internal_bytes", s->hidden_internal_bytes},
        {"untracked_frees", s->untracked_frees},
        {"lost_events", s->lost_events},
    };
    tr_out_str(out, "  \"summary\": {");
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        tr_out_str(out, "\n    ");
        key_u64(out, figures[i].name, figures[i].value, true);
        tr_out_str(out, ",");
    }
    tr_out_str(out, "\n    ");
    key(out, "average_size", true);
    tr_out_ratio(out, s->bytes, s->blocks);
    tr_out_str(out, ",\n    ");
    key(out, "degraded", true);
    tr_out_str(out, s->lost_events > 0 ? "true" : "false");
    tr_out_str(out, "\n  },\n");
}

static void frames(tr_out *out, const tr_stack *stack) {
    tr_frames it;
    tr_frame frame;
    tr_frames_start(&it, stack->site, stack->node);
    key(out, "frames", false);
    tr_out_str(out, "[");
    for (bool first = true; tr_frames_next(&it, &frame); first = false) {
        tr_out_str(out, first ? "\n        {" : ",\n        {");
        key_str(out, "function", frame.function, true);
        key_str(out, "file", frame.file, false);
        key(out, "line", false);
        tr_out_i64(out, frame.line);
        if (frame.repeat > 1) key_u64(out, "repeat", frame.repeat, false);
        tr_out_str(out, "}");
    }
    tr_out_str(out, "]");
}

static void stacks(tr_out *out, mt_site id) {
    uint64_t object = tr_site(id)->object;
    tr_stack_group group;
    tr_out_str(out, ", \"stacks\": [");
    for (bool more = tr_stack_group_first(id, &group), first = true; more;
         more = tr_stack_group_next(&group), first = false) {
        tr_out_str(out, first ? "\n      {" : ",\n      {");
        key_u64(out, "count", group.blocks * object, true);
        key_u64(out, "blocks", group.blocks, false);
        key_u64(out, "bytes", group.bytes, false);
        key_u64(out, "truncated_frames", group.truncated, false);
        frames(out, tr_stack_of(group.first));
        tr_out_str(out, "}");
    }
    tr_out_str(out, "]");
}

static void site(tr_out *out, mt_site id) {
    const mt_site_figures *s = tr_site(id);
    const tr_func *func = tr_func_of(s->func);
    tr_site_view v;
    tr_site_view_get(s, &v);
    tr_out_str(out, "    {");
    key_str(out, "file", tr_func_file(func), true);
    key(out, "line", false);
    tr_out_i64(out, s->line);
    key_str(out, "function", func->name, false);
    key_str(out, "type", tr_type_of(s->type)->name, false);
    key_str(out, "kind", s->object ? "object" : "storage", false);
    key_str(out, "phase", tr_phase_name((mt_phase)s->phase), false);
    key_u64(out, "count", v.count, false);
    key_u64(out, "blocks", v.blocks, false);
    key_u64(out, "bytes", v.bytes, false);
    key(out, "average_size", false);
    tr_out_ratio(out, v.bytes, v.blocks);
    key_u64(out, "live_count", v.live_count, false);
    key_u64(out, "live_blocks", v.live_blocks, false);
    key_u64(out, "live_bytes", v.live_bytes, false);
    key_u64(out, "peak_count", v.peak_count, false);
    key_u64(out, "peak_bytes", v.peak_bytes, false);
    if (tr_state.options.trace_stacks) stacks(out, id);
    tr_out_str(out, "}");
}

void tr_report_json(tr_out *out) {
    tr_summary sum;
    tr_summary_get(&sum);
    mt_site first = tr_report_sites();
    tr_out_str(out, "{\n  \"format\": \"memtracer\",\n  \"version\": ");
    tr_out_u64(out, REPORT_VERSION);
    tr_out_str(out, ",\n  \"language\": ");
    tr_out_json_str(out, tr_state.language);
    tr_out_str(out, ",\n  \"program\": ");
    tr_out_json_str(out, tr_state.program);
    tr_out_str(out, ",\n  \"options\": ");
    tr_options_json(out, &tr_state.options);
    tr_out_str(out, ",\n");
    exit_info(out);
    summary(out, &sum);
    tr_out_str(out, "  \"sites\": [");
    for (mt_site id = first; id != 0; id = tr_report_next_site(id)) {
        tr_out_str(out, id == first ? "\n" : ",\n");
        site(out, id);
    }
    tr_out_str(out, "\n  ]\n}\n");
}
