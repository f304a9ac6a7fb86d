/*
 * gate.c -- `memtracer gate`: a report against a budget (see gate.h).
 *
 * Each entry counts the sites of its phases (what ran, unless the budget
 * says otherwise; see phase.h): a summary entry the figures of those
 * phases, a type's or a function's the sums over its sites of them.  A
 * budget site is paired with the report's sites by site_match, as compare
 * pairs two reports, so a budget survives lines inserted above its sites.
 * A type, function or site the report does not have allocated nothing: its
 * figures are 0.  A figure the report lacks is not checked, and said so,
 * rather than failed.  A sampled report's figures are estimates: a limit
 * checked against one says so ("~"), and so does the verdict.
 */
#include "gate.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "budget.h"
#include "cli.h"
#include "msg.h"
#include "output.h"
#include "phase.h"
#include "report.h"
#include "site_match.h"
#include "status.h"
#include "units.h"

static const char gate_usage[] =
    "usage: memtracer gate REPORT.json BUDGET.yaml [--write [--exact]]\n"
    "\n"
    "Checks the report against the budget's limits (summary, per type, per\n"
    "function, per site, per phase) and prints each one exceeded with the\n"
    "budget's FILE:LINE.  What ran is counted unless the budget says another\n"
    "phase.  The budget's schema is in docs/tools.md.  A sampled report's\n"
    "figures are estimates: marked ~, and the verdict says so.\n"
    "\n"
    "  --write     write BUDGET.yaml from the report instead: what ran (its summary,\n"
    "              types and functions) and each phase's summary, each figure a\n"
    "              limit at the report's value\n"
    "  --exact     with --write: make every figure exact (exact: true)\n"
    "  -h, --help  this text\n"
    "\n"
    "Exit status: 0 every limit met, 1 a limit exceeded, 64 usage, 65 a malformed\n"
    "report or budget, 66 an input cannot be opened, 74 the budget cannot be written.\n";

/* A report's figures for one budget entry: SiteFigure-indexed, or
 * SummaryFigure-indexed for the summary. */
typedef struct {
    Figure figures[(int)SUMMARY_FIGURE_COUNT > (int)SITE_FIGURE_COUNT ? (int)SUMMARY_FIGURE_COUNT
                                                                      : (int)SITE_FIGURE_COUNT];
    const Site *site;  /* a budget site's counterpart, or NULL */
} Actual;

/* Sums the figures of the sites `entry` names (a type or a function) in
 * its phases. */
static void sites_sum(const Report *report, const BudgetEntry *entry, Actual *actual) {
    for (int f = 0; f < SITE_FIGURE_COUNT; f++) actual->figures[f] = (Figure){0, true};
    for (size_t i = 0; i < report->site_count; i++) {
        const Site *site = &report->sites[i];
        if (!phase_set_has(entry->phases, site)) continue;
        if (entry->scope == SCOPE_TYPE && strcmp(site->type, entry->name) != 0) continue;
        if (entry->scope == SCOPE_FUNCTION &&
            (strcmp(site->function, entry->name) != 0 ||
             (entry->file != NULL && strcmp(site->file, entry->file) != 0)))
            continue;
        for (int f = 0; f < SITE_FIGURE_COUNT; f++) figure_add(&actual->figures[f], site->figures[f]);
    }
    Figure bytes = actual->figures[SITE_BYTES], blocks = actual->figures[SITE_BLOCKS];
    actual->figures[SITE_AVERAGE_SIZE] =
        (Figure){blocks.known && blocks.value > 0 ? bytes.value / blocks.value : 0,
                 bytes.known && blocks.known};
}

