/*
 * where.c -- reading an allocation's location off the Lua stacks.
 *
 * lua_getstack and lua_getinfo with "Sln" neither allocate nor write to a
 * stack, so they are safe inside the allocator (trace.c calls us before
 * the real allocator runs, while a stack being reallocated is still
 * intact).  Nothing here pushes a value: at some allocations the stack's
 * top is already in the slots Lua keeps spare beyond its end.
 *
 * Naming.  A Lua function is named as luaL_traceback names its frame, the
 * first time an allocation meets it: by the name it was called by
 * (lua_getinfo "n", which reads the calling instruction): a global by its
 * name ("simulate"), otherwise as Lua says it ("method 'add'",
 * "field 'new'", "local 'f'", "upvalue 'f'", "metamethod 'index'",
 * "for iterator 'for iterator'"); a chunk's body is "main chunk"; a
 * function called from C or by a tail call is "function <file:line>" (file
 * and line where it is defined).  luaL_traceback first looks the function
 * up in the loaded modules, which allocates and pushes values: that is the
 * one rule left out.  The file is Lua's short_src.  The name is kept per
 * prototype, so every row and frame of a function has one name.
 *
 * The prototype cache is keyed by the source string (its address is
 * stable while the function lives) and the lines the function spans;
 * short_src is compared too, since a collected chunk's source address can
 * be reused.  The function found last is checked by address alone:
 * trace.c reports every block the state releases (where_released), and
 * releasing the block that holds its source forgets it.  Without whole
 * paths, a Lua frame met before is read off its CallInfo, not through
 * lua_getinfo: its function by its closure, its line by its saved
 * instruction position ("levels" below).
 *
 * Whole paths.  Each thread's frames, C frames included, are kept with
 * the CallInfo identity lua_getstack gives (i_ci).  A CallInfo holds one
 * depth of its thread's stack for as long as it lives, so a call at depth
 * d always reuses the CallInfo kept at d: the tracer's hook reports every
 * call (where_call), which drops the trust in the frame kept there and in
 * all above it.  At an allocation the walk from the top stops at the first
 * frame still trusted: it is the same activation, and so are all below it,
 * suspended in the calls they were making, their lines unchanged; only the
 * trusted frame's own line is read again.  Lua reports no calls while a
 * hook or a finalizer runs: then the whole stack is walked, trusting
 * nothing.  The path is made of every Lua frame, so a cut by StackLimit
 * (in the report) knows how many frames it cut; recursion folds there too
 * (mt_path_child).  Each kept frame keeps its path node, computed once.
 */
#include "where.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "interpose.h"

#define THREADS_MAX 256     /* > LUAI_MAXCCALLS, which bounds nesting */
#define SLOTS_FIRST 256
#define NONE UINT32_MAX

typedef struct func_slot {
    const char *source;     /* NULL: empty slot */
    int linedefined, lastlinedefined;
    mt_func func;
    char short_src[LUA_IDSIZE];
} func_slot;

/* A frame kept for whole paths.  A C frame carries the function, line and
 * node of what is below it (the Lua frame it was called from, or the
 * thread's base), so the top frame always tells the location. */
typedef struct frame {
    const void *ci;         /* lua_Debug's i_ci */
    bool lua;
    mt_func func;
    int line;
    mt_path node;
} frame;

/* One thread's kept frames, outermost first, and an index from CallInfo
 * identity to depth. */
typedef struct thread_stack {
    lua_State *L;
    frame *frames;
    uint32_t len, cap;
    uint32_t trusted;       /* frames below this depth: same activations */
    uint32_t noded;         /* frames below this depth: node, func, line set */
    frame base;             /* what the thread runs above: its resumer */
    struct ci_at {
        const void *ci;
        uint32_t at;
    } *index;
    uint32_t index_mask, index_used;
} thread_stack;

int where_blind;

static bool paths_whole;
static lua_State *threads[THREADS_MAX];
static thread_stack *stacks[THREADS_MAX];
static int thread_depth;
/* The threads below this position in threads[] have not run since their
 * frames and path were last read: each waits in the resume of the thread
 * above it, so what was read of them holds. */
static int ran_from;

static func_slot *slots;
static size_t slot_mask;    /* capacity - 1; capacity a power of two */
static size_t slot_used;
static func_slot *slot_last;    /* its source is where_last_source */
const char *where_last_source;

