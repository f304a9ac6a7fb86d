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
    ('<script>', 3, 'String'): (1, 1, 22, 0, 0, 0, 0, 0),
    ('<script>', 4, 'String'): (1, 1, 21, 0, 0, 0, 0, 0),
    ('greeting', 1, 'String'): (4, 4, 105, 0, 0, 0, 0, 0),
    ('shout', 2, 'String'): (4, 4, 95, 1, 1, 29, 1, 29),
    ('<script>', 5, 'List'): (1, 1, 32, 0, 0, 0, 1, 32),
    ('<script>', 5, 'List items'): (0, 2, 192, 0, 0, 0, 0, 128),
    ('<script>', 6, 'List'): (1, 1, 32, 1, 1, 32, 0, 0),
    ('<script>', 6, 'List items'): (0, 1, 64, 0, 1, 64, 0, 0),
}

# Nothing lost, nothing unknown freed: checked first, as it explains the rest.
FIGURES_SUMMARY = {
    'lost_events': 0, 'untracked_frees': 0, 'degraded': False,
    'allocations': 12, 'blocks': 15, 'bytes': 563,
    'frees': 10, 'freed_blocks': 12, 'freed_bytes': 438, 'resizes': 1,
    'peak_bytes': 189, 'peak_at_allocation': 11,
    'live_allocations': 2, 'live_blocks': 3, 'live_bytes': 125,
}

# figures.calc with TraceStackTraces=true: each site's call paths, as
# (count, blocks, bytes, frames innermost first as "function:line").
FIGURES_STACKS = {
    ('greeting', 1, 'String'): {
        (2, 2, 53, ('greeting:1', 'shout:2', '<script>:3')),
        (2, 2, 52, ('greeting:1', 'shout:2', '<script>:4')),
    },
    ('shout', 2, 'String'): {
        (2, 2, 48, ('shout:2', '<script>:3')),
        (2, 2, 47, ('shout:2', '<script>:4')),
    },
    ('<script>', 5, 'List items'): {(0, 2, 192, ('<script>:5',))},
}


def check_figures(proc, report):
    check('exit status', proc.returncode, 0)
    check('stdout', proc.stdout, 'hello, world!\n5\n')
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
    check('stdout', proc.stdout, 'hello, world!\n5\n')
    check('header', proc.stderr.splitlines()[0],
          'Memory Tracer. Recorded 12 allocations, 563 B; peak 189 B live; '
          '2 live at exit (125 B).')


def case_untraced(calc, tmp):
    # Without --memtracer the hooks are off: calc runs, and says nothing more.
    proc = run(calc, tmp, script(tmp, 'figures.calc'))
    check('exit status', proc.returncode, 0)
    check('stdout', proc.stdout, 'hello, world!\n5\n')
    check('stderr', proc.stderr, '')


def case_error(calc, tmp):
    proc, report = traced(calc, tmp, 'error.calc')
    check('exit status', proc.returncode, 70)
    check('stdout', proc.stdout, '')
    check('stderr', proc.stderr,
          "calc: error.calc:2: 'concat' cannot take a list\n")
    check('exit', report['exit'], {'status': 70, 'reason': 'error'})
    expected = {
        'lost_events': 0, 'allocations': 2, 'blocks': 3, 'bytes': 116,
        'frees': 0, 'freed_bytes': 0, 'live_allocations': 2,
        'live_blocks': 3, 'live_bytes': 116}
    for key, value in expected.items():
        check('summary.' + key, report['summary'][key], value)
    check('sites', site_figures(report), {
        ('<script>', 1, 'String'): (1, 1, 20, 1, 1, 20, 1, 20),
        ('<script>', 1, 'List'): (1, 1, 32, 1, 1, 32, 1, 32),
        ('<script>', 1, 'List items'): (0, 1, 64, 0, 1, 64, 0, 64),
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
