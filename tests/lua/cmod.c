/*
 * cmod.c -- a C module for checks.py, loaded by require: it makes a table
 * through the C API, resumes a coroutine itself (lua_resume called from
 * a module, which the executable's exported symbols resolve), and makes a
 * userdata, whose memory may hold anything malloc's can.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

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

/* Whether a new userdata's memory is aligned as malloc's memory is. */
static int cmod_userdata_aligned(lua_State *L)
{
    void *memory = lua_newuserdatauv(L, 32, 0);
    lua_pushboolean(L, (uintptr_t)memory % alignof(max_align_t) == 0);
    return 1;
}

int luaopen_cmod(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"newtable", cmod_newtable},
        {"resume", cmod_resume},
        {"userdata_aligned", cmod_userdata_aligned},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    return 1;
}
