/*
 * tracer.c -- the tracer's lifecycle: mt_start, mt_exit_set, mt_finish,
 * and the signal handlers that write the report before the program dies.
 *
 * mt_start also registers mt_finish with atexit, for a VM that exits from
 * deep inside (clox's exit(70)) without finishing the tracer.
 *
 * The handlers are installed only for signals whose action is the default
 * (to end the process): a signal the program ignores or handles itself is
 * left as it is.  A handler writes the report wherever the program was,
 * even in the middle of an event: the report reads only records that are
 * complete (each table publishes a record with one store once it is
 * whole), and the writers use neither malloc nor stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "destination.h"
#include "error.h"
#include "live.h"
#include "mem.h"
#include "names.h"
#include "path.h"
#include "record.h"
#include "report.h"
#include "retain.h"
#include "sample.h"
#include "site.h"
#include "stack.h"
#include "state.h"
#include "timeline.h"

bool mt_active;
bool mt_calls_active;
/* Outside a run, before mt_start and after mt_finish: the inline functions
 * count nothing (inline.h) and touch no site. */
#define INLINE_IDLE {.last_called_tag = UINT32_MAX}
mt_inline_state mt_inline = INLINE_IDLE;
tr_state_t tr_state;

/* The signals that end a process by default and can be caught, less the
 * faults a program raises on itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT, SIGTRAP, SIGSYS), after which its memory cannot be trusted. */
static const int ending_signals[] = {
    SIGHUP,  SIGINT,  SIGQUIT, SIGPIPE, SIGALRM, SIGTERM,
    SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
};
#define ENDING_SIGNALS (sizeof ending_signals / sizeof ending_signals[0])

static struct {
    bool installed;
    struct sigaction before;
} handlers[ENDING_SIGNALS];

static bool started;
static volatile sig_atomic_t reported;
static tr_destination report_destination = TR_DESTINATION_INIT;

static void release_everything(void) {
    tr_destination_abandon(&report_destination);
    tr_mem_release_all();
    tr_names_reset();
    tr_paths_reset();
    tr_sites_reset();
    tr_stacks_reset();
    tr_retainers_reset();
    tr_live_begin();
    mt_inline = (mt_inline_state)INLINE_IDLE;
    memset(&tr_state.options, 0, sizeof tr_state.options);
    memset(&tr_state.file_globs, 0, sizeof tr_state.file_globs);
    memset(&tr_state.root_globs, 0, sizeof tr_state.root_globs);
    tr_state.language = tr_state.program = NULL;
}

static void raise_default(int sig) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

static void on_signal(int sig) {
    if (mt_inline.counting) {
        mt_inline.signal_waiting = sig;
        return;
    }
    mt_inline.signal_waiting = 0;
    if (!reported) {
        reported = 1;
        mt_active = mt_calls_active = false;
        tr_state.exit_status = 128 + sig;
        tr_state.exit_signal = sig;
        tr_report_write(&report_destination);
    }
    raise_default(sig);
}

void tr_signal_deliver(void) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);  /* as the handler would run */
    on_signal(mt_inline.signal_waiting);
}

static void handlers_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < ENDING_SIGNALS; i++) {
        handlers[i].installed =
            sigaction(ending_signals[i], NULL, &handlers[i].before) == 0 &&
            !(handlers[i].before.sa_flags & SA_SIGINFO) &&
            handlers[i].before.sa_handler == SIG_DFL &&
            sigaction(ending_signals[i], &sa, NULL) == 0;
    }
}

static void handlers_restore(void) {
    for (size_t i = 0; i < ENDING_SIGNALS; i++) {
        if (handlers[i].installed)
            sigaction(ending_signals[i], &handlers[i].before, NULL);
        handlers[i].installed = false;
    }
}

/* A report that passed the file-size limit (ulimit -f) raised SIGXFSZ,
 * held while the report was written: the write failed and says so, and
 * the signal, the tracer's own, is dropped (setting SIG_IGN discards a
 * pending signal) so that it does not end the program after all. */
static void file_limit_signal_drop(void) {
    sigset_t pending;
    if (sigpending(&pending) != 0 || !sigismember(&pending, SIGXFSZ)) return;
    struct sigaction ignore, before;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGXFSZ, &ignore, &before) == 0)
        sigaction(SIGXFSZ, &before, NULL);
}

static char *copy(const char *s) {
    return s != NULL ? tr_mem_strdup(s, strlen(s)) : NULL;
}

/* Splits "a*,b" into its globs; false when memory is exhausted. */
static bool globs_split(tr_globs *globs, const char *list) {
    if (list == NULL) return true;
    size_t count = 1;
    for (const char *c = list; *c != '\0'; c++) count += *c == ',';
    globs->globs = tr_mem_alloc(count * sizeof(char *));
    if (globs->globs == NULL) return false;
    for (const char *start = list;; start++) {
        const char *end = strchr(start, ',');
        size_t len = end != NULL ? (size_t)(end - start) : strlen(start);
        if ((globs->globs[globs->count++] = tr_mem_strdup(start, len)) == NULL)
            return false;
        if (end == NULL) return true;
        start = end;
    }
}

/* A program that calls exit() without mt_finish still gets its report. */
static void finish_at_exit(void) { mt_finish(); }

/* The tracer's own copy of everything it keeps from its caller, and its
 * tables set up; false when memory is exhausted. */
