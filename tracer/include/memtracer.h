/*
 * memtracer.h -- the public interface of libmemtracer.
 *
 * libmemtracer records what an interpreter allocates: where (guest source
 * location and call path), what (guest type), how many and how many bytes,
 * what was freed, the peak of live bytes and what was still live at exit.
 * It knows nothing of any guest language: a VM names its functions and
 * types once (mt_func_intern, mt_type_intern) and then reports events.
 *
 * There is one tracer per process, as there is one heap.  A VM does not
 * call the event functions directly; it includes <mt_hooks.h>, whose hooks
 * cost one predictable branch when tracing is off.
 *
 * Every event is O(1) and makes no malloc of its own in the common case:
 * the tracer's tables live in pools it grows in large steps.  A call
 * pushes one frame on a shadow stack; the first allocation under a frame
 * interns its call path (one trie node per distinct path, each found in
 * O(1) from its parent's), so an allocation never walks the guest stack
 * and calls that allocate nothing cost no memory.
 */
#ifndef MEMTRACER_H
#define MEMTRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_VERSION_STRING "0.1.0"

/* The library is built with its symbols hidden, so that its own globals
 * are reached without indirection; this is what it offers. */
#if defined(__GNUC__)
#define MT_API __attribute__((visibility("default")))
#else
#define MT_API
#endif

/* An interned guest type name ("Array", "Point").  MT_TYPE_INTERNAL marks a
 * VM-internal block that belongs to no guest object: hidden from the report
 * unless TraceInternal=true. */
typedef uint32_t mt_type;
#define MT_TYPE_INTERNAL ((mt_type)0)

/* An interned guest function: its name, its source file, its first line. */
typedef uint32_t mt_func;

/* An interned call path: one node per distinct path from the outermost
 * frame.  Opaque. */
typedef struct mt_node mt_node;

/* ---------------------------------------------------------------- options */

typedef enum mt_output {
    MT_OUTPUT_TABLE,
    MT_OUTPUT_JSON,
    MT_OUTPUT_HISTOGRAM,
    MT_OUTPUT_TYPEHISTOGRAM,
    MT_OUTPUT_CALLTREE,
} mt_output;

typedef struct mt_options {
    bool enabled;            /* --memtracer, or any --memtracer.X */
    mt_output output;        /* --memtracer.Output */
    char *output_file;       /* --memtracer.OutputFile; NULL: stderr */
    bool trace_stacks;       /* --memtracer.TraceStackTraces */
    unsigned stack_limit;    /* --memtracer.StackLimit */
    size_t trace_mem;        /* --memtracer.TraceMem: minimum size recorded */
    char *filter_root_name;  /* --memtracer.FilterRootName; NULL: all */
    char *filter_file;       /* --memtracer.FilterFile; NULL: all */
    bool trace_internal;     /* --memtracer.TraceInternal */
} mt_options;

/* Results of mt_options_parse. */
#define MT_ARG_NOT_OURS 0    /* not a --memtracer word: the caller's own */
#define MT_ARG_OK 1          /* consumed */
#define MT_ARG_BAD (-1)      /* a memtracer word with a bad name or value */

MT_API void mt_options_init(mt_options *o);
/* Parses one command-line word.  On MT_ARG_BAD, mt_error() says in one
 * line (no newline) which option and what it accepts. */
MT_API int mt_options_parse(mt_options *o, const char *arg);
MT_API void mt_options_free(mt_options *o);
/* The options' help text, one line per option, for a front end's --help. */
MT_API const char *mt_options_help(void);

/* -------------------------------------------------------------- lifecycle */

/* Set while a tracer is recording; the allocation hooks test it and
 * nothing else. */
MT_API extern bool mt_active;
/* Set while recording needs the guest's calls (stack traces, histogram,
 * calltree); the call and return hooks test it and nothing else, so a
 * plain table costs a VM's calls nothing. */
MT_API extern bool mt_calls_active;

/* The last error of mt_options_parse or mt_start: one line, no newline,
 * however long the names in it. */
MT_API const char *mt_error(void);

