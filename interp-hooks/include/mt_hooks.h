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
 * A VM that resolves its sites ahead (mt_site_at) counts its events with
 * the _try functions at the end, under MT_TRACING(): the common case then
 * costs no call into the tracer at all.
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
        if (MT_UNLIKELY(mt_active)) {                                         \
            mt_tag mt_tag_ = (tag);                                           \
            size_t mt_size_ = (size);                                         \
            if (!mt_free_tagged_try(mt_tag_, mt_size_))                       \
                mt_free_tagged(mt_tag_, mt_size_);                            \
        }                                                                     \
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

/* The events of a tracing VM that resolves its sites ahead, counted
 * inline where they can be.  Each counts as the call of the same name
 * without _try counts, and answers the same; or, when the event needs the
 * call -- a block the options keep out of the rows, a site with no row --
 * does nothing and answers MT_TAG_NONE (false), and the VM makes the
 * call.  While calls are traced (MT_TRACING_CALLS()), a block they counted
 * still owes its call path: mt_counts_add_path.  They never call anything
 * themselves, so a VM's common case can be a function that calls only its
 * allocator, with no registers to save.  They test nothing of mt_active:
 * call them under MT_TRACING(). */

static inline mt_tag mt_alloc_at_try(mt_site *site, size_t size) {
    mt_site_head *head = (mt_site_head *)site;
    if (MT_UNLIKELY(MT_TAG_KIND(head->tag) != MT_TAG_ROW ||
                    size < mt_hot_state.inline_min))
        return MT_TAG_NONE;
    mt_counts_add(head, size, 1, 0);
    return head->tag;
}

/* A release (new_size 0) always needs the call. */
static inline mt_tag mt_resize_at_try(mt_site *site, mt_tag old,
                                      size_t old_size, size_t new_size) {
    mt_site_head *head = (mt_site_head *)site;
    if (MT_UNLIKELY(MT_TAG_KIND(head->tag) != MT_TAG_ROW ||
                    new_size < mt_hot_state.inline_min ||
                    (old_size > 0 && MT_TAG_KIND(old) != MT_TAG_ROW)))
        return MT_TAG_NONE;
    if (old_size > 0)
        mt_counts_remove(
            (mt_site_head *)mt_hot_state.sites[MT_TAG_SITE(old)], old_size, 0);
    mt_counts_add(head, new_size, 0, old_size > 0);
    return head->tag | MT_TAG_STORAGE;
}

static inline bool mt_free_tagged_try(mt_tag tag, size_t size) {
    if (MT_UNLIKELY(MT_TAG_KIND(tag) != MT_TAG_ROW)) return false;
    mt_counts_remove((mt_site_head *)mt_hot_state.sites[MT_TAG_SITE(tag)],
                     size, !(tag & MT_TAG_STORAGE));
    return true;
}

#endif
