"""`memtracer bench` against runs made to upset its measures and its
cleanup (run by hostile_test.py, group 'bench'): reports large enough that
bench, having read one, is far bigger than the program it runs next; a
signal that stops the bench while the program runs; a bench killed by
SIGKILL.  The peak RSS of each run must be the program's alone, and no
process or temporary folder may outlive the bench.  Each run has a
timeout: a hang fails its case, never the suite.
"""

import json
import os
import signal
import subprocess
import time

from tools_test import fail, expect_exit, write


def bench_env(ctx):
    """An environment whose TMPDIR is a folder of the case's own, to see
    what bench leaves there."""
    folder = os.path.join(ctx.tmp, 'benchtmp')
    os.makedirs(folder, exist_ok=True)
    return dict(os.environ, TMPDIR=folder), folder


def processes_naming(path):
    """The pids and command lines of the processes that name `path` in
    their command line: a bench, its launcher, the program it runs."""
    found = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % name, 'rb') as f:
                words = f.read().split(b'\0')
        except OSError:
            continue
        if any(os.fsencode(path) in word for word in words):
            found.append((int(name), [os.fsdecode(word) for word in words if word]))
    return found


def program_running(ctx, script):
    """Whether lox runs `script` now."""
    return any(words and words[0] == ctx.lox for _, words in processes_naming(script))


def expect_none_left(script, folder, what, wait=5):
    """No process naming `script` is left, within `wait` seconds, and no
    temporary folder; those left are killed, so as not to outlive the
    test."""
    deadline = time.monotonic() + wait
    left = processes_naming(script)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = processes_naming(script)
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if left:
        fail('%s left processes running: %r' % (what, [words for _, words in left]))
    if os.listdir(folder):
        fail('%s left %r in TMPDIR' % (what, os.listdir(folder)))


def defaults():
    """Whatever the test runner ignores, bench meets the default."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


def start_spinning(ctx, script, env):
    """A bench of a lox program that never ends, once the program runs."""
    proc = subprocess.Popen([ctx.memtracer, 'bench', '-n', '1', '--', ctx.lox, script],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, preexec_fn=defaults)
    deadline = time.monotonic() + 20
    while proc.poll() is None and not program_running(ctx, script):
        if time.monotonic() > deadline:
            proc.kill()
            proc.communicate()
            expect_none_left(script, env['TMPDIR'], 'a bench whose program never started')
            fail('the program bench runs did not start within 20 s')
        time.sleep(0.02)
    if proc.poll() is not None:
        out, err = proc.communicate()
        fail('bench of a program that never ends ended by itself: exit %d, %r'
             % (proc.returncode, err))
    return proc


# -- peak RSS: the program's, not bench's ----------------------------------------

def case_peak_rss_after_large_reports(ctx):
    # 100,000 sites: a report of some 30 MB, which bench reads into far
    # more memory than the program takes.  Every run's peak RSS is the
    # program's, the same run after run, not bench's size after the
    # reports it read.
    env, folder = bench_env(ctx)
    script = write(os.path.join(ctx.tmp, 'sites.lox'), '[];\n' * 100000)
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '3', '--json', '--', ctx.lox, script],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          timeout=100, stdin=subprocess.DEVNULL)
    expect_exit(proc, 0, 'bench of a program with a large report')
    figure = json.loads(proc.stdout)['figures']['peak_rss']
    if figure['unit'] != 'bytes' or len(figure['values']) != 3:
        fail('bench peak_rss: %r' % figure)
    if not 0 < figure['min'] <= figure['max'] <= 1.5 * figure['min']:
        fail('bench peak_rss of three runs of one program varies from %d to %d bytes: a run '
             'was measured with bench\'s memory (values %r)'
             % (figure['min'], figure['max'], figure['values']))
    if os.listdir(folder):
        fail('bench of a large report left %r in TMPDIR' % os.listdir(folder))


# -- signals and SIGKILL: nothing outlives the bench -----------------------------

def case_signal_stops_the_run(ctx):
    # Each caught signal is passed on to the running program, which ends;
    # bench removes its folder and dies of the same signal, leaving no
    # process behind.
    env, folder = bench_env(ctx)
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        name = signal.Signals(number).name
        script = write(os.path.join(ctx.tmp, 'spin_%s.lox' % name), 'while (true) {}\n')
        proc = start_spinning(ctx, script, env)
        proc.send_signal(number)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            expect_none_left(script, folder, 'bench sent %s' % name)
            fail('bench did not end within 20 s of %s' % name)
        if proc.returncode != -number:
            fail('bench ended with status %d after %s, not of the signal'
                 % (proc.returncode, name))
        expect_none_left(script, folder, 'bench stopped by %s' % name, wait=0)


def case_killed_bench_leaves_nothing(ctx):
    # A bench killed by SIGKILL cannot clean up itself: what runs the
    # program for it stops the program and removes the folder.
    env, folder = bench_env(ctx)
    script = write(os.path.join(ctx.tmp, 'spin_kill.lox'), 'while (true) {}\n')
    proc = start_spinning(ctx, script, env)
    proc.kill()
    proc.communicate(timeout=20)
    expect_none_left(script, folder, 'bench killed by SIGKILL')


def case_killed_launcher_leaves_nothing(ctx):
    # The launcher killed by SIGKILL (the OOM killer's way): the program it
    # ran ends with it, and bench says the run failed and cleans up.
    env, folder = bench_env(ctx)
    script = write(os.path.join(ctx.tmp, 'spin_launcher.lox'), 'while (true) {}\n')
    proc = start_spinning(ctx, script, env)
    launchers = [pid for pid in children_of(proc.pid)]
    if len(launchers) != 1:
        proc.kill()
        proc.communicate(timeout=20)
        expect_none_left(script, folder, 'a bench whose launcher was not found')
        fail('bench has %d children, not its one launcher' % len(launchers))
    os.kill(launchers[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=20)
    expect_none_left(script, folder, 'a launcher killed by SIGKILL')
    if proc.returncode != 1 or b'killed by signal 9' not in err:
        fail('bench whose launcher was killed: exit %d, %r' % (proc.returncode, err))


def children_of(pid):
    """The processes whose parent is `pid`."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


