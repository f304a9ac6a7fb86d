#!/usr/bin/env python3
"""End-to-end tests of tracing with `lox --memtracer`: where the report goes,
that it is written on every way out (normal end, compile error, runtime
error, SIGINT, SIGTERM) and never half-written, and the usage errors of the
--memtracer options.

Usage: report_test.py LOX_BINARY CASE      (exit 0 when the case passed)
"""

import json
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def run(args, timeout=60, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, **kw)


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def expect_exit(proc, status):
    if proc.returncode != status:
        fail('exit status %d, expected %d; stderr: %r' % (proc.returncode, status, proc.stderr))


def site(report, line, typ, phase='run'):
    found = [s for s in report['sites']
             if s['line'] == line and s['type'] == typ and s['phase'] == phase]
    if len(found) != 1:
        fail('expected one %s site on line %d, found %d' % (typ, line, len(found)))
    return found[0]


def case_smoke(lox, tmp):
    # An array of three numbers: a 32-byte ObjArray and its elements, one
    # block of 3 x 8 bytes, on line 1 of the -c string.
    out = os.path.join(tmp, 'r.json')
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                '-c', 'var a = [1, 2, 3];'])
    expect_exit(proc, 0)
    report = load(out)
    s = site(report, 1, 'Array')
    if (s['file'], s['kind'], s['count'], s['blocks'], s['bytes']) != \
            ('<string>', 'object', 1, 1, 32):
        fail('Array site is %r' % s)
    s = site(report, 1, 'Array elements')
    if (s['kind'], s['count'], s['blocks'], s['bytes']) != ('storage', 0, 1, 24):
        fail('Array elements site is %r' % s)


def case_code_reused(lox, tmp):
    # Two REPL lines each make a function that allocates one array and is
    # then garbage; under GC stress the first is freed before the second
    # is compiled, and malloc gives g's code f's old address.  Each array
    # is still charged to its own function, not to whatever site was last
    # seen at that address.
    out = os.path.join(tmp, 'r.json')
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out],
               input='{ fun f() { return [1]; } f(); }\n'
                     '{ fun g() { return [2]; } g(); }\n',
               env=dict(os.environ, LOX_GC_STRESS='1'))
    expect_exit(proc, 0)
    arrays = sorted((s['function'], s['count'], s['bytes'])
                    for s in load(out)['sites']
                    if s['type'] == 'Array' and s['line'] == 1)
    if arrays != [('f', 1, 32), ('g', 1, 32)]:
        fail('the arrays are charged to %r' % arrays)


def case_default_stderr(lox, tmp):
    proc = run([lox, '--memtracer', '-c', 'print "out"; var a = [1, 2, 3];'])
    expect_exit(proc, 0)
    if proc.stdout != 'out\n':
        fail('stdout %r: the report must not go there' % proc.stdout)
    lines = proc.stderr.splitlines()
    if not lines[0].startswith('Memory Tracer. Recorded '):
        fail('stderr does not start with the table header: %r' % lines[:2])
    if not any(l.split('||')[0].strip() == '<string>:1' and l.split('||')[3].strip() == 'Array'
               and l.split('||')[1].strip() == '1' for l in lines if '||' in l):
        fail('no table row for the Array at <string>:1 with count 1:\n' + proc.stderr)


def case_runtime_error(lox, tmp):
    out = os.path.join(tmp, 'r.json')
    script = write(tmp, 'err.lox', 'var a = [1, 2];\nprint a[5];\n')
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out, script])
    expect_exit(proc, 70)
    if 'Array index 5 out of bounds' not in proc.stderr:
        fail('runtime error message missing: %r' % proc.stderr)
    site(load(out), 1, 'Array')


def case_compile_error(lox, tmp):
    out = os.path.join(tmp, 'r.json')
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                '-c', 'var s = "kept";\nprint ;'])
    expect_exit(proc, 65)
    # The compiler had made the literal on line 1 before it met the error.
    if site(load(out), 1, 'String', 'compile')['count'] < 1:
        fail('the string literal of line 1 is missing')


