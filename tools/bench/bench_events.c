/*
 * bench_events.c -- the cost of libmemtracer's events, per door, for
 * `meson test --benchmark --suite tracer` or callgrind:
 *
 *   valgrind --tool=callgrind ./bench_events [--memtracer.X ...]
 *   callgrind_annotate --inclusive=yes callgrind.out.* | grep mt_
 *
 * gives the instructions of N events of each function.  Each loop is a
 * program's steady state: a function called from one line allocates one
 * 32-byte object on another, and a window of LIVE objects stays alive
 * (each turn frees the oldest).  The simple door reports blocks by
 * address (mt_alloc, mt_free); the fast door by tag, counted by
 * <memtracer/inline.h> when it can (mt_alloc_at_inline, else
 * mt_alloc_at).  Run without valgrind it prints the time per turn of
 * each.  The report goes to a temporary folder, removed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memtracer/hooks.h"
#include "memtracer/inline.h"
#include "memtracer/memtracer.h"

#define N 1000000
#define LIVE 4096
#define SIZE 32

static _Alignas(16) char heap[LIVE][48];
static mt_tag tags[LIVE];

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A turn: free the oldest block, call make, obtain a block, return. */
static double simple_door(mt_type point, mt_func make) {
    double start = seconds();
    for (int i = 0; i < N; i++) {
        void *block = heap[i % LIVE];
        if (i >= LIVE) MT_HOOK_FREE(block, SIZE);
        MT_HOOK_CALL(make, 10);
        MT_HOOK_ALLOC(block, SIZE, point, make, 4);
        MT_HOOK_RETURN();
    }
    for (int i = 0; i < LIVE; i++) MT_HOOK_FREE(heap[i], SIZE);
    return (seconds() - start) / N;
}

static double fast_door(mt_type point, mt_func make) {
    mt_site site = mt_site_at(make, 4, point);
    double start = seconds();
    for (int i = 0; i < N; i++) {
        mt_tag *tag = &tags[i % LIVE];
        if (MT_TRACING()) {
            if (i >= LIVE && !mt_free_tagged_inline(*tag, SIZE))
                mt_free_tagged(*tag, SIZE);
            MT_HOOK_CALL(make, 10);
            if (!mt_alloc_at_inline(site, SIZE, tag))
                *tag = mt_alloc_at(site, SIZE);
            MT_HOOK_RETURN();
        }
    }
    for (int i = 0; i < LIVE; i++)
        if (MT_TRACING() && !mt_free_tagged_inline(tags[i], SIZE))
            mt_free_tagged(tags[i], SIZE);
    return (seconds() - start) / N;
}

int main(int argc, char **argv) {
    mt_options o;
    mt_options_init(&o);
    for (int i = 1; i < argc; i++) {
        if (mt_options_parse(&o, argv[i]) != MT_ARG_OK) {
            fprintf(stderr, "bench_events: %s\n",
                    strncmp(argv[i], "--memtracer", 11) == 0
                        ? mt_error()
                        : "usage: bench_events [--memtracer.X ...]");
            return 64;
        }
    }
    const char *tmp = getenv("TMPDIR");
    char folder[256], report[300], word[sizeof report + 32];
    snprintf(folder, sizeof folder, "%s/memtracer-bench-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(folder) == NULL) {
        perror("bench_events: mkdtemp");
        return 73;
    }
    snprintf(report, sizeof report, "%s/report", folder);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", report);
    int status = mt_options_parse(&o, word) == MT_ARG_OK
                     ? mt_start(&o, "bench", "bench.fk")
                     : 64;
    if (status != 0) {
        fprintf(stderr, "bench_events: %s\n", mt_error());
        mt_options_free(&o);
        rmdir(folder);
        return status;
    }
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func script = mt_func_intern("<script>", 8, "bench.fk", 0);
    mt_func make = mt_func_intern("make", 4, "bench.fk", 3);
    MT_HOOK_CALL(script, 0);
    double simple = simple_door(point, make);
    double fast = fast_door(point, make);
    MT_HOOK_RETURN();
    status = mt_finish() == 0 ? 0 : 74;
    mt_options_free(&o);
    unlink(report);
    rmdir(folder);
    printf("%.1f ns per turn, simple door (free, call, alloc, return)\n",
           simple * 1e9);
    printf("%.1f ns per turn, fast door (free, call, alloc, return)\n",
           fast * 1e9);
    return status;
}
