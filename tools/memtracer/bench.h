/*
 * bench.h -- `memtracer bench -n N -- COMMAND...`: runs a traced command
 * N times and gives the statistics of its wall time, its peak RSS as the
 * kernel measured it, and its report's figures.
 */
#ifndef MEMTRACER_BENCH_H
#define MEMTRACER_BENCH_H

/* Runs the subcommand on its own argv (argv[0] is "bench"). */
int bench_main(int argc, char **argv);

#endif
