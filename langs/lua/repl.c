/*
 * repl.c -- the interactive loop, as the stock `lua` command has it.
 *
 * A line is first tried as an expression ("return <line>;") so that its
 * values are printed, then as a statement; a statement that ends early
 * ("<eof>" in the syntax error) asks for continuation lines.  A leading '='
 * means "return" (Lua 5.2 habit).  Prompts come from _PROMPT and _PROMPT2.
 * Line editing and history use GNU readline when the build found it, as
 * Debian's lua5.4 does.
 */
#include "repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "run.h"

#define LINE_MAX_INPUT 512
#define EOF_MARK "<eof>"

#ifdef LUAMT_READLINE
#include <readline/history.h>
#include <readline/readline.h>

static void line_init(void) { rl_readline_name = "lua"; }

/* Returns the line (to free with line_release), or NULL at end of input. */
static char *line_read(char *buffer, const char *prompt)
{
    (void)buffer;
    return readline(prompt);
}

static void line_remember(const char *line) { add_history(line); }
static void line_release(char *line) { free(line); }
#else
static void line_init(void) {}

static char *line_read(char *buffer, const char *prompt)
{
    fputs(prompt, stdout);
    fflush(stdout);
    return fgets(buffer, LINE_MAX_INPUT, stdin);
}

static void line_remember(const char *line) { (void)line; }
static void line_release(char *line) { (void)line; }
#endif

static const char *prompt_get(lua_State *L, int first)
{
    if (lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2") == LUA_TNIL)
        return first ? "> " : ">> ";
    {
        const char *p = luaL_tolstring(L, -1, NULL);
        lua_remove(L, -2);
        return p;
    }
}

/* Pushes the next line; 0 at end of input. */
static int line_push(lua_State *L, int first)
{
    char buffer[LINE_MAX_INPUT];
    char *line = line_read(buffer, prompt_get(L, first));
    size_t len;
    if (line == NULL) return 0;
    lua_pop(L, 1);  /* the prompt */
    len = strlen(line);
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if (first && line[0] == '=')
        lua_pushfstring(L, "return %s", line + 1);
    else
        lua_pushlstring(L, line, len);
    line_release(line);
    return 1;
}

/* A syntax error at the end of the text means "more lines to come". */
static int statement_incomplete(lua_State *L, int status)
{
    size_t len, mark = sizeof EOF_MARK - 1;
    const char *msg;
    if (status != LUA_ERRSYNTAX) return 0;
    msg = lua_tolstring(L, -1, &len);
    if (len < mark || strcmp(msg + len - mark, EOF_MARK) != 0) return 0;
    lua_pop(L, 1);
    return 1;
}

/* Tries the line on top as an expression; leaves the chunk on success. */
static int expression_load(lua_State *L)
{
    const char *line = lua_tostring(L, -1);
    const char *code = lua_pushfstring(L, "return %s;", line);
    int status = run_load_string(L, code, strlen(code), "=stdin");
    if (status == LUA_OK) {
        lua_remove(L, -2);  /* the modified line */
        if (line[0] != '\0') line_remember(line);
    } else {
        lua_pop(L, 2);  /* the error and the modified line */
    }
    return status;
}

/* Loads the line on top as a statement, reading continuation lines. */
static int statement_load(lua_State *L)
{
    for (;;) {
        size_t len;
        const char *text = lua_tolstring(L, 1, &len);
        int status = run_load_string(L, text, len, "=stdin");
        if (!statement_incomplete(L, status) || !line_push(L, 0)) {
            line_remember(text);
            return status;
        }
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
}

/* Leaves one chunk (or an error) on an empty stack; -1 at end of input. */
static int chunk_read(lua_State *L)
{
    int status;
    lua_settop(L, 0);
    if (!line_push(L, 1)) return -1;
    status = expression_load(L);
    if (status != LUA_OK) status = statement_load(L);
    lua_remove(L, 1);
    return status;
}

static void results_print(lua_State *L)
{
    int n = lua_gettop(L);
    if (n == 0) return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    lua_getglobal(L, "print");
    lua_insert(L, 1);
    if (lua_pcall(L, n, 0, 0) != LUA_OK)
        run_message(run_progname,
                    lua_pushfstring(L, "error calling 'print' (%s)",
                                    lua_tostring(L, -1)));
}

void repl_run(lua_State *L)
{
    const char *progname = run_progname;
    int status;
    run_progname = NULL;  /* interactive errors carry no program name */
    line_init();
    while ((status = chunk_read(L)) != -1) {
        if (status == LUA_OK) status = run_call(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            results_print(L);
        else
            run_report(L, status);
    }
    lua_settop(L, 0);
    lua_writeline();
    run_progname = progname;
}
