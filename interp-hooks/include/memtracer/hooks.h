/*
 * hooks.h -- what a VM includes to report to libmemtracer: the events of
 * memtracer.h behind a branch, so that tracing that is off costs one load
 * and one branch predicted not taken.
 *
 * Each hook is a macro, not a function, so that its arguments -- above all
 * the location, which costs the VM a look-up -- are evaluated only when
 * tracing is on.  Where working out the arguments takes more than a load
 * or two, a VM does better to test MT_TRACING() itself and do the tracer's
 * side of the event in a function of its own, out of line.
 *
 * Compiling with MT_HOOKS_DISABLED defined makes every hook nothing at
 * all: the build that the cost of hooks that are off is measured against.
 */
#ifndef MEMTRACER_HOOKS_H
#define MEMTRACER_HOOKS_H

#include "memtracer/memtracer.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MT_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Stores before it are made before stores after it, as a signal handler
 * on this thread sees them. */
#define MT_SIGNAL_ORDER() __asm__ __volatile__("" ::: "memory")
#else
#define MT_UNLIKELY(x) (x)
#define MT_SIGNAL_ORDER() ((void)0)
#endif

/* An address reported after realloc or free let the block go is only a
 * key (memtracer.h): GCC's use-after-free warning does not apply. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#define MT_ADDRESS_KEPT(call)                                                 \
    _Pragma("GCC diagnostic push")                                            \
    _Pragma("GCC diagnostic ignored \"-Wuse-after-free\"") call;            \
    _Pragma("GCC diagnostic pop")
#else
#define MT_ADDRESS_KEPT(call) call;
#endif

/* Set while the tracer records, and while it needs the guest's calls.
 * Read them through MT_TRACING() and MT_TRACING_CALLS() only. */
MT_API extern bool mt_active;
MT_API extern bool mt_calls_active;

#ifndef MT_HOOKS_DISABLED

/* Whether allocations are recorded now. */
#define MT_TRACING() MT_UNLIKELY(mt_active)
/* Whether calls and returns are recorded now. */
#define MT_TRACING_CALLS() MT_UNLIKELY(mt_calls_active)

/* The simple door. */
#define MT_HOOK_ALLOC(ptr, size, type, func, line)                            \
    do {                                                                      \
        if (MT_TRACING()) mt_alloc((ptr), (size), (type), (func), (line));    \
    } while (0)

#define MT_HOOK_RESIZE(old_ptr, old_size, new_ptr, new_size, type, func,      \
                       line)                                                  \
    do {                                                                      \
        if (MT_TRACING()) {                                                   \
            MT_ADDRESS_KEPT(mt_resize((old_ptr), (old_size), (new_ptr),       \
                                      (new_size), (type), (func), (line)))    \
        }                                                                     \
    } while (0)

#define MT_HOOK_FREE(ptr, size)                                               \
    do {                                                                      \
        if (MT_TRACING()) {                                                   \
            MT_ADDRESS_KEPT(mt_free((ptr), (size)))                           \
        }                                                                     \
    } while (0)

/* The fast door's release: tag is the block's, size its size. */
#define MT_HOOK_FREE_TAGGED(tag, size)                                        \
    do {                                                                      \
        if (MT_TRACING()) mt_free_tagged((tag), (size));                      \
    } while (0)

/* Calls. */
#define MT_HOOK_CALL(callee, call_line)                                       \
    do {                                                                      \
        if (MT_TRACING_CALLS()) mt_call((callee), (call_line));               \
    } while (0)

#define MT_HOOK_RETURN()                                                      \
    do {                                                                      \
        if (MT_TRACING_CALLS()) mt_return();                                  \
    } while (0)

/* An error unwound the guest's stack to depth frames. */
#define MT_HOOK_UNWIND(depth)                                                 \
    do {                                                                      \
        if (MT_TRACING_CALLS()) mt_unwind(depth);                             \
    } while (0)

#else

#define MT_TRACING() 0
#define MT_TRACING_CALLS() 0
#define MT_HOOK_ALLOC(ptr, size, type, func, line) ((void)0)
#define MT_HOOK_RESIZE(old_ptr, old_size, new_ptr, new_size, type, func,      \
                       line)                                                  \
    ((void)0)
#define MT_HOOK_FREE(ptr, size) ((void)0)
#define MT_HOOK_FREE_TAGGED(tag, size) ((void)0)
#define MT_HOOK_CALL(callee, call_line) ((void)0)
#define MT_HOOK_RETURN() ((void)0)
#define MT_HOOK_UNWIND(depth) ((void)0)

#endif

#ifdef __cplusplus
}
#endif

#endif