/* Every thread_stack, by thread (linear probing). */
static thread_stack **known;
static size_t known_mask, known_used;

/* Frames read above the trusted one, innermost first. */
static frame *fresh;
static size_t fresh_cap;

static uint64_t pointer_hash(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15u;
    return h ^ (h >> 32);
}

/* -------------------------------------------------------------- naming */

static size_t slot_hash(const char *source, int linedefined)
{
    uintptr_t h = (uintptr_t)source ^ ((uintptr_t)linedefined << 20);
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15u;
    return (size_t)(h >> 7);
}

void where_forget_last(void)
{
    slot_last = NULL;
    where_last_source = NULL;
}

static bool slot_is(const func_slot *s, const lua_Debug *ar)
{
    return s->source == ar->source && s->linedefined == ar->linedefined &&
           s->lastlinedefined == ar->lastlinedefined;
}

static func_slot *slot_probe(func_slot *table, size_t mask, const lua_Debug *ar)
{
    size_t i = slot_hash(ar->source, ar->linedefined) & mask;
    while (table[i].source != NULL && !slot_is(&table[i], ar))
        i = (i + 1) & mask;
    return &table[i];
}

/* Doubles the table; false when out of memory (the old one stays). */
static bool slots_grow(void)
{
    size_t mask = slot_mask * 2 + 1;
    func_slot *table = calloc(mask + 1, sizeof *table);
    if (table == NULL) return false;
    for (size_t i = 0; i <= slot_mask; i++) {
        if (slots[i].source == NULL) continue;
        size_t j = slot_hash(slots[i].source, slots[i].linedefined) & mask;
        while (table[j].source != NULL) j = (j + 1) & mask;
        table[j] = slots[i];
    }
    free(slots);
    slots = table;
    slot_mask = mask;
    where_forget_last();
    return true;
}

/* The name luaL_traceback gives the frame ar of thread L, but for its
 * search of the loaded modules; NULL when out of memory. */
static char *name_of(lua_State *L, lua_Debug *ar, size_t *len)
{
    const char *fixed = NULL;
    char *name;
    int n;
    if (ar->what[0] == 'm') {
        fixed = "main chunk";
    } else {
        lua_getinfo(L, "n", ar);
        if (ar->namewhat[0] != '\0' && strcmp(ar->namewhat, "global") == 0)
            fixed = ar->name;
    }
    if (fixed != NULL) {
        *len = strlen(fixed);
        name = malloc(*len + 1);
        if (name != NULL) memcpy(name, fixed, *len + 1);
        return name;
    }
    if (ar->namewhat[0] != '\0')
        n = snprintf(NULL, 0, "%s '%s'", ar->namewhat, ar->name);
    else
        n = snprintf(NULL, 0, "function <%s:%d>", ar->short_src,
                     ar->linedefined);
    if (n < 0 || (name = malloc((size_t)n + 1)) == NULL) return NULL;
    if (ar->namewhat[0] != '\0')
        snprintf(name, (size_t)n + 1, "%s '%s'", ar->namewhat, ar->name);
    else
        snprintf(name, (size_t)n + 1, "function <%s:%d>", ar->short_src,
                 ar->linedefined);
    *len = (size_t)n;
    return name;
}

static bool slot_fill(func_slot *s, lua_State *L, lua_Debug *ar)
{
    size_t len;
    char *name = name_of(L, ar, &len);
    if (name == NULL) return false;
    s->source = ar->source;
    s->linedefined = ar->linedefined;
    s->lastlinedefined = ar->lastlinedefined;
    memcpy(s->short_src, ar->short_src, sizeof s->short_src);
    s->func = mt_func_intern(name, len, ar->short_src, ar->linedefined);
    free(name);
    return true;
}

/* The cached naming of the function of frame ar of thread L (a Lua
 * frame, read with "Sl"). */
static func_slot *slot_find(lua_State *L, lua_Debug *ar)
{
    func_slot *s = slot_last;
    if (s != NULL && slot_is(s, ar)) return s;
    if (slots == NULL) return NULL;
    if (2 * (slot_used + 1) > slot_mask + 1 && !slots_grow() &&
        slot_used == slot_mask)
        return NULL;
    s = slot_probe(slots, slot_mask, ar);
    if (s->source == NULL) {
        if (!slot_fill(s, L, ar)) return NULL;
        slot_used++;
    } else if (strcmp(s->short_src, ar->short_src) != 0) {
        /* a dead chunk's source address, reused */
        if (!slot_fill(s, L, ar)) return NULL;
    }
    slot_last = s;
    where_last_source = s->source;
    return s;
}