def interrupted(lox, tmp, signum, status):
    out = os.path.join(tmp, 'r.json')
    script = write(tmp, 'loop.lox',
                   'print "started";\nvar keep = [];\nwhile (true) push(keep, [1]);\n')
    # stdout is a terminal, so the script's print arrives as soon as it runs.
    parent, child = pty.openpty()
    proc = subprocess.Popen([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                             script], stdout=child, stderr=subprocess.PIPE, text=True)
    os.close(child)
    with os.fdopen(parent, 'rb', buffering=0) as terminal:
        if terminal.read(len(b'started')) != b'started':
            fail('the script did not start')
    time.sleep(0.3)
    if os.path.exists(out):
        fail('the report exists before the run ended')
    proc.send_signal(signum)
    proc.communicate(timeout=30)
    if proc.returncode != status:
        fail('exit status %d after signal %d, expected %d' % (proc.returncode, signum, status))
    report = load(out)
    if site(report, 3, 'Array')['count'] < 1000:
        fail('the report of an interrupted run has too few arrays')
    if [f for f in os.listdir(tmp) if f not in ('r.json', 'loop.lox')]:
        fail('temporary files left behind: %r' % os.listdir(tmp))


# Three calls deep, as in fermi/stacks.lox: leaf's array (a 32-byte
# object and 2 x 8 bytes of elements) is made ten times from line 6 and
# once from line 7.
DEEP = ('fun leaf() { return [1, 2]; }\n'
        'fun mid() { return leaf(); }\n'
        'fun top() { return mid(); }\n'
        'var keep = [];\n'
        '\n'
        'for (var i = 0; i < 10; i = i + 1) push(keep, top());\n'
        'push(keep, top());\n')


def traced(lox, tmp, output):
    script = write(tmp, 'deep.lox', DEEP)
    proc = run([lox, '--memtracer.Output=' + output, script])
    expect_exit(proc, 0)
    return script, proc.stderr.splitlines()


def rows(lines):
    return [[cell.strip() for cell in l.split('||')] for l in lines if '||' in l]


def case_table_stacks(lox, tmp):
    script = write(tmp, 'deep.lox', DEEP)
    proc = run([lox, '--memtracer.TraceStackTraces=true', script])
    expect_exit(proc, 0)
    lines = proc.stderr.splitlines()
    # An object has no capacity: Unused "-".  keep's elements, grown full
    # from 8 slots to 16, hold 11 values at exit: 5 slots of 8 bytes
    # unused; [1, 2] is made with the 2 slots it fills.
    for row in (['%s:6' % script, '2', '192 B', 'Array elements', '<script>',
                 '96 B', '1', '128 B', '40 B'],
                ['%s:1' % script, '11', '176 B', 'Array elements', 'leaf',
                 '16 B', '11', '176 B', '0 B']):
        if row not in rows(lines):
            fail('no row %r:\n%s' % (' || '.join(row), proc.stderr))
    row = ['%s:1' % script, '11', '352 B', 'Array', 'leaf', '32 B', '11', '352 B',
           '-']
    at = [i for i, l in enumerate(lines) if rows([l]) == [row]]
    if len(at) != 1:
        fail('no row %r:\n%s' % (' || '.join(row), proc.stderr))
    want = ['   10 allocations, 320 B:',
            '    at leaf (%s:1)' % script, '    at mid (%s:2)' % script,
            '    at top (%s:3)' % script, '    at <script> (%s:6)' % script,
            '   1 allocation, 32 B:',
            '    at leaf (%s:1)' % script, '    at mid (%s:2)' % script,
            '    at top (%s:3)' % script, '    at <script> (%s:7)' % script]
    if lines[at[0] + 1:at[0] + 11] != want:
        fail('call paths under the row are\n%s\nexpected\n%s'
             % ('\n'.join(lines[at[0] + 1:at[0] + 11]), '\n'.join(want)))


def case_histogram(lox, tmp):
    script, lines = traced(lox, tmp, 'histogram')
    table = rows(lines)
    if table[0] != ['Self Count', 'Self Size', 'Total Count', 'Total Size',
                    'Location', 'Name']:
        fail('histogram header is %r' % table[0])
    # leaf makes the 11 arrays and their elements: 11 x (32 + 16) bytes.
    by_name = {r[5]: r[:5] for r in table[1:]}
    for name, line in (('leaf', 1), ('mid', 2), ('top', 3)):
        self_figures = ['11', '528 B'] if name == 'leaf' else ['0', '0 B']
        want = self_figures + ['11', '528 B', '%s:%d' % (script, line)]
        if by_name.get(name) != want:
            fail('histogram row of %s is %r, expected %r' % (name, by_name.get(name), want))


