/*
 * trace.c -- the tracing allocator of lua-memtracer.
 *
 * Lua tells its allocator only sizes.  When a new block is for an object,
 * osize carries the object's type tag; the tags of upvalues and prototypes
 * (LUA_TUPVAL, LUA_TPROTO in lobject.h) are not in lua.h, so they are
 * spelled here as lobject.h defines them.  Everything else -- a block with
 * tag 0 or a resize -- is storage of some object the allocator cannot see
 * (a table's array or hash part, a stack, a buffer): it is charged as bytes
 * of type "storage" to the Lua line that caused it, or as <internal> (shown
 * with TraceInternal=true) when no Lua code is running.  Objects are always
 * counted with their type, whatever runs.
 *
 * Lua's types, as the report names them: string, table, function (Lua and
 * C closures), userdata, thread, upvalue, proto.
 */
#include "trace.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <memtracer/inline.h>

#include "control.h"
#include "interpose.h"
#include "lauxstate.h"
#include "tagmap.h"
#include "waste.h"
#include "where.h"

#define TAG_UPVAL LUA_NUMTYPES          /* lobject.h: LUA_TUPVAL */
#define TAG_PROTO (LUA_NUMTYPES + 1)    /* lobject.h: LUA_TPROTO */
#define TAG_BASIC(tag) ((tag) & 0x0F)   /* drops the variant bits 4-5 */
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))


static const char *const type_names[TAG_PROTO + 1] = {
    [LUA_TSTRING] = "string",     [LUA_TTABLE] = "table",
    [LUA_TFUNCTION] = "function", [LUA_TUSERDATA] = "userdata",
    [LUA_TTHREAD] = "thread",     [TAG_UPVAL] = "upvalue",
    [TAG_PROTO] = "proto",
};

static const mt_phase phase_of[] = {
    [TRACE_PHASE_NEWSTATE] = MT_PHASE_STARTUP, [TRACE_PHASE_OPEN] = MT_PHASE_STARTUP,
    [TRACE_PHASE_LOAD] = MT_PHASE_COMPILE,     [TRACE_PHASE_REQUIRE] = MT_PHASE_COMPILE,
    [TRACE_PHASE_RUN] = MT_PHASE_RUN,          [TRACE_PHASE_CLOSE] = MT_PHASE_RUN,
};

static const char *const phase_labels[] = {
    [TRACE_PHASE_NEWSTATE] = "[new state]", [TRACE_PHASE_OPEN] = "[open libs]",
    [TRACE_PHASE_LOAD] = "[load chunk]",    [TRACE_PHASE_REQUIRE] = "[require]",
    [TRACE_PHASE_RUN] = "[C]",              [TRACE_PHASE_CLOSE] = "[close]",
};

/* Every block of the traced state has a header in front (but in a
 * headless run: see alloc_headless), holding its tag
 * (the fast door's tags, memtracer.h) and its kind, so a release or resize
 * finds how the block was counted without a lookup in the tracer's table
 * of live blocks -- the dearest part of an event, in instructions and in
 * cache misses.  The header is malloc's alignment (max_align_t: 16 bytes
 * here), so the block Lua gets is aligned as malloc's are: Lua needs only
 * 8, but a C module's userdata may hold anything malloc's memory can.  The
 * traced state has this allocator from its first block (lua_newstate) to
 * its last, also after the report is written, so every block it frees has
 * a header. */
typedef struct block_head {
    alignas(max_align_t) mt_tag tag;
    uint32_t kind;      /* what the block is, when the tracer needs to know */
} block_head;

/* A new block's kind is other or thread; a table's parts are marked by
 * trace_mark_part once made, and a resize keeps the kind. */
enum {
    KIND_OTHER,
    KIND_THREAD,        /* a thread's: where.c keeps its frames */
    KIND_ARRAY,         /* a table's array part: TValues */
    KIND_NODE,          /* a table's hash part: Nodes */
};

static void *alloc_traced(void *ud, void *block, size_t osize, size_t nsize);
static void *alloc_headless(void *ud, void *block, size_t osize,
                            size_t nsize);

/* A new block's kind, by its type tag. */
static inline uint32_t kind_of(size_t tag)
{
    return TAG_BASIC(tag) == LUA_TTHREAD ? KIND_THREAD : KIND_OTHER;
}