/* ------------------------------------------------------------- levels */

/* lua_getstack finds a level by walking from the top: reading a stack
 * level by level that way costs the square of its depth (a recursion
 * 200,000 deep is the Lua test suite's cstack.lua).  A level's CallInfo
 * links to the one below it, so the walk can take one step a level: the
 * offset of that link in CallInfo (lstate.h's private struct) is found at
 * start on a scratch state, by comparing a frame's CallInfo with its
 * caller's as lua_getstack gives them (layout_probe); if no single field
 * is the link, walks use lua_getstack alone.  The lowest CallInfo,
 * lua_State's own (base_ci), is no level: its link is NULL. */
#define LINK_SLOTS 4        /* CallInfo begins func, top, previous, next */
static int link_at = -1;    /* the link's offset; -1: not found */
static bool layout_probed;

static const void *ci_link(const void *ci)
{
    const void *below;
    memcpy(&below, (const char *)ci + link_at, sizeof below);
    return below;
}

static void *link_probe_alloc(void *ud, void *block, size_t osize,
                              size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(block);
        return NULL;
    }
    return realloc(block, nsize);
}

/* Called by link_probe_outer: the one field of this frame's CallInfo that
 * holds its caller's, which is the lowest level and links to base_ci. */
static int link_probe_inner(lua_State *L)
{
    lua_Debug top, caller, below;
    int found = -1, matches = 0;
    if (!lua_getstack(L, 0, &top) || !lua_getstack(L, 1, &caller) ||
        lua_getstack(L, 2, &below))
        return 0;
    for (int slot = 0; slot < LINK_SLOTS; slot++) {
        const void *field;
        memcpy(&field, (const char *)top.i_ci + slot * sizeof field,
               sizeof field);
        if (field == (const void *)caller.i_ci) {
            found = slot * (int)sizeof field;
            matches++;
        }
    }
    if (matches != 1) return 0;
    link_at = found;
    const void *base = ci_link(caller.i_ci);
    if (base == NULL || ci_link(base) != NULL) link_at = -1;
    return 0;
}

static int link_probe_outer(lua_State *L)
{
    lua_pushcfunction(L, link_probe_inner);
    lua_call(L, 0, 0);
    return 0;
}

/* A Lua frame's function is known again by its closure, without
 * lua_getinfo's "S" (which builds short_src each time): CallInfo begins
 * with the stack slot of the function it runs, and a closure's value
 * begins with its address.  closure_probe checks that layout at start on
 * the scratch state (a Lua frame's value against lua_topointer); without
 * it, every frame is read with "Sl".  Each closure met keeps its
 * function's name in where_closures until its block is released
 * (where_released).  A sampled run, which reads few frames, keeps none,
 * nor does one with whole paths, which knows its frames by CallInfo. */
static bool closure_readable;
bool where_closures_on;
where_closure where_closures[1u << WHERE_CLOSURES_BITS];

static const void *closure_of(const void *ci)
{
    const void *slot, *value;
    memcpy(&slot, ci, sizeof slot);
    memcpy(&value, slot, sizeof value);
    return value;
}

/* A Lua frame's line is known again by the position of its next
 * instruction, which CallInfo keeps after its four pointers (savedpc; the
 * count hook keeps it current), for the closure it was read under: each
 * closure kept has a stamp of its own, and a line is kept with the stamp,
 * so that it is never taken for another function's code at that address.
 * closure_probe checks the layout: two calls a line apart in a chunk,
 * positions a few instructions apart. */
#define LINES_BITS 10
typedef struct line_known {
    const void *pc;
    uint64_t stamp;         /* the closure's, when read */
    int line;
} line_known;
static line_known lines_known[1u << LINES_BITS];
static bool savedpc_readable;
static uint64_t stamp_next;

static const void *savedpc_of(const void *ci)
{
    const void *pc;
    memcpy(&pc, (const char *)ci + 4 * sizeof pc, sizeof pc);
    return pc;
}

