/*
 * stats.h -- summary statistics of repeated measurements, for bench:
 * minimum, median, mean, maximum and the sample standard deviation.
 */
#ifndef MEMTRACER_STATS_H
#define MEMTRACER_STATS_H

#include <stddef.h>

typedef struct {
    size_t count;
    double min, median, mean, max;
    double stddev;  /* sample standard deviation (n - 1); 0 for fewer than 2 values */
} Stats;

/* The statistics of `values[0..count)`; all zero when count is 0.  The
 * median of an even count is the mean of the middle two. */
Stats stats_compute(const double *values, size_t count);

#endif
