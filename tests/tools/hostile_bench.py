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
