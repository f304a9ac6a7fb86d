/*
 * report.c -- reading a JSON report with jansson (see report.h).  Every
 * value is checked for its type where it is read, and a wrong one is named
 * by its place in the report ("sites[3].count"), so a bad report gives one
 * line that says what is wrong and where.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "msg.h"
#include "status.h"

/* Reports a value of the wrong type at `where`.`key`. */
static int type_error(const Report *report, const char *where, const char *key,
                      const char *expected) {
    return msg_error(STATUS_DATA, "%s: %s%s%s is not %s", report->source, where,
                     where[0] != '\0' && key[0] != '\0' ? "." : "", key, expected);
}

/* What a number of the report may be.  The tracer writes counts and sizes
 * as whole numbers (exact in a double up to 2^53), ratios and times to one
 * decimal, lines and exit statuses as C ints, seeds as 64-bit numbers:
 * anything else is no tracer's, and a figure beyond 2^53 would make sums
 * and percentages overflow to inf. */
typedef struct {
    double min, max;
    bool whole;
    const char *text;  /* what it must be, for the message */
} Bounds;

static const Bounds count_bounds = {0, 0x1p53, true, "a whole number from 0 to 2^53"};
static const Bounds ratio_bounds = {0, 0x1p53, false, "a number from 0 to 2^53"};
static const Bounds seed_bounds = {0, 0x1p64, true, "a whole number from 0 to 2^64 - 1"};
static const Bounds int_bounds = {INT_MIN, INT_MAX, true,
                                  "a whole number from -2147483648 to 2147483647"};

/* Reads a number within `bounds`; absent or null leaves it unknown. */
static int read_bounded(const Report *report, json_t *object, const char *key,
                        const char *where, const Bounds *bounds, Figure *figure) {
    json_t *value = json_object_get(object, key);
    figure->known = false;
    figure->value = 0;
    if (value == NULL || json_is_null(value)) return STATUS_OK;
    if (!json_is_number(value)) return type_error(report, where, key, "a number");
    double number = json_number_value(value);
    if (!(number >= bounds->min && number <= bounds->max) ||
        (bounds->whole && number != floor(number))) {
        /* Shown as written when whole ("9007199254740994"), else short. */
        char *shown = number == floor(number) && fabs(number) < 1e17
                          ? str_printf("%.0f", number)
                          : str_printf("%.15g", number);
        int status = msg_error(STATUS_DATA, "%s: %s%s%s is %s, not %s", report->source, where,
                               where[0] != '\0' ? "." : "", key, shown, bounds->text);
        free(shown);
        return status;
    }
    figure->value = number;
    figure->known = true;
    return STATUS_OK;
}

/* Reads a count or a size; absent or null leaves it unknown. */
static int read_figure(const Report *report, json_t *object, const char *key,
                       const char *where, Figure *figure) {
    return read_bounded(report, object, key, where, &count_bounds, figure);
}

/* Reads a whole number within `bounds`; absent or null gives `fallback`. */
static int read_long(const Report *report, json_t *object, const char *key,
                     const char *where, const Bounds *bounds, long fallback, long *out) {
    Figure figure;
    int status = read_bounded(report, object, key, where, bounds, &figure);
    *out = figure.known ? (long)figure.value : fallback;
    return status;
}

/* Reads a string into a new copy; absent or null gives a copy of
 * `fallback`, or NULL when that is NULL. */
static int read_string(const Report *report, json_t *object, const char *key,
                       const char *where, const char *fallback, char **out) {
    json_t *value = json_object_get(object, key);
    *out = NULL;
    if (value == NULL || json_is_null(value)) {
        if (fallback != NULL) *out = str_dup(fallback);
        return STATUS_OK;
    }
    if (!json_is_string(value)) return type_error(report, where, key, "a string");
    *out = str_dup(json_string_value(value));
    return STATUS_OK;
}

/* The member `key` when it is an object (or array, when `array`); NULL
 * when absent or null; an error when of another type. */
static int read_member(const Report *report, json_t *object, const char *key,
                       const char *where, bool array, json_t **out) {
    json_t *value = json_object_get(object, key);
    *out = NULL;
    if (value == NULL || json_is_null(value)) return STATUS_OK;
    if (array ? !json_is_array(value) : !json_is_object(value))
        return type_error(report, where, key, array ? "an array" : "an object");
    *out = value;
    return STATUS_OK;
}

