/*
 * mt_hooks.h -- the narrow waist between a VM and libmemtracer.
 *
 * A VM calls these from its allocation chokepoint and its call/return
 * paths.  Each is a macro, not a function, so that its arguments -- above
 * all the line, which costs the VM a table look-up -- are evaluated only
 * when tracing is on.  Off, a hook is one load and one branch predicted
 * not taken.
 */
#ifndef MT_HOOKS_H
#define MT_HOOKS_H

#include "memtracer.h"

#if defined(__GNUC__)
#define MT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define MT_UNLIKELY(x) (x)
#endif

#define MT_HOOK_ALLOC(ptr, size, type, line)                                  \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active)) mt_alloc((ptr), (size), (type), (line));  \
    } while (0)

#define MT_HOOK_RESIZE(old_ptr, old_size, new_ptr, new_size, owner, line)     \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active))                                           \
            mt_resize((old_ptr), (old_size), (new_ptr), (new_size), (owner),  \
                      (line));                                                \
    } while (0)

#define MT_HOOK_FREE(ptr, size)                                               \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active)) mt_free((ptr), (size));                   \
    } while (0)

#define MT_HOOK_CALL(callee, call_line)                                       \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active)) mt_call((callee), (call_line));           \
    } while (0)

#define MT_HOOK_RETURN()                                                      \
    do {                                                                      \
        if (MT_UNLIKELY(mt_active)) mt_return();                              \
    } while (0)

#endif