/* Called by a Lua chunk (layout_probe), twice, from consecutive lines. */
static int closure_probe(lua_State *L)
{
    static const char *first_pc;
    lua_Debug caller;
    if (!lua_getstack(L, 1, &caller) || !lua_getinfo(L, "fl", &caller))
        return 0;
    bool closure = lua_type(L, -1) == LUA_TFUNCTION &&
                   !lua_iscfunction(L, -1) &&
                   closure_of(caller.i_ci) == lua_topointer(L, -1);
    const char *pc = savedpc_of(caller.i_ci);
    lua_pop(L, 1);
    if (caller.currentline == 1) {
        closure_readable = closure;
        first_pc = pc;
    } else {
        closure_readable = closure_readable && closure;
        savedpc_readable = caller.currentline == 2 && pc > first_pc &&
                           pc - first_pc <= 64 &&
                           (pc - first_pc) % sizeof(uint32_t) == 0;
    }
    return 0;
}

/* CallInfo's link and its function's closure, as read above, checked
 * once on a scratch state. */
static void layout_probe(void)
{
    lua_State *L;
    if (layout_probed) return;
    layout_probed = true;
    L = lua_newstate(link_probe_alloc, NULL);
    if (L == NULL) return;
    lua_pushcfunction(L, link_probe_outer);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) link_at = -1;
    if (luaL_loadstring(L, "local probe = ... probe()\nprobe()") == LUA_OK) {
        lua_pushcfunction(L, closure_probe);
        if (lua_pcall(L, 1, 0, 0) != LUA_OK)
            closure_readable = savedpc_readable = false;
    }
    lua_close(L);
}

/* ar, the frame at level, becomes the one at level + 1; false past the
 * lowest. */
static bool frame_below(lua_State *L, int level, lua_Debug *ar)
{
    const void *below;
    if (link_at < 0) return lua_getstack(L, level + 1, ar);
    below = ci_link(ar->i_ci);
    if (below == NULL || ci_link(below) == NULL) return false;
    ar->i_ci = (struct CallInfo *)below;
    return true;
}

/* --------------------------------------------------------- thread stacks */

static thread_stack **known_probe(lua_State *L)
{
    size_t i = pointer_hash(L) & known_mask;
    while (known[i] != NULL && known[i]->L != L) i = (i + 1) & known_mask;
    return &known[i];
}

static bool known_grow(void)
{
    size_t mask = known_mask ? known_mask * 2 + 1 : 15;
    thread_stack **table = calloc(mask + 1, sizeof *table), **old = known;
    size_t old_mask = known_mask;
    if (table == NULL) return false;
    known = table;
    known_mask = mask;
    for (size_t i = 0; old != NULL && i <= old_mask; i++)
        if (old[i] != NULL) *known_probe(old[i]->L) = old[i];
    free(old);
    return true;
}

static thread_stack *stack_of(lua_State *L, bool create)
{
    thread_stack **at, *s;
    if (known != NULL) {
        at = known_probe(L);
        if (*at != NULL || !create) return *at;
    } else if (!create) {
        return NULL;
    }
    if (2 * (known_used + 1) > known_mask + 1 && !known_grow()) return NULL;
    s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->L = L;
    *known_probe(L) = s;
    known_used++;
    return s;
}

static void stack_free(thread_stack *s)
{
    free(s->frames);
    free(s->index);
    free(s);
}

/* Removes L's stack, shifting back the entries probed past it. */
static void known_remove(lua_State *L)
{
    size_t i, j;
    thread_stack **at;
    if (known == NULL || *(at = known_probe(L)) == NULL) return;
    stack_free(*at);
    *at = NULL;
    known_used--;
    i = (size_t)(at - known);
    for (j = (i + 1) & known_mask; known[j] != NULL; j = (j + 1) & known_mask) {
        thread_stack *moved = known[j];
        known[j] = NULL;
        *known_probe(moved->L) = moved;
    }
}

/* The depth kept for CallInfo ci, or NONE. */
static uint32_t index_find(const thread_stack *s, const void *ci)
{
    if (s->index == NULL) return NONE;
    for (size_t i = pointer_hash(ci) & s->index_mask; s->index[i].ci != NULL;
         i = (i + 1) & s->index_mask) {
        if (s->index[i].ci == ci) {
            uint32_t at = s->index[i].at;
            return at < s->len && s->frames[at].ci == ci ? at : NONE;
        }
    }
    return NONE;
}