static bool tracing;   /* started and not yet finished */
static lua_State *main_thread;  /* the traced state's, until lua_close */
static bool closing;
/* A sampled run without call paths: the state's allocator is
 * alloc_headless, its blocks have no header, the counted ones' tags are in
 * counted_tags. */
static bool headless;
static tagmap counted_tags;
static size_t thread_size;      /* a thread's block, once one is made */
static bool recording; /* what mt_recording was told last */
static int untraced;   /* above 0: the tracer's own blocks are being made */
/* recording && untraced == 0: the program's blocks are counted now (while
 * tracing), kept by trace_start, trace_recording and trace_untraced. */
static bool counting;
static mt_type types[TAG_PROTO + 1];   /* 0 (<internal>): not an object */
static mt_type type_storage;
static mt_func phase_func;
static mt_path phase_node;
static mt_phase phase_now;
static mt_phase phase_told;    /* what mt_phase_set was told last */

#define SITE_CACHE_BITS 10
typedef struct site_key {
    mt_func func;
    int line;
    mt_type type;
    mt_site site;    /* 0: empty */
} site_key;
static site_key site_cache[1u << SITE_CACHE_BITS];

/* Where an allocation is charged: the running Lua line, or the phase's
 * label (storage there is <internal>). */
typedef struct site_of {
    mt_func func;
    int line;
    bool in_lua;
} site_of;

/* Read before the real allocator runs, while a stack being moved is still
 * intact.  Lua code runs in the run phase; outside it, the launcher's. */
static site_of locate(void)
{
    site_of s;
    mt_phase phase = MT_PHASE_RUN;
    s.in_lua = where_set(&s.func, &s.line);
    if (!s.in_lua) {
        if (MT_TRACING_CALLS()) mt_path_set(phase_node);
        s.func = phase_func;
        s.line = 0;
        phase = phase_now;
    }
    if (phase != phase_told) {
        mt_phase_set(phase);
        phase_told = phase;
    }
    return s;
}

/* mt_site_at, for a key site_cache does not hold: kept there once it is a
 * counted site.  Out of line: once a site is resolved, its key stays. */
static NOINLINE mt_site site_resolve(site_key *k, mt_func func, int line,
                                     mt_type type)
{
    mt_site site = mt_site_at(func, line, type);
    if (site >= MT_FIRST_COUNTED_SITE) *k = (site_key){func, line, type, site};
    return site;
}

/* mt_site_at through a direct-mapped cache: a site, once resolved, stays
 * the same until mt_finish, and a labelled function has one phase. */
static inline __attribute__((always_inline)) mt_site site_at(mt_func func,
                                                              int line,
                                                              mt_type type)
{
    uint32_t h = (uint32_t)func * 0x9E3779B1u ^ (uint32_t)line * 0x85EBCA77u ^
                 (uint32_t)type * 0xC2B2AE3Du;
    site_key *k = &site_cache[h >> (32 - SITE_CACHE_BITS)];
    if (k->site != 0 && k->func == func && k->line == line && k->type == type)
        return k->site;
    return site_resolve(k, func, line, type);
}

/* A sampled run.  A block is sampled when it reaches the countdown to the
 * next sample (mt_inline.sample_left); only then is its location read.
 * Lua saves the running instruction's position only where it may call or
 * raise an error, and the count hook that makes it save it everywhere
 * costs every instruction: so it is armed only in the window of the last
 * SAMPLE_WINDOW bytes before a sample, on the running thread and each
 * thread resumed meanwhile (interpose_window).  A frame sees the hook from
 * its next call, return or protected instruction on; a sampled table made
 * by a table constructor (OP_NEWTABLE, OP_SETLIST: they save nothing) in a
 * frame that has passed none since the window opened is charged to the
 * line of the last instruction there that saved its position. */
#define SAMPLE_WINDOW (16 * 1024)
static bool window;

/* Whether a block of nsize bytes replacing one tagged old (UNTRACED: a
 * new block, or one passed over) is sampled: the call counts it.  A block
 * passed over moves the countdown here (mt_sample_skips). */
static inline bool sample_needs_site(mt_tag old, size_t nsize)
{
    if (old == MT_TAG_UNTRACED) return !mt_sample_skips(nsize);
    return mt_inline.sample_left <= (int64_t)nsize;
}