/* Pairs the budget's sites with the report's, as compare pairs sites. */
static void sites_pair(const Report *report, const Budget *budget, Actual *actuals) {
    size_t count = 0;
    for (size_t i = 0; i < budget->entry_count; i++) count += budget->entries[i].scope == SCOPE_SITE;
    if (count == 0) return;
    Site *wanted = mem_calloc(count, sizeof(Site));
    size_t *entry_of = mem_calloc(count, sizeof(size_t));
    size_t n = 0;
    for (size_t i = 0; i < budget->entry_count; i++) {
        const BudgetEntry *entry = &budget->entries[i];
        if (entry->scope != SCOPE_SITE) continue;
        wanted[n].file = entry->file;
        wanted[n].function = entry->function;
        wanted[n].type = entry->type;
        wanted[n].phase = phase_set_text(entry->phases);
        wanted[n].line = entry->site_line;
        entry_of[n++] = i;
    }
    size_t pair_count;
    SitePair *pairs = sites_match(wanted, count, report->sites, report->site_count, &pair_count);
    for (size_t p = 0; p < pair_count; p++)
        if (pairs[p].base != NULL) actuals[entry_of[pairs[p].base - wanted]].site = pairs[p].head;
    free(pairs);
    for (size_t i = 0; i < count; i++) free(wanted[i].phase);
    free(wanted);
    free(entry_of);
}

static char *entry_label(const BudgetEntry *entry, const Actual *actual, int figure) {
    char *phases = phase_set_text(entry->phases);
    char *label;
    switch (entry->scope) {
    case SCOPE_SUMMARY:
        label = str_printf("summary (%s) %s",
                           summary_figures[figure].whole_program && entry->phases != PHASE_ALL
                               ? "whole program"
                               : phases,
                           summary_figures[figure].key);
        break;
    case SCOPE_TYPE:
        label = str_printf("type %s (%s) %s", entry->name, phases, site_figures[figure].key);
        break;
    case SCOPE_FUNCTION:
        if (entry->file != NULL)
            label = str_printf("function %s (%s, %s) %s", entry->name, entry->file, phases,
                               site_figures[figure].key);
        else
            label = str_printf("function %s (%s) %s", entry->name, phases, site_figures[figure].key);
        break;
    case SCOPE_SITE:
        if (actual->site != NULL && actual->site->line != entry->site_line)
            label = str_printf("site %s:%ld (now line %ld) %s %s (%s) %s", entry->file,
                               entry->site_line, actual->site->line, entry->function, entry->type,
                               phases, site_figures[figure].key);
        else
            label = str_printf("site %s:%ld %s %s (%s) %s", entry->file, entry->site_line,
                               entry->function, entry->type, phases, site_figures[figure].key);
        break;
    default:
        label = str_dup("?");
    }
    free(phases);
    return label;
}

/* "1047264 (1023 KiB)" for sizes, the number otherwise. */
static char *amount_text(double value, bool is_bytes, bool estimate) {
    char *number = figure_text((Figure){value, true}, estimate);
    if (!is_bytes || fabs(value) < 1024) return number;
    char *size = size_text(value);
    char *text = str_printf("%s (%s)", number, size);
    free(number);
    free(size);
    return text;
}

typedef struct {
    size_t checked, exceeded, unavailable;
    size_t estimated;  /* limits checked against an estimate */
} GateCounts;

static void limit_check(const Budget *budget, const Report *report, const BudgetEntry *entry,
                        const Actual *actual, const BudgetLimit *limit, GateCounts *counts) {
    Figure figure = actual->figures[limit->figure];
    if (entry->scope == SCOPE_SITE) {
        figure = actual->site != NULL ? actual->site->figures[limit->figure] : (Figure){0, true};
    }
    const FigureInfo *info = entry->scope == SCOPE_SUMMARY ? &summary_figures[limit->figure]
                                                           : &site_figures[limit->figure];
    bool is_bytes = info->is_bytes;
    bool estimate = figure_estimated(info, report->sampled);
    char *label = entry_label(entry, actual, limit->figure);
    if (!figure.known) {
        counts->unavailable++;
        printf("%s:%ld: %s is unavailable in %s: not checked\n", budget->source, limit->line,
               label, report->source);
        free(label);
        return;
    }
    counts->checked++;
    counts->estimated += estimate;
    /* An average is met as the report holds and shows it: to one decimal,
     * as its limit is read. */
    if (info->is_average) figure.value = decimal_round(figure.value);
    bool broken = limit->exact ? figure.value != limit->value : figure.value > limit->value;
    if (broken) {
        counts->exceeded++;
        char *actual_text = amount_text(figure.value, is_bytes, estimate);
        char *limit_text = amount_text(limit->value, is_bytes, false);
        if (limit->exact) {
            printf("%s:%ld: %s is %s, not exactly %s\n", budget->source, limit->line, label,
                   actual_text, limit_text);
        } else {
            char *over = amount_text(figure.value - limit->value, is_bytes, estimate);
            printf("%s:%ld: %s is %s, over its limit %s by %s\n", budget->source, limit->line,
                   label, actual_text, limit_text, over);
            free(over);
        }
        free(actual_text);
        free(limit_text);
    }
    free(label);
}

