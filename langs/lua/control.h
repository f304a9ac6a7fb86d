/*
 * control.h -- the memtracer module a Lua program controls the tracer
 * with, and the sentinel that tells the tracer when a collection ends
 * (control.c).
 */
#ifndef LUAMT_CONTROL_H
#define LUAMT_CONTROL_H

#include <stdbool.h>

#include <lua.h>

/* package.preload.memtracer, traced or not (without tracing its functions
 * do nothing). */
void control_preload(lua_State *L);

/* Arms the sentinel in the traced state: from then on every collection
 * cycle that runs finalizers is told to the tracer (mt_gc_cycle). */
void control_sentinel_start(lua_State *L);

/* Whether the call about to be made on L's stack (function at -2, its one
 * argument at -1: how the collector calls a finalizer) is the sentinel's
 * finalizer. */
bool control_sentinel_called(lua_State *L);

#endif
