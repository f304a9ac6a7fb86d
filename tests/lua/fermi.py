#!/usr/bin/env python3
"""fermi.py -- checks lua-memtracer's counts against a script's own claims.

Usage: fermi.py LUA_MEMTRACER SCRIPT.lua [--memtracer.X=... ...]

The script states what it allocates, in comments:
  -- expect: N type[, N type ...]       on a line: the objects made there
  -- expect-phase: NAME: N type[, ...]  objects of a labelled site, by its
                                        function name ("[load chunk] x.lua")
  -- fermi-exit: N                      the exit status (default 0)
The script runs under lua-memtracer with a JSON report; every claimed count
must match exactly, and no other line of the script may make an object.
Exit status 0 when everything matches, 1 otherwise (each mismatch printed).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

LINE_CLAIM = re.compile(r"--\s*expect:\s*(.+)$")
PHASE_CLAIM = re.compile(r"--\s*expect-phase:\s*(.+?):\s*(\d.*)$")
EXIT_CLAIM = re.compile(r"--\s*fermi-exit:\s*(\d+)")


def counts_parse(text):
    """'1000 table, 2 string' -> {'table': 1000, 'string': 2}"""
    counts = {}
    for part in text.split(","):
        number, kind = part.split()
        counts[kind] = int(number)
    return counts


def claims_read(path):
    lines, phases, exit_status = {}, {}, 0
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            m = PHASE_CLAIM.search(text)
            if m:
                phases[m.group(1)] = counts_parse(m.group(2))
                continue
            m = EXIT_CLAIM.search(text)
            if m:
                exit_status = int(m.group(1))
                continue
            m = LINE_CLAIM.search(text)
            if m:
                lines[number] = counts_parse(m.group(1))
    return lines, phases, exit_status


def report_run(lua, script, options):
    """Runs the script from its own folder, so its sites name it briefly."""
    folder, name = os.path.split(os.path.abspath(script))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        cmd = [os.path.abspath(lua), "--memtracer.Output=json",
               "--memtracer.OutputFile=" + out] + options + [name]
        run = subprocess.run(cmd, cwd=folder, capture_output=True, text=True,
                             timeout=120)
        if not os.path.exists(out):
            return run, None
        with open(out, encoding="utf-8") as f:
            return run, json.load(f)


def observed(report, name):
    lines = defaultdict(lambda: defaultdict(int))
    phases = defaultdict(lambda: defaultdict(int))
    for site in report["sites"]:
        if site["file"] == name and site["count"] > 0:
            lines[site["line"]][site["type"]] += site["count"]
        phases[site["function"]][site["type"]] += site["count"]
    return lines, phases


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    lua, script, options = argv[1], argv[2], argv[3:]
    name = os.path.basename(script)
    want_lines, want_phases, want_exit = claims_read(script)
    run, report = report_run(lua, script, options)
    if report is None:
        print(f"{name}: no report written (exit {run.returncode}):"
              f" {run.stderr.strip()}")
        return 1
    got_lines, got_phases = observed(report, name)
    errors = []
    if run.returncode != want_exit:
        errors.append(f"exit status {run.returncode}, expected {want_exit}:"
                      f" {run.stderr.strip()}")
    for line in sorted(set(want_lines) | set(got_lines)):
        want, got = want_lines.get(line, {}), dict(got_lines.get(line, {}))
        if want != got:
            errors.append(f"{name}:{line}: expected {want or 'nothing'},"
                          f" got {got or 'nothing'}")
    for phase, want in want_phases.items():
        got = {k: got_phases[phase][k] for k in want}
        if want != got:
            errors.append(f"[{phase}]: expected {want}, got {got}")
    for e in errors:
        print(e)
    print(f"{name}: {len(want_lines)} lines, {len(want_phases)} phases"
          f" checked, {len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