static int budget_check(const char *report_path, const char *budget_path) {
    Report report;
    Budget budget;
    int status = report_load(report_path, &report);
    if (status == STATUS_OK) status = budget_load(budget_path, &budget);
    else memset(&budget, 0, sizeof budget);
    if (status != STATUS_OK) {
        report_free(&report);
        budget_free(&budget);
        return status;
    }
    Actual *actuals = mem_calloc(budget.entry_count, sizeof(Actual));
    sites_pair(&report, &budget, actuals);
    GateCounts counts = {0, 0, 0, 0};
    for (size_t i = 0; i < budget.entry_count; i++) {
        const BudgetEntry *entry = &budget.entries[i];
        if (entry->scope == SCOPE_SUMMARY) {
            phase_figures(&report, entry->phases, actuals[i].figures);
        } else if (entry->scope != SCOPE_SITE) {
            sites_sum(&report, entry, &actuals[i]);
        }
        for (size_t l = 0; l < entry->limit_count; l++)
            limit_check(&budget, &report, entry, &actuals[i], &entry->limits[l], &counts);
    }
    if (report.sampled) {
        char *how = report_sampling_text(&report);
        printf("The report was sampled (%s): its figures are estimates, marked ~, so a limit "
               "may pass or fail by sampling's error; unused bytes are not estimated.\n",
               how);
        free(how);
    }
    char *run = report_describe(&report);
    const char *estimates = counts.estimated > 0 ? ", on estimates" : "";
    if (counts.exceeded > 0)
        printf("FAIL: %zu of %zu limits exceeded%s: %s against %s\n", counts.exceeded,
               counts.checked, estimates, run, budget.source);
    else
        printf("PASS: %zu limits met%s: %s against %s\n", counts.checked, estimates, run,
               budget.source);
    free(run);
    free(actuals);
    status = counts.exceeded > 0 ? STATUS_REGRESSION : STATUS_OK;
    report_free(&report);
    budget_free(&budget);
    return cli_finish_stdout(status);
}

/* --write: a budget from the report, with libyaml's emitter. */

typedef struct {
    yaml_emitter_t emitter;
    bool failed;
    size_t limits;
} Writer;

static void emit(Writer *writer, yaml_event_t *event) {
    if (!writer->failed && !yaml_emitter_emit(&writer->emitter, event)) writer->failed = true;
}

static void emit_scalar(Writer *writer, const char *text) {
    yaml_event_t event;
    yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
                                 YAML_ANY_SCALAR_STYLE);
    emit(writer, &event);
}

static void emit_mapping_start(Writer *writer, bool flow) {
    yaml_event_t event;
    yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
                                        flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
    emit(writer, &event);
}

static void emit_mapping_end(Writer *writer) {
    yaml_event_t event;
    yaml_mapping_end_event_initialize(&event);
    emit(writer, &event);
}

static void emit_figure(Writer *writer, const char *name, Figure figure) {
    if (!figure.known) return;
    char *value = number_text(round(figure.value));
    emit_scalar(writer, name);
    emit_scalar(writer, value);
    free(value);
    writer->limits++;
}

