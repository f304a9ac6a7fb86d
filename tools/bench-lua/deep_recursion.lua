-- deep_recursion.lua -- allocations in a deep recursion: every level of a
-- recursion DEPTH calls deep makes a table, TIMES times over, so that with
-- call paths each allocation has a stack DEPTH frames deep.  Used by
-- bench.sh to compare StackLimit=1000000 with the default limit.
-- Usage: lua deep_recursion.lua [DEPTH [TIMES]]
local depth = tonumber(arg and arg[1]) or 20000
local times = tonumber(arg and arg[2]) or 20

local function rec(n)
  local t = { n }
  if n > 0 then rec(n - 1) end
  return t
end

for _ = 1, times do rec(depth) end
