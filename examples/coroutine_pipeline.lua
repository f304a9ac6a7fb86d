-- coroutine_pipeline.lua -- a producer / filter / consumer pipeline made of
-- coroutines: numbers are produced, filtered to primes, paired into records
-- and consumed in batches.  Under lua-memtracer the records are charged to
-- the line inside the coroutine that builds them, not to the resume.

local function producer(limit)
  return coroutine.wrap(function()
    for n = 2, limit do coroutine.yield(n) end
  end)
end

local function is_prime(n)
  for d = 2, math.floor(math.sqrt(n)) do
    if n % d == 0 then return false end
  end
  return true
end

local function filter(source, keep)
  return coroutine.wrap(function()
    for value in source do
      if keep(value) then coroutine.yield(value) end
    end
  end)
end

local function records(source)
  return coroutine.wrap(function()
    local index = 0
    for value in source do
      index = index + 1
      coroutine.yield({ index = index, value = value, label = "p" .. value })
    end
  end)
end

local function batches(source, size)
  local co = coroutine.create(function()
    local batch = {}
    for record in source do
      batch[#batch + 1] = record
      if #batch == size then
        coroutine.yield(batch)
        batch = {}
      end
    end
    if #batch > 0 then coroutine.yield(batch) end
  end)
  return function()
    local ok, batch = coroutine.resume(co)
    assert(ok, batch)
    return batch
  end
end

local count, sum = 0, 0
for batch in batches(records(filter(producer(2000), is_prime)), 25) do
  local labels = {}
  for _, record in ipairs(batch) do
    labels[#labels + 1] = record.label
    count, sum = count + 1, sum + record.value
  end
  print(#batch, labels[1] .. ".." .. labels[#labels])
end
print("primes", count, "sum", sum)