/* The window is open while recording, the countdown within
 * SAMPLE_WINDOW of the next sample; recording turned on or off checks it
 * too, so that the first block recorded after mt.start() has its line and
 * a phase not recorded runs without the hook. */
static inline void window_check(void)
{
    bool open = recording && mt_inline.sample_left <= SAMPLE_WINDOW;
    if (open != window) {
        window = open;
        interpose_window(open);
    }
}

/* The new block's tag: an object (a new block with a type tag in osize),
 * or storage obtained or resized (old_size 0: obtained). */
static mt_tag charge(mt_tag old, size_t old_size, size_t osize, size_t nsize,
                     const site_of *s)
{
    mt_tag tag;
    if (old_size == 0 && TAG_BASIC(osize) <= TAG_PROTO &&
        types[TAG_BASIC(osize)] != MT_TYPE_INTERNAL) {
        mt_site site = site_at(s->func, s->line, types[TAG_BASIC(osize)]);
        if (mt_alloc_at_inline(site, nsize, &tag)) return tag;
        return mt_alloc_at(site, nsize);
    }
    mt_site site = site_at(s->func, s->line,
                           s->in_lua ? type_storage : MT_TYPE_INTERNAL);
    if (mt_resize_at_inline(site, old, old_size, nsize, &tag)) return tag;
    return mt_resize_at(site, old, old_size, nsize);
}

/* What an event does with the block it obtains or resizes, decided
 * before the real allocator runs (the location is read while a stack
 * being moved is still intact): count it at the running line (traced),
 * count the old block out of its site (counted_out), or neither.
 * Recording off, or the tracer's own block, no new block is counted: a
 * counted block resized stays at its site as mt_resize_at counts it
 * (recording off: counted out; the tracer's resize of the program's
 * block: counted in again there).  In a sampled run a block short of the
 * next sample is not located, and a sampled block resized so is counted
 * out; so is one the caller has no room to keep a tag for (room).  *s,
 * the location, is set when traced. */
typedef struct event {
    mt_tag old_tag;
    size_t old_size;
    bool traced, counted_out;
} event;

static ALWAYS_INLINE event event_begin(bool resized, size_t osize,
                                       size_t nsize, mt_tag old_tag, bool room,
                                       site_of *s)
{
    event e;
    e.old_tag = old_tag;
    e.old_size = resized ? osize : 0;
    e.traced = MT_TRACING() && counting;
    e.counted_out = !e.traced && MT_TRACING() && old_tag != MT_TAG_UNTRACED;
    if (e.traced && (!room || (mt_inline.sampled &&
                               !sample_needs_site(old_tag, nsize)))) {
        e.traced = false;
        e.counted_out = old_tag != MT_TAG_UNTRACED;
        window_check();
    }
    if (e.traced) *s = locate();
    return e;
}

/* The new block's tag, once the real allocator gave it. */
static ALWAYS_INLINE mt_tag event_end(const event *e, const site_of *s,
                                      size_t osize, size_t nsize)
{
    mt_tag tag;
    if (e->traced) {
        tag = charge(e->old_tag, e->old_size, osize, nsize, s);
        if (mt_inline.sampled) window_check();
        return tag;
    }
    if (e->counted_out)
        return mt_resize_at(MT_TAG_SITE(e->old_tag), e->old_tag, e->old_size,
                            nsize);
    return MT_TAG_UNTRACED;
}

/* The bytes of a table's part never used, as it goes: 0 for a block
 * counted at no site (untraced, internal), or after the report. */
static size_t part_unused(const block_head *head, const void *block,
                          size_t size)
{
    if (!tracing || MT_TAG_SITE(head->tag) < MT_FIRST_COUNTED_SITE) return 0;
    return waste_unused(block, size, head->kind == KIND_ARRAY);
}

bool trace_has_headers(lua_State *L)
{
    return (L == main_thread && !headless) ||
           lua_getallocf(L, NULL) == alloc_traced;
}

void trace_mark_part(void *block, bool array)
{
    ((block_head *)block - 1)->kind = array ? KIND_ARRAY : KIND_NODE;
}

