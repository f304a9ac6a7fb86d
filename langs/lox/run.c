/*
 * run.c -- a program run on the VM this file is built into: the file, the
 * string or the REPL, then the VM freed.  Built into each of lox's VMs
 * (run.h): program_run_untraced without hooks, program_run_traced with
 * them, program_run_traced_paths with them and call paths.
 */
#include <stdio.h>
#include <stdlib.h>

#include "memory.h"
#include "run.h"
#include "vm.h"

/* The builds other than the one main.c is linked with have one name that
 * main.c calls (meson.build). */
#define PROGRAM_RUN_EXPORTED(name) __attribute__((visibility("default"))) name
#if defined(MT_HOOKS_DISABLED)
#define PROGRAM_RUN PROGRAM_RUN_EXPORTED(program_run_untraced)
#else
#include <memtracer/memtracer.h>

#include "where.h"
#ifdef LOX_CALL_PATHS
#define PROGRAM_RUN PROGRAM_RUN_EXPORTED(program_run_traced_paths)
#else
#define PROGRAM_RUN program_run_traced
#endif
#endif

static int status_of(InterpretResult result) {
    switch (result) {
    case INTERPRET_COMPILE_ERROR: return EXIT_COMPILE;
    case INTERPRET_RUNTIME_ERROR: return EXIT_RUNTIME;
    case INTERPRET_OK: break;
    }
    return 0;
}

/* Lines of any length, one statement list each. */
static void repl(void) {
    char *line = NULL;
    size_t capacity = 0;
    for (;;) {
        printf("> ");
        fflush(stdout);
        ssize_t length = getline(&line, &capacity, stdin);
        if (length < 0) {
            printf("\n");
            break;
        }
        vm_interpret(line, (size_t)length);
    }
    free(line);
}

int PROGRAM_RUN(const Program *program) {
#ifndef MT_HOOKS_DISABLED
    where_begin();
#endif
    vm_init(program->name, program->argc, program->argv, program->gc_stress);
    int status = 0;
    if (program->source != NULL)
        status = status_of(vm_interpret(program->source, program->length));
    else
        repl();
#ifndef MT_HOOKS_DISABLED
    /* What is live at exit is what is still reachable: a full collection
     * first, which leaves the peak as it was, and what keeps each survivor
     * alive.  The script's own failure decides the exit status; a report
     * that cannot be written says so on stderr, and decides it only when
     * the script succeeded. */
    gc_collect_at_exit();
    mt_exit_set(status, status == 0 ? MT_EXIT_NORMAL : MT_EXIT_ERROR);
    if (mt_finish() != 0 && status == 0) status = EXIT_IOERR;
#endif
    vm_free();
    return status;
}
