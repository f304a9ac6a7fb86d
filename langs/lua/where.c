/*
 * where.c -- reading an allocation's location off the Lua stacks.
 *
 * lua_getstack + lua_getinfo("Sl") neither allocate nor change the stack,
 * so they are safe inside the allocator (trace.c calls us before the real
 * allocator runs, while a stack being reallocated is still intact).
 *
 * Naming.  A Lua function is named as Lua's own tracebacks name a function
 * whose name is unknown: "function <file:line>" (file:line where it is
 * defined); a chunk's body is "main chunk".  lua_getinfo's "n" would give
 * the name a function was called by, which is a property of the call, not
 * of the function, and costs a look at the caller's bytecode.  The file is
 * Lua's short_src ("x.lua", "(command line)", [string "..."]).
 *
 * Whole paths are walked only StackLimit frames deep: lua_getstack(L, n)
 * costs O(n), so a full walk of a deep recursion would cost O(depth^2) per
 * allocation.  When deeper frames exist, the path starts with one frame
 * named "[deeper frames]", which the report counts as the cut.
 *
 * The cache is keyed by the prototype's source string (its address is
 * stable while the function lives) and its first line; short_src is
 * compared too, since a collected chunk's source address can be reused.
 * The function found last is checked by address alone: trace.c reports
 * every block the state releases (where_released), and releasing the
 * block that holds its source forgets it.
 */
#include "where.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define THREADS_MAX 256     /* > LUAI_MAXCCALLS, which bounds nesting */
#define SLOTS_FIRST 256

typedef struct func_slot {
    const char *source;     /* NULL: empty slot */
    int linedefined;
    mt_func func;
    char short_src[LUA_IDSIZE];
} func_slot;

/* A Lua frame met on the way out of the stacks (whole paths). */
typedef struct frame {
    func_slot *slot;
    int line;
} frame;

static bool paths_whole;
static unsigned path_limit;
static mt_func func_deeper;
static lua_State *threads[THREADS_MAX];
static int thread_depth;

static func_slot *slots;
static size_t slot_mask;    /* capacity - 1; capacity a power of two */
static size_t slot_used;
static func_slot *slot_last;    /* its source is where_last_source */
const char *where_last_source;

static frame *frames;
static size_t frame_cap;

void where_init(bool whole_paths, unsigned limit)
{
    const char *deeper = "[deeper frames]";
    paths_whole = whole_paths;
    path_limit = limit;
    func_deeper = mt_func_intern(deeper, strlen(deeper), deeper, 0);
    slots = calloc(SLOTS_FIRST, sizeof *slots);
    slot_mask = slots != NULL ? SLOTS_FIRST - 1 : 0;
}

void where_free(void)
{
    free(slots);
    free(frames);
    slots = NULL;
    frames = NULL;
    where_forget_last();
    slot_mask = slot_used = frame_cap = 0;
}

void where_thread_push(lua_State *L)
{
    if (thread_depth < THREADS_MAX) threads[thread_depth] = L;
    thread_depth++;
}

void where_thread_pop(void)
{
    thread_depth--;
}

void where_thread_reset(void)
{
    if (thread_depth > 1) thread_depth = 1;
}

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

static func_slot *slot_probe(func_slot *table, size_t mask, const char *source,
                             int linedefined)
{
    size_t i = slot_hash(source, linedefined) & mask;
    while (table[i].source != NULL &&
           (table[i].source != source || table[i].linedefined != linedefined))
        i = (i + 1) & mask;
    return &table[i];
}

/* Doubles the table; false when out of memory (the old one stays). */
static bool slots_grow(void)
{
    size_t mask = slot_mask * 2 + 1;
    func_slot *table = calloc(mask + 1, sizeof *table);
    if (table == NULL) return false;
    for (size_t i = 0; i <= slot_mask; i++)
        if (slots[i].source != NULL)
            *slot_probe(table, mask, slots[i].source, slots[i].linedefined) =
                slots[i];
    free(slots);
    slots = table;
    slot_mask = mask;
    where_forget_last();
    return true;
}

