/*
 * view.h -- `memtracer view REPORT.json --format F [-o FILE]`: a report
 * drawn as folded stacks, a speedscope file, a flame graph or a timeline.
 */
#ifndef MEMTRACER_VIEW_H
#define MEMTRACER_VIEW_H

/* Runs the subcommand on its own argv (argv[0] is "view"). */
int view_main(int argc, char **argv);

#endif
