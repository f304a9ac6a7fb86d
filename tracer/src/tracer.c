/*
 * tracer.c -- the tracer's lifecycle: mt_start, mt_exit_set, mt_finish,
 * and the signal handlers that write the report before the program dies.
 *
 * mt_start also registers mt_finish with atexit, for a VM that exits from
 * deep inside (clox's exit(70)) without finishing the tracer.
 *
 * The handlers are installed only for signals whose action is the default
 * (to end the process): a signal the program ignores or handles itself is
 * left as it is.  A signal may land in the middle of an event that changes
 * a table: then the handler only notes it, and the event's last line
 * (mt_event_end) writes the report and raises the signal again.  The
 * report writers use neither malloc nor stdio, so the handler may run them
 * even when the signal interrupted malloc in the program itself.
 */
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
#include "report.h"
#include "site.h"
#include "state.h"

bool mt_active;
bool mt_calls_active;
mt_hot mt_hot_state;
mt_bracket mt_event;
mt_state mt_g;

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

static int started;
static volatile sig_atomic_t reported;

static void release_everything(void) {
    tr_destination_abandon();
    mt_mem_release_all();
    mt_names_reset();
    mt_path_reset();
    mt_site_begin();
    mt_live_begin();
    memset(&mt_g.opt, 0, sizeof mt_g.opt);
    memset(&mt_g.file_globs, 0, sizeof mt_g.file_globs);
    memset(&mt_g.root_globs, 0, sizeof mt_g.root_globs);
    mt_g.language = mt_g.program = NULL;
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

void mt_signal_deliver(void) {
    int sig = mt_event.pending_signal;
    mt_event.pending_signal = 0;
    if (!reported) {
        reported = 1;
        mt_active = mt_calls_active = false;
        mt_g.exit_status = 128 + sig;
        mt_g.exit_signal = sig;
        mt_report_emit();
    }
    raise_default(sig);
}

static void on_signal(int sig) {
    int saved_errno = errno;
    mt_event.pending_signal = sig;
    if (!mt_event.in_event) mt_signal_deliver();
    errno = saved_errno;
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

static const char *copy(const char *s) {
    return s != NULL ? mt_mem_strdup(s, strlen(s)) : NULL;
}

/* Splits "a*,b" into its globs; false when memory is exhausted. */
static int globs_split(mt_globs *g, const char *list) {
    if (list == NULL) return 1;
    size_t count = 1;
    for (const char *c = list; *c != '\0'; c++) count += *c == ',';
    g->globs = mt_mem_alloc(count * sizeof(char *));
    if (g->globs == NULL) return 0;
    for (const char *start = list;; start++) {
        const char *end = strchr(start, ',');
        size_t len = end != NULL ? (size_t)(end - start) : strlen(start);
        if ((g->globs[g->count++] = mt_mem_strdup(start, len)) == NULL)
            return 0;
        if (end == NULL) return 1;
        start = end;
    }
}

/* A program that calls exit() without mt_finish still gets its report. */
static void finish_at_exit(void) { mt_finish(); }

/* The tracer's own copy of everything it keeps from its caller. */
static int setup(const mt_options *o, const char *language,
                 const char *program) {
    mt_g.opt = *o;
    mt_g.opt.output_file = (char *)copy(o->output_file);
    mt_g.opt.filter_root_name = (char *)copy(o->filter_root_name);
    mt_g.opt.filter_file = (char *)copy(o->filter_file);
    if (mt_g.opt.stack_limit == 0) mt_g.opt.stack_limit = MT_DEFAULT_STACK_LIMIT;
    mt_g.language = copy(language != NULL ? language : "");
    mt_g.program = copy(program != NULL ? program : "");
    if ((o->output_file != NULL && mt_g.opt.output_file == NULL) ||
        (o->filter_root_name != NULL && mt_g.opt.filter_root_name == NULL) ||
        (o->filter_file != NULL && mt_g.opt.filter_file == NULL) ||
        mt_g.language == NULL || mt_g.program == NULL)
        return 0;
    if (!globs_split(&mt_g.file_globs, mt_g.opt.filter_file) ||
        !globs_split(&mt_g.root_globs, mt_g.opt.filter_root_name))
        return 0;
    mt_site_begin();
    mt_record_begin();
    mt_live_begin();
    return mt_path_begin();
}

int mt_start(const mt_options *o, const char *language,
             const char *program) {
    if (started) {
        tr_error_set("the tracer is already started");
        return 64;
    }
    memset(&mt_hot_state, 0, sizeof mt_hot_state);
    mt_g.untracked_frees = mt_g.lost_events = 0;
    mt_g.exit_status = mt_g.exit_signal = 0;
    mt_g.exit_reason = MT_EXIT_NORMAL;
    mt_event.in_event = 1;
    if (!setup(o, language, program)) {
        tr_error_set("cannot start tracing: out of memory");
        release_everything();
        mt_event.in_event = 0;
        return 74;
    }
    mt_names_reset_verdicts();
    int status = tr_destination_open(o->output_file, program);
    if (status != 0) {
        release_everything();
        mt_event.in_event = 0;
        return status;
    }
    static int exit_hook;
    if (!exit_hook) exit_hook = atexit(finish_at_exit) == 0;
    started = 1;
    reported = 0;
    handlers_install();
    mt_mem_arm_faults();
    mt_active = true;
    mt_calls_active = o->trace_stacks || o->output == MT_OUTPUT_HISTOGRAM ||
                      o->output == MT_OUTPUT_CALLTREE;
    mt_hot_state.inline_min = o->trace_mem > 0 ? o->trace_mem : 1;
    mt_event.in_event = 0;
    return 0;
}

void mt_exit_set(int status, mt_exit_reason reason) {
    mt_g.exit_status = status;
    mt_g.exit_reason = reason;
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
    int ok = 1;
    mt_active = mt_calls_active = false;
    if (!reported) {
        reported = 1;
        fflush(stdout);  /* the program's output first, where they meet */
        ok = mt_report_emit();
    }
    handlers_restore();
    release_everything();
    started = 0;
    sigprocmask(SIG_SETMASK, &before, NULL);
    return ok ? 0 : -1;
}
