/*
 * test_signals.c -- a signal that ends the process in the middle of a
 * storm of events: the tracer writes the report from its handler, whole
 * and agreeing with itself wherever the signal landed, and the process
 * then dies of the signal.  A signal the program handles itself is left
 * to it.
 *
 * Each storm runs in a child process, which the signal kills; the child
 * counts its events in memory shared with the parent, which reads the
 * report and checks it against those counts.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakevm.h"
#include "memtracer/inline.h"

#define JSON "--memtracer.Output=json"
#define STACKS "--memtracer.TraceStackTraces=true"

/* What a child has done, as the parent sees it after the child died. */
typedef struct progress {
    volatile uint64_t begun;         /* allocations started */
    volatile uint64_t done;          /* allocations returned */
    volatile uint64_t freed_begun;   /* releases started */
    volatile uint64_t freed;         /* releases returned */
} progress;

static progress *shared;
static char folder[256], report_path[300];

static int setup(void **state) {
    (void)state;
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return shared == MAP_FAILED ? -1 : 0;
}

static int teardown(void **state) {
    (void)state;
    return munmap(shared, sizeof *shared);
}

/* ------------------------------------------------------- in the child */

/* Starts tracing in the child with the words and OutputFile=report_path;
 * a child that cannot exits 99. */
static void child_start(const char *const *words) {
    mt_options options;
    mt_options_init(&options);
    char word[400];
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", report_path);
    if (mt_options_parse(&options, word) != MT_ARG_OK) _exit(99);
    for (; *words != NULL; words++)
        if (mt_options_parse(&options, *words) != MT_ARG_OK) _exit(99);
    if (mt_start(&options, "fake", VM_PROGRAM) != 0) _exit(99);
    mt_options_free(&options);
}

static void timer_arm(long microseconds) {
    struct itimerval timer = {{0, 0}, {0, microseconds}};
    if (setitimer(ITIMER_REAL, &timer, NULL) != 0) _exit(98);
}

/* The size of the i-th block of the simple storm: 16 to 48 B. */
static size_t storm_size(uint64_t i) { return 16 + (size_t)(i % 5) * 8; }

#define WINDOW 64

/* The simple door with calls (and stack traces if the words say so), a
 * window of 64 live blocks: each turn frees the oldest, calls make from
 * line 5, 6 or 7, obtains a Point there, returns.  The timer is armed
 * once the window is full.  Never ends: the signal ends it. */
static void storm_simple(const char *const *words, long timer) {
    child_start(words);
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func main_func = mt_func_intern("main", 4, VM_PROGRAM, 1);
    mt_func make = mt_func_intern("make", 4, VM_PROGRAM, 10);
    static void *window[WINDOW];
    MT_HOOK_CALL(main_func, 0);
    for (uint64_t i = 0;; i++) {
        if (i == WINDOW && timer > 0) timer_arm(timer);  /* once under way */
        void **slot = &window[i % WINDOW];
        if (*slot != NULL) {
            shared->freed_begun = i - WINDOW + 1;
            MT_HOOK_FREE(*slot, storm_size(i - WINDOW));
            shared->freed = i - WINDOW + 1;
            free(*slot);
        }
        MT_HOOK_CALL(make, 5 + (int)(i % 3));
        *slot = malloc(storm_size(i));
        if (*slot == NULL) _exit(97);
        shared->begun = i + 1;
        MT_HOOK_ALLOC(*slot, storm_size(i), point, make, 11);
        shared->done = i + 1;
        MT_HOOK_RETURN();
    }
}

/* The fast door counting inline, nothing ever freed, two sites taking
 * turns: every block raises the peak, so the signal very likely lands
 * while a site's figures have the block and the peak not yet. */
static void storm_peak(long timer) {
    child_start(VM_WORDS(JSON));
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func make = mt_func_intern("make", 4, VM_PROGRAM, 10);
    mt_site sites[2] = {mt_site_at(make, 11, point), mt_site_at(make, 12, point)};
    timer_arm(timer);
    for (uint64_t i = 0;; i++) {
        mt_tag tag;
        shared->begun = i + 1;
        if (MT_TRACING() && !mt_alloc_at_inline(sites[i % 2], 8, &tag))
            mt_alloc_at(sites[i % 2], 8);
        shared->done = i + 1;
    }
}

/* ------------------------------------------------------ in the parent */

/* Runs storm in a child and waits for it to die of sig; kill_after
 * (microseconds, 0: never) sends SIGTERM from here once the child is
 * under way.  The report, parsed and checked for consistency. */
