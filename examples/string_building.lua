-- string_building.lua -- building text three ways: repeated concatenation
-- (a new string per step), a table of parts joined by table.concat, and
-- string.format / string.rep.  Try it under lua-memtracer to see which
-- lines make the strings:
--   lua-memtracer --memtracer examples/string_building.lua

local function concat_naive(n)
  local s = ""
  for i = 1, n do
    s = s .. i .. ","
  end
  return s
end

local function concat_buffer(n)
  local parts = {}
  for i = 1, n do
    parts[#parts + 1] = tostring(i)
  end
  return table.concat(parts, ",") .. ","
end

local function report_line(name, value, width)
  return string.format("%-12s|%s|%8.2f", name, string.rep("#", width), value)
end

local naive, buffered = concat_naive(2000), concat_buffer(2000)
assert(naive == buffered, "the two ways disagree")
print("length", #naive, "checksum", #naive:gsub("[^,]", ""))

local rows = { { "alpha", 3.5 }, { "beta", 12.25 }, { "gamma", 7 } }
for _, row in ipairs(rows) do
  print(report_line(row[1], row[2], math.floor(row[2])))
end

local words = {}
for word in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do
  words[#words + 1] = word:upper()
end
print(table.concat(words, " "))
