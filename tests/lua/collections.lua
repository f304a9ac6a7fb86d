-- collections.lua -- three full collections with the collector otherwise
-- stopped: three cycles between the two snapshots (arg[1], arg[2]), and
-- one more, the collection before the report.  Objects die at the age of
-- the collections they lived through:
--   line 13: 100 tables dropped before the first collection: all die
--            young (age 0)
--   line 12: 10 tables kept through three collections, dropped, freed by
--            the fourth: age 3 (ages[2], "2-3")
local mt = require "memtracer"
collectgarbage("stop")
local kept = {}
for i = 1, 10 do kept[i] = {} end
for _ = 1, 100 do local garbage = {} end
mt.snapshot(arg[1])
collectgarbage()
collectgarbage()
collectgarbage()
mt.snapshot(arg[2])
kept = nil
