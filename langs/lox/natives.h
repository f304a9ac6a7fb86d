/*
 * natives.h -- the functions Lox code finds predefined as globals.
 */
#ifndef lox_natives_h
#define lox_natives_h

#include "object.h"

void natives_define(void);
/* Defines one more native, as a global of that name. */
void natives_add(const char *name, NativeFn function, int arity);

#endif
