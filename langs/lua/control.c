/*
 * control.c -- what a Lua program and its collector tell the tracer.
 *
 * The memtracer module.  `require "memtracer"` gives start(), stop(),
 * reset() and snapshot(path), in package.preload of every state the
 * command makes, traced or not:
 *   start(), stop()   recording on or off (mt_recording); each returns
 *                     whether recording is on after it, false when not
 *                     tracing
 *   reset()           the figures start again from what is live now
 *   snapshot(path)    writes a report of what was recorded so far; true,
 *                     or false with one line on stderr saying why (false
 *                     silently when not tracing)
 *
 * Collections.  The collector tells no one when a cycle ends, but it runs
 * finalizers right after each cycle's sweep: a sentinel, a userdata with a
 * __gc metamethod and nothing that refers to it, is finalized at the end
 * of the first cycle that finds it dead, and its finalizer tells the
 * tracer (mt_gc_cycle) and makes the next sentinel.  Every cycle that
 * runs finalizers is told once: each incremental cycle, each minor and
 * major collection of the generational mode, each collectgarbage().  A
 * cycle that runs none (an emergency collection, or one finished inside a
 * change of mode) is told with the next one that does.  The sentinel is
 * the tracer's own memory: it, its metatable and what the collector
 * allocates to call its finalizer (a CallInfo, a stack grown by a few
 * slots) are never counted (trace_untraced, interpose.c's luaD_pcall).
 */
#include "control.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <memtracer/memtracer.h>

#include "trace.h"

static int start_lua(lua_State *L)
{
    lua_pushboolean(L, trace_recording(true));
    return 1;
}

static int stop_lua(lua_State *L)
{
    lua_pushboolean(L, trace_recording(false));
    return 1;
}

static int reset_lua(lua_State *L)
{
    (void)L;
    if (trace_active()) mt_reset();
    return 0;
}

static int snapshot_lua(lua_State *L)
{
    size_t length;
    const char *path = luaL_checklstring(L, 1, &length);
    bool written = false;
    if (!trace_active()) {
        /* not tracing: nothing to write, nothing to say */
    } else if (strlen(path) != length) {
        /* C would read the name up to its first zero: another file */
        fprintf(stderr, "lua-memtracer: cannot write a snapshot: its file "
                        "name holds a zero byte\n");
    } else if (mt_snapshot(path) == 0) {
        written = true;
    } else {
        fprintf(stderr, "lua-memtracer: %s\n", mt_error());
    }
    lua_pushboolean(L, written);
    return 1;
}

static int module_open(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"start", start_lua},   {"stop", stop_lua},
        {"reset", reset_lua},   {"snapshot", snapshot_lua},
        {NULL, NULL},
    };
    luaL_newlib(L, functions);
    return 1;
}

void control_preload(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, module_open);
    lua_setfield(L, -2, "memtracer");
    lua_pop(L, 1);
}

/* ------------------------------------------------------------ sentinel */

static bool sentinel_on;

/* A new sentinel with the metatable at index mt, left unreferenced. */
static void sentinel_make(lua_State *L, int mt)
{
    mt = lua_absindex(L, mt);
    lua_newuserdatauv(L, 0, 0);
    lua_pushvalue(L, mt);
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

/* The sentinel's finalizer: a cycle ended.  lua_close finalizes it too,
 * which is no cycle: then it stops. */
static int sentinel_gc(lua_State *L)
{
    if (!sentinel_on || trace_closing() || !trace_active()) return 0;
    mt_gc_cycle();
    trace_untraced(1);
    if (lua_getmetatable(L, 1)) {
        sentinel_make(L, -1);
        lua_pop(L, 1);
    }
    trace_untraced(-1);
    return 0;
}

void control_sentinel_start(lua_State *L)
{
    trace_untraced(1);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, sentinel_gc);
    lua_setfield(L, -2, "__gc");
    sentinel_make(L, -1);
    lua_pop(L, 1);
    sentinel_on = true;
    trace_untraced(-1);
}

bool control_sentinel_called(lua_State *L)
{
    return sentinel_on && lua_tocfunction(L, -2) == sentinel_gc;
}