def case_typehistogram(lox, tmp):
    _, lines = traced(lox, tmp, 'typehistogram')
    table = rows(lines)
    if table[0] != ['Type', 'Count', 'Size']:
        fail('typehistogram header is %r' % table[0])
    # leaf's 11 arrays, keep and the VM's (empty) array of script
    # arguments: 13 objects of 32 bytes; their elements: leaf's 11 blocks
    # of 16 bytes and keep's, grown to 8 then 16 slots (64 + 128 bytes).
    for row in (['Array', '13', '416 B'], ['Array elements', '13', '368 B']):
        if row not in table:
            fail('no typehistogram row %r:\n%s' % (' || '.join(row), '\n'.join(lines)))


def case_calltree(lox, tmp):
    script, lines = traced(lox, tmp, 'calltree')
    # Each array is 32 + 16 bytes with its elements.
    want = ['    top (%s:3) total=10 (480 B) self=0 (0 B) from line 6' % script,
            '      mid (%s:2) total=10 (480 B) self=0 (0 B) from line 3' % script,
            '        leaf (%s:1) total=10 (480 B) self=10 (480 B) from line 2' % script,
            '    top (%s:3) total=1 (48 B) self=0 (0 B) from line 7' % script,
            '      mid (%s:2) total=1 (48 B) self=0 (0 B) from line 3' % script,
            '        leaf (%s:1) total=1 (48 B) self=1 (48 B) from line 2' % script]
    start = [i for i, l in enumerate(lines) if l == want[0]]
    if len(start) != 1 or lines[start[0]:start[0] + 6] != want:
        fail('calltree is\n%s\nexpected it to hold\n%s' % ('\n'.join(lines), '\n'.join(want)))


def case_top(lox, tmp):
    # Top=2 keeps the two largest rows of what ran -- leaf's arrays (352 B)
    # and keep's elements on line 6 (192 B) -- and sums up the rest:
    # leaf's elements (11 blocks, 176 B), keep (32 B) and the three
    # closures (40 B each): 15 blocks, 328 B in 5 rows.
    script = write(tmp, 'deep.lox', DEEP)
    proc = run([lox, '--memtracer.Top=2', script])
    expect_exit(proc, 0)
    lines = proc.stderr.splitlines()
    table = rows(lines)
    if [r[:4] for r in table[1:]] != [['%s:1' % script, '11', '352 B', 'Array'],
                                      ['%s:6' % script, '2', '192 B', 'Array elements']]:
        fail('the rows are\n%s' % proc.stderr)
    if lines[-1] != ' ... 5 more rows (Top): 15 blocks, 328 B':
        fail('the last line is %r' % lines[-1])


def case_phases(lox, tmp):
    # By default the table lists what ran; start-up (8 natives of 32 B and
    # the 32-byte args array, 10 strings of 32 B with 95 B of characters,
    # the script's 40-byte closure: 30 blocks, 743 B) and compiling (the
    # script's function, its code, constants and strings) are a line each.
    # With Phases=all they are rows too.
    script = write(tmp, 'deep.lox', DEEP)
    proc = run([lox, '--memtracer', script])
    expect_exit(proc, 0)
    lines = proc.stderr.splitlines()
    for start in ('Start-up made 30 blocks, 743 B (', 'Compiling made '):
        if not any(l.startswith(start) for l in lines):
            fail('no line "%s...":\n%s' % (start, proc.stderr))
    if any(r[3] == 'Function code' for r in rows(lines)[1:]):
        fail('compiling is listed by default:\n' + proc.stderr)
    proc = run([lox, '--memtracer.Phases=all', script])
    table = rows(proc.stderr.splitlines())
    if not any(r[3] == 'Function code' for r in table[1:]) or \
            not any(r[0] == '[start-up]' and r[3] == 'Native' for r in table[1:]):
        fail('Phases=all does not list compiling and start-up:\n' + proc.stderr)
    if any(l.startswith('Compiling made') for l in proc.stderr.splitlines()):
        fail('Phases=all still sums up compiling in a line')


