-- reset.lua -- reset() forgets what came before it, but not what is
-- live; snapshot() writes what was recorded so far.  arg[1]: the
-- snapshot's path.  The collector runs only when asked.
--   line 11: 1 table, still live at the reset (a global)
--   line 12: 4 tables, live; keep's array part grew 1, 2, 4 slots: after
--            the reset only the live 4-slot block is left (1 block, 64 B)
--   line 13: 50 tables, garbage collected before the reset: gone
--   line 16: 3 tables made after the reset, garbage at exit
local mt = require "memtracer"
collectgarbage("stop")
keep = {}
for i = 1, 4 do keep[i] = {} end
for _ = 1, 50 do local garbage = {} end
collectgarbage()
mt.reset()
for _ = 1, 3 do local x = {} end
assert(mt.snapshot(arg[1]) == true, "no snapshot")
for _ = 1, 2 do local y = {} end