static int read_frame(const Report *report, json_t *json, const char *where, Frame *frame) {
    int status;
    if (!json_is_object(json)) return type_error(report, where, "", "an object");
    if ((status = read_string(report, json, "function", where, "", &frame->function)) ||
        (status = read_string(report, json, "file", where, "", &frame->file)) ||
        (status = read_long(report, json, "line", where, &int_bounds, 0, &frame->line)) ||
        (status = read_long(report, json, "repeat", where, &count_bounds, 1, &frame->repeat)))
        return status;
    if (frame->repeat < 1) frame->repeat = 1;
    return STATUS_OK;
}

static int read_stack(const Report *report, json_t *json, const char *where, Stack *stack) {
    int status;
    json_t *frames;
    if (!json_is_object(json)) return type_error(report, where, "", "an object");
    if ((status = read_figure(report, json, "count", where, &stack->count)) ||
        (status = read_figure(report, json, "blocks", where, &stack->blocks)) ||
        (status = read_figure(report, json, "bytes", where, &stack->bytes)) ||
        (status = read_long(report, json, "truncated_frames", where, &count_bounds, 0,
                            &stack->truncated_frames)) ||
        (status = read_member(report, json, "frames", where, true, &frames)))
        return status;
    if (frames == NULL) return STATUS_OK;
    stack->frame_count = json_array_size(frames);
    stack->frames = mem_calloc(stack->frame_count, sizeof(Frame));
    for (size_t i = 0; i < stack->frame_count; i++) {
        char *here = str_printf("%s.frames[%zu]", where, i);
        status = read_frame(report, json_array_get(frames, i), here, &stack->frames[i]);
        free(here);
        if (status) return status;
    }
    return STATUS_OK;
}

static int read_retainer(const Report *report, json_t *json, const char *where,
                         Retainer *retainer) {
    int status;
    json_t *path;
    if (!json_is_object(json)) return type_error(report, where, "", "an object");
    if ((status = read_figure(report, json, "count", where, &retainer->count)) ||
        (status = read_figure(report, json, "blocks", where, &retainer->blocks)) ||
        (status = read_figure(report, json, "bytes", where, &retainer->bytes)) ||
        (status = read_member(report, json, "path", where, true, &path)))
        return status;
    if (path == NULL) return STATUS_OK;
    retainer->path = mem_calloc(json_array_size(path), sizeof(char *));
    for (size_t i = 0; i < json_array_size(path); i++) {
        json_t *step = json_array_get(path, i);
        if (!json_is_string(step)) {
            char *here = str_printf("%s.path[%zu]", where, i);
            status = type_error(report, here, "", "a string");
            free(here);
            return status;
        }
        retainer->path[retainer->path_length++] = str_dup(json_string_value(step));
    }
    return STATUS_OK;
}

static int read_site(const Report *report, json_t *json, const char *where, Site *site) {
    int status;
    json_t *stacks, *retainers;
    if (!json_is_object(json)) return type_error(report, where, "", "an object");
    if ((status = read_string(report, json, "file", where, "", &site->file)) ||
        (status = read_string(report, json, "function", where, "", &site->function)) ||
        (status = read_string(report, json, "type", where, "", &site->type)) ||
        (status = read_string(report, json, "kind", where, "", &site->kind)) ||
        (status = read_string(report, json, "phase", where, "run", &site->phase)) ||
        (status = read_long(report, json, "line", where, &int_bounds, 0, &site->line)))
        return status;
    for (int i = 0; i < SITE_FIGURE_COUNT; i++)
        if ((status = read_bounded(report, json, site_figures[i].key, where,
                                   site_figures[i].is_average ? &ratio_bounds : &count_bounds,
                                   &site->figures[i])))
            return status;
    Figure *average = &site->figures[SITE_AVERAGE_SIZE];
    const Figure *bytes = &site->figures[SITE_BYTES], *blocks = &site->figures[SITE_BLOCKS];
    if (!average->known && bytes->known && blocks->known && blocks->value > 0)
        *average = (Figure){bytes->value / blocks->value, true};

    if ((status = read_member(report, json, "stacks", where, true, &stacks)) ||
        (status = read_member(report, json, "retainers", where, true, &retainers)))
        return status;
    if (stacks != NULL) {
        site->stack_count = json_array_size(stacks);
        site->stacks = mem_calloc(site->stack_count, sizeof(Stack));
        for (size_t i = 0; i < site->stack_count; i++) {
            char *here = str_printf("%s.stacks[%zu]", where, i);
            status = read_stack(report, json_array_get(stacks, i), here, &site->stacks[i]);
            free(here);
            if (status) return status;
        }
    }
    if (retainers != NULL) {
        site->retainer_count = json_array_size(retainers);
        site->retainers = mem_calloc(site->retainer_count, sizeof(Retainer));
        for (size_t i = 0; i < site->retainer_count; i++) {
            char *here = str_printf("%s.retainers[%zu]", where, i);
            status = read_retainer(report, json_array_get(retainers, i), here,
                                   &site->retainers[i]);
            free(here);
            if (status) return status;
        }
    }
    return STATUS_OK;
}

