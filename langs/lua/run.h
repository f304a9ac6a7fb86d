/*
 * run.h -- running chunks the way the stock `lua` command does.
 *
 * main.c (the command line) and repl.c (interactive mode) share these: the
 * protected call with a traceback, the error report prefixed by the program
 * name, and the loaders for strings, files and -l libraries.  Loading is
 * where Lua compiles with no Lua frame on the stack, so these also tell the
 * tracer which chunk is being loaded.
 */
#ifndef LUAMT_RUN_H
#define LUAMT_RUN_H

#include <stdbool.h>

#include <lua.h>

/* The name errors are prefixed with: argv[0], as `lua` does; NULL in the
 * interactive loop, which prints bare messages. */
extern const char *run_progname;

void run_message(const char *progname, const char *msg);
/* Prints the error on top of the stack when status is not LUA_OK. */
int run_report(lua_State *L, int status);
/* Set once an error reported was Lua's "not enough memory". */
extern bool run_out_of_memory;
/* lua_pcall with a traceback handler; SIGINT interrupts the call. */
int run_call(lua_State *L, int narg, int nres);

int run_load_string(lua_State *L, const char *s, size_t len,
                    const char *chunkname);
/* name NULL: standard input. */
int run_load_file(lua_State *L, const char *name);

int run_string(lua_State *L, const char *s, const char *chunkname);
int run_file(lua_State *L, const char *name);
/* -l [g=]mod: require the module into global g (default: mod). */
int run_library(lua_State *L, char *spec);

#endif
