-- fermi_traps.lua -- the three places where a plain tracer of stock Lua
-- charges the wrong line, each with its exact expected counts.
-- Checked by fermi.py like fermi_objects.lua.
-- expect-phase: [load chunk] fermi_traps.lua: 9 proto, 1 function, 1 upvalue
local N = 100

-- 1. Stale lines.  OP_NEWTABLE does not save the instruction pointer: a
-- table made after a call would be charged to the call's line, and
-- `return {}` to the function's first line.
local function id(x) return x end                  -- expect: 1 function
local after = {}                                   -- expect: 1 table
for i = 1, N do
  id(i)
  after[i] = {}                                    -- expect: 100 table
end

local function fresh()
  return {}                                        -- expect: 100 table
end                                                -- expect: 1 function
for _ = 1, N do fresh() end

-- The script's own call hook runs, is reported back as set, and does not
-- disarm the tracer's: the tables still land on their own line.  The
-- strings debug.sethook and the hook use are constants of this chunk, so
-- they exist already: otherwise how many are made would depend on what the
-- collector has freed.  debug.sethook then makes only its registry table.
local _ = { "_HOOKKEY", "k", "call" }              -- expect: 1 table
local calls = 0
local function count_call(event)
  if event == "call" then calls = calls + 1 end
end                                                -- expect: 1 function, 1 upvalue
debug.sethook(count_call, "c")                     -- expect: 1 table
for i = 1, N do
  id(i)
  after[i] = {}                                    -- expect: 100 table
end
local hook, mask = debug.gethook()
debug.sethook()
assert(hook == count_call and mask == "c" and calls >= N, "hook not chained")
for i = 1, N do
  id(i)
  after[i] = {}                                    -- expect: 100 table
end

-- 2. Coroutines.  The allocator is told no thread: inside a coroutine the
-- main thread's stack only shows the resume.
local gen = coroutine.wrap(function()              -- expect: 1 thread, 1 function
  for _ = 1, N do
    coroutine.yield({})                            -- expect: 100 table
  end
end)                                               -- expect: 1 function, 1 upvalue
for _ = 1, N do gen() end

local co = coroutine.create(function(n)            -- expect: 1 thread
  local made = {}                                  -- expect: 1 table
  for i = 1, n do
    made[i] = {}                                   -- expect: 100 table
    coroutine.yield()
  end
end)                                               -- expect: 1 function
for _ = 1, N + 1 do coroutine.resume(co, N) end

-- coroutine.close runs a suspended coroutine's __close handlers on its own
-- stack, without a resume.
local closing = coroutine.create(function()        -- expect: 1 thread
  local guard <close> = setmetatable({}, {         -- expect: 2 table
    __close = function() closed = {} end           -- expect: 1 function, 1 table
  })
  coroutine.yield()
end)                                               -- expect: 1 function
coroutine.resume(closing)
assert(coroutine.close(closing) and closed, "not closed")

-- 3. No Lua frame.  Finalizers are charged to their own lines, whether a
-- collection or lua_close runs them (10 objects survive to the close).
local finalized = {}                               -- expect: 1 table
local mt = { __gc = function()                     -- expect: 1 table
  finalized[#finalized + 1] = {}                   -- expect: 110 table
end }                                              -- expect: 1 function, 1 upvalue
for _ = 1, N do setmetatable({}, mt) end           -- expect: 100 table
collectgarbage()
assert(#finalized == N, "finalizers did not run")
local survivors = {}                               -- expect: 1 table
for i = 1, 10 do survivors[i] = setmetatable({}, mt) end  -- expect: 10 table
