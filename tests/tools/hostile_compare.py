"""Inputs made to break `memtracer compare`, `memtracer bench` and the
reading of reports (run by hostile_test.py, group compare): growth of
exactly the --fail-above percentage, figures no tracer writes (beyond 2^53,
negative, fractional counts, lines beyond a C int), a group of thousands of
sites beside thousands of anchors, run counts beyond any use, an
OutputFile that no run writes, unknown short options, paths that are not
UTF-8 and names holding control characters.  Each gets the one line and
exit status tools.md documents, or the right answer, and never a crash, a
hang, a key dropped from JSON or a temporary folder left behind.
"""

import json
import os
import re
import subprocess

from tools_test import fail, expect_exit, expect_one_line, write, load, run


def mt(ctx, *args, timeout=20, cwd=None, env=None):
    """ctx.mt with a timeout that fails the case rather than the suite."""
    try:
        return subprocess.run([ctx.memtracer] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, errors='replace', cwd=cwd,
                              env=env, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        fail('memtracer %s took more than %d s' % (' '.join(map(str, args))[:200], timeout))


def expect_clean(proc, what):
    """No sanitizer report, no crash."""
    if 'runtime error' in proc.stderr or 'Sanitizer' in proc.stderr or proc.returncode < 0:
        fail('%s: exit %d, stderr %r' % (what, proc.returncode, proc.stderr[:2000]))


def tiny_report(path, bytes_, blocks=1, **site):
    """A report of one run site, its summary as the site."""
    entry = {'file': 'a.lox', 'line': 1, 'function': 'f', 'type': 'Array', 'kind': 'object',
             'phase': 'run', 'count': blocks, 'blocks': blocks, 'bytes': bytes_,
             'peak_bytes': bytes_}
    entry.update(site)
    report = {'format': 'memtracer', 'version': 2,
              'summary': {'allocations': blocks, 'blocks': blocks, 'bytes': bytes_,
                          'peak_bytes': bytes_},
              'sites': [entry]}
    return write(path, json.dumps(report))


# -- names holding NUL ---------------------------------------------------------

def case_nul_in_names(ctx):
    # A VM's names are its bytes, and the tracer writes a NUL among them as
    # \u0000: the tools read such a report (they see a name up to its NUL).
    a = tiny_report(os.path.join(ctx.tmp, 'nul_a.json'), 64, type='Vec\u0000x')
    b = tiny_report(os.path.join(ctx.tmp, 'nul_b.json'), 64, type='Vec\u0000x',
                    function='g\u0000h')
    for args in [('compare', a, b), ('compare', '--json', a, b), ('view', a, '--format', 'folded')]:
        proc = mt(ctx, *args)
        expect_clean(proc, 'memtracer %s of names holding NUL' % args[0])
        if proc.returncode not in (0, 1):
            fail('memtracer %s of names holding NUL: exit %d, %r'
                 % (' '.join(args[:2]), proc.returncode, proc.stderr[:300]))


# -- compare --fail-above at the threshold -------------------------------------

def case_fail_above_exactly(ctx):
    # Growth of exactly PCT percent is not more than PCT: 100 -> 107 is 7%
    # although (107 - 100) / 100 * 100 is 7.000000000000001 in doubles.
    for base, head, percent, status in [
            (100, 107, '7', 0), (100, 108, '7', 1), (1000, 1070, '7', 0),
            (200, 205, '2.5', 0), (200, 206, '2.5', 1),
            (10000, 11243, '12.43', 0), (10000, 11244, '12.43', 1),
            (10 ** 12, 107 * 10 ** 10, '7%', 0), (10 ** 12, 107 * 10 ** 10 + 1, '7%', 1),
            (2 ** 53 - 1, 2 ** 53, '0', 1), (3, 3, '0', 0)]:
        b = tiny_report(os.path.join(ctx.tmp, 'b.json'), base)
        h = tiny_report(os.path.join(ctx.tmp, 'h.json'), head)
        what = '%d -> %d with --fail-above %s' % (base, head, percent)
        proc = mt(ctx, 'compare', b, h, '--fail-above', percent)
        expect_exit(proc, status, what)
        if status == 0 and proc.stderr:
            fail('%s: %r' % (what, proc.stderr))
    # The message keeps its percentage as before.
    b = tiny_report(os.path.join(ctx.tmp, 'b.json'), 100)
    h = tiny_report(os.path.join(ctx.tmp, 'h.json'), 108)
    proc = mt(ctx, 'compare', b, h, '--fail-above', '7', '--metric', 'bytes')
    expect_one_line(proc, r'^memtracer compare: bytes \(run\) grew by \+8\.0%, more than the 7% '
                    r'allowed$', '100 -> 108')
    # A fractional figure at the threshold: an average of 36 -> 38.52 is 7%.
    b = tiny_report(os.path.join(ctx.tmp, 'b.json'), 3600, blocks=100)
    h = tiny_report(os.path.join(ctx.tmp, 'h.json'), 3852, blocks=100)
    expect_exit(mt(ctx, 'compare', b, h, '--fail-above', '7', '--metric', 'average,bytes'), 0,
                'average 36 -> 38.52 with --fail-above 7')
    h = tiny_report(os.path.join(ctx.tmp, 'h.json'), 3853, blocks=100)
    expect_exit(mt(ctx, 'compare', b, h, '--fail-above', '7', '--metric', 'average'), 1,
                'average 36 -> 38.53 with --fail-above 7')


# -- figures no tracer writes --------------------------------------------------

def case_absurd_figures(ctx):
    good = ctx.rows('rows.json', stacks=True)
    report = load(good)
    if not report['sites'][0].get('stacks') or not report['timeline']['points']:
        fail('the test needs stacks and a timeline in %s' % good)

    def site(key, value, index=0):
        return lambda r: r['sites'][index].__setitem__(key, value)

    def both(r):
        r['sites'][0]['bytes'] = 1e308
        r['sites'][1]['bytes'] = 1e308

    def stack(r):
        r['sites'][0]['stacks'][0]['bytes'] = 1.7e308

    def frame(r):
        r['sites'][0]['stacks'][0]['frames'][0]['line'] = 2 ** 31

    def point(key, value):
        return lambda r: r['timeline']['points'][0].__setitem__(key, value)

    def summary(key, value):
        return lambda r: r['summary'].__setitem__(key, value)

    def sampling(r):
        r['sampling'] = {'bytes': -4096, 'seed': 1}

    def status(r):
        r['exit']['status'] = 2 ** 40

    cases = [
        (site('bytes', 1.7e308), r'sites\[0\]\.bytes is 1\.7e\+308, not a whole number '
                                 r'from 0 to 2\^53'),
        (both, r'sites\[0\]\.bytes is 1e\+308'),
        (site('count', -1, 2), r'sites\[2\]\.count is -1, not a whole number'),
        (site('blocks', 2 ** 53 + 2), r'sites\[0\]\.blocks is 9007199254740994'),
        (site('live_bytes', 2.5), r'sites\[0\]\.live_bytes is 2\.5, not a whole number'),
        (site('average_size', -1.5), r'sites\[0\]\.average_size is -1\.5, not a number '
                                     r'from 0 to 2\^53'),
        (site('line', 2 ** 31), r'sites\[0\]\.line is 2147483648, not a whole number from '
                                r'-2147483648 to 2147483647'),
        (site('line', 1e300), r'sites\[0\]\.line is 1e\+300'),
        (stack, r'sites\[0\]\.stacks\[0\]\.bytes is 1\.7e\+308'),
        (frame, r'sites\[0\]\.stacks\[0\]\.frames\[0\]\.line is 2147483648'),
        (summary('peak_bytes', 1e300), r'summary\.peak_bytes is 1e\+300'),
        (summary('frees', -3), r'summary\.frees is -3'),
        (point('live_bytes', 1.7e308), r'timeline\.points\[0\]\.live_bytes is 1\.7e\+308'),
        (point('time_ms', -0.5), r'timeline\.points\[0\]\.time_ms is -0\.5'),
        (sampling, r'sampling\.bytes is -4096'),
        (status, r'exit\.status is 1099511627776'),
    ]
    for change, pattern in cases:
        bad = json.loads(json.dumps(report))
        change(bad)
        path = write(os.path.join(ctx.tmp, 'bad.json'), json.dumps(bad))
        for args in (['compare', good, path], ['compare', path, good, '--json'],
                     ['view', path, '--format', 'folded'],
                     ['view', path, '--format', 'timeline', '-o', os.path.join(ctx.tmp, 't.svg')]):
            what = '%s (%s)' % (' '.join(args[:1] + args[3:]), pattern)
            proc = mt(ctx, *args)
            expect_exit(proc, 65, what)
            expect_one_line(proc, r'^memtracer \w+: .*bad\.json: ' + pattern, what)
            if proc.stdout:
                fail('%s printed %r' % (what, proc.stdout[:200]))
    if [f for f in os.listdir(ctx.tmp) if f.startswith('.') or f == 't.svg']:
        fail('a refused report left files: %r' % os.listdir(ctx.tmp))
    # What a tracer may write is read: counts up to 2^53, a seed above it
    # (exact up to 2^63 - 1, see tools.md), a negative line (the API takes
    # an int), every key in compare --json.
    edge = json.loads(json.dumps(report))
    edge['sites'][0]['bytes'] = 2 ** 53
    edge['sites'][1]['line'] = -7
    edge['sampling'] = {'bytes': 4096, 'seed': 2 ** 63 - 1}
    edge = write(os.path.join(ctx.tmp, 'edge.json'), json.dumps(edge))
    sampled = json.loads(json.dumps(report))
    sampled['sampling'] = {'bytes': 4096, 'seed': 1}
    sampled = write(os.path.join(ctx.tmp, 'sampled.json'), json.dumps(sampled))
    proc = mt(ctx, 'compare', sampled, edge, '--json')
    expect_exit(proc, 0, 'a report at the edges of what a tracer writes')
    result = json.loads(proc.stdout)
    for figure in result['summary'].values():
        if set(figure) != {'base', 'head', 'change', 'percent', 'from_zero', 'estimated'}:
            fail('compare --json dropped a key: %r' % figure)
    if result['head']['sampling']['seed'] != 2 ** 63 - 1:
        fail('the seed 2^63 - 1 was misread: %r' % result['head']['sampling'])


# -- lines at the ends of a long ------------------------------------------------

def case_extreme_lines(ctx):
    # A budget's lines reach the pairing (site_match), whose arithmetic must
    # not overflow, whatever budget.c lets through.
    base = ctx.rows('rows.json')
    for line in ['2147483647', '-2147483648', '9223372036854775807', '-9223372036854775808']:
        budget = write(os.path.join(ctx.tmp, 'b.yaml'),
                       'sites:\n'
                       '  - {file: rows.lox, line: %s, function: label, type: Array elements, '
                       'bytes: 1MiB}\n'
                       '  - {file: rows.lox, line: 1, function: <script>, type: Closure, '
                       'bytes: 1MiB}\n' % line)
        proc = mt(ctx, 'gate', base, budget)
        expect_clean(proc, 'a budget site at line %s' % line)
        if proc.returncode not in (0, 1, 65):
            fail('a budget site at line %s: exit %d' % (line, proc.returncode))
    # Reports at the ends of a C int, unequal groups: aligned, not overflowed.
    report = load(base)
    far = [dict(report['sites'][0], line=line) for line in (-2 ** 31, 0, 2 ** 31 - 1)]
    near = [dict(report['sites'][0], line=line) for line in (2 ** 31 - 1, -2 ** 31)]
    b = write(os.path.join(ctx.tmp, 'far.json'), json.dumps(dict(report, sites=far)))
    h = write(os.path.join(ctx.tmp, 'near.json'), json.dumps(dict(report, sites=near)))
    for args in ([b, h], [h, b]):
        proc = mt(ctx, 'compare', *args, '--json')
        expect_clean(proc, 'compare of lines at the ends of an int')
        expect_exit(proc, 0, 'compare of lines at the ends of an int')
        counts = json.loads(proc.stdout)['site_counts']
        if counts['new'] + counts['gone'] != 1 or counts['unchanged'] != 2:
            fail('lines at the ends of an int paired as %r' % counts)


# -- thousands of sites in one group beside thousands of anchors ----------------

def case_many_anchors(ctx):
    # 2000 sites of one function and type on each side (one more in the
    # head: aligned, 4 million cells) and 2000 functions of one site each
    # (anchors).  Asking every anchor at every cell took minutes.
    def sites(group):
        made = [{'file': 'big.lua', 'line': 100001 + i, 'function': 'main chunk',
                 'type': 'table', 'kind': 'object', 'count': 1, 'blocks': 1, 'bytes': 100}
                for i in range(group)]
        made += [{'file': 'big.lua', 'line': i + 1, 'function': 'f%d' % (i + 1),
                  'type': 'table', 'kind': 'object', 'count': 1, 'blocks': 1, 'bytes': 100}
                 for i in range(2000)]
        return {'format': 'memtracer', 'version': 2, 'summary': {'bytes': 100 * len(made)},
                'sites': made}
    base = write(os.path.join(ctx.tmp, 'base.json'), json.dumps(sites(2000)))
    head = write(os.path.join(ctx.tmp, 'head.json'), json.dumps(sites(2001)))
    proc = mt(ctx, 'compare', base, head, '--json', timeout=10)
    expect_exit(proc, 0, 'compare of 4000 sites against 4001')
    counts = json.loads(proc.stdout)['site_counts']
    if counts != {'new': 1, 'gone': 0, 'grown': 0, 'shrunk': 0, 'unchanged': 4000}:
        fail('4000 sites against 4001: %r' % counts)


# -- bench: run counts, temporary folders, a named OutputFile -------------------

def bench_env(ctx):
    """An environment whose TMPDIR is a folder of the case's own, to see
    what bench leaves there."""
    folder = os.path.join(ctx.tmp, 'benchtmp')
    os.makedirs(folder, exist_ok=True)
    return dict(os.environ, TMPDIR=folder), folder


def expect_no_leftovers(folder, what):
    if os.listdir(folder):
        fail('%s left %r in TMPDIR' % (what, os.listdir(folder)))


def case_bench_run_counts(ctx):
    env, folder = bench_env(ctx)
    for args, pattern in [
            (['-n', '2000000000000000000'], r'-n takes a number of runs from 1 to 1000000'),
            (['-n', '1000001'], r'-n takes a number of runs from 1 to 1000000'),
            (['-n', '0'], r'-n takes a number of runs from 1 to 1000000'),
            (['-n', '1', '--warmup', '9223372036854775807'],
             r'--warmup takes a number of runs from 0 to 1000000'),
            (['-n', '1', '--warmup', '1000001'], r'--warmup takes a number of runs from 0'),
            (['-n', '1', '--warmup', '-1'], r'--warmup takes a number of runs from 0')]:
        what = 'bench ' + ' '.join(args)
        proc = mt(ctx, 'bench', *args, '--', 'true', env=env)
        expect_clean(proc, what)
        expect_exit(proc, 64, what)
        expect_one_line(proc, '^memtracer bench: ' + pattern, what)
        expect_no_leftovers(folder, what)
    # Every failed run leaves the folder removed too.
    script = write(os.path.join(ctx.tmp, 'oops.lox'), 'print nil.x;\n')
    for command, status in [([ctx.lox, script], 1), ([os.path.join(ctx.tmp, 'nothing')], 1),
                            (['true'], 1), (['false'], 1)]:
        proc = mt(ctx, 'bench', '-n', '2', '--warmup', '1', '--', *command, env=env)
        expect_exit(proc, status, 'bench of %s' % command[-1])
        expect_no_leftovers(folder, 'bench of %s' % command[-1])
    # A bench whose output pipe is closed (SIGPIPE) has removed its folder
    # before writing.
    write(os.path.join(ctx.tmp, 'small.lox'), 'var a = [1];\n')
    proc = subprocess.Popen([ctx.memtracer, 'bench', '-n', '1', '--', ctx.lox, 'small.lox'],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ctx.tmp,
                            env=env, stdin=subprocess.DEVNULL)
    proc.stdout.close()
    proc.wait(timeout=20)
    expect_no_leftovers(folder, 'a bench whose output was closed')


def case_bench_stale_output_file(ctx):
    # The command names an OutputFile that no run writes: the report there
    # is an old one, and bench says so rather than measure it.
    env, folder = bench_env(ctx)
    stale = ctx.rows('stale.json')
    before = open(stale).read()
    proc = mt(ctx, 'bench', '-n', '3', '--', 'sh', '-c', 'echo hi', 'sh',
              '--memtracer.OutputFile=' + stale, env=env)
    expect_exit(proc, 1, 'bench of a command that writes no report to its OutputFile')
    expect_one_line(proc, r'^memtracer bench: run 1 of 3 wrote no report to .*stale\.json: '
                    r'the file there is as it was before the run$', 'a stale OutputFile')
    if proc.stdout or open(stale).read() != before:
        fail('a stale OutputFile: stdout %r, or the file changed' % proc.stdout[:200])
    expect_no_leftovers(folder, 'a stale OutputFile')
    # A run that does write it, over and over (each run well within one
    # tick of the clock file times come from), is measured.
    write(os.path.join(ctx.tmp, 'small.lox'), 'var a = [1];\n')
    proc = mt(ctx, 'bench', '-n', '5', '--json', '--', ctx.lox,
              '--memtracer.Output=json', '--memtracer.OutputFile=' + stale, 'small.lox',
              cwd=ctx.tmp, env=env)
    expect_exit(proc, 0, 'bench of a command that writes its own OutputFile')
    if json.loads(proc.stdout)['figures']['bytes']['values'] != [load(stale)['summary']['bytes']] * 5:
        fail('bench of a named OutputFile: %s' % proc.stdout)
    # Standard output, a FIFO: no file each run can be seen to write.
    fifo = os.path.join(ctx.tmp, 'fifo')
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # no writer waits for one
    try:
        for named in ['-', fifo, ctx.tmp]:
            proc = mt(ctx, 'bench', '-n', '1', '--', ctx.lox, '--memtracer.Output=json',
                      '--memtracer.OutputFile=' + named, 'small.lox', cwd=ctx.tmp, env=env,
                      timeout=10)
            expect_exit(proc, 64, 'bench with OutputFile=%s' % named)
            expect_one_line(proc, r'^memtracer bench: --memtracer\.OutputFile=.*: bench reads '
                            r'each run\'s report from a regular file', 'OutputFile=%s' % named)
    finally:
        os.close(reader)
    expect_no_leftovers(folder, 'a refused OutputFile')


# -- unknown short options -----------------------------------------------------

def case_unknown_short_option(ctx):
    good = ctx.rows('rows.json')
    for args, pattern in [
            (['view', good, '-q', '--format', 'folded'], r'^memtracer view: unknown option -q '),
            (['view', good, '--format', 'folded', '-q'], r'^memtracer view: unknown option -q '),
            (['bench', '-x', '-n', '1', '--', 'true'], r'^memtracer bench: unknown option -x '),
            (['compare', good, good, '-z'], r'^memtracer compare: unknown option -z '),
            (['compare', '--json', '-qh', good, good], r'^memtracer compare: unknown option -q '),
            (['gate', good, 'b.yaml', '-w'], r'^memtracer gate: unknown option -w '),
            # What does need a value, or takes none, is told so.
            (['view', good, '--format', 'folded', '-o'], r'^memtracer view: option -o needs a '),
            (['bench', '-n'], r'^memtracer bench: option -n needs a value'),
            (['view', good, '--format'], r'^memtracer view: option --format needs a value'),
            (['compare', good, good, '--json=yes'],
             r'^memtracer compare: option --json takes no value'),
            (['compare', good, good, '--colour'], r'^memtracer compare: unknown option --colour')]:
        proc = mt(ctx, *args)
        expect_exit(proc, 64, ' '.join(args))
        expect_one_line(proc, pattern, ' '.join(args))


# -- text that is not UTF-8, control characters --------------------------------

def case_json_not_utf8(ctx):
    # A report's path is any bytes: compare --json keeps `source`, with
    # U+FFFD for what is not UTF-8, and stays valid JSON.
    good = ctx.rows('rows.json')
    odd = os.path.join(os.fsencode(ctx.tmp), b'r\xe9\xff.json')
    with open(good, 'rb') as source, open(odd, 'wb') as copy:
        copy.write(source.read())
    proc = subprocess.run([ctx.memtracer, 'compare', good, odd, '--json'], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=20, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        fail('compare of a path not UTF-8: exit %d, %r' % (proc.returncode, proc.stderr))
    result = json.loads(proc.stdout.decode('utf-8'))
    source = result['head'].get('source')
    if source is None or not source.endswith('r\ufffd\ufffd.json'):
        fail('compare --json of a path not UTF-8: head %r' % result['head'])
    # bench --json keeps every word of the command.
    write(os.path.join(ctx.tmp, 'small.lox'), 'var a = [1];\n')
    proc = subprocess.run([ctx.memtracer, 'bench', '-n', '1', '--json', '--', ctx.lox,
                           'small.lox', b'\xff\xfe'], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=20, cwd=ctx.tmp,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        fail('bench of an argument not UTF-8: exit %d, %r' % (proc.returncode, proc.stderr))
    command = json.loads(proc.stdout.decode('utf-8'))['command']
    if command != [ctx.lox, 'small.lox', '\ufffd\ufffd']:
        fail('bench --json of an argument not UTF-8: command %r' % command)


def case_control_characters(ctx):
    # A function name with a newline, escape sequences and C1 controls is
    # one row of compare's table, its controls shown escaped.
    good = ctx.rows('rows.json')
    report = load(good)
    names = ['two\nlines', 'bell\x07\x01', 'red\x1b[31m', 'next\u0085line', 'tab\there']
    base = json.loads(json.dumps(report))
    head = json.loads(json.dumps(report))
    for i, name in enumerate(names):
        base['sites'][i]['function'] = head['sites'][i]['function'] = name
        head['sites'][i]['bytes'] += 8
    b = write(os.path.join(ctx.tmp, 'b.json'), json.dumps(base))
    h = write(os.path.join(ctx.tmp, 'h.json'), json.dumps(head))
    for options in ([], ['--markdown']):
        proc = mt(ctx, 'compare', b, h, '--phase', 'all', *options)
        expect_exit(proc, 0, 'compare of names with control characters %r' % options)
        if re.search('[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f]', proc.stdout):
            fail('control characters reached the output: %r' % proc.stdout)
        rows = [line for line in proc.stdout.splitlines()
                if line.startswith((' grown ', '| grown |'))]
        for shown in [r'two\nlines', r'bell\x07\x01', r'red\x1b[31m', r'next\u0085line',
                      r'tab\there']:
            if not [row for row in rows if shown in row]:
                fail('%r is not in a row of its own: %s' % (shown, proc.stdout))
        if len(rows) != len(names):
            fail('%d grown rows for %d grown sites: %s' % (len(rows), len(names), proc.stdout))


def case_paths_with_control_characters(ctx):
    # A path a message quotes -- a report, a budget, an output, bench's
    # TMPDIR -- is shown escaped: the message stays one line and no
    # control character reaches the terminal.
    odd = os.path.join(ctx.tmp, 'no\x1b]0;x\x07\nsuch\u0085')
    shown = r'no\x1b]0;x\x07\nsuch\u0085'
    budget = write(os.path.join(ctx.tmp, 'b.yaml'), 'peak: 1KiB\n')
    good = tiny_report(os.path.join(ctx.tmp, 'r.json'), 100)
    for what, args, status in [
            ('compare of a missing report', ['compare', odd + '.json', good], 66),
            ('gate of a missing report', ['gate', odd + '.json', budget], 66),
            ('gate of a missing budget', ['gate', good, odd + '.yaml'], 66),
            ('view to a missing folder', ['view', good, '--format', 'folded', '-o',
                                          os.path.join(odd, 'out.folded')], 74),
            ('bench of a missing command', ['bench', '-n', '1', '--', odd], 1)]:
        proc = mt(ctx, *args)
        expect_clean(proc, what)
        expect_exit(proc, status, what)
        expect_one_line(proc, re.escape(shown), what)
        if re.search('[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f]', proc.stderr):
            fail('%s: a control character reached stderr: %r' % (what, proc.stderr))
    proc = mt(ctx, 'bench', '-n', '1', '--', 'true',
              env=dict(os.environ, TMPDIR=os.path.join(odd, 'tmp')))
    expect_exit(proc, 74, 'bench with a TMPDIR that is not there')
    expect_one_line(proc, '^memtracer bench: cannot make a temporary folder .*'
                    + re.escape(shown), 'bench with a TMPDIR that is not there')
