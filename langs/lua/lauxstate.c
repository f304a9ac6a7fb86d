/*
 * lauxstate.c -- lauxlib's panic function and warning protocol, for the
 * traced state.
 *
 * luaL_newstate installs both, but they are private to lauxlib, and the
 * traced state is created by lua_newstate so that its first allocations
 * are seen.  The behaviour here is lauxlib's (Lua 5.4): warnings start off;
 * a whole message "@on" / "@off" switches them (other "@..." messages are
 * ignored controls); a message is printed as "Lua warning: <pieces>\n",
 * pieces being joined while tocont is set.
 */
#include "lauxstate.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

typedef enum warn_mode { WARN_OFF, WARN_ON, WARN_CONTINUED } warn_mode;

static warn_mode warning;

static int panic_report(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL) msg = "error object is not a string";
    lua_writestringerror("PANIC: unprotected error in call to Lua API (%s)\n",
                         msg);
    return 0;  /* Lua then aborts */
}

static void warning_emit(void *ud, const char *msg, int tocont)
{
    (void)ud;
    if (warning != WARN_CONTINUED && !tocont && msg[0] == '@') {
        if (strcmp(msg + 1, "on") == 0) warning = WARN_ON;
        if (strcmp(msg + 1, "off") == 0) warning = WARN_OFF;
        return;
    }
    if (warning == WARN_OFF) return;
    if (warning == WARN_ON) lua_writestringerror("%s", "Lua warning: ");
    lua_writestringerror("%s", msg);
    if (tocont) {
        warning = WARN_CONTINUED;
    } else {
        lua_writestringerror("%s", "\n");
        warning = WARN_ON;
    }
}

void lauxstate_install(lua_State *L)
{
    warning = WARN_OFF;
    lua_atpanic(L, panic_report);
    lua_setwarnf(L, warning_emit, NULL);
}
