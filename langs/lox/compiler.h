/*
 * compiler.h -- the single-pass compiler: Lox source straight to bytecode.
 */
#ifndef lox_compiler_h
#define lox_compiler_h

#include "object.h"

/* Returns the top-level function, or NULL after reporting compile errors. */
ObjFunction *compiler_compile(const char *source, size_t length);
/* The functions being compiled are GC roots. */
void compiler_mark_roots(void);
/* The line of the token being compiled, or 0 when not compiling: the
 * location of what the compiler allocates. */
int compiler_line(void);
/* Whether a compilation is under way. */
bool compiler_active(void);
/* The function being compiled, or NULL (before the script's own exists):
 * whose what the compiler allocates is. */
ObjFunction *compiler_function(void);

#endif