def case_lifetimes(lox, tmp):
    # Under LOX_GC_STRESS=1 every allocation collects first.  10 arrays are
    # kept, then 60 made and dropped, then the kept ones dropped too.  A
    # dropped [i, i] is alive in the one collection its elements' allocation
    # runs, and dead in the next (the next array's), so it dies aged 1.  The
    # kept ones die in the full collection before the report, the second
    # loop's 120 collections after the last of them was born: aged 16 or
    # more, and the run stays under 256 collections, where ages are counted
    # from 0 again.
    out = os.path.join(tmp, 'r.json')
    script = write(tmp, 'ages.lox',
                   'var keep = [];\n'
                   'for (var i = 0; i < 10; i = i + 1) push(keep, [i]);\n'
                   'for (var i = 0; i < 60; i = i + 1) [i, i];\n'
                   'keep = nil;\n')
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                script], env=dict(os.environ, LOX_GC_STRESS='1'))
    expect_exit(proc, 0)
    report = load(out)
    cycles = report['summary']['gc_cycles']
    if not 120 < cycles < 256:
        fail('%d collections' % cycles)
    dropped = site(report, 3, 'Array')['lifetimes']
    if dropped != {'young': 0, 'ages': [0, 60, 0, 0, 0, 0]}:
        fail('the dropped arrays died at %r' % dropped)
    kept = site(report, 2, 'Array')['lifetimes']
    if kept != {'young': 0, 'ages': [0, 0, 0, 0, 0, 10]}:
        fail('the kept arrays died at %r' % kept)
    if 'lifetimes' in site(report, 3, 'Array elements'):
        fail('storage has lifetimes')


def case_collects_as_untraced(lox, tmp):
    # The collector counts an object at its struct's size in the VM without
    # hooks (heap.h), so a traced run collects when an untraced one would.
    # An empty class's instance is 40 bytes there and 48 traced (its field
    # table's tag): the report counts the book's 40 too.  Before the loop
    # the heap holds about 2 KB (start-up strings and natives, the script's
    # function and class).  25000 instances dropped at once count 1,000,000
    # bytes, under the first threshold (1 MiB, 1,048,576) with those 2 KB:
    # the run's one collection is the one before the report.  Counted at
    # the traced 48 bytes they would pass it (1,200,000).  27000 count
    # 1,080,000: past it, so the loop collects too.
    out = os.path.join(tmp, 'r.json')
    for count, in_loop in ((25000, False), (27000, True)):
        script = write(tmp, 'cells.lox',
                       'class Cell {}\n'
                       'for (var i = 0; i < %d; i = i + 1) Cell();\n' % count)
        proc = run([lox, '--memtracer.Output=json',
                    '--memtracer.OutputFile=' + out, script])
        expect_exit(proc, 0)
        report = load(out)
        cells = site(report, 2, 'Cell')
        if cells['count'] != count or cells['bytes'] != 40 * count:
            fail('%d cells counted %d, %d bytes'
                 % (count, cells['count'], cells['bytes']))
        cycles = report['summary']['gc_cycles']
        if (cycles > 1) != in_loop:
            fail('%d cells: %d collections' % (count, cycles))


def case_timeline_bound(lox, tmp):
    # Ten million blocks (five million arrays and their elements): the
    # timeline keeps at most 1024 points plus the last, spread evenly over
    # the bytes obtained, which only grow; the last point is the end.
    out = os.path.join(tmp, 'r.json')
    script = write(tmp, 'many.lox',
                   'for (var i = 0; i < 5000000; i = i + 1) [i];\n')
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                script], timeout=600)
    expect_exit(proc, 0)
    report = load(out)
    timeline = report['timeline']
    points = timeline['points']
    if not 500 <= len(points) <= 1025:
        fail('%d points' % len(points))
    clock = [p['bytes_allocated'] for p in points]
    if clock != sorted(clock) or clock[-1] != report['summary']['bytes']:
        fail('the clock is not the bytes obtained, in order')
    steps = [b - a for a, b in zip(clock, clock[1:-1])]
    if max(steps) > 2 * timeline['interval']:
        fail('points are not spread evenly: a step of %d, interval %d'
             % (max(steps), timeline['interval']))
    peak = timeline['peak']
    if peak['live_bytes'] != report['summary']['peak_bytes'] or \
            not 0 <= peak['bytes_allocated'] <= clock[-1]:
        fail('the peak is %r' % peak)
    if points[-1]['gc_cycles'] != report['summary']['gc_cycles'] or \
            points[-1]['gc_cycles'] < 2:
        fail('collections are not marked')


