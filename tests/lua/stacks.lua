-- stacks.lua -- call paths for checks.py: a table made three calls deep,
-- and one made in a coroutine resumed from a function.
local function leaf()
  return {}
end

local function middle()
  local t = leaf()  -- not a tail call, which would leave no frame
  return t
end

local function outer()
  local t = middle()
  return t
end

outer()
local function in_coroutine()
  local co = coroutine.wrap(function()
    local made = { 1 }
    coroutine.yield(made)
  end)
  return co()
end

in_coroutine()
