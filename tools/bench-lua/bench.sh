#!/bin/sh
# bench.sh -- lua-memtracer's overhead against the stock lua5.4 command on
# allocation-heavy Lua (binary trees: ~15 million tables at depth 16).
# Compares lua5.4, lua5.4 under the count hook that tracing keeps armed
# (the floor of tracing with exact lines), lua-memtracer with tracing off,
# on (report to a file), and on with stack traces.  A benchmark, not a
# test: read the ratios.
#
# Usage: tools/bench-lua/bench.sh [BUILD_DIR [DEPTH [RUNS]]]
#   BUILD_DIR  a meson build of this repository (default: build)
#   DEPTH      tree depth (default: 16)
#   RUNS       hyperfine runs per command (default: 10)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
depth=${2:-16}
runs=${3:-10}
lua_mt="$build/langs/lua/lua-memtracer"
script="$here/binary_trees.lua"

if [ ! -x "$lua_mt" ]; then
    echo "bench.sh: no $lua_mt; build first (meson setup $build && ninja -C $build)" >&2
    exit 66
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT

hyperfine -N --warmup 1 --runs "$runs" \
    -n lua5.4 "lua5.4 $script $depth" \
    -n count-hook "lua5.4 $here/count_hook.lua $script $depth" \
    -n off "$lua_mt $script $depth" \
    -n on "$lua_mt --memtracer.OutputFile=$report $script $depth" \
    -n on-stacks "$lua_mt --memtracer.TraceStackTraces=true --memtracer.OutputFile=$report $script $depth"
