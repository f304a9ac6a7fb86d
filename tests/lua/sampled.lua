-- sampled.lua -- sites whose exact figures are known, for sampling.  Each
-- iteration of the loop makes (Lua 5.4, 64-bit; arg[1] iterations):
--   line 14: a table                                        56 B
--   line 15: a string of 55 chars (long: not interned), 24 + 56 = 80 B
--   line 16: a table, 56 B, and its array part of 4 slots,  64 B storage
--   line 17: a closure with one upvalue, 32 + 8 = 40 B, and
--            the upvalue of the loop's fresh i,               40 B
-- 336 bytes an iteration; every site holds more than 5% of them.  The
-- string.rep call on line 15 is the only call: the tables of lines 14 and
-- 16 are made by table constructors, which save no position, after it.
local n = tonumber(arg[1])
local t, s, a, f
for i = 1, n do
  t = {}
  s = string.rep("x", 55)
  a = { i, i, i, i }
  f = function() return i end
end