static void index_put(thread_stack *s, const void *ci, uint32_t at)
{
    size_t i = pointer_hash(ci) & s->index_mask;
    while (s->index[i].ci != NULL && s->index[i].ci != ci)
        i = (i + 1) & s->index_mask;
    if (s->index[i].ci == NULL) s->index_used++;
    s->index[i].ci = ci;
    s->index[i].at = at;
}

/* Makes room in the index for frames up to len, dropping what no kept
 * frame holds; false when out of memory. */
static bool index_fit(thread_stack *s, uint32_t len)
{
    size_t want = s->index_mask + 1;
    if (s->index != NULL && 2 * ((size_t)s->index_used + len) <= want)
        return true;
    while (want < 4 * (size_t)len || want < 64) want *= 2;
    struct ci_at *index = calloc(want, sizeof *index);
    if (index == NULL) return false;
    free(s->index);
    s->index = index;
    s->index_mask = (uint32_t)(want - 1);
    s->index_used = 0;
    for (uint32_t at = 0; at < s->len && at < len; at++)
        index_put(s, s->frames[at].ci, at);
    return true;
}

static bool frames_fit(thread_stack *s, size_t len)
{
    if (len > UINT32_MAX / 2) return false;
    if (len > s->cap) {
        size_t cap = s->cap ? 2 * (size_t)s->cap : 64;
        while (cap < len) cap *= 2;
        frame *bigger = realloc(s->frames, cap * sizeof *bigger);
        if (bigger == NULL) return false;
        s->frames = bigger;
        s->cap = (uint32_t)cap;
    }
    return true;
}

static bool fresh_push(size_t n, const frame *f)
{
    if (n == fresh_cap) {
        size_t cap = fresh_cap ? 2 * fresh_cap : 64;
        frame *bigger = realloc(fresh, cap * sizeof *bigger);
        if (bigger == NULL) return false;
        fresh = bigger;
        fresh_cap = cap;
    }
    fresh[n] = *f;
    return true;
}

/* Brings s up to its thread's stack: walks from the top to the first
 * trusted frame (with blind, trusting none) and reads what is above it.
 * False when out of memory. */
static bool stack_refresh(thread_stack *s, bool blind)
{
    lua_State *L = s->L;
    lua_Debug ar;
    uint32_t below = NONE;  /* depth of the trusted frame met */
    size_t n = 0;
    bool more = lua_getstack(L, 0, &ar);
    for (int level = 0; more; more = frame_below(L, level++, &ar)) {
        frame f;
        if (!blind) {
            uint32_t at = index_find(s, ar.i_ci);
            if (at != NONE && at < s->trusted) {
                frame *kept = &s->frames[at];
                if (kept->lua) {
                    lua_getinfo(L, "l", &ar);
                    kept->line = ar.currentline > 0 ? ar.currentline : 0;
                }
                below = at;
                break;
            }
        }
        lua_getinfo(L, "Sl", &ar);
        f.ci = ar.i_ci;
        f.lua = ar.what[0] != 'C';
        f.func = 0;
        f.line = 0;
        f.node = 0;
        if (f.lua) {
            func_slot *slot = slot_find(L, &ar);
            if (slot == NULL) return false;
            f.func = slot->func;
            f.line = ar.currentline > 0 ? ar.currentline : 0;
        }
        if (!fresh_push(n, &f)) return false;
        n++;
    }
    size_t kept = below == NONE ? 0 : (size_t)below + 1;
    if (!frames_fit(s, kept + n) || !index_fit(s, (uint32_t)(kept + n)))
        return false;
    s->len = (uint32_t)(kept + n);
    for (size_t i = 0; i < n; i++) {
        uint32_t at = (uint32_t)(kept + i);
        s->frames[at] = fresh[n - 1 - i];
        index_put(s, s->frames[at].ci, at);
    }
    s->trusted = s->len;
    if (s->noded > kept) s->noded = (uint32_t)kept;
    return true;
}

/* Sets the node (and, for C frames, the function and line) of every frame
 * not yet set, each over the one below it. */
static void stack_nodes(thread_stack *s)
{
    for (uint32_t i = s->noded; i < s->len; i++) {
        frame *f = &s->frames[i];
        const frame *under = i > 0 ? &s->frames[i - 1] : &s->base;
        if (f->lua) {
            f->node = mt_path_child(under->node, f->func, under->line);
        } else {
            f->func = under->func;
            f->line = under->line;
            f->node = under->node;
        }
    }
    s->noded = s->len;
}

