-- lines.lua -- lines known again by the instruction position, for
-- checks.py: one function allocating at 1501 lines, more than
-- lua-memtracer's cache of positions has slots (positions that share a
-- slot must not share a line), and 200 chunks loaded, run and collected
-- one after another, each allocating on two lines of its own (a chunk's
-- code soon takes a collected one's address: a line read under the old
-- closure must not serve the new).
local many = {}
for i = 1, 1500 do many[i] = "  t[" .. i .. "] = {}" end
local spread = load("local t = {}\n" .. table.concat(many, "\n") ..
                    "\nreturn t", "=spread")
for _ = 1, 3 do spread() end
for i = 1, 200 do
  local chunk = load(string.rep("\n", i) .. "local a = {}\nreturn {}",
                     "=chunks")
  chunk()
  chunk = nil
  collectgarbage()
end
