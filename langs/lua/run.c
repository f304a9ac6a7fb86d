/*
 * run.c -- running chunks the way the stock `lua` command does.
 *
 * The behaviour (messages, tracebacks, Ctrl-C turning into an "interrupted!"
 * error) follows lua.c of Lua 5.4, so that lua-memtracer is a drop-in
 * replacement.  Two differences: after a call the SIGINT handler that was
 * there before is put back, not SIG_DFL, so that the tracer's own handler
 * (which writes the report) survives; and a SIGINT the process started
 * with ignored (a background job) stays ignored.
 */
#include "run.h"

#include <signal.h>
#include <string.h>

#include <lauxlib.h>

#include "interpose.h"
#include "trace.h"

const char *run_progname = "lua";

static lua_State *interrupted_state;
static struct sigaction sigint_before;

void run_message(const char *progname, const char *msg)
{
    if (progname != NULL) lua_writestringerror("%s: ", progname);
    lua_writestringerror("%s\n", msg);
}

bool run_out_of_memory;

int run_report(lua_State *L, int status)
{
    if (status == LUA_ERRMEM) run_out_of_memory = true;
    if (status != LUA_OK) {
        run_message(run_progname, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    return status;
}

/* The hook a Ctrl-C installs: the next instruction raises an error. */
static void interrupt_raise(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

/* Only a hook can be set from a signal handler; a second Ctrl-C gets the
 * previous handler (default: terminate). */
static void interrupt_on_signal(int sig)
{
    sigaction(sig, &sigint_before, NULL);
    interpose_interrupt(interrupted_state, interrupt_raise);
}

/* Appends a traceback to the error message; a non-string error object is
 * described by its __tostring or its type. */
static int traceback_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int run_call(lua_State *L, int narg, int nres)
{
    struct sigaction sa;
    int base = lua_gettop(L) - narg;
    int status;
    bool interruptible;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    interrupted_state = L;
    sa.sa_handler = interrupt_on_signal;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    /* A SIGINT the process ignores (a background job) stays ignored. */
    interruptible = sigaction(SIGINT, NULL, &sigint_before) == 0 &&
                    sigint_before.sa_handler != SIG_IGN &&
                    sigaction(SIGINT, &sa, NULL) == 0;
    status = lua_pcall(L, narg, nres, base);
    if (interruptible) sigaction(SIGINT, &sigint_before, NULL);
    lua_remove(L, base);
    return status;
}

int run_load_string(lua_State *L, const char *s, size_t len,
                    const char *chunkname)
{
    int status;
    int marked = chunkname[0] == '=' || chunkname[0] == '@';
    trace_phase(TRACE_PHASE_LOAD, chunkname + marked);
    status = luaL_loadbuffer(L, s, len, chunkname);
    trace_phase(TRACE_PHASE_RUN, NULL);
    return status;
}

int run_load_file(lua_State *L, const char *name)
{
    int status;
    trace_phase(TRACE_PHASE_LOAD, name != NULL ? name : "stdin");
    status = luaL_loadfile(L, name);
    trace_phase(TRACE_PHASE_RUN, NULL);
    return status;
}

static int run_loaded(lua_State *L, int status)
{
    if (status == LUA_OK) status = run_call(L, 0, 0);
    return run_report(L, status);
}

int run_string(lua_State *L, const char *s, const char *chunkname)
{
    return run_loaded(L, run_load_string(L, s, strlen(s), chunkname));
}

int run_file(lua_State *L, const char *name)
{
    return run_loaded(L, run_load_file(L, name));
}

int run_library(lua_State *L, char *spec)
{
    char *modname = strchr(spec, '=');
    int status;
    if (modname == NULL) {
        modname = spec;
    } else {
        *modname = '\0';  /* spec now holds the global's name */
        modname++;
    }
    lua_getglobal(L, "require");
    lua_pushstring(L, modname);
    trace_phase(TRACE_PHASE_REQUIRE, modname);
    status = run_call(L, 1, 1);
    trace_phase(TRACE_PHASE_RUN, NULL);
    if (status == LUA_OK) lua_setglobal(L, spec);
    return run_report(L, status);
}
