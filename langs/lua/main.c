/*
 * main.c -- lua-memtracer: the stock `lua` 5.4 command, traced.
 *
 * Without --memtracer this is the `lua` command of Lua 5.4 (lua.c is the
 * specification: the same options, `arg` table, LUA_INIT, messages and exit
 * status), running on the system's unmodified liblua5.4.  With it, the state
 * is created with the tracing allocator of trace.c and a report is written
 * at exit.
 *
 * The --memtracer.* words may appear anywhere among the interpreter's
 * options (before the script name); they are taken out of argv before Lua
 * sees it, so `arg` is what `lua` would give.  A bad one is a usage error:
 * one line, exit 64, nothing run.  An OutputFile that cannot be written:
 * exit 74.  Everything else exits as `lua` does: 0, or 1 after an error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <memtracer/memtracer.h>
#include "control.h"
#include "repl.h"
#include "run.h"
#include "trace.h"

/* lua.c's names for the environment variables (not in the headers). */
#define INIT_VAR "LUA_INIT"
#define INIT_VAR_VERSION INIT_VAR LUA_VERSUFFIX

#define EXIT_USAGE 64
#define EXIT_CANTWRITE 74

/* What the interpreter's options asked for (lua.c's has_* flags). */
enum {
    WANT_EXEC = 1,         /* -e */
    WANT_INTERACTIVE = 2,  /* -i */
    WANT_VERSION = 4,      /* -v */
    WANT_NOENV = 8,        /* -E */
    WANT_NOTHING = 16,     /* a bad option: print the usage instead */
};

typedef struct command {
    int argc;
    char **argv;   /* without the --memtracer words */
    int script;    /* index of the script name, or of the bad option */
    int wants;
} command;

/* Removes the --memtracer words from among the options; returns the new
 * argc, or -1 after printing the error. */
static int memtracer_take(int argc, char **argv, mt_options *o)
{
    int kept = 1;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0 || strcmp(a, "--") == 0) break;
        if ((strcmp(a, "-e") == 0 || strcmp(a, "-l") == 0) && i + 1 < argc) {
            argv[kept++] = argv[i++];  /* the option's argument is not ours */
        } else {
            switch (mt_options_parse(o, a)) {
            case MT_ARG_OK: continue;
            case MT_ARG_BAD:
                fprintf(stderr, "%s: %s\n", run_progname, mt_error());
                return -1;
            }
        }
        argv[kept++] = argv[i];
    }
    while (i < argc) argv[kept++] = argv[i++];
    argv[kept] = NULL;
    return kept;
}

/* Reads the interpreter's options: sets c->script to the script name's
 * index (c->argc if none) or to the bad option's. */
static void command_collect(command *c)
{
    char **argv = c->argv;
    int i;
    c->wants = 0;
    for (i = 1; argv[i] != NULL; i++) {
        const char *a = argv[i];
        c->script = i;
        if (a[0] != '-') return;
        switch (a[1]) {
        case '-':
            if (a[2] != '\0') goto bad;
            c->script = i + 1;
            return;
        case '\0':
            return;  /* "-": the script is standard input */
        case 'E':
            c->wants |= WANT_NOENV;
            break;
        case 'W':
            break;
        case 'i':
            c->wants |= WANT_INTERACTIVE | WANT_VERSION;
            break;
        case 'v':
            c->wants |= WANT_VERSION;
            break;
        case 'e':
            c->wants |= WANT_EXEC;
            /* fall through - both take an argument */
        case 'l':
            if (a[2] == '\0') {
                i++;
                if (argv[i] == NULL || argv[i][0] == '-') goto bad;
            }
            continue;
        default:
            goto bad;
        }
        if (a[2] != '\0') goto bad;  /* -E, -W, -i, -v take nothing after */
    }
    c->script = i;
    return;
bad:
    c->wants = WANT_NOTHING;
}

static void usage_print(const char *badoption)
{
    lua_writestringerror("%s: ", run_progname);
    if (badoption[1] == 'e' || badoption[1] == 'l')
        lua_writestringerror("'%s' needs argument\n", badoption);
    else
        lua_writestringerror("unrecognized option '%s'\n", badoption);
    lua_writestringerror(
        "usage: %s [options] [script [args]]\n"
        "Available options are:\n"
        "  -e stat   execute string 'stat'\n"
        "  -i        enter interactive mode after executing 'script'\n"
        "  -l mod    require library 'mod' into global 'mod'\n"
        "  -l g=mod  require library 'mod' into global 'g'\n"
        "  -v        show version information\n"
        "  -E        ignore environment variables\n"
        "  -W        turn warnings on\n"
        "  --        stop handling options\n"
        "  -         stop handling options and execute stdin\n",
        run_progname);
    lua_writestringerror("%s", "Memory tracing options (before the script):\n");
    lua_writestringerror("%s", mt_options_help());
}

static void version_print(void)
{
    lua_writestring(LUA_COPYRIGHT, strlen(LUA_COPYRIGHT));
    lua_writeline();
}

/* arg[0] is the script, arg[1..] its arguments, arg[-1..] the
 * interpreter's own words. */
