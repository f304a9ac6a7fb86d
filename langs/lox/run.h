/*
 * run.h -- running a program on one of the VMs linked into `lox`.
 *
 * lox holds three builds of this VM (meson.build): one without hooks, the
 * book's structs and code, for runs without --memtracer, so that they pay
 * nothing for the tracer; one with them, for traced runs; and one with
 * them that keeps the guest's call paths too, for runs whose tracer
 * records calls (stack traces, the histogram, the call tree), so that the
 * others' calls do not ask.  Each build defines its own entry point below;
 * main.c parses the command line and chooses.  A lox built with
 * -Dhooks=false holds the first alone.
 */
#ifndef lox_run_h
#define lox_run_h

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses: Crafting Interpreters' convention, from sysexits.h. */
#define EXIT_USAGE 64
#define EXIT_COMPILE 65
#define EXIT_NOINPUT 66
#define EXIT_RUNTIME 70
#define EXIT_IOERR 74

typedef struct {
    const char *name;    /* the script's path, "<string>" or "<repl>" */
    const char *source;  /* NULL: statements read from a prompt */
    size_t length;
    int argc;            /* the script's arguments */
    char **argv;
    bool gc_stress;      /* a full collection before every allocation */
} Program;

/* Runs program; its exit status: 0, EXIT_COMPILE or EXIT_RUNTIME, or in a
 * traced run EXIT_IOERR when the script succeeded but its report could not
 * be written.  The traced ones run once the tracer has started, the one
 * with paths when it records calls, and finish it: the collection at
 * exit, then the report. */
int program_run_untraced(const Program *program);
int program_run_traced(const Program *program);
int program_run_traced_paths(const Program *program);

#endif
