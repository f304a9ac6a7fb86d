#!/usr/bin/env python3
"""End-to-end tests of the `lox` command line: -c, script arguments, the
REPL, --help, --version, and the exit status and message of each usage error.

Usage: cli_test.py LOX_BINARY VERSION CASE
CASE names one entry of CASES; VERSION is the project's version, which
--version must print.  Exit status 0 when the case passed, 1 otherwise.
"""

import os
import subprocess
import sys
import tempfile


def script(tmp, text):
    """Writes a Lox script into the case's scratch directory."""
    path = os.path.join(tmp, "script.lox")
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def case_c_flag(lox, version, tmp):
    return [lox, "-c", "var a = 40; print a + 2;"], None, ["42"], [], 0


def case_c_multiline(lox, version, tmp):
    return [lox, "-c", "print 1;\nprint 2;"], None, ["1", "2"], [], 0


def case_c_compile_error(lox, version, tmp):
    return ([lox, "-c", "print 1;\nprint ;"], None, [],
            ["[line 2] Error at ';': Expect expression."], 65)


def case_c_runtime_error(lox, version, tmp):
    return ([lox, "-c", "print \"before\";\nprint nil + 1;"], None, ["before"],
            ["Operands must be two numbers or two strings.",
             "[line 2] in script"], 70)


def case_c_args(lox, version, tmp):
    return ([lox, "-c", "print args; print len(args); print args[1];",
             "one", "two"], None, ["[one, two]", "2", "two"], [], 0)


def case_script_args(lox, version, tmp):
    path = script(tmp, "print args;\nfor (var i = 0; i < len(args); i = i + 1) print args[i];\n")
    return ([lox, path, "first", "--not-an-option", "-c"], None,
            ["[first, --not-an-option, -c]", "first", "--not-an-option", "-c"], [], 0)


def case_script_no_args(lox, version, tmp):
    path = script(tmp, "print args;\nprint len(args);\n")
    return [lox, path], None, ["[]", "0"], [], 0


def case_repl(lox, version, tmp):
    # Each line is compiled on its own; globals persist between lines.
    stdin = "var a = 1;\nprint a + 1;\nfun f() { return \"f\"; }\nprint f();\n"
    return [lox], stdin, ["> > 2", "> > f", "> "], [], 0


def case_repl_continues_after_errors(lox, version, tmp):
    stdin = "print nil + 1;\nprint ;\nprint \"still here\";\n"
    return ([lox], stdin, ["> > > still here", "> "],
            ["Operands must be two numbers or two strings.",
             "[line 1] in script",
             "[line 1] Error at ';': Expect expression."], 0)


def case_repl_long_line(lox, version, tmp):
    # A line of any length is one line: 5000 bytes here.
    text = "x" * 4980
    return [lox], 'print "%s";\n' % text, ["> " + text, "> "], [], 0


def case_nul_byte(lox, version, tmp):
    # The whole file is read; a NUL byte is an unexpected character, and
    # what follows it is still compiled (the error on line 3).
    path = os.path.join(tmp, "script.lox")
    with open(path, "wb") as out:
        out.write(b"print 1;\nprint 2; \0\nprint ;\n")
    return ([lox, path], None, [],
            ["[line 2] Error: Unexpected character.",
             "[line 3] Error at ';': Expect expression."], 65)


def case_help(lox, version, tmp):
    return [lox, "--help"], None, None, [], 0


def case_version(lox, version, tmp):
    return [lox, "--version"], None, ["lox (memtracer) " + version], [], 0


def case_unknown_option(lox, version, tmp):
    return ([lox, "--frobnicate", "x.lox"], None, [],
            ["lox: unknown option '--frobnicate'; see lox --help"], 64)


def case_missing_c_argument(lox, version, tmp):
    return ([lox, "-c"], None, [],
            ["lox: option '-c' needs an argument: the code to run; see lox --help"], 64)


def case_bad_memtracer_value(lox, version, tmp):
    # Nothing runs: the print must not happen.
    return [lox, "--memtracer.Output=bogus", "-c", "print 1;"], None, [], None, 64


def case_missing_script(lox, version, tmp):
    path = os.path.join(tmp, "no-such-file.lox")
    return ([lox, path], None, [],
            ["lox: cannot open '%s': No such file or directory" % path], 66)


def case_directory_script(lox, version, tmp):
    path = os.path.join(tmp, "a-directory")
    os.mkdir(path)
    return [lox, path], None, [], ["lox: cannot open '%s': Is a directory" % path], 66


CASES = {name[len("case_"):]: function
         for name, function in globals().items() if name.startswith("case_")}


def check_help(stdout):
    """--help must say how to call lox and name every option it documents."""
    text = "\n".join(stdout)
    needed = ["usage: lox", "-c", "--help", "--version", "--memtracer",
              "LOX_GC_STRESS", "64", "65", "66", "70", "74"]
    return ["--help does not mention %r" % word for word in needed if word not in text]


def check_one_line(stderr):
    if len(stderr) != 1 or not stderr[0].startswith("lox: "):
        return ["stderr: expected one line starting 'lox: ', got %r" % stderr]
    return []


def run_case(lox, version, name):
    with tempfile.TemporaryDirectory() as tmp:
        argv, stdin, want_stdout, want_stderr, want_status = \
            CASES[name](lox, version, tmp)
        result = subprocess.run(argv, input=(stdin or "").encode(),
                                capture_output=True, timeout=60)
    stdout = result.stdout.decode("utf-8", "replace").split("\n")
    stderr = result.stderr.decode("utf-8", "replace").splitlines()
    if stdout[-1] == "":
        stdout.pop()
    failures = []
    if want_stdout is None:
        failures += check_help(stdout)
    elif stdout != want_stdout:
        failures.append("stdout: expected %r, got %r" % (want_stdout, stdout))
    if want_stderr is None:
        failures += check_one_line(stderr)
    elif stderr != want_stderr:
        failures.append("stderr: expected %r, got %r" % (want_stderr, stderr))
    if result.returncode != want_status:
        failures.append("exit status: expected %d, got %d"
                        % (want_status, result.returncode))
    return failures


def main(argv):
    if len(argv) != 4 or argv[3] not in CASES:
        sys.stderr.write("usage: cli_test.py LOX_BINARY VERSION CASE\ncases: %s\n"
                         % ", ".join(sorted(CASES)))
        return 2
    failures = run_case(argv[1], argv[2], argv[3])
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
