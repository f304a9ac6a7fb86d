-- fermi_exit_close.lua -- os.exit(true, true) closes the state first: the
-- finalizers lua_close runs are charged to their own line, then the report
-- is written at exit.  It is called from inside a coroutine, which never
-- returns from its resume: the finalizers still run on the main thread.
-- fermi-exit: 0
local made = 0
local mt = { __gc = function()                     -- expect: 1 table
  made = made + 1
  local note = { made }                            -- expect: 5 table
end }                                              -- expect: 1 function, 1 upvalue
local kept = {}                                    -- expect: 1 table
for i = 1, 5 do
  kept[i] = setmetatable({}, mt)                   -- expect: 5 table
end
coroutine.wrap(function()                         -- expect: 1 thread, 1 function
  os.exit(true, true)
end)()                                             -- expect: 1 function