void where_call(lua_State *L, const lua_Debug *ar)
{
    thread_stack *s = thread_depth > 0 && thread_depth <= THREADS_MAX &&
                              threads[thread_depth - 1] == L
                          ? stacks[thread_depth - 1]
                          : stack_of(L, false);
    uint32_t at;
    if (s == NULL || s->trusted == 0) return;
    /* Most calls replace the frame kept on top, or add one above it. */
    at = s->frames[s->trusted - 1].ci == ar->i_ci ? s->trusted - 1
                                                   : index_find(s, ar->i_ci);
    if (at < s->trusted) s->trusted = at;
}

void where_thread_forget(lua_State *L)
{
    for (int t = 0; t < thread_depth && t < THREADS_MAX; t++)
        if (threads[t] == L) stacks[t] = NULL;
    ran_from = 0;
    known_remove(L);
}

/* -------------------------------------------------------------- threads */

void where_init(bool whole_paths, bool sampled)
{
    paths_whole = whole_paths;
    layout_probe();
    memset(where_closures, 0, sizeof where_closures);
    where_closures_on = closure_readable && !sampled && !whole_paths;
    where_blind = 0;
    ran_from = 0;
    slots = calloc(SLOTS_FIRST, sizeof *slots);
    slot_mask = slots != NULL ? SLOTS_FIRST - 1 : 0;
}

void where_free(void)
{
    for (size_t i = 0; known != NULL && i <= known_mask; i++)
        if (known[i] != NULL) stack_free(known[i]);
    free(known);
    free(slots);
    free(fresh);
    known = NULL;
    slots = NULL;
    fresh = NULL;
    known_mask = known_used = fresh_cap = 0;
    for (int t = 0; t < THREADS_MAX; t++) stacks[t] = NULL;
    where_forget_last();
    memset(where_closures, 0, sizeof where_closures);
    where_closures_on = false;
    slot_mask = slot_used = 0;
}

void where_thread_push(lua_State *L)
{
    if (thread_depth < THREADS_MAX) {
        threads[thread_depth] = L;
        stacks[thread_depth] = paths_whole ? stack_of(L, true) : NULL;
    }
    if (ran_from > thread_depth) ran_from = thread_depth;
    thread_depth++;
}

void where_thread_pop(void)
{
    thread_depth--;
    if (ran_from > thread_depth - 1) ran_from = thread_depth - 1;
}

lua_State *where_running(void)
{
    int n = thread_depth < THREADS_MAX ? thread_depth : THREADS_MAX;
    return n > 0 ? threads[n - 1] : NULL;
}

void where_thread_reset(void)
{
    if (thread_depth > 1) thread_depth = 1;
    ran_from = 0;
}

/* ------------------------------------------------------------ locations */


#ifdef WHERE_CHECK
/* Built with -DWHERE_CHECK, every path kept is compared with the path of a
 * full walk that trusts nothing, and a difference aborts. */
static mt_path where_reference(mt_func *func, int *line)
{
    int n = thread_depth < THREADS_MAX ? thread_depth : THREADS_MAX;
    frame under = {NULL, false, 0, 0, mt_path_root()};
    static frame *all;
    static size_t all_cap;
    for (int t = 0; t < n; t++) {
        lua_Debug ar;
        size_t k = 0;
        for (int level = 0; lua_getstack(threads[t], level, &ar); level++) {
            if (k == all_cap) {
                all_cap = all_cap ? 2 * all_cap : 64;
                all = realloc(all, all_cap * sizeof *all);
                if (all == NULL) abort();
            }
            lua_getinfo(threads[t], "Sl", &ar);
            all[k].lua = ar.what[0] != 'C';
            all[k].line = ar.currentline > 0 ? ar.currentline : 0;
            all[k].func = all[k].lua ? slot_find(threads[t], &ar)->func : 0;
            k++;
        }
        while (k-- > 0) {
            if (all[k].lua) {
                under.node = mt_path_child(under.node, all[k].func, under.line);
                under.func = all[k].func;
                under.line = all[k].line;
            }
        }
    }
    *func = under.func;
    *line = under.line;
    return under.node;
}
#endif

/* Every thread's frames, outermost thread first, each hanging under the
 * top of the thread that resumed it. */