def case_snapshot(lox, tmp):
    # memtracer_snapshot(path) writes what was recorded so far: the four
    # arrays of line 1 (the outer one and the three in it); the report at
    # the end has all seven.  A path that cannot be written: false, and one
    # line on stderr.
    out = os.path.join(tmp, 'r.json')
    snap = os.path.join(tmp, 'snap.json')
    script = write(tmp, 'snap.lox',
                   'var a = [[1], [2], [3]];\n'
                   'print memtracer_snapshot("%s");\n'
                   'print memtracer_snapshot("%s");\n'
                   'var b = [[4], [5]];\n'
                   % (snap, os.path.join(tmp, 'no-such-dir', 's.json')))
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                script])
    expect_exit(proc, 0)
    if proc.stdout != 'true\nfalse\n':
        fail('the snapshots returned %r' % proc.stdout)
    lines = proc.stderr.splitlines()
    if len(lines) != 1 or 'no-such-dir' not in lines[0]:
        fail('stderr: %r' % proc.stderr)
    if site(load(snap), 1, 'Array')['count'] != 4:
        fail('the snapshot does not hold the first four arrays')
    report = load(out)
    if site(report, 1, 'Array')['count'] != 4 or site(report, 4, 'Array')['count'] != 3:
        fail('the report does not hold all seven arrays')
    # An empty name is no file; a snapshot to standard output comes after
    # what the program printed before it.
    script = write(tmp, 'snap2.lox', 'print "before";\nprint memtracer_snapshot("");\n'
                                     'print memtracer_snapshot("-");\n')
    proc = run([lox, '--memtracer.OutputFile=' + out, script])
    expect_exit(proc, 0)
    if not proc.stdout.startswith('before\nfalse\nMemory Tracer.') or \
            not proc.stdout.endswith('true\n') or \
            proc.stderr != "lox: cannot write report '': No such file or directory\n":
        fail('odd snapshot names: %r %r' % (proc.stdout[:60], proc.stderr))


LEAKS = ('class Order {\n'
         '  init(id) { this.id = id; }\n'
         '}\n'
         'var auditLog = [];\n'
         'fun record(id) {\n'
         '  var order = Order(id);\n'
         '  push(auditLog, order);\n'
         '  var temp = [id];\n'
         '}\n'
         'for (var i = 0; i < 3; i = i + 1) record(i);\n'
         'class Node { init(next) { this.next = next; } }\n'
         'var list = nil;\n'
         'for (var i = 0; i < 4; i = i + 1) list = Node(list);\n')


def case_leaks_json(lox, tmp):
    # After the full collection at exit, what is left is what the globals
    # reach, each block with the path that reaches it first.  An instance
    # is 40 bytes and an array 32; a table of 8 entries of 16 bytes holding
    # one field, 128 bytes of which 7 * 16 = 112 unused; auditLog's
    # elements, grown to 8 slots of 8 bytes, hold 3: 40 bytes unused.  The
    # 4 Nodes are a list: a run of Node is one step, so all 4 share one
    # path.  temp is garbage.
    out = os.path.join(tmp, 'r.json')
    script = write(tmp, 'leaks.lox', LEAKS)
    expect_exit(run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                     script]), 0)
    report = load(out)

    def retained(path, count, blocks, size):
        return [{'path': path, 'count': count, 'blocks': blocks, 'bytes': size}]
    order = ['global auditLog', 'Array', 'Order']
    for line, type_, live, size, unused, retainers in [
            (6, 'Order', 3, 120, None, retained(order, 3, 3, 120)),
            (2, 'Order fields', 3, 384, 336, retained(order, 0, 3, 384)),
            (4, 'Array', 1, 32, None, retained(order[:2], 1, 1, 32)),
            (7, 'Array elements', 1, 64, 40, retained(order[:2], 0, 1, 64)),
            (13, 'Node', 4, 160, None, retained(['global list', 'Node'], 4, 4, 160)),
            (11, 'Node fields', 4, 512, 448,
             retained(['global list', 'Node'], 0, 4, 512)),
            (2, 'Order methods', 1, 128, 112,
             retained(['global Order', 'Class'], 0, 1, 128)),
            (2, 'Closure', 1, 40, None,
             retained(['global Order', 'Class', 'Closure'], 1, 1, 40)),
            (8, 'Array', 0, 0, None, None)]:
        s = site(report, line, type_)
        got = (s['live_blocks'], s['live_bytes'], s.get('unused_bytes'),
               s.get('retainers'))
        if got != (live, size, unused, retainers):
            fail('%s at line %d: live, unused, retainers %r, expected %r'
                 % (type_, line, got, (live, size, unused, retainers)))