/* A table's part going: its unused bytes told at its site. */
static NOINLINE void part_tell(const block_head *head, size_t size)
{
    size_t unused = part_unused(head, head + 1, size);
    if (unused > 0) mt_unused_tagged(head->tag, unused);
}

/* A thread's block or a table's part released.  Out of line: most blocks
 * are neither. */
static NOINLINE void kind_release(block_head *head, void *block, size_t size)
{
    if (head->kind == KIND_THREAD)  /* after lua_getextraspace */
        where_thread_forget((lua_State *)((char *)block + LUA_EXTRASPACE));
    else
        part_tell(head, size);
    free(head);
}

static NOINLINE void *release(void *block, size_t size)
{
    block_head *head = (block_head *)block - 1;
    where_released(block, size);
    if (!closing && MT_TRACING() && !mt_free_tagged_inline(head->tag, size))
        mt_free_tagged(head->tag, size);
    if (head->kind != KIND_OTHER) kind_release(head, block, size);
    else free(head);
    return NULL;
}

/* A block obtained (block NULL: osize is a type tag) or resized.  Out of
 * line, so that a release does not pay for its registers; flattened:
 * every call in it to code the compiler sees (locating, charging) is
 * inlined. */
static NOINLINE __attribute__((flatten)) void *obtain(void *block,
                                                      size_t osize,
                                                      size_t nsize)
{
    block_head *old = block != NULL ? (block_head *)block - 1 : NULL;
    block_head *head;
    site_of s;
    event e;
    if (nsize > SIZE_MAX - sizeof *head) return NULL;
    e = event_begin(block != NULL, osize, nsize,
                    block != NULL ? old->tag : MT_TAG_UNTRACED, true, &s);
    /* An array part resized goes as it is now (node parts are never
     * resized).  Should realloc fail, Lua keeps it, its unused bytes told:
     * no longer a part, it is not told again. */
    if (block != NULL && old->kind == KIND_ARRAY) part_tell(old, osize);
    head = realloc(old, nsize + sizeof *head);
    if (head == NULL) {
        if (block != NULL && old->kind == KIND_ARRAY) old->kind = KIND_OTHER;
        return NULL;
    }
    if (block != NULL) where_released(block, osize);
    head->tag = event_end(&e, &s, osize, nsize);
    if (block == NULL) head->kind = kind_of(osize);
    return head + 1;
}

/* A sampled run's common case: a block obtained, or one passed over
 * resized, that falls short of the next sample, with recording on.  Its
 * own function, without obtain's frame: nearly every block takes it. */
static NOINLINE void *obtain_skipped(void *block, size_t osize, size_t nsize)
{
    block_head *old = block != NULL ? (block_head *)block - 1 : NULL;
    block_head *head;
    if (nsize > SIZE_MAX - sizeof *head) return NULL;
    head = realloc(old, nsize + sizeof *head);
    if (head == NULL) return NULL;
    if (block != NULL) where_released(block, osize);
    else head->kind = kind_of(osize);
    head->tag = MT_TAG_UNTRACED;
    window_check();
    return head + 1;
}

/* A sampled run's block obtained or resized: one short of the next sample
 * is passed over (obtain_skipped). */
static NOINLINE void *obtain_sampled(void *block, size_t osize, size_t nsize)
{
    if (MT_TRACING() && counting &&
        (block == NULL ||
         ((block_head *)block - 1)->tag == MT_TAG_UNTRACED) &&
        mt_sample_skips(nsize))
        return obtain_skipped(block, osize, nsize);
    return obtain(block, osize, nsize);
}

/* Lua's allocator: lauxlib's (l_alloc: realloc and free) with a header in
 * front of every block; block and osize are Lua's view.  Each kind of
 * event has its own function, this one only chooses. */
static void *alloc_traced(void *ud, void *block, size_t osize, size_t nsize)
{
    (void)ud;
    if (nsize == 0) return block != NULL ? release(block, osize) : NULL;
    if (mt_inline.sampled) return obtain_sampled(block, osize, nsize);
    return obtain(block, osize, nsize);
}

/* The headless allocator.  A thread's block is told by its size, that of
 * the last thread made (every coroutine's is the same): another block of
 * that size is told too, which costs where.c a look-up and nothing else. */
