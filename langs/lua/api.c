/*
 * api.c -- libluamt-api: the Lua API functions lua-memtracer wraps, under
 * their own names, for the C modules require loads.
 *
 * --wrap (meson.build) works when the executable is linked: a module
 * loaded at run time finds its lua_resume among the symbols the executable
 * exports, and that would be the archive's own.  So the executable keeps
 * these eight names out of its exported symbols (exports.map), and this
 * library, which it needs, exports them instead: each calls the wrapper
 * the executable exports.  A module's lua_resume, lua_sethook or lua_close
 * is the one the launcher's own calls reach.
 */
#include "interpose.h"

int luamt_api_present(void)
{
    return 1;
}

LUA_API int lua_resume(lua_State *L, lua_State *from, int narg, int *nres)
{
    return __wrap_lua_resume(L, from, narg, nres);
}

LUA_API int lua_pcallk(lua_State *L, int nargs, int nresults, int errfunc,
                       lua_KContext ctx, lua_KFunction k)
{
    return __wrap_lua_pcallk(L, nargs, nresults, errfunc, ctx, k);
}

LUA_API int lua_resetthread(lua_State *L)
{
    return __wrap_lua_resetthread(L);
}

LUA_API void lua_sethook(lua_State *L, lua_Hook f, int mask, int count)
{
    __wrap_lua_sethook(L, f, mask, count);
}

LUA_API lua_Hook lua_gethook(lua_State *L)
{
    return __wrap_lua_gethook(L);
}

LUA_API int lua_gethookmask(lua_State *L)
{
    return __wrap_lua_gethookmask(L);
}

LUA_API int lua_gethookcount(lua_State *L)
{
    return __wrap_lua_gethookcount(L);
}

LUA_API void lua_close(lua_State *L)
{
    __wrap_lua_close(L);
}
