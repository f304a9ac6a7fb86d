/*
 * fakevm.h -- a tiny fake VM that drives libmemtracer through its public
 * header the way an interpreter does: a few types and functions, calls
 * and returns, and blocks of known sizes, with the report read back from
 * an OutputFile in a temporary directory.
 */
#ifndef FAKEVM_H
#define FAKEVM_H

#include <stdint.h>

#include "memtracer.h"

extern mt_type T_ARRAY, T_POINT, T_STRING;
extern mt_func F_SCRIPT, F_MAKE, F_BUILD;

/* Starts tracing with the given --memtracer words (NULL-terminated), plus
 * an OutputFile in a fresh temporary directory unless one is given. */
void vm_start(const char *const *words);
/* Finishes tracing; the report's text (free it), and the removal of the
 * temporary directory. */
char *vm_finish(void);
/* The path of the report vm_start chose. */
const char *vm_report_path(void);

/* The address of the i-th fake block (0 <= i < 1024). */
void *blk(int i);

/* The number after the first `"key": ` in a JSON report; fails the test
 * when there is none. */
uint64_t figure(const char *report, const char *key);

/* Asserts what every JSON report keeps, whatever happened: bytes - freed
 * = live, allocations - frees = live allocations, the sites plus what was
 * filtered = the summary, peak >= live.  Reports without stacks only. */
void check_invariants(const char *report);

/* The scenario most tests share, in prog.fk (function make in prog.fk:3):
 *   line 1 of <script>: an Array of 64 B;
 *   three calls of make from line 10 and one from line 11, each making a
 *   Point of 32 B on line 4; the last one also gets 100 B of storage on
 *   line 5 and grows it to 200 B;
 *   the first Point is freed, a never-seen block is freed, and the VM
 *   makes a 16 B <internal> block. */
void vm_scenario(void);

#endif
