#!/usr/bin/env bash
# run.sh -- times the Lox benchmark programs in this folder with hyperfine.
#
# usage: tools/bench/run.sh [LOX_BINARY [OTHER_BINARY...]]
#
# Each program runs under every binary given (default: build/langs/lox/lox)
# side by side in one hyperfine run, so the "Relative" column compares the
# binaries on that program under the same conditions.  Before timing, every
# binary runs every program once and the outputs must agree: a fast wrong
# answer is not a result.
#
# environment:
#   BENCH_RUNS=N              timed runs per command (default 10)
#   BENCH_WARMUP=N            untimed runs first (default 1)
#   BENCH_OUT=FILE            markdown tables of the results
#                             (default bench-results.md)
#   BENCH_PROGRAMS="fib zoo"  only these programs (default: every *.lox here)
#
# The file ends with a summary: each binary's mean wall-clock and user CPU
# time per program, and its ratio to the first binary (summarize.py).
#
# exit status: 0 ok, 64 usage error, 65 outputs differ, 69 hyperfine
# missing, 70 a program failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=${BENCH_RUNS:-10}
warmup=${BENCH_WARMUP:-1}
out=${BENCH_OUT:-bench-results.md}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
binaries=("$@")
if [[ ${#binaries[@]} -eq 0 ]]; then
  binaries=(build/langs/lox/lox)
fi
for binary in "${binaries[@]}"; do
  if [[ ! -x $binary || -d $binary ]]; then
    echo "run.sh: '$binary' is not an executable file; give the path of a Lox binary" >&2
    exit 64
  fi
done
if ! command -v hyperfine >/dev/null; then
  echo "run.sh: hyperfine not found; run scripts/install-deps.sh" >&2
  exit 69
fi

if [[ -n ${BENCH_PROGRAMS:-} ]]; then
  read -r -a programs <<<"$BENCH_PROGRAMS"
else
  programs=()
  for script in "$here"/*.lox; do
    programs+=("$(basename "$script" .lox)")
  done
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for program in "${programs[@]}"; do
  script=$here/$program.lox
  if [[ ! -f $script ]]; then
    echo "run.sh: no benchmark '$program' in $here" >&2
    exit 64
  fi
  "${binaries[0]}" "$script" >"$scratch/expected" ||
    { echo "run.sh: ${binaries[0]} failed on $program.lox" >&2; exit 70; }
  for binary in "${binaries[@]:1}"; do
    "$binary" "$script" >"$scratch/actual" ||
      { echo "run.sh: $binary failed on $program.lox" >&2; exit 70; }
    if ! cmp -s "$scratch/expected" "$scratch/actual"; then
      echo "run.sh: $binary and ${binaries[0]} print different results for $program.lox" >&2
      exit 65
    fi
  done
done

summaries=()
printf '# Lox benchmarks\n\nhyperfine, %s runs after %s warm-up each.\n' \
  "$runs" "$warmup" >"$out"
for program in "${programs[@]}"; do
  commands=()
  for binary in "${binaries[@]}"; do
    commands+=(--command-name "$binary" "$binary $here/$program.lox")
  done
  hyperfine --shell=none --warmup "$warmup" --runs "$runs" \
    --export-markdown "$scratch/table.md" \
    --export-json "$scratch/$program.json" "${commands[@]}"
  printf '\n## %s\n\n' "$program" >>"$out"
  cat "$scratch/table.md" >>"$out"
  summaries+=("$program=$scratch/$program.json")
done
printf '\n## summary\n\n' >>"$out"
python3 "$here/summarize.py" "${summaries[@]}" >>"$out"
echo "run.sh: results written to $out"
