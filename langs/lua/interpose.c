/*
 * interpose.c -- lua_resume, lua_resetthread, lua_sethook and its getters,
 * and lua_close, as the traced state needs them.
 *
 * The executable links Lua's static archive and is linked with
 * --wrap=NAME for each of them (meson.build): every reference to NAME from
 * another object -- the archive's coroutine, debug and os libraries, and
 * the launcher -- reaches __wrap_NAME here, which calls the archive's own
 * as __real_NAME.  No member of the archive calls one of these from the
 * member that defines it, so no call escapes.  For any state but the
 * traced one each wrapper is its __real_ function; for the traced one it
 * does one thing more:
 *
 *  - lua_resume: the allocator is given no lua_State, so the threads being
 *    resumed are kept on a stack (where.c) and allocations in a coroutine
 *    land on the coroutine's lines.  lua_resetthread (coroutine.close) runs
 *    the coroutine's pending __close handlers on its stack: the same, and
 *    its frames are gone after.
 *  - lua_sethook: Lua 5.4's VM does not save the instruction pointer before
 *    OP_NEWTABLE (and OP_SETLIST), so without help `local t = {}` after a
 *    call is charged to the call's line.  A count hook makes the VM save it
 *    before every instruction; its count is huge, so it almost never fires.
 *    With call paths the tracer's hook also takes call events (where.c's
 *    stacks are kept by them).  Without call paths a script's line or
 *    count hook keeps lines exact too, so it is installed as asked; any
 *    other hook of a script is chained behind the tracer's, which stays
 *    armed, and gets exactly the events it asked for; clearing the hooks
 *    re-arms the tracer's.  lua_gethook* report the script's hook, never
 *    the tracer's, so debug.gethook sees what it set.
 *  - lua_pcallk (pcall, xpcall, the launcher's calls): a script's hook
 *    that raises an error leaves through the protected call that catches
 *    it, so where_blind (set while a script's hook runs) is put back there,
 *    as Lua puts back its own "hooks allowed".  lua_resume likewise.
 *  - lua_close: a full collection first, so that what is live at exit is
 *    what the program still reached; then the [close] phase.
 *
 * A C module loaded by require finds these eight names in libluamt-api
 * (api.c), which calls the wrappers here: its calls are the launcher's.
 */
#include "interpose.h"

#include <stddef.h>
#include <stdlib.h>

#include "control.h"
#include "trace.h"
#include "where.h"

#define PC_HOOK_COUNT (1 << 30)

int __real_lua_resume(lua_State *L, lua_State *from, int narg, int *nres);
int __real_lua_pcallk(lua_State *L, int nargs, int nresults, int errfunc,
                      lua_KContext ctx, lua_KFunction k);
int __real_lua_resetthread(lua_State *L);
void __real_lua_sethook(lua_State *L, lua_Hook f, int mask, int count);
lua_Hook __real_lua_gethook(lua_State *L);
int __real_lua_gethookmask(lua_State *L);
int __real_lua_gethookcount(lua_State *L);
void __real_lua_close(lua_State *L);
/* ldo.h's, for the collector's calls of finalizers (lgc.c's GCTM). */
typedef void (*protected_fn)(lua_State *L, void *ud);
int __real_luaD_pcall(lua_State *L, protected_fn f, void *u, ptrdiff_t oldtop,
                      ptrdiff_t ef);

int __wrap_luaD_pcall(lua_State *L, protected_fn f, void *u, ptrdiff_t oldtop,
                      ptrdiff_t ef);

/* A script's hook, chained behind the tracer's: it gets the events of its
 * mask, and count events only when it asked for them. */
typedef struct chained_hook {
    lua_State *L;
    lua_Hook hook;
    int mask;
    int count;
} chained_hook;

static chained_hook *chained;
static size_t chained_n, chained_cap;
static bool calls_wanted;   /* the tracer's hook takes call events */
/* A sampled run without call paths: the tracer's count hook is armed only
 * while the window before a sample is open (interpose_window). */
static bool windowed;
static bool window_open;

/* The tracer's own hook, without call paths: it only has to exist. */
static void pc_hook(lua_State *L, lua_Debug *ar)
{
    (void)L;
    (void)ar;
}

/* The tracer's own hook, with call paths. */
static void call_hook(lua_State *L, lua_Debug *ar)
{
    if (ar->event == LUA_HOOKCALL || ar->event == LUA_HOOKTAILCALL)
        where_call(L, ar);
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

static bool chained_remember(lua_State *L, lua_Hook hook, int mask, int count)
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
    c->mask = mask;
    c->count = count;
    return true;
}

static int event_mask(int event)
{
    switch (event) {
    case LUA_HOOKCALL:
    case LUA_HOOKTAILCALL: return LUA_MASKCALL;
    case LUA_HOOKRET: return LUA_MASKRET;
    case LUA_HOOKLINE: return LUA_MASKLINE;
    default: return LUA_MASKCOUNT;
    }
}

/* The tracer's events first, then the script's hook if it asked for this
 * one.  Calls the script's hook makes are not reported to hooks (Lua turns
 * them off while one runs): where.c is told not to trust its stacks. */
static void chain_hook(lua_State *L, lua_Debug *ar)
{
    chained_hook *c;
    if (calls_wanted) call_hook(L, ar);
    c = chained_find(L);
    if (c != NULL && (c->mask & event_mask(ar->event))) {
        where_blind++;
        c->hook(L, ar);
        where_blind--;
    }
}

