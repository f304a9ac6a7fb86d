/*
 * stats.c -- summary statistics (see stats.h).  The mean and deviation
 * are taken in two passes, which keeps the deviation of large, close
 * values (bytes near 2^40) accurate.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static int double_compare(const void *left, const void *right) {
    double a = *(const double *)left, b = *(const double *)right;
    return a < b ? -1 : a > b;
}

Stats stats_compute(const double *values, size_t count) {
    Stats stats = {0};
    if (count == 0) return stats;
    double *sorted = mem_calloc(count, sizeof(double));
    memcpy(sorted, values, count * sizeof(double));
    qsort(sorted, count, sizeof(double), double_compare);
    stats.count = count;
    stats.min = sorted[0];
    stats.max = sorted[count - 1];
    stats.median = count % 2 == 1 ? sorted[count / 2]
                                  : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    double sum = 0;
    for (size_t i = 0; i < count; i++) sum += sorted[i];
    stats.mean = sum / (double)count;
    if (count > 1) {
        double squares = 0;
        for (size_t i = 0; i < count; i++) {
            double deviation = sorted[i] - stats.mean;
            squares += deviation * deviation;
        }
        stats.stddev = sqrt(squares / (double)(count - 1));
    }
    free(sorted);
    return stats;
}