static int read_timeline(Report *report, json_t *json) {
    int status;
    json_t *points, *peak;
    Timeline *timeline = &report->timeline;
    if ((status = read_member(report, json, "points", "timeline", true, &points)) ||
        (status = read_member(report, json, "peak", "timeline", false, &peak)))
        return status;
    timeline->present = true;
    if (points != NULL) {
        timeline->points = mem_calloc(json_array_size(points), sizeof(TimelinePoint));
        for (size_t i = 0; i < json_array_size(points); i++) {
            json_t *point = json_array_get(points, i);
            TimelinePoint *at = &timeline->points[i];
            char *here = str_printf("timeline.points[%zu]", i);
            if (!json_is_object(point))
                status = type_error(report, here, "", "an object");
            else if (!(status = read_figure(report, point, "bytes_allocated", here,
                                            &at->bytes_allocated)) &&
                     !(status = read_figure(report, point, "allocations", here,
                                            &at->allocations)) &&
                     !(status = read_figure(report, point, "live_bytes", here,
                                            &at->live_bytes)) &&
                     !(status = read_bounded(report, point, "time_ms", here, &ratio_bounds,
                                             &at->time_ms)))
                status = read_figure(report, point, "gc_cycles", here, &at->gc_cycles);
            free(here);
            if (status) return status;
            timeline->point_count++;
        }
    }
    if (peak != NULL) {
        timeline->has_peak = true;
        if ((status = read_figure(report, peak, "bytes_allocated", "timeline.peak",
                                  &timeline->peak_bytes_allocated)) ||
            (status = read_figure(report, peak, "live_bytes", "timeline.peak",
                                  &timeline->peak_live_bytes)) ||
            (status = read_bounded(report, peak, "time_ms", "timeline.peak", &ratio_bounds,
                                   &timeline->peak_time_ms)))
            return status;
    }
    return STATUS_OK;
}

/* A seed as the report writes it, exactly: jansson holds a JSON integer up
 * to 2^63 - 1 exactly; above that, the report is read with integers as
 * doubles (see report_load), exact only up to 2^53.  NULL when there is
 * no seed or it cannot be read exactly. */
static char *seed_text(const json_t *seed) {
    if (json_is_integer(seed)) return str_printf("%lld", (long long)json_integer_value(seed));
    if (!json_is_real(seed)) return NULL;
    double value = json_real_value(seed);
    if (value < 0 || value != floor(value) || value > 9007199254740992.0) return NULL;
    return str_printf("%.0f", value);
}

/* Unused bytes (storage reserved and never used) are on a site only when
 * there are some: with the summary's unused_bytes in the report, a site
 * without them has none.  A sampled run does not estimate them: the
 * tracer leaves them off its sites and writes the summary's as 0, which is
 * no measure, so they are unavailable there. */
static void unused_settle(Report *report) {
    Figure *summary = &report->summary[SUMMARY_UNUSED_BYTES];
    if (report->sampled) {
        *summary = (Figure){0, false};
        return;
    }
    if (!summary->known) return;
    for (size_t i = 0; i < report->site_count; i++) {
        Figure *unused = &report->sites[i].figures[SITE_UNUSED_BYTES];
        if (!unused->known) *unused = (Figure){0, true};
    }
}

