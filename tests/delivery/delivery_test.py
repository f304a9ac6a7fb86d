#!/usr/bin/env python3
"""Never harm, never lose: where the report goes and that it always gets
there, for `lox` and `lua-memtracer` alike.

The report is written exactly where OutputFile points and touches nothing
else (devices stay devices, FIFOs and symlinks stay what they are, the
script is never overwritten); it never shares a descriptor with the
program's output; every way it can be lost is said in one line on stderr;
every signal that ends the process leaves a complete report and no
temporary file; a signal ignored at start stays ignored; a run out of
memory leaves true figures; names that are not UTF-8 still give valid
JSON; long names and messages are never cut.

Devices are made with mknod in a temporary folder, never the real /dev.

Usage: delivery_test.py lox|lua BINARY CASE      (exit 0 when it passed)
"""

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

# The programs each case runs, in both languages.
PROGRAMS = {
    "lox": {
        "ext": ".lox",
        "quiet": "var a = [1, 2];\n",
        "prints": "var a = [1, 2];\nprint \"out\";\n",
        "loops": "var i = 0;\nwhile (true) { var a = [i]; i = i + 1; }\n",
        "prints_forever": "var i = 0;\nwhile (true) { print i; i = i + 1; }\n",
        "prints_much": "for (var i = 0; i < 3000; i = i + 1) print i;\n",
        "fails": "var a = [1];\nprint nil + 1;\n",
        "busy_second": "var t = clock();\nwhile (clock() - t < 1) {}\n",
        "doubles": "var s = \"x\";\nwhile (true) s = s + s;\n",
        "snapshot": "var a = [];\nfor (var i = 0; i < 50; i = i + 1) push(a, [i]);\n"
                    "print memtracer_snapshot(\"snap.json\");\nprint \"after\";\n",
        "error_status": 70,
    },
    "lua": {
        "ext": ".lua",
        "quiet": "local a = {1, 2}\n",
        "prints": "local a = {1, 2}\nprint(\"out\")\n",
        "loops": "local i = 0\nwhile true do local a = {i} i = i + 1 end\n",
        "prints_forever": "local i = 0\nwhile true do print(i) i = i + 1 end\n",
        "prints_much": "for i = 1, 3000 do print(i) end\n",
        "fails": "local a = {1}\nerror(\"boom\")\n",
        "busy_second": "local t = os.clock()\nwhile os.clock() - t < 1 do end\n",
        "doubles": "local s = \"x\"\nwhile true do s = s .. s end\n",
        "snapshot": "local a = {}\nfor i = 1, 50 do a[i] = {i} end\n"
                    "print(require(\"memtracer\").snapshot(\"snap.json\"))\nprint(\"after\")\n",
        "error_status": 1,
    },
}


class Failure(Exception):
    pass


class Skip(Exception):
    """The machine cannot set the case up (mknod needs privilege)."""


def check(condition, message):
    if not condition:
        raise Failure(message)


class Case:
    """One case's world: the front end, a scratch folder, its script."""

    def __init__(self, language, binary, tmp):
        self.language = language
        self.binary = binary
        self.tmp = tmp
        self.programs = PROGRAMS[language]

    def path(self, name):
        return os.path.join(self.tmp, name)

    def script(self, kind, name=None):
        path = self.path((name or "script") + self.programs["ext"])
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.programs[kind])
        return path

    def argv(self, output_file, script, json_report=True):
        words = [self.binary]
        if json_report:
            words.append("--memtracer.Output=json")
        words.append("--memtracer.OutputFile=" + output_file)
        return words + [script]

    def run(self, argv, preexec=None, env=None, timeout=60):
        return subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=self.tmp,
                              preexec_fn=preexec, env=env, timeout=timeout)