def case_leaks_table(lox, tmp):
    # Output=leaks: only what is live at exit, by live bytes, each row with
    # what keeps it alive; temp's arrays (line 8) are not listed.  The field
    # tables (4 and 3 of 128 B) come first, then the 4 Nodes of 40 B
    # (160 B), the two methods tables of 128 B (a tie: by line, Order's
    # first) and the 3 Orders of 40 B (120 B).  Live at exit: 42 objects
    # -- 17 strings, 8 natives and 2 arrays of 32 B, 3 functions of 88, 2
    # classes of 48, 3 closures and 7 instances of 40: 1624 B -- and 36
    # blocks of their storage, 1863 B: 78 blocks, 3487 B (3.4 KiB).
    script = write(tmp, 'leaks.lox', LEAKS)
    proc = run([lox, '--memtracer.Output=leaks', script])
    expect_exit(proc, 0)
    lines = proc.stderr.splitlines()
    table = rows(lines)
    if table[0] != ['Source Location', 'Live', 'Live Size', 'Type', 'Function',
                    'Unused']:
        fail('leaks header is %r' % table[0])
    want = [
        ['%s:11' % script, '4', '512 B', 'Node fields', 'Node.init', '448 B'],
        '   kept alive by global list \u2192 Node: 4 blocks, 512 B',
        ['%s:2' % script, '3', '384 B', 'Order fields', 'Order.init', '336 B'],
        '   kept alive by global auditLog \u2192 Array \u2192 Order: 3 blocks, 384 B',
        ['%s:13' % script, '4', '160 B', 'Node', '<script>', '-'],
        '   kept alive by global list \u2192 Node: 4 objects, 160 B',
        ['%s:2' % script, '1', '128 B', 'Order methods', '<script>', '112 B'],
        '   kept alive by global Order \u2192 Class: 1 block, 128 B',
        ['%s:11' % script, '1', '128 B', 'Node methods', '<script>', '112 B'],
        '   kept alive by global Node \u2192 Class: 1 block, 128 B',
        ['%s:6' % script, '3', '120 B', 'Order', 'record', '-'],
        '   kept alive by global auditLog \u2192 Array \u2192 Order: 3 objects, 120 B',
    ]
    first = next(i for i, l in enumerate(lines) if l.startswith(' Source Location'))
    got = [rows([l])[0] if '||' in l else l for l in lines[first + 1:first + 13]]
    if got != want:
        fail('leaks rows are\n%s' % '\n'.join(lines[first + 1:first + 13]))
    if any(r[0] == '%s:8' % script for r in table[1:]):
        fail('garbage listed as a leak')
    if 'Live at exit: 78 blocks, 3.4 KiB, by where they were made and what ' \
            'keeps them alive.' not in lines:
        fail('no live-at-exit line:\n' + proc.stderr)


