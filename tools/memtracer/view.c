/*
 * view.c -- `memtracer view` (see view.h): reads the report, checks it
 * has what the format needs before any output is opened, then writes the
 * view through output.h, so that -o FILE is whole or untouched.
 */
#include "view.h"

#include <stdbool.h>
#include <string.h>

#include "cli.h"
#include "msg.h"
#include "output.h"
#include "report.h"
#include "status.h"
#include "views.h"

static const char view_usage[] =
    "usage: memtracer view REPORT.json --format FORMAT [--phase P] [-o FILE]\n"
    "\n"
    "  --format folded      'f1;f2;f3 BYTES' lines, outermost frame first, for\n"
    "                       flamegraph.pl and inferno (a site's function alone\n"
    "                       when the report has no stacks)\n"
    "  --format speedscope  a speedscope file: allocated bytes and objects by stack\n"
    "  --format flamegraph  an SVG flame graph of allocated bytes, figures in tooltips\n"
    "  --format timeline    an SVG of live bytes over the run, peak and GC cycles\n"
    "                       marked (needs a report with a timeline)\n"
    "  --phase P[,P]        the phases drawn: all (default), run, start-up, compile;\n"
    "                       what another phase than run made starts at a frame\n"
    "                       named by it (\"[start-up]\", \"[compile]\")\n"
    "  -o, --output FILE    write to FILE (default: standard output); FILE is\n"
    "                       replaced whole or left as it was\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 fine, 64 usage, 65 a malformed report or one without what the\n"
    "format needs, 66 the report cannot be opened, 74 the output cannot be written.\n";

typedef enum { FORMAT_FOLDED, FORMAT_SPEEDSCOPE, FORMAT_FLAMEGRAPH, FORMAT_TIMELINE } ViewFormat;

static const char *const format_names[] = {"folded", "speedscope", "flamegraph", "timeline"};

int view_main(int argc, char **argv) {
    static const struct option long_options[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"phase", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int format = -1;
    const char *output_path = NULL;
    PhaseSet phases = PHASE_ALL;
    bool phase_given = false;
    cli_reset();
    static const char short_options[] = "f:o:h";
    for (int option; (option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1;) {
        switch (option) {
        case 'f':
            format = -1;
            for (int i = 0; i < 4; i++)
                if (strcmp(optarg, format_names[i]) == 0) format = i;
            if (format < 0)
                return cli_usage_error("view", "unknown format '%s' (folded, speedscope, "
                                       "flamegraph, timeline)", optarg);
            break;
        case 'o': output_path = optarg; break;
        case 'p':
            if (!phase_set_parse(optarg, &phases))
                return cli_usage_error("view", "unknown phase '%s' (run, start-up, compile, all, "
                                       "or several joined by commas)", optarg);
            phase_given = true;
            break;
        case 'h': return cli_help(view_usage);
        default: return cli_option_error(argv, "view", short_options);
        }
    }
    if (argc - optind != 1) return cli_usage_error("view", "needs one REPORT.json");
    if (format < 0)
        return cli_usage_error("view", "needs --format folded, speedscope, flamegraph or timeline");
    if (format == FORMAT_TIMELINE && phase_given)
        return cli_usage_error("view", "--phase does not apply to a timeline, which is of the "
                               "whole program");

    Report report;
    int status = report_load(argv[optind], &report);
    if (status == STATUS_OK && format == FORMAT_TIMELINE && !report.timeline.present)
        status = msg_error(STATUS_DATA, "%s: the report has no timeline (lox and "
                           "lua-memtracer do not write one yet)", report.source);
    else if (status == STATUS_OK && format == FORMAT_TIMELINE && view_timeline_drawable(&report) == 0)
        status = msg_error(STATUS_DATA, "%s: the report's timeline has no points with "
                           "bytes_allocated and live_bytes", report.source);
    Output output;
    if (status == STATUS_OK && (status = output_open(&output, output_path)) == STATUS_OK) {
        switch ((ViewFormat)format) {
        case FORMAT_FOLDED: view_folded_write(&report, phases, output.file); break;
        case FORMAT_SPEEDSCOPE: view_speedscope_write(&report, phases, output.file); break;
        case FORMAT_FLAMEGRAPH: view_flamegraph_write(&report, phases, output.file); break;
        case FORMAT_TIMELINE: view_timeline_write(&report, output.file); break;
        }
        status = output_close(&output, true, STATUS_OK);
    }
    report_free(&report);
    return status;
}
