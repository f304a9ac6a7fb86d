-- shapes.lua -- anonymous functions that allocate tables, for compare on
-- lua-memtracer's reports: such a function is named by where it is
-- defined ("function <shapes.lua:8>"), which an inserted line moves.
local shapes = {}

local make = {
  square = function(side)
    return {kind = "square", side = side}
  end,
  pair = function(a, b)
    return {a, b}
  end,
}

for i = 1, 200 do
  shapes[#shapes + 1] = make.square(i)
  shapes[#shapes + 1] = make.pair(i, i + 1)
end
print(#shapes)
