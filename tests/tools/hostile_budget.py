"""Budgets made to break `memtracer gate` (run by hostile_test.py, group
budget): more than one YAML document, text holding NUL characters,
nesting without end, line numbers and figures beyond what a report holds,
a figure or a phase given twice under two names, decimals on averages, and
`--write` aimed at the report it reads.  Each is refused with one line
naming the budget's file:line:column (exit 65, 64 for the command line),
or read as tools.md says.
"""

import json
import os
import re
import subprocess

from tools_test import fail, expect_exit, expect_one_line, write, load, run


def mt(ctx, *args, timeout=20):
    """ctx.mt with a timeout that fails the case rather than the suite."""
    try:
        return run([ctx.memtracer] + list(args), timeout=timeout)
    except subprocess.TimeoutExpired:
        fail('memtracer %s took more than %d s' % (' '.join(args), timeout))


def expect_refused(ctx, report, budget, pattern, what, timeout=20):
    """gate refuses `budget` with one line `budget:LINE:COLUMN: ...`."""
    proc = mt(ctx, 'gate', report, budget, timeout=timeout)
    expect_exit(proc, 65, what)
    expect_one_line(proc, '^memtracer gate: ' + re.escape(budget) + pattern, what)
    if proc.stdout:
        fail('%s: a refused budget still printed %r' % (what, proc.stdout))


def budget_file(ctx, name, text):
    return write(os.path.join(ctx.tmp, name), text)


def case_second_document(ctx):
    base = ctx.rows('base.json')
    budget = budget_file(ctx, 'two.yaml', 'summary:\n  peak: 1MiB\n---\nsummary:\n  peak: 1KiB\n')
    expect_refused(ctx, base, budget, r':3:1: a budget is one YAML document', 'a second document')
    budget = budget_file(ctx, 'empty2.yaml', 'summary: {peak: 1MiB}\n--- \n')
    expect_refused(ctx, base, budget, r':2:1: a budget is one YAML document',
                   'an empty second document')
    # One document, with its markers, is a budget.
    budget = budget_file(ctx, 'one.yaml', '---\nsummary: {peak: 1MiB}\n...\n')
    expect_exit(mt(ctx, 'gate', base, budget), 0, 'one document between --- and ...')


def case_site_line_range(ctx):
    base = ctx.rows('base.json')
    site = 'sites:\n  - {file: rows.lox, line: %s, function: build, type: Array, bytes: 1MiB}\n'
    for line in ['9223372036854775807', '99999999999999999999', '2147483648', '-1',
                 '+9', '0x10', '1e3', '9.0']:
        budget = budget_file(ctx, 'line.yaml', site % line)
        expect_refused(ctx, base, budget, r":2:28: 'line' takes a line number",
                       'line %s' % line)
    # The largest line a report can hold pairs with nothing, without
    # overflowing the pairing's arithmetic.
    budget = budget_file(ctx, 'line.yaml', site % '2147483647'
                         + '  - {file: rows.lox, line: 1, function: build, type: Array, '
                           'bytes: 1MiB}\n')
    proc = mt(ctx, 'gate', base, budget)
    expect_exit(proc, 0, 'the largest line')
    if proc.stderr:
        fail('the largest line: %r' % proc.stderr)


