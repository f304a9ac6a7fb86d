-- parity_args.lua -- prints what a script sees of its command line (the
-- interpreter's own name, arg[first], differs by design and is not shown).
print("...", select("#", ...), ...)
local first = 0
while arg[first - 1] ~= nil do first = first - 1 end
for i = first - 1, #arg do print(i, i == first and "<interpreter>" or arg[i]) end
local function fail() error("deliberate " .. tostring(#arg)) end
if arg[1] == "fail" then fail() end