/* Starts recording.  language and program name the report ("lox",
 * "queens.lox"); program is the script's path, or a label for code that is
 * not in a file ("<string>").  Opens the report's destination now, so a
 * report that cannot be written is known before anything runs.  Returns 0,
 * or the exit status the command should end with, nothing run, and the
 * reason in mt_error(): 64 when OutputFile is the script itself, 74 when
 * the report cannot be written. */
MT_API int mt_start(const mt_options *o, const char *language,
                    const char *program);

/* How a run ended, for the report's "exit"; a signal that ends it is
 * recorded by the tracer itself. */
typedef enum mt_exit_reason {
    MT_EXIT_NORMAL,
    MT_EXIT_ERROR,          /* a compile or runtime error in the guest */
    MT_EXIT_OUT_OF_MEMORY,  /* the allocator refused the guest a block */
} mt_exit_reason;

/* Tells the tracer the exit status and why, before mt_finish (or before
 * exit(), which runs it). */
MT_API void mt_exit_set(int status, mt_exit_reason reason);

/* Stops recording, writes the report, frees the tracer's memory.  Returns
 * 0, or -1 when the report could not be written: it then said why on
 * standard error, in one line naming the file.  Safe to call when not
 * started, and twice; run by exit() too.  While recording, a signal that
 * would end the process (SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXFSZ, ...;
 * not one the program ignores or handles) writes the report first. */
MT_API int mt_finish(void);

/* ----------------------------------------------------------------- naming */

MT_API mt_type mt_type_intern(const char *name, size_t len);
MT_API mt_func mt_func_intern(const char *name, size_t name_len,
                              const char *file, int line);

/* ------------------------------------------------------------------ calls */

/* A guest call: the callee, and the line in the caller the call is made
 * from.  O(1): the path is interned only when something allocates in it. */
MT_API void mt_call(mt_func callee, int call_line);
MT_API void mt_return(void);
/* Drops frames until depth frames remain (an error unwound the stack). */
MT_API void mt_unwind(size_t depth);

/* For front ends that cannot see calls (they walk the guest stack at an
 * allocation instead): build a path from the root and make it current. */
MT_API mt_node *mt_path_root(void);
MT_API mt_node *mt_path_child(mt_node *parent, mt_func callee, int call_line);
MT_API void mt_path_set(mt_node *node);

/* --------------------------------------------------------------- blocks */

/* Every allocation event names where the guest is: the function running
 * (the innermost frame of the current call path) and the line in it. */

/* A new guest object of the given type. */
MT_API void mt_alloc(const void *ptr, size_t size, mt_type type, mt_func func,
                     int line);
/* An object's storage obtained, grown or shrunk (old_ptr NULL: obtained;
 * new_ptr NULL: released).  Charged to the location with the owner's type:
 * bytes, not count; a change of an existing block counts as one resize. */
MT_API void mt_resize(const void *old_ptr, size_t old_size,
                      const void *new_ptr, size_t new_size, mt_type owner,
                      mt_func func, int line);
/* A block released (GC sweep, free): the tracer finds its site and size by
 * its address. */
MT_API void mt_free(const void *ptr, size_t size);

/* Tagged blocks, for a VM that can keep 32 bits beside each block it
 * allocates (spare bits in an object's header, a field beside a storage
 * pointer): the tag says everything a release needs, so no event touches
 * the table of live blocks -- the cheapest way to trace, in time and in
 * memory.  A VM keeps MT_TAG_NONE for blocks made while tracing was off;
 * releasing those is harmless.  Sizes are the VM's, exact.  A tag names a
 * site of the session that gave it, and means nothing once mt_finish has
 * run: a VM that starts the tracer again resets the tags of blocks still
 * live to MT_TAG_NONE first. */
typedef uint32_t mt_tag;
#define MT_TAG_NONE ((mt_tag)0)

/* A new guest object; its tag. */
MT_API mt_tag mt_alloc_tagged(size_t size, mt_type type, mt_func func,
                              int line);
/* An object's storage obtained (old_size 0: old is ignored), grown or
 * shrunk, or released (new_size 0); the new block's tag (MT_TAG_NONE when
 * released).  Counted as mt_resize counts. */
MT_API mt_tag mt_resize_tagged(mt_tag old, size_t old_size, size_t new_size,
                               mt_type owner, mt_func func, int line);
