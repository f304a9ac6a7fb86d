/*
 * bench_scale.c -- the report writers and the tracer's memory at scale,
 * for `meson test --benchmark --suite tracer` or by hand:
 *
 *   build/tools/bench/bench_scale [--check] [--sites=N] [--paths=N]
 *       [--deep=N] [--live=N] [--only=sites|paths|deep|live]
 *
 * Each run starts the tracer, generates a program's events through the
 * public API and finishes, timing mt_finish, which writes the report:
 *
 *   sites  N distinct sites (1,000,000): one function, N lines, one object
 *          type, blocks of 16 to 128 bytes, every other one freed.
 *   paths  N distinct call paths (1,000,000): a() calls b() calls c() from
 *          100 lines each, and every c() allocates once, at one of two
 *          sites: N + N/100 + N/10000 + 1 trie nodes.
 *   deep   a() and b() calling each other N deep (100,000), allocating at
 *          every level: N paths up to N frames long.
 *   live   N blocks live at the end (1,000,000): through the fast door
 *          (the VM keeps each tag) and the simple door (the tracer keeps
 *          each block's address).
 *
 * It prints the seconds mt_finish took (wall, and this process's CPU:
 * the machine may be busy), the report's size, and the memory the tracer
 * holds per site, per path (or per trie node) and per live block: its
 * resident memory (RSS) just before mt_finish less what it was just after
 * mt_start, divided by the count; and the same for the bytes it has
 * obtained (tr_mem_held, which this program reaches by linking the static
 * library), which count the untouched tails of its arrays too.  With
 * --check it exits 1 when a figure passes its target (marked
 * OVER): a report in under 1 s of wall time (tables) or 2 s (JSON, or
 * with stacks); at most 96 resident bytes per site, 160 with stack
 * traces, 64 per trie node, none per block live through the fast door
 * (under 1 byte: RSS counts pages).  Reports go to a temporary folder
 * that is removed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "memtracer/hooks.h"
#include "memtracer/inline.h"
#include "memtracer/memtracer.h"

/* mem.c: the bytes the tracer has obtained and not given back. */
size_t tr_mem_held(void);

static size_t sites_n = 1000000, paths_n = 1000000, live_n = 1000000;
static size_t deep_n = 100000;
static char folder[256];
static unsigned over;  /* figures over their targets */