def load_report(data, what="report"):
    """A complete JSON report from bytes: strict UTF-8, one object."""
    try:
        report = json.loads(data.decode("utf-8", "strict"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Failure("%s is not valid JSON in UTF-8: %s" % (what, error))
    check(report.get("format") == "memtracer", "%s: no format" % what)
    check("sites" in report and "summary" in report,
          "%s is incomplete" % what)
    return report


def read_report(path):
    check(os.path.exists(path), "no report at %s" % path)
    with open(path, "rb") as f:
        return load_report(f.read(), path)


def stderr_lines(result):
    return result.stderr.decode("utf-8", "replace").splitlines()


def one_line_naming(result, name, reason):
    lines = stderr_lines(result)
    check(len(lines) == 1, "stderr: expected one line, got %r" % lines)
    check(name in lines[0] and reason in lines[0],
          "stderr %r does not name %r and %r" % (lines[0], name, reason))


def only_files(folder, names):
    present = sorted(os.listdir(folder))
    check(present == sorted(names),
          "folder holds %r, expected exactly %r" % (present, sorted(names)))


def device(case, name, minor):
    """A character device like /dev/null (1, 3) or /dev/full (1, 7)."""
    path = case.path(name)
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except PermissionError:
        raise Skip("mknod is not permitted here")
    return path


def check_device(path, minor):
    st = os.lstat(path)
    check(stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, minor),
          "%s is no longer the character device it was" % path)


# ------------------------------------------------------------ destinations

def case_device_stays_device(case):
    path = device(case, "null", 3)
    result = case.run(case.argv("null", case.script("prints")))
    check(result.returncode == 0, "exit status %d" % result.returncode)
    check_device(path, 3)


def case_full_device(case):
    path = device(case, "full", 7)
    result = case.run(case.argv("full", case.script("prints")))
    check(result.returncode == 74, "exit status %d, expected 74"
          % result.returncode)
    one_line_naming(result, "'full'", "No space left on device")
    check_device(path, 7)


def case_full_device_through_symlink(case):
    device(case, "full", 7)
    os.symlink("full", case.path("report.json"))
    result = case.run(case.argv("report.json", case.script("prints")))
    check(result.returncode == 74, "exit status %d" % result.returncode)
    one_line_naming(result, "'report.json'", "No space left on device")
    check(os.readlink(case.path("report.json")) == "full",
          "the symlink was replaced")


def case_fifo_reader_gets_report(case):
    fifo = case.path("fifo")
    os.mkfifo(fifo)
    received = []

    def reader():
        with open(fifo, "rb") as f:
            received.append(f.read())

    thread = threading.Thread(target=reader)
    thread.start()
    result = case.run(case.argv("fifo", case.script("prints")))
    thread.join(30)
    check(result.returncode == 0, "exit status %d" % result.returncode)
    check(received, "the FIFO's reader got nothing")
    load_report(received[0], "what the FIFO's reader got")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced")


def case_symlink_to_new_file(case):
    os.symlink("target.json", case.path("link.json"))
    result = case.run(case.argv("link.json", case.script("prints")))
    check(result.returncode == 0, "exit status %d" % result.returncode)
    check(os.path.islink(case.path("link.json")), "the link was replaced")
    read_report(case.path("target.json"))


def case_symlink_to_existing_file(case):
    with open(case.path("target.json"), "w") as f:
        f.write("old")
    os.symlink(case.path("target.json"), case.path("link.json"))
    result = case.run(case.argv("link.json", case.script("prints")))
    check(result.returncode == 0, "exit status %d" % result.returncode)
    check(os.path.islink(case.path("link.json")), "the link was replaced")
    read_report(case.path("target.json"))
    only_files(case.tmp, ["link.json", "target.json",
                          "script" + case.programs["ext"]])


def case_dash_is_stdout(case):
    result = case.run(case.argv("-", case.script("quiet")))
    check(result.returncode == 0, "exit status %d" % result.returncode)
    load_report(result.stdout, "standard output")
    only_files(case.tmp, ["script" + case.programs["ext"]])


def case_descriptor_path_appends(case):
    # /proc/self/fd/1 is the program's stdout itself: a regular file here,
    # which must get the report after the program's output, not be
    # replaced or rewritten from its start.
    out = case.path("out.txt")
    script = case.script("prints")
    with open(out, "wb") as f:
        before = os.fstat(f.fileno()).st_ino
        result = subprocess.run(case.argv("/proc/self/fd/1", script),
                                stdout=f, stderr=subprocess.PIPE,
                                cwd=case.tmp, timeout=60)
    check(result.returncode == 0, "exit status %d" % result.returncode)
    check(os.stat(out).st_ino == before, "stdout's file was replaced")
    with open(out, "rb") as f:
        text = f.read()
    check(text.startswith(b"out\n"), "the program's output is gone: %r"
          % text[:40])
    load_report(text[4:], "the report after the program's output")


def case_script_is_never_overwritten(case):
    script = case.script("prints")
    with open(script, "rb") as f:
        original = f.read()
    os.symlink(script, case.path("alias"))
    os.link(script, case.path("hardlink"))
    for name in (script, "alias", "hardlink"):
        result = case.run(case.argv(name, script))
        check(result.returncode == 64, "OutputFile=%s: exit status %d"
              % (name, result.returncode))
        check(result.stdout == b"", "the script ran: %r" % result.stdout)
        one_line_naming(result, name, "is the script")
        with open(script, "rb") as f:
            check(f.read() == original, "the script was overwritten")



def case_script_through_descriptor(case):
    # /proc/self/fd/N open on the script: the script itself, named by its
    # descriptor; one open for reading only, on another file, cannot take
    # the report.  Both are known before anything runs.
    script = case.script("prints")
    other = case.script("prints", "other")
    with open(script, "rb") as f:
        original = f.read()
    for name, mode, status, reason in ((script, "r+b", 64, "is the script"),
                                       (other, "rb", 74, "Bad file descriptor")):
        with open(name, mode) as held:
            fd = held.fileno()
            result = subprocess.run(case.argv("/proc/self/fd/%d" % fd, script),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    cwd=case.tmp, timeout=60, pass_fds=(fd,))
        check(result.returncode == status, "descriptor opened %s: exit status %d"
              % (mode, result.returncode))
        check(result.stdout == b"", "the script ran: %r" % result.stdout)
        one_line_naming(result, "/proc/self/fd/%d" % fd, reason)
        with open(name, "rb") as f:
            check(f.read() == original, "%s was overwritten" % name)

# -------------------------------------------------------------- descriptors

def case_stdout_closed(case):
    # The report must not get descriptor 1, where print writes: more than a
    # stdio buffer's worth, so that it is written while the script runs.
    report = case.path("r.json")
    result = case.run(case.argv("r.json", case.script("prints_much")),
                      preexec=lambda: os.close(1))
    check(result.returncode == 0, "exit status %d" % result.returncode)
    read_report(report)


def case_stderr_closed_runtime_error(case):
    report = case.path("r.json")
    result = case.run(case.argv("r.json", case.script("fails")),
                      preexec=lambda: os.close(2))
    check(result.returncode == case.programs["error_status"],
          "exit status %d" % result.returncode)
    check(read_report(report)["exit"]["reason"] == "error",
          "the report does not say the run failed")


# ------------------------------------------------ reports lost at the end

def run_while(case, action, output_file):
    """Runs the one-second script, doing action meanwhile."""
    process = subprocess.Popen(case.argv(output_file,
                                         case.script("busy_second")),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=case.tmp)
    time.sleep(0.3)
    check(process.poll() is None, "the script ended too soon")
    action()
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode,
                                       stdout, stderr)


