/*
 * options.c -- the --memtracer.* command-line words (mt_options_init,
 * mt_options_parse, mt_options_help), and the options as the JSON report
 * lists them.
 *
 * Each option is one entry of option_table: its name, where it lives in
 * mt_options, what kind of value it takes and accepts, and its help line.
 * The parser, the help text, the messages and the report all read that
 * table.  Every rejection is one line naming the option and what it
 * accepts, so a front end can print it as is and exit 64.
 */
#include "options.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "memtracer/memtracer.h"
#include "state.h"

#define PREFIX "--memtracer"
#define PREFIX_LEN (sizeof PREFIX - 1)
#define MAX_COUNT 1000000u
/* A byte count's most, 1024GiB: a sampled block stands for about
 * SampleBytes bytes, which keeps the report's figures far below 2^53, the
 * whole numbers any JSON reader holds exactly. */
#define MAX_SIZE (UINT64_C(1) << 40)

typedef enum value_kind {
    VALUE_BOOL,     /* bool: true or false; the name alone is true */
    VALUE_CHOICE,   /* an enum (or bool) by the index of its name */
    VALUE_FILE,     /* char *: a non-empty file name */
    VALUE_COUNT,    /* unsigned: a whole number from 1 to MAX_COUNT */
    VALUE_SIZE,     /* size_t: a byte count with a unit, to MAX_SIZE */
    VALUE_GLOBS,    /* char *: comma-separated globs */
    VALUE_SEED,     /* uint64_t: a whole number from 1 up */
} value_kind;

static const char *const output_names[] = {
    [MT_OUTPUT_TABLE] = "table",
    [MT_OUTPUT_JSON] = "json",
    [MT_OUTPUT_HISTOGRAM] = "histogram",
    [MT_OUTPUT_TYPEHISTOGRAM] = "typehistogram",
    [MT_OUTPUT_CALLTREE] = "calltree",
    [MT_OUTPUT_LEAKS] = "leaks",
    [MT_OUTPUT_PEAK] = "peak",
    NULL,
};
#define OUTPUTS (sizeof output_names / sizeof output_names[0] - 1)

static const char *const phase_names[] = {"run", "all", NULL};

typedef struct option {
    const char *name;
    value_kind kind;
    size_t offset;                /* in mt_options */
    const char *accepted;         /* for messages */
    const char *argument;         /* for the help text */
    const char *help;
    const char *const *choices;   /* VALUE_CHOICE: names by value */
    size_t choice_size;           /* VALUE_CHOICE: sizeof the field */
} option;

static const option option_table[] = {
    {"Output", VALUE_CHOICE, offsetof(mt_options, output),
     "table, json, histogram, typehistogram, calltree, leaks, peak",
     "FORMAT",
     "the report: table (default), json, histogram, typehistogram, "
     "calltree, leaks (what is live at exit and what keeps it alive) or "
     "peak (what held the peak)", output_names, sizeof(mt_output)},
    {"OutputFile", VALUE_FILE, offsetof(mt_options, output_file),
     "a file name, or - for standard output", "FILE",
     "write the report to FILE (default: standard error; -: standard "
     "output)", NULL, 0},
    {"TraceStackTraces", VALUE_BOOL, offsetof(mt_options, trace_stacks),
     "true, false", "BOOL",
     "keep each allocation's call path (default false)", NULL, 0},
    {"StackLimit", VALUE_COUNT, offsetof(mt_options, stack_limit),
     "a whole number from 1 to 1000000", "N",
     "frames shown per call path, innermost first; deeper ones are cut "
     "and counted (default 64)", NULL, 0},
    {"FoldRecursion", VALUE_BOOL, offsetof(mt_options, fold_recursion),
     "true, false", "BOOL",
     "show a run of frames of one function once, with how many (default "
     "true; false keeps every frame)", NULL, 0},
    {"TraceMem", VALUE_SIZE, offsetof(mt_options, trace_mem),
     "a byte count like 1000, 4KB (4000), 4KiB (4096), 1MB, 1MiB, 1GB, "
     "1GiB, at most 1024GiB",
     "SIZE",
     "list only allocations of at least SIZE bytes: 1000, 4KB = 4000, "
     "4KiB = 4096, MB/MiB, GB/GiB", NULL, 0},
    {"FilterRootName", VALUE_GLOBS, offsetof(mt_options, filter_root_name),
     "comma-separated function-name globs, e.g. make*,solve", "GLOB,..",
     "list only allocations made in a function whose name matches", NULL, 0},
    {"FilterFile", VALUE_GLOBS, offsetof(mt_options, filter_file),
     "comma-separated file globs, e.g. *.lox,lib/*", "GLOB,..",
     "list only allocations made in a source file that matches", NULL, 0},
    {"TraceInternal", VALUE_BOOL, offsetof(mt_options, trace_internal),
     "true, false", "BOOL",
     "also report the VM's own blocks as type <internal> (default false)", NULL, 0},
    {"Top", VALUE_COUNT, offsetof(mt_options, top),
     "a whole number from 1 to 1000000", "N",
     "list the N largest rows of a table, and one line for the rest "
     "(default: all)", NULL, 0},
    {"Start", VALUE_BOOL, offsetof(mt_options, start), "true, false", "BOOL",
     "record from the start (default true); false: only once the program "
     "asks (lox: memtracer_start(); Lua: require \"memtracer\".start())",
     NULL, 0},
    {"Phases", VALUE_CHOICE, offsetof(mt_options, all_phases), "run, all",
     "WHICH",
     "run (default): list what the program made while it ran, and what "
     "start-up and compiling made in a line each; all: list them too",
     phase_names, sizeof(bool)},
    {"SampleBytes", VALUE_SIZE, offsetof(mt_options, sample_bytes),
     "a byte count like 512KiB, at most 1024GiB; 0 counts every block",
     "SIZE",
     "sample about one block per SIZE bytes obtained, each sampled block "
     "weighed to stand for those it represents: figures become estimates "
     "at a fraction of the cost (default 0: count every block)", NULL, 0},
    {"Seed", VALUE_SEED, offsetof(mt_options, seed),
     "a whole number from 1 to 18446744073709551615", "N",
     "the seed of SampleBytes' choices, to repeat a sampled run (default: "
     "from the clock; the report says which)", NULL, 0},

};
#define OPTIONS (sizeof option_table / sizeof option_table[0])