def case_peak(lox, tmp):
    # Under LOX_GC_STRESS=1 garbage goes at once, so the peak comes when
    # make's array grows from 16 slots to 32 (256 bytes): the run holds
    # then that block, the array (32 B) and make's closure (40 B), 328 B;
    # start-up holds 743 B and compiling 896 B (the script's and make's
    # functions of 88 B, 3 strings of 32 B, and 624 B of code, constants
    # and characters), so the peak is 1967 B (1.9 KiB).  keep's array is
    # gone by the end; small is smaller.  In all 2599 B (2.5 KiB) are
    # obtained: start-up's 743 B, compiling's 1296 B with the code blocks
    # it outgrew, and the run's 560 B (make's elements at 8, 16 and 32
    # slots, the closure, two arrays and small's element).
    script = write(tmp, 'peak.lox',
                   'fun make() { var a = []; for (var i = 0; i < 20; i = i + 1) '
                   'push(a, i); return a; }\n'
                   'var keep = make();\n'
                   'keep = nil;\n'
                   'var small = [1];\n')
    proc = run([lox, '--memtracer.Output=peak', script],
               env=dict(os.environ, LOX_GC_STRESS='1'))
    expect_exit(proc, 0)
    lines = proc.stderr.splitlines()
    table = rows(lines)
    want = [['Source Location', 'Peak Count', 'Peak Size', 'Type', 'Function', 'Share'],
            ['%s:1' % script, '1', '256 B', 'Array elements', 'make', '13.0%'],
            ['%s:1' % script, '1', '40 B', 'Closure', '<script>', '2.0%'],
            ['%s:1' % script, '1', '32 B', 'Array', 'make', '1.6%']]
    if table != want:
        fail('peak rows are %r' % table)
    for line in ['Start-up held 30 blocks, 743 B (--memtracer.Phases=all lists them).',
                 'Compiling held 14 blocks, 896 B (--memtracer.Phases=all lists them).']:
        if line not in lines:
            fail('no line %r:\n%s' % (line, proc.stderr))
    if not lines[0].startswith('Memory Tracer. Recorded 28 allocations, 2.5 KiB; '
                               'peak 1.9 KiB live;'):
        fail('header: %r' % lines[0])


SAMPLED = ('class Point { init(x, y) { this.x = x; this.y = y; } }\n'
           'for (var i = 0; i < 100000; i = i + 1) {\n'
           '  Point(i, i);\n'
           '  [i, i, i];\n'
           '}\n')
# What SAMPLED makes while it runs, by (line, type): 100000 of each, a
# Point of 40 bytes with a field table of 8 entries (128 bytes), an Array of
# 32 bytes with 3 elements of 8 bytes: 22.4 MB in all.
SAMPLED_SITES = {(3, 'Point'): (100000, 4000000),
                 (1, 'Point fields'): (100000, 12800000),
                 (4, 'Array'): (100000, 3200000),
                 (4, 'Array elements'): (100000, 2400000)}


def sampled_figures(lox, tmp, *options):
    out = os.path.join(tmp, 'r.json')
    script = write(tmp, 'sampled.lox', SAMPLED)
    expect_exit(run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out]
                    + list(options) + [script]), 0)
    report = load(out)
    figures = {}
    for key in SAMPLED_SITES:
        match = [s for s in report['sites']
                 if (s['line'], s['type']) == key and s['phase'] == 'run']
        figures[key] = ((match[0]['blocks'], match[0]['bytes']) if match
                        else (0, 0))
    return report, figures


def case_sampling(lox, tmp):
    # Exact, the figures are as derived.  Sampled at one block per 4 KiB
    # (about 5500 samples), each site -- every one holds 10% of the bytes or
    # more -- is estimated within 10% with a fixed seed, the report says it
    # is sampled and how to repeat it, and the same seed repeats it.  Over
    # seeds 1..50 the estimates average within 2% of the truth: unbiased.
    report, exact = sampled_figures(lox, tmp)
    if exact != SAMPLED_SITES or report['sampling'] is not None:
        fail('exact figures %r, sampling %r' % (exact, report['sampling']))
    report, sampled = sampled_figures(lox, tmp, '--memtracer.SampleBytes=4KiB',
                                      '--memtracer.Seed=1')
    if report['sampling'] != {'bytes': 4096, 'seed': 1}:
        fail('sampling is %r' % report['sampling'])
    for key, (blocks, size) in SAMPLED_SITES.items():
        got = sampled[key]
        if abs(got[0] - blocks) > blocks / 10 or abs(got[1] - size) > size / 10:
            fail('%s at line %d estimated %r, exactly %r' % (key[1], key[0], got,
                                                              (blocks, size)))
    if sampled_figures(lox, tmp, '--memtracer.SampleBytes=4KiB',
                       '--memtracer.Seed=1')[1] != sampled:
        fail('Seed=1 does not repeat the run')
    sums = {key: [0, 0] for key in SAMPLED_SITES}
    for seed in range(1, 51):
        _, figures = sampled_figures(lox, tmp, '--memtracer.SampleBytes=4KiB',
                                     '--memtracer.Seed=%d' % seed)
        for key in SAMPLED_SITES:
            sums[key][0] += figures[key][0]
            sums[key][1] += figures[key][1]
    for key, (blocks, size) in SAMPLED_SITES.items():
        mean = (sums[key][0] / 50, sums[key][1] / 50)
        if abs(mean[0] - blocks) > blocks / 50 or abs(mean[1] - size) > size / 50:
            fail('%s at line %d: the mean estimate over 50 seeds is %r, exactly %r'
                 % (key[1], key[0], mean, (blocks, size)))


