/*
 * gate.h -- `memtracer gate REPORT.json BUDGET.yaml`: checks a run against
 * a budget (budget.h) and points at each limit it breaks; with --write,
 * writes a budget from the report instead, as a baseline to commit.
 */
#ifndef MEMTRACER_GATE_H
#define MEMTRACER_GATE_H

/* Runs the subcommand on its own argv (argv[0] is "gate"). */
int gate_main(int argc, char **argv);

#endif
