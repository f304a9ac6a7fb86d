#!/usr/bin/env python3
"""Wall-time ratios that hold on a noisy, shared machine.

usage: interleave.py ROUNDS NAME=COMMAND...

Each round runs every command once, one after the other, after one round
to warm up.  A command's ratio is taken to the first command within each
round and the median over the rounds is printed: a burst of load from
elsewhere slows a whole round, not one command, so it cancels where the
means of runs taken one command after another (hyperfine) do not.  Every
command runs on one CPU: left to the scheduler, consecutive programs on
2 shared cores alternated between a fast and a slow CPU, and a command's
place in the round decided its time by up to 35%.

Prints one markdown row fragment: "| ratio (median s) " per command, the
first command's ratio being 1.000.  Exit status: 0, 2 on a usage error,
70 when a command fails.
"""

import os
import shlex
import statistics
import subprocess
import sys
import time


def run(argv):
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        sys.stderr.write("interleave.py: '%s' exited %d\n"
                         % (shlex.join(argv), done.returncode))
        sys.exit(70)
    return time.perf_counter() - start


def main(argv):
    pairs = [arg.split("=", 1) for arg in argv[2:]]
    if (len(argv) < 3 or not argv[1].isdigit() or int(argv[1]) < 1
            or any(len(pair) != 2 for pair in pairs)):
        sys.stderr.write("usage: interleave.py ROUNDS NAME=COMMAND...\n")
        return 2
    rounds = int(argv[1])
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    commands = [shlex.split(command) for _, command in pairs]
    times = [[] for _ in commands]
    for index in range(rounds + 1):
        for command, seconds in zip(commands, times):
            elapsed = run(command)
            if index > 0:
                seconds.append(elapsed)
    cells = []
    for seconds in times:
        ratios = [mine / first for mine, first in zip(seconds, times[0])]
        cells.append("| %.3f (%.3f s) " % (statistics.median(ratios),
                                            statistics.median(seconds)))
    print("".join(cells), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
