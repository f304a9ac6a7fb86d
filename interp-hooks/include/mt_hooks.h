/*
 * mt_hooks.h -- the narrow waist between a VM and libmemtracer.
 *
 * A VM calls these from its allocation chokepoint and its call/return
 * paths.  Each is a macro, not a function, so that its arguments -- above
 * all the location, which costs the VM a look-up -- are evaluated only
 * when tracing is on.  Off, a hook is one load and one branch predicted
 * not taken.
 *
 * Where working out a hook's arguments takes more than a load or two, a VM
 * does better to test MT_TRACING() (or MT_TRACING_CALLS()) itself and do
 * the tracer's side of the event in a cold function of its own: inline,
 * even code that never runs costs the fast path registers.
 *
 * Compiling with MT_HOOKS_DISABLED defined makes every hook nothing at
 * all: the build that the cost of a hook that is off is measured against.
 */
#ifndef MT_HOOKS_H
#define MT_HOOKS_H

#include "memtracer.h"

#if defined(__GNUC__)
#define MT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define MT_UNLIKELY(x) (x)
#endif

#ifndef MT_HOOKS_DISABLED

#define MT_TRACING() MT_UNLIKELY(mt_active)
#define MT_TRACING_CALLS() MT_UNLIKELY(mt_calls_active)

#define MT_HOOK_ALLOC(ptr, size, type, func, line)                            \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active))                                           \
            mt_alloc((ptr), (size), (type), (func), (line));                  \
    } while (0)

#define MT_HOOK_RESIZE(old_ptr, old_size, new_ptr, new_size, owner, func,     \
                       line)                                                  \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active))                                           \
            mt_resize((old_ptr), (old_size), (new_ptr), (new_size), (owner),  \
                      (func), (line));                                        \
    } while (0)

#define MT_HOOK_FREE(ptr, size)                                               \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active)) mt_free((ptr), (size));                   \
    } while (0)

/* tag: an lvalue of type mt_tag beside the object, set either way. */
#define MT_HOOK_ALLOC_TAGGED(tag, size, type, func, line)                     \
    do {                                                                      \
        (tag) = MT_UNLIKELY(mt_active)                                        \
                    ? mt_alloc_tagged((size), (type), (func), (line))         \
                    : MT_TAG_NONE;                                            \
    } while (0)

/* tag: an lvalue of type mt_tag beside the storage: read, then set. */
#define MT_HOOK_RESIZE_TAGGED(tag, old_size, new_size, owner, func, line)     \
    do {                                                                      \
        (tag) = MT_UNLIKELY(mt_active)                                        \
                    ? mt_resize_tagged((tag), (old_size), (new_size),         \
                                       (owner), (func), (line))               \
                    : MT_TAG_NONE;                                            \
    } while (0)

#define MT_HOOK_FREE_TAGGED(tag, size)                                        \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active)) mt_free_tagged((tag), (size));            \
    } while (0)

#define MT_HOOK_CALL(callee, call_line)                                       \
    do {                                                                      \
        if (MT_UNLIKELY(mt_calls_active)) mt_call((callee), (call_line));     \
    } while (0)

#define MT_HOOK_RETURN()                                                      \
    do {                                                                      \
        if (MT_UNLIKELY(mt_calls_active)) mt_return();                        \
    } while (0)

/* An error unwound the guest's stack to depth frames. */
#define MT_HOOK_UNWIND(depth)                                                 \
    do {                                                                      \
        if (MT_UNLIKELY(mt_calls_active)) mt_unwind(depth);                   \
    } while (0)

#else

#define MT_TRACING() 0
#define MT_TRACING_CALLS() 0
#define MT_HOOK_ALLOC(ptr, size, type, func, line) ((void)0)
#define MT_HOOK_RESIZE(old_ptr, old_size, new_ptr, new_size, owner, func,     \
                       line)                                                  \
    ((void)0)
#define MT_HOOK_FREE(ptr, size) ((void)0)
#define MT_HOOK_ALLOC_TAGGED(tag, size, type, func, line) ((void)0)
#define MT_HOOK_RESIZE_TAGGED(tag, old_size, new_size, owner, func, line)     \
    ((void)0)
#define MT_HOOK_FREE_TAGGED(tag, size) ((void)0)
#define MT_HOOK_CALL(callee, call_line) ((void)0)
#define MT_HOOK_RETURN() ((void)0)
#define MT_HOOK_UNWIND(depth) ((void)0)

#endif

#endif
