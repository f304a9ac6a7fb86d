/*
 * interpose.h -- lua-memtracer's own lua_resume, lua_sethook (and its
 * getters) and lua_close, which liblua5.4 and C modules call instead of the
 * library's: see interpose.c.
 */
#ifndef LUAMT_INTERPOSE_H
#define LUAMT_INTERPOSE_H

#include <lua.h>

/* Arms the hook that keeps line numbers exact on a traced state's main
 * thread (coroutines inherit it when created). */
void interpose_arm(lua_State *L);

#endif
