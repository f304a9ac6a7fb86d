#!/usr/bin/env python3
"""End-to-end tests of the `memtracer` command (tools/memtracer) on reports
made at test time by the real `lox` and `lua-memtracer`.

Usage: tools_test.py MEMTRACER LOX LUA_MEMTRACER|- NODE_PREFIX CASE
Exit 0 when the case passed; each case says what it checks.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print('FAIL: ' + message)
    sys.exit(1)


def run(args, cwd=None, timeout=60):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)


def expect_exit(proc, status, what):
    if proc.returncode != status:
        fail('%s: exit status %d, expected %d\nstdout: %s\nstderr: %s'
             % (what, proc.returncode, status, proc.stdout, proc.stderr))


def expect_one_line(proc, pattern, what):
    """stderr is one line that matches `pattern`."""
    lines = proc.stderr.splitlines()
    if len(lines) != 1 or not re.search(pattern, lines[0]):
        fail('%s: expected one line on stderr matching %r, got %r' % (what, pattern, proc.stderr))


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


class Context:
    def __init__(self, memtracer, lox, lua, node_prefix, tmp):
        self.memtracer, self.lox, self.lua = memtracer, lox, lua
        self.node_prefix, self.tmp = node_prefix, tmp

    def mt(self, *args, cwd=None):
        return run([self.memtracer] + list(args), cwd=cwd)

    def trace(self, program_text, name, report, folder, stacks=False, interpreter=None):
        """Runs `program_text` saved as folder/name (run from `folder`, so
        the report names it `name`) and returns the report's path."""
        os.makedirs(folder, exist_ok=True)
        write(os.path.join(folder, name), program_text)
        report = os.path.join(self.tmp, report)
        args = [interpreter or self.lox, '--memtracer.Output=json',
                '--memtracer.OutputFile=' + report]
        if stacks:
            args.append('--memtracer.TraceStackTraces=true')
        proc = run(args + [name], cwd=folder)
        expect_exit(proc, 0, 'tracing ' + name)
        return report

    def rows(self, report, text=None, stacks=False, folder='base'):
        if text is None:
            text = source('rows.lox')
        return self.trace(text, 'rows.lox', report, os.path.join(self.tmp, folder), stacks)


def source(name):
    with open(os.path.join(HERE, name), encoding='utf-8') as f:
        return f.read()


# The regression injected into rows.lox: four numbers a row instead of
# three, 8 bytes more for each of the 1000 Arrays of line 9, and nothing
# else: +8000 bytes at that one site.
def rows_regressed():
    text = source('rows.lox')
    assert '[i, i, i]' in text
    return text.replace('[i, i, i]', '[i, i, i, i]')


def rows_inserted_lines():
    """rows.lox with a line inserted at the top and one inside build()."""
    lines = source('rows.lox').split('\n')
    at = next(i for i, line in enumerate(lines) if line.startswith('fun build'))
    lines.insert(at + 1, '  // a comment inserted inside build()')
    return '// a comment inserted at the top\n' + '\n'.join(lines)


def compare_json(ctx, base, head, *options):
    proc = ctx.mt('compare', base, head, '--json', *options)
    return proc, json.loads(proc.stdout)


# -- compare ---------------------------------------------------------------