def case_decimal_limits(ctx):
    base = ctx.rows('base.json')
    report = load(base)
    average = report['summary']['average_size']
    if average == round(average):
        fail('the test needs a fractional average_size, the report has %r' % average)
    below = '%g' % round(average - 0.1, 1)  # as gate shows it: 36.0 is 36
    budget = budget_file(ctx, 'average.yaml',
                         'phase: all\nsummary: {average: %.1f}\n' % (average + 0.3))
    expect_exit(mt(ctx, 'gate', base, budget), 0, 'an average under a decimal limit')
    budget = budget_file(ctx, 'average.yaml', 'phase: all\nsummary: {average: == %.1f}\n' % average)
    proc = mt(ctx, 'gate', base, budget)
    expect_exit(proc, 0, 'an average exactly its decimal')
    budget = budget_file(ctx, 'average.yaml', 'phase: all\nsummary: {average: %s}\n' % below)
    proc = mt(ctx, 'gate', base, budget)
    expect_exit(proc, 1, 'an average over a decimal limit')
    if not proc.stdout.startswith('%s:2: summary (all phases) average_size is %.1f, over its '
                                  'limit %s by 0.1\n' % (budget, average, below)):
        fail('an average over a decimal limit: %r' % proc.stdout)
    # A type's average, bytes / blocks over its sites, is met to one
    # decimal, as shown.
    chars = [s for s in report['sites']
             if s['type'] == 'String chars' and s['phase'] == 'start-up']
    typed = sum(s['bytes'] for s in chars) / sum(s['blocks'] for s in chars)
    budget = budget_file(ctx, 'average.yaml', 'types:\n  String chars: {average: == %.1f, '
                                              'phase: start-up}\n' % typed)
    expect_exit(mt(ctx, 'gate', base, budget), 0, 'a type\'s average exactly its decimal')
    # Sizes and counts are whole: a decimal takes a unit, and is rounded
    # to a whole byte there.
    for text in ['2.5', '2.5B', '== 0.5']:
        budget = budget_file(ctx, 'whole.yaml', 'summary:\n  bytes: %s\n' % text)
        expect_refused(ctx, base, budget, r":2:10: '%s' is not a whole number" % re.escape(text),
                       'bytes: %s' % text)
    budget = budget_file(ctx, 'whole.yaml', 'summary:\n  bytes: 2.5KB\n  allocations: 0.5005KiB\n')
    proc = mt(ctx, 'gate', base, budget)
    expect_exit(proc, 1, 'decimal sizes with units')
    if not re.search(r'^%s:2: summary \(run\) bytes is \d+ \(.*\), over its limit 2500 \(2\.4 KiB\)'
                     % re.escape(budget), proc.stdout, re.M) or \
            not re.search(r'^%s:3: summary \(run\) allocations is \d+, over its limit 513 by'
                          % re.escape(budget), proc.stdout, re.M):
        fail('decimal sizes with units: %r' % proc.stdout)


def case_nul_in_text(ctx):
    base = ctx.rows('base.json')
    budget = budget_file(ctx, 'nul.yaml', 'summary:\n  peak: "1\\0 junk"\n')
    expect_refused(ctx, base, budget, r':2:9: .*NUL', 'a NUL in a value')
    budget = budget_file(ctx, 'nul.yaml', 'summary:\n  "bytes\\0zzz": 1MiB\n')
    expect_refused(ctx, base, budget, r':2:3: .*NUL', 'a NUL in a key')
    budget = budget_file(ctx, 'nul.yaml',
                         'sites:\n  - {file: "rows.lox\\0x", line: 9, function: build, '
                         'type: Array, bytes: 1}\n')
    expect_refused(ctx, base, budget, r':2:12: .*NUL', 'a NUL in a site\'s file')


def case_figure_twice_by_alias(ctx):
    base = ctx.rows('base.json')
    for text, pattern in [
            ('summary:\n  peak: 1MiB\n  peak_bytes: 2MiB\n', r":3:3: 'peak_bytes' is given twice"),
            ('summary: {live_bytes: 1, live: 2}\n', r":1:26: 'live' is given twice"),
            ('types:\n  Array: {count: 1, allocations: 2}\n',
             r":2:21: 'allocations' is given twice"),
            ('sites:\n  - {file: rows.lox, line: 9, function: build, type: Array,\n'
             '     average: 1, average_size: 2}\n', r":3:18: 'average_size' is given twice")]:
        budget = budget_file(ctx, 'alias.yaml', text)
        expect_refused(ctx, base, budget, pattern, 'a figure twice: %r' % text)


