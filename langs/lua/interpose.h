/*
 * interpose.h -- lua-memtracer's own lua_resume, lua_resetthread,
 * lua_sethook (and its getters) and lua_close, which the linker puts in
 * front of the archive's: see interpose.c.
 */
#ifndef LUAMT_INTERPOSE_H
#define LUAMT_INTERPOSE_H

#include <stdbool.h>

#include <lua.h>

/* The wrappers of the eight API functions, which the linker's --wrap puts
 * in front of the archive's and libluamt-api (api.c) exports under the
 * API's names, for C modules. */
int __wrap_lua_resume(lua_State *L, lua_State *from, int narg, int *nres);
int __wrap_lua_pcallk(lua_State *L, int nargs, int nresults, int errfunc,
                      lua_KContext ctx, lua_KFunction k);
int __wrap_lua_resetthread(lua_State *L);
void __wrap_lua_sethook(lua_State *L, lua_Hook f, int mask, int count);
lua_Hook __wrap_lua_gethook(lua_State *L);
int __wrap_lua_gethookmask(lua_State *L);
int __wrap_lua_gethookcount(lua_State *L);
void __wrap_lua_close(lua_State *L);

/* api.c's: calling it makes the linker keep libluamt-api, which the
 * executable needs loaded for its C modules. */
int luamt_api_present(void);

/* Arms the tracer's hook on a traced state's main thread (coroutines
 * inherit it when created): the count hook that keeps line numbers exact
 * and, with call paths, the call events where.c keeps its stacks by.  In
 * a sampled run without call paths (sampled) the count hook is armed only
 * while interpose_window says a sample is near. */
void interpose_arm(lua_State *L, bool calls, bool sampled);

/* A windowed run: the window before the next sample opens (the running
 * thread and each thread resumed get the count hook) or closes (each
 * loses it as it runs). */
void interpose_window(bool open);

/* Whether the tracer's hook is the one L runs (a C module may have
 * replaced it through the C API). */
bool interpose_armed(lua_State *L);

/* A signal handler's hook: installed as asked, without allocating (the
 * interrupt of run.c); the next lua_sethook re-arms the tracer's. */
void interpose_interrupt(lua_State *L, lua_Hook f);

#endif
