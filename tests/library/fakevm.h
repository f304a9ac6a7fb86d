/*
 * fakevm.h -- a small fake VM for the library's tests.
 *
 * It drives libmemtracer through its public headers the way an
 * interpreter does: --memtracer words from its command line, mt_start,
 * names interned once, calls and returns, and blocks of real memory
 * reported through the hooks of either door.  It reads the report back
 * from an OutputFile in a temporary directory of its own, and checks the
 * relations every report keeps, so that each test can state only the
 * figures its scenario decides.
 *
 * The program it traces is "prog.fk", in language "fake".
 */
#ifndef FAKEVM_H
#define FAKEVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "memtracer/hooks.h"
#include "memtracer/memtracer.h"

#define VM_PROGRAM "prog.fk"

/* A NULL-terminated list of --memtracer words. */
#define VM_WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The guest's types: objects, and storage that objects hold. */
extern mt_type T_POINT;   /* object "Point" */
extern mt_type T_ARRAY;   /* object "Array" */
extern mt_type T_FIELDS;  /* storage "Point fields" */
extern mt_type T_CHARS;   /* storage "String chars" */

/* The guest's functions, by file and the line each is defined on. */
extern mt_func F_MAIN;    /* main, prog.fk:1 */
extern mt_func F_MAKE;    /* make, prog.fk:10 */
extern mt_func F_BUILD;   /* build, lib.fk:20 */
extern mt_func F_FIB;     /* fib, prog.fk:30 */
#define F_ROOT ((mt_func)0)  /* <root>: outside every function */

/* A function of prog.fk interned on demand (name, defining line). */
mt_func vm_func(const char *name, int line);

/* Interns the names above, then starts tracing with words plus an
 * OutputFile in a fresh temporary directory (unless words name one: the
 * directory is made all the same); fails the test unless mt_start
 * returns 0. */
void vm_start(const char *const *words);
/* The same, returning mt_start's status instead of checking it. */
int vm_start_status(const char *const *words);
/* The temporary directory and the report's path in it. */
const char *vm_folder(void);
const char *vm_report_path(void);
/* Finishes tracing (mt_finish must return 0) and returns the report's
 * text (free it), with the directory's name written <folder> and times
 * (JSON keys ending in _ms or _ns) written 0, so that the reports of two
 * runs compare byte for byte; the report and the directory are removed,
 * and the test fails if the directory held anything else. */
char *vm_finish(void);
/* vm_finish for a JSON report: parsed (json_decref it) and checked with
 * vm_check_consistent. */
json_t *vm_finish_json(void);

/* Calls.  Normally reported with mt_call and mt_return; with
 * vm_walks_stack set the VM reports none and instead builds the current
 * path from its own frames at each block (mt_path_child, mt_path_set),
 * the way a VM that cannot see calls does. */
extern bool vm_walks_stack;
void vm_call(mt_func callee, int call_line);
void vm_return(void);
/* An error unwound the guest's stack to depth frames. */
void vm_unwind(size_t depth);

/* The simple door: blocks of real memory, known by address. */
void *vm_new(size_t size, mt_type type, mt_func func, int line);
/* realloc: new_size 0 releases the block (NULL returned). */
void *vm_resize(void *block, size_t old_size, size_t new_size, mt_type type,
                mt_func func, int line);
void vm_delete(void *block, size_t size);

/* The fast door: a block with its tag kept beside it. */
typedef struct vm_block {
    void *mem;
    size_t size;
    mt_tag tag;
} vm_block;

/* Whether the fast door counts through <memtracer/inline.h> when it can
 * (else always the calls), and how many events it counted so. */
extern bool vm_inline;
extern unsigned long vm_inline_events;
vm_block vm_new_at(mt_site site, size_t size);
/* Resizes (from size 0: obtains; to size 0: releases) at site. */
void vm_resize_at(mt_site site, vm_block *block, size_t size);
void vm_delete_at(vm_block *block);

/* Reading a report.  A path is keys and array indexes joined by dots:
 * "summary.bytes", "sites.0.stacks.1.frames.0.line".  A missing path
 * fails the test. */
json_t *jget(json_t *report, const char *path);
bool jhas(json_t *report, const char *path);
uint64_t jnum(json_t *report, const char *path);
const char *jstr(json_t *report, const char *path);
/* The number of elements of the array at path. */
size_t jlen(json_t *report, const char *path);
/* Fail the test, naming path and both values, unless the count (the
 * string) at path is value. */
void jexpect(json_t *report, const char *path, uint64_t value);
void jexpect_str(json_t *report, const char *path, const char *value);

/* What a test expects of the summary: every figure, those left out 0
 * (the live ones follow: vm_check_consistent). */
typedef struct vm_summary {
    uint64_t allocations, blocks, bytes;
    uint64_t frees, freed_blocks, freed_bytes, resizes;
    uint64_t peak_bytes, peak_at_allocation;
    uint64_t filtered_allocations, filtered_blocks, filtered_bytes;
    uint64_t hidden_internal_blocks, hidden_internal_bytes;
    uint64_t untracked_frees, lost_events;
} vm_summary;
void jexpect_summary(json_t *report, vm_summary expected);

/* What a test expects of sites[index]: its key and every figure; kind
 * and phase left out are "object" and "run". */
typedef struct vm_site {
    const char *file;
    int line;
    const char *function, *type, *kind, *phase;
    uint64_t count, blocks, bytes;
    uint64_t live_count, live_blocks, live_bytes;
    uint64_t peak_count, peak_bytes;
} vm_site;
void jexpect_site(json_t *report, size_t index, vm_site expected);

/* The frames of the stack at path, as "make prog.fk:11, main prog.fk:5",
 * innermost first, a folded run of N frames as "fib prog.fk:31 x3". */
const char *jframes(json_t *report, const char *path);
/* Fail the test unless the stack at path has these figures and frames. */
void jexpect_stack(json_t *report, const char *path, uint64_t count,
                   uint64_t blocks, uint64_t bytes, uint64_t truncated,
                   const char *frames);

/* Asserts what every report keeps whatever happened: the summary is the
 * sum of the sites and what filters dropped, bytes - freed = live, each
 * site's counts agree with its kind and its stacks, the sites' peak
 * shares sum to the program's peak when nothing was filtered, and
 * "degraded" says whether events were lost. */
void vm_check_consistent(json_t *report);

/* The whole of a file (free it); NULL if it cannot be read. */
char *vm_read_file(const char *path);

#endif