static double clock_of(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Wall time, and the time this process spent running (user and system):
 * the machine may be busy with other work. */
static double seconds(void) { return clock_of(CLOCK_MONOTONIC); }
static double cpu_seconds(void) {
    return clock_of(CLOCK_PROCESS_CPUTIME_ID);
}

/* The process's resident bytes, from /proc/self/statm. */
static size_t resident(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, pages = 0;
    if (f == NULL) return 0;
    if (fscanf(f, "%lu %lu", &size, &pages) != 2) pages = 0;
    fclose(f);
    return pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* What a run measures. */
typedef struct figures {
    size_t units;           /* sites, paths, nodes or live blocks */
    size_t nodes;           /* trie nodes made (paths) */
    double events;          /* seconds to generate the events */
    double report;          /* seconds in mt_finish */
    double report_cpu;      /* of which this process ran */
    size_t report_bytes;
    size_t resident, held;  /* the tracer's growth, in bytes */
} figures;

/* ---------------------------------------------------------- generators */

/* A size from 16 to 128 bytes, spread over the lines. */
static size_t size_of(size_t i) {
    uint64_t h = (uint64_t)i * 0x9E3779B97F4A7C15u;
    return (size_t)16 << (h >> 62);
}

static mt_tag obtain(mt_site site, size_t size) {
    mt_tag tag;
    if (!mt_alloc_at_inline(site, size, &tag)) tag = mt_alloc_at(site, size);
    return tag;
}

static void release(mt_tag tag, size_t size) {
    if (!mt_free_tagged_inline(tag, size)) mt_free_tagged(tag, size);
}

static void gen_sites(figures *f) {
    mt_type array = mt_type_intern("Array", 5, MT_KIND_OBJECT);
    mt_func script = mt_func_intern("<script>", 8, "sites.fk", 0);
    MT_HOOK_CALL(script, 0);
    for (size_t line = 1; line <= sites_n; line++) {
        mt_site site = mt_site_at(script, (int)line, array);
        size_t size = size_of(line);
        mt_tag tag = obtain(site, size);
        if (line % 2 == 0) release(tag, size);
    }
    MT_HOOK_RETURN();
    f->units = sites_n;
}

static void gen_paths(figures *f) {
    size_t width = 1;
    while (width * width * width < paths_n) width++;
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func script = mt_func_intern("<script>", 8, "paths.fk", 0);
    mt_func a = mt_func_intern("a", 1, "paths.fk", 10);
    mt_func b = mt_func_intern("b", 1, "paths.fk", 20);
    mt_func c = mt_func_intern("c", 1, "paths.fk", 30);
    mt_site sites[2] = {mt_site_at(c, 31, point), mt_site_at(c, 32, point)};
    MT_HOOK_CALL(script, 0);
    size_t nodes = 1;
    for (size_t i = 0; i < paths_n; i++) {
        size_t la = i / (width * width), lb = i / width % width;
        size_t lc = i % width;
        if (lb == 0 && lc == 0) nodes++;
        if (lc == 0) nodes++;
        nodes++;
        MT_HOOK_CALL(a, (int)(la + 1));
        MT_HOOK_CALL(b, (int)(lb + 1));
        MT_HOOK_CALL(c, (int)(lc + 1));
        obtain(sites[i % 2], 32);
        MT_HOOK_RETURN();
        MT_HOOK_RETURN();
        MT_HOOK_RETURN();
    }
    MT_HOOK_RETURN();
    f->units = paths_n;
    f->nodes = nodes;
}

/* a() and b() call each other deep_n deep, each allocating on the way
 * down: deep_n paths, as deep as deep_n frames, at two sites. */
static void gen_deep(figures *f) {
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func script = mt_func_intern("<script>", 8, "deep.fk", 0);
    mt_func ab[2] = {mt_func_intern("a", 1, "deep.fk", 10),
                     mt_func_intern("b", 1, "deep.fk", 20)};
    mt_site sites[2] = {mt_site_at(ab[0], 12, point),
                        mt_site_at(ab[1], 22, point)};
    MT_HOOK_CALL(script, 0);
    for (size_t i = 0; i < deep_n; i++) {
        MT_HOOK_CALL(ab[i % 2], i == 0 ? 1 : (int)(i % 2 == 1 ? 11 : 21));
        obtain(sites[i % 2], 32);
    }
    for (size_t i = 0; i <= deep_n; i++) MT_HOOK_RETURN();
    f->units = deep_n;
    f->nodes = deep_n + 1;
}

/* Tags of the fast door's live blocks: the VM's memory, not the
 * tracer's, obtained and touched before the tracer's is measured. */
static mt_tag *tags;

static void gen_live_fast(figures *f) {
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func script = mt_func_intern("<script>", 8, "live.fk", 0);
    mt_site site = mt_site_at(script, 1, point);
    for (size_t i = 0; i < live_n; i++) tags[i] = obtain(site, 32);
    f->units = live_n;
}

/* Blocks 32 bytes apart from a made-up address: the tracer never reads a
 * block, an address is only a key. */
static void gen_live_simple(figures *f) {
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func script = mt_func_intern("<script>", 8, "live.fk", 0);
    for (size_t i = 0; i < live_n; i++)
        mt_alloc((const void *)(uintptr_t)(0x100000000u + 32 * i), 32, point,
                 script, 1);
    f->units = live_n;
}

/* ---------------------------------------------------------------- runs */

/* One traced run: options words, the generator, the report timed. */
static bool run(const char *const *words, void (*generate)(figures *),
                figures *f) {
    static unsigned serial;
    char report[sizeof folder + 32], word[sizeof report + 32];
    snprintf(report, sizeof report, "%s/report.%u", folder, serial++);
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", report);
    mt_options o;
    mt_options_init(&o);
    int status = mt_options_parse(&o, "--memtracer") == MT_ARG_OK &&
                         mt_options_parse(&o, word) == MT_ARG_OK
                     ? 0
                     : 64;
    for (size_t i = 0; status == 0 && words[i] != NULL; i++)
        if (mt_options_parse(&o, words[i]) != MT_ARG_OK) status = 64;
    if (status == 0) status = mt_start(&o, "bench", "bench.fk");
    if (status != 0) {
        fprintf(stderr, "bench_scale: %s\n", mt_error());
        mt_options_free(&o);
        return false;
    }
    memset(f, 0, sizeof *f);
    size_t resident_before = resident(), held_before = tr_mem_held();
    double start = seconds();
    generate(f);
    double generated = seconds();
    size_t resident_after = resident(), held_after = tr_mem_held();
    double cpu = cpu_seconds();
    status = mt_finish();
    double finished = seconds();
    f->report_cpu = cpu_seconds() - cpu;
    mt_options_free(&o);
    struct stat st;
    f->report_bytes = stat(report, &st) == 0 ? (size_t)st.st_size : 0;
    unlink(report);
    if (status != 0) {
        fprintf(stderr, "bench_scale: the report was not written\n");
        return false;
    }
    f->events = generated - start;
    f->report = finished - generated;
    f->resident = resident_after > resident_before
                      ? resident_after - resident_before
                      : 0;
    f->held = held_after - held_before;
    return true;
}

/* A figure checked against a target (0: none): "ok", or "OVER" and the
 * run fails. */
static const char *against(double value, double target) {
    if (target <= 0) return "";
    if (value <= target) return "ok";
    over++;
    return "OVER";
}

static void show_header(void) {
    printf("%-6s %-24s %9s %7s %7s %7s %6s %6s %9s %9s %6s\n", "what",
           "report", "count", "events", "report", "(cpu)", "", "MiB",
           "resident", "obtained", "");
    printf("%-6s %-24s %9s %7s %7s %7s %6s %6s %9s %9s %6s\n", "", "", "",
           "s", "s", "s", "", "", "B/unit", "B/unit", "");
}

/* One line: the run's figures, the report time against time_target and
 * the memory per unit (per node when the run made nodes) against
 * memory_target. */
static void show(const char *what, const char *label, const figures *f,
                 double time_target, double memory_target, bool per_node) {
    size_t units = per_node ? f->nodes : f->units;
    double resident = units ? (double)f->resident / (double)units : 0;
    double held = units ? (double)f->held / (double)units : 0;
    printf("%-6s %-24s %9zu %7.3f %7.3f %7.3f %6s %6.1f %9.1f %9.1f %6s\n",
           what, label, units, f->events, f->report, f->report_cpu,
           against(f->report, time_target),
           (double)f->report_bytes / (1024.0 * 1024.0), resident, held,
           against(resident, memory_target));
    fflush(stdout);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__ NULL})

typedef struct scenario {
    const char *label;
    const char *const *words;
    double time_target;     /* seconds */
    double memory_target;   /* bytes per unit; 0: not checked */
    bool per_node;
} scenario;

static const scenario site_runs[] = {
    {"table", WORDS(), 1.0, 96, false},
    {"json", WORDS("--memtracer.Output=json", ), 2.0, 0, false},
    {"table, stacks", WORDS("--memtracer.TraceStackTraces=true", ), 2.0, 160,
     false},
    {"json, stacks",
     WORDS("--memtracer.Output=json", "--memtracer.TraceStackTraces=true", ),
     2.0, 0, false},
    {"leaks", WORDS("--memtracer.Output=leaks", ), 1.0, 0, false},
    {"peak", WORDS("--memtracer.Output=peak", ), 1.0, 0, false},
};

static const scenario path_runs[] = {
    {"calltree", WORDS("--memtracer.Output=calltree", ), 1.0, 64, true},
    {"histogram", WORDS("--memtracer.Output=histogram", ), 1.0, 0, true},
    {"table, stacks", WORDS("--memtracer.TraceStackTraces=true", ), 2.0, 0,
     false},
    {"json, stacks",
     WORDS("--memtracer.Output=json", "--memtracer.TraceStackTraces=true", ),
     2.0, 0, false},
    {"json, stacks, limit 2",
     WORDS("--memtracer.Output=json", "--memtracer.TraceStackTraces=true",
           "--memtracer.StackLimit=2", ),
     2.0, 0, false},
};

static const scenario deep_runs[] = {
    {"table, stacks", WORDS("--memtracer.TraceStackTraces=true", ), 2.0, 0,
     false},
    {"json, stacks, limit 8",
     WORDS("--memtracer.Output=json", "--memtracer.TraceStackTraces=true",
           "--memtracer.StackLimit=8", ),
     2.0, 0, false},
};

static bool run_all(const char *what, const scenario *runs, size_t count,
                    void (*generate)(figures *)) {
    for (size_t i = 0; i < count; i++) {
        figures f;
        if (!run(runs[i].words, generate, &f)) return false;
        show(what, runs[i].label, &f, runs[i].time_target,
             runs[i].memory_target, runs[i].per_node);
    }
    return true;
}

static bool run_live(void) {
    tags = malloc(live_n * sizeof *tags);
    if (tags == NULL) {
        perror("bench_scale");
        return false;
    }
    memset(tags, 0xFF, live_n * sizeof *tags);
    figures f;
    bool ok = run(WORDS(), gen_live_fast, &f);
    if (ok) show("live", "fast door (tags)", &f, 1.0, 1.0, false);
    free(tags);
    ok = ok && run(WORDS(), gen_live_simple, &f);
    if (ok) show("live", "simple door (addresses)", &f, 1.0, 0, false);
    return ok;
}

static bool count_arg(const char *arg, const char *name, size_t *value) {
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0 || arg[len] != '=') return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg + len + 1, &end, 10);
    if (errno != 0 || *end != '\0' || n == 0 || n > 100000000) {
        fprintf(stderr, "bench_scale: %s takes a count from 1 to 100000000\n",
                name);
        exit(64);
    }
    *value = (size_t)n;
    return true;
}

