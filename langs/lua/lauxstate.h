/*
 * lauxstate.h -- what luaL_newstate adds to a state, for one made with
 * lua_newstate (the traced state needs its own allocator from the start).
 */
#ifndef LUAMT_LAUXSTATE_H
#define LUAMT_LAUXSTATE_H

#include <lua.h>

/* The panic message and the warning protocol of lauxlib. */
void lauxstate_install(lua_State *L);

#endif
