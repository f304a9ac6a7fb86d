/*
 * memtracer.h -- the public interface of libmemtracer.
 *
 * libmemtracer records what an interpreter allocates: where (guest source
 * location and call path), what (guest type), how many and how many bytes,
 * what was freed, the peak of live bytes and what was still live at exit.
 * It knows nothing of any guest language.  There is one tracer per
 * process, as there is one heap.
 *
 * A VM uses it in four steps:
 *
 *   1. options: pass each --memtracer.* word of its command line to
 *      mt_options_parse;
 *   2. mt_start before running the guest, mt_finish after (or exit());
 *   3. names: intern each guest type and function once per run
 *      (mt_type_intern, mt_func_intern; before mt_start too), and report
 *      calls and returns (mt_call, mt_return);
 *   4. blocks, through one of two doors:
 *
 *      The simple door.  Report each block by its address: mt_alloc when
 *      the VM obtains one, mt_resize when it moves or grows one, mt_free
 *      when it releases one.  The tracer keeps a table of the live blocks.
 *      Any VM can be traced this way in an afternoon
 *      (examples/embed/calc.c).
 *
 *      The fast door.  Resolve a site once (mt_site_at: function, line,
 *      type), then report each block at it (mt_alloc_at, mt_resize_at)
 *      and keep the 32-bit tag it returns beside the block, which
 *      mt_free_tagged takes back: no event touches a table.  For a VM that
 *      wants tracing at a few percent; <memtracer/inline.h> counts the
 *      common events without a call (langs/lox/memory.c).
 *
 * A VM calls the event functions through <memtracer/hooks.h>, whose hooks
 * cost one predictable branch when tracing is off.  Every event is O(1) and
 * makes no malloc of its own in the common case.  The tracer's own memory
 * is never counted, and a failure inside the tracer (no memory for a new
 * site) degrades the report, which says so, never the program.
 */
#ifndef MEMTRACER_H
#define MEMTRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtracer/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with its symbols hidden; this is what it offers. */
#if defined(__GNUC__)
#define MT_API __attribute__((visibility("default")))
#else
#define MT_API
#endif

/* ---------------------------------------------------------------- options */

typedef enum mt_output {
    MT_OUTPUT_TABLE,
    MT_OUTPUT_JSON,
    MT_OUTPUT_HISTOGRAM,
    MT_OUTPUT_TYPEHISTOGRAM,
    MT_OUTPUT_CALLTREE,
    MT_OUTPUT_LEAKS,
    MT_OUTPUT_PEAK,
} mt_output;

/* The effective --memtracer options; mt_options_init gives the defaults. */
typedef struct mt_options {
    bool enabled;            /* --memtracer, or any --memtracer.X */
    mt_output output;        /* --memtracer.Output */
    char *output_file;       /* --memtracer.OutputFile; NULL: stderr */
    bool trace_stacks;       /* --memtracer.TraceStackTraces */
    unsigned stack_limit;    /* --memtracer.StackLimit */
    bool fold_recursion;     /* --memtracer.FoldRecursion */
    size_t trace_mem;        /* --memtracer.TraceMem: smallest block listed */
    char *filter_root_name;  /* --memtracer.FilterRootName; NULL: all */
    char *filter_file;       /* --memtracer.FilterFile; NULL: all */
    bool trace_internal;     /* --memtracer.TraceInternal */
    unsigned top;            /* --memtracer.Top: rows listed; 0: all */
    bool all_phases;         /* --memtracer.Phases=all (else run) */
    bool start;              /* --memtracer.Start: record from the start */
    size_t sample_bytes;     /* --memtracer.SampleBytes; 0: every block */
    uint64_t seed;           /* --memtracer.Seed; 0: from the clock */
} mt_options;

/* Results of mt_options_parse. */
#define MT_ARG_NOT_OURS 0    /* not a --memtracer word: the caller's own */
#define MT_ARG_OK 1          /* consumed */
#define MT_ARG_BAD (-1)      /* a memtracer word with a bad name or value */

MT_API void mt_options_init(mt_options *options);
/* Parses one command-line word (NULL, argv's end, is not ours).  On
 * MT_ARG_BAD, mt_error() says in one line which option and what it
 * accepts. */
MT_API int mt_options_parse(mt_options *options, const char *word);
MT_API void mt_options_free(mt_options *options);
/* The options' help text, one line per option, for a command's --help. */
MT_API const char *mt_options_help(void);

/* -------------------------------------------------------------- lifecycle */

/* The last error of mt_options_parse or mt_start: one line, no newline,
 * however long the names in it; valid until the next error replaces it
 * (copy it before a call that may fail). */
