/*
 * repl.h -- the interactive loop of `lua -i` (and of `lua` on a terminal).
 */
#ifndef LUAMT_REPL_H
#define LUAMT_REPL_H

#include <lua.h>

void repl_run(lua_State *L);

#endif
