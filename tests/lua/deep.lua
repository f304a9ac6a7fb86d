-- deep.lua -- deep recursion for checks.py: a table made DEPTH calls deep
-- (default 100) by one function, and one made DEPTH calls deep by two
-- functions calling each other (no run of one function to fold).
-- Usage: deep.lua [DEPTH]
local function rec(n)
  if n == 0 then return {} end
  local t = rec(n - 1)
  return t
end

local ping
local function pong(n)
  local t = ping(n - 1)
  return t
end
function ping(n)
  if n == 0 then return {} end
  local t = pong(n - 1)
  return t
end

local depth = tonumber(arg and arg[1]) or 100
rec(depth)
ping(depth)