MT_API const char *mt_error(void);

/* Starts recording.  language and program name the report ("lox",
 * "queens.lox"); program is the script's path, or a label for code that is
 * not in a file ("<string>").  Opens the report's destination now, so a
 * report that cannot be written is known before anything runs.  Returns 0,
 * or the exit status the command should end with, nothing run, and the
 * reason in mt_error(): 64 when OutputFile is the script itself, 70 when
 * the VM was built against other headers than the library's, 74 when the
 * report cannot be written.  (A macro, so that the check sees the headers
 * the VM was compiled with.) */
#define mt_start(options, language, program) \
    mt_start_version((options), (language), (program), MT_VERSION_NUM)
MT_API int mt_start_version(const mt_options *options, const char *language,
                            const char *program, long header_version);

/* How a run ended, for the report's "exit"; a signal that ends it is
 * recorded by the tracer itself. */
typedef enum mt_exit_reason {
    MT_EXIT_NORMAL,
    MT_EXIT_ERROR,          /* a compile or runtime error in the guest */
    MT_EXIT_OUT_OF_MEMORY,  /* the allocator refused the guest a block */
} mt_exit_reason;

/* Tells the tracer the exit status and why, before mt_finish (or exit()). */
MT_API void mt_exit_set(int status, mt_exit_reason reason);

/* Stops recording, writes the report, frees the tracer's memory: the
 * names interned, sites, paths and tags are gone, and a VM that traces
 * again after it interns its names again.  Returns 0, or -1 when the
 * report could not be written: it then said why on standard error, in
 * one line naming the file.  Safe to call when not started, and twice;
 * run by exit() too.  While recording, a signal that
 * would end the process (SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXFSZ, ...;
 * not one the program ignores or handles) writes the report first. */
MT_API int mt_finish(void);

/* ------------------------------------------------------ in-script control */

/* What a guest program asks of the tracer about itself (lox's
 * memtracer_start() and friends, lua-memtracer's memtracer module).
 *
 * Recording off, new blocks are not counted (their tags are
 * MT_TAG_UNTRACED) while releases of blocks counted before still are, so
 * what is live stays true across a stop and a start.  Start=false starts
 * with recording off.  Each returns whether recording is on after it. */
MT_API bool mt_recording(bool on);
/* The figures start again from what is live now: totals, frees and the
 * peak count from here, and the blocks live now stay live. */
MT_API void mt_reset(void);
/* Writes a report of what was recorded so far, in the chosen format, to
 * path (as OutputFile is written); recording goes on.  0, or -1 with the
 * reason in mt_error(). */
MT_API int mt_snapshot(const char *path);

/* A garbage-collection cycle ended: marked on the timeline, and the clock
 * of the ages at which objects die (lifetimes: how many of a site's
 * objects died in the first collection after their birth, and how many
 * lived through more). */
MT_API void mt_gc_cycle(void);

/* ----------------------------------------------------------------- names */

/* An interned guest type.  An object type names a guest object ("Point");
 * a storage type names what an object holds apart from itself ("Point
 * fields", "String chars"): its blocks count in bytes and blocks, not in
 * objects.  MT_TYPE_INTERNAL is the VM's own memory, which belongs to no
 * guest object: left out of every figure unless TraceInternal=true. */
typedef uint32_t mt_type;
#define MT_TYPE_INTERNAL ((mt_type)0)

typedef enum mt_kind {
    MT_KIND_OBJECT,
    MT_KIND_STORAGE,
} mt_kind;

MT_API mt_type mt_type_intern(const char *name, size_t len, mt_kind kind);

/* An interned guest function: its name, its source file, the line where it
 * is defined (0: none).  Function 0 is <root>, outside every function. */
typedef uint32_t mt_func;
MT_API mt_func mt_func_intern(const char *name, size_t len, const char *file,
                              int line);

/* What the program is doing, for the report: running, starting up, or
 * compiling.  Blocks are counted at sites of the phase they are made in;
 * by default the table lists what ran and sums up the rest in a line
 * each.  RUN unless the VM says otherwise. */
typedef enum mt_phase {
    MT_PHASE_RUN,
    MT_PHASE_STARTUP,
    MT_PHASE_COMPILE,
} mt_phase;
MT_API void mt_phase_set(mt_phase phase);

/* ------------------------------------------------------------------ calls */

/* A guest call: the callee, and the line in the caller it is made from.
 * O(1), and free of memory until something allocates under it.  Needed
 * only while MT_TRACING_CALLS() (stack traces, histogram, call tree).  A
 * call from function 0 (<root>) shows no line in stack traces: a VM whose
 * top level has lines names it as a function of its own ("<script>") and
 * reports the call into it. */