void mt_options_init(mt_options *options) {
    memset(options, 0, sizeof *options);
    options->output = MT_OUTPUT_TABLE;
    options->stack_limit = TR_DEFAULT_STACK_LIMIT;
    options->fold_recursion = true;
    options->start = true;
}

void mt_options_free(mt_options *options) {
    for (size_t i = 0; i < OPTIONS; i++) {
        if (option_table[i].kind == VALUE_FILE ||
            option_table[i].kind == VALUE_GLOBS) {
            char **field = (char **)((char *)options + option_table[i].offset);
            free(*field);
            *field = NULL;
        }
    }
}

const char *mt_options_help(void) {
    static char *text;
    if (text != NULL) return text;
    size_t size = 1;
    for (int pass = 0; pass < 2; pass++) {
        size_t used = 0;
        int n = snprintf(text, text != NULL ? size : 0,
                         "  %-36s trace the program's allocations; any "
                         "--memtracer.X implies it\n", PREFIX);
        used += n > 0 ? (size_t)n : 0;
        for (size_t i = 0; i < OPTIONS; i++) {
            char word[64];
            snprintf(word, sizeof word, "%s.%s=%s", PREFIX,
                     option_table[i].name, option_table[i].argument);
            n = snprintf(text != NULL ? text + used : NULL,
                         text != NULL ? size - used : 0, "  %-36s %s\n",
                         word, option_table[i].help);
            used += n > 0 ? (size_t)n : 0;
        }
        if (text != NULL) break;
        size = used + 1;
        text = malloc(size);
        if (text == NULL) return "";
    }
    return text;
}

static const option *option_find(const char *name, size_t len) {
    for (size_t i = 0; i < OPTIONS; i++)
        if (strlen(option_table[i].name) == len &&
            memcmp(option_table[i].name, name, len) == 0)
            return &option_table[i];
    return NULL;
}

/* Digits only, no sign, no overflow. */
static bool parse_count(const char *v, const char **end,
                        unsigned long long *out) {
    if (*v < '0' || *v > '9') return false;
    errno = 0;
    char *e;
    *out = strtoull(v, &e, 10);
    *end = e;
    return errno == 0;
}

/* KB, MB and GB are powers of 1000, KiB, MiB and GiB of 1024, as the SI
 * and IEC define them. */
static bool parse_size(const char *v, size_t *out) {
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
    if (!parse_count(v, &end, &n)) return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) != 0) continue;
        if (n > MAX_SIZE / units[i].factor) return false;
        *out = (size_t)(n * units[i].factor);
        return true;
    }
    return false;
}

/* A non-empty list of non-empty globs. */
static bool valid_globs(const char *v) {
    if (*v == '\0' || *v == ',') return false;
    for (; *v != '\0'; v++)
        if (*v == ',' && (v[1] == ',' || v[1] == '\0')) return false;
    return true;
}

static bool set_string(char **field, const char *v) {
    char *copy = strdup(v);
    if (copy == NULL) return false;
    free(*field);
    *field = copy;
    return true;
}

/* Stores value (NULL: the name alone) in options; false when it is not
 * what the option accepts. */