static bool setup(const mt_options *o, const char *language,
                  const char *program) {
    mt_options *mine = &tr_state.options;
    *mine = *o;
    mine->output_file = copy(o->output_file);
    mine->filter_root_name = copy(o->filter_root_name);
    mine->filter_file = copy(o->filter_file);
    if (mine->stack_limit == 0) mine->stack_limit = TR_DEFAULT_STACK_LIMIT;
    tr_state.language = copy(language != NULL ? language : "");
    tr_state.program = copy(program != NULL ? program : "");
    return !((o->output_file != NULL && mine->output_file == NULL) ||
             (o->filter_root_name != NULL && mine->filter_root_name == NULL) ||
             (o->filter_file != NULL && mine->filter_file == NULL) ||
             tr_state.language == NULL || tr_state.program == NULL) &&
           globs_split(&tr_state.file_globs, mine->filter_file) &&
           globs_split(&tr_state.root_globs, mine->filter_root_name) &&
           tr_sites_begin() && tr_stacks_begin() &&
           tr_paths_begin(o->fold_recursion) && tr_live_begin() &&
           tr_timeline_begin() && tr_retainers_begin();
}

int mt_start_version(const mt_options *o, const char *language,
                     const char *program, long header_version) {
    if (header_version != MT_VERSION_NUM) {
        tr_error_set("this program was compiled with the headers of "
                     "memtracer %ld.%ld.%ld but runs with libmemtracer %s; "
                     "rebuild it against the library it runs with",
                     header_version / 10000, header_version / 100 % 100,
                     header_version % 100, MT_VERSION_STRING);
        return 70;
    }
    if (started) {
        tr_error_set("the tracer is already started");
        return 64;
    }
    tr_state.untracked_frees = tr_state.lost_events = 0;
    tr_state.exit_status = tr_state.exit_signal = 0;
    tr_state.exit_reason = MT_EXIT_NORMAL;
    tr_state.phase = MT_PHASE_RUN;
    if (!setup(o, language, program)) {
        tr_error_set("cannot start tracing: out of memory");
        release_everything();
        return 74;
    }
    tr_names_forget_filters();
    int status =
        tr_destination_open(&report_destination, o->output_file, program);
    if (status != 0) {
        release_everything();
        return status;
    }
    static bool exit_hooked;
    if (!exit_hooked) exit_hooked = atexit(finish_at_exit) == 0;
    started = true;
    reported = 0;
    handlers_install();
    tr_mem_arm_faults();
    tr_state.node_figures = o->output == MT_OUTPUT_HISTOGRAM ||
                            o->output == MT_OUTPUT_CALLTREE;
    mt_calls_active = o->trace_stacks || tr_state.node_figures;
    tr_state.recording = o->start;
    tr_sample_begin(o->sample_bytes, o->seed);
    tr_record_begin();
    mt_active = true;
    return 0;
}

bool mt_recording(bool on) {
    if (!started) return false;
    tr_state.recording = on;
    tr_record_refresh();
    return on;
}

void mt_reset(void) {
    if (!started) return;
    tr_sites_restart();
    tr_stacks_restart();
    tr_paths_restart();
    tr_record_reset();
    mt_inline_state *state = &mt_inline;
    uint64_t objects = 0;
    for (mt_site id = MT_FIRST_COUNTED_SITE; id < tr_site_count(); id++)
        if (tr_site(id)->object) objects += tr_site(id)->blocks;
    state->objects = state->peak_objects = objects;
    state->bytes = state->peak_at_bytes = state->live_bytes;
    state->peak_bytes = state->live_bytes;
    state->peak_epoch++;
    state->resizes = 0;
    tr_state.untracked_frees = 0;
    tr_timeline_restart();
    tr_record_refresh();
}

int mt_snapshot(const char *path) {
    if (!started) {
        tr_error_set("cannot write a snapshot: tracing is off");
        return -1;
    }
    sigset_t all, before;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &before);
    fflush(stdout);  /* the program's output first, where they meet */
    tr_destination dest = TR_DESTINATION_INIT;
    dest.quiet = true;
    bool written = tr_destination_open(&dest, path, tr_state.program) == 0 &&
                   tr_report_write(&dest);
    tr_destination_abandon(&dest);
    tr_sites_relink();
    if (!written) file_limit_signal_drop();
    sigprocmask(SIG_SETMASK, &before, NULL);
    return written ? 0 : -1;
}

void mt_gc_cycle(void) {
    if (!mt_active) return;
    mt_inline.gc_cycle++;
    mt_inline.gc_cycles++;
}

void mt_exit_set(int status, mt_exit_reason reason) {
    tr_state.exit_status = status;
    tr_state.exit_reason = reason;
}

int mt_finish(void) {
    if (!started) {
        /* Names may have been interned without a start: free them too. */
        release_everything();
        return 0;
    }
    /* No handler runs while the report is written; a signal that comes
     * meanwhile does what it would have done once the report is out. */
    sigset_t all, before;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &before);
    bool written = true;
    mt_active = mt_calls_active = false;
    if (!reported) {
        reported = 1;
        fflush(stdout);  /* the program's output first, where they meet */
        written = tr_report_write(&report_destination);
    }
    if (!written) file_limit_signal_drop();
    handlers_restore();
    release_everything();
    started = false;
    sigprocmask(SIG_SETMASK, &before, NULL);
    return written ? 0 : -1;
}