def case_compare_unchanged(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', folder='head')
    proc = ctx.mt('compare', base, head, '--fail-above', '0')
    expect_exit(proc, 0, 'compare of two runs of one program')
    if '0 grown, 0 shrunk, 0 new, 0 gone, 25 unchanged' not in proc.stdout:
        fail('unchanged run: %s' % proc.stdout)
    if proc.stderr:
        fail('unchanged run wrote to stderr: %r' % proc.stderr)


def case_compare_regression(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', rows_regressed(), folder='head')
    proc, result = compare_json(ctx, base, head)
    expect_exit(proc, 0, 'compare --json without --fail-above')
    changed = [s for s in result['sites'] if s['status'] != 'unchanged']
    if len(changed) != 1:
        fail('expected one changed site, got %r' % changed)
    site = changed[0]
    expected = {'status': 'grown', 'file': 'rows.lox', 'function': 'build', 'type': 'Array',
                'bytes_change': 8000, 'count_change': 0}
    for key, value in expected.items():
        if site[key] != value:
            fail('the grown site has %s=%r, expected %r' % (key, site[key], value))
    if (site['base']['line'], site['base']['bytes'], site['head']['bytes']) != (9, 80320, 88320):
        fail('the grown site is %r' % site)
    summary = result['summary']
    if summary['bytes']['change'] != 8000 or summary['allocations']['change'] != 0:
        fail('summary change is %r' % summary)
    if summary['blocks']['base'] is not None:
        fail('blocks is not in a version 1 report, yet compare gives %r' % summary['blocks'])
    # The text names the site, first among the changes.
    proc = ctx.mt('compare', base, head)
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith('Change'))
    if not re.match(r'\s*grown\s+rows\.lox:9 build\s+Array\s+80320 -> 88320\s+\+8000 \(\+10\.0%\)',
                    lines[at + 1]):
        fail('the text does not name the grown site first: %r' % lines[at + 1])
    # More changes, sorted by impact, the absolute change in bytes: label's
    # parts array grows by one 8-byte slot, and its one more string "!" is
    # a String of 40 + 2 bytes.
    text = rows_regressed().replace('["row", "s"]', '["row", "s", "!"]')
    both = ctx.rows('both.json', text, folder='both')
    proc, result = compare_json(ctx, head, both)
    changed = [(s['function'], s['type'], s['bytes_change']) for s in result['sites']
               if s['status'] != 'unchanged']
    if changed != [('label', 'String', 42), ('label', 'Array', 8)]:
        fail('unexpected changes %r' % changed)
    proc, result = compare_json(ctx, base, both)
    impacts = [abs(s['bytes_change']) for s in result['sites']]
    if impacts != sorted(impacts, reverse=True) or result['sites'][0]['bytes_change'] != 8000:
        fail('sites not sorted by impact: %r' % impacts)
    # Markdown: a table row for it.
    proc = ctx.mt('compare', base, head, '--markdown')
    expect_exit(proc, 0, 'compare --markdown')
    if not re.search(r'^\| grown \| rows\.lox:9 build \| Array \| 80320 -> 88320 \| \+8000 \(\+10\.0%\) \|',
                     proc.stdout, re.M):
        fail('markdown has no row for the grown site:\n' + proc.stdout)
    if '|---|---|---|---:|' not in proc.stdout:
        fail('markdown has no table:\n' + proc.stdout)


def case_compare_inserted_line(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', rows_inserted_lines(), folder='head')
    proc, result = compare_json(ctx, base, head, '--fail-above', '0')
    expect_exit(proc, 0, 'compare with inserted lines')
    counts = result['site_counts']
    if counts['new'] or counts['gone'] or counts['grown'] or counts['shrunk']:
        fail('inserted lines changed sites: %r' % counts)
    moved = [s for s in result['sites'] if s['base']['line'] != s['head']['line']]
    if not any(s['base']['line'] == 9 and s['head']['line'] == 11 for s in moved):
        fail('the Array site of line 9 is not paired with line 11: %r' % moved)
    # Inserted lines and a new line 10 with an Array between the two old
    # Array sites of build (kept's at 9, the rows' at 12): the new line's
    # sites are new (its Array, and the bytecode it grows, a Function's),
    # nothing is gone, and the old ones keep their partners.
    text = rows_inserted_lines().replace('  var kept = [];\n', '  var kept = [];\n  var extra = [0];\n')
    head = ctx.rows('head2.json', text, folder='head2')
    proc, result = compare_json(ctx, base, head)
    new = [s for s in result['sites'] if s['status'] == 'new']
    gone = [s for s in result['sites'] if s['status'] == 'gone']
    if gone or sorted((s['head']['line'], s['function'], s['type']) for s in new) != \
            [(10, 'build', 'Array'), (10, 'build', 'Function')]:
        fail('expected new sites at line 10 only and none gone: new %r, gone %r' % (new, gone))
    rows = [s for s in result['sites'] if s['function'] == 'build' and s['type'] == 'Array'
            and s['base'] is not None]
    if sorted((s['base']['line'], s['head']['line'], s['status']) for s in rows) != \
            [(7, 9, 'unchanged'), (9, 12, 'unchanged')]:
        fail('the old Array sites of build are not paired 7->9 and 9->12: %r' % rows)


def case_compare_lua(ctx):
    if ctx.lua == '-':
        print('lua-memtracer not built: skipped')
        sys.exit(77)  # meson's "skipped"
    folder = os.path.join(ctx.tmp, 'lua')
    base = ctx.trace(source('shapes.lua'), 'shapes.lua', 'lua_base.json', folder,
                     interpreter=ctx.lua)
    moved = '-- an inserted comment\n' + source('shapes.lua')
    head = ctx.trace(moved, 'shapes.lua', 'lua_head.json', folder + '2', interpreter=ctx.lua)
    proc, result = compare_json(ctx, base, head, '--fail-above', '0')
    expect_exit(proc, 0, 'compare of lua reports with an inserted line')
    counts = result['site_counts']
    if counts['new'] or counts['gone']:
        fail('an inserted line made Lua sites new or gone: %r' % counts)
    renamed = [s for s in result['sites']
               if s['function'].startswith('function <shapes.lua:') and s['status'] == 'unchanged']
    if not renamed:
        fail('no anonymous function site was paired across the inserted line')


def case_fail_above(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', rows_regressed(), folder='head')
    # bytes: 82889 -> 90889, +9.65%; peak_bytes: 74241 -> 82241, +10.78%.
    proc = ctx.mt('compare', base, head, '--fail-above', '10.8')
    expect_exit(proc, 0, '--fail-above 10.8 (peak +10.78%, bytes +9.65%)')
    proc = ctx.mt('compare', base, head, '--fail-above', '10')
    expect_exit(proc, 1, '--fail-above 10')
    expect_one_line(proc, r'^memtracer compare: peak_bytes grew by \+10\.8%, more than the 10% allowed$',
                    '--fail-above 10')
    proc = ctx.mt('compare', base, head, '--fail-above', '9.6', '--metric', 'bytes')
    expect_exit(proc, 1, '--metric bytes --fail-above 9.6')
    expect_one_line(proc, r'^memtracer compare: bytes grew by \+9\.7%', '--metric bytes')
    proc = ctx.mt('compare', base, head, '--fail-above', '9.7', '--metric', 'bytes')
    expect_exit(proc, 0, '--metric bytes --fail-above 9.7')
    proc = ctx.mt('compare', base, head, '--fail-above', '0', '--metric', 'allocations,live_allocations')
    expect_exit(proc, 0, 'allocations did not change')
    proc, result = compare_json(ctx, base, head, '--fail-above', '0', '--metric', 'blocks')
    expect_exit(proc, 0, 'blocks is unavailable in version 1: not checked')
    if result['fail_above']['unavailable'] != ['blocks']:
        fail('unchecked blocks not said: %r' % result['fail_above'])
    # Growth from 0 is infinite: above any percentage.
    zero = load(base)
    zero['summary']['live_bytes'] = 0
    zero_path = write(os.path.join(ctx.tmp, 'zero.json'), json.dumps(zero))
    proc = ctx.mt('compare', zero_path, head, '--fail-above', '1000000', '--metric', 'live')
    expect_exit(proc, 1, 'live_bytes from 0')
    expect_one_line(proc, r'live_bytes grew by \+inf%', 'growth from zero')
    proc = ctx.mt('compare', head, base, '--fail-above', '0')
    expect_exit(proc, 0, 'a shrinking run')


# -- gate ----------------------------------------------------------------------

BUDGET = """\
# rows.lox's budget
summary:
  peak: 80KB
  bytes: 82889
  allocations: == 1024
types:
  Array: {bytes: 81KiB, count: 1003}
functions:
  build: {bytes: 81024, file: rows.lox}
sites:
  - file: rows.lox
    line: 9
    function: build
    type: Array
    bytes: 80320
    count: == 1000
"""


def case_gate(ctx):
    base = ctx.rows('base.json')
    budget = write(os.path.join(ctx.tmp, 'budget.yaml'), BUDGET)
    proc = ctx.mt('gate', base, budget)
    expect_exit(proc, 0, 'gate of the base run')
    if not proc.stdout.startswith('PASS: 8 limits met'):
        fail('gate pass: %r' % proc.stdout)
    # The regressed run breaks each limit on its bytes, at the budget's lines.
    head = ctx.rows('head.json', rows_regressed(), folder='head')
    proc = ctx.mt('gate', head, budget)
    expect_exit(proc, 1, 'gate of the regressed run')
    broken = [line for line in proc.stdout.splitlines() if line.startswith(budget + ':')]
    wanted = [
        (3, 'summary peak_bytes is 82241 (80 KiB), over its limit 80000 (78 KiB)'),
        (4, 'summary bytes is 90889 (89 KiB), over its limit 82889 (81 KiB) by 8000'),
        (7, 'type Array bytes is 88456 (86 KiB), over its limit 82944 (81 KiB)'),
        (9, 'function build (rows.lox) bytes is 89024 (87 KiB), over its limit 81024 (79 KiB)'),
        (15, 'site rows.lox:9 build Array bytes is 88320 (86 KiB), over its limit 80320 (78 KiB)'),
    ]
    if len(broken) != len(wanted):
        fail('expected %d broken limits, got:\n%s' % (len(wanted), proc.stdout))
    for line, (number, text) in zip(broken, wanted):
        if not line.startswith('%s:%d: %s' % (budget, number, text)):
            fail('expected %s:%d: %s..., got %r' % (budget, number, text, line))
    if not proc.stdout.rstrip().endswith('FAIL: 5 of 8 limits exceeded: rows.lox (lox) against ' + budget):
        fail('gate fail summary: %r' % proc.stdout)
    # Inserted lines move label's one Array site from line 15 to 17; the
    # budget still finds it there (a parts array: 40 + 2 x 8 bytes).
    moved = ctx.rows('moved.json', rows_inserted_lines(), folder='moved')
    budget = write(os.path.join(ctx.tmp, 'label.yaml'),
                   'sites:\n  - {file: rows.lox, line: 15, function: label, type: Array,\n'
                   '     count: == 1, bytes: == 56}\n')
    expect_exit(ctx.mt('gate', base, budget), 0, 'label\'s site where the budget says')
    proc = ctx.mt('gate', moved, budget)
    expect_exit(proc, 0, 'gate of the run with inserted lines')
    budget = write(budget, 'sites:\n  - {file: rows.lox, line: 15, function: label, type: Array,\n'
                           '     bytes: 55}\n')
    proc = ctx.mt('gate', moved, budget)
    expect_exit(proc, 1, 'a moved site over its limit')
    if not proc.stdout.startswith(budget + ':3: site rows.lox:15 (now line 17) label Array bytes is 56, '
                                           'over its limit 55 by 1'):
        fail('moved site: %r' % proc.stdout)


def case_gate_exact(ctx):
    base = ctx.rows('base.json')
    budget = write(os.path.join(ctx.tmp, 'exact.yaml'),
                   'exact: true\nsummary:\n  allocations: 1030\n  live: <= 1MiB\n'
                   'types:\n  String: {count: 12}\n')
    proc = ctx.mt('gate', base, budget)
    expect_exit(proc, 1, 'exact budgets')
    lines = [l for l in proc.stdout.splitlines() if l.startswith(budget)]
    # allocations: 1024, not 1030; String: 11 strings (6 names at <root>,
    # 3 in the script, 2 in label), not 12.  Both within a limit: only
    # exactness breaks them.  live_bytes, under "<= 1MiB", is a limit.
    if len(lines) != 2 or not lines[0].startswith(budget + ':3: summary allocations is 1024, not exactly 1030') \
            or not lines[1].startswith(budget + ':6: type String count is 11, not exactly 12'):
        fail('exact budget output: %r' % proc.stdout)


def case_gate_write(ctx):
    base = ctx.rows('base.json')
    budget = os.path.join(ctx.tmp, 'written.yaml')
    proc = ctx.mt('gate', base, budget, '--write')
    expect_exit(proc, 0, 'gate --write')
    text = open(budget, encoding='utf-8').read()
    for line in ['  peak: 74241', '  bytes: 82889', '  allocations: 1024',
                 '  build: {bytes: 81024, count: 1001, live: 72616}']:
        if line not in text.splitlines():
            fail('the written budget lacks %r:\n%s' % (line, text))
    expect_exit(ctx.mt('gate', base, budget), 0, 'the run against its own budget')
    head = ctx.rows('head.json', rows_regressed(), folder='head')
    proc = ctx.mt('gate', head, budget)
    expect_exit(proc, 1, 'the regressed run against the written budget')
    # --exact: every figure exact, so a smaller run fails too.
    proc = ctx.mt('gate', head, budget, '--write', '--exact')
    expect_exit(proc, 0, 'gate --write --exact')
    if not open(budget, encoding='utf-8').read().count('exact: true') == 1:
        fail('--exact did not write exact: true')
    proc = ctx.mt('gate', base, budget)
    expect_exit(proc, 1, 'a smaller run against an exact budget')
    if 'not exactly' not in proc.stdout:
        fail('exact budget not named: %r' % proc.stdout)


def case_gate_malformed(ctx):
    base = ctx.rows('base.json')
    cases = [
        ('summary:\n  peak: [512KiB\n', r':3:1: not valid YAML: did not find expected'),
        ('summary:\n  peak: 512KiB\n  allocations: 12XB\n', r":3:16: '12XB' is not a size or count"),
        ('summary:\n  peek: 1\n', r":2:3: unknown figure 'peek'"),
        ('summery:\n  peak: 1\n', r":1:1: unknown section 'summery'"),
        ('sites:\n  - {file: rows.lox, bytes: 1}\n', r':2:5: a site needs file, line, function and type'),
        ('exact: maybe\n', r":1:8: 'exact' takes true or false"),
        ('', r':1:1: the budget is empty'),
    ]
    for number, (text, pattern) in enumerate(cases):
        budget = write(os.path.join(ctx.tmp, 'bad%d.yaml' % number), text)
        proc = ctx.mt('gate', base, budget)
        expect_exit(proc, 65, 'malformed budget %r' % text)
        expect_one_line(proc, '^memtracer gate: ' + re.escape(budget) + pattern, 'budget %r' % text)
        if proc.stdout:
            fail('a malformed budget still printed %r' % proc.stdout)


# -- bench ---------------------------------------------------------------------

def case_bench(ctx):
    folder = os.path.join(ctx.tmp, 'bench')
    os.makedirs(folder)
    write(os.path.join(folder, 'rows.lox'), source('rows.lox'))
    proc = run([ctx.memtracer, 'bench', '-n', '3', '--warmup', '1', '--json', '--',
                ctx.lox, 'rows.lox'], cwd=folder)
    expect_exit(proc, 0, 'bench')
    result = json.loads(proc.stdout)
    figures = result['figures']
    for name, value in [('bytes', 82889), ('allocations', 1024), ('peak_bytes', 74241),
                        ('live_bytes', 74236)]:
        figure = figures[name]
        if figure['values'] != [value] * 3 or figure['min'] != value or figure['max'] != value \
                or figure['median'] != value or figure['mean'] != value or figure['stddev'] != 0:
            fail('bench %s is %r, expected %d on every run' % (name, figure, value))
    if figures['blocks'] is not None:
        fail('blocks is not in a version 1 report: %r' % figures['blocks'])
    for name in ['wall_ms', 'peak_rss']:
        figure = figures[name]
        if len(figure['values']) != 3 or not 0 < figure['min'] <= figure['median'] <= figure['max']:
            fail('bench %s is %r' % (name, figure))
        if abs(sum(figure['values']) / 3 - figure['mean']) > 1e-6 * figure['mean']:
            fail('bench %s mean is not the mean of its values: %r' % (name, figure))
    if result['varying'] or result['runs'] != 3 or result['warmup'] != 1:
        fail('bench result %r' % result)
    if [f for f in os.listdir(folder) if f != 'rows.lox']:
        fail('bench left files beside the program: %r' % os.listdir(folder))
    # The table.
    proc = run([ctx.memtracer, 'bench', '-n', '2', '--', ctx.lox, 'rows.lox'], cwd=folder)
    expect_exit(proc, 0, 'bench table')
    if not re.search(r'^ allocations\s+count\s+1024\s+1024\s+1024\s+1024\s+0$', proc.stdout, re.M):
        fail('bench table: %s' % proc.stdout)


def case_bench_varying(ctx):
    # A command that names its own OutputFile is read there; a report that
    # differs between runs is pointed out.  Each run's report alternates
    # between two programs' through a script that picks one by a counter.
    folder = os.path.join(ctx.tmp, 'vary')
    os.makedirs(folder)
    write(os.path.join(folder, 'a.lox'), 'var a = [1];\n')
    write(os.path.join(folder, 'b.lox'), 'var a = [1, 2];\n')
    counter = os.path.join(folder, 'count')
    report = os.path.join(folder, 'mine.json')
    wrapper = write(os.path.join(folder, 'alternate.sh'),
                    '#!/bin/sh\n'
                    'n=$(cat "%s" 2>/dev/null || echo 0); echo $((n + 1)) > "%s"\n'
                    'if [ $((n %% 2)) = 0 ]; then s=a.lox; else s=b.lox; fi\n'
                    'exec "%s" "$1" --memtracer.Output=json "$s"\n' % (counter, counter, ctx.lox))
    os.chmod(wrapper, 0o755)
    proc = run([ctx.memtracer, 'bench', '-n', '2', '--json', '--', wrapper,
                '--memtracer.OutputFile=' + report], cwd=folder)
    expect_exit(proc, 0, 'bench with a named OutputFile')
    result = json.loads(proc.stdout)
    expected = [ctx.trace(open(os.path.join(folder, name)).read(), name, name + '.json', folder)
                for name in ('a.lox', 'b.lox')]
    expected = [load(path)['summary']['bytes'] for path in expected]
    if result['figures']['bytes']['values'] != expected or 'bytes' not in result['varying']:
        fail('varying bytes not found: %r, expected %r' % (result['figures']['bytes'], expected))
    write(counter, '0')
    proc = run([ctx.memtracer, 'bench', '-n', '2', '--', wrapper,
                '--memtracer.OutputFile=' + report], cwd=folder)
    if not re.search(r'^Note: bytes varies between runs \(%d to %d\)' % tuple(expected), proc.stdout, re.M):
        fail('the table does not point out varying bytes: %s' % proc.stdout)


def case_bench_failure(ctx):
    folder = os.path.join(ctx.tmp, 'fails')
    os.makedirs(folder)
    write(os.path.join(folder, 'oops.lox'), 'var a = [1];\nprint a[5];\n')
    proc = run([ctx.memtracer, 'bench', '-n', '2', '--', ctx.lox, 'oops.lox'], cwd=folder)
    expect_exit(proc, 1, 'bench of a failing program')
    expect_one_line(proc, r'^memtracer bench: run 1 of 2 failed: .*lox exited with status 70: ',
                    'failing program')
    proc = run([ctx.memtracer, 'bench', '-n', '1', '--', os.path.join(folder, 'no-such-command')])
    expect_exit(proc, 1, 'bench of a missing command')
    expect_one_line(proc, r'^memtracer bench: cannot run .*no-such-command: No such file',
                    'missing command')
    proc = run([ctx.memtracer, 'bench', '-n', '1', '--', 'true'])
    expect_exit(proc, 1, 'bench of an untraced command')
    expect_one_line(proc, r'wrote no report', 'untraced command')
    expect_exit(ctx.mt('bench', '--', ctx.lox), 64, 'bench without -n')
    expect_exit(ctx.mt('bench', '-n', '0', '--', ctx.lox), 64, 'bench -n 0')
    expect_exit(ctx.mt('bench', '-n', '2'), 64, 'bench without a command')


# -- view ------------------------------------------------------------------------

def sites_bytes(report):
    return sum(site['bytes'] for site in load(report)['sites'])


def folded_lines(ctx, report):
    proc = ctx.mt('view', report, '--format', 'folded')
    expect_exit(proc, 0, 'view --format folded')
    lines = []
    for line in proc.stdout.splitlines():
        stack, weight = line.rsplit(' ', 1)
        lines.append((stack.split(';'), int(weight)))
    return lines


def case_view_folded(ctx):
    fib = ctx.trace(source('fib.lox'), 'fib.lox', 'fib.json', os.path.join(ctx.tmp, 'fib'),
                    stacks=True)
    lines = folded_lines(ctx, fib)
    if sum(weight for _, weight in lines) != sites_bytes(fib):
        fail('folded weights sum to %d, the sites to %d'
             % (sum(w for _, w in lines), sites_bytes(fib)))
    # fib's recursion folds to one frame: 177 Arrays of 48 bytes under
    # <script>;fib, and never fib;fib.
    weights = {';'.join(stack): weight for stack, weight in lines}
    if weights.get('<script>;fib', 0) < 177 * 48:
        fail('recursion not folded into <script>;fib: %r' % weights)
    if any(a == b for stack, _ in lines for a, b in zip(stack, stack[1:])):
        fail('a folded stack repeats a frame: %r' % lines)
    if len(set(';'.join(s) for s, _ in lines)) != len(lines):
        fail('identical stacks are not one line')
    # Without stacks: one line per site's function, still summing exactly.
    rows = ctx.rows('rows.json')
    lines = folded_lines(ctx, rows)
    if sum(w for _, w in lines) != sites_bytes(rows) or any(len(s) != 1 for s, _ in lines):
        fail('folded without stacks: %r' % lines)
    if dict((s[0], w) for s, w in lines).get('build') != 80320 + 320 + 304 + 40 + 40:
        fail('build folded to %r' % lines)
    # lua-memtracer's reports too.
    if ctx.lua != '-':
        lua = ctx.trace(source('shapes.lua'), 'shapes.lua', 'lua.json',
                        os.path.join(ctx.tmp, 'lua'), stacks=True, interpreter=ctx.lua)
        if sum(w for _, w in folded_lines(ctx, lua)) != sites_bytes(lua):
            fail('folded Lua weights do not sum to the sites')


def case_view_speedscope(ctx):
    fib = ctx.trace(source('fib.lox'), 'fib.lox', 'fib.json', os.path.join(ctx.tmp, 'fib'),
                    stacks=True)
    out = os.path.join(ctx.tmp, 'fib.speedscope.json')
    expect_exit(ctx.mt('view', fib, '--format', 'speedscope', '-o', out), 0, 'view speedscope')
    validator = os.path.join(HERE, 'validate_speedscope.js')
    schema = os.path.join(ctx.node_prefix, 'node_modules', 'speedscope', 'dist', 'release',
                          'file-format-schema.json')
    if not os.path.exists(schema) or shutil.which('node') is None:
        fail('node or %s is missing: run scripts/install-deps.sh' % schema)
    proc = run(['node', validator, ctx.node_prefix, out])
    expect_exit(proc, 0, 'the speedscope schema')
    data = load(out)
    by_bytes, by_count = data['profiles']
    if (by_bytes['unit'], by_count['unit']) != ('bytes', 'none'):
        fail('profile units %r' % ((by_bytes['unit'], by_count['unit']),))
    if sum(by_bytes['weights']) != sites_bytes(fib) or by_bytes['endValue'] != sites_bytes(fib):
        fail('speedscope bytes %d, the sites %d' % (sum(by_bytes['weights']), sites_bytes(fib)))
    if sum(by_count['weights']) != sum(s['count'] for s in load(fib)['sites']):
        fail('speedscope objects do not sum to the sites')
    frames = data['shared']['frames']
    # Stacks are outermost first: every sample starts at <script>.
    for sample in by_bytes['samples']:
        if frames[sample[0]]['name'] not in ('<script>', '<root>'):
            fail('a sample does not start at the outermost frame: %r' % [frames[i] for i in sample])
    if not any(f.get('name') == 'fib' and f.get('file') == 'fib.lox' and f.get('line') == 5
               for f in frames):
        fail('no frame fib at fib.lox:5: %r' % frames)
    # A report without stacks, and a version 2 report, are valid too.
    for report in (ctx.rows('rows.json'), os.path.join(HERE, 'report_v2.json')):
        expect_exit(ctx.mt('view', report, '--format', 'speedscope', '-o', out), 0, 'speedscope')
        expect_exit(run(['node', validator, ctx.node_prefix, out]), 0, 'the schema, ' + report)
        if sum(load(out)['profiles'][0]['weights']) != sites_bytes(report):
            fail('speedscope bytes of %s do not sum to its sites' % report)
    # A broken file fails the validator: the check can fail.
    del data['profiles'][0]['weights']
    broken = write(os.path.join(ctx.tmp, 'broken.json'), json.dumps(data))
    expect_exit(run(['node', validator, ctx.node_prefix, broken]), 1, 'a broken speedscope file')


def svg_check(ctx, svg, what):
    try:
        root = ElementTree.parse(svg).getroot()
    except ElementTree.ParseError as error:
        fail('%s is not well-formed XML: %s' % (what, error))
    if root.tag != '{http://www.w3.org/2000/svg}svg':
        fail('%s root is %s' % (what, root.tag))
    png = svg + '.png'
    proc = run(['rsvg-convert', '-o', png, svg])
    expect_exit(proc, 0, 'rsvg-convert of ' + what)
    if os.path.getsize(png) < 1000:
        fail('%s rendered to an almost empty PNG' % what)
    return root


def case_view_flamegraph(ctx):
    fib = ctx.trace(source('fib.lox'), 'fib.lox', 'fib.json', os.path.join(ctx.tmp, 'fib'),
                    stacks=True)
    svg = os.path.join(ctx.tmp, 'fib.svg')
    expect_exit(ctx.mt('view', fib, '--format', 'flamegraph', '-o', svg), 0, 'view flamegraph')
    root = svg_check(ctx, svg, 'the flame graph')
    ns = '{http://www.w3.org/2000/svg}'
    titles = [t.text for t in root.iter(ns + 'title')]
    if not any(t.startswith('all\n%d bytes' % sites_bytes(fib)) for t in titles):
        fail('no "all" box with the sites\' bytes: %r' % titles[:3])
    if not any(t.startswith('type Array allocated in fib\n8496 bytes') for t in titles):
        fail('no Array box for fib with 177 x 48 bytes: %r' % titles)
    if not any(t.startswith('<script> (fib.lox)') for t in titles):
        fail('<script> not escaped into a title: %r' % titles)
    if root.find('.//' + ns + 'script') is not None or 'href' in open(svg).read():
        fail('the flame graph refers to something outside itself')
    if ctx.lua != '-':
        lua = ctx.trace(source('shapes.lua'), 'shapes.lua', 'lua.json',
                        os.path.join(ctx.tmp, 'lua'), stacks=True, interpreter=ctx.lua)
        out = os.path.join(ctx.tmp, 'lua.svg')
        expect_exit(ctx.mt('view', lua, '--format', 'flamegraph', '-o', out), 0, 'Lua flame graph')
        svg_check(ctx, out, 'the Lua flame graph')


def case_view_timeline(ctx):
    rows = ctx.rows('rows.json')
    out = os.path.join(ctx.tmp, 'timeline.svg')
    if 'timeline' not in load(rows):
        # Today's lox writes version 1, without a timeline: one clear line,
        # exit 65, no file.
        proc = ctx.mt('view', rows, '--format', 'timeline', '-o', out)
        expect_exit(proc, 65, 'a timeline of a report without one')
        expect_one_line(proc, r'the report has no timeline', 'no timeline')
        if os.path.exists(out):
            fail('a failed view left %s' % out)
        report = os.path.join(HERE, 'report_v2.json')
    else:
        report = rows
    expect_exit(ctx.mt('view', report, '--format', 'timeline', '-o', out), 0, 'view timeline')
    root = svg_check(ctx, out, 'the timeline')
    ns = '{http://www.w3.org/2000/svg}'
    titles = [t.text for t in root.iter(ns + 'title')]
    timeline = load(report)['timeline']
    points = timeline['points']
    gc_marks = sum(1 for a, b in zip(points, points[1:]) if b['gc_cycles'] > a['gc_cycles'])
    if len([t for t in titles if t.startswith('GC:')]) != gc_marks:
        fail('expected %d GC marks: %r' % (gc_marks, titles))
    peak = timeline['peak']
    if ('peak: %d bytes live, after %d bytes allocated' % (peak['live_bytes'], peak['bytes_allocated'])
            not in titles):
        fail('the peak is not marked: %r' % titles)


# -- bad inputs, usage, output files ---------------------------------------------

def case_bad_inputs(ctx):
    good = ctx.rows('rows.json')
    malformed = write(os.path.join(ctx.tmp, 'malformed.json'), '{"format": "memtracer", "version": 1,')
    future = load(good)
    future['version'] = 3
    future = write(os.path.join(ctx.tmp, 'future.json'), json.dumps(future))
    other = write(os.path.join(ctx.tmp, 'other.json'), '{"format": "something", "version": 1}')
    typed = load(good)
    typed['sites'][2]['count'] = 'many'
    typed = write(os.path.join(ctx.tmp, 'typed.json'), json.dumps(typed))
    missing = os.path.join(ctx.tmp, 'missing.json')
    budget = write(os.path.join(ctx.tmp, 'b.yaml'), 'summary:\n  peak: 1MiB\n')
    cases = [
        (malformed, 65, r'.*malformed\.json: not valid JSON: .*line 1'),
        (future, 65, r'.*future\.json: report version 3 is not supported \(this memtracer reads versions 1 to 2\)'),
        (other, 65, r'.*other\.json: not a memtracer report'),
        (typed, 65, r'.*typed\.json: sites\[2\]\.count is not a number'),
        (missing, 66, r'cannot open .*missing\.json: No such file or directory'),
        (ctx.tmp, 66, r'cannot open .*: Is a directory'),
    ]
    for path, status, pattern in cases:
        for args in (['compare', good, path], ['compare', path, good], ['gate', path, budget],
                     ['view', path, '--format', 'folded'], ['view', path, '--format', 'flamegraph']):
            proc = ctx.mt(*args)
            expect_exit(proc, status, ' '.join(args))
            expect_one_line(proc, r'^memtracer \w+: ' + pattern, ' '.join(args))
            if proc.stdout:
                fail('%s printed %r' % (' '.join(args), proc.stdout[:200]))
    proc = ctx.mt('gate', good, os.path.join(ctx.tmp, 'no-budget.yaml'))
    expect_exit(proc, 66, 'a missing budget')
    expect_one_line(proc, r'^memtracer gate: cannot open .*no-budget\.yaml', 'missing budget')


def case_usage(ctx):
    for args in (['--help'], ['compare', '--help'], ['gate', '--help'], ['bench', '--help'],
                 ['view', '--help']):
        proc = ctx.mt(*args)
        expect_exit(proc, 0, ' '.join(args))
        if not proc.stdout.startswith('usage: memtracer') or proc.stderr:
            fail('%s: %r' % (' '.join(args), proc.stdout[:80]))
    good = ctx.rows('rows.json')
    for args, pattern in [
        ([], r'usage: memtracer'),
        (['frobnicate'], r"unknown subcommand 'frobnicate'"),
        (['compare', good], r'needs BASE\.json and HEAD\.json'),
        (['compare', good, good, '--fail-above', 'lots'], r'--fail-above takes a percentage'),
        (['compare', good, good, '--metric', 'speed', '--fail-above', '1'], r"unknown metric 'speed'"),
        (['compare', good, good, '--json', '--markdown'], r'exclude each other'),
        (['compare', good, good, '--colour'], r'unknown option --colour'),
        (['view', good], r'needs --format'),
        (['view', good, '--format', 'png'], r"unknown format 'png'"),
        (['view', good, '--format'], r'option --format needs a value'),
        (['gate', good], r'needs REPORT\.json and BUDGET\.yaml'),
    ]:
        proc = ctx.mt(*args)
        expect_exit(proc, 64, ' '.join(args))
        if not re.search(pattern, proc.stderr.splitlines()[0] if proc.stderr else ''):
            fail('%s: stderr %r' % (' '.join(args), proc.stderr))


def case_output_file(ctx):
    good = ctx.rows('rows.json')
    # A failed view leaves an existing file as it was.
    kept = write(os.path.join(ctx.tmp, 'kept.svg'), 'precious\n')
    expect_exit(ctx.mt('view', good, '--format', 'timeline', '-o', kept), 65, 'timeline of v1')
    if open(kept).read() != 'precious\n':
        fail('a failed view changed its output file')
    # A symlink is followed: its target gets the view, the link stays.
    target = write(os.path.join(ctx.tmp, 'target.txt'), 'old\n')
    link = os.path.join(ctx.tmp, 'link.txt')
    os.symlink('target.txt', link)
    expect_exit(ctx.mt('view', good, '--format', 'folded', '-o', link), 0, 'view to a symlink')
    if not os.path.islink(link) or not open(target).read().startswith('<root> '):
        fail('the symlink was replaced, or its target not written')
    # A FIFO is written in place.
    fifo = os.path.join(ctx.tmp, 'fifo')
    os.mkfifo(fifo)
    reader = subprocess.Popen(['cat', fifo], stdout=subprocess.PIPE, text=True)
    expect_exit(ctx.mt('view', good, '--format', 'folded', '-o', fifo), 0, 'view to a FIFO')
    if not reader.communicate(timeout=30)[0].startswith('<root> '):
        fail('nothing came through the FIFO')
    # What cannot be written: exit 74, one line, nothing left behind.
    proc = ctx.mt('view', good, '--format', 'folded', '-o', ctx.tmp)
    expect_exit(proc, 74, 'view to a folder')
    expect_one_line(proc, r'^memtracer view: cannot write .*: Is a directory', 'view to a folder')
    proc = ctx.mt('view', good, '--format', 'folded', '-o', os.path.join(ctx.tmp, 'no', 'such', 'f'))
    expect_exit(proc, 74, 'view into a missing folder')
    expect_one_line(proc, r'^memtracer view: cannot write .*: No such file or directory', 'missing folder')
    proc = ctx.mt('gate', good, os.path.join(ctx.tmp, 'no', 'budget.yaml'), '--write')
    expect_exit(proc, 74, 'gate --write into a missing folder')
    leftovers = [f for f in os.listdir(ctx.tmp) if f.startswith('.')]
    if leftovers:
        fail('temporary files left behind: %r' % leftovers)


def case_version_2(ctx):
    # A version 2 report, with keys today's lox does not write yet.
    report = os.path.join(HERE, 'report_v2.json')
    proc, result = compare_json(ctx, report, report)
    expect_exit(proc, 0, 'compare of a version 2 report')
    if result['summary']['blocks'] != {'base': 40, 'head': 40, 'change': 0, 'percent': 0.0,
                                       'from_zero': False}:
        fail('blocks of a version 2 report: %r' % result['summary']['blocks'])
    budget = write(os.path.join(ctx.tmp, 'v2.yaml'),
                   'summary: {blocks: 39, average: 100}\ntypes: {Node fields: {blocks: 10, waste: 100}}\n')
    proc = ctx.mt('gate', report, budget)
    expect_exit(proc, 1, 'gate on blocks')
    if proc.stdout.splitlines()[:2] != [budget + ':1: summary blocks is 40, over its limit 39 by 1',
                                        budget + ':2: type Node fields waste_bytes is 128, over its limit 100 by 28']:
        fail('version 2 gate: %r' % proc.stdout)
    # `repeat` folds recursion; what walk's one stack leaves out (40 of its
    # 100 bytes) is a line of walk alone; all add up to the sites' 4000.
    lines = folded_lines(ctx, report)
    if sorted(lines) != sorted([(['<script>', 'make'], 1440), (['make'], 2460),
                                (['<script>', 'walk'], 60), (['walk'], 40)]):
        fail('version 2 folded: %r' % lines)
    # A sampled report's figures are marked as estimates.
    sampled = load(report)
    sampled['sampling'] = {'sample_bytes': 512, 'seed': 7}
    sampled = write(os.path.join(ctx.tmp, 'sampled.json'), json.dumps(sampled))
    proc = ctx.mt('compare', sampled, sampled)
    if not re.search(r'~4000', proc.stdout) or 'estimates' not in proc.stdout:
        fail('sampled figures not marked: %s' % proc.stdout)


CASES = {name[len('case_'):]: function for name, function in globals().items()
         if name.startswith('case_')}


def main():
    if len(sys.argv) != 6 or sys.argv[5] not in CASES:
        print('usage: tools_test.py MEMTRACER LOX LUA_MEMTRACER|- NODE_PREFIX CASE (%s)'
              % ', '.join(sorted(CASES)))
        sys.exit(2)
    memtracer, lox, lua, node_prefix, case = sys.argv[1:]
    # Meson names the programs relative to the build folder; the cases run
    # them from folders of their own.
    memtracer, lox = os.path.abspath(memtracer), os.path.abspath(lox)
    if lua != '-':
        lua = os.path.abspath(lua)
    with tempfile.TemporaryDirectory(prefix='memtracer-tools-test-') as tmp:
        CASES[case](Context(memtracer, lox, lua, node_prefix, tmp))
    print('ok: ' + case)


if __name__ == '__main__':
    main()
