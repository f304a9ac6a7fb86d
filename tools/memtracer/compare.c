/*
 * compare.c -- `memtracer compare`: the change in each summary figure and
 * per site, sites paired by site_match, sorted by impact (the absolute
 * change in bytes, then in blocks); what each site held at the peak;
 * --fail-above turns growth of chosen figures into exit status 1.  Plain
 * text, --json or --markdown.  This file is the command: its options, the
 * reports read, the exit status; the comparison itself is comparison.h's.
 *
 * What is compared is the phases chosen with --phase (what ran, by
 * default; see phase.h): their figures, their sites.  The phases left out
 * are summed up in a line each, so that a change there is seen, not mixed
 * in.  Sites are paired across every phase, since a site's phase is part
 * of what it is.
 *
 * A sampled report's figures are estimates: each is marked "~" (on its
 * side, and in a change of which either side is one), and the notes say
 * which report was sampled and how.  An exact report against a sampled
 * one is compared with a warning, since their changes are partly
 * sampling's error; --fail-above refuses such a pair, whose verdict would
 * be as much sampling's as the program's.
 */
#include "compare.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "comparison.h"
#include "msg.h"
#include "phase.h"
#include "report.h"
#include "status.h"
#include "units.h"

static const char compare_usage[] =
    "usage: memtracer compare BASE.json HEAD.json [options]\n"
    "\n"
    "The change in each summary figure (peak, allocated bytes, allocations,\n"
    "blocks, average size, live at exit) and per site (new, gone, grown,\n"
    "shrunk), sites sorted by the absolute change in their bytes, then what\n"
    "each site held at the program's peak.  Sites are paired by file,\n"
    "function, type and phase, then by nearest line.  What ran is compared;\n"
    "the other phases (start-up, compile) are summed up in a line.\n"
    "\n"
    "  --phase P[,P]     the phases compared: run (default), start-up, compile,\n"
    "                    or all (the report's own summary)\n"
    "  --fail-above PCT  exit 1 when a chosen figure of those phases grew by more\n"
    "                    than PCT percent (growth from 0 counts as infinite)\n"
    "  --metric M[,M]    the figures --fail-above checks (default: peak,bytes):\n"
    "                    peak, bytes, allocations, blocks, live, live_allocations,\n"
    "                    live_blocks, average, unused (storage reserved and never\n"
    "                    used), or another summary key of the report\n"
    "  --top N           show at most N changed sites (default: all; 20 with --markdown;\n"
    "                    --json lists every site)\n"
    "  --json            machine-readable output\n"
    "  --markdown        a Markdown table, e.g. for a pull-request comment\n"
    "  -h, --help        this text\n"
    "\n"
    "A sampled report's figures are estimates, marked ~.  An exact report and a\n"
    "sampled one are compared with a warning; --fail-above refuses them.\n"
    "\n"
    "Exit status: 0 no regression, 1 a figure grew beyond --fail-above, 64 usage,\n"
    "65 a report is malformed or of an unknown version (or, with --fail-above, one\n"
    "is sampled and the other exact), 66 a report cannot be opened, 74 the output\n"
    "cannot be written.\n";

/* Reads the digits of a percentage cli_parse_percent accepted ("12.43",
 * "5%") as digits / scale, exactly when at most 18 digits. */
static void percent_parse(const char *text, CompareOptions *options) {
    uint64_t digits = 0, scale = 1;
    bool decimals = false;
    int count = 0;
    for (const char *c = text; *c != '\0' && *c != '%'; c++) {
        if (*c == '.') {
            decimals = true;
            continue;
        }
        if (++count > 18) {
            options->percent_exact = false;
            return;
        }
        digits = digits * 10 + (uint64_t)(*c - '0');
        if (decimals) scale *= 10;
    }
    options->percent_digits = digits;
    options->percent_scale = scale;
    options->percent_exact = true;
}

/* Reads "peak,bytes" into the metrics chosen. */
static int metrics_parse(const char *text, bool *metrics) {
    char *copy = str_dup(text), *save = NULL;
    int status = STATUS_OK;
    for (char *name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        int f = summary_figure_find(name);
        if (f < 0) {
            status = cli_usage_error("compare", "unknown metric '%s' (peak, bytes, allocations, "
                                     "blocks, live, live_allocations, live_blocks, average, "
                                     "unused, or a summary key)",
                                     name);
            break;
        }
        metrics[f] = true;
    }
    free(copy);
    return status;
}

