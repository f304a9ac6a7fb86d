-- shapes.lua -- anonymous functions that allocate tables, for compare on
-- lua-memtracer's reports: one called from C (here by pcall) is named by
-- where it is defined, "function <shapes.lua:7>": an inserted line moves it.
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
  shapes[#shapes + 1] = select(2, pcall(make.square, i))
  shapes[#shapes + 1] = select(2, pcall(make.pair, i, i + 1))
end
print(#shapes)
