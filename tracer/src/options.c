/*
 * options.c -- the --memtracer.* command-line words (mt_options_init,
 * mt_options_parse, mt_options_help).
 *
 * Names go through the gperf table; each value has one parser, and every
 * rejection is one line naming the option and what it accepts, so a front
 * end can print it as is and exit 64.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "memtracer.h"
#include "options_table.h"
#include "state.h"

#define PREFIX "--memtracer"
#define PREFIX_LEN (sizeof PREFIX - 1)
#define MAX_STACK_LIMIT 1000000u

/* What each option accepts, indexed by mt_option_id. */
static const char *const accepted[] = {
    [MT_OPT_OUTPUT] = "table, json, histogram, typehistogram, calltree",
    [MT_OPT_OUTPUT_FILE] = "a file name",
    [MT_OPT_TRACE_STACK_TRACES] = "true, false",
    [MT_OPT_STACK_LIMIT] = "a whole number from 1 to 1000000",
    [MT_OPT_TRACE_MEM] = "a byte count like 1000, 4KB (4000), 4KiB (4096), "
                         "1MB, 1MiB, 1GB, 1GiB",
    [MT_OPT_FILTER_ROOT_NAME] = "comma-separated function-name globs, "
                                "e.g. make*,solve",
    [MT_OPT_FILTER_FILE] = "comma-separated file globs, e.g. *.lox,lib/*",
    [MT_OPT_TRACE_INTERNAL] = "true, false",
};

static const char help[] =
    "  --memtracer                         trace the program's allocations; "
    "any --memtracer.X implies it\n"
    "  --memtracer.Output=FORMAT           table (default), json, histogram, "
    "typehistogram or calltree\n"
    "  --memtracer.OutputFile=FILE         write the report to FILE "
    "(default: stderr)\n"
    "  --memtracer.TraceStackTraces=BOOL   keep each allocation's call path "
    "(true/false, default false)\n"
    "  --memtracer.StackLimit=N            frames shown per call path, "
    "innermost first; deeper ones are cut and counted (default 64)\n"
    "  --memtracer.TraceMem=SIZE           record only allocations of at "
    "least SIZE bytes: 1000, 4KB = 4000, 4KiB = 4096, MB/MiB, GB/GiB\n"
    "  --memtracer.FilterRootName=GLOB,..  record only allocations made in "
    "a function whose name matches\n"
    "  --memtracer.FilterFile=GLOB,..      record only allocations made in "
    "a source file that matches\n"
    "  --memtracer.TraceInternal=BOOL      also report the VM's own blocks "
    "as type <internal> (default false)\n";

const char *mt_options_help(void) { return help; }

void mt_options_init(mt_options *o) {
    memset(o, 0, sizeof *o);
    o->output = MT_OUTPUT_TABLE;
    o->stack_limit = MT_DEFAULT_STACK_LIMIT;
}

void mt_options_free(mt_options *o) {
    free(o->output_file);
    free(o->filter_root_name);
    free(o->filter_file);
    o->output_file = o->filter_root_name = o->filter_file = NULL;
}

static int parse_bool(const char *v, bool *out) {
    if (v == NULL || strcmp(v, "true") == 0) *out = true;
    else if (strcmp(v, "false") == 0) *out = false;
    else return 0;
    return 1;
}

static int parse_output(const char *v, mt_output *out) {
    static const char *const names[] = {
        [MT_OUTPUT_TABLE] = "table",
        [MT_OUTPUT_JSON] = "json",
        [MT_OUTPUT_HISTOGRAM] = "histogram",
        [MT_OUTPUT_TYPEHISTOGRAM] = "typehistogram",
        [MT_OUTPUT_CALLTREE] = "calltree",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = (mt_output)i;
            return 1;
        }
    }
    return 0;
}

/* Digits only, no sign, no overflow. */
static int parse_count(const char *v, const char **end, unsigned long long *out) {
    if (*v < '0' || *v > '9') return 0;
    errno = 0;
    char *e;
    *out = strtoull(v, &e, 10);
    *end = e;
    return errno == 0;
}