/* Checks `format` and `version`, before anything else is read. */
static int check_identity(Report *report, json_t *root) {
    json_t *format = json_object_get(root, "format");
    if (!json_is_string(format) || strcmp(json_string_value(format), "memtracer") != 0)
        return msg_error(STATUS_DATA, "%s: not a memtracer report (no \"format\": \"memtracer\")",
                         report->source);
    json_t *version = json_object_get(root, "version");
    double number = json_is_number(version) ? json_number_value(version) : NAN;
    if (!(number == floor(number) && fabs(number) < 1e15))
        return msg_error(STATUS_DATA, "%s: the report's \"version\" is missing or not an integer",
                         report->source);
    long long major = (long long)number;
    if (major != REPORT_VERSION)
        return msg_error(STATUS_DATA,
                         "%s: report version %lld is not supported (this memtracer reads "
                         "version %d)",
                         report->source, (long long)major, REPORT_VERSION);
    report->version = (long)major;
    return STATUS_OK;
}

static int read_top(Report *report, json_t *root) {
    int status;
    json_t *summary, *sites, *sampling, *exit_info, *timeline;
    if ((status = check_identity(report, root)) ||
        (status = read_string(report, root, "language", "", NULL, &report->language)) ||
        (status = read_string(report, root, "program", "", NULL, &report->program)) ||
        (status = read_member(report, root, "summary", "", false, &summary)) ||
        (status = read_member(report, root, "sites", "", true, &sites)) ||
        (status = read_member(report, root, "sampling", "", false, &sampling)) ||
        (status = read_member(report, root, "exit", "", false, &exit_info)) ||
        (status = read_member(report, root, "timeline", "", false, &timeline)))
        return status;
    if (summary == NULL) return msg_error(STATUS_DATA, "%s: the report has no summary", report->source);
    if (sites == NULL) return msg_error(STATUS_DATA, "%s: the report has no sites", report->source);

    for (int i = 0; i < SUMMARY_FIGURE_COUNT; i++)
        if ((status = read_bounded(report, summary, summary_figures[i].key, "summary",
                                   summary_figures[i].is_average ? &ratio_bounds : &count_bounds,
                                   &report->summary[i])))
            return status;
    Figure *average = &report->summary[SUMMARY_AVERAGE_SIZE];
    const Figure *bytes = &report->summary[SUMMARY_BYTES];
    const Figure *blocks = &report->summary[SUMMARY_BLOCKS];
    if (!average->known && bytes->known && blocks->known && blocks->value > 0)
        *average = (Figure){bytes->value / blocks->value, true};
    json_t *degraded = json_object_get(summary, "degraded");
    report->degraded = json_is_true(degraded);

    if (sampling != NULL) {
        report->sampled = true;
        if ((status = read_figure(report, sampling, "bytes", "sampling",
                                  &report->sample_bytes)) ||
            (status = read_bounded(report, sampling, "seed", "sampling", &seed_bounds,
                                   &report->seed)))
            return status;
        report->seed_text = seed_text(json_object_get(sampling, "seed"));
    }
    if (exit_info != NULL) {
        report->has_exit = true;
        if ((status = read_bounded(report, exit_info, "status", "exit", &int_bounds,
                                   &report->exit_status)) ||
            (status = read_string(report, exit_info, "reason", "exit", NULL,
                                  &report->exit_reason)) ||
            (status = read_string(report, exit_info, "signal", "exit", NULL,
                                  &report->exit_signal)))
            return status;
    }
    if (timeline != NULL && (status = read_timeline(report, timeline))) return status;

    report->sites = mem_calloc(json_array_size(sites), sizeof(Site));
    for (size_t i = 0; i < json_array_size(sites); i++) {
        char *here = str_printf("sites[%zu]", i);
        /* Counted first, so that report_free frees a half-read site too. */
        report->site_count++;
        status = read_site(report, json_array_get(sites, i), here, &report->sites[i]);
        free(here);
        if (status) return status;
    }
    unused_settle(report);
    return STATUS_OK;
}