static void slot_fill(func_slot *s, const lua_Debug *ar)
{
    char name[LUA_IDSIZE + 32];
    int len = ar->linedefined == 0
                  ? snprintf(name, sizeof name, "main chunk")
                  : snprintf(name, sizeof name, "function <%s:%d>",
                             ar->short_src, ar->linedefined);
    s->source = ar->source;
    s->linedefined = ar->linedefined;
    memcpy(s->short_src, ar->short_src, sizeof s->short_src);
    s->func = mt_func_intern(name, (size_t)len, ar->short_src, ar->linedefined);
}

/* The cached naming of the function of frame ar (a Lua frame). */
static func_slot *slot_find(const lua_Debug *ar)
{
    func_slot *s = slot_last;
    if (s != NULL && s->source == ar->source &&
        s->linedefined == ar->linedefined)
        return s;
    if (slots == NULL) return NULL;
    if (2 * (slot_used + 1) > slot_mask + 1 && !slots_grow() &&
        slot_used == slot_mask)
        return NULL;
    s = slot_probe(slots, slot_mask, ar->source, ar->linedefined);
    if (s->source == NULL) {
        slot_used++;
        slot_fill(s, ar);
    } else if (strcmp(s->short_src, ar->short_src) != 0) {
        slot_fill(s, ar);  /* a dead chunk's source address, reused */
    }
    slot_last = s;
    where_last_source = s->source;
    return s;
}

static bool frame_push(size_t n, func_slot *slot, int line)
{
    if (n == frame_cap) {
        size_t cap = frame_cap ? 2 * frame_cap : 64;
        frame *bigger = realloc(frames, cap * sizeof *frames);
        if (bigger == NULL) return false;
        frames = bigger;
        frame_cap = cap;
    }
    frames[n].slot = slot;
    frames[n].line = line;
    return true;
}

/* The Lua frames, innermost first, at most path_limit of them; then the
 * path built outermost first: each frame a child of its caller, called
 * from the caller's line. */
static bool where_set_whole(mt_func *func, int *line)
{
    size_t n = 0;
    bool deeper = false;
    lua_Debug ar;
    mt_path node;
    int t = thread_depth < THREADS_MAX ? thread_depth : THREADS_MAX;
    while (t-- > 0 && !deeper) {
        for (int level = 0; lua_getstack(threads[t], level, &ar); level++) {
            func_slot *s;
            if (n == path_limit) {
                deeper = true;
                break;
            }
            lua_getinfo(threads[t], "Sl", &ar);
            if (ar.what[0] == 'C') continue;
            s = slot_find(&ar);
            if (s == NULL ||
                !frame_push(n, s, ar.currentline > 0 ? ar.currentline : 0))
                return false;
            n++;
        }
    }
    if (n == 0) return false;
    node = mt_path_root();
    if (deeper) node = mt_path_child(node, func_deeper, 0);
    for (size_t i = n; i-- > 0;)
        node = mt_path_child(node, frames[i].slot->func,
                             i + 1 < n ? frames[i + 1].line : 0);
    mt_path_set(node);
    *func = frames[0].slot->func;
    *line = frames[0].line;
    return true;
}

bool where_set(mt_func *func, int *line)
{
    lua_Debug ar;
    int t;
    if (paths_whole) return where_set_whole(func, line);
    t = thread_depth < THREADS_MAX ? thread_depth : THREADS_MAX;
    while (t-- > 0) {
        for (int level = 0; lua_getstack(threads[t], level, &ar); level++) {
            func_slot *s;
            lua_getinfo(threads[t], "Sl", &ar);
            if (ar.what[0] == 'C') continue;
            s = slot_find(&ar);
            if (s == NULL) return false;
            *func = s->func;
            *line = ar.currentline > 0 ? ar.currentline : 0;  /* stripped: -1 */
            return true;
        }
    }
    return false;
}
