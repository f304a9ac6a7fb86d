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


# What the tools rely on in a version 2 report, checked on every report a
# test makes, so that a change in the tracer is named as such rather than
# showing up as a wrong figure of the tools: the sites' figures add up to
# the summary's (nothing is filtered in these runs), the sites' shares of
# the peak add up to the peak, an object site counts its blocks and a
# storage site counts none.
def check_report(path):
    report = load(path)
    if report.get('version') != 2:
        fail('%s is of version %r, these tests expect version 2' % (path, report.get('version')))
    summary, sites = report['summary'], report['sites']
    for total, part in [('allocations', 'count'), ('blocks', 'blocks'), ('bytes', 'bytes'),
                        ('live_allocations', 'live_count'), ('live_blocks', 'live_blocks'),
                        ('live_bytes', 'live_bytes'), ('peak_bytes', 'peak_bytes')]:
        added = sum(site[part] for site in sites)
        if added != summary[total] - summary.get('filtered_' + total, 0):
            fail('the tracer wrote %s: its sites\' %s add up to %d, its summary\'s %s is %d'
                 % (path, part, added, total, summary[total]))
    for site in sites:
        if site['phase'] not in ('run', 'start-up', 'compile') or \
                (site['kind'], site['count']) not in (('object', site['blocks']), ('storage', 0)):
            fail('the tracer wrote %s: a site of phase %r, kind %r, count %d, blocks %d'
                 % (path, site['phase'], site['kind'], site['count'], site['blocks']))


class Context:
    def __init__(self, memtracer, lox, lua, node_prefix, tmp):
        self.memtracer, self.lox, self.lua = memtracer, lox, lua
        self.node_prefix, self.tmp = node_prefix, tmp

    def mt(self, *args, cwd=None):
        return run([self.memtracer] + list(args), cwd=cwd)

    def trace(self, program_text, name, report, folder, stacks=False, interpreter=None,
              options=()):
        """Runs `program_text` saved as folder/name (run from `folder`, so
        the report names it `name`) with `options` and returns the report's
        path."""
        os.makedirs(os.path.dirname(os.path.join(folder, name)), exist_ok=True)
        write(os.path.join(folder, name), program_text)
        report = os.path.join(self.tmp, report)
        args = [interpreter or self.lox, '--memtracer.Output=json',
                '--memtracer.OutputFile=' + report] + list(options)
        if stacks:
            args.append('--memtracer.TraceStackTraces=true')
        proc = run(args + [name], cwd=folder)
        expect_exit(proc, 0, 'tracing ' + name)
        check_report(report)
        return report

    def rows(self, report, text=None, stacks=False, folder='base'):
        if text is None:
            text = source('rows.lox')
        return self.trace(text, 'rows.lox', report, os.path.join(self.tmp, folder), stacks)


def source(name):
    with open(os.path.join(HERE, name), encoding='utf-8') as f:
        return f.read()


# What rows.lox makes while running (phase "run"), derived from its source
# and lox's sizes (an Array object 32 bytes, an element 8, a Closure 40, a
# string's chars its length + 1):
#   line 9, build: 1000 Arrays, 32000 bytes; Array elements: 1000 rows of
#     3 slots (24000 bytes) and kept's 8 growths, 8 + 16 + ... + 1024 slots
#     (8 * 2040 = 16320 bytes): 1008 blocks, 40320 bytes; all live at exit,
#     but kept's 7 outgrown element blocks: 24000 + 8 * 1024 = 32192 bytes.
#   line 7, build: kept, an Array of no elements: 32 bytes.
#   lines 12 and 17, <script>: the closures of build and label: 2 x 40.
#   line 15, label: parts, an Array (32) of 2 elements (16), freed at exit.
#   line 16, label: "row" + "s" makes the chars "rows" (5 bytes), then finds
#     the string interned (the global `rows`'s name, made while compiling):
#     no String object, and the chars are freed.
# So 8 sites; 1004 objects (1001 + 1 Arrays, 2 Closures); 1008 + 1004 + 2
# = 2014 blocks; 40320 + 32000 + 32 + 80 + 32 + 16 + 5 = 72485 bytes.
# The program's peak is its last allocation (label's chars), when
# everything it made was still live: so the run's share of the peak is
# all 72485 bytes but what build's kept outgrew (16320 - 8192 = 8128):
# 64357.
RUN_SITES = 8
RUN_OBJECTS = 1004
RUN_BLOCKS = 2014
RUN_BYTES = 72485
RUN_PEAK = 64357


# The regression injected into rows.lox: four numbers a row instead of
# three, one more 8-byte element for each of the 1000 rows of line 9, and
# nothing else: +8000 bytes of Array elements at that one site, no more
# blocks, and 8000 more held at the peak (every row is live then).
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


def changed_sites(result):
    return [s for s in result['sites'] if s['status'] != 'unchanged']


# -- compare ---------------------------------------------------------------