/* A tagged block released: an object, or storage. */
MT_API void mt_free_tagged(mt_tag tag, size_t size);

/* Sites resolved ahead, for a VM that can remember where its allocations
 * happen (a cache keyed by bytecode position, say): a hit skips working
 * out the function and line, and the tracer's own look-up.  mt_site_at
 * answers where a block of that type made there is counted -- also when
 * the options keep it out of the report's rows, or when the tracer has no
 * memory for it, which the events below then count as lost.  Never NULL
 * while tracing; a site stays valid until mt_finish. */
typedef struct mt_site mt_site;
MT_API mt_site *mt_site_at(mt_func func, int line, mt_type type);
/* mt_alloc_tagged and mt_resize_tagged at a site resolved ahead. */
MT_API mt_tag mt_alloc_at(mt_site *site, size_t size);
MT_API mt_tag mt_resize_at(mt_site *site, mt_tag old, size_t old_size,
                           size_t new_size);

/* ----------------------------------------------------- counted inline */

/* The common events -- a block counted at a row of the report, a tagged
 * block released from one -- are counted by inline code (mt_hooks.h), not
 * by a call: at a few dozen instructions an event, a call's own cost is a
 * large share.  What that code touches is laid out here for it alone; a VM
 * reads and writes none of it.  The rest -- filtered, hidden and lost
 * blocks, call paths, the live table -- goes through the calls above.
 *
 * Inline counting changes figures only, never a table, so it needs no
 * guard against a signal: a report written from a signal that lands in
 * the middle of one sees that block in some of its site's figures and not
 * yet in others, and its summary, the sum of the sites, agrees with its
 * rows whatever the moment. */

/* A site's figures. */
typedef struct mt_counts {
    uint64_t count, bytes;          /* objects made there; bytes obtained */
    uint64_t resizes;               /* storage blocks replacing another */
    uint64_t frees, freed_bytes;    /* released; live is the difference */
} mt_counts;

/* Every site begins with this. */
typedef struct mt_site_head {
    mt_counts n;
    mt_tag tag;                     /* an object's tag there */
} mt_site_head;

/* A tag: the site's id above a bit saying the block is storage and two
 * saying where it was counted: at a row, or (out of line) at the filtered
 * or the hidden pseudo-site.  Kind 0 is MT_TAG_NONE: not counted. */
#define MT_TAG_ROW 1u
#define MT_TAG_FILTERED 2u
#define MT_TAG_HIDDEN 3u
#define MT_TAG_KIND(tag) ((tag) & 3u)
#define MT_TAG_STORAGE 4u
#define MT_TAG_SITE(tag) ((tag) >> 3)

/* The rest an event touches: the program's live figures and peak, the
 * smallest block counted inline, and the sites by id (a tag's). */
typedef struct mt_hot {
    uint64_t allocations;           /* objects, excluding hidden ones */
    uint64_t live_bytes;            /* excluding hidden blocks */
    uint64_t peak_bytes, peak_at_allocation;
    /* Smaller blocks go through the calls: TraceMem filters them, and a
     * block of 0 bytes is a release. */
    size_t inline_min;
    mt_site **sites;                /* by id */
} mt_hot;

MT_API extern mt_hot mt_hot_state;

/* Counts a block new to the program at site: an object, or storage that
 * replaced an older block (resized) or not. */
static inline void mt_counts_add(mt_site_head *site, size_t size, int object,
                                 int resized) {
    mt_hot *h = &mt_hot_state;
    site->n.count += object;
    site->n.bytes += size;
    site->n.resizes += resized;
    h->allocations += object;
    h->live_bytes += size;
    if (h->live_bytes > h->peak_bytes) {
        h->peak_bytes = h->live_bytes;
        h->peak_at_allocation = h->allocations;
    }
}

/* The call path's share of a block counted inline at site, owed while
 * calls are traced (mt_calls_active). */
MT_API void mt_counts_add_path(mt_site *site, size_t size, int object);

/* Takes a released block out of the figures of the site it was counted
 * at. */
static inline void mt_counts_remove(mt_site_head *site, size_t size,
                                    int object) {
    site->n.frees += object;
    site->n.freed_bytes += size;
    mt_hot_state.live_bytes -= size;
}

#endif