# -- standard descriptors closed: bench's own stay off 0, 1 and 2 ----------------

def wrapper(ctx, name, body):
    """An executable shell script that runs `body`, then lox with its
    arguments (the report options bench inserts, the script)."""
    path = write(os.path.join(ctx.tmp, name),
                 '#!/bin/sh\n%s\nexec "%s" "$@"\n' % (body, ctx.lox))
    os.chmod(path, 0o755)
    return path


def closing(*fds):
    """A preexec_fn that closes `fds` in the child, signals at their
    defaults."""
    def close():
        defaults()
        for fd in fds:
            os.close(fd)
    return close


def case_stdin_closed(ctx):
    # A bench started with standard input closed still gives the command
    # an empty file as its standard input.
    env, folder = bench_env(ctx)
    script = write(os.path.join(ctx.tmp, 'quiet.lox'), 'var a = [1];\n')
    command = wrapper(ctx, 'has_stdin.sh',
                      '[ -e /proc/self/fd/0 ] || { echo "no standard input" >&2; exit 3; }\n'
                      '[ -z "$(head -c 1)" ] || { echo "standard input not empty" >&2; exit 4; }')
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '2', '--', command, script],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          timeout=60, preexec_fn=closing(0))
    expect_exit(proc, 0, 'bench started with standard input closed')
    if os.listdir(folder):
        fail('bench with standard input closed left %r in TMPDIR' % os.listdir(folder))


def case_stderr_closed_failed_run(ctx):
    # A bench started with standard error closed, whose first run fails,
    # stops there: its message about the failure goes nowhere, and starts
    # no other run.
    env, folder = bench_env(ctx)
    script = write(os.path.join(ctx.tmp, 'quiet.lox'), 'var a = [1];\n')
    count = os.path.join(ctx.tmp, 'count.txt')
    command = wrapper(ctx, 'counted.sh', 'echo run >> "%s"; exit 2' % count)
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '3', '--', command, script],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env,
                          timeout=60, preexec_fn=closing(2))
    if proc.returncode != 1:
        fail('bench with standard error closed, of a failing command: exit %d, expected 1'
             % proc.returncode)
    with open(count, encoding='utf-8') as f:
        runs = len(f.read().splitlines())
    if runs != 1:
        fail('bench with standard error closed ran a failing command %d times, not once' % runs)
    if os.listdir(folder):
        fail('bench with standard error closed left %r in TMPDIR' % os.listdir(folder))


# -- ignored signals stay ignored -------------------------------------------------

def signal_mask(pid, field):
    """The set of signals of `field` (SigIgn, SigCgt) of process `pid`."""
    with open('/proc/%d/status' % pid, encoding='utf-8') as f:
        for line in f:
            if line.startswith(field + ':'):
                bits = int(line.split()[1], 16)
                return {number for number in range(1, 65) if bits >> (number - 1) & 1}
    return set()