static int name_compare(const void *left, const void *right) {
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* The distinct types or functions of the report's sites of `phases`,
 * sorted. */
static char **names_distinct(const Report *report, BudgetScope scope, PhaseSet phases,
                             size_t *count) {
    char **names = mem_calloc(report->site_count + 1, sizeof(char *));
    size_t listed = 0;
    for (size_t i = 0; i < report->site_count; i++)
        if (phase_set_has(phases, &report->sites[i]))
            names[listed++] = scope == SCOPE_TYPE ? report->sites[i].type : report->sites[i].function;
    qsort(names, listed, sizeof(char *), name_compare);
    size_t distinct = 0;
    for (size_t i = 0; i < listed; i++)
        if (distinct == 0 || strcmp(names[distinct - 1], names[i]) != 0) names[distinct++] = names[i];
    *count = distinct;
    return names;
}

/* Whether the type has objects (rather than being storage, whose count is
 * always 0). */
static bool type_has_objects(const Report *report, const char *type) {
    for (size_t i = 0; i < report->site_count; i++)
        if (strcmp(report->sites[i].type, type) == 0 && strcmp(report->sites[i].kind, "storage") != 0)
            return true;
    return false;
}

static void emit_named(Writer *writer, const Report *report, BudgetScope scope, PhaseSet phases) {
    size_t count;
    char **names = names_distinct(report, scope, phases, &count);
    if (count > 0) {
        emit_scalar(writer, scope == SCOPE_TYPE ? "types" : "functions");
        emit_mapping_start(writer, false);
        for (size_t i = 0; i < count; i++) {
            BudgetEntry entry = {.scope = scope, .name = names[i], .phases = phases};
            Actual actual;
            sites_sum(report, &entry, &actual);
            emit_scalar(writer, names[i]);
            emit_mapping_start(writer, true);
            emit_figure(writer, "bytes", actual.figures[SITE_BYTES]);
            if (scope == SCOPE_FUNCTION || type_has_objects(report, names[i]))
                emit_figure(writer, "count", actual.figures[SITE_COUNT]);
            emit_figure(writer, "blocks", actual.figures[SITE_BLOCKS]);
            emit_figure(writer, "live", actual.figures[SITE_LIVE_BYTES]);
            emit_figure(writer, "peak", actual.figures[SITE_PEAK_BYTES]);
            emit_mapping_end(writer);
        }
        emit_mapping_end(writer);
    }
    free(names);
}

/* The summary figures a written budget limits, of `phases`. */
static void emit_summary(Writer *writer, const Report *report, PhaseSet phases, bool flow) {
    Figure figures[SUMMARY_FIGURE_COUNT];
    phase_figures(report, phases, figures);
    emit_mapping_start(writer, flow);
    emit_figure(writer, "peak", figures[SUMMARY_PEAK_BYTES]);
    emit_figure(writer, "bytes", figures[SUMMARY_BYTES]);
    emit_figure(writer, "allocations", figures[SUMMARY_ALLOCATIONS]);
    emit_figure(writer, "blocks", figures[SUMMARY_BLOCKS]);
    emit_figure(writer, "live", figures[SUMMARY_LIVE_BYTES]);
    emit_figure(writer, "live_allocations", figures[SUMMARY_LIVE_ALLOCATIONS]);
    emit_mapping_end(writer);
}

static int yaml_write_handler(void *data, unsigned char *buffer, size_t size) {
    return fwrite(buffer, 1, size, data) == size;
}

static int budget_write(const char *report_path, const char *budget_path, bool exact) {
    Report report;
    int status = report_load(report_path, &report);
    if (status != STATUS_OK) {
        report_free(&report);
        return status;
    }
    Output output;
    if ((status = output_open(&output, budget_path)) != STATUS_OK) {
        report_free(&report);
        return status;
    }
    char *run = report_describe(&report);
    fprintf(output.file,
            "# memtracer budget, written by `memtracer gate --write` from %s\n"
            "# (%s).  %s; see docs/tools.md for the schema.\n"
            "# summary, types and functions count what ran (phase: run); phases:\n"
            "# holds start-up's and compile's figures, and all: the whole program's.\n",
            report.source, run,
            exact ? "Every figure must be met exactly"
                  : "Each figure is a limit: the run may use that much, no more");
    if (report.sampled) {
        char *how = report_sampling_text(&report);
        fprintf(output.file, "# The report was sampled (%s): its figures are estimates.\n", how);
        free(how);
    }
    free(run);

    Writer writer = {.failed = false, .limits = 0};
    yaml_event_t event;
    yaml_emitter_initialize(&writer.emitter);
    yaml_emitter_set_output(&writer.emitter, yaml_write_handler, output.file);
    yaml_emitter_set_unicode(&writer.emitter, 1);
    yaml_emitter_set_width(&writer.emitter, -1);
    yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
    emit(&writer, &event);
    yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1);
    emit(&writer, &event);
    emit_mapping_start(&writer, false);
    if (exact) {
        emit_scalar(&writer, "exact");
        emit_scalar(&writer, "true");
    }
    emit_scalar(&writer, "phase");
    emit_scalar(&writer, "run");
    emit_scalar(&writer, "summary");
    emit_summary(&writer, &report, PHASE_RUN, false);
    emit_named(&writer, &report, SCOPE_TYPE, PHASE_RUN);
    emit_named(&writer, &report, SCOPE_FUNCTION, PHASE_RUN);
    emit_scalar(&writer, "phases");
    emit_mapping_start(&writer, false);
    for (int i = 0; i < PHASE_NAMED_COUNT; i++) {
        if (phase_named[i] == PHASE_RUN || !phase_set_present(&report, phase_named[i])) continue;
        char *name = phase_set_text(phase_named[i]);
        emit_scalar(&writer, name);
        free(name);
        emit_summary(&writer, &report, phase_named[i], true);
    }
    emit_scalar(&writer, "all");
    emit_summary(&writer, &report, PHASE_ALL, true);
    emit_mapping_end(&writer);
    emit_mapping_end(&writer);
    yaml_document_end_event_initialize(&event, 1);
    emit(&writer, &event);
    yaml_stream_end_event_initialize(&event);
    emit(&writer, &event);
    if (!writer.failed && !yaml_emitter_flush(&writer.emitter)) writer.failed = true;
    if (writer.failed)
        msg_error(STATUS_CANT_WRITE, "cannot write %s: %s", budget_path,
                  writer.emitter.problem != NULL ? writer.emitter.problem : "the YAML emitter failed");
    yaml_emitter_delete(&writer.emitter);
    status = output_close(&output, !writer.failed,
                          writer.failed ? STATUS_CANT_WRITE : STATUS_OK);
    if (status == STATUS_OK) {
        printf("Wrote %s: %zu figures from %s\n", budget_path, writer.limits, report.source);
        status = cli_finish_stdout(STATUS_OK);
    }
    report_free(&report);
    return status;
}

