/*
 * main.c -- the `lox` command: its options, the script read, and the VM
 * that runs it (run.h): the one without hooks, or, with --memtracer, the
 * one with them, once the tracer has started.
 *
 * Exit status (Crafting Interpreters' convention, from sysexits.h):
 *   0 ok, 64 usage error, 65 compile error, 66 cannot open the script,
 *   70 runtime error, 74 cannot write the tracer's report.
 */
#include <errno.h>
#include <memtracer/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static void usage_print(void) {
    printf("usage: lox [options] [script.lox [args...]]\n"
           "       lox [options] -c 'code' [args...]\n"
           "With no script, lox reads statements from a prompt.\n"
           "\n"
           "options:\n"
           "  -c CODE        run CODE; its locations print as <string>:LINE\n"
           "  --help         print this help and exit\n"
           "  --version      print the version and exit\n"
           "\n"
           "memtracer options (any of them turns tracing on):\n"
           "%s"
           "\n"
           "environment:\n"
           "  LOX_GC_STRESS=1  collect garbage before every allocation\n"
           "\n"
           "exit status: 0 ok, 64 usage, 65 compile error, 66 cannot open "
           "the script,\n"
           "             70 runtime error, 74 cannot write the report\n",
           mt_options_help());
}

/* The whole file, NUL-terminated, its length in *length (a NUL inside it
 * is the scanner's to report).  This buffer is the front end's, not the
 * VM's: it exists before the VM does and is not a guest allocation. */
static char *file_read(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    size_t capacity = 4096, used = 0;
    char *buffer = malloc(capacity);
    while (buffer != NULL) {
        used += fread(buffer + used, 1, capacity - used - 1, file);
        if (used < capacity - 1) break;
        capacity *= 2;
        char *grown = realloc(buffer, capacity);
        if (grown == NULL) free(buffer);
        buffer = grown;
    }
    int failed = ferror(file) || buffer == NULL;
    int saved = buffer == NULL ? ENOMEM : errno;
    fclose(file);
    if (failed) {
        free(buffer);
        errno = saved;
        return NULL;
    }
    buffer[used] = '\0';
    *length = used;
    return buffer;
}

int main(int argc, char **argv) {
    mt_options options;
    mt_options_init(&options);
    const char *code = NULL;
    int i = 1;

    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--memtracer", 11) == 0) {
            int parsed = mt_options_parse(&options, arg);
            if (parsed == MT_ARG_OK) continue;
            if (parsed == MT_ARG_BAD) {
                fprintf(stderr, "lox: %s\n", mt_error());
                mt_options_free(&options);
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--help") == 0) {
            usage_print();
            mt_options_free(&options);
            return 0;
        } else if (strcmp(arg, "--version") == 0) {
            printf("lox (memtracer) %s\n", MT_VERSION_STRING);
            mt_options_free(&options);
            return 0;
        } else if (strcmp(arg, "-c") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "lox: option '-c' needs an argument: the "
                                "code to run; see lox --help\n");
                mt_options_free(&options);
                return EXIT_USAGE;
            }
            code = argv[++i];
            i++;
            break;
        }
        fprintf(stderr, "lox: unknown option '%s'; see lox --help\n", arg);
        mt_options_free(&options);
        return EXIT_USAGE;
    }

#ifdef MT_HOOKS_DISABLED
    if (options.enabled) {
        fprintf(stderr, "lox: this lox was built without the tracer's hooks "
                        "(meson -Dhooks=false): --memtracer is unavailable\n");
        mt_options_free(&options);
        return EXIT_USAGE;
    }
#endif

    Program program = {.name = "<repl>"};
    char *source = NULL;
    if (code == NULL && i < argc) {
        program.name = argv[i++];
        source = file_read(program.name, &program.length);
        if (source == NULL) {
            fprintf(stderr, "lox: cannot open '%s': %s\n", program.name,
                    strerror(errno));
            mt_options_free(&options);
            return EXIT_NOINPUT;
        }
        program.source = source;
    } else if (code != NULL) {
        program.name = "<string>";
        program.source = code;
        program.length = strlen(code);
    }
    program.argc = argc - i;
    program.argv = argv + i;
    const char *stress = getenv("LOX_GC_STRESS");
    program.gc_stress = stress != NULL && strcmp(stress, "1") == 0;

    int status;
#ifndef MT_HOOKS_DISABLED
    if (options.enabled) {
        status = mt_start(&options, "lox", program.name);
        if (status != 0) {
            fprintf(stderr, "lox: %s\n", mt_error());
        } else {
            status = MT_TRACING_CALLS() ? program_run_traced_paths(&program)
                                        : program_run_traced(&program);
        }
    } else
#endif
        status = program_run_untraced(&program);
    free(source);
    mt_options_free(&options);
    return status;
}
