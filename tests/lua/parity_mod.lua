-- parity_mod.lua -- a module for parity.py's -l cases.
return { name = "parity_mod", args = select("#", ...) }