int report_load(const char *path, Report *report) {
    memset(report, 0, sizeof *report);
    report->source = str_dup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    FILE *file = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (file == NULL)
        return msg_error(STATUS_NO_INPUT, "cannot open %s: %s", path, strerror(errno));
    struct stat info;
    if (fstat(fileno(file), &info) == 0 && S_ISDIR(info.st_mode)) {
        fclose(file);
        return msg_error(STATUS_NO_INPUT, "cannot open %s: %s", path, strerror(EISDIR));
    }
    size_t length = 0, capacity = 65536;
    char *text = mem_alloc(capacity);
    for (size_t got; (got = fread(text + length, 1, capacity - length, file)) > 0;) {
        length += got;
        if (length == capacity) text = mem_grow(text, capacity *= 2, 1);
    }
    int read_failed = ferror(file);
    if (file != stdin) fclose(file);
    if (read_failed) {
        free(text);
        return msg_error(STATUS_NO_INPUT, "cannot read %s", report->source);
    }
    /* A seed is a 64-bit number; jansson reads integers up to 2^63 - 1.
     * Beyond, every integer is read as a double: a figure is one anyway,
     * exact up to 2^53.  A name may hold a NUL (\u0000): the tracer
     * writes a VM's names whole; the tools see them up to it. */
    json_error_t error;
    const size_t flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
    json_t *root = json_loadb(text, length, flags, &error);
    if (root == NULL && json_error_code(&error) == json_error_numeric_overflow)
        root = json_loadb(text, length, flags | JSON_DECODE_INT_AS_REAL, &error);
    free(text);
    if (root == NULL)
        return msg_error(STATUS_DATA, "%s: not valid JSON: %s (line %d, column %d)",
                         report->source, error.text, error.line, error.column);
    int status = json_is_object(root)
                     ? read_top(report, root)
                     : msg_error(STATUS_DATA, "%s: not a memtracer report (not a JSON object)",
                                 report->source);
    json_decref(root);
    return status;
}

static void frame_free(Frame *frame) {
    free(frame->function);
    free(frame->file);
}

static void site_free(Site *site) {
    for (size_t i = 0; i < site->stack_count; i++) {
        Stack *stack = &site->stacks[i];
        for (size_t f = 0; f < stack->frame_count; f++) frame_free(&stack->frames[f]);
        free(stack->frames);
    }
    free(site->stacks);
    for (size_t i = 0; i < site->retainer_count; i++) {
        for (size_t p = 0; p < site->retainers[i].path_length; p++)
            free(site->retainers[i].path[p]);
        free(site->retainers[i].path);
    }
    free(site->retainers);
    free(site->file);
    free(site->function);
    free(site->type);
    free(site->kind);
    free(site->phase);
}

void report_free(Report *report) {
    for (size_t i = 0; i < report->site_count; i++) site_free(&report->sites[i]);
    free(report->sites);
    free(report->timeline.points);
    free(report->source);
    free(report->language);
    free(report->program);
    free(report->exit_reason);
    free(report->exit_signal);
    free(report->seed_text);
    memset(report, 0, sizeof *report);
}

Figure report_sites_total(const Report *report, SiteFigure figure) {
    Figure total = {0, true};
    for (size_t i = 0; i < report->site_count; i++)
        figure_add(&total, report->sites[i].figures[figure]);
    return total;
}

char *site_place(const Site *site) {
    if (site->line > 0) return str_printf("%s:%ld %s", site->file, site->line, site->function);
    if (site->function[0] == '\0') return str_dup(site->file[0] != '\0' ? site->file : "?");
    if (strcmp(site->function, site->file) == 0 || site->file[0] == '\0')
        return str_dup(site->function);
    if (strncmp(site->function, site->file, strlen(site->file)) == 0)
        return str_dup(site->function);
    return str_printf("%s %s", site->file, site->function);
}

char *report_sampling_text(const Report *report) {
    if (!report->sampled) return str_dup("exact");
    char *per = report->sample_bytes.known
                    ? str_printf("one sample per %.0f bytes on average", report->sample_bytes.value)
                    : str_dup("sampled");
    char *text = report->seed_text != NULL ? str_printf("%s, seed %s", per, report->seed_text)
                                           : str_dup(per);
    free(per);
    return text;
}

char *report_describe(const Report *report) {
    const char *program = report->program != NULL ? report->program : report->source;
    if (report->language == NULL) return str_dup(program);
    return str_printf("%s (%s)", program, report->language);
}