static bool option_apply(const option *opt, mt_options *options,
                         const char *value) {
    void *field = (char *)options + opt->offset;
    if (opt->kind == VALUE_BOOL) {
        if (value == NULL || strcmp(value, "true") == 0)
            *(bool *)field = true;
        else if (strcmp(value, "false") == 0)
            *(bool *)field = false;
        else
            return false;
        return true;
    }
    if (value == NULL) return false;
    switch (opt->kind) {
    case VALUE_CHOICE:
        for (size_t i = 0; opt->choices[i] != NULL; i++) {
            if (strcmp(value, opt->choices[i]) != 0) continue;
            if (opt->choice_size == sizeof(bool)) *(bool *)field = i != 0;
            else *(mt_output *)field = (mt_output)i;
            return true;
        }
        return false;
    case VALUE_FILE:
        return *value != '\0' && set_string(field, value);
    case VALUE_COUNT: {
        const char *end;
        unsigned long long n;
        if (!parse_count(value, &end, &n) || *end != '\0' || n < 1 ||
            n > MAX_COUNT)
            return false;
        *(unsigned *)field = (unsigned)n;
        return true;
    }
    case VALUE_SIZE: return parse_size(value, field);
    case VALUE_SEED: {
        const char *end;
        unsigned long long n;
        if (!parse_count(value, &end, &n) || *end != '\0' || n < 1)
            return false;
        *(uint64_t *)field = n;
        return true;
    }
    case VALUE_GLOBS: return valid_globs(value) && set_string(field, value);
    case VALUE_BOOL: break;
    }
    return false;
}

static void unknown_option(const char *word, int shown) {
    char names[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < OPTIONS; i++) {
        int n = snprintf(names + used, sizeof names - used, "%s%s",
                         i > 0 ? ", " : "", option_table[i].name);
        if (n > 0) used += (size_t)n;
    }
    tr_error_set("unknown option '%.*s'; accepted: %s", shown, word, names);
}

int mt_options_parse(mt_options *options, const char *word) {
    if (word == NULL || strncmp(word, PREFIX, PREFIX_LEN) != 0)
        return MT_ARG_NOT_OURS;
    const char *name = word + PREFIX_LEN;
    if (*name == '\0') {
        options->enabled = true;
        return MT_ARG_OK;
    }
    if (*name != '.') return MT_ARG_NOT_OURS;
    name++;
    const char *eq = strchr(name, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const char *value = eq != NULL ? eq + 1 : NULL;
    int shown = (int)(PREFIX_LEN + 1 + name_len);

    const option *opt = option_find(name, name_len);
    if (opt == NULL) {
        unknown_option(word, shown);
        return MT_ARG_BAD;
    }
    if (!option_apply(opt, options, value)) {
        if (value == NULL)
            tr_error_set("missing value for %.*s; accepted: %s", shown, word,
                         opt->accepted);
        else
            tr_error_set("bad value '%s' for %.*s; accepted: %s", value,
                         shown, word, opt->accepted);
        return MT_ARG_BAD;
    }
    options->enabled = true;
    return MT_ARG_OK;
}

const char *tr_output_name(mt_output output) {
    return (size_t)output < OUTPUTS ? output_names[output] : "table";
}

void tr_options_json(tr_out *out, const mt_options *options) {
    tr_out_str(out, "{");
    for (size_t i = 0; i < OPTIONS; i++) {
        const option *opt = &option_table[i];
        const void *field = (const char *)options + opt->offset;
        tr_out_str(out, i > 0 ? ", \"" : "\"");
        tr_out_str(out, opt->name);
        tr_out_str(out, "\": ");
        switch (opt->kind) {
        case VALUE_BOOL:
            tr_out_str(out, *(const bool *)field ? "true" : "false");
            break;
        case VALUE_CHOICE: {
            size_t i = opt->choice_size == sizeof(bool)
                           ? (size_t)*(const bool *)field
                           : (size_t)*(const mt_output *)field;
            tr_out_json_str(out, opt->choices[i]);
            break;
        }
        case VALUE_FILE:
        case VALUE_GLOBS: {
            const char *text = *(char *const *)field;
            if (text != NULL) tr_out_json_str(out, text);
            else tr_out_str(out, "null");
            break;
        }
        case VALUE_COUNT: {
            unsigned n = *(const unsigned *)field;
            if (n != 0) tr_out_u64(out, n);
            else tr_out_str(out, "null");
            break;
        }
        case VALUE_SIZE: tr_out_u64(out, *(const size_t *)field); break;
        case VALUE_SEED: {
            uint64_t n = *(const uint64_t *)field;
            if (n != 0) tr_out_u64(out, n);
            else tr_out_str(out, "null");
            break;
        }
        }
    }
    tr_out_str(out, "}");
}
