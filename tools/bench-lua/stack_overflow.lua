-- stack_overflow.lua -- recursions run until Lua stops them, the work of the
-- Lua test suite's cstack.lua, for bench.sh's stack traces: a Lua
-- recursion to the end of the Lua stack (about 200,000 frames) whose error
-- handler recurses too; a recursion through string.gsub to the C-call
-- limit; coroutines resumed at the bottom of deep calls; and coroutines
-- nested that way until the C-call limit stops them, so that the stack
-- across them is about 200,000 frames.  Every level allocates (the stack
-- grows, each frame makes a table or a string).
-- Usage: lua stack_overflow.lua [TIMES]
local times = tonumber(arg and arg[1]) or 3

local function overflow_in_handler()
  local depth = 0
  local function down(a, b, c)
    depth = depth + 1
    local keep = { a, b, c }
    return 1 + down(keep, b, c)
  end
  local ok, message = xpcall(down, down)
  assert(not ok and message == "error in error handling")
  return depth
end

local function overflow_in_gsub()
  local depth = 0
  local function down()
    depth = depth + 1
    string.gsub("ab", ".", down)
  end
  local ok, message = pcall(down)
  assert(not ok and string.find(message, "overflow"))
  return depth
end

local function coroutines_at_the_bottom(levels)
  local made = 0
  local function down(n)
    if n > 0 then return down(n - 1) + 1 end
    return coroutine.wrap(function()
      made = made + 1
      return #string.rep("x", made)
    end)()
  end
  for _ = 1, 200 do down(levels) end
  return made
end

local function coroutines_nested(levels)
  local nested = 0
  local function down(n)
    if n > 0 then return down(n - 1) + 1 end
    nested = nested + 1
    return coroutine.wrap(function() return down(levels) end)()
  end
  local ok = xpcall(down, function() return "stopped" end, levels)
  assert(not ok)
  return nested
end

local total = 0
for _ = 1, times do
  total = total + overflow_in_handler() + overflow_in_gsub() +
          coroutines_at_the_bottom(1000) + coroutines_nested(1000)
end
print(total)
