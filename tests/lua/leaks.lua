-- leaks.lua -- what is live at exit is what the program still reaches:
-- with the collector stopped, 100 tables are garbage at exit and 10 are
-- kept in a global; the report's live figures hold the 10, its peak the
-- 110.
collectgarbage("stop")
kept = {}
for i = 1, 10 do kept[i] = {} end
for i = 1, 100 do local garbage = {} end