static bool where_set_whole(mt_func *func, int *line)
{
    int n = thread_depth < THREADS_MAX ? thread_depth : THREADS_MAX;
    int t = ran_from < n - 1 ? (ran_from > 0 ? ran_from : 0) : n - 1;
    frame under = {NULL, false, 0, 0, mt_path_root()};
    bool blind;
    if (n == 0) return false;
    if (t > 0 && stacks[t - 1] == NULL) t = 0;
    if (t > 0) {
        const thread_stack *below = stacks[t - 1];
        under = below->len > 0 ? below->frames[below->len - 1] : below->base;
    }
    /* -1: a finalizer is running (lapi.c's lua_gc, Lua 5.4.4 to 5.4.6). */
    blind = where_blind > 0 || lua_gc(threads[0], LUA_GCISRUNNING) == -1;
    for (; t < n; t++) {
        thread_stack *s = stacks[t];
        if (s == NULL && (s = stacks[t] = stack_of(threads[t], true)) == NULL)
            return false;
        if (!stack_refresh(s, blind || !interpose_armed(s->L))) return false;
        if (s->base.node != under.node || s->base.func != under.func ||
            s->base.line != under.line) {
            s->base = under;
            s->noded = 0;
        }
        stack_nodes(s);
        if (s->len > 0) under = s->frames[s->len - 1];
    }
    ran_from = n - 1;
    if (under.func == 0) return false;
#ifdef WHERE_CHECK
    {
        mt_func rf;
        int rl;
        mt_path rn = where_reference(&rf, &rl);
        if (rn != under.node || rf != under.func || rl != under.line) {
            fprintf(stderr, "WHERE_CHECK: cached %u %u:%d, walked %u %u:%d\n",
                    under.node, under.func, under.line, rn, rf, rl);
            abort();
        }
    }
#endif
    mt_path_set(under.node);
    *func = under.func;
    *line = under.line;
    return true;
}

/* The innermost Lua frame from level on, across threads. */
static bool where_set_below(int t, int level, mt_func *func, int *line)
{
    lua_Debug ar;
    for (; t >= 0; t--, level = 0) {
        for (; lua_getstack(threads[t], level, &ar); level++) {
            func_slot *s;
            lua_getinfo(threads[t], "Sl", &ar);
            if (ar.what[0] == 'C') continue;
            s = slot_find(threads[t], &ar);
            if (s == NULL) return false;
            *func = s->func;
            *line = ar.currentline > 0 ? ar.currentline : 0;  /* stripped: -1 */
            return true;
        }
    }
    return false;
}

bool where_set(mt_func *func, int *line)
{
    lua_Debug ar;
    lua_State *L;
    int t = (thread_depth < THREADS_MAX ? thread_depth : THREADS_MAX) - 1;
    if (paths_whole) return where_set_whole(func, line);
    if (t < 0) return false;
    L = threads[t];
    if (!lua_getstack(L, 0, &ar)) return where_set_below(t - 1, 0, func, line);
    const void *closure = NULL;
    where_closure *known = NULL;
    if (where_closures_on) {
        closure = closure_of(ar.i_ci);
        known = &where_closures[where_slot(closure, WHERE_CLOSURES_BITS)];
        if (known->closure == closure) {
            *func = known->func;
            line_known *read = NULL;
            if (savedpc_readable) {
                const void *pc = savedpc_of(ar.i_ci);
                read = &lines_known[where_slot(pc, LINES_BITS)];
                if (read->pc == pc && read->stamp == known->stamp) {
                    *line = read->line;
                    return true;
                }
                *read = (line_known){pc, known->stamp, 0};
            }
            lua_getinfo(L, "l", &ar);
            *line = ar.currentline > 0 ? ar.currentline : 0;
            if (read != NULL) read->line = *line;
            return true;
        }
    }
    lua_getinfo(L, "Sl", &ar);
    if (ar.what[0] == 'C') return where_set_below(t, 1, func, line);
    func_slot *s = slot_last;
    if (s == NULL || !slot_is(s, &ar)) {
        s = slot_find(L, &ar);
        if (s == NULL) return false;
    }
    if (known != NULL) *known = (where_closure){closure, s->func, ++stamp_next};
    *func = s->func;
    *line = ar.currentline > 0 ? ar.currentline : 0;
    return true;
}
