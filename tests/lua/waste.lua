-- waste.lua -- a table's unused bytes: the array slots (16 B) and nodes
-- (24 B) of its parts never used while the block lived, counted when the
-- block goes: released, outgrown, or live at the end.  arg[1]: the path
-- of a snapshot taken at line 42.  Each line's storage and unused bytes:
--   23  array of 1, 2, 4, 8 slots (240 B, 4 blocks), each full when
--       outgrown; 3 slots never used at the end: 48
--   24  4 nodes (96 B) for 3 keys: 24
--   26  nodes 1, 2, 4, 8 (360 B, 4 blocks), full when outgrown; 5 keys in
--       8 at the end: 72
--   27  2 nodes (48 B), both used: key a removed leaves a tombstone: 0
--   29  3 slots (48 B), two written nil by the constructor, used: 0
--   31, 32  1 slot, then 2 (16 B, 32 B), full when outgrown: 0
--   33  4 slots (64 B); slot 3 never used when line 34's rehash replaces
--       the block with another of 4 slots: 16
--   34  those 4 slots and 1 node (88 B, 2 blocks); slot 3 never used at
--       the end, the node used: 16
--   36  8 nodes (192 B) for 5 keys (f = nil is no key), released by the
--       collection at line 39: 72
--   41  kept, a global, live at the end: 1, 2, 4 slots (112 B, 3 blocks,
--       64 B live), one never used, counted at lua_close: 16
-- Lines 23-41: 264 unused bytes; in the snapshot only lines 33 and 36's.
local grown = {}
for i = 1, 5 do grown[i] = i end
local record = {x = 1, y = 2, z = 3}
local h = {}
for i = 1, 5 do h["k" .. i] = i end
local gone = {a = 1, b = 2}
gone.a = nil
local nils = {nil, nil, 3}
local a = {}
a[1] = 1
a[2] = 2
a[4] = 4
a.x = 1
local function scratch()
  return {a = 1, b = 2, c = 3, d = 4, e = 5, f = nil}
end
scratch()
collectgarbage()
kept = {}
for i = 1, 3 do kept[i] = i end
require("memtracer").snapshot(arg[1])