static bool hook_is_ours(lua_Hook h)
{
    return h == pc_hook || h == call_hook || h == chain_hook;
}

/* A windowed run: L has the tracer's count hook while the window is open,
 * and no hook of the tracer's while it is closed.  A script's own hook is
 * left as it is. */
static void window_sync(lua_State *L)
{
    lua_Hook h;
    if (!windowed || L == NULL) return;
    h = __real_lua_gethook(L);
    if (window_open && h == NULL)
        __real_lua_sethook(L, pc_hook, LUA_MASKCOUNT, PC_HOOK_COUNT);
    else if (!window_open && h == pc_hook)
        __real_lua_sethook(L, NULL, 0, 0);
}

void interpose_window(bool open)
{
    window_open = open;
    window_sync(where_running());
}

int __wrap_lua_resume(lua_State *L, lua_State *from, int narg, int *nres)
{
    int status, blind = where_blind;
    if (!trace_owns(L)) return __real_lua_resume(L, from, narg, nres);
    where_thread_push(L);
    window_sync(L);
    status = __real_lua_resume(L, from, narg, nres);
    where_thread_pop();
    window_sync(where_running());
    where_blind = blind;
    return status;
}

int __wrap_lua_pcallk(lua_State *L, int nargs, int nresults, int errfunc,
                      lua_KContext ctx, lua_KFunction k)
{
    int blind = where_blind;
    int status = __real_lua_pcallk(L, nargs, nresults, errfunc, ctx, k);
    where_blind = blind;
    return status;
}

int __wrap_lua_resetthread(lua_State *L)
{
    int status;
    if (!trace_owns(L)) return __real_lua_resetthread(L);
    where_thread_push(L);
    window_sync(L);
    status = __real_lua_resetthread(L);
    where_thread_pop();
    window_sync(where_running());
    where_thread_forget(L);
    return status;
}

void __wrap_lua_sethook(lua_State *L, lua_Hook f, int mask, int count)
{
    lua_Hook ours = calls_wanted ? call_hook : pc_hook;
    int our_mask = LUA_MASKCOUNT | (calls_wanted ? LUA_MASKCALL : 0);
    if (!trace_owns(L)) {
        __real_lua_sethook(L, f, mask, count);
        return;
    }
    chained_forget(L);
    if ((f == NULL || mask == 0) && windowed && !window_open)
        __real_lua_sethook(L, NULL, 0, 0);
    else if (f == NULL || mask == 0)
        __real_lua_sethook(L, ours, our_mask, PC_HOOK_COUNT);
    else if (!calls_wanted && (mask & (LUA_MASKLINE | LUA_MASKCOUNT)))
        __real_lua_sethook(L, f, mask, count);
    else if (chained_remember(L, f, mask, count))
        __real_lua_sethook(L, chain_hook, mask | our_mask,
                           (mask & LUA_MASKCOUNT) ? count : PC_HOOK_COUNT);
    else
        __real_lua_sethook(L, f, mask, count);  /* no memory: see README */
}

lua_Hook __wrap_lua_gethook(lua_State *L)
{
    lua_Hook h = __real_lua_gethook(L);
    if (h == chain_hook) {
        chained_hook *c = chained_find(L);
        return c != NULL ? c->hook : NULL;
    }
    return hook_is_ours(h) ? NULL : h;
}

int __wrap_lua_gethookmask(lua_State *L)
{
    lua_Hook h = __real_lua_gethook(L);
    if (h == chain_hook) {
        chained_hook *c = chained_find(L);
        return c != NULL ? c->mask : 0;
    }
    return hook_is_ours(h) ? 0 : __real_lua_gethookmask(L);
}

int __wrap_lua_gethookcount(lua_State *L)
{
    lua_Hook h = __real_lua_gethook(L);
    if (h == chain_hook) {
        chained_hook *c = chained_find(L);
        return c != NULL ? c->count : 0;
    }
    return hook_is_ours(h) ? 0 : __real_lua_gethookcount(L);
}

void __wrap_lua_close(lua_State *L)
{
    if (trace_owns(L)) {
        lua_gc(L, LUA_GCCOLLECT);
        trace_close_begin();
    }
    __real_lua_close(L);
}

/* The collector calls a finalizer through luaD_pcall (lgc.o's GCTM, and
 * lapi.o's lua_pcallk, reach it from other members of the archive): what
 * it allocates to call the sentinel's is the tracer's, never counted. */
int __wrap_luaD_pcall(lua_State *L, protected_fn f, void *u, ptrdiff_t oldtop,
                      ptrdiff_t ef)
{
    int status;
    if (!control_sentinel_called(L))
        return __real_luaD_pcall(L, f, u, oldtop, ef);
    trace_untraced(1);
    status = __real_luaD_pcall(L, f, u, oldtop, ef);
    trace_untraced(-1);
    return status;
}

/* luamt_api_present: libluamt-api must be loaded for C modules' calls of
 * the wrapped functions, and a library nothing calls is dropped by the
 * linker. */
void interpose_arm(lua_State *L, bool calls, bool sampled)
{
    if (!luamt_api_present()) abort();
    calls_wanted = calls;
    windowed = sampled && !calls;
    window_open = false;
    chained_n = 0;
    __wrap_lua_sethook(L, NULL, 0, 0);
}

bool interpose_armed(lua_State *L)
{
    lua_Hook h = __real_lua_gethook(L);
    return h == call_hook || h == chain_hook;
}

void interpose_interrupt(lua_State *L, lua_Hook f)
{
    int every = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    __real_lua_sethook(L, f, every, 1);
}