static void arg_table_create(lua_State *L, const command *c)
{
    int script = c->script == c->argc ? 0 : c->script;
    int positive = c->argc - (script + 1);
    lua_createtable(L, positive > 0 ? positive : 0, script + 1);
    for (int i = 0; i < c->argc; i++) {
        lua_pushstring(L, c->argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

/* LUA_INIT_5_4, else LUA_INIT: "@file" runs a file, anything else is
 * code. */
static int init_run(lua_State *L)
{
    const char *name = "=" INIT_VAR_VERSION;
    const char *init = getenv(name + 1);
    if (init == NULL) {
        name = "=" INIT_VAR;
        init = getenv(name + 1);
    }
    if (init == NULL) return LUA_OK;
    if (init[0] == '@') return run_file(L, init + 1);
    return run_string(L, init, name);
}

/* -e, -l and -W, in their order on the command line. */
static bool options_run(lua_State *L, const command *c)
{
    for (int i = 1; i < c->script; i++) {
        char option = c->argv[i][1];
        if (option == 'e' || option == 'l') {
            char *text = c->argv[i] + 2;
            int status;
            if (*text == '\0') text = c->argv[++i];
            status = option == 'e' ? run_string(L, text, "=(command line)")
                                   : run_library(L, text);
            if (status != LUA_OK) return false;
        } else if (option == 'W') {
            lua_warning(L, "@on", 0);
        }
    }
    return true;
}

/* Pushes the script's arguments (arg[1..#arg]) for its main chunk. */
static int script_args_push(lua_State *L)
{
    int n;
    if (lua_getglobal(L, "arg") != LUA_TTABLE)
        luaL_error(L, "'arg' is not a table");
    n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (int i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
    lua_remove(L, -n - 1);
    return n;
}

static int script_run(lua_State *L, const command *c)
{
    const char *name = c->argv[c->script];
    int status;
    if (strcmp(name, "-") == 0 && strcmp(c->argv[c->script - 1], "--") != 0)
        name = NULL;  /* standard input */
    status = run_load_file(L, name);
    if (status == LUA_OK) status = run_call(L, script_args_push(L), LUA_MULTRET);
    return run_report(L, status);
}

/* The whole run, in protected mode; leaves true when everything went
 * well. */
static int command_main(lua_State *L)
{
    const command *c = lua_touserdata(L, 1);
    luaL_checkversion(L);
    if (c->wants == WANT_NOTHING) {
        usage_print(c->argv[c->script]);
        return 0;
    }
    if (c->wants & WANT_VERSION) version_print();
    if (c->wants & WANT_NOENV) {
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    }
    trace_phase(TRACE_PHASE_OPEN, NULL);
    luaL_openlibs(L);
    control_preload(L);
    trace_libs_opened(L);
    arg_table_create(L, c);
    trace_phase(TRACE_PHASE_RUN, NULL);
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCGEN, 0, 0);  /* as `lua` runs: generational */
    if (!(c->wants & WANT_NOENV) && init_run(L) != LUA_OK) return 0;
    if (!options_run(L, c)) return 0;
    if (c->script < c->argc && script_run(L, c) != LUA_OK) return 0;
    if (c->wants & WANT_INTERACTIVE) {
        repl_run(L);
    } else if (c->script == c->argc && !(c->wants & (WANT_EXEC | WANT_VERSION))) {
        if (isatty(STDIN_FILENO)) {
            version_print();
            repl_run(L);
        } else {
            run_file(L, NULL);
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* The report's program name: the script, else what runs instead. */
static const char *program_name(const command *c)
{
    if (c->wants != WANT_NOTHING && c->script < c->argc)
        return c->argv[c->script];
    return (c->wants & WANT_EXEC) ? "(command line)" : "stdin";
}

int main(int argc, char **argv)
{
    static mt_options opts;  /* read by the tracer until the report is out */
    command c = { argc, argv, argc, 0 };
    lua_State *L;
    int status, ok, written;
    if (argv[0] != NULL && argv[0][0] != '\0') run_progname = argv[0];
    mt_options_init(&opts);
    if (argc > 0) c.argc = memtracer_take(argc, argv, &opts);
    if (c.argc < 0) return EXIT_USAGE;
    c.script = c.argc;
    if (c.argc > 0) command_collect(&c);
    if (opts.enabled) {
        int failed = trace_start(&opts, program_name(&c));
        if (failed != 0) {
            fprintf(stderr, "%s: %s\n", run_progname, mt_error());
            mt_options_free(&opts);
            return failed;
        }
    }
    L = trace_newstate();
    if (L == NULL) {
        run_message(argv[0], "cannot create state: not enough memory");
        return EXIT_FAILURE;
    }
    lua_gc(L, LUA_GCSTOP);  /* no collection while the state is built */
    lua_pushcfunction(L, command_main);
    lua_pushlightuserdata(L, &c);
    status = lua_pcall(L, 1, 1, 0);
    ok = lua_toboolean(L, -1) && status == LUA_OK;
    run_report(L, status);
    lua_close(L);
    /* The script's own failure decides the exit status; a report that
     * cannot be written says so on stderr, and decides it only when the
     * script succeeded. */
    trace_exit(ok ? EXIT_SUCCESS : EXIT_FAILURE,
               run_out_of_memory ? MT_EXIT_OUT_OF_MEMORY
               : ok              ? MT_EXIT_NORMAL
                                 : MT_EXIT_ERROR);
    written = trace_finish() == 0;
    mt_options_free(&opts);
    if (!ok) return EXIT_FAILURE;
    return written ? EXIT_SUCCESS : EXIT_CANTWRITE;
}
