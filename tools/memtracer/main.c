/*
 * main.c -- the `memtracer` command: reads JSON reports written by a
 * traced interpreter (`lox`, `lua-memtracer`) and compares, gates,
 * benchmarks or draws them.  Each subcommand lives in its own module;
 * this file only dispatches.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "compare.h"
#include "gate.h"
#include "msg.h"
#include "status.h"
#include "view.h"

static const char main_usage[] =
    "usage: memtracer SUBCOMMAND [options]\n"
    "\n"
    "Works on the JSON reports of a traced interpreter\n"
    "(lox or lua-memtracer with --memtracer.Output=json).\n"
    "\n"
    "  compare BASE.json HEAD.json   what changed between two runs\n"
    "  gate REPORT.json BUDGET.yaml  check a run against a budget (--write makes one)\n"
    "  bench -n N -- COMMAND...      run a traced command N times, with statistics\n"
    "  view REPORT.json --format F   folded stacks, speedscope, flame graph, timeline\n"
    "\n"
    "memtracer SUBCOMMAND --help tells more.  Exit status: 0 fine, 1 a regression\n"
    "or a budget exceeded, 64 usage, 65 bad input data, 66 cannot open an input,\n"
    "74 cannot write the output.\n";

static const struct {
    const char *name;
    const char *prefix;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"compare", "memtracer compare", compare_main},
    {"gate", "memtracer gate", gate_main},
    {"bench", "memtracer bench", bench_main},
    {"view", "memtracer view", view_main},
};

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(main_usage, stderr);
        return STATUS_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0)
        return cli_help(main_usage);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            msg_prefix = subcommands[i].prefix;
            return subcommands[i].run(argc - 1, argv + 1);
        }
    }
    return msg_error(STATUS_USAGE, "unknown subcommand '%s' (compare, gate, bench, view; "
                     "see memtracer --help)", argv[1]);
}
