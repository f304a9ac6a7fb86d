/*
 * waste.c -- the unused bytes of Lua's tables.
 *
 * A table's array part (TValues) and hash part (Nodes) are storage blocks
 * whose capacity Lua chose; their unused bytes are the slots never used
 * while the block lived: an array slot Lua has not written since it made
 * the slot (its tag still LUA_VEMPTY: a slot written nil, or emptied by
 * the script, was used), a node that never held a key (key_tt still
 * LUA_TNIL: a key removed leaves its node a tombstone, used).  They are
 * counted when the block goes: released, replaced by a resize, or freed by
 * lua_close, which frees what was live at the end (trace.c, release and
 * obtain).
 *
 * The allocator sees blocks, not tables, so it must be told which blocks
 * are parts.  Lua makes or replaces a table's parts only in ltable.o, and
 * other members of the archive reach that only through luaH_resize,
 * luaH_resizearray, luaH_finishset, luaH_set and luaH_setint (lapi.o,
 * lcode.o, ldebug.o, llex.o, lstate.o, lvm.o; checked on the archive's
 * relocations: luaH_newkey, which rehashes, is called from ltable.o only).
 * These are wrapped by the linker (meson.build); after each, a table whose
 * part pointers changed has its parts marked (trace_mark_part).  Lua
 * releases a part in a later call than the one that made it (luaH_resize
 * replacing it, luaH_free), so it is marked by then; only a call that
 * fails for want of memory releases the part it had just made, unmarked
 * and uncounted.
 *
 * What is read is Lua 5.4's layout (lobject.h), checked at start on a
 * scratch state (layout_probe): a Table's array, node and lastfree
 * pointers at offsets 16, 24 and 32 (lastfree NULL: the shared dummy node,
 * no block); a TValue of 16 bytes, its tag at offset 8; a Node of 24, its
 * value's tag at offset 8 and its key's at 9.
 */
#include "waste.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "trace.h"

#define TABLE_ARRAY_AT 16
#define TABLE_NODE_AT 24
#define TABLE_LASTFREE_AT 32
#define TAG_TRUE (LUA_TBOOLEAN | 1 << 4)      /* lobject.h: LUA_VTRUE */
#define TAG_SHORT_KEY (LUA_TSTRING | 1 << 6)  /* LUA_VSHRSTR, collectable */
#define NOINLINE __attribute__((noinline))

bool waste_on;

typedef struct parts {
    void *array;
    void *node;
} parts;

static inline parts parts_of(const void *t)
{
    parts p;
    memcpy(&p.array, (const char *)t + TABLE_ARRAY_AT, sizeof p.array);
    memcpy(&p.node, (const char *)t + TABLE_NODE_AT, sizeof p.node);
    return p;
}

/* t's parts as Lua has them now, marked, when L's state is traced. */
static void parts_mark(lua_State *L, const void *t)
{
    parts now;
    void *lastfree;
    if (!trace_has_headers(L)) return;
    now = parts_of(t);
    memcpy(&lastfree, (const char *)t + TABLE_LASTFREE_AT, sizeof lastfree);
    if (now.array != NULL) trace_mark_part(now.array, true);
    if (lastfree != NULL) trace_mark_part(now.node, false);
}

/* After a call that may have replaced t's parts: new ones marked.  A node
 * part is always a new block (made before the old one goes), and an array
 * part resized keeps its header, so a change of pointer is all there is
 * to see. */
static inline void parts_check(lua_State *L, const void *t, parts before)
{
    parts now = parts_of(t);
    if (now.array != before.array || now.node != before.node)
        parts_mark(L, t);
}

/* Lua 5.4's signatures, its internal types as void.  With waste off, each
 * wrapper is a test and a jump to the real function. */
void __real_luaH_resize(lua_State *L, void *t, unsigned nasize,
                        unsigned nhsize);
void __real_luaH_resizearray(lua_State *L, void *t, unsigned nasize);
void __real_luaH_finishset(lua_State *L, void *t, const void *key,
                           const void *slot, void *value);
void __real_luaH_set(lua_State *L, void *t, const void *key, void *value);
void __real_luaH_setint(lua_State *L, void *t, lua_Integer key, void *value);
void __wrap_luaH_resize(lua_State *L, void *t, unsigned nasize,
                        unsigned nhsize);
void __wrap_luaH_resizearray(lua_State *L, void *t, unsigned nasize);
void __wrap_luaH_finishset(lua_State *L, void *t, const void *key,
                           const void *slot, void *value);
void __wrap_luaH_set(lua_State *L, void *t, const void *key, void *value);
void __wrap_luaH_setint(lua_State *L, void *t, lua_Integer key, void *value);

static NOINLINE void resize_seen(lua_State *L, void *t, unsigned nasize,
                                 unsigned nhsize)
{
    __real_luaH_resize(L, t, nasize, nhsize);
    parts_mark(L, t);
}

void __wrap_luaH_resize(lua_State *L, void *t, unsigned nasize,
                        unsigned nhsize)
{
    if (waste_on) resize_seen(L, t, nasize, nhsize);
    else __real_luaH_resize(L, t, nasize, nhsize);
}

