-- names.lua -- functions named as luaL_traceback names their frames, for
-- checks.py: a global by its name, a method, a field, a local, a function
-- called from C or by a tail call by where it is defined.
Vec = {}
Vec.__index = Vec

function Vec.new(x)
  local v = { x = x }
  return setmetatable(v, Vec)
end

function Vec:add(other)
  local sum = Vec.new(self.x + other.x)
  sum.parts = { self, other }
  return sum
end

function simulate(n)
  local acc = Vec.new(0)
  for i = 1, n do acc = acc:add(Vec.new(i)) end
  local kept = { acc }
  return kept
end

local function from_c() local made = {} return made end
pcall(from_c)

local function tailed() return {} end
local function tail_caller() return tailed() end

local result = simulate(3)
tail_caller()
