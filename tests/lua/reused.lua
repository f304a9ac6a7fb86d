-- reused.lua -- closures made and collected by the thousand, for
-- checks.py: a freed closure's address is soon another's, and each table
-- must still be charged to the function that made it (lua-memtracer knows
-- a function again by its closure until the closure is released).
local function make_left() return function() return { "left" } end end
local function make_right() return function() return { "right" } end end

for i = 1, 4000 do
  if i % 2 == 0 then
    local left = make_left()
    left()
  else
    local right = make_right()
    right()
  end
  if i % 50 == 0 then collectgarbage() end
end