MT_API void mt_call(mt_func callee, int call_line);
MT_API void mt_return(void);
/* Drops frames until depth frames remain (an error unwound the stack). */
MT_API void mt_unwind(size_t depth);

/* For a VM that cannot see calls but can walk its stack at an allocation:
 * build the path from the outermost frame and make it current.  A path
 * is interned once, valid until mt_finish. */
typedef uint32_t mt_path;
MT_API mt_path mt_path_root(void);
MT_API mt_path mt_path_child(mt_path parent, mt_func callee, int call_line);
MT_API void mt_path_set(mt_path path);

/* ------------------------------------------------------- the simple door */

/* Every block is reported with where the guest is: the function running
 * (the innermost frame of the current call path) and the line in it.  A
 * block's address is only a key: the tracer never reads the block, so an
 * address may be reported after realloc or free has let it go. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define MT_ADDRESS_ONLY(n) __attribute__((access(none, n)))
#else
#define MT_ADDRESS_ONLY(n)
#endif

/* A block obtained: an object, or storage (by its type's kind).  A size
 * past 2^51 - 1 bytes, which no real block has, is counted as that. */
MT_API void mt_alloc(const void *ptr, size_t size, mt_type type,
                     mt_func func, int line) MT_ADDRESS_ONLY(1);
/* A block moved, grown or shrunk (old_ptr NULL: obtained; new_ptr NULL:
 * released): charged to the location with the given type. */
MT_API void mt_resize(const void *old_ptr, size_t old_size,
                      const void *new_ptr, size_t new_size, mt_type type,
                      mt_func func, int line) MT_ADDRESS_ONLY(1)
    MT_ADDRESS_ONLY(3);
/* A block released.  The tracer counts it out with the size it recorded:
 * size is the VM's own view, for checking. */
MT_API void mt_free(const void *ptr, size_t size) MT_ADDRESS_ONLY(1);

/* --------------------------------------------------------- the fast door */

/* A site: a (function, line, type) where blocks are made, resolved once
 * and valid until mt_finish.  Every site answers, also one the options
 * keep out of the report or one the tracer had no memory for. */
typedef uint32_t mt_site;

/* A block's tag, which the VM keeps beside it (spare bits in an object's
 * header, a field beside a storage pointer): it says everything a release
 * needs.  MT_TAG_UNTRACED is the tag of a block the tracer does not count
 * (made while tracing was off, or lost): releasing it changes nothing.  A
 * tag is valid until mt_finish. */
typedef uint32_t mt_tag;
#define MT_TAG_UNTRACED ((mt_tag)0)

MT_API mt_site mt_site_at(mt_func func, int line, mt_type type);
/* A block obtained at site; its tag.  A site this run did not resolve
 * counts nothing (MT_TAG_UNTRACED); the inline functions do not check. */
MT_API mt_tag mt_alloc_at(mt_site site, size_t size);
/* Storage at site replacing the block tagged old of old_size bytes (0: a
 * new block); the new block's tag. */
MT_API mt_tag mt_resize_at(mt_site site, mt_tag old, size_t old_size,
                           size_t new_size);
/* A tagged block released. */
MT_API void mt_free_tagged(mt_tag tag, size_t size);

/* -------------------------------------------------- what is left, and why */

/* Bytes of a tagged storage block that were reserved and never used (a
 * vector's capacity past its highest count): told when the block is
 * released or outgrown, and for a block still live, before mt_finish.
 * They sum up as the site's waste. */
MT_API void mt_unused_tagged(mt_tag tag, size_t bytes);

/* What keeps a block alive at the end: a path from one of the VM's roots,
 * told before mt_finish for each block the VM reaches from its roots
 * after its last full collection.  A path is a root, named by the VM
 * ("global auditLog"), then the types of the objects on the way, the last
 * the retained object's own; a storage block is retained by the path of
 * its object.  A child of its parent's own type is the parent: a run of
 * one type (a linked list) shows once.  Interned, valid until mt_finish;
 * 0 when the tracer has no memory for it, or when the report shows no
 * retainers (Output other than json and leaks: a VM may then skip its
 * walk), and a block told with path 0 is left out. */
typedef uint32_t mt_retainer;
MT_API mt_retainer mt_retainer_root(const char *name, size_t len);
MT_API mt_retainer mt_retainer_child(mt_retainer parent, mt_type type);
MT_API void mt_retained_tagged(mt_tag tag, size_t size, mt_retainer path);

#ifdef __cplusplus
}
#endif

#endif
