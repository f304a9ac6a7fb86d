/*
 * bench_events.c -- the cost of the tracer's events, for callgrind:
 *
 *   valgrind --tool=callgrind ./bench_tracer_events [--memtracer.X ...]
 *   callgrind_annotate --inclusive=yes callgrind.out.* | grep mt_alloc
 *
 * gives the instructions of N calls of mt_alloc (and of mt_free, mt_call,
 * mt_return).  The loop is a program's steady state: a function called
 * from one line allocates one 32-byte object on another, and a window of
 * LIVE objects stays alive (each iteration frees the oldest).  Run without
 * valgrind it prints the time per iteration.  The report goes to a
 * temporary folder, removed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "memtracer.h"

#define N 1000000
#define LIVE 4096

static _Alignas(16) char heap[LIVE][48];

int main(int argc, char **argv) {
    mt_options o;
    mt_options_init(&o);
    for (int i = 1; i < argc; i++) {
        if (mt_options_parse(&o, argv[i]) != MT_ARG_OK) {
            fprintf(stderr, "bench_tracer_events: %s\n", mt_error());
            return 64;
        }
    }
    char folder[] = "/tmp/memtracer-bench-XXXXXX", report[64], word[96];
    if (mkdtemp(folder) == NULL) {
        perror("bench_tracer_events: mkdtemp");
        return 73;
    }
    snprintf(report, sizeof report, "%s/report", folder);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", report);
    if (mt_options_parse(&o, word) != MT_ARG_OK ||
        mt_start(&o, "bench", "bench.fk") != 0) {
        fprintf(stderr, "bench_tracer_events: %s\n", mt_error());
        rmdir(folder);
        return 74;
    }
    mt_type point = mt_type_intern("Point", 5);
    mt_func script = mt_func_intern("<script>", 8, "bench.fk", 0);
    mt_func make = mt_func_intern("make", 4, "bench.fk", 3);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mt_call(script, 0);
    for (int i = 0; i < N; i++) {
        void *p = heap[i % LIVE];
        if (i >= LIVE) mt_free(p, 32);
        mt_call(make, 10);
        mt_alloc(p, 32, point, make, 4);
        mt_return();
    }
    mt_return();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int status = mt_finish() == 0 ? 0 : 74;
    mt_options_free(&o);
    unlink(report);
    rmdir(folder);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
                 (double)(t1.tv_nsec - t0.tv_nsec)) / N;
    printf("%.1f ns per iteration (call, alloc, free, return)\n", ns);
    return status;
}