int main(int argc, char **argv) {
    bool check = false;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) check = true;
        else if (strncmp(argv[i], "--only=", 7) == 0) only = argv[i] + 7;
        else if (!count_arg(argv[i], "--sites", &sites_n) &&
                 !count_arg(argv[i], "--paths", &paths_n) &&
                 !count_arg(argv[i], "--live", &live_n) &&
                 !count_arg(argv[i], "--deep", &deep_n)) {
            fprintf(stderr, "usage: bench_scale [--check] [--sites=N] "
                            "[--paths=N] [--deep=N] [--live=N] "
                            "[--only=sites|paths|deep|live]\n");
            return 64;
        }
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/memtracer-scale-XXXXXX",
             tmp != NULL && *tmp != '\0' && strncmp(tmp, "/dev", 4) != 0
                 ? tmp
                 : "/tmp");
    if (mkdtemp(folder) == NULL) {
        perror("bench_scale: mkdtemp");
        return 73;
    }
    show_header();
    bool ok = true;
    if (ok && (only == NULL || strcmp(only, "sites") == 0))
        ok = run_all("sites", site_runs, sizeof site_runs / sizeof *site_runs,
                     gen_sites);
    if (ok && (only == NULL || strcmp(only, "paths") == 0))
        ok = run_all("paths", path_runs, sizeof path_runs / sizeof *path_runs,
                     gen_paths);
    if (ok && (only == NULL || strcmp(only, "deep") == 0))
        ok = run_all("deep", deep_runs, sizeof deep_runs / sizeof *deep_runs,
                     gen_deep);
    if (ok && (only == NULL || strcmp(only, "live") == 0)) ok = run_live();
    rmdir(folder);
    if (!ok) return 74;
    if (over > 0)
        printf("%u figure%s over target\n", over,
               over > 1 ? "s" : "");
    return check && over > 0 ? 1 : 0;
}
