/*
 * report_json.c -- the JSON report, the contract with tools/ (see
 * DESIGN.md and the README for every key).  Pretty-printed, one site per
 * line unless it carries stacks; keys always in the same order, so two
 * identical runs give byte-identical files.
 */
#define _GNU_SOURCE
#include <string.h>

#include "names.h"
#include "report.h"
#include "state.h"

static const char *const output_names[] = {
    [MT_OUTPUT_TABLE] = "table",
    [MT_OUTPUT_JSON] = "json",
    [MT_OUTPUT_HISTOGRAM] = "histogram",
    [MT_OUTPUT_TYPEHISTOGRAM] = "typehistogram",
    [MT_OUTPUT_CALLTREE] = "calltree",
};

/* Writes `"key": ` after a comma unless it is the object's first key. */
static void key(mt_out *o, const char *name, int first) {
    mt_out_str(o, first ? "\"" : ", \"");
    mt_out_str(o, name);
    mt_out_str(o, "\": ");
}

static void key_u64(mt_out *o, const char *name, uint64_t v, int first) {
    key(o, name, first);
    mt_out_u64(o, v);
}

static void key_str(mt_out *o, const char *name, const char *v, int first) {
    key(o, name, first);
    if (v != NULL) mt_out_json_str(o, v);
    else mt_out_str(o, "null");
}

static void key_bool(mt_out *o, const char *name, int v, int first) {
    key(o, name, first);
    mt_out_str(o, v ? "true" : "false");
}

static void options(mt_out *o) {
    const mt_options *opt = &mt_g.opt;
    mt_out_str(o, "  \"options\": {");
    key_str(o, "Output", output_names[opt->output], 1);
    key_str(o, "OutputFile", opt->output_file, 0);
    key_bool(o, "TraceStackTraces", opt->trace_stacks, 0);
    key_u64(o, "StackLimit", opt->stack_limit, 0);
    key_u64(o, "TraceMem", opt->trace_mem, 0);
    key_str(o, "FilterRootName", opt->filter_root_name, 0);
    key_str(o, "FilterFile", opt->filter_file, 0);
    key_bool(o, "TraceInternal", opt->trace_internal, 0);
    mt_out_str(o, "},\n");
}

static void summary(mt_out *o) {
    mt_summary s;
    mt_summary_get(&s);
    const struct {
        const char *name;
        uint64_t value;
    } figures[] = {
        {"allocations", s.allocations},
        {"bytes", s.bytes},
        {"frees", s.frees},
        {"freed_bytes", s.freed_bytes},
        {"resizes", s.resizes},
        {"peak_bytes", s.peak_bytes},
        {"peak_at_allocation", s.peak_at_allocation},
        {"live_allocations", s.allocations - s.frees},
        {"live_bytes", s.bytes - s.freed_bytes},
        {"filtered_allocations", s.filtered_allocations},
        {"filtered_bytes", s.filtered_bytes},
        {"hidden_internal_allocations", s.hidden_internal_allocations},
        {"hidden_internal_bytes", s.hidden_internal_bytes},
        {"untracked_frees", s.untracked_frees},
        {"lost_events", s.lost_events},
    };
    mt_out_str(o, "  \"summary\": {");
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        mt_out_str(o, "\n    ");
        key_u64(o, figures[i].name, figures[i].value, 1);
        mt_out_str(o, ",");
    }
    mt_out_str(o, "\n    ");
    key_bool(o, "degraded", s.lost_events > 0, 1);
    mt_out_str(o, "\n  },\n");
}

/* How the run ended: a signal, else what the VM said (mt_exit_set). */
static void exit_info(mt_out *o) {
    static const char *const reasons[] = {
        [MT_EXIT_NORMAL] = "normal",
        [MT_EXIT_ERROR] = "error",
        [MT_EXIT_OUT_OF_MEMORY] = "out of memory",
    };
    mt_out_str(o, "  \"exit\": {");
    key(o, "status", 1);
    mt_out_i64(o, mt_g.exit_status);
    if (mt_g.exit_signal != 0) {
        const char *name = sigabbrev_np(mt_g.exit_signal);
        key_str(o, "reason", "signal", 0);
        key(o, "signal", 0);
        mt_out_str(o, "\"SIG");
        mt_out_str(o, name != NULL ? name : "UNKNOWN");
        mt_out_str(o, "\"");
    } else {
        key_str(o, "reason", reasons[mt_g.exit_reason], 0);
    }
    mt_out_str(o, "},\n");
}

static void stacks(mt_out *o, const mt_site *s) {
    mt_out_str(o, ", \"stacks\": [");
    for (const mt_site_path *p = s->paths; p != NULL; p = p->hh.next) {
        mt_frames it;
        mt_frame frame;
        mt_out_str(o, p == s->paths ? "\n      {" : ",\n      {");
        key_u64(o, "count", p->count, 1);
        key_u64(o, "bytes", p->bytes, 0);
        mt_frames_start(&it, s, p->node);
        key_u64(o, "truncated_frames", it.truncated, 0);
        key(o, "frames", 0);
        mt_out_str(o, "[");
        for (int first = 1; mt_frames_next(&it, &frame); first = 0) {
            mt_out_str(o, first ? "\n        {" : ",\n        {");
            key_str(o, "function", frame.function, 1);
            key_str(o, "file", frame.file, 0);
            key(o, "line", 0);
            mt_out_i64(o, frame.line);
            mt_out_str(o, "}");
        }
        mt_out_str(o, "]}");
    }
    mt_out_str(o, "]");
}

static void site(mt_out *o, const mt_site *s) {
    const mt_func_rec *f = mt_names_func(s->key.func);
    const mt_counts *n = &s->head.n;
    mt_out_str(o, "    {");
    key_str(o, "file", mt_names_func_file(f), 1);
    key(o, "line", 0);
    mt_out_i64(o, s->key.line);
    key_str(o, "function", f->name, 0);
    key_str(o, "type", mt_names_type(s->key.type)->name, 0);
    key_u64(o, "count", n->count, 0);
    key_u64(o, "bytes", n->bytes, 0);
    key_u64(o, "resizes", n->resizes, 0);
    key_u64(o, "live_count", n->count - n->frees, 0);
    key_u64(o, "live_bytes", n->bytes - n->freed_bytes, 0);
    if (mt_g.opt.trace_stacks) stacks(o, s);
    mt_out_str(o, "}");
}

void mt_report_json(mt_out *o) {
    mt_out_str(o, "{\n  \"format\": \"memtracer\",\n  \"version\": 1,\n");
    mt_out_str(o, "  \"language\": ");
    mt_out_json_str(o, mt_g.language);
    mt_out_str(o, ",\n  \"program\": ");
    mt_out_json_str(o, mt_g.program);
    mt_out_str(o, ",\n");
    options(o);
    exit_info(o);
    summary(o);
    mt_out_str(o, "  \"sites\": [");
    for (const mt_site *s = *mt_site_table(); s != NULL; s = s->hh.next) {
        mt_out_str(o, s == *mt_site_table() ? "\n" : ",\n");
        site(o, s);
    }
    mt_out_str(o, "\n  ]\n}\n");
}
