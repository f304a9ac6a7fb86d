/*
 * natives.h -- the functions Lox code finds predefined as globals.
 */
#ifndef lox_natives_h
#define lox_natives_h

void natives_define(void);

#endif
