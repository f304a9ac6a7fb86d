#!/usr/bin/env bash
# overhead.sh -- what tracing costs lox, on allocation-heavy programs.
#
# usage: tools/bench/overhead.sh [BUILD_DIR [NOHOOKS_BUILD_DIR]]
#
# Each program runs, side by side in one hyperfine run, under:
#   no-hooks   a lox built with -Dhooks=false (NOHOOKS_BUILD_DIR, made
#              here if missing): the VM without a single hook
#   off        BUILD_DIR's lox, tracing off: what every user pays
#   on         --memtracer, JSON report to a file
#   on-stacks  the same with --memtracer.TraceStackTraces=true
# then each configuration's peak RSS (GNU time, median of 3 runs), and with
# BENCH_CALLGRIND=1 its instruction count (valgrind --tool=callgrind; exact
# and repeatable where wall time is not, but slow).  With BENCH_INTERLEAVED
# it also takes wall time in rounds that run each configuration once, back
# to back (interleave.py): the ratios that hold on a shared, noisy
# machine.  Ratios are to `off`.
#
# environment:
#   BENCH_RUNS=N              timed runs per command (default 10)
#   BENCH_OUT=FILE            markdown results (default overhead-results.md)
#   BENCH_PROGRAMS="a b"      programs of this folder (default: binary_trees
#                             instantiation string_building)
#   BENCH_CALLGRIND=1         also count instructions
#   BENCH_INTERLEAVED=N       also N interleaved rounds per program
#
# exit status: 0 ok, 64 usage error, 69 a tool is missing, 70 a run failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
nohooks=${2:-build-nohooks}
runs=${BENCH_RUNS:-10}
out=${BENCH_OUT:-overhead-results.md}
read -r -a programs <<<"${BENCH_PROGRAMS:-binary_trees instantiation string_building}"

if [[ $build == -h || $build == --help ]]; then
  sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
lox=$build/langs/lox/lox
if [[ ! -x $lox ]]; then
  echo "overhead.sh: no $lox; build first (meson setup $build && ninja -C $build)" >&2
  exit 64
fi
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null ||
    { echo "overhead.sh: $tool not found; run scripts/install-deps.sh" >&2; exit 69; }
done
[[ -d $nohooks ]] || meson setup "$nohooks" "$root" -Dhooks=false -Dtests=false \
  -Dlua=disabled >/dev/null
ninja -C "$nohooks" langs/lox/lox >/dev/null
bare=$nohooks/langs/lox/lox

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
report=$scratch/report.json

# Off first: the ratios are to it.
names=(off no-hooks on on-stacks)
# The command line of configuration $1 on script $2.
command_of() {
  case $1 in
    no-hooks) echo "$bare $2" ;;
    off) echo "$lox $2" ;;
    on) echo "$lox --memtracer.Output=json --memtracer.OutputFile=$report $2" ;;
    on-stacks) echo "$lox --memtracer.Output=json --memtracer.OutputFile=$report" \
                    "--memtracer.TraceStackTraces=true $2" ;;
  esac
}

# Peak RSS in KiB of a command: the median of three runs.
rss_of() {
  for _ in 1 2 3; do
    /usr/bin/time -f %M -o "$scratch/rss" $1 >/dev/null 2>&1 ||
      { echo "overhead.sh: '$1' failed" >&2; exit 70; }
    cat "$scratch/rss"
  done | sort -n | sed -n 2p
}

instructions_of() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null $1 2>&1 >/dev/null |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}

printf '# lox tracing overhead\n\nhyperfine, %s runs after 1 warm-up; ratios to `off`.\n' \
  "$runs" >"$out"
summaries=()
rss_rows=()
interleaved_rows=()
for program in "${programs[@]}"; do
  script=$here/$program.lox
  [[ -f $script ]] || { echo "overhead.sh: no $script" >&2; exit 64; }
  commands=()
  for name in "${names[@]}"; do
    commands+=(--command-name "$name" "$(command_of "$name" "$script")")
  done
  hyperfine --shell=none --warmup 1 --runs "$runs" \
    --export-json "$scratch/$program.json" "${commands[@]}"
  summaries+=("$program=$scratch/$program.json")
  if [[ ${BENCH_INTERLEAVED:-0} -gt 0 ]]; then
    pairs=()
    for name in "${names[@]}"; do pairs+=("$name=$(command_of "$name" "$script")"); done
    interleaved_rows+=("| $program $(python3 "$here/interleave.py" \
      "$BENCH_INTERLEAVED" "${pairs[@]}")|") || exit 70
  fi

  row="| $program"
  off_rss=$(rss_of "$(command_of off "$script")")
  for name in "${names[@]}"; do
    rss=$(rss_of "$(command_of "$name" "$script")")
    row+=" | $rss ($(python3 -c "print('%.2f' % ($rss / $off_rss))"))"
  done
  if [[ ${BENCH_CALLGRIND:-0} == 1 ]]; then
    off_ir=$(instructions_of "$(command_of off "$script")")
    for name in "${names[@]}"; do
      ir=$(instructions_of "$(command_of "$name" "$script")")
      row+=" | $((ir / 1000000)) M ($(python3 -c "print('%.3f' % ($ir / $off_ir))"))"
    done
  fi
  rss_rows+=("$row |")
done

printf '\n## time: wall / user seconds, and ratios to off\n\n' >>"$out"
python3 "$here/summarize.py" "${summaries[@]}" >>"$out"
header="| program |"
rule="|:---|"
for name in "${names[@]}"; do
  header+=" $name peak RSS KiB |"
  rule+="---:|"
done
if [[ ${BENCH_CALLGRIND:-0} == 1 ]]; then
  for name in "${names[@]}"; do
    header+=" $name instructions |"
    rule+="---:|"
  done
fi
if [[ ${BENCH_INTERLEAVED:-0} -gt 0 ]]; then
  printf '\n## wall time, %s interleaved rounds: median of the ratios to off (median seconds)\n\n' \
    "$BENCH_INTERLEAVED" >>"$out"
  printf '| program |%s\n|:---|%s\n' "$(printf ' %s |' "${names[@]}")" \
    "$(printf -- '---:|%.0s' "${names[@]}")" >>"$out"
  printf '%s\n' "${interleaved_rows[@]}" >>"$out"
fi
printf '\n## memory, and instructions with BENCH_CALLGRIND=1 (ratios to off)\n\n' >>"$out"
printf '%s\n%s\n' "$header" "$rule" >>"$out"
printf '%s\n' "${rss_rows[@]}" >>"$out"
echo "overhead.sh: results written to $out"
