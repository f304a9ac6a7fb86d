-- control.lua -- only what start() and stop() bracket is recorded.  Run
-- with --memtracer.Start=false.  A table is 56 bytes (Lua 5.4, 64-bit), an
-- array slot 16; phase's array part grows 1, 2, 4, 8 slots as 7 integer
-- keys go in: 4 blocks of 16 + 32 + 64 + 128 = 240 bytes, at line 13.
-- Recorded: line 12, 1 table (56 B); line 13, 7 tables (392 B) and that
-- storage; nothing else of this file: 8 objects, 12 blocks, 688 bytes.
local mt = require "memtracer"
local before = {}
for i = 1, 10 do before[i] = {} end
local on = mt.start()
assert(on == true, "start() did not say on")
local phase = {}
for i = 1, 7 do phase[i] = {} end
local off = mt.stop()
assert(off == false, "stop() did not say off")
for i = 1, 5 do before[i] = {} end
local after = { before, phase }