static NOINLINE void resizearray_seen(lua_State *L, void *t, unsigned nasize)
{
    __real_luaH_resizearray(L, t, nasize);
    parts_mark(L, t);
}

void __wrap_luaH_resizearray(lua_State *L, void *t, unsigned nasize)
{
    if (waste_on) resizearray_seen(L, t, nasize);
    else __real_luaH_resizearray(L, t, nasize);
}

static NOINLINE void finishset_seen(lua_State *L, void *t, const void *key,
                                    const void *slot, void *value)
{
    parts before = parts_of(t);
    __real_luaH_finishset(L, t, key, slot, value);
    parts_check(L, t, before);
}

void __wrap_luaH_finishset(lua_State *L, void *t, const void *key,
                           const void *slot, void *value)
{
    if (waste_on) finishset_seen(L, t, key, slot, value);
    else __real_luaH_finishset(L, t, key, slot, value);
}

static NOINLINE void set_seen(lua_State *L, void *t, const void *key,
                              void *value)
{
    parts before = parts_of(t);
    __real_luaH_set(L, t, key, value);
    parts_check(L, t, before);
}

void __wrap_luaH_set(lua_State *L, void *t, const void *key, void *value)
{
    if (waste_on) set_seen(L, t, key, value);
    else __real_luaH_set(L, t, key, value);
}

static NOINLINE void setint_seen(lua_State *L, void *t, lua_Integer key,
                                 void *value)
{
    parts before = parts_of(t);
    __real_luaH_setint(L, t, key, value);
    parts_check(L, t, before);
}

void __wrap_luaH_setint(lua_State *L, void *t, lua_Integer key, void *value)
{
    if (waste_on) setint_seen(L, t, key, value);
    else __real_luaH_setint(L, t, key, value);
}

/* The last blocks a scratch state's allocator gave, for layout_probe. */
#define PROBE_SEEN 64
static struct {
    void *block[PROBE_SEEN];
    size_t size[PROBE_SEEN];
    int n;
} probe_seen;

static void *probe_alloc(void *ud, void *block, size_t osize, size_t nsize)
{
    void *p;
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(block);
        return NULL;
    }
    p = realloc(block, nsize);
    if (p != NULL) {
        probe_seen.block[probe_seen.n % PROBE_SEEN] = p;
        probe_seen.size[probe_seen.n % PROBE_SEEN] = nsize;
        probe_seen.n++;
    }
    return p;
}

static bool probe_given(const void *block, size_t size)
{
    for (int i = 0; i < PROBE_SEEN && i < probe_seen.n; i++)
        if (probe_seen.block[i] == block && probe_seen.size[i] == size)
            return true;
    return false;
}

/* Whether this Lua lays tables out as read here: a table of 3 array slots
 * and 4 nodes; slot 2 true, slot 3 written nil; keys k and j set, j
 * removed.  Its unused bytes: slot 1 and the two nodes without a key. */
static bool layout_probe(void)
{
    lua_State *L = lua_newstate(probe_alloc, NULL);
    const unsigned char *t, *array, *node, *lastfree;
    int keys = 0;
    bool ok;
    if (L == NULL) return false;
    probe_seen.n = 0;
    lua_createtable(L, 3, 4);
    lua_pushboolean(L, 1);
    lua_rawseti(L, -2, 2);
    lua_pushnil(L);
    lua_rawseti(L, -2, 3);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "k");
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "j");
    lua_pushnil(L);
    lua_setfield(L, -2, "j");
    t = lua_topointer(L, -1);
    memcpy(&array, t + TABLE_ARRAY_AT, sizeof array);
    memcpy(&node, t + TABLE_NODE_AT, sizeof node);
    memcpy(&lastfree, t + TABLE_LASTFREE_AT, sizeof lastfree);
    ok = lua_version(L) == 504 &&
         probe_given(array, 3 * WASTE_TVALUE_SIZE) &&
         probe_given(node, 4 * WASTE_NODE_SIZE) && lastfree > node &&
         lastfree <= node + 4 * WASTE_NODE_SIZE;
    if (ok) {
        for (int i = 0; i < 4; i++)
            keys += node[i * WASTE_NODE_SIZE + WASTE_KEY_TAG_AT] ==
                    TAG_SHORT_KEY;
        ok = array[WASTE_VALUE_TAG_AT] == WASTE_TAG_EMPTY &&
             array[WASTE_TVALUE_SIZE + WASTE_VALUE_TAG_AT] == TAG_TRUE &&
             array[2 * WASTE_TVALUE_SIZE + WASTE_VALUE_TAG_AT] == LUA_TNIL &&
             keys == 2 &&
             waste_unused(array, 3 * WASTE_TVALUE_SIZE, true) ==
                 WASTE_TVALUE_SIZE &&
             waste_unused(node, 4 * WASTE_NODE_SIZE, false) ==
                 2 * WASTE_NODE_SIZE;
    }
    lua_close(L);
    return ok;
}

void waste_start(bool sampled)
{
    waste_on = false;
    if (sampled) return;
    waste_on = layout_probe();
    if (!waste_on)
        fprintf(stderr, "%s: tables are not laid out as in Lua 5.4.4: "
                "their unused bytes are not counted\n", run_progname);
}
