/*
 * compare.h -- `memtracer compare BASE.json HEAD.json`: what changed
 * between two runs, in the summary and per site, and whether a chosen
 * figure grew beyond what is allowed.
 */
#ifndef MEMTRACER_COMPARE_H
#define MEMTRACER_COMPARE_H

/* Runs the subcommand on its own argv (argv[0] is "compare"). */
int compare_main(int argc, char **argv);

#endif
