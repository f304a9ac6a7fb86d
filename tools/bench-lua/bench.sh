#!/bin/sh
# bench.sh -- lua-memtracer's overhead against the stock lua5.4 command, in
# wall time taken in interleaved rounds on one CPU (tools/bench/interleave.py:
# the median of per-round ratios to lua5.4 holds on a shared machine).
#
#   binary trees (allocation-heavy: ~15 million tables at depth 16): lua5.4,
#   lua5.4 under the count hook (count_hook.lua), lua-floor (the count hook
#   and one lua_getinfo per block: the floor of exact tracing), and
#   lua-memtracer off, on, and on with stack traces;
#   deep recursion (deep_recursion.lua): stack traces with the default
#   StackLimit against StackLimit=1000000;
#   recursions to Lua's limits (stack_overflow.lua, cstack.lua's work):
#   lua-memtracer off against stack traces;
#   with TESTES, the Lua 5.4 test suite's locals.lua and cstack.lua run
#   untraced and with stack traces.
# A benchmark, not a test: read the ratios.
#
# Usage: tools/bench-lua/bench.sh [BUILD_DIR [DEPTH [ROUNDS [TESTES]]]]
#   BUILD_DIR  a meson build of this repository (default: build)
#   DEPTH      binary trees' depth (default: 16)
#   ROUNDS     interleaved rounds (default: 5)
#   TESTES     a folder holding the Lua 5.4 tests (locals.lua, cstack.lua)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
depth=${2:-16}
rounds=${3:-5}
testes=${4:-}
lua_mt="$build/langs/lua/lua-memtracer"
floor="$build/langs/lua/lua-floor"
interleave="$here/../bench/interleave.py"
trees="$here/binary_trees.lua"

for exe in "$lua_mt" "$floor"; do
    if [ ! -x "$exe" ]; then
        echo "bench.sh: no $exe; build first (meson setup $build && ninja -C $build)" >&2
        exit 66
    fi
done
lua_mt=$(cd "$(dirname "$lua_mt")" && pwd)/lua-memtracer
floor=$(cd "$(dirname "$floor")" && pwd)/lua-floor
report=$(mktemp)
trap 'rm -f "$report"' EXIT
out="--memtracer.OutputFile=$report"
stacks="--memtracer.TraceStackTraces=true"

echo "binary trees, depth $depth: lua5.4 | count hook | floor | off | on | on, stack traces"
python3 "$interleave" "$rounds" \
    lua5.4="lua5.4 $trees $depth" \
    count-hook="lua5.4 $here/count_hook.lua $trees $depth" \
    floor="$floor $trees $depth" \
    off="$lua_mt $trees $depth" \
    on="$lua_mt $out $trees $depth" \
    on-stacks="$lua_mt $stacks $out $trees $depth"
echo

echo "deep recursion (20000 deep): default StackLimit | StackLimit=1000000"
python3 "$interleave" "$rounds" \
    default="$lua_mt $stacks $out $here/deep_recursion.lua" \
    limit-1e6="$lua_mt $stacks --memtracer.StackLimit=1000000 $out $here/deep_recursion.lua"
echo

echo "recursions to Lua's limits: untraced | on, stack traces"
python3 "$interleave" "$rounds" \
    untraced="$lua_mt $here/stack_overflow.lua" \
    on-stacks="$lua_mt $stacks $out $here/stack_overflow.lua"
echo

if [ -n "$testes" ]; then
    for test in locals cstack; do
        echo "$test.lua: untraced | on, stack traces"
        (cd "$testes" && python3 "$interleave" "$rounds" \
            untraced="$lua_mt $test.lua" \
            on-stacks="$lua_mt $stacks $out $test.lua")
        echo
    done
fi
