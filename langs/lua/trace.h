/*
 * trace.h -- tracing one Lua state with libmemtracer.
 *
 * The state is created with a tracing allocator: lauxlib's (realloc and
 * free) with a header in front of every block.  Every allocation is
 * charged to the running Lua line (where.c); an allocation no Lua code is
 * running for is charged to the phase the launcher is in -- these are the
 * labelled sites:
 *   [new state]   lua_newstate: the global state, string table, registry
 *   [open libs]   luaL_openlibs and the `arg` table
 *   [load chunk]  compiling a script, -e, LUA_INIT or an interactive line
 *                 (file: the chunk's name)
 *   [require]     -l: finding and compiling the module (file: its name)
 *   [C]           C code with no Lua caller (arguments, printing results)
 *   [close]       lua_close, outside finalizers (also via os.exit(c, true))
 *
 * Without tracing, trace_newstate is luaL_newstate and the rest do nothing.
 */
#ifndef LUAMT_TRACE_H
#define LUAMT_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include <memtracer/memtracer.h>

typedef enum trace_phase_id {
    TRACE_PHASE_NEWSTATE,
    TRACE_PHASE_OPEN,
    TRACE_PHASE_LOAD,
    TRACE_PHASE_REQUIRE,
    TRACE_PHASE_RUN,
    TRACE_PHASE_CLOSE,
} trace_phase_id;

/* Starts the tracer: 0, or the exit status the command ends with, nothing
 * run, and mt_error() saying why. */
int trace_start(const mt_options *o, const char *program);
lua_State *trace_newstate(void);
/* After luaL_openlibs: os.exit tells the tracer the status it ends the
 * run with. */
void trace_libs_opened(lua_State *L);
/* How the run ends, for the report. */
void trace_exit(int status, mt_exit_reason reason);
/* chunk: the chunk being loaded or required, else NULL. */
void trace_phase(trace_phase_id phase, const char *chunk);
/* Writes the report (also run at exit, for os.exit); 0, or -1 when it
 * could not be written. */
int trace_finish(void);

/* Whether the tracer runs (started, the report not yet written). */
bool trace_active(void);
/* Recording on or off (mt_recording): whether it is on after; false when
 * not tracing.  Off, new blocks are not located nor counted. */
bool trace_recording(bool on);
/* +1 before the tracer makes blocks of its own in the state, -1 after:
 * meanwhile no block is counted. */
void trace_untraced(int by);
/* Whether lua_close has begun (trace_close_begin). */
bool trace_closing(void);

/* Whether L's state is the traced one, whose blocks have headers. */
bool trace_has_headers(lua_State *L);

/* A block of the traced state, a table's array part (else its hash
 * part), marked as such for waste.c. */
void trace_mark_part(void *block, bool array);

/* For interpose.c: whether L is a thread of the traced state, and the
 * start of its lua_close (after the full collection interpose.c runs
 * first).  Frees from then on are not counted: what the program still
 * reached when it ended is reported live at exit. */
bool trace_owns(lua_State *L);
void trace_close_begin(void);

#endif
