/*
 * where.h -- where in the Lua program an allocation happens.
 *
 * The allocator is called with no lua_State, so the location is read off
 * the Lua stacks at the allocation: the innermost Lua frame (C frames such
 * as string.rep are walked past), or with whole call paths every frame,
 * across coroutines, outermost first.  A function is named once, cached by
 * its prototype's identity, so a repeated location costs one stack probe
 * and one cache hit.  With whole paths each thread's frames are kept
 * between allocations and only what changed is read again: the tracer's
 * hook reports every call (where_call), and a frame no call has replaced
 * since it was read is the same activation.
 */
#ifndef LUAMT_WHERE_H
#define LUAMT_WHERE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include <memtracer/memtracer.h>

/* whole_paths: every frame (stack traces, call tree, histogram);
 * otherwise the innermost Lua frame only.  sampled: a sampled run, which
 * reads few locations. */
void where_init(bool whole_paths, bool sampled);
void where_free(void);

/* The running threads, outermost first: the main thread, then each
 * coroutine being resumed (lua_resume nests). */
void where_thread_push(lua_State *L);
void where_thread_pop(void);
/* The thread running now (the innermost resumed), or NULL. */
lua_State *where_running(void);
/* Back to the main thread alone: lua_close runs finalizers there, also when
 * os.exit closes the state from inside a coroutine (whose resume never
 * returns). */
void where_thread_reset(void);
/* L's frames are gone (coroutine.close) or L itself is (freed). */
void where_thread_forget(lua_State *L);

/* A call event of the tracer's hook (whole paths): the frame the call
 * makes replaces whatever was kept at its depth. */
void where_call(lua_State *L, const lua_Debug *ar);
/* Above zero while calls may be made that no hook reports: a script's hook
 * is running (Lua reports nothing to hooks then).  Finalizers are the
 * other such case; where.c asks Lua about them. */
extern int where_blind;

/* Stores the allocation's function and line and, with whole paths, makes
 * its call path current (mt_path_set); false, with nothing set, when no
 * Lua function is running. */
bool where_set(mt_func *func, int *line);

/* Every block the state releases, freed or moved by a resize: the function
 * found last is recognised by its source string's address, which stays its
 * own only while that string lives, and a Lua function met before by its
 * closure's address, which stays its own only while the closure lives
 * (where.c's closures). */
extern const char *where_last_source;
void where_forget_last(void);

#define WHERE_CLOSURES_BITS 8
typedef struct where_closure {
    const void *closure;    /* NULL: empty */
    mt_func func;
    uint64_t stamp;         /* this entry's own, for the lines read under it */
} where_closure;
extern where_closure where_closures[1u << WHERE_CLOSURES_BITS];
extern bool where_closures_on;  /* closures are kept (where.c) */

/* p's slot in a direct-mapped table of 2^bits entries. */
static inline size_t where_slot(const void *p, unsigned bits)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> (64 - bits));
}

/* Whether block, of size bytes, holds the source string found last. */
static inline bool where_holds_source(const void *block, size_t size)
{
    return (uintptr_t)where_last_source - (uintptr_t)block < size;
}

/* The entry block would have among the closures kept, if they are kept;
 * else NULL. */
static inline where_closure *where_closure_slot(const void *block)
{
    return where_closures_on
               ? &where_closures[where_slot(block, WHERE_CLOSURES_BITS)]
               : NULL;
}

/* Whether where_released(block, size) has anything to forget: the block
 * holds the source found last, or is a closure kept. */
static inline bool where_holds(const void *block, size_t size)
{
    const where_closure *known = where_closure_slot(block);
    return where_holds_source(block, size) ||
           (known != NULL && known->closure == block);
}

static inline void where_released(const void *block, size_t size)
{
    if (where_holds_source(block, size)) where_forget_last();
    where_closure *known = where_closure_slot(block);
    if (known != NULL && known->closure == block) known->closure = NULL;
}

#endif
