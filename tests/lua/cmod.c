/*
 * cmod.c -- a C module for checks.py, loaded by require: it makes a table
 * through the C API and resumes a coroutine itself (lua_resume called from
 * a module, which the executable's exported symbols resolve).
 */
#include <lauxlib.h>
#include <lua.h>

int luaopen_cmod(lua_State *L);

static int cmod_newtable(lua_State *L)
{
    lua_newtable(L);
    return 1;
}

/* Resumes the coroutine argument 1 once; true unless it failed. */
static int cmod_resume(lua_State *L)
{
    lua_State *co = lua_tothread(L, 1);
    int nres, status;
    luaL_argcheck(L, co != NULL, 1, "coroutine expected");
    status = lua_resume(co, L, 0, &nres);
    lua_pushboolean(L, status == LUA_OK || status == LUA_YIELD);
    return 1;
}

int luaopen_cmod(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"newtable", cmod_newtable},
        {"resume", cmod_resume},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    return 1;
}