def case_folder_removed(case):
    os.mkdir(case.path("out"))
    result = run_while(case, lambda: os.rmdir(case.path("out")), "out/r.json")
    check(result.returncode == 74, "exit status %d" % result.returncode)
    one_line_naming(result, "'out/r.json'", "No such file or directory")


def case_path_became_folder(case):
    result = run_while(case, lambda: os.mkdir(case.path("r.json")), "r.json")
    check(result.returncode == 74, "exit status %d" % result.returncode)
    one_line_naming(result, "'r.json'", "Is a directory")
    check(os.listdir(case.path("r.json")) == [], "the folder was written")
    only_files(case.tmp, ["r.json", "script" + case.programs["ext"]])


def case_report_lost_after_runtime_error(case):
    # The script's failure decides the exit status; the loss is still said.
    device(case, "full", 7)
    result = case.run(case.argv("full", case.script("fails")))
    check(result.returncode == case.programs["error_status"],
          "exit status %d" % result.returncode)
    lines = stderr_lines(result)
    check(any("'full'" in line and "No space left on device" in line
              for line in lines), "no line says the report was lost: %r"
          % lines)



def case_file_size_limit(case):
    # A report larger than the file-size limit (ulimit -f: 2 KiB here, a
    # JSON report of 50 arrays is larger) fails to be written, with
    # SIGXFSZ raised by the tracer's own write: the snapshot answers false
    # and the script goes on; the final report is lost with exit 74, and
    # the signal does not end the program.
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
    result = case.run(case.argv("r.json", case.script("snapshot")), preexec=limit)
    check(result.returncode == 74, "exit status %d" % result.returncode)
    check(result.stdout.split() == [b"false", b"after"],
          "the snapshot's answer and the rest of the script: %r" % result.stdout)
    lines = stderr_lines(result)
    check(len(lines) == 2 and "'snap.json'" in lines[0] and "File too large" in lines[0]
          and "'r.json'" in lines[1] and "File too large" in lines[1],
          "stderr: %r" % lines)
    only_files(case.tmp, ["script" + case.programs["ext"]])