def case_compare_unchanged(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', folder='head')
    proc = ctx.mt('compare', base, head, '--fail-above', '0')
    expect_exit(proc, 0, 'compare of two runs of one program')
    if 'Sites (run): 0 grown, 0 shrunk, 0 new, 0 gone, %d unchanged' % RUN_SITES not in proc.stdout:
        fail('unchanged run: %s' % proc.stdout)
    # The phases left out are summed up, and unchanged too.
    if not re.search(r'^Not compared above \(--phase all includes them\): start-up: \d+ bytes, '
                     r'\d+ blocks, unchanged; compile: \d+ bytes, \d+ blocks, unchanged\.$',
                     proc.stdout, re.M):
        fail('the other phases are not summed up as unchanged: %s' % proc.stdout)
    if proc.stderr:
        fail('unchanged run wrote to stderr: %r' % proc.stderr)
    # Every phase: every site of the report, unchanged.
    proc, result = compare_json(ctx, base, head, '--phase', 'all', '--fail-above', '0')
    expect_exit(proc, 0, 'compare --phase all of two runs of one program')
    if result['site_counts']['unchanged'] != len(load(base)['sites']) or changed_sites(result):
        fail('--phase all: %r' % result['site_counts'])


def case_compare_regression(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', rows_regressed(), folder='head')
    proc, result = compare_json(ctx, base, head)
    expect_exit(proc, 0, 'compare --json without --fail-above')
    changed = changed_sites(result)
    if len(changed) != 1:
        fail('expected one changed site, got %r' % changed)
    site = changed[0]
    expected = {'status': 'grown', 'file': 'rows.lox', 'function': 'build', 'type': 'Array elements',
                'kind': 'storage', 'phase': 'run', 'bytes_change': 8000, 'blocks_change': 0,
                'count_change': 0, 'peak_bytes_change': 8000, 'live_bytes_change': 8000}
    for key, value in expected.items():
        if site[key] != value:
            fail('the grown site has %s=%r, expected %r' % (key, site[key], value))
    if (site['base']['line'], site['base']['bytes'], site['head']['bytes'], site['head']['blocks']) \
            != (9, 40320, 48320, 1008):
        fail('the grown site is %r' % site)
    summary = result['summary']
    if (summary['bytes']['base'], summary['bytes']['change'], summary['blocks']['base'],
            summary['blocks']['change'], summary['allocations']['base'],
            summary['allocations']['change'], summary['peak_bytes']['base'],
            summary['peak_bytes']['change']) != (RUN_BYTES, 8000, RUN_BLOCKS, 0, RUN_OBJECTS, 0,
                                                 RUN_PEAK, 8000):
        fail('summary of what ran: %r' % summary)
    if result['phases'] != ['run'] or set(result['other_phases']) != {'start-up', 'compile'} or \
            any(p['changed'] for p in result['other_phases'].values()):
        fail('phases: %r, other phases %r' % (result['phases'], result['other_phases']))
    # The text names the site, first among the changes, with its blocks
    # (the same 1008) and average size (40320 / 1008 = 40 -> 48320 / 1008
    # = 47.9): bigger blocks, not more of them.
    proc = ctx.mt('compare', base, head)
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith('Change'))
    if not re.match(r'\s*grown\s+rows\.lox:9 build\s+Array elements\s+40320 -> 48320\s+'
                    r'\+8000 \(\+19\.8%\)\s+1008\s+0\s+40 -> 47\.9$', lines[at + 1]):
        fail('the text does not name the grown site first: %r' % lines[at + 1])
    # What held the peak, and at exit: the program's peak grew by the 8000,
    # all at that site, which holds 40192 of the head's peak, and as much at
    # exit (all rows and kept's last elements, 32192 + 8000).
    head_peak = load(head)['summary']['peak_bytes']
    if load(base)['summary']['peak_bytes'] + 8000 != head_peak:
        fail('the peak did not grow by 8000')
    at = next(i for i, line in enumerate(lines) if line.startswith("At the program's peak"))
    share = '%.1f%%' % (40192 / head_peak * 100)
    if not re.match(r'\s*rows\.lox:9 build\s+Array elements\s+32192 -> 40192\s+\+8000 \(\+24\.9%\)'
                    r'\s+' + re.escape(share) + r'\s+32192 -> 40192\s+\+8000 \(\+24\.9%\)$',
                    lines[at + 2]):
        fail('the peak table does not name the site: %r' % lines[at:at + 3])
    # More changes, sorted by impact, the absolute change in bytes: label's
    # parts array grows by one 8-byte element while running; the one more
    # string "!" is made while compiling, a String of 32 bytes and its chars
    # (2), seen with --phase all or compile.
    text = rows_regressed().replace('["row", "s"]', '["row", "s", "!"]')
    both = ctx.rows('both.json', text, folder='both')
    proc, result = compare_json(ctx, head, both)
    changed = [(s['function'], s['type'], s['bytes_change']) for s in changed_sites(result)]
    if changed != [('label', 'Array elements', 8)]:
        fail('unexpected changes of what ran: %r' % changed)
    if result['other_phases']['compile']['bytes']['change'] != 34:
        fail('compiling did not make 34 bytes more: %r' % result['other_phases'])
    proc, result = compare_json(ctx, head, both, '--phase', 'compile')
    changed = [(s['function'], s['type'], s['bytes_change'], s['blocks_change'])
               for s in changed_sites(result)]
    if changed != [('label', 'String', 32, 1), ('label', 'String chars', 2, 1)]:
        fail('unexpected changes while compiling: %r' % changed)
    proc, result = compare_json(ctx, base, both, '--phase', 'all')
    impacts = [abs(s['bytes_change']) for s in result['sites']]
    if impacts != sorted(impacts, reverse=True) or result['sites'][0]['bytes_change'] != 8000:
        fail('sites not sorted by impact: %r' % impacts)
    # Over every phase, the sites' changes at the peak add up to the
    # change of the program's peak.
    if sum(s['peak_bytes_change'] for s in result['sites']) != \
            result['whole_program']['peak_bytes']['change']:
        fail('the changes at the peak do not add up to the peak\'s')
    # Markdown: a table row for it.
    proc = ctx.mt('compare', base, head, '--markdown')
    expect_exit(proc, 0, 'compare --markdown')
    if not re.search(r'^\| grown \| rows\.lox:9 build \| Array elements \| 40320 -> 48320 \| '
                     r'\+8000 \(\+19\.8%\) \| 1008 \| 0 \| 40 -> 47\.9 \|$', proc.stdout, re.M):
        fail('markdown has no row for the grown site:\n' + proc.stdout)
    if '|---|---|---|---:|' not in proc.stdout or "**At the program's peak**" not in proc.stdout:
        fail('markdown has no tables:\n' + proc.stdout)


def case_compare_inserted_line(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', rows_inserted_lines(), folder='head')
    # Comments make no code: every site of every phase is paired with
    # itself, two lines down below the two comments, one below the first.
    proc, result = compare_json(ctx, base, head, '--fail-above', '0', '--phase', 'all')
    expect_exit(proc, 0, 'compare with inserted lines')
    counts = result['site_counts']
    if counts['new'] or counts['gone'] or counts['grown'] or counts['shrunk']:
        fail('inserted lines changed sites: %r' % counts)
    moved = [s for s in result['sites'] if s['base']['line'] != s['head']['line']]
    if not any(s['base']['line'] == 9 and s['head']['line'] == 11 and s['type'] == 'Array elements'
               for s in moved):
        fail('the Array elements of line 9 are not paired with line 11: %r' % moved)
    # Inserted lines and a new line 10 with an Array of one element between
    # the two old Array sites of build (kept's at 9, the rows' at 12): the
    # new line's two sites are new (an Array, 32 bytes, and its element, 8),
    # nothing is gone, and the old ones keep their partners.
    text = rows_inserted_lines().replace('  var kept = [];\n', '  var kept = [];\n  var extra = [0];\n')
    head = ctx.rows('head2.json', text, folder='head2')
    proc, result = compare_json(ctx, base, head)
    new = [s for s in result['sites'] if s['status'] == 'new']
    gone = [s for s in result['sites'] if s['status'] == 'gone']
    if gone or sorted((s['head']['line'], s['function'], s['type'], s['bytes_change']) for s in new) != \
            [(10, 'build', 'Array', 32), (10, 'build', 'Array elements', 8)]:
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
    proc, result = compare_json(ctx, base, head, '--fail-above', '0', '--phase', 'all')
    expect_exit(proc, 0, 'compare of lua reports with an inserted line')
    counts = result['site_counts']
    if counts['new'] or counts['gone']:
        fail('an inserted line made Lua sites new or gone: %r' % counts)
    renamed = [s for s in result['sites']
               if s['function'].startswith('function <shapes.lua:') and s['status'] == 'unchanged']
    if not renamed:
        fail('no anonymous function site was paired across the inserted line')
    # Each of the 200 squares is a table of 2 fields made at line 8 while
    # running, in function <shapes.lua:7>, now <shapes.lua:8> at line 9.
    squares = [s for s in result['sites'] if s['function'] == 'function <shapes.lua:8>'
               and s['type'] == 'table']
    if [(s['phase'], s['base']['line'], s['head']['line'], s['head']['count']) for s in squares] \
            != [('run', 8, 9, 200)]:
        fail('the squares\' tables: %r' % squares)
    # lua-memtracer's launcher is start-up and compile: not what ran.
    if not {'start-up', 'compile'} <= {s['phase'] for s in result['sites']}:
        fail('no start-up and compile sites in Lua\'s reports')


def case_fail_above(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', rows_regressed(), folder='head')
    # Of what ran: bytes 72485 -> 80485, +11.037%; peak_bytes 64357 ->
    # 72357, +12.431% (see RUN_BYTES, RUN_PEAK and rows_regressed).
    proc = ctx.mt('compare', base, head, '--fail-above', '12.44')
    expect_exit(proc, 0, '--fail-above 12.44 (peak +12.431%, bytes +11.037%)')
    proc = ctx.mt('compare', base, head, '--fail-above', '12.43')
    expect_exit(proc, 1, '--fail-above 12.43')
    expect_one_line(proc, r'^memtracer compare: peak_bytes \(run\) grew by \+12\.4%, more than the '
                          r'12\.43% allowed$', '--fail-above 12.43')
    proc = ctx.mt('compare', base, head, '--fail-above', '11', '--metric', 'bytes')
    expect_exit(proc, 1, '--metric bytes --fail-above 11')
    expect_one_line(proc, r'^memtracer compare: bytes \(run\) grew by \+11\.0%', '--metric bytes')
    proc = ctx.mt('compare', base, head, '--fail-above', '11.04', '--metric', 'bytes')
    expect_exit(proc, 0, '--metric bytes --fail-above 11.04')
    proc = ctx.mt('compare', base, head, '--fail-above', '0', '--metric',
                  'allocations,live_allocations,blocks,live_blocks')
    expect_exit(proc, 0, 'no more objects or blocks')
    # The whole program's peak: 8000 more on the same start-up and compile.
    whole = (load(base)['summary']['peak_bytes'], load(head)['summary']['peak_bytes'])
    if whole[1] - whole[0] != 8000:
        fail('the whole program\'s peak grew by %d' % (whole[1] - whole[0]))
    limit = (8000 / whole[0] * 100) - 0.01
    proc = ctx.mt('compare', base, head, '--phase', 'all', '--fail-above', '%.2f' % limit)
    expect_exit(proc, 1, '--phase all')
    expect_one_line(proc, r'^memtracer compare: peak_bytes \(all phases\) grew by ', '--phase all')
    # A figure a report lacks is not checked, and said so.
    lacking = load(head)
    del lacking['summary']['lost_events']
    lacking = write(os.path.join(ctx.tmp, 'lacking.json'), json.dumps(lacking))
    proc, result = compare_json(ctx, base, lacking, '--fail-above', '0', '--metric', 'lost_events')
    expect_exit(proc, 0, 'lost_events is unavailable: not checked')
    if result['fail_above']['unavailable'] != ['lost_events']:
        fail('unchecked lost_events not said: %r' % result['fail_above'])
    # Growth from 0 is infinite: above any percentage.
    zero = load(base)
    zero['summary']['live_bytes'] = 0
    zero_path = write(os.path.join(ctx.tmp, 'zero.json'), json.dumps(zero))
    proc = ctx.mt('compare', zero_path, head, '--fail-above', '1000000', '--metric', 'live',
                  '--phase', 'all')
    expect_exit(proc, 1, 'live_bytes from 0')
    expect_one_line(proc, r'live_bytes \(all phases\) grew by \+inf%', 'growth from zero')
    proc = ctx.mt('compare', head, base, '--fail-above', '0')
    expect_exit(proc, 0, 'a shrinking run')


def case_compare_phases(ctx):
    # A string constant in label is made while compiling (a String of 32
    # bytes and its chars "abc", 4); running only reads it.  So what ran is
    # the same, and --fail-above 0 passes; compiling grew by 36 bytes, which
    # the summed-up line says, and --phase compile (or all) fails on.
    base = ctx.rows('base.json')
    text = source('rows.lox').replace('  var parts = ["row", "s"];\n',
                                      '  var parts = ["row", "s"];\n  var unused = "abc";\n')
    head = ctx.rows('head.json', text, folder='head')
    proc = ctx.mt('compare', base, head, '--fail-above', '0')
    expect_exit(proc, 0, 'a change made while compiling, against what ran')
    if not re.search(r'compile: (\d+) -> (\d+) bytes \(\+36 \(\+[\d.]+%\)\), (\d+) -> (\d+) blocks, '
                     r'2 of \d+ sites changed', proc.stdout):
        fail('the compile line does not say what changed: %s' % proc.stdout)
    proc = ctx.mt('compare', base, head, '--fail-above', '0', '--phase', 'compile', '--metric', 'bytes')
    expect_exit(proc, 1, '--phase compile')
    expect_one_line(proc, r'^memtracer compare: bytes \(compile\) grew by \+', '--phase compile')
    proc, result = compare_json(ctx, base, head, '--phase', 'start-up,compile')
    if result['phases'] != ['start-up', 'compile'] or list(result['other_phases']) != ['run']:
        fail('--phase start-up,compile: %r, %r' % (result['phases'], result['other_phases']))
    new = sorted((s['head']['line'], s['type'], s['bytes_change']) for s in changed_sites(result))
    if new != [(16, 'String', 32), (16, 'String chars', 4)]:
        fail('the new string\'s sites: %r' % new)
    # With several phases, the text shows each site's phase.
    proc = ctx.mt('compare', base, head, '--phase', 'all')
    if not re.search(r'^ new\s+rows\.lox:16 label\s+String\s+0 -> 32 .*\s+compile$', proc.stdout, re.M):
        fail('--phase all does not show the phase: %s' % proc.stdout)
    # What each phase's figures are: the summary's own with every phase,
    # and otherwise the sums over the phase's sites.
    report = load(base)
    proc, result = compare_json(ctx, base, base, '--phase', 'all')
    for figure in ('peak_bytes', 'bytes', 'blocks', 'live_bytes', 'allocations'):
        if result['summary'][figure]['base'] != report['summary'][figure]:
            fail('--phase all %s is not the summary\'s' % figure)
    for phase in ('run', 'start-up', 'compile'):
        proc, result = compare_json(ctx, base, base, '--phase', phase)
        sites = [s for s in report['sites'] if s['phase'] == phase]
        for figure, key in (('peak_bytes', 'peak_bytes'), ('bytes', 'bytes'), ('blocks', 'blocks'),
                            ('allocations', 'count'), ('live_bytes', 'live_bytes')):
            if result['summary'][figure]['base'] != sum(s[key] for s in sites):
                fail('%s %s is not its sites\' %s' % (phase, figure, key))


# Unused storage (unused_bytes: reserved and never used) while rows.lox
# runs: a row's three elements fill their block of 3 slots, and kept's
# elements fill each block it outgrows (8, 16, ... 512 slots); only its
# last block, of 1024 slots for 1000 rows, has 24 slots unused: 24 x 8 =
# 192 bytes, at line 9.  With 513 rows instead of 1000, kept still grows
# to 1024 slots (513 > 512), leaving 511 unused: 4088 bytes, while line 9
# makes fewer, 513 Arrays (16416 bytes) and 513 x 24 + 16320 = 28632
# bytes of elements in 513 + 8 = 521 blocks.  Less allocated, more waste.
RUN_UNUSED = 192


def rows_fewer():
    text = source('rows.lox')
    assert 'build(1000)' in text
    return text.replace('build(1000)', 'build(513)')


def case_waste(ctx):
    base = ctx.rows('base.json')
    head = ctx.rows('head.json', rows_fewer(), folder='head')
    proc, result = compare_json(ctx, base, head)
    expect_exit(proc, 0, 'compare --json of more waste')
    unused = result['summary']['unused_bytes']
    if (unused['base'], unused['head'], unused['change'], unused['estimated']) != \
            (RUN_UNUSED, 4088, 4088 - RUN_UNUSED, False):
        fail('the run\'s unused bytes: %r' % unused)
    site = next(s for s in result['sites'] if (s['head']['line'], s['type']) == (9, 'Array elements'))
    if (site['status'], site['bytes_change'], site['unused_bytes_change'],
            site['base']['unused_bytes'], site['head']['unused_bytes']) != \
            ('shrunk', 28632 - 40320, 4088 - RUN_UNUSED, RUN_UNUSED, 4088):
        fail('line 9\'s elements: %r' % site)
    if any(s['unused_bytes_change'] != 0 for s in result['sites'] if s is not site):
        fail('unused bytes changed elsewhere: %r' % result['sites'])
    # The text: a summary row, and the site in a table of its own with the
    # part of its bytes never used, 4088 / 28632 = 14.3%.
    proc = ctx.mt('compare', base, head)
    lines = proc.stdout.splitlines()
    if not re.search(r'^ unused_bytes\s+192\s+4088 \(4\.0 KiB\)\s+\+3896 \(\+2029\.2%\)$',
                     proc.stdout, re.M):
        fail('no unused_bytes in the summary: %s' % proc.stdout)
    at = next((i for i, line in enumerate(lines) if line.startswith('Storage reserved and never '
                                                                    'used')), None)
    if at is None or not re.match(r' rows\.lox:9 build\s+Array elements\s+192 -> 4088\s+'
                                  r'\+3896 \(\+2029\.2%\)\s+14\.3%$', lines[at + 2]) or \
            lines[at + 3:at + 4] not in ([], ['']):
        fail('the waste table: %r' % lines[at:] if at is not None else proc.stdout)
    proc = ctx.mt('compare', base, head, '--markdown')
    if not re.search(r'^\| rows\.lox:9 build \| Array elements \| 192 -> 4088 \| \+3896 '
                     r'\(\+2029\.2%\) \| 14\.3% \|$', proc.stdout, re.M):
        fail('markdown has no waste row: %s' % proc.stdout)
    # A grown waste is a regression --fail-above can see; less is none.
    proc = ctx.mt('compare', base, head, '--metric', 'unused', '--fail-above', '2000')
    expect_exit(proc, 1, '--metric unused')
    expect_one_line(proc, r'^memtracer compare: unused_bytes \(run\) grew by \+2029\.2%, more '
                          r'than the 2000% allowed$', '--metric unused')
    expect_exit(ctx.mt('compare', head, base, '--metric', 'unused_bytes', '--fail-above', '0'), 0,
                'less waste')
    # A budget limits waste like any figure: the summary's, a type's, a
    # site's.
    budget = write(os.path.join(ctx.tmp, 'waste.yaml'),
                   'summary:\n  unused: 1KiB\n'
                   'types:\n  Array elements: {unused_bytes: == 192}\n'
                   'sites:\n  - {file: rows.lox, line: 9, function: build, type: Array elements,\n'
                   '     unused: 200}\n')
    proc = ctx.mt('gate', base, budget)
    expect_exit(proc, 0, 'the waste budget on the base')
    if proc.stdout != 'PASS: 3 limits met: rows.lox (lox) against %s\n' % budget:
        fail('waste budget pass: %r' % proc.stdout)
    proc = ctx.mt('gate', head, budget)
    expect_exit(proc, 1, 'the waste budget on more waste')
    if proc.stdout.splitlines() != [
            budget + ':2: summary (run) unused_bytes is 4088 (4.0 KiB), over its limit 1024 '
            '(1.0 KiB) by 3064 (3.0 KiB)',
            budget + ':4: type Array elements (run) unused_bytes is 4088 (4.0 KiB), not exactly 192',
            budget + ':7: site rows.lox:9 build Array elements (run) unused_bytes is 4088 '
            '(4.0 KiB), over its limit 200 by 3888 (3.8 KiB)',
            'FAIL: 3 of 3 limits exceeded: rows.lox (lox) against ' + budget]:
        fail('waste budget fail: %r' % proc.stdout)


# A run of rows.lox sampled once per 4 KiB from seed 1 (lox
# --memtracer.SampleBytes=4KiB --memtracer.Seed=1): its figures are
# estimates, which no reasoning derives from the source; the tests read
# them from the report and check that every tool marks them.
SAMPLING = ['--memtracer.SampleBytes=4KiB', '--memtracer.Seed=1']
SAMPLED_HOW = 'one sample per 4096 bytes on average, seed 1'


def run_sum(report, key):
    return sum(s[key] for s in load(report)['sites'] if s['phase'] == 'run')


def case_sampled(ctx):
    text = source('rows.lox')
    exact = ctx.rows('exact.json')
    sampled = ctx.trace(text, 'rows.lox', 'sampled.json', os.path.join(ctx.tmp, 's1'),
                        options=SAMPLING)
    again = ctx.trace(text, 'rows.lox', 'again.json', os.path.join(ctx.tmp, 's2'),
                      options=SAMPLING)
    report = load(sampled)
    if report['sampling'] != {'bytes': 4096, 'seed': 1} or \
            (load(again)['summary'], load(again)['sites']) != (report['summary'], report['sites']):
        fail('two runs sampled from one seed differ, or sampling is %r' % report['sampling'])
    ran = run_sum(sampled, 'bytes')
    # compare, two sampled reports: every figure marked, on both sides and
    # in the changes; unused bytes unavailable, not 0 (the summary's 0 is
    # no measure); the notes say how.
    proc = ctx.mt('compare', sampled, again)
    expect_exit(proc, 0, 'compare of two sampled reports')
    lines = proc.stdout.splitlines()
    if lines[:2] != ['Base: rows.lox (lox)  (%s)  sampled: %s; its figures are estimates'
                     % (sampled, SAMPLED_HOW),
                     'Head: rows.lox (lox)  (%s)  sampled: %s; its figures are estimates'
                     % (again, SAMPLED_HOW)] or \
            not re.search(r'^ bytes\s+~%d \(.*\)\s+~%d \(.*\)\s+~0$' % (ran, ran), proc.stdout, re.M) or \
            not re.search(r'^ unused_bytes\s+-\s+-\s+unavailable$', proc.stdout, re.M) or \
            'Figures marked ~ are estimates: both reports were sampled (%s).' % SAMPLED_HOW \
            not in proc.stdout or proc.stderr:
        fail('two sampled reports compared: %s%s' % (proc.stdout, proc.stderr))
    proc, result = compare_json(ctx, sampled, again, '--fail-above', '0')
    expect_exit(proc, 0, 'compare --json --fail-above of two sampled reports')
    if (result['estimates'], result['base']['sampling'], result['head']['sampled'],
            result['summary']['bytes']['estimated'], result['summary']['bytes']['base'],
            result['summary']['unused_bytes']['base'], result['whole_program']['unused_bytes']['base'],
            result['sites'][0]['estimated']) != \
            (True, {'bytes': 4096, 'seed': 1}, True, True, ran, None, None, True):
        fail('compare --json of sampled reports: %r' % result)
    # A regression found on estimates says so: the head's summary (every
    # phase) with 1000 bytes more.
    more = dict(report, summary=dict(report['summary'], bytes=report['summary']['bytes'] + 1000))
    more = write(os.path.join(ctx.tmp, 'more.json'), json.dumps(more))
    proc = ctx.mt('compare', sampled, more, '--phase', 'all', '--metric', 'bytes',
                  '--fail-above', '0')
    expect_exit(proc, 1, 'a regression on estimates')
    percent = '%+.1f%%' % (1000 / report['summary']['bytes'] * 100)
    expect_one_line(proc, r'^memtracer compare: bytes \(all phases\) grew by ~%s, more than the '
                          r'0%% allowed \(estimated\)$' % re.escape(percent), 'estimated regression')
    if 'Regression: bytes (all phases) grew by ~%s (~%d -> ~%d), more than 0%%, on estimates.' % (
            percent, report['summary']['bytes'], report['summary']['bytes'] + 1000) \
            not in proc.stdout:
        fail('the regression does not say it is an estimate: %s' % proc.stdout)
    # An exact report against a sampled one: compared with a warning, only
    # the sampled side marked; --fail-above refuses them.
    proc = ctx.mt('compare', exact, sampled)
    expect_exit(proc, 0, 'compare of an exact and a sampled report')
    expect_one_line(proc, r'^memtracer compare: warning: %s is sampled \(%s\) and %s is exact: '
                          r'the changes are partly sampling\'s error'
                    % (re.escape(sampled), SAMPLED_HOW, re.escape(exact)), 'mixed sampling')
    if not re.search(r'^ bytes\s+%d \(71 KiB\)\s+~%d \(.*\)\s+~[+-]' % (RUN_BYTES, ran),
                     proc.stdout, re.M) or \
            'the head report was sampled (%s), the base is exact' % SAMPLED_HOW not in proc.stdout:
        fail('exact against sampled: %s' % proc.stdout)
    proc = ctx.mt('compare', sampled, exact, '--fail-above', '5')
    expect_exit(proc, 65, '--fail-above of an exact and a sampled report')
    expect_one_line(proc, r'^memtracer compare: %s is sampled \(%s\) and %s is exact: '
                          r'--fail-above needs two exact reports or two sampled ones$'
                    % (re.escape(sampled), SAMPLED_HOW, re.escape(exact)), 'mixed --fail-above')
    if proc.stdout:
        fail('a refused comparison printed %r' % proc.stdout)
    # gate: a limit checked on an estimate is marked, and so is the
    # verdict; unused bytes are not checked; gc_cycles, the VM's own count
    # of collections, is no estimate.
    gc = report['summary']['gc_cycles']
    peak = run_sum(sampled, 'peak_bytes')
    budget = write(os.path.join(ctx.tmp, 'sampled.yaml'),
                   'summary:\n  peak: 1KiB\n  unused: 1KiB\n  bytes: 1GiB\n'
                   'phases:\n  all: {gc_cycles: == %d}\n' % (gc + 1))
    proc = ctx.mt('gate', sampled, budget)
    expect_exit(proc, 1, 'gate of a sampled report')
    lines = [line[len(budget):] if line.startswith(budget) else line
             for line in proc.stdout.splitlines()]
    if not re.match(r':2: summary \(run\) peak_bytes is ~%d \(\d+ KiB\), over its limit 1024 '
                    r'\(1\.0 KiB\) by ~%d \(\d+ KiB\)$' % (peak, peak - 1024), lines[0]) or \
            lines[1:] != [
            ':3: summary (run) unused_bytes is unavailable in %s: not checked' % sampled,
            ':6: summary (all phases) gc_cycles is %d, not exactly %d' % (gc, gc + 1),
            'The report was sampled (%s): its figures are estimates, marked ~, so a limit may '
            'pass or fail by sampling\'s error; unused bytes are not estimated.' % SAMPLED_HOW,
            'FAIL: 2 of 3 limits exceeded, on estimates: rows.lox (lox) against ' + budget]:
        fail('gate of a sampled report: %r' % proc.stdout)
    budget = write(budget, 'summary: {bytes: 1GiB}\n')
    proc = ctx.mt('gate', sampled, budget)
    expect_exit(proc, 0, 'a sampled report within its budget')
    if not proc.stdout.endswith('PASS: 1 limits met, on estimates: rows.lox (lox) against %s\n'
                                % budget):
        fail('gate pass on estimates: %r' % proc.stdout)
    # bench: sampled runs from one seed repeat, marked as estimates.
    folder = os.path.join(ctx.tmp, 'bench')
    os.makedirs(folder)
    write(os.path.join(folder, 'rows.lox'), text)
    proc = run([ctx.memtracer, 'bench', '-n', '2', '--json', '--', ctx.lox] + SAMPLING +
               ['rows.lox'], cwd=folder)
    expect_exit(proc, 0, 'bench of sampled runs')
    result = json.loads(proc.stdout)
    figure = result['figures']['bytes']
    if (result['sampled'], result['sampling'], figure['values'], figure['estimated'],
            figure['varies'], result['figures']['wall_ms']['estimated']) != \
            (True, {'bytes': 4096, 'seeds': [1, 1]}, [report['summary']['bytes']] * 2, True,
             False, False):
        fail('bench --json of sampled runs: %r' % result)
    proc = run([ctx.memtracer, 'bench', '-n', '2', '--', ctx.lox] + SAMPLING + ['rows.lox'],
               cwd=folder)
    bytes_ = report['summary']['bytes']
    if not re.search(r'^ bytes\s+bytes\s+~%d\s+~%d\s+~%d\s+~%d\s+~0$' % ((bytes_,) * 4),
                     proc.stdout, re.M) or \
            not re.search(r'^ wall_ms\s+ms\s+[\d.]+\s', proc.stdout, re.M) or \
            'Figures marked ~ are estimates: the runs were sampled (one sample per 4096 bytes on ' \
            'average, the same seed).' not in proc.stdout:
        fail('bench table of sampled runs: %s' % proc.stdout)
    # Runs sampled from seeds 1 and 2: what varies is put down to sampling.
    wrapper = write(os.path.join(folder, 'seeds.sh'),
                    '#!/bin/sh\n'
                    'n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count\n'
                    'exec "%s" "$@" --memtracer.SampleBytes=4KiB --memtracer.Seed=$((n %% 2 + 1)) '
                    'rows.lox\n' % ctx.lox)
    os.chmod(wrapper, 0o755)
    seed2 = load(ctx.trace(text, 'rows.lox', 'seed2.json', os.path.join(ctx.tmp, 's3'),
                           options=['--memtracer.SampleBytes=4KiB', '--memtracer.Seed=2']))
    proc = run([ctx.memtracer, 'bench', '-n', '2', '--', wrapper], cwd=folder)
    expect_exit(proc, 0, 'bench of runs sampled from two seeds')
    values = sorted([bytes_, seed2['summary']['bytes']])
    if values[0] == values[1] or \
            'Note: bytes varies between runs (%d to %d): each run was sampled from a different ' \
            'seed' % tuple(values) not in proc.stdout:
        fail('bench of runs sampled from two seeds: %s' % proc.stdout)
    # view: the flame graph's title and tooltips, the timeline's title and
    # peak, speedscope's profile names say "estimated".
    svg = os.path.join(ctx.tmp, 'sampled.svg')
    expect_exit(ctx.mt('view', sampled, '--format', 'flamegraph', '-o', svg), 0, 'flame graph')
    root = svg_check(ctx, svg, 'the sampled flame graph')
    ns = '{http://www.w3.org/2000/svg}'
    titles = [t.text for t in root.iter(ns + 'title')]
    heading = [t.text for t in root.iter(ns + 'text')][0]
    total = sites_bytes(sampled)
    if heading != 'Allocated bytes (estimated): rows.lox' or \
            not titles[0].startswith('all\n~%d bytes' % total) or \
            not all(t.endswith('\nestimated: the run was sampled') for t in titles):
        fail('the sampled flame graph: %r, %r' % (heading, titles))
    expect_exit(ctx.mt('view', sampled, '--format', 'timeline', '-o', svg), 0, 'timeline')
    root = svg_check(ctx, svg, 'the sampled timeline')
    titles = [t.text for t in root.iter(ns + 'title')]
    heading = [t.text for t in root.iter(ns + 'text')][0]
    peak = report['timeline']['peak']
    if heading != 'Live bytes (estimated): rows.lox' or \
            'peak: ~%d bytes live, after ~%d bytes allocated (estimated)' % (
                peak['live_bytes'], peak['bytes_allocated']) not in titles:
        fail('the sampled timeline: %r, %r' % (heading, titles))
    out = os.path.join(ctx.tmp, 'sampled.speedscope.json')
    expect_exit(ctx.mt('view', sampled, '--format', 'speedscope', '-o', out), 0, 'speedscope')
    if [p['name'] for p in load(out)['profiles']] != [
            'rows.lox: allocated %s (estimated)' % what for what in ('bytes', 'objects', 'blocks')]:
        fail('speedscope names: %r' % load(out)['profiles'])
    # A seed above 2^63 (as a seed from the clock often is) is read too,
    # though not exactly: it is left out rather than shown wrong.
    big = ctx.trace(text, 'rows.lox', 'big.json', os.path.join(ctx.tmp, 's4'),
                    options=['--memtracer.SampleBytes=4KiB',
                             '--memtracer.Seed=18446744073709551615'])
    proc, result = compare_json(ctx, big, big)
    expect_exit(proc, 0, 'a report with a seed above 2^63')
    if result['base']['sampling'] != {'bytes': 4096, 'seed': None}:
        fail('a seed above 2^63: %r' % result['base'])


# -- gate ----------------------------------------------------------------------

# rows.lox's budget, of what ran unless it says otherwise; each figure is
# the base run's (see RUN_BYTES and the figures above it) or a round limit
# above it: build's bytes are its Array elements and its 1001 Arrays,
# 40320 + 32032 = 72352; the Arrays of the run are the rows, kept and
# label's parts, 1002 x 32 = 32064; its Array elements are line 9's and
# label's, 40320 + 16 = 40336 in 1008 + 1 blocks.  WHOLE_PEAK is the whole
# program's peak, start-up and compiling included, read from the report.
BUDGET = """\
# rows.lox's budget: what ran (phase: run, the default)
summary:
  peak: 72KB
  bytes: 72485
  allocations: == 1004
types:
  Array elements: {bytes: 40336, blocks: 1009}
  Array: {bytes: 32064, count: 1002}
functions:
  build: {bytes: 72352, file: rows.lox}
sites:
  - file: rows.lox
    line: 9
    function: build
    type: Array elements
    bytes: 40320
    blocks: == 1008
    average: 40
phases:
  all: {peak: WHOLE_PEAK}
"""


def case_gate(ctx):
    base = ctx.rows('base.json')
    whole_peak = load(base)['summary']['peak_bytes']
    budget = write(os.path.join(ctx.tmp, 'budget.yaml'),
                   BUDGET.replace('WHOLE_PEAK', str(whole_peak)))
    proc = ctx.mt('gate', base, budget)
    expect_exit(proc, 0, 'gate of the base run')
    if not proc.stdout.startswith('PASS: 12 limits met'):
        fail('gate pass: %r' % proc.stdout)
    # The regressed run breaks each limit on its bytes and the site's
    # average size (48320 / 1008 = 47.9), at the budget's lines; the run's
    # peak grew from 64357 to 72357, over the 72000 allowed, the whole
    # program's by 8000 too.
    head = ctx.rows('head.json', rows_regressed(), folder='head')
    proc = ctx.mt('gate', head, budget)
    expect_exit(proc, 1, 'gate of the regressed run')
    broken = [line for line in proc.stdout.splitlines() if line.startswith(budget + ':')]
    wanted = [
        (3, r'summary \(run\) peak_bytes is 72357 \(71 KiB\), over its limit 72000 \(70 KiB\) by 357$'),
        (4, r'summary \(run\) bytes is 80485 \(79 KiB\), over its limit 72485 \(71 KiB\) by 8000 '
            r'\(7\.8 KiB\)$'),
        (7, r'type Array elements \(run\) bytes is 48336 \(47 KiB\), over its limit 40336 \(39 KiB\) '
            r'by 8000'),
        (10, r'function build \(rows\.lox, run\) bytes is 80352 \(78 KiB\), over its limit 72352 '
             r'\(71 KiB\) by 8000'),
        (16, r'site rows\.lox:9 build Array elements \(run\) bytes is 48320 \(47 KiB\), over its '
             r'limit 40320 \(39 KiB\) by 8000'),
        (18, r'site rows\.lox:9 build Array elements \(run\) average_size is 47\.9, over its limit '
             r'40 by 7\.9$'),
        (20, r'summary \(all phases\) peak_bytes is %d \(.*\), over its limit %d \(.*\) by 8000 '
             % (whole_peak + 8000, whole_peak)),
    ]
    if len(broken) != len(wanted):
        fail('expected %d broken limits, got:\n%s' % (len(wanted), proc.stdout))
    for line, (number, pattern) in zip(broken, wanted):
        if not re.match(re.escape('%s:%d: ' % (budget, number)) + pattern, line):
            fail('expected %s:%d: %s, got %r' % (budget, number, pattern, line))
    if not proc.stdout.rstrip().endswith('FAIL: 7 of 12 limits exceeded: rows.lox (lox) against ' + budget):
        fail('gate fail summary: %r' % proc.stdout)
    # Inserted lines move label's Array and its two strings (made while
    # compiling, 2 x 32 bytes) from line 15 to 17; the budget still finds
    # them there, each of its phase.
    moved = ctx.rows('moved.json', rows_inserted_lines(), folder='moved')
    budget = write(os.path.join(ctx.tmp, 'label.yaml'),
                   'sites:\n  - {file: rows.lox, line: 15, function: label, type: Array,\n'
                   '     count: == 1, bytes: == 32}\n'
                   '  - {file: rows.lox, line: 15, function: label, type: String, phase: compile,\n'
                   '     count: == 2, bytes: == 64}\n')
    expect_exit(ctx.mt('gate', base, budget), 0, 'label\'s sites where the budget says')
    proc = ctx.mt('gate', moved, budget)
    expect_exit(proc, 0, 'gate of the run with inserted lines')
    budget = write(budget, 'sites:\n  - {file: rows.lox, line: 15, function: label, type: Array,\n'
                           '     bytes: 31}\n')
    proc = ctx.mt('gate', moved, budget)
    expect_exit(proc, 1, 'a moved site over its limit')
    if not proc.stdout.startswith(budget + ':3: site rows.lox:15 (now line 17) label Array (run) '
                                           'bytes is 32, over its limit 31 by 1'):
        fail('moved site: %r' % proc.stdout)


def case_gate_exact(ctx):
    base = ctx.rows('base.json')
    budget = write(os.path.join(ctx.tmp, 'exact.yaml'),
                   'exact: true\nsummary:\n  allocations: 1010\n  live: <= 1MiB\n'
                   'types:\n  Closure: {count: 3}\n  String: {count: 4, phase: compile}\n')
    proc = ctx.mt('gate', base, budget)
    expect_exit(proc, 1, 'exact budgets')
    lines = [l for l in proc.stdout.splitlines() if l.startswith(budget)]
    # allocations: 1004 objects ran (RUN_OBJECTS), not 1010; Closure: 2
    # ran (build's and label's), not 3; String: 5 made while compiling (the
    # globals' names build, label and rows, and label's "row" and "s"; the
    # natives' names push and len were made at start-up), not 4.  Each
    # within a limit: only exactness breaks them.  live_bytes, under
    # "<= 1MiB", is a limit.
    if [l[len(budget):] for l in lines] != [
            ':3: summary (run) allocations is 1004, not exactly 1010',
            ':6: type Closure (run) count is 2, not exactly 3',
            ':7: type String (compile) count is 5, not exactly 4']:
        fail('exact budget output: %r' % proc.stdout)


def case_gate_write(ctx):
    base = ctx.rows('base.json')
    budget = os.path.join(ctx.tmp, 'written.yaml')
    proc = ctx.mt('gate', base, budget, '--write')
    expect_exit(proc, 0, 'gate --write')
    text = open(budget, encoding='utf-8').read()
    # What ran (see RUN_BYTES and the figures above it): build's 1001
    # Arrays and 1008 blocks of elements, live but kept's outgrown
    # elements (64224), all of which it held at the peak too; the Array
    # elements of the run (line 9's and label's two) held 32192 + 16 at the
    # peak, when label's parts were still live.  Storage counts no objects:
    # no count for Array elements.
    summary = load(base)['summary']
    whole = '  all: {peak: %d, bytes: %d, allocations: %d, blocks: %d, live: %d, ' \
            'live_allocations: %d}' % tuple(summary[k] for k in (
                'peak_bytes', 'bytes', 'allocations', 'blocks', 'live_bytes', 'live_allocations'))
    for line in ['phase: run', '  peak: %d' % RUN_PEAK, '  bytes: %d' % RUN_BYTES,
                 '  allocations: %d' % RUN_OBJECTS, '  blocks: %d' % RUN_BLOCKS,
                 '  build: {bytes: 72352, count: 1001, blocks: 2009, live: 64224, peak: 64224}',
                 '  Array elements: {bytes: 40336, blocks: 1009, live: 32192, peak: 32208}',
                 'phases:', whole]:
        if line not in text.splitlines():
            fail('the written budget lacks %r:\n%s' % (line, text))
    if not re.search(r'^  start-up: \{peak: \d+', text, re.M) or \
            not re.search(r'^  compile: \{peak: \d+', text, re.M):
        fail('the written budget lacks start-up and compile:\n' + text)
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
        ('phase: walk\nsummary: {peak: 1}\n', r":1:8: 'phase' takes run, start-up, compile or all"),
        ('phases:\n  warm-up: {bytes: 1}\n', r":2:3: 'phase' takes run, start-up, compile or all"),
        ('summary: {phase: all}\n', r":1:11: unknown figure 'phase'"),
        ('sites:\n  - {file: r.lox, line: 1, function: f, type: T, phase: all}\n',
         r':2:5: a site is of one phase'),
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
    # bench gives the report's summary, the whole program's: its
    # allocations are the 1004 objects that ran (RUN_OBJECTS), 8 made while
    # compiling (3 Functions: the script's, build's, label's; 5 Strings: see
    # case_gate_exact) and 20 at start-up (10 Strings, the names of the 8
    # natives, of args and of init; 8 Natives; args, an Array; the script's
    # Closure): 1032.  The others are as a report of the same run says.
    summary = load(ctx.rows('rows.json'))['summary']
    for name, value in [('allocations', 1032), ('bytes', summary['bytes']),
                        ('blocks', summary['blocks']), ('peak_bytes', summary['peak_bytes']),
                        ('live_bytes', summary['live_bytes'])]:
        figure = figures[name]
        if figure['values'] != [value] * 3 or figure['min'] != value or figure['max'] != value \
                or figure['median'] != value or figure['mean'] != value or figure['stddev'] != 0:
            fail('bench %s is %r, expected %d on every run' % (name, figure, value))
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
    if not re.search(r'^ allocations\s+count\s+1032\s+1032\s+1032\s+1032\s+0$', proc.stdout, re.M):
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


def folded_lines(ctx, report, *options):
    proc = ctx.mt('view', report, '--format', 'folded', *options)
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
    # fib's recursion folds to one frame (the report folds it already, a
    # frame with `repeat`): its 177 Arrays and their elements, 5664 + 1416
    # bytes, are all under <script>;fib, and never fib;fib.
    weights = {';'.join(stack): weight for stack, weight in lines}
    if weights.get('<script>;fib') != 5664 + 1416:
        fail('recursion not folded into <script>;fib: %r' % weights)
    if any(a == b for stack, _ in lines for a, b in zip(stack, stack[1:])):
        fail('a folded stack repeats a frame: %r' % lines)
    if len(set(';'.join(s) for s, _ in lines)) != len(lines):
        fail('identical stacks are not one line')
    # What was made at start-up and while compiling is under a frame of its
    # phase, the function compiled above it; <root>, no guest function at
    # all, is not a frame of its own there.
    if not any(stack == ['[compile]', 'fib'] for stack, _ in lines) or \
            not any(stack == ['[start-up]'] for stack, _ in lines) or \
            any('<root>' in stack for stack, _ in lines) or \
            any(stack[0] not in ('<script>', '[compile]', '[start-up]') for stack, _ in lines):
        fail('phases in folded stacks: %r' % lines)
    # --phase run: what ran, summing to its bytes.
    ran = [(stack, weight) for stack, weight in folded_lines(ctx, fib, '--phase', 'run')]
    if sorted(ran) != [(['<script>'], 40), (['<script>', 'fib'], 5664 + 1416)]:
        fail('folded --phase run: %r' % ran)
    # Without stacks: a line per site's function, still summing exactly;
    # what ran is build's line 9 and 7 (72352, see case_gate), label's
    # Array, its elements and chars (32 + 16 + 5), the closures of
    # <script> (2 x 40).
    rows = ctx.rows('rows.json')
    lines = folded_lines(ctx, rows)
    if sum(w for _, w in lines) != sites_bytes(rows):
        fail('folded without stacks: %r' % lines)
    ran = dict((s[0], w) for s, w in lines if len(s) == 1 and not s[0].startswith('['))
    if ran != {'build': 72352, 'label': 53, '<script>': 80}:
        fail('what ran folded to %r' % lines)
    if any(s[0] not in ('[compile]', '[start-up]') for s, _ in lines if len(s) != 1):
        fail('folded without stacks: %r' % lines)
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
    by_bytes, by_count, by_blocks = data['profiles']
    if (by_bytes['unit'], by_count['unit'], by_blocks['unit']) != ('bytes', 'none', 'none'):
        fail('profile units %r' % ((by_bytes['unit'], by_count['unit'], by_blocks['unit']),))
    if sum(by_bytes['weights']) != sites_bytes(fib) or by_bytes['endValue'] != sites_bytes(fib):
        fail('speedscope bytes %d, the sites %d' % (sum(by_bytes['weights']), sites_bytes(fib)))
    if sum(by_count['weights']) != sum(s['count'] for s in load(fib)['sites']):
        fail('speedscope objects do not sum to the sites')
    if sum(by_blocks['weights']) != sum(s['blocks'] for s in load(fib)['sites']):
        fail('speedscope blocks do not sum to the sites')
    frames = data['shared']['frames']
    # Stacks are outermost first: every sample starts at <script>, or at
    # the frame of its phase.
    for sample in by_bytes['samples']:
        if frames[sample[0]]['name'] not in ('<script>', '[compile]', '[start-up]'):
            fail('a sample does not start at the outermost frame: %r' % [frames[i] for i in sample])
    if not any(f.get('name') == 'fib' and f.get('file') == 'fib.lox' and f.get('line') == 5
               for f in frames):
        fail('no frame fib at fib.lox:5: %r' % frames)
    # A report without stacks, and one with the keys to come, are valid too.
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
    # fib's 177 Arrays of 32 bytes and their elements of 8 (see fib.lox);
    # storage counts blocks, no objects.
    if 'type Array allocated in fib\n5664 bytes (5.5 KiB), %.2f%% of all; 177 blocks of 32 B on ' \
            'average, 177 objects' % (5664 / sites_bytes(fib) * 100) not in titles or \
            'type Array elements allocated in fib\n1416 bytes (1.4 KiB), %.2f%% of all; 177 blocks ' \
            'of 8 B on average' % (1416 / sites_bytes(fib) * 100) not in titles:
        fail('no Array and Array elements boxes for fib with 177 x 32 and 177 x 8 bytes: %r'
             % titles)
    # What start-up and compiling made, each under a box of its phase.
    if not any(t.startswith('[start-up]\n') for t in titles) or \
            not any(t.startswith('[compile]\n') for t in titles):
        fail('no boxes for start-up and compile: %r' % titles)
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


def without_timeline(ctx, report):
    """A copy of report with no timeline, as a hand-made report may be."""
    stripped = load(report)
    del stripped['timeline']
    return write(os.path.join(ctx.tmp, 'no-timeline.json'), json.dumps(stripped))


def case_view_timeline(ctx):
    rows = ctx.rows('rows.json')
    out = os.path.join(ctx.tmp, 'timeline.svg')
    # A report without a timeline: one clear line, exit 65, no file.
    proc = ctx.mt('view', without_timeline(ctx, rows), '--format', 'timeline', '-o', out)
    expect_exit(proc, 65, 'a timeline of a report without one')
    expect_one_line(proc, r'the report has no timeline', 'no timeline')
    if os.path.exists(out):
        fail('a failed view left %s' % out)
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
    # Version 1, which nothing writes any more, had no phases and counted
    # storage inside its objects: refused, not misread.
    old = load(good)
    old['version'] = 1
    old = write(os.path.join(ctx.tmp, 'old.json'), json.dumps(old))
    other = write(os.path.join(ctx.tmp, 'other.json'), '{"format": "something", "version": 1}')
    typed = load(good)
    typed['sites'][2]['count'] = 'many'
    typed = write(os.path.join(ctx.tmp, 'typed.json'), json.dumps(typed))
    missing = os.path.join(ctx.tmp, 'missing.json')
    budget = write(os.path.join(ctx.tmp, 'b.yaml'), 'summary:\n  peak: 1MiB\n')
    cases = [
        (malformed, 65, r'.*malformed\.json: not valid JSON: .*line 1'),
        (future, 65, r'.*future\.json: report version 3 is not supported \(this memtracer reads version 2\)'),
        (old, 65, r'.*old\.json: report version 1 is not supported \(this memtracer reads version 2\)'),
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
        (['compare', good, good, '--phase', 'warm-up'], r"unknown phase 'warm-up'"),
        (['view', good, '--format', 'folded', '--phase', 'gc'], r"unknown phase 'gc'"),
        (['view', good, '--format', 'timeline', '--phase', 'run'],
         r'--phase does not apply to a timeline'),
    ]:
        proc = ctx.mt(*args)
        expect_exit(proc, 64, ' '.join(args))
        if not re.search(pattern, proc.stderr.splitlines()[0] if proc.stderr else ''):
            fail('%s: stderr %r' % (' '.join(args), proc.stderr))


def case_output_file(ctx):
    good = ctx.rows('rows.json')
    # A failed view leaves an existing file as it was.
    kept = write(os.path.join(ctx.tmp, 'kept.svg'), 'precious\n')
    expect_exit(ctx.mt('view', without_timeline(ctx, good), '--format', 'timeline',
                       '-o', kept), 65,
                'a timeline of a report without one')
    if open(kept).read() != 'precious\n':
        fail('a failed view changed its output file')
    # A symlink is followed: its target gets the view, the link stays.  (The
    # first line of the folded view of rows.lox: <script>'s closures, the
    # first function by name, '<' before '[' and letters.)
    target = write(os.path.join(ctx.tmp, 'target.txt'), 'old\n')
    link = os.path.join(ctx.tmp, 'link.txt')
    os.symlink('target.txt', link)
    expect_exit(ctx.mt('view', good, '--format', 'folded', '-o', link), 0, 'view to a symlink')
    if not os.path.islink(link) or not open(target).read().startswith('<script> '):
        fail('the symlink was replaced, or its target not written')
    # A FIFO is written in place.
    fifo = os.path.join(ctx.tmp, 'fifo')
    os.mkfifo(fifo)
    reader = subprocess.Popen(['cat', fifo], stdout=subprocess.PIPE, text=True)
    expect_exit(ctx.mt('view', good, '--format', 'folded', '-o', fifo), 0, 'view to a FIFO')
    if not reader.communicate(timeout=30)[0].startswith('<script> '):
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


def report_shapes(value, path='', shapes=None):
    """Every object of a report by its place (`sites[]` for all sites,
    `sites[].stacks[].frames[]` for all frames): the list of its keys in
    order, once per object; and every value's JSON type by its place."""
    if shapes is None:
        shapes = ({}, {})
    objects, types = shapes
    types.setdefault(path, set()).add(type(value).__name__)
    if isinstance(value, dict):
        objects.setdefault(path, []).append(list(value))
        for key, member in value.items():
            report_shapes(member, path + '.' + key, shapes)
    elif isinstance(value, list):
        for member in value:
            report_shapes(member, path + '[]', shapes)
    return shapes


def check_shapes(made, written, what):
    """`made` (a report made by hand) has the shape of `written` (what the
    tracer wrote): at each place, only keys the tracer writes there, every
    key it always writes there, in its order, each value of a JSON type the
    tracer writes there."""
    made_objects, made_types = report_shapes(made)
    objects, types = report_shapes(written)
    for place, key_lists in made_objects.items():
        if place not in objects:
            fail('%s has objects at %r, where the tracer writes none' % (what, place))
        written_keys = [k for keys in objects[place] for k in keys]
        always = set.intersection(*(set(keys) for keys in objects[place]))
        for keys in key_lists:
            if not set(keys) <= set(written_keys) or not always <= set(keys):
                fail('%s at %r has keys %r; the tracer writes %r, always %r'
                     % (what, place, keys, sorted(set(written_keys)), sorted(always)))
            for tracer_keys in objects[place]:
                both = [k for k in keys if k in tracer_keys]
                if both != [k for k in tracer_keys if k in keys]:
                    fail('%s at %r orders its keys %r, the tracer %r'
                         % (what, place, keys, tracer_keys))
    for place, kinds in made_types.items():
        if not kinds <= types.get(place, set()):
            fail('%s at %r has %r, the tracer writes %r'
                 % (what, place, kinds, types.get(place)))


def sampled_variant(report, sample_bytes, seed):
    """`report` as a run sampled with SampleBytes and Seed would write it:
    `sampling` says how, the options too, and the tracer, which does not
    estimate unused bytes nor lifetimes, leaves them off its sites and
    writes the summary's unused bytes as 0."""
    sampled = json.loads(json.dumps(report))
    sampled['sampling'] = {'bytes': sample_bytes, 'seed': seed}
    sampled['options'].update({'SampleBytes': sample_bytes, 'Seed': seed})
    sampled['summary']['unused_bytes'] = 0
    for site in sampled['sites']:
        site.pop('unused_bytes', None)
        site.pop('lifetimes', None)
    return sampled


def case_version_2(ctx):
    # A version 2 report made by hand (tests/tools/report_v2.json) with
    # every key the tracer writes now: options, sampling (null: exact),
    # summary with unused_bytes and gc_cycles, timeline, and sites with
    # unused_bytes, lifetimes, retainers and retainers_rest, and stacks.
    # Its shape is that of a report lox writes with stacks (fib.lox's has
    # every key: recursion folded, unused storage, retainers beyond five),
    # and its figures add up (check_report).  What ran: 42 blocks (10 + 30
    # + 2) and 4000 bytes (2460 + 1440 + 100); start-up and compiling made
    # 2 + 2 blocks more.
    report = os.path.join(HERE, 'report_v2.json')
    check_report(report)
    fib = ctx.trace(source('fib.lox'), 'fib.lox', 'fib.json', os.path.join(ctx.tmp, 'fib'),
                    stacks=True)
    check_shapes(load(report), load(fib), 'report_v2.json')
    proc, result = compare_json(ctx, report, report)
    expect_exit(proc, 0, 'compare of a version 2 report')
    if result['summary']['blocks'] != {'base': 42, 'head': 42, 'change': 0, 'percent': 0.0,
                                       'from_zero': False, 'estimated': False} or \
            result['whole_program']['blocks']['base'] != 46:
        fail('blocks of a version 2 report: %r' % result['summary']['blocks'])
    # Unused storage: make's Node fields left 160 bytes unused while
    # running, the code compiled for make 8 more: 168 in all.  Sites
    # without unused_bytes have none (the tracer writes it when > 0).
    unused = result['summary']['unused_bytes']
    if (unused['base'], unused['change'], result['whole_program']['unused_bytes']['base']) != \
            (160, 0, 168) or \
            sorted(s['base']['unused_bytes'] for s in result['sites']) != [0, 0, 160]:
        fail('unused bytes of a version 2 report: %r, %r' % (unused, result['sites']))
    # Node fields average 2460 / 10 = 246 bytes a block; what ran 4000 / 42
    # = 95.2, under 100.
    budget = write(os.path.join(ctx.tmp, 'v2.yaml'),
                   'summary: {blocks: 41, average: 100}\n'
                   'types: {Node fields: {blocks: 10, average: 200, unused: 128}}\n')
    proc = ctx.mt('gate', report, budget)
    expect_exit(proc, 1, 'gate on blocks')
    if proc.stdout.splitlines() != [
            budget + ':1: summary (run) blocks is 42, over its limit 41 by 1',
            budget + ':2: type Node fields (run) average_size is 246, over its limit 200 by 46',
            budget + ':2: type Node fields (run) unused_bytes is 160, over its limit 128 by 32',
            'FAIL: 3 of 5 limits exceeded: tree.lox (lox) against ' + budget]:
        fail('version 2 gate: %r' % proc.stdout)
    # `repeat` folds recursion; what make's Node fields have no stack for
    # (all 2460 bytes) and what walk's one stack leaves out (40 of its 100
    # bytes) are lines of the function alone; start-up's String and the
    # code compiled for make under their phases; all add up to the sites'
    # 4120.
    lines = folded_lines(ctx, report)
    if sorted(lines) != sorted([(['<script>', 'make'], 1440), (['make'], 2460),
                                (['<script>', 'walk'], 60), (['walk'], 40),
                                (['[start-up]'], 80), (['[compile]', 'make'], 40)]):
        fail('version 2 folded: %r' % lines)
    # Sampled as the tracer samples (SampleBytes=512, Seed=7): `sampling`
    # has the shape of a sampled lox report's, whose sites carry neither
    # unused_bytes nor lifetimes.  Its figures are marked as estimates, and
    # its unused bytes are unavailable, not 0.
    written = ctx.trace(source('fib.lox'), 'fib.lox', 'sampled_fib.json',
                        os.path.join(ctx.tmp, 'fib'), stacks=True,
                        options=['--memtracer.SampleBytes=512', '--memtracer.Seed=7'])
    written = load(written)
    check_shapes({'sampling': {'bytes': 512, 'seed': 7}}, {'sampling': written['sampling']},
                 'sampling')
    if written['sampling'] != {'bytes': 512, 'seed': 7} or \
            any('unused_bytes' in s or 'lifetimes' in s for s in written['sites']):
        fail('lox wrote a sampled report unlike the variant made here: %r' % written['sampling'])
    sampled = write(os.path.join(ctx.tmp, 'sampled.json'),
                    json.dumps(sampled_variant(load(report), 512, 7)))
    proc = ctx.mt('compare', sampled, sampled)
    expect_exit(proc, 0, 'compare of a sampled version 2 report')
    if not re.search(r'^ bytes\s+~4000 \(3\.9 KiB\)\s+~4000 \(3\.9 KiB\)\s+~0$', proc.stdout,
                     re.M) or \
            not re.search(r'^ unused_bytes\s+-\s+-\s+unavailable$', proc.stdout, re.M) or \
            'both reports were sampled (one sample per 512 bytes on average, seed 7)' \
            not in proc.stdout:
        fail('sampled figures not marked: %s' % proc.stdout)
    proc = ctx.mt('gate', sampled, budget)
    if proc.stdout.splitlines()[2] != \
            budget + ':2: type Node fields (run) unused_bytes is unavailable in %s: not checked' \
            % sampled or not proc.stdout.rstrip().endswith(
                'FAIL: 2 of 4 limits exceeded, on estimates: tree.lox (lox) against ' + budget):
        fail('gate of a sampled version 2 report: %r' % proc.stdout)


# -- the worked example of docs/tools.md ----------------------------------------

EXAMPLE = os.path.join(HERE, '..', '..', 'examples', 'leak_and_churn.lox')

# The budget docs/tools.md commits for it (ci/leak_and_churn.budget.yaml).
EXAMPLE_BUDGET = """\
# ci/leak_and_churn.budget.yaml: what examples/leak_and_churn.lox may use
# while it runs (phase: run, the default).  Written with `memtracer gate
# base.json ci/leak_and_churn.budget.yaml --write`, then trimmed to what is
# worth watching.
summary:
  peak: 1MiB      # 912095 (891 KiB) today, most of it garbage not yet collected
  live: 4KiB      # 504 today: once a request is handled, nothing of it stays
functions:
  key: {bytes: 720KB, blocks: 50000}   # the churn: 702979 bytes, 47940 blocks today
"""


def example_base(text):
    """The handler before the pull request that keeps every request: it
    made each Request and dropped it."""
    assert 'push(seen, Request(request.id, name));' in text
    return text.replace('push(seen, Request(request.id, name));', 'Request(request.id, name);')


def case_example(ctx):
    text = open(EXAMPLE, encoding='utf-8').read()
    name = 'examples/leak_and_churn.lox'
    head = ctx.trace(text, name, 'head.json', os.path.join(ctx.tmp, 'head'))
    base = ctx.trace(example_base(text), name, 'base.json', os.path.join(ctx.tmp, 'base'))
    sites = {(s['line'], s['function'], s['type']): s for s in load(head)['sites']
             if s['phase'] == 'run'}
    # The leak, from the source: 5000 requests handled, each kept in `seen`
    # as a Request (40 bytes), whose two fields take a table of 8 entries
    # (128 bytes), made in Request.init for the kept and the dropped
    # requests alike (10000 tables, 5000 live); the name it keeps, made at
    # line 28, a String (32) and its chars: "GET " + the path + " #" + the
    # id's digits, and the terminating 0; seen's elements, grown to 8, 16,
    # ... 8192 slots (11 blocks, 8 x 16376 bytes), the last live (65536).
    paths = ['/', '/users', '/orders', '/items']
    chars = sum(len('GET ') + len(paths[(i - 1) % 4]) + len(' #') + len(str(i)) + 1
                for i in range(1, 5001))
    expected = {
        (33, 'handle', 'Request'): (5000, 5000, 200000, 200000),
        (9, 'Request.init', 'Request fields'): (10000, 5000, 1280000, 640000),
        (28, 'key', 'String'): (5000, 5000, 160000, 160000),
        (28, 'key', 'String chars'): (5000, 5000, chars, chars),
        (33, 'handle', 'Array elements'): (11, 1, 8 * 16376, 65536),
    }
    for key, figures in expected.items():
        site = sites.get(key)
        if site is None or (site['blocks'], site['live_blocks'], site['bytes'], site['live_bytes']) \
                != figures:
            fail('the example\'s %r is %r, expected blocks, live blocks, bytes, live bytes %r'
                 % (key, site, figures))
    # The churn: everything else key makes is garbage at once, in small
    # blocks (the digits spelled so far, 2 to 5 bytes of chars).
    churn = [s for k, s in sites.items() if k[1] == 'key' and k[0] != 28]
    if not churn or any(s['live_bytes'] for s in churn) or \
            sites[(25, 'key', 'String chars')]['average_size'] >= 5:
        fail('key\'s churn: %r' % churn)
    # The base keeps, once it is done, only the script's own: the Request
    # class (Class 48, its methods table 128, init's closure 40), seen (an
    # empty Array, 32), digits and paths (Arrays, 32 each, of 10 and 4
    # elements: 80 + 32), the closures of key and handle (2 x 40): 504.
    # The head keeps the leak's besides.
    proc, result = compare_json(ctx, base, head, '--fail-above', '5')
    expect_exit(proc, 1, 'compare of the example')
    live = result['summary']['live_bytes']
    leaked = 200000 + 640000 + 160000 + chars + 65536
    if (live['base'], live['head']) != (504, 504 + leaked):
        fail('the example\'s live bytes %r, expected 504 -> %d' % (live, 504 + leaked))
    if result['fail_above']['exceeded'] != ['peak_bytes'] or \
            [(s['status'], s['head']['line'], s['type']) for s in changed_sites(result)
             if s['status'] == 'new'] != [('new', 33, 'Array elements')]:
        fail('the example compared: %r' % result['fail_above'])
    # The pull-request comment: the regression a list item, the table after
    # a blank line (or it renders inside the list).
    proc = ctx.mt('compare', base, head, '--markdown', '--fail-above', '5')
    lines = proc.stdout.splitlines()
    if lines[:2] != ['### memtracer: examples/leak_and_churn.lox (lox)', ''] or \
            not lines[2].startswith('- **Regression:** peak_bytes (run) grew by +') or \
            lines[3:5] != ['', '| Figure (run) | Base | Head | Change |']:
        fail('the example\'s Markdown: %r' % lines[:5])
    proc = ctx.mt('compare', base, head)
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("At the program's peak"))
    if not re.match(r' examples/leak_and_churn\.lox:9 Request\.init\s+Request fields\s+\d+ -> \d+'
                    r'\s+\+\d+ \([+.\d]+%\)\s+[.\d]+%\s+0 -> 640000\s+\+640000 \(\+inf%\)$', lines[at + 2]):
        fail('the fields of the kept requests do not head what held the peak: %r' % lines[at:at + 4])
    # The committed budget: the base passes; the head breaks the peak and
    # the live limits, at their lines; key's churn is no worse.
    budget = write(os.path.join(ctx.tmp, 'leak_and_churn.budget.yaml'), EXAMPLE_BUDGET)
    proc = ctx.mt('gate', base, budget)
    expect_exit(proc, 0, 'the example\'s base against its budget')
    proc = ctx.mt('gate', head, budget)
    expect_exit(proc, 1, 'the example\'s head against its budget')
    broken = [line[len(budget):] for line in proc.stdout.splitlines() if line.startswith(budget)]
    if len(broken) != 2 or not broken[0].startswith(':6: summary (run) peak_bytes is ') or \
            not broken[1].startswith(':7: summary (run) live_bytes is %d (1.1 MiB), over its limit '
                                     '4096 (4.0 KiB)' % (504 + leaked)) or \
            'FAIL: 2 of 4 limits exceeded' not in proc.stdout:
        fail('the example\'s gate: %r' % proc.stdout)
    # The flame graph: key's churn under handle; Request.init's tables as
    # much under handle (kept) as under <script> (dropped): 5000 x 128.
    stacks = ctx.trace(text, name, 'stacks.json', os.path.join(ctx.tmp, 'head'), stacks=True)
    svg = os.path.join(ctx.tmp, 'flame.svg')
    expect_exit(ctx.mt('view', stacks, '--format', 'flamegraph', '-o', svg), 0, 'the flame graph')
    titles = [t.text for t in svg_check(ctx, svg, 'the example\'s flame graph').iter(
        '{http://www.w3.org/2000/svg}title')]
    if not any(t.startswith('key (examples/leak_and_churn.lox)\n') for t in titles):
        fail('no key box in the example\'s flame graph')
    weights = {';'.join(stack): weight for stack, weight in folded_lines(ctx, stacks, '--phase', 'run')}
    if weights.get('<script>;handle;Request.init') != 640000 or \
            weights.get('<script>;Request.init') != 640000 or '<script>;handle;key' not in weights:
        fail('the example folded: %r' % weights)



# -- the budgets docs/tools.md shows -------------------------------------------

TOOLS_DOC = os.path.join(HERE, '..', '..', 'docs', 'tools.md')


def doc_yaml_block(text, first_line):
    """The fenced YAML block of the doc whose first line is first_line."""
    start = text.index('```yaml\n' + first_line + '\n') + len('```yaml\n')
    return text[start:text.index('```', start)]


def case_doc_budgets(ctx):
    doc = open(TOOLS_DOC, encoding='utf-8').read()
    # The budget file's reference example is a budget for points.lox that
    # passes: each of its limits holds for the program as it is.
    budget = write(os.path.join(ctx.tmp, 'points.yaml'),
                   doc_yaml_block(doc, '# budget.yaml for examples/points.lox'))
    points = open(os.path.join(HERE, '..', '..', 'examples', 'points.lox'), encoding='utf-8').read()
    report = ctx.trace(points, 'examples/points.lox', 'points.json', os.path.join(ctx.tmp, 'points'))
    proc = ctx.mt('gate', report, budget)
    expect_exit(proc, 0, 'points.lox against the budget docs/tools.md shows for it')
    if not proc.stdout.startswith('PASS: 23 limits met'):
        fail('the documented budget: %r' % proc.stdout)
    # The worked example's committed budget is the one case_example checks.
    if EXAMPLE_BUDGET not in doc:
        fail('docs/tools.md does not show the budget case_example checks')


# -- docs/report.md, the JSON report's contract --------------------------------

REPORT_DOC = os.path.join(HERE, '..', '..', 'docs', 'report.md')


def doc_keys(text, heading):
    """The keys the table under heading lists, in order: each row's
    backquoted names, `points[]` as `points`."""
    section = text[text.index(heading + '\n'):]
    section = section[:section.index('\n#', 1)]
    keys = []
    for line in section.splitlines():
        if line.startswith('| `'):
            first = line.split('|')[1]
            keys += [key.rstrip('[]') for key in re.findall(r'`([^`]+)`', first)]
    return keys


def in_order(found, documented):
    """Whether the keys found come in the documented order."""
    positions = [documented.index(key) for key in found]
    return positions == sorted(positions)


def case_doc_report(ctx):
    doc = open(REPORT_DOC, encoding='utf-8').read()
    documented = {part: doc_keys(doc, heading) for part, heading in [
        ('top', '## JSON, version 2'), ('summary', '### `summary`'),
        ('timeline', '### `timeline`'), ('sites', '### `sites[]`')]}
    # The summary's keys as written: the order its section gives.
    said = re.search(r'The file\s+writes the keys in this order: (.*?);\s+the table', doc, re.S)
    written_order = re.findall(r'`([^`]+)`', said.group(1)) if said else []
    if sorted(written_order) != sorted(documented['summary']):
        fail('docs/report.md: the summary\'s order %r lists other keys than its table %r'
             % (written_order, documented['summary']))
    # A run with every optional key: stack traces (stacks), retainers and
    # unused storage (the leak), lifetimes (collections).
    text = open(EXAMPLE, encoding='utf-8').read()
    report = load(ctx.trace(text, 'examples/leak_and_churn.lox', 'all.json',
                            os.path.join(ctx.tmp, 'all'), stacks=True))
    if list(report) != documented['top']:
        fail('top-level keys %r, docs/report.md lists %r' % (list(report), documented['top']))
    if list(report['summary']) != written_order:
        fail('summary keys %r, docs/report.md says %r' % (list(report['summary']), written_order))
    if list(report['timeline']) != documented['timeline']:
        fail('timeline keys %r, docs/report.md lists %r'
             % (list(report['timeline']), documented['timeline']))
    seen = set()
    for site in report['sites']:
        unknown = [key for key in site if key not in documented['sites']]
        if unknown or not in_order(list(site), documented['sites']):
            fail('a site\'s keys %r, docs/report.md lists %r' % (list(site), documented['sites']))
        seen.update(site)
    if seen != set(documented['sites']):
        fail('no site of the run has %r' % sorted(set(documented['sites']) - seen))

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
