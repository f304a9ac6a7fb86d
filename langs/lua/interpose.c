/*
 * interpose.c -- lua_resume, lua_resetthread, lua_sethook and friends, and
 * lua_close, defined in the executable.
 *
 * The executable is linked with its symbols exported (-rdynamic), and
 * liblua5.4 calls these API functions through its PLT, so the definitions
 * here are the ones the library itself (coroutine.resume, coroutine.wrap,
 * debug.sethook, os.exit), C modules and the launcher call.  Each forwards
 * to the library's own (dlsym RTLD_NEXT) and, for the traced state only,
 * does one more thing:
 *
 *  - lua_resume: the allocator is given no lua_State, so the threads being
 *    resumed are kept on a stack (where.c) and allocations in a coroutine
 *    land on the coroutine's lines.  lua_resetthread (coroutine.close) runs
 *    the coroutine's pending __close handlers on its stack: the same.
 *  - lua_sethook: Lua 5.4's VM does not save the instruction pointer before
 *    OP_NEWTABLE (and OP_SETLIST), so without help `local t = {}` after a
 *    call is charged to the call's line.  A count hook makes the VM save it
 *    before every instruction; its count is huge, so it almost never fires.
 *    A script's line or count hook does the same, so it is installed as
 *    asked; a call/return-only hook is chained behind the count hook, which
 *    stays armed; clearing the hooks re-arms ours.  lua_gethook* report the
 *    script's hook, never ours, so debug.gethook sees what it set.
 *  - lua_close: starts the [close] phase.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "interpose.h"
#include "trace.h"
#include "where.h"

#define PC_HOOK_COUNT (1 << 30)

typedef int (*resume_fn)(lua_State *, lua_State *, int, int *);
typedef int (*reset_fn)(lua_State *);
typedef void (*sethook_fn)(lua_State *, lua_Hook, int, int);
typedef lua_Hook (*gethook_fn)(lua_State *);
typedef int (*gethookint_fn)(lua_State *);
typedef void (*close_fn)(lua_State *);

/* A script's call/return hook, chained behind the count hook. */
typedef struct chained_hook {
    lua_State *L;
    lua_Hook hook;
    int count;
} chained_hook;

static chained_hook *chained;
static size_t chained_n, chained_cap;

/* The library's definition of name; the launcher cannot run without it. */
static void *library_find(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f == NULL) {
        fprintf(stderr, "lua-memtracer: %s not found in liblua5.4: %s\n", name,
                dlerror());
        abort();
    }
    return f;
}

#define LIBRARY(type, var, name)                                            \
    static type var;                                                        \
    if (var == NULL) *(void **)&var = library_find(name)

static void pc_hook(lua_State *L, lua_Debug *ar)
{
    (void)L;
    (void)ar;
}

static chained_hook *chained_find(lua_State *L)
{
    for (size_t i = 0; i < chained_n; i++)
        if (chained[i].L == L) return &chained[i];
    return NULL;
}

static void chained_forget(lua_State *L)
{
    chained_hook *c = chained_find(L);
    if (c != NULL) *c = chained[--chained_n];
}

static bool chained_remember(lua_State *L, lua_Hook hook, int count)
{
    chained_hook *c = chained_find(L);
    if (c == NULL) {
        if (chained_n == chained_cap) {
            size_t cap = chained_cap ? 2 * chained_cap : 8;
            chained_hook *bigger = realloc(chained, cap * sizeof *bigger);
            if (bigger == NULL) return false;
            chained = bigger;
            chained_cap = cap;
        }
        c = &chained[chained_n++];
    }
    c->L = L;
    c->hook = hook;
    c->count = count;
    return true;
}

/* The count events are ours; the rest go to the script's hook. */
static void chain_hook(lua_State *L, lua_Debug *ar)
{
    chained_hook *c;
    if (ar->event == LUA_HOOKCOUNT) return;
    c = chained_find(L);
    if (c != NULL) c->hook(L, ar);
}

int lua_resume(lua_State *L, lua_State *from, int narg, int *nres)
{
    int status;
    LIBRARY(resume_fn, resume, "lua_resume");
    if (!trace_owns(L)) return resume(L, from, narg, nres);
    where_thread_push(L);
    status = resume(L, from, narg, nres);
    where_thread_pop();
    return status;
}

int lua_resetthread(lua_State *L)
{
    int status;
    LIBRARY(reset_fn, reset, "lua_resetthread");
    if (!trace_owns(L)) return reset(L);
    where_thread_push(L);
    status = reset(L);
    where_thread_pop();
    return status;
}

void lua_sethook(lua_State *L, lua_Hook f, int mask, int count)
{
    LIBRARY(sethook_fn, sethook, "lua_sethook");
    if (!trace_owns(L)) {
        sethook(L, f, mask, count);
        return;
    }
    chained_forget(L);
    if (f == NULL || mask == 0)
        sethook(L, pc_hook, LUA_MASKCOUNT, PC_HOOK_COUNT);
    else if (mask & (LUA_MASKLINE | LUA_MASKCOUNT))
        sethook(L, f, mask, count);
    else if (chained_remember(L, f, count))
        sethook(L, chain_hook, mask | LUA_MASKCOUNT, PC_HOOK_COUNT);
    else
        sethook(L, f, mask, count);  /* no memory: lines may go stale */
}

lua_Hook lua_gethook(lua_State *L)
{
    lua_Hook h;
    LIBRARY(gethook_fn, gethook, "lua_gethook");
    h = gethook(L);
    if (h == pc_hook) return NULL;
    if (h == chain_hook) {
        chained_hook *c = chained_find(L);
        return c != NULL ? c->hook : NULL;
    }
    return h;
}

int lua_gethookmask(lua_State *L)
{
    lua_Hook h;
    LIBRARY(gethookint_fn, gethookmask, "lua_gethookmask");
    LIBRARY(gethook_fn, gethook, "lua_gethook");
    h = gethook(L);
    if (h == pc_hook) return 0;
    if (h == chain_hook) return gethookmask(L) & ~LUA_MASKCOUNT;
    return gethookmask(L);
}

int lua_gethookcount(lua_State *L)
{
    lua_Hook h;
    LIBRARY(gethookint_fn, gethookcount, "lua_gethookcount");
    LIBRARY(gethook_fn, gethook, "lua_gethook");
    h = gethook(L);
    if (h == pc_hook) return 0;
    if (h == chain_hook) {
        chained_hook *c = chained_find(L);
        return c != NULL ? c->count : 0;
    }
    return gethookcount(L);
}

void lua_close(lua_State *L)
{
    LIBRARY(close_fn, close_state, "lua_close");
    if (trace_owns(L)) trace_close_begin();
    close_state(L);
}

void interpose_arm(lua_State *L)
{
    lua_sethook(L, NULL, 0, 0);
}