# ------------------------------------------------------------------ signals

def signal_case(name):
    def run(case):
        sig = getattr(signal, name)
        process = subprocess.Popen(case.argv("r.json", case.script("loops")),
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, cwd=case.tmp,
                                   preexec_fn=lambda: signal.signal(
                                       signal.SIGINT, signal.SIG_DFL))
        time.sleep(0.3)
        process.send_signal(sig)
        process.wait(timeout=60)
        report = read_report(case.path("r.json"))
        if case.language == "lua" and sig == signal.SIGINT:
            # As in lua.c, SIGINT interrupts the script with an error.
            check(process.returncode == 1 and
                  b"interrupted!" in process.stderr.read(),
                  "ended with %d, not interrupted" % process.returncode)
            check(report["exit"] == {"status": 1, "reason": "error"},
                  "exit: %r" % report["exit"])
            return
        check(process.returncode == -sig, "ended with %d, not by %s"
              % (process.returncode, name))
        check(report["exit"] == {"status": 128 + sig, "reason": "signal",
                                 "signal": name},
              "exit: %r" % report["exit"])
        only_files(case.tmp, ["r.json", "script" + case.programs["ext"]])
    return run


for _name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE", "SIGXFSZ", "SIGQUIT",
              "SIGUSR1", "SIGALRM"):
    globals()["case_signal_" + _name[3:].lower()] = signal_case(_name)


def case_reader_goes_away(case):
    # lox ... | head -1: the script's output pipe closes under it.
    process = subprocess.Popen(case.argv("r.json",
                                         case.script("prints_forever")),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=case.tmp)
    process.stdout.readline()
    process.stdout.close()
    process.wait(timeout=60)
    check(process.returncode == -signal.SIGPIPE, "ended with %d"
          % process.returncode)
    check(read_report(case.path("r.json"))["exit"]["signal"] == "SIGPIPE",
          "the report does not name SIGPIPE")
    only_files(case.tmp, ["r.json", "script" + case.programs["ext"]])


def case_sigkill_leaves_nothing(case):
    process = subprocess.Popen(case.argv("r.json", case.script("loops")),
                               stdout=subprocess.DEVNULL, cwd=case.tmp)
    time.sleep(0.3)
    process.kill()
    process.wait(timeout=60)
    only_files(case.tmp, ["script" + case.programs["ext"]])


