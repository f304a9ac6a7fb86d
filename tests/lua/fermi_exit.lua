-- fermi_exit.lua -- os.exit() skips lua_close: the report must still be
-- written (from the exit handler), with everything made before the exit.
-- fermi-exit: 3
local kept = {}                                    -- expect: 1 table
for i = 1, 10 do
  kept[i] = { i }                                  -- expect: 10 table
end
os.exit(3)