static int options_parse(int argc, char **argv, CompareOptions *options) {
    static const struct option long_options[] = {
        {"fail-above", required_argument, NULL, 'f'},
        {"metric", required_argument, NULL, 'm'},
        {"phase", required_argument, NULL, 'p'},
        {"top", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"markdown", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool metric_given = false;
    int status;
    cli_reset();
    static const char short_options[] = "h";
    for (int option; (option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1;) {
        switch (option) {
        case 'f':
            if (!cli_parse_percent(optarg, &options->fail_percent))
                return cli_usage_error("compare", "--fail-above takes a percentage such as 5 or 2.5, not '%s'", optarg);
            percent_parse(optarg, options);
            options->fail_check = true;
            break;
        case 'm':
            if ((status = metrics_parse(optarg, options->metrics))) return status;
            metric_given = true;
            break;
        case 'p':
            if (!phase_set_parse(optarg, &options->phases))
                return cli_usage_error("compare", "unknown phase '%s' (run, start-up, compile, "
                                       "all, or several joined by commas)", optarg);
            break;
        case 't':
            if (!cli_parse_long(optarg, 0, &options->top))
                return cli_usage_error("compare", "--top takes a whole number, not '%s'", optarg);
            break;
        case 'j': options->json = true; break;
        case 'k': options->markdown = true; break;
        case 'h': return -1;
        default: return cli_option_error(argv, "compare", short_options);
        }
    }
    if (options->json && options->markdown)
        return cli_usage_error("compare", "--json and --markdown exclude each other");
    if (argc - optind != 2)
        return cli_usage_error("compare", argc - optind < 2 ? "needs BASE.json and HEAD.json"
                                                            : "takes two reports, BASE.json and HEAD.json");
    options->base_path = argv[optind];
    options->head_path = argv[optind + 1];
    if (!metric_given) {
        options->metrics[SUMMARY_PEAK_BYTES] = true;
        options->metrics[SUMMARY_BYTES] = true;
    }
    return STATUS_OK;
}

/* An exact report against a sampled one: --fail-above refuses them (its
 * verdict would be as much sampling's error as the program's change);
 * otherwise they are compared, with a warning.  Returns STATUS_OK or
 * STATUS_DATA, having said why. */
static int sampling_check(const Comparison *comparison, const CompareOptions *options) {
    const Report *sampled = comparison->base.sampled ? &comparison->base : &comparison->head;
    const Report *exact = comparison->base.sampled ? &comparison->head : &comparison->base;
    char *how = report_sampling_text(sampled);
    int status = STATUS_OK;
    if (options->fail_check)
        status = msg_error(STATUS_DATA,
                           "%s is sampled (%s) and %s is exact: --fail-above needs two exact "
                           "reports or two sampled ones",
                           sampled->source, how, exact->source);
    else
        msg_warning("%s is sampled (%s) and %s is exact: the changes are partly sampling's "
                    "error; trace both the same way",
                    sampled->source, how, exact->source);
    free(how);
    return status;
}

int compare_main(int argc, char **argv) {
    CompareOptions options = {.top = -1, .phases = PHASE_RUN};
    int status = options_parse(argc, argv, &options);
    if (status < 0) return cli_help(compare_usage);
    if (status != STATUS_OK) return status;

    Comparison comparison = {0};
    comparison.phases = options.phases;
    status = report_load(options.base_path, &comparison.base);
    if (status == STATUS_OK) status = report_load(options.head_path, &comparison.head);
    if (status == STATUS_OK) {
        comparison.estimates = comparison.base.sampled || comparison.head.sampled;
        comparison.mixed = comparison.base.sampled != comparison.head.sampled;
        if (comparison.mixed) status = sampling_check(&comparison, &options);
    }
    if (status == STATUS_OK) {
        phase_figures(&comparison.base, comparison.phases, comparison.base_figures);
        phase_figures(&comparison.head, comparison.phases, comparison.head_figures);
        comparison_compute(&comparison);
        comparison_regressions_find(&comparison, &options);
        if (options.json) comparison_json_print(&comparison, &options, stdout);
        else if (options.markdown) comparison_markdown_print(&comparison, &options, stdout);
        else comparison_text_print(&comparison, &options, stdout);
        for (int f = 0; f < SUMMARY_FIGURE_COUNT; f++) {
            if (!comparison.exceeded[f]) continue;
            char *percent = percent_text(comparison.base_figures[f].value,
                                         comparison.head_figures[f].value);
            char *scope = comparison_figure_scope(&comparison, f);
            msg_error(STATUS_REGRESSION, "%s (%s) grew by %s%s, more than the %g%% allowed%s",
                      summary_figures[f].key, scope, comparison_change_estimated(&comparison, f) ? "~" : "",
                      percent, options.fail_percent,
                      comparison_change_estimated(&comparison, f) ? " (estimated)" : "");
            free(scope);
            free(percent);
        }
        status = cli_finish_stdout(comparison.regression ? STATUS_REGRESSION : STATUS_OK);
    }
    free(comparison.changes);
    report_free(&comparison.base);
    report_free(&comparison.head);
    return status;
}