def ignored_sigint(case, traced):
    argv = case.argv("r.json", case.script("loops"))
    if not traced:
        argv = [case.binary, argv[-1]]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, cwd=case.tmp,
                               preexec_fn=lambda: signal.signal(
                                   signal.SIGINT, signal.SIG_IGN))
    time.sleep(0.3)
    for _ in range(2):
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
        check(process.poll() is None, "SIGINT, ignored at start, ended it")
    process.terminate()
    process.wait(timeout=60)
    if traced:
        check(read_report(case.path("r.json"))["exit"]["signal"] == "SIGTERM",
              "the report does not name SIGTERM")


def case_ignored_sigint_stays_ignored(case):
    ignored_sigint(case, True)


def case_ignored_sigint_stays_ignored_untraced(case):
    ignored_sigint(case, False)


# ------------------------------------------------------------ out of memory

def sanitized(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def case_out_of_memory(case):
    # A string that doubles until the allocator refuses.  The refused block
    # is never counted, so the peak stays below the limit.
    limit = 512 << 20
    env = dict(os.environ)
    preexec = None
    if sanitized(case.binary):
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":allocator_may_return_null=1"
                               ":max_allocation_size_mb=%d" % (limit >> 21))
        limit >>= 1
    else:
        def preexec():
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = case.run(case.argv("r.json", case.script("doubles")),
                      preexec=preexec, env=env, timeout=120)
    check(result.returncode == case.programs["error_status"],
          "exit status %d" % result.returncode)
    report = read_report(case.path("r.json"))
    check(report["exit"]["reason"] == "out of memory",
          "exit: %r" % report["exit"])
    summary = report["summary"]
    check(0 < summary["peak_bytes"] < limit,
          "peak %d is not below the limit %d" % (summary["peak_bytes"], limit))
    check(summary["live_bytes"] < limit, "live bytes %d" % summary["live_bytes"])


# ------------------------------------------------------------ names, lengths

def case_names_not_utf8(case):
    # The script's name holds the byte 0xE9, alone: not UTF-8.
    text = case.programs["prints"]
    name = b"caf\xe9" + case.programs["ext"].encode()
    with open(os.path.join(case.tmp.encode(), name), "w") as f:
        f.write(text)
    result = case.run([case.binary.encode(), b"--memtracer.Output=json",
                       b"--memtracer.OutputFile=r.json", name])
    check(result.returncode == 0, "exit status %d" % result.returncode)
    report = read_report(case.path("r.json"))
    want = "caf\ufffd" + case.programs["ext"]
    check(report["program"] == want, "program %r" % report["program"])
    check(any(site["file"].endswith(want) for site in report["sites"]),
          "no site names the file as %r" % want)


def case_longest_file_name(case):
    name = "r" * 255
    result = case.run(case.argv(name, case.script("prints")))
    check(result.returncode == 0, "exit status %d: %r" % (
        result.returncode, stderr_lines(result)))
    read_report(case.path(name))


def case_long_message_not_cut(case):
    value = "x" * 3000
    result = case.run([case.binary, "--memtracer.Output=" + value,
                       case.script("prints")])
    check(result.returncode == 64, "exit status %d" % result.returncode)
    check(result.stdout == b"", "the script ran")
    one_line_naming(result, value, "accepted: table")


CASES = {name[len("case_"):]: function
         for name, function in globals().items() if name.startswith("case_")}


def main(argv):
    if len(argv) != 4 or argv[1] not in PROGRAMS or argv[3] not in CASES:
        sys.stderr.write("usage: delivery_test.py lox|lua BINARY CASE\n"
                         "cases: %s\n" % ", ".join(sorted(CASES)))
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        try:
            CASES[argv[3]](Case(argv[1], os.path.abspath(argv[2]), tmp))
        except Failure as failure:
            print("FAIL: %s" % failure)
            return 1
        except Skip as skip:
            print("SKIP: %s" % skip)
            return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
