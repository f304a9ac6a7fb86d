-- fermi_objects.lua -- objects whose number is known by reasoning.
-- Every line that allocates objects says how many, and of which type, in
-- an "expect:" comment; fermi.py checks each count exactly and that no
-- other line of this file allocates any object.
local N = 1000

local kept = {}                                   -- expect: 1 table
for i = 1, N do
  kept[i] = { i }                                 -- expect: 1000 table
end

local labels = {}                                 -- expect: 1 table
for i = 1, N do
  labels[i] = string.format("item-%d", i)         -- expect: 1000 string
end

local joined = {}                                 -- expect: 1 table
for i = 1, N do
  joined[i] = "x" .. i                            -- expect: 2000 string
end

local counters = {}                               -- expect: 1 table
for i = 1, N do
  local start = i
  counters[i] = function() return start end      -- expect: 1000 function, 1000 upvalue
end

local many = string.rep("ab", 100)                -- expect: 1 string

local threads = {}                                -- expect: 1 table
for i = 1, 10 do
  threads[i] = coroutine.create(print)            -- expect: 10 thread
end

local path = os.tmpname()                         -- expect: 1 string
local file = io.open(path, "w")                   -- expect: 1 userdata
file:close()
os.remove(path)

-- io.write prints numbers without making strings (print would intern
-- "1000", which the collector may or may not have kept from line 19).
io.write(#kept, " ", #labels, " ", #joined, " ", #counters, " ", #many, " ",
         #threads, "\n")
