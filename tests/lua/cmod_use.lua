-- cmod_use.lua -- a C module under lua-memtracer (checks.py): its table is
-- charged to the line that called it, and what the coroutine it resumes
-- with its own lua_resume makes is charged to the coroutine's line (the
-- module's lua_resume is the wrapped one: langs/lua/api.c).
local cmod = require "cmod"
local made = cmod.newtable()
local co = coroutine.create(function()
  local inside = {}
  coroutine.yield(inside)
end)
assert(cmod.resume(co))
assert(coroutine.status(co) == "suspended")
-- A userdata's memory is aligned as malloc's is, as under lua5.4.
for _ = 1, 8 do assert(cmod.userdata_aligned()) end