static void released_headless(void *block, size_t size)
{
    where_released(block, size);
    if (size == thread_size)
        where_thread_forget((lua_State *)((char *)block + LUA_EXTRASPACE));
}

static NOINLINE void *release_headless(void *block, size_t size)
{
    tagmap_slot *slot = tagmap_find(&counted_tags, block);
    released_headless(block, size);
    if (slot != NULL) {
        mt_tag tag = slot->tag;
        tagmap_remove(&counted_tags, slot);
        if (!closing && MT_TRACING() && !mt_free_tagged_inline(tag, size))
            mt_free_tagged(tag, size);
    }
    free(block);
    return NULL;
}

/* obtain's work without a header: the block's tag from counted_tags, and
 * a counted block's new tag kept there.  Room for it is made first: a
 * sample the tracer has no memory to keep is not taken, and a block
 * counted again with no room is counted out at once. */
static NOINLINE void *obtain_headless(void *block, size_t osize, size_t nsize)
{
    bool room = MT_TRACING() && tagmap_fit(&counted_tags);
    tagmap_slot *slot = block != NULL ? tagmap_find(&counted_tags, block)
                                      : NULL;
    site_of s;
    event e = event_begin(block != NULL, osize, nsize,
                          slot != NULL ? slot->tag : MT_TAG_UNTRACED, room,
                          &s);
    mt_tag tag;
    void *moved = realloc(block, nsize);
    if (moved == NULL) return NULL;
    if (block != NULL) released_headless(block, osize);
    else if (TAG_BASIC(osize) == LUA_TTHREAD) thread_size = nsize;
    tag = event_end(&e, &s, osize, nsize);
    if (slot != NULL) tagmap_remove(&counted_tags, slot);
    if (tag == MT_TAG_UNTRACED) return moved;
    if (room || slot != NULL)
        tagmap_put(&counted_tags, moved, tag);
    else if (!mt_free_tagged_inline(tag, nsize))
        mt_free_tagged(tag, nsize);
    return moved;
}

/* alloc_headless's cases that need more than the allocator: lauxlib's,
 * the countdown taken down inline for a block short of the next sample.
 * Such a block is told released before realloc (should realloc fail,
 * where.c has forgotten a cache entry for nothing), so that realloc is
 * the last call.  A sample taken here closes the window (event_end). */
static NOINLINE void *alloc_headless_called(void *block, size_t osize,
                                            size_t nsize)
{
    if (!MT_TRACING() || !counting ||
        (block != NULL && tagmap_find(&counted_tags, block) != NULL) ||
        !mt_sample_skips(nsize))
        return obtain_headless(block, osize, nsize);
    if (block != NULL) released_headless(block, osize);
    else if (TAG_BASIC(osize) == LUA_TTHREAD) thread_size = nsize;
    window_check();
    return realloc(block, nsize);
}

/* Lua's allocator in a headless run.  Its common cases call only the
 * allocator: a new block that is not a thread's, obtained while counting
 * and short of the window before the next sample (so the window stays
 * closed), taken off the countdown; and the release of a block not
 * counted, not a thread's size, that where.c holds nothing of.  The
 * countdown is 0 outside a run, so the first case is then never met. */
static void *alloc_headless(void *ud, void *block, size_t osize,
                            size_t nsize)
{
    (void)ud;
    if (nsize == 0) {
        if (block == NULL) return NULL;
        if (tagmap_may_hold(&counted_tags, block) || osize == thread_size ||
            where_holds(block, osize))
            return release_headless(block, osize);
        free(block);
        return NULL;
    }
    if (block == NULL && counting && TAG_BASIC(osize) != LUA_TTHREAD &&
        mt_inline.sample_left - SAMPLE_WINDOW > (int64_t)nsize) {
        mt_inline.sample_left -= (int64_t)nsize;
        return malloc(nsize);
    }
    return alloc_headless_called(block, osize, nsize);
}

static void report_at_exit(void)
{
    trace_finish();
}

