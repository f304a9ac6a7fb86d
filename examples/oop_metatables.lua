-- oop_metatables.lua -- classes with metatables: a base class, a subclass
-- that overrides a method, operators through metamethods, and __tostring.
-- Every `new` makes a table; under lua-memtracer the instances show on the
-- lines of the constructors that build them.

local Vector = {}
Vector.__index = Vector

function Vector.new(x, y)
  return setmetatable({ x = x, y = y }, Vector)
end

function Vector.__add(a, b) return Vector.new(a.x + b.x, a.y + b.y) end
function Vector.__mul(a, k) return Vector.new(a.x * k, a.y * k) end
function Vector.__eq(a, b) return a.x == b.x and a.y == b.y end
function Vector:__tostring() return string.format("(%g, %g)", self.x, self.y) end
function Vector:length() return math.sqrt(self.x * self.x + self.y * self.y) end

local Shape = {}
Shape.__index = Shape

function Shape.new(name, origin)
  local self = setmetatable({}, Shape)
  self.name, self.origin = name, origin
  return self
end

function Shape:area() return 0 end
function Shape:describe()
  return string.format("%s at %s, area %.2f", self.name, tostring(self.origin),
                       self:area())
end

local Circle = setmetatable({}, { __index = Shape })
Circle.__index = Circle

function Circle.new(origin, radius)
  local self = Shape.new("circle", origin)
  self.radius = radius
  return setmetatable(self, Circle)
end

function Circle:area() return math.pi * self.radius ^ 2 end

local Rect = setmetatable({}, { __index = Shape })
Rect.__index = Rect

function Rect.new(origin, w, h)
  local self = setmetatable(Shape.new("rect", origin), Rect)
  self.w, self.h = w, h
  return self
end

function Rect:area() return self.w * self.h end

local shapes = {}
local step = Vector.new(1.5, -2)
local at = Vector.new(0, 0)
for i = 1, 6 do
  at = at + step
  shapes[#shapes + 1] = (i % 2 == 0) and Circle.new(at, i) or Rect.new(at * 2, i, i + 1)
end

local total = 0
for _, shape in ipairs(shapes) do
  print(shape:describe())
  total = total + shape:area()
end
print(string.format("total area %.3f", total))
print("equal vectors:", Vector.new(1, 2) == Vector.new(1, 2), "length", Vector.new(3, 4):length())
