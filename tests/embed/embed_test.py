#!/usr/bin/env python3
"""calc (examples/embed), the VM traced through the simple door, end to end.

Each case runs calc on a script of this folder, copied into a temporary
folder and named there without a directory, so that the report names it
"figures.calc" whatever the build's paths.  The figures asserted here are
derived in the comments of the scripts themselves (figures.calc,
error.calc), with the sizes of a 64-bit target; elsewhere the cases that
assert bytes are skipped.

Usage: embed_test.py CALC CASE      (exit 0 when the case passed)
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def check(what, got, expected):
    if got != expected:
        fail('%s: got %r, expected %r' % (what, got, expected))


def run(calc, tmp, *args):
    return subprocess.run([calc, *args], cwd=tmp, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)


def script(tmp, name):
    shutil.copy(os.path.join(HERE, name), os.path.join(tmp, name))
    return name


def traced(calc, tmp, name, *options):
    """Runs calc on the script with a JSON report; the run and the report."""
    out = os.path.join(tmp, 'r.json')
    if os.path.exists(out):
        os.remove(out)
    proc = run(calc, tmp, '--memtracer.Output=json',
               '--memtracer.OutputFile=' + out, *options, script(tmp, name))
    if not os.path.exists(out):
        fail('no report; exit %d, stderr %r' % (proc.returncode, proc.stderr))
    with open(out, encoding='utf-8') as f:
        return proc, json.load(f)


def without_times(report):
    """The report without its wall times, the one thing two runs differ in."""
    timeline = report['timeline']
    for point in timeline['points'] + [timeline['peak']]:
        del point['time_ms']
    return report


def site_figures(report):
    """Each site by (function, line, type): its figures, without stacks."""
    keys = ('count', 'blocks', 'bytes', 'live_count', 'live_blocks',
            'live_bytes', 'peak_count', 'peak_bytes')
    sites = {}
    for s in report['sites']:
        key = (s['function'], s['line'], s['type'])
        if key in sites:
            fail('two sites for %r' % (key,))
        if s['file'] != report['program']:
            fail('site %r is in file %r' % (key, s['file']))
        sites[key] = tuple(s[k] for k in keys)
    return sites


# figures.calc: (function, line, type) -> count, blocks, bytes, live_count,
# live_blocks, live_bytes, peak_count, peak_bytes.  Derived in the script.
FIGURES_SITES = {
    ('<script>', 3, 'String'): (1, 1, 16, 1, 1, 16, 1, 16),
    ('<script>', 3, 'String chars'): (0, 1, 3, 0, 0, 0, 0, 0),
    ('<script>', 4, 'String'): (1, 1, 16, 0, 0, 0, 1, 16),
    ('<script>', 4, 'String chars'): (0, 1, 4, 0, 0, 0, 0, 0),
    ('twice', 1, 'String'): (2, 2, 32, 0, 0, 0, 1, 16),
    ('twice', 1, 'String chars'): (0, 4, 19, 0, 0, 0, 0, 11),
    ('shout', 2, 'String'): (2, 2, 32, 0, 0, 0, 0, 0),
    ('shout', 2, 'String chars'): (0, 4, 18, 0, 1, 6, 0, 6),
}

# Nothing lost, nothing unknown freed: checked first, as it explains the rest.
FIGURES_SUMMARY = {
    'lost_events': 0, 'untracked_frees': 0, 'degraded': False,
    'allocations': 6, 'blocks': 16, 'bytes': 140,
    'frees': 5, 'freed_blocks': 14, 'freed_bytes': 118, 'resizes': 4,
    'peak_bytes': 65, 'peak_at_allocation': 5,
    'live_allocations': 1, 'live_blocks': 2, 'live_bytes': 22,
}

# figures.calc with TraceStackTraces=true: each site's call paths, as
# (count, blocks, bytes, frames innermost first as "function:line").
FIGURES_STACKS = {
    ('twice', 1, 'String'): {
        (1, 1, 16, ('twice:1', 'shout:2', '<script>:3')),
        (1, 1, 16, ('twice:1', 'shout:2', '<script>:4')),
    },
    ('twice', 1, 'String chars'): {
        (0, 2, 8, ('twice:1', 'shout:2', '<script>:3')),
        (0, 2, 11, ('twice:1', 'shout:2', '<script>:4')),
    },
    ('shout', 2, 'String'): {
        (1, 1, 16, ('shout:2', '<script>:3')),
        (1, 1, 16, ('shout:2', '<script>:4')),
    },
    ('shout', 2, 'String chars'): {
        (0, 2, 8, ('shout:2', '<script>:3')),
        (0, 2, 10, ('shout:2', '<script>:4')),
    },
}

FIGURES_STDOUT = 'heyhey!\n42\n'


def check_figures(proc, report):
    check('exit status', proc.returncode, 0)
    check('stdout', proc.stdout, FIGURES_STDOUT)
    check('stderr', proc.stderr, '')
    check('format', (report['format'], report['language'], report['program']),
          ('memtracer', 'calc', 'figures.calc'))
    check('exit', report['exit'], {'status': 0, 'reason': 'normal'})
    for key, value in FIGURES_SUMMARY.items():
        check('summary.' + key, report['summary'][key], value)
    check('sites', site_figures(report), FIGURES_SITES)


def case_figures(calc, tmp):
    proc, report = traced(calc, tmp, 'figures.calc')
    check_figures(proc, report)
    if any('stacks' in s for s in report['sites']):
        fail('stacks without TraceStackTraces')
    _, again = traced(calc, tmp, 'figures.calc')
    check('a second run', without_times(again), without_times(report))


def case_stacks(calc, tmp):
    proc, report = traced(calc, tmp, 'figures.calc',
                          '--memtracer.TraceStackTraces=true')
    # Keeping call paths changes no figure.
    check_figures(proc, report)
    for s in report['sites']:
        key = (s['function'], s['line'], s['type'])
        stacks = set()
        for st in s['stacks']:
            for f in st['frames']:
                if f['file'] != 'figures.calc':
                    fail('frame %r of %r' % (f, key))
            stacks.add((st['count'], st['blocks'], st['bytes'],
                        tuple('%s:%d' % (f['function'], f['line'])
                              for f in st['frames'])))
        if key in FIGURES_STACKS:
            check('stacks of %r' % (key,), stacks, FIGURES_STACKS[key])
        elif key[0] == '<script>':
            count, blocks, size = FIGURES_SITES[key][:3]
            check('stacks of %r' % (key,), stacks,
                  {(count, blocks, size, ('<script>:%d' % key[1],))})
        else:
            fail('unexpected site %r' % (key,))


def case_table(calc, tmp):
    # The default report: a table on standard error, after what the script
    # printed on standard output.
    proc = run(calc, tmp, '--memtracer', script(tmp, 'figures.calc'))
    check('exit status', proc.returncode, 0)
    check('stdout', proc.stdout, FIGURES_STDOUT)
    check('header', proc.stderr.splitlines()[0],
          'Memory Tracer. Recorded 6 allocations, 140 B; peak 65 B live; '
          '1 live at exit (22 B).')


def case_untraced(calc, tmp):
    # Without --memtracer the hooks are off: calc runs, and says nothing more.
    proc = run(calc, tmp, script(tmp, 'figures.calc'))
    check('exit status', proc.returncode, 0)
    check('stdout', proc.stdout, FIGURES_STDOUT)
    check('stderr', proc.stderr, '')


def case_error(calc, tmp):
    proc, report = traced(calc, tmp, 'error.calc')
    check('exit status', proc.returncode, 70)
    check('stdout', proc.stdout, '')
    check('stderr', proc.stderr,
          "calc: error.calc:1: 'concat' takes strings\n")
    check('exit', report['exit'], {'status': 70, 'reason': 'error'})
    expected = {
        'lost_events': 0, 'allocations': 2, 'blocks': 5, 'bytes': 45,
        'resizes': 1, 'frees': 1, 'freed_blocks': 3, 'freed_bytes': 23,
        'peak_bytes': 41, 'peak_at_allocation': 2, 'live_allocations': 1,
        'live_blocks': 2, 'live_bytes': 22}
    for key, value in expected.items():
        check('summary.' + key, report['summary'][key], value)
    check('sites', site_figures(report), {
        ('<script>', 2, 'String'): (2, 2, 32, 1, 1, 16, 2, 32),
        ('<script>', 2, 'String chars'): (0, 2, 7, 0, 0, 0, 0, 3),
        ('join', 1, 'String chars'): (0, 1, 6, 0, 1, 6, 0, 6),
    })


def case_bad_option(calc, tmp):
    # A bad name or value: one line naming the option, exit 64, nothing run
    # and no report.
    name = script(tmp, 'figures.calc')
    out = os.path.join(tmp, 'r.json')
    for word, option in (('--memtracer.Output=xml', '--memtracer.Output'),
                         ('--memtracer.StackLimit=0', '--memtracer.StackLimit'),
                         ('--memtracer.Bogus=1', '--memtracer.Bogus')):
        proc = run(calc, tmp, '--memtracer.OutputFile=' + out, word, name)
        check(word + ': exit status', proc.returncode, 64)
        check(word + ': stdout', proc.stdout, '')
        lines = proc.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith('calc: ') or \
                option not in lines[0]:
            fail('%s: stderr %r, expected one line naming %s'
                 % (word, proc.stderr, option))
        if os.path.exists(out):
            fail(word + ': a report was written')


def case_unwritable(calc, tmp):
    # A report that cannot be written is known at mt_start: one line, exit
    # 74, nothing run.
    out = os.path.join(tmp, 'no such folder', 'r.json')
    proc = run(calc, tmp, '--memtracer.OutputFile=' + out,
               script(tmp, 'figures.calc'))
    check('exit status', proc.returncode, 74)
    check('stdout', proc.stdout, '')
    lines = proc.stderr.splitlines()
    if len(lines) != 1 or not lines[0].startswith('calc: ') or \
            'r.json' not in lines[0]:
        fail('stderr %r, expected one line naming r.json' % proc.stderr)


def case_usage(calc, tmp):
    # No script, two scripts, or a word calc does not know: one line, exit
    # 64, nothing run.
    name = script(tmp, 'figures.calc')
    for args in ((), ('--memtracer',), (name, name), ('-x', name)):
        proc = run(calc, tmp, *args)
        check('%r: exit status' % (args,), proc.returncode, 64)
        check('%r: stdout' % (args,), proc.stdout, '')
        check('%r: stderr' % (args,), proc.stderr,
              'calc: usage: calc [--memtracer[.OPTION=VALUE]]... SCRIPT\n')


def case_unreadable(calc, tmp):
    # A script that cannot be read: one line naming it, exit 66, nothing
    # run; an empty one runs, and does nothing.
    os.mkdir(os.path.join(tmp, 'folder.calc'))
    for name, why in (('missing.calc', 'No such file or directory'),
                      ('folder.calc', 'Is a directory')):
        proc = run(calc, tmp, '--memtracer', name)
        check(name + ': exit status', proc.returncode, 66)
        check(name + ': stdout', proc.stdout, '')
        check(name + ': stderr', proc.stderr,
              "calc: cannot read '%s': %s\n" % (name, why))
    open(os.path.join(tmp, 'empty.calc'), 'w').close()
    proc = run(calc, tmp, 'empty.calc')
    check('empty.calc', (proc.returncode, proc.stdout, proc.stderr),
          (0, '', ''))


# Scripts that go wrong: each error is one line naming the script, the line
# and the token, and exit 70 -- never a crash.
SCRIPT_ERRORS = (
    ('1 +', "bad.calc:1: '+' needs more values"),
    ('"a" 1 -', "bad.calc:1: '-' takes numbers"),
    ('\n1 "b" concat', "bad.calc:2: 'concat' takes strings"),
    ('1 frob', "bad.calc:1: 'frob' is not a word here"),
    ('1 ;', "bad.calc:1: ';' is not a word here"),
    (': w : v ;\nw', "bad.calc:1: ':' is not a word here"),
    (': w 1 2', "bad.calc:1: ':' needs a name and a ';'"),
    (': ;', "bad.calc:1: ':' needs a name and a ';'"),
    (': loop\n  loop ;\nloop', "bad.calc:2: 'loop' calls too deep"),
    (': more 1 1 1 1 1 more ;\nmore', "bad.calc:1: '1' overflows the stack"),
)


def case_script_errors(calc, tmp):
    path = os.path.join(tmp, 'bad.calc')
    for text, message in SCRIPT_ERRORS:
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text + '\n')
        proc = run(calc, tmp, 'bad.calc')
        check('%r: exit status' % text, proc.returncode, 70)
        check('%r: stderr' % text, proc.stderr, 'calc: ' + message + '\n')


# The cases that assert bytes, which depend on the sizes of C's types.
SIZED = ('figures', 'stacks', 'table', 'error')

CASES = {name[5:]: fn for name, fn in globals().items()
         if name.startswith('case_')}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    calc = os.path.abspath(sys.argv[1])
    if struct.calcsize('P') != 8 and sys.argv[2] in SIZED:
        print('skipped: the figures are those of a 64-bit target')
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        CASES[sys.argv[2]](calc, tmp)
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
