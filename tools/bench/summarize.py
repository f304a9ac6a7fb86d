#!/usr/bin/env python3
"""Summarizes run.sh's hyperfine JSON files as one markdown table.

usage: summarize.py PROGRAM=FILE.json...

One row per program: each binary's mean wall-clock and user CPU time, and
each other binary's time divided by the first binary's.  User time is listed
because on a busy machine wall-clock time also counts the time spent waiting
for a CPU, while user time counts only the program's own work.
"""

import json
import sys


def main(argv):
    pairs = [arg.split("=", 1) for arg in argv[1:]]
    if not pairs or any(len(pair) != 2 for pair in pairs):
        sys.stderr.write("usage: summarize.py PROGRAM=FILE.json...\n")
        return 2
    binaries = None
    rows = []
    for program, path in pairs:
        with open(path, encoding="utf-8") as source:
            results = json.load(source)["results"]
        if binaries is None:
            binaries = [result["command"] for result in results]
        wall = [result["mean"] for result in results]
        user = [result["user"] for result in results]
        cells = ["%.3f / %.3f" % (w, u) for w, u in zip(wall, user)]
        cells += ["%.2f / %.2f" % (w / wall[0], u / user[0])
                  for w, u in zip(wall[1:], user[1:])]
        rows.append([program] + cells)
    header = ["program"] + ["%s wall / user [s]" % b for b in binaries]
    header += ["%s ÷ %s (wall / user)" % (b, binaries[0]) for b in binaries[1:]]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