def case_ignored_signals_left_alone(ctx):
    # A bench started with SIGINT and SIGHUP ignored (a background job of
    # a shell) leaves them ignored: it lives through them, as does the
    # program it runs, which starts with them ignored too; SIGTERM, caught,
    # still stops the bench.
    env, folder = bench_env(ctx)
    script = write(os.path.join(ctx.tmp, 'spin_ignored.lox'), 'while (true) {}\n')
    ignored = (signal.SIGINT, signal.SIGHUP)

    def ignoring():
        defaults()
        for number in ignored:
            signal.signal(number, signal.SIG_IGN)

    proc = subprocess.Popen([ctx.memtracer, 'bench', '-n', '1', '--', ctx.lox, script],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, preexec_fn=ignoring)
    try:
        deadline = time.monotonic() + 20
        programs = []
        while proc.poll() is None and not programs and time.monotonic() < deadline:
            time.sleep(0.02)
            programs = [pid for pid, words in processes_naming(script)
                        if words and words[0] == ctx.lox]
        if not programs:
            fail('the program bench runs did not start (bench exit %r)' % proc.poll())
        if not set(ignored) <= signal_mask(proc.pid, 'SigIgn'):
            fail('bench started with SIGINT and SIGHUP ignored does not ignore them')
        if not set(ignored) <= signal_mask(programs[0], 'SigIgn'):
            fail('the program of a bench started with SIGINT and SIGHUP ignored does not '
                 'ignore them: it ignores %r' % sorted(signal_mask(programs[0], 'SigIgn')))
        for number in ignored:
            proc.send_signal(number)
        time.sleep(0.5)
        if proc.poll() is not None:
            fail('bench ended (status %d) of a signal it was started ignoring'
                 % proc.returncode)
        if not program_running(ctx, script):
            fail('the program bench runs ended of a signal bench was started ignoring')
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
        if proc.returncode != -signal.SIGTERM:
            fail('bench ended with status %d after SIGTERM, not of the signal' % proc.returncode)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        expect_none_left(script, folder, 'bench started ignoring SIGINT and SIGHUP')


# -- what bench writes to the terminal: escaped, bounded ---------------------------

def case_control_characters_escaped(ctx):
    # The command's words in the header, its name and the last line of its
    # standard error in a failure are shown escaped, and that line is cut
    # to its last 200 characters.
    env, folder = bench_env(ctx)
    script = write(os.path.join(ctx.tmp, 'a\x1b[2Jb\tc\x85d.lox'), 'var a = [1];\n')
    script_bytes = os.fsencode(script)
    odd = os.path.join(os.fsencode(ctx.tmp), b'e\xfff.lox')
    with open(odd, 'wb') as f:
        f.write(b'var a = [1];\n')
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '1', '--', ctx.lox, script],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, timeout=60)
    expect_exit(proc, 0, 'bench of a script whose name holds control characters')
    header = proc.stdout.split(b'\n')[0]
    if b'a\\x1b[2Jb\\tc\\u0085d.lox' not in header or b'\x1b' in header or b'\t' in header:
        fail('bench header shows a script name unescaped: %r' % header)
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '1', '--', ctx.lox, odd],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, timeout=60)
    expect_exit(proc, 0, 'bench of a script whose name is not UTF-8')
    header = proc.stdout.split(b'\n')[0]
    if b'e\\xfff.lox' not in header or b'\xff' in header:
        fail('bench header shows a name that is not UTF-8 unescaped: %r' % header)

    said = 'x' * 300 + '\x1b]0;title\x07\r' + 'y' * 150 + '\u00e9' + 'z' * 45
    command = wrapper(ctx, 'fails\x1b[31m.sh',
                      "printf 'first line\\n%s\\n' >&2; exit 2"
                      % said.replace('\x1b', '\\033').replace('\x07', '\\007')
                      .replace('\r', '\\r'))
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '1', '--', command, script],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, timeout=60)
    if proc.returncode != 1:
        fail('bench of a failing command: exit %d, expected 1' % proc.returncode)
    lines = proc.stderr.decode('utf-8').split('\n')
    if len(lines) != 2 or lines[1] != '':
        fail('bench of a failing command wrote %r, not one line' % proc.stderr)
    line = lines[0]
    # The last 200 characters: the sequence's last 4 on.
    shown = '...le\\x07\\r' + 'y' * 150 + '\u00e9' + 'z' * 45
    if not line.endswith(': ' + shown) or '\x1b' in line or 'x' * 10 in line:
        fail('bench quotes the standard error of a failing command as %r, expected it to end '
             'with %r' % (line, shown))
    if 'fails\\x1b[31m.sh' not in line:
        fail('bench names a failing command unescaped: %r' % line)
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '1', '--',
                           os.path.join(ctx.tmp, 'none\x1b[31m'), script],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, timeout=60)
    if proc.returncode != 1 or b'\x1b' in proc.stderr or b'none\\x1b[31m' not in proc.stderr:
        fail('bench of a command that cannot be run: exit %d, %r'
             % (proc.returncode, proc.stderr))
    if os.listdir(folder):
        fail('bench of commands named with control characters left %r in TMPDIR'
             % os.listdir(folder))
