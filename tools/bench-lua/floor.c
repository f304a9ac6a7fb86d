/*
 * floor.c -- lua-floor: the least a tracer of stock Lua through its public
 * API must do, to measure lua-memtracer against.
 *
 * It runs a script as `lua script [args]` does (generational collector),
 * on the same static Lua,
 * with the two things exact lines need and nothing else: the count hook
 * lua-memtracer keeps armed (a huge count: the VM saves the instruction
 * pointer before every instruction) and, in the allocator, the location of
 * every block obtained: lua_getstack and lua_getinfo("Sl") on the running
 * thread's innermost frame.  No tracer, no header, no counting.
 *
 * Usage: lua-floor [--hook-only] script [args]
 *   --hook-only  the count hook alone (no lua_getinfo per block)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

static lua_State *running;
static volatile int line_sink;

static void pc_hook(lua_State *L, lua_Debug *ar)
{
    (void)L;
    (void)ar;
}

/* lauxlib's allocator, reading the location of every block obtained. */
static void *alloc_located(void *ud, void *block, size_t osize, size_t nsize)
{
    lua_Debug ar;
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(block);
        return NULL;
    }
    if (running != NULL && lua_getstack(running, 0, &ar)) {
        lua_getinfo(running, "Sl", &ar);
        line_sink = ar.currentline;
    }
    return realloc(block, nsize);
}

static int traceback(lua_State *L)
{
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

int main(int argc, char **argv)
{
    int first = 1, hook_only = 0;
    lua_State *L;
    if (argc > 1 && strcmp(argv[1], "--hook-only") == 0) {
        hook_only = 1;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: lua-floor [--hook-only] script [args]\n");
        return 64;
    }
    L = hook_only ? luaL_newstate() : lua_newstate(alloc_located, NULL);
    if (L == NULL) return 1;
    lua_gc(L, LUA_GCSTOP);
    luaL_openlibs(L);
    lua_createtable(L, argc - first, 1);
    for (int i = first; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - first);
    }
    lua_setglobal(L, "arg");
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCGEN, 0, 0);  /* as lua.c runs */
    lua_sethook(L, pc_hook, LUA_MASKCOUNT, 1 << 30);
    running = hook_only ? NULL : L;
    lua_pushcfunction(L, traceback);
    if (luaL_loadfile(L, argv[first]) != LUA_OK) {
        fprintf(stderr, "lua-floor: %s\n", lua_tostring(L, -1));
        return 1;
    }
    for (int i = first + 1; i < argc; i++) lua_pushstring(L, argv[i]);
    if (lua_pcall(L, argc - first - 1, 0, 1) != LUA_OK) {
        fprintf(stderr, "lua-floor: %s\n", lua_tostring(L, -1));
        return 1;
    }
    running = NULL;
    lua_close(L);
    return 0;
}
