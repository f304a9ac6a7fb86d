-- binary_trees.lua -- the Benchmarks Game's allocation-heavy classic, used
-- to measure lua-memtracer's overhead against lua5.4 (tables made and
-- dropped by the million).  Usage: lua binary_trees.lua [depth]

local function bottom_up_tree(depth)
  if depth > 0 then
    depth = depth - 1
    local left, right = bottom_up_tree(depth), bottom_up_tree(depth)
    return { left, right }
  else
    return { }
  end
end

local function item_check(tree)
  if tree[1] then
    return 1 + item_check(tree[1]) + item_check(tree[2])
  else
    return 1
  end
end

local N = tonumber(arg and arg[1]) or 16
local mindepth = 4
local maxdepth = math.max(mindepth + 2, N)

do
  local stretchdepth = maxdepth + 1
  local stretchtree = bottom_up_tree(stretchdepth)
  io.write(string.format("stretch tree of depth %d\t check: %d\n",
    stretchdepth, item_check(stretchtree)))
end

local longlivedtree = bottom_up_tree(maxdepth)

for depth = mindepth, maxdepth, 2 do
  local iterations = 2 ^ (maxdepth - depth + mindepth)
  local check = 0
  for _ = 1, iterations do
    check = check + item_check(bottom_up_tree(depth))
  end
  io.write(string.format("%d\t trees of depth %d\t check: %d\n",
    iterations, depth, check))
end

io.write(string.format("long lived tree of depth %d\t check: %d\n",
  maxdepth, item_check(longlivedtree)))
