#!/usr/bin/env python3
"""checks.py -- end-to-end checks of lua-memtracer's report and options.

Usage: checks.py LUA_MEMTRACER

The JSON contract of DESIGN.md (required keys; the sites plus what was
filtered add up to the summary; allocated - freed = live), the labelled
sites, call paths across calls and coroutines, every output format, the
exit statuses of bad options and of an unwritable report, and identical
reports on identical runs.  Prints each failed check; exit 1 if any failed.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUMMARY_KEYS = ["allocations", "bytes", "frees", "freed_bytes", "peak_bytes",
                "live_allocations", "live_bytes"]
SITE_KEYS = ["file", "line", "function", "type", "count", "bytes",
             "live_count", "live_bytes"]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def run(lua, args, cwd=HERE, stdin=None):
    return subprocess.run([lua] + args, cwd=cwd, capture_output=True,
                          text=True, input=stdin, timeout=120)


def report(lua, script, *options):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        r = run(lua, ["--memtracer.Output=json", "--memtracer.OutputFile=" + out]
                + list(options) + [script])
        check(r.returncode == 0, f"{script} {options}: exit {r.returncode}")
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def contract(rep, what):
    for key in ["format", "version", "language", "program", "summary", "sites"]:
        check(key in rep, f"{what}: no key {key}")
    check(rep["format"] == "memtracer" and rep["version"] == 1,
          f"{what}: format/version")
    check(rep["language"] == "lua", f"{what}: language {rep['language']}")
    s = rep["summary"]
    for key in SUMMARY_KEYS:
        check(isinstance(s.get(key), int), f"{what}: summary.{key}")
    for site in rep["sites"]:
        for key in SITE_KEYS:
            check(key in site, f"{what}: site without {key}: {site}")
    count = sum(site["count"] for site in rep["sites"])
    size = sum(site["bytes"] for site in rep["sites"])
    check(count + s.get("filtered_allocations", 0) == s["allocations"],
          f"{what}: sites count {count} + filtered != {s['allocations']}")
    check(size + s.get("filtered_bytes", 0) == s["bytes"],
          f"{what}: sites bytes {size} + filtered != {s['bytes']}")
    check(s["allocations"] - s["frees"] == s["live_allocations"],
          f"{what}: allocations - frees != live")
    check(s["bytes"] - s["freed_bytes"] == s["live_bytes"],
          f"{what}: bytes - freed != live bytes")
    check(s["peak_bytes"] >= s["live_bytes"], f"{what}: peak < live")


def sites_of(rep, **match):
    return [s for s in rep["sites"]
            if all(s[k] == v for k, v in match.items())]


def check_contract(lua):
    plain = report(lua, "fermi_objects.lua")
    contract(plain, "plain")
    filtered = report(lua, "fermi_objects.lua",
                      "--memtracer.FilterFile=fermi_objects.lua")
    contract(filtered, "FilterFile")
    check(filtered["summary"]["filtered_allocations"] > 0,
          "FilterFile filtered nothing")
    check(all(s["file"] == "fermi_objects.lua" for s in filtered["sites"]),
          "FilterFile kept another file")
    stacked = report(lua, "fermi_objects.lua",
                     "--memtracer.TraceStackTraces=true")
    contract(stacked, "TraceStackTraces")
    check(all("stacks" in s for s in stacked["sites"]), "sites without stacks")
    again = report(lua, "fermi_objects.lua")
    check(plain["sites"] == again["sites"] and
          plain["summary"] == again["summary"], "two runs differ")


def check_phases(lua):
    rep = report(lua, "fermi_objects.lua")
    by_function = {}
    for s in rep["sites"]:
        key = (s["function"], s["type"])
        by_function[key] = by_function.get(key, 0) + s["count"]
    check(by_function.get(("[new state]", "thread")) == 1,
          "no [new state] main thread")
    check(by_function.get(("[open libs]", "table"), 0) > 0, "no [open libs]")
    check(by_function.get(("[load chunk] fermi_objects.lua", "proto")) == 2,
          "[load chunk] does not hold the script's 2 prototypes")
    check(all(s["line"] == 0 for s in rep["sites"] if s["file"].startswith("[")),
          "a labelled site with a line")


def frames_of(site):
    return [(f["function"], f["line"]) for f in site["stacks"][0]["frames"]]


def check_stacks(lua):
    rep = report(lua, "stacks.lua", "--memtracer.TraceStackTraces=true")
    deep = sites_of(rep, file="stacks.lua", line=4, type="table")
    check(len(deep) == 1 and frames_of(deep[0]) == [
        ("function <stacks.lua:3>", 4), ("function <stacks.lua:7>", 8),
        ("function <stacks.lua:12>", 13), ("main chunk", 17)],
        f"three-deep path: {deep and frames_of(deep[0])}")
    co = sites_of(rep, file="stacks.lua", line=20, type="table")
    check(len(co) == 1 and frames_of(co[0]) == [
        ("function <stacks.lua:19>", 20), ("function <stacks.lua:18>", 23),
        ("main chunk", 26)], f"coroutine path: {co and frames_of(co[0])}")


def check_outputs(lua):
    for output in ["table", "histogram", "typehistogram", "calltree"]:
        r = run(lua, ["--memtracer.Output=" + output, "stacks.lua"])
        check(r.returncode == 0 and "stacks.lua" in r.stderr or
              output == "typehistogram" and "table" in r.stderr,
              f"Output={output}: exit {r.returncode}, {r.stderr[:200]!r}")
    r = run(lua, ["--memtracer", "-e", "x = 1"])
    check(r.stderr.startswith("Memory Tracer."), "table report header")


def check_bad_options(lua):
    for bad in ["--memtracer.Output=xml", "--memtracer.Nope=1",
                "--memtracer.TraceMem=lots", "--memtracer.StackLimit=-1"]:
        r = run(lua, [bad, "-e", "print('ran')"])
        check(r.returncode == 64 and r.stdout == "" and
              len(r.stderr.strip().splitlines()) == 1 and bad.split("=")[0]
              .split(".")[1] in r.stderr,
              f"{bad}: exit {r.returncode}, {r.stderr!r}")
    r = run(lua, ["--memtracer.OutputFile=/nonexistent/dir/r.json", "-e",
                  "print('ran')"])
    check(r.returncode == 74 and r.stdout == "",
          f"unwritable OutputFile: exit {r.returncode}")


def main(argv):
    if len(argv) != 2:
        print("usage: checks.py LUA_MEMTRACER", file=sys.stderr)
        return 2
    lua = os.path.abspath(argv[1])
    for step in [check_contract, check_phases, check_stacks, check_outputs,
                 check_bad_options]:
        step(lua)
    for f in failures:
        print("FAIL:", f)
    print(f"checks.py: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