int trace_start(const mt_options *o, const char *program)
{
    static bool exit_hooked;
    int failed = mt_start(o, "lua", program);
    if (failed != 0) return failed;
    for (int tag = 0; tag <= TAG_PROTO; tag++)
        if (type_names[tag] != NULL)
            types[tag] = mt_type_intern(type_names[tag],
                                        strlen(type_names[tag]),
                                        MT_KIND_OBJECT);
    type_storage = mt_type_intern("storage", strlen("storage"),
                                  MT_KIND_STORAGE);
    where_init(MT_TRACING_CALLS(), mt_inline.sampled);
    memset(site_cache, 0, sizeof site_cache);
    phase_told = MT_PHASE_RUN;
    tracing = true;
    closing = false;
    recording = o->start;
    untraced = 0;
    counting = recording;
    waste_start(mt_inline.sampled);
    if (!exit_hooked) exit_hooked = atexit(report_at_exit) == 0;
    trace_phase(TRACE_PHASE_NEWSTATE, NULL);
    return 0;
}

lua_State *trace_newstate(void)
{
    lua_State *L;
    if (!tracing) return luaL_newstate();
    headless = mt_inline.sampled && !MT_TRACING_CALLS();
    thread_size = 0;
    L = lua_newstate(headless ? alloc_headless : alloc_traced, NULL);
    if (L == NULL) return NULL;
    main_thread = L;
    lauxstate_install(L);
    where_thread_push(L);
    window = false;
    interpose_arm(L, MT_TRACING_CALLS(), mt_inline.sampled);
    control_sentinel_start(L);
    trace_phase(TRACE_PHASE_RUN, NULL);
    return L;
}

/* A phase's site has the label as its file (so tables show it) and as its
 * function, followed there by the chunk's name if any. */
void trace_phase(trace_phase_id phase, const char *chunk)
{
    const char *label = phase_labels[phase];
    size_t label_len = strlen(label);
    char *name;
    size_t len;
    if (!tracing) return;
    len = label_len + (chunk != NULL ? 1 + strlen(chunk) : 0);
    name = malloc(len + 1);
    if (name == NULL) {
        name = (char *)label;
        len = label_len;
    } else {
        memcpy(name, label, label_len);
        if (chunk != NULL) {
            name[label_len] = ' ';
            memcpy(name + label_len + 1, chunk, len - label_len - 1);
        }
    }
    phase_func = mt_func_intern(name, len, label, 0);
    phase_node = mt_path_child(mt_path_root(), phase_func, 0);
    phase_now = phase_of[phase];
    if (name != label) free(name);
}

/* os.exit, traced: the status as loslib.c's os_exit works it out, told to
 * the tracer, then the library's own os.exit (upvalue 1) with the same
 * arguments. */
static int os_exit_traced(lua_State *L)
{
    int status;
    if (lua_isboolean(L, 1))
        status = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
    else
        status = (int)luaL_optinteger(L, 1, EXIT_SUCCESS);
    /* The status the process ends with: exit() keeps its low 8 bits. */
    mt_exit_set(status & 0xFF, MT_EXIT_NORMAL);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

void trace_libs_opened(lua_State *L)
{
    if (!tracing) return;
    if (lua_getglobal(L, "os") == LUA_TTABLE &&
        lua_getfield(L, -1, "exit") == LUA_TFUNCTION) {
        lua_pushcclosure(L, os_exit_traced, 1);
        lua_setfield(L, -2, "exit");
    } else {
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void trace_exit(int status, mt_exit_reason reason)
{
    if (tracing) mt_exit_set(status, reason);
}

bool trace_owns(lua_State *L)
{
    void *ud;
    lua_Alloc alloc = lua_getallocf(L, &ud);
    return tracing && (alloc == alloc_traced || alloc == alloc_headless);
}

bool trace_active(void)
{
    return tracing;
}

bool trace_closing(void)
{
    return closing;
}

bool trace_recording(bool on)
{
    if (!tracing) return false;
    recording = mt_recording(on);
    counting = recording && untraced == 0;
    if (mt_inline.sampled) window_check();
    return recording;
}

void trace_untraced(int by)
{
    untraced += by;
    counting = recording && untraced == 0;
}

void trace_close_begin(void)
{
    closing = true;
    main_thread = NULL;
    where_thread_reset();
    trace_phase(TRACE_PHASE_CLOSE, NULL);
}

int trace_finish(void)
{
    int status;
    if (!tracing) return 0;
    tracing = false;
    waste_on = false;
    status = mt_finish();
    where_free();
    if (counted_tags.used == 0) tagmap_free(&counted_tags);  /* none to find */
    return status;
}