def case_sampling_table(lox, tmp):
    # The table says it is sampled and marks every figure as an estimate.
    script = write(tmp, 'sampled.lox', SAMPLED)
    proc = run([lox, '--memtracer.SampleBytes=4KiB', '--memtracer.Seed=1', script])
    expect_exit(proc, 0)
    lines = proc.stderr.splitlines()
    if 'Sampled: about one block per 4.0 KiB obtained (--memtracer.Seed=1 ' \
            'repeats it); every figure is an estimate.' not in lines:
        fail('no sampling line:\n' + proc.stderr)
    for row in rows(lines)[1:]:
        if not all(cell.startswith('~') for cell in row[1:3] + row[5:]):
            fail('a figure not marked as estimated: %r' % row)


def case_sigint(lox, tmp):
    interrupted(lox, tmp, signal.SIGINT, -signal.SIGINT)


def case_sigterm(lox, tmp):
    interrupted(lox, tmp, signal.SIGTERM, -signal.SIGTERM)


def case_unwritable_output(lox, tmp):
    out = os.path.join(tmp, 'no-such-dir', 'r.json')
    proc = run([lox, '--memtracer.OutputFile=' + out, '-c', 'print "ran";'])
    expect_exit(proc, 74)
    if proc.stdout:
        fail('the script ran although its report could not be written')
    if len(proc.stderr.splitlines()) != 1 or out not in proc.stderr:
        fail('expected one line naming %s, got %r' % (out, proc.stderr))


def usage_error(lox, word, *mentions):
    proc = run([lox, word, '-c', 'print "ran";'])
    expect_exit(proc, 64)
    if proc.stdout:
        fail('the script ran despite a bad option')
    lines = proc.stderr.splitlines()
    if len(lines) != 1:
        fail('expected one line on stderr, got %r' % proc.stderr)
    for m in mentions:
        if m not in lines[0]:
            fail('%r does not mention %r' % (lines[0], m))


def case_bad_output(lox, tmp):
    usage_error(lox, '--memtracer.Output=xml', 'Output', 'xml', 'table', 'json', 'calltree')


def case_bad_option_name(lox, tmp):
    usage_error(lox, '--memtracer.Bogus=1', 'Bogus', 'TraceMem')


def case_bad_stack_limit(lox, tmp):
    usage_error(lox, '--memtracer.StackLimit=deep', 'StackLimit', 'deep')


def case_bad_trace_mem(lox, tmp):
    usage_error(lox, '--memtracer.TraceMem=12XB', 'TraceMem', '12XB', 'KiB')


def case_bad_boolean(lox, tmp):
    usage_error(lox, '--memtracer.TraceStackTraces=yes', 'TraceStackTraces', 'yes', 'true')


def case_option_implies_enable(lox, tmp):
    proc = run([lox, '--memtracer.Output=typehistogram', '-c', 'var a = [1];'])
    expect_exit(proc, 0)
    if 'Array' not in proc.stderr:
        fail('--memtracer.Output alone did not enable tracing: %r' % proc.stderr)


def case_tracing_off(lox, tmp):
    proc = run([lox, '-c', 'var a = [1]; print len(a);'])
    expect_exit(proc, 0)
    if proc.stderr or proc.stdout != '1\n':
        fail('without --memtracer nothing but the output may appear: %r %r'
             % (proc.stdout, proc.stderr))


def main():
    lox, name = sys.argv[1], sys.argv[2]
    case = globals().get('case_' + name)
    if case is None:
        fail('no case %r' % name)
    with tempfile.TemporaryDirectory() as tmp:
        case(lox, tmp)
    print('ok: ' + name)


if __name__ == '__main__':
    main()