static int parse_stack_limit(const char *v, unsigned *out) {
    const char *end;
    unsigned long long n;
    if (!parse_count(v, &end, &n) || *end != '\0') return 0;
    if (n < 1 || n > MAX_STACK_LIMIT) return 0;
    *out = (unsigned)n;
    return 1;
}

/* KB, MB and GB are powers of 1000, KiB, MiB and GiB of 1024, as the SI
 * and IEC define them. */
static int parse_size(const char *v, size_t *out) {
    static const struct {
        const char *suffix;
        unsigned long long factor;
    } units[] = {
        {"", 1},          {"B", 1},
        {"KB", 1000},     {"KiB", 1024},
        {"MB", 1000000},  {"MiB", 1048576},
        {"GB", 1000000000}, {"GiB", 1073741824},
    };
    const char *end;
    unsigned long long n;
    if (!parse_count(v, &end, &n)) return 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) != 0) continue;
        if (n > SIZE_MAX / units[i].factor) return 0;
        *out = (size_t)(n * units[i].factor);
        return 1;
    }
    return 0;
}

/* A non-empty list of non-empty globs. */
static int valid_globs(const char *v) {
    if (*v == '\0' || *v == ',') return 0;
    for (; *v != '\0'; v++)
        if (*v == ',' && (v[1] == ',' || v[1] == '\0')) return 0;
    return 1;
}

static int set_string(char **field, const char *v) {
    char *copy = strdup(v);
    if (copy == NULL) return 0;
    free(*field);
    *field = copy;
    return 1;
}

static int apply(mt_options *o, mt_option_id id, const char *v) {
    switch (id) {
    case MT_OPT_TRACE_STACK_TRACES: return parse_bool(v, &o->trace_stacks);
    case MT_OPT_TRACE_INTERNAL: return parse_bool(v, &o->trace_internal);
    default: break;
    }
    if (v == NULL) return 0;
    switch (id) {
    case MT_OPT_OUTPUT: return parse_output(v, &o->output);
    case MT_OPT_OUTPUT_FILE: return *v != '\0' && set_string(&o->output_file, v);
    case MT_OPT_STACK_LIMIT: return parse_stack_limit(v, &o->stack_limit);
    case MT_OPT_TRACE_MEM: return parse_size(v, &o->trace_mem);
    case MT_OPT_FILTER_ROOT_NAME:
        return valid_globs(v) && set_string(&o->filter_root_name, v);
    case MT_OPT_FILTER_FILE:
        return valid_globs(v) && set_string(&o->filter_file, v);
    default: return 0;
    }
}

int mt_options_parse(mt_options *o, const char *arg) {
    if (strncmp(arg, PREFIX, PREFIX_LEN) != 0) return MT_ARG_NOT_OURS;
    const char *name = arg + PREFIX_LEN;
    if (*name == '\0') {
        o->enabled = true;
        return MT_ARG_OK;
    }
    if (*name != '.') return MT_ARG_NOT_OURS;
    name++;
    const char *eq = strchr(name, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const char *value = eq != NULL ? eq + 1 : NULL;
    int shown = (int)(PREFIX_LEN + 1 + name_len);

    const struct mt_option_name *opt = mt_option_lookup(name, name_len);
    if (opt == NULL) {
        tr_error_set("unknown option '%.*s'; accepted: Output, OutputFile, "
                     "TraceStackTraces, StackLimit, TraceMem, FilterRootName, "
                     "FilterFile, TraceInternal",
                     shown, arg);
        return MT_ARG_BAD;
    }
    if (!apply(o, opt->id, value)) {
        if (value == NULL)
            tr_error_set("missing value for %.*s; accepted: %s", shown, arg,
                         accepted[opt->id]);
        else
            tr_error_set("bad value '%s' for %.*s; accepted: %s", value,
                         shown, arg, accepted[opt->id]);
        return MT_ARG_BAD;
    }
    o->enabled = true;
    return MT_ARG_OK;
}