def case_phases_twice(ctx):
    base = ctx.rows('base.json')
    for text, pattern in [
            ('phases:\n  run,start-up: {bytes: 1MiB}\n  start-up,run: {bytes: 1KiB}\n',
             r":3:3: 'start-up,run' is given twice in 'phases'"),
            ('phases:\n  startup: {bytes: 1MiB}\n  start-up: {bytes: 1KiB}\n',
             r":3:3: 'start-up' is given twice in 'phases'"),
            ('phases:\n  all: {bytes: 1MiB}\n  run,start-up,compile,all: {bytes: 1KiB}\n',
             r":3:3: 'run,start-up,compile,all' is given twice in 'phases'")]:
        budget = budget_file(ctx, 'phases.yaml', text)
        expect_refused(ctx, base, budget, pattern, 'a phase twice: %r' % text)


def case_deep_nesting(ctx):
    base = ctx.rows('base.json')
    # 100,000 levels took libyaml 40 s to read whole; refused at the 65th
    # level, the rest unread.
    block = ''.join('  ' * i + 'a:\n' for i in range(100)) + '  ' * 100 + '1\n'
    for name, text in [('flow', 'summary: ' + '[' * 100000 + '\n'),
                       ('mapping', 'summary: ' + '{a: ' * 100000 + '\n'),
                       ('block', block)]:
        budget = budget_file(ctx, 'deep.yaml', text)
        expect_refused(ctx, base, budget, r':\d+:\d+: nested deeper than 64 levels',
                       '%s nesting' % name, timeout=5)
    # 64 levels is read (and is no budget).
    budget = budget_file(ctx, 'deep.yaml', 'summary: ' + '[' * 63 + ']' * 63 + '\n')
    expect_refused(ctx, base, budget, r":1:10: 'summary' takes a mapping", '64 levels')


def case_write_reads_back(ctx):
    base = ctx.rows('base.json')
    # A report holds figures up to 2^53; their sums go beyond 1e18 with
    # 300 sites of 2^52 bytes each: written as whole numbers, read back
    # exactly.
    report = load(base)
    site = next(s for s in report['sites'] if s['phase'] == 'run' and s['type'] == 'Array')
    for line in range(1, 301):
        big = dict(site, line=line, function='big', type='Big', retainers=[])
        for key in ('bytes', 'live_bytes', 'peak_bytes'):
            big[key] = 2 ** 52
        report['sites'].append(big)
    path = write(os.path.join(ctx.tmp, 'big.json'), json.dumps(report))
    budget = os.path.join(ctx.tmp, 'big.yaml')
    for exact in [[], ['--exact']]:
        expect_exit(mt(ctx, 'gate', path, budget, '--write', *exact), 0,
                    'gate --write %s of big figures' % ' '.join(exact))
        text = open(budget, encoding='utf-8').read()
        if 'e+' in text or not re.search(r'^  Big: \{bytes: %d, ' % (300 * 2 ** 52), text, re.M):
            fail('big figures written as:\n%s' % text)
        proc = mt(ctx, 'gate', path, budget)
        expect_exit(proc, 0, 'a budget %s of big figures against its report' % ' '.join(exact))


def case_write_onto_report(ctx):
    base = ctx.rows('base.json')
    before = open(base, 'rb').read()
    link = os.path.join(ctx.tmp, 'link.yaml')
    os.symlink(base, link)
    hard = os.path.join(ctx.tmp, 'hard.yaml')
    os.link(base, hard)
    dotted = os.path.join(ctx.tmp, '.', os.path.basename(base))
    for budget in [base, dotted, link, hard]:
        proc = mt(ctx, 'gate', base, budget, '--write')
        expect_exit(proc, 64, 'gate --write onto its report as %s' % budget)
        expect_one_line(proc, r'^memtracer gate: .*is the report', 'gate --write onto its report')
        if open(base, 'rb').read() != before:
            fail('gate --write onto its report as %s changed it' % budget)
    # A missing report named twice is refused the same way, before it is
    # looked for.
    missing = os.path.join(ctx.tmp, 'missing.json')
    expect_exit(mt(ctx, 'gate', missing, missing, '--write'), 64, 'a missing report twice')
    if os.path.exists(missing):
        fail('gate --write made %s' % missing)