static json_t *storm_report(void (*storm)(const char *const *, long),
                            const char *const *words, long timer, int sig,
                            long kill_after) {
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/memtracer-signals-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    assert_non_null(mkdtemp(folder));
    snprintf(report_path, sizeof report_path, "%s/report.json", folder);
    memset(shared, 0, sizeof *shared);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        storm(words, timer);
        _exit(96);
    }
    if (kill_after > 0) {
        while (shared->done < 1000) usleep(100);
        usleep((useconds_t)kill_after);
        assert_int_equal(kill(child, SIGTERM), 0);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (!WIFSIGNALED(status))
        fail_msg("the child was not killed: exit status %d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    assert_int_equal(WTERMSIG(status), sig);
    char *text = vm_read_file(report_path);
    if (text == NULL) fail_msg("no report at %s", report_path);
    json_t *r = json_loads(text, 0, NULL);
    if (r == NULL) fail_msg("not JSON:\n%s", text);
    free(text);
    assert_int_equal(unlink(report_path), 0);
    assert_int_equal(rmdir(folder), 0);  /* nothing else left behind */
    vm_check_consistent(r);
    jexpect(r, "exit.status", 128 + (uint64_t)sig);
    jexpect_str(r, "exit.reason", "signal");
    return r;
}

static void storm_peak_run(const char *const *words, long timer) {
    (void)words;
    storm_peak(timer);
}

/* The fast door counting inline with stack traces: each turn calls make
 * from line 5, 6 or 7 and obtains a Point there, nothing freed, so nearly
 * every block is counted inline at its site and its call path. */
static void storm_inline_stacks(const char *const *words, long timer) {
    child_start(words);
    mt_type point = mt_type_intern("Point", 5, MT_KIND_OBJECT);
    mt_func main_func = mt_func_intern("main", 4, VM_PROGRAM, 1);
    mt_func make = mt_func_intern("make", 4, VM_PROGRAM, 10);
    mt_site site = mt_site_at(make, 11, point);
    MT_HOOK_CALL(main_func, 0);
    timer_arm(timer);
    for (uint64_t i = 0;; i++) {
        MT_HOOK_CALL(make, 5 + (int)(i % 3));
        mt_tag tag;
        shared->begun = i + 1;
        if (MT_TRACING() && !mt_alloc_at_inline(site, 8, &tag))
            mt_alloc_at(site, 8);
        shared->done = i + 1;
        MT_HOOK_RETURN();
    }
}

/* The bytes of the simple storm's first n blocks. */
static uint64_t storm_bytes(uint64_t n) {
    uint64_t bytes = 0;
    for (uint64_t i = 0; i < n; i++) bytes += storm_size(i);
    return bytes;
}

/* What the simple storm's report must say: its blocks are those that
 * returned, or with the one under way; each obtained the next size in
 * turn, and the releases freed them in order.  A block under way may be
 * in some figures and not yet in others (inline.h), never in part of
 * one. */
static void simple_storm_check(json_t *r) {
    assert_true(shared->done > WINDOW);  /* the storm was under way */
    uint64_t blocks = jnum(r, "summary.blocks");
    uint64_t bytes = jnum(r, "summary.bytes");
    uint64_t freed = jnum(r, "summary.freed_blocks");
    uint64_t freed_bytes = jnum(r, "summary.freed_bytes");
    if (blocks < shared->done || blocks > shared->begun ||
        bytes < storm_bytes(shared->done) ||
        bytes > storm_bytes(shared->begun) || freed < shared->freed ||
        freed > shared->freed_begun ||
        freed_bytes < storm_bytes(shared->freed) ||
        freed_bytes > storm_bytes(shared->freed_begun))
        fail_msg("%llu blocks, %llu B, %llu freed, %llu B; the storm made "
                 "%llu (%llu begun) and freed %llu (%llu begun)",
                 (unsigned long long)blocks, (unsigned long long)bytes,
                 (unsigned long long)freed, (unsigned long long)freed_bytes,
                 (unsigned long long)shared->done,
                 (unsigned long long)shared->begun,
                 (unsigned long long)shared->freed,
                 (unsigned long long)shared->freed_begun);
    jexpect(r, "summary.allocations", blocks);
    jexpect(r, "summary.lost_events", 0);
}

/* SIGALRM from a timer, at ten different moments of the storm. */
static void test_timer_during_simple_storm(void **state) {
    (void)state;
    for (long k = 0; k < 10; k++) {
        json_t *r = storm_report(storm_simple, VM_WORDS(JSON),
                                 20000 + 1700 * k, SIGALRM, 0);
        jexpect_str(r, "exit.signal", "SIGALRM");
        simple_storm_check(r);
        json_decref(r);
    }
}

/* SIGTERM from another process, the way a user stops a program. */
static void test_sigterm_during_simple_storm(void **state) {
    (void)state;
    for (long k = 0; k < 5; k++) {
        json_t *r = storm_report(storm_simple, VM_WORDS(JSON), 0, SIGTERM,
                                 1000 + 1300 * k);
        jexpect_str(r, "exit.signal", "SIGTERM");
        simple_storm_check(r);
        json_decref(r);
    }
}

/* With stack traces every block is also counted at its call path: the
 * site's stacks still sum to the site (vm_check_consistent), wherever
 * the signal landed.  Sixty moments: the path's share is a small part of
 * a turn. */
static void test_timer_during_stack_storm(void **state) {
    (void)state;
    for (long k = 0; k < 60; k++) {
        json_t *r = storm_report(storm_simple, VM_WORDS(JSON, STACKS),
                                 5000 + 211 * k, SIGALRM, 0);
        simple_storm_check(r);
        /* make called from lines 5, 6 and 7 in turn: three stacks. */
        assert_int_equal(jlen(r, "sites.0.stacks"), 3);
        json_decref(r);
    }
}

/* The same counted inline: a signal between a block's site and its call
 * path waits for both, and is raised again then. */
static void test_timer_during_inline_stack_storm(void **state) {
    (void)state;
    for (long k = 0; k < 60; k++) {
        json_t *r = storm_report(storm_inline_stacks, VM_WORDS(JSON, STACKS),
                                 5000 + 211 * k, SIGALRM, 0);
        uint64_t blocks = jnum(r, "summary.blocks");
        assert_true(blocks >= shared->done && blocks <= shared->begun);
        assert_true(shared->done > 3);
        jexpect(r, "summary.lost_events", 0);
        assert_int_equal(jlen(r, "sites.0.stacks"), 3);
        json_decref(r);
    }
}

/* The same, at one chosen moment: MEMTRACER_RAISE_AT=100 raises SIGTERM
 * while the 100th block is counted at its site and not yet at its call
 * path.  The handler waits until the block is counted whole, so the site
 * has 100 blocks and its stacks sum to 100 (vm_check_consistent); a
 * report written at once would have 100 at the site and 99 in its
 * stacks. */
static void test_signal_while_counting_waits(void **state) {
    (void)state;
    assert_int_equal(setenv("MEMTRACER_RAISE_AT", "100", 1), 0);
    json_t *r = storm_report(storm_simple, VM_WORDS(JSON, STACKS), 0, SIGTERM,
                             0);
    assert_int_equal(unsetenv("MEMTRACER_RAISE_AT"), 0);
    jexpect(r, "summary.blocks", 100);
    jexpect(r, "sites.0.blocks", 100);
    assert_int_equal(shared->done, 99);  /* the 100th had not returned */
    json_decref(r);
}

/* A peak storm: nothing is freed, so the peak is everything obtained,
 * and each site's share of it is all it has.  Forty moments. */
static void test_timer_during_peak_storm(void **state) {
    (void)state;
    for (long k = 0; k < 40; k++) {
        json_t *r = storm_report(storm_peak_run, NULL, 5000 + 313 * k,
                                 SIGALRM, 0);
        uint64_t blocks = jnum(r, "summary.blocks");
        uint64_t bytes = jnum(r, "summary.bytes");
        assert_true(blocks >= shared->done && blocks <= shared->begun);
        assert_true(bytes >= 8 * shared->done && bytes <= 8 * shared->begun);
        jexpect(r, "summary.peak_bytes", bytes);
        for (size_t s = 0; s < jlen(r, "sites"); s++) {
            char path[64];
            snprintf(path, sizeof path, "sites.%zu.bytes", s);
            uint64_t bytes = jnum(r, path);
            snprintf(path, sizeof path, "sites.%zu.peak_bytes", s);
            jexpect(r, path, bytes);
        }
        json_decref(r);
    }
}

/* ------------------------------------------------ a signal handled */

static volatile sig_atomic_t handled;
static void on_usr1(int sig) {
    (void)sig;
    handled++;
}

/* A program that handles SIGUSR1 itself keeps its handler: the signal
 * neither ends it nor writes a report, tracing goes on, and the handler
 * is still the program's after mt_finish. */
static void test_handled_signal_left_alone(void **state) {
    (void)state;
    struct sigaction sa = {.sa_handler = on_usr1};
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
    vm_start(VM_WORDS(JSON));
    void *before = vm_new(10, T_POINT, F_MAKE, 11);
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(handled, 1);
    void *after = vm_new(20, T_POINT, F_MAKE, 11);
    json_t *r = vm_finish_json();
    jexpect(r, "summary.bytes", 30);
    jexpect_str(r, "exit.reason", "normal");
    json_decref(r);
    struct sigaction now;
    assert_int_equal(sigaction(SIGUSR1, NULL, &now), 0);
    assert_true(now.sa_handler == on_usr1);
    free(before);
    free(after);
    signal(SIGUSR1, SIG_DFL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_during_simple_storm),
        cmocka_unit_test(test_sigterm_during_simple_storm),
        cmocka_unit_test(test_timer_during_stack_storm),
        cmocka_unit_test(test_timer_during_inline_stack_storm),
        cmocka_unit_test(test_signal_while_counting_waits),
        cmocka_unit_test(test_timer_during_peak_storm),
        cmocka_unit_test(test_handled_signal_left_alone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