/* Whether writing the budget at `budget` would replace the report at
 * `report`: the same path, or the same regular file by another name (a
 * link, "./").  "-" is standard input as the report, standard output as
 * the budget. */
static bool file_same(const char *report, const char *budget) {
    bool report_std = strcmp(report, "-") == 0, budget_std = strcmp(budget, "-") == 0;
    if (!report_std && !budget_std && strcmp(report, budget) == 0) return true;
    struct stat report_info, budget_info;
    if ((report_std ? fstat(STDIN_FILENO, &report_info) : stat(report, &report_info)) != 0 ||
        (budget_std ? fstat(STDOUT_FILENO, &budget_info) : stat(budget, &budget_info)) != 0)
        return false;
    return S_ISREG(report_info.st_mode) && report_info.st_dev == budget_info.st_dev &&
           report_info.st_ino == budget_info.st_ino;
}

int gate_main(int argc, char **argv) {
    static const struct option long_options[] = {
        {"write", no_argument, NULL, 'w'},
        {"exact", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool write = false, exact = false;
    cli_reset();
    static const char short_options[] = "h";
    for (int option; (option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1;) {
        switch (option) {
        case 'w': write = true; break;
        case 'e': exact = true; break;
        case 'h': return cli_help(gate_usage);
        default: return cli_option_error(argv, "gate", short_options);
        }
    }
    if (exact && !write) return cli_usage_error("gate", "--exact goes with --write");
    if (argc - optind != 2)
        return cli_usage_error("gate", "needs REPORT.json and BUDGET.yaml");
    if (write && file_same(argv[optind], argv[optind + 1]))
        return cli_usage_error("gate", "%s is the report: --write would replace it",
                               argv[optind + 1]);
    if (write) return budget_write(argv[optind], argv[optind + 1], exact);
    return budget_check(argv[optind], argv[optind + 1]);
}
