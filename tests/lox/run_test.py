#!/usr/bin/env python3
"""Runs Lox test scripts and checks stdout, stderr and the exit status exactly.

Usage: run_test.py [--traced | --traced-paths] LOX_BINARY TEST.lox [...]

--traced runs each file with tracing on (a JSON report written to a
temporary folder), so the VM that traces is held to the same outputs, and
checks that the report was written and parses.  --traced-paths does the
same with stack traces, which lox runs on its VM that keeps call paths.

Each test states what it expects in comments, so a test and its expectations
cannot drift apart:

  // expect: TEXT                  a line on stdout
  // expect runtime error: MSG     MSG on stderr, then the stack trace, exit 70
  // trace: [line N] in f()        one trace line (innermost first); when a
  // trace 63x: [line N] in f()    runtime error has none, the trace is
                                   "[line L] in script", L the comment's line
  // Error at 'x': MSG             "[line L] Error at 'x': MSG" on stderr,
  // [line N] Error at 'x': MSG    exit 65 (the first form uses the comment's
                                   own line L)

Everything not expected is an error: extra output, a missing line, a wrong
exit status.  A file with no expectation at all is rejected, because it could
never fail.  The exit status is 0 when every file passed, 1 otherwise.

Everything outside arrays/ is plain Lox, so the same files check a build of
the book's reference clox too (from tests/lox):
  run_test.py /path/to/clox $(ls */*.lox | grep -v '^arrays/')
"""

import json
import os
import re
import subprocess
import sys
import tempfile

EXPECT_OUTPUT = re.compile(r"// expect: ?(.*)$")
EXPECT_RUNTIME = re.compile(r"// expect runtime error: (.+)$")
EXPECT_TRACE = re.compile(r"// trace(?: (\d+)x)?: (.+)$")
EXPECT_COMPILE = re.compile(r"// (\[line \d+\] )?(Error.*)$")

TIMEOUT_SECONDS = 300


class Expectation:
    def __init__(self, path):
        self.stdout = []
        self.compile_errors = []
        self.runtime_error = None
        self.runtime_line = 0
        self.trace = []
        with open(path, encoding="utf-8") as source:
            for number, line in enumerate(source, start=1):
                self._parse_line(number, line.rstrip("\n"))

    def _parse_line(self, number, line):
        match = EXPECT_OUTPUT.search(line)
        if match:
            self.stdout.append(match.group(1))
            return
        match = EXPECT_RUNTIME.search(line)
        if match:
            self.runtime_error = match.group(1)
            self.runtime_line = number
            return
        match = EXPECT_TRACE.search(line)
        if match:
            self.trace.extend([match.group(2)] * int(match.group(1) or 1))
            return
        match = EXPECT_COMPILE.search(line)
        if match:
            where = match.group(1) or "[line %d] " % number
            self.compile_errors.append(where + match.group(2))

    def is_empty(self):
        return not (self.stdout or self.compile_errors or self.runtime_error)

    def stderr(self):
        if self.runtime_error is None:
            return self.compile_errors
        trace = self.trace or ["[line %d] in script" % self.runtime_line]
        return self.compile_errors + [self.runtime_error] + trace

    def exit_status(self):
        if self.compile_errors:
            return 65
        if self.runtime_error is not None:
            return 70
        return 0


def describe_difference(label, expected, actual):
    """Names the first line where two line lists differ."""
    for index in range(max(len(expected), len(actual))):
        want = expected[index] if index < len(expected) else "<nothing>"
        got = actual[index] if index < len(actual) else "<nothing>"
        if want != got:
            return ["%s line %d: expected %r, got %r" % (label, index + 1, want, got)]
    return []


# The options each traced way of running adds to lox's command line.
MODES = {
    "--traced": ["--memtracer.Output=json"],
    "--traced-paths": ["--memtracer.Output=json",
                       "--memtracer.TraceStackTraces=true"],
}


def run_one(lox, path, mode):
    """Returns the list of failures of one test file (empty when it passed)."""
    expected = Expectation(path)
    if expected.is_empty():
        return ["%s states no expectation, so it could never fail" % path]
    if expected.runtime_error is not None and expected.compile_errors:
        return ["%s expects both a compile and a runtime error" % path]
    with tempfile.TemporaryDirectory() as scratch:
        report = os.path.join(scratch, "report.json")
        command = [lox, path]
        if mode is not None:
            command[1:1] = MODES[mode] + ["--memtracer.OutputFile=" + report]
        try:
            result = subprocess.run(command, stdin=subprocess.DEVNULL,
                                    capture_output=True,
                                    timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return ["timed out after %d s" % TIMEOUT_SECONDS]
        failures = report_failures(report) if mode is not None else []
    stdout = result.stdout.decode("utf-8", "replace").splitlines()
    stderr = result.stderr.decode("utf-8", "replace").splitlines()
    failures += describe_difference("stdout", expected.stdout, stdout)
    failures += describe_difference("stderr", expected.stderr(), stderr)
    if result.returncode != expected.exit_status():
        failures.append("exit status: expected %d, got %d"
                        % (expected.exit_status(), result.returncode))
    return failures


def report_failures(report):
    """What is wrong with a traced run's report: missing, or not JSON."""
    try:
        with open(report, encoding="utf-8") as file:
            json.load(file)
    except OSError as error:
        return ["no report: %s" % error]
    except ValueError as error:
        return ["the report is not JSON: %s" % error]
    return []


def main(argv):
    mode = argv[1] if len(argv) > 1 and argv[1] in MODES else None
    if mode is not None:
        argv = argv[:1] + argv[2:]
    if len(argv) < 3:
        sys.stderr.write("usage: run_test.py [--traced | --traced-paths] "
                         "LOX_BINARY TEST.lox [...]\n")
        return 2
    lox, paths = argv[1], argv[2:]
    failed = 0
    for path in paths:
        failures = run_one(lox, path, mode)
        if failures:
            failed += 1
            print("FAIL %s" % path)
            for failure in failures:
                print("  " + failure)
    if len(paths) > 1:
        print("%d passed, %d failed" % (len(paths) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
