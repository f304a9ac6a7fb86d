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


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60, **kw)


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


def site(report, line, typ):
    found = [s for s in report['sites'] if s['line'] == line and s['type'] == typ]
    if len(found) != 1:
        fail('expected one %s site on line %d, found %d' % (typ, line, len(found)))
    return found[0]


def case_smoke(lox, tmp):
    # An array of three numbers: a 40-byte ObjArray and 3 x 8 bytes of
    # elements, on line 1 of the -c string.
    out = os.path.join(tmp, 'r.json')
    proc = run([lox, '--memtracer.Output=json', '--memtracer.OutputFile=' + out,
                '-c', 'var a = [1, 2, 3];'])
    expect_exit(proc, 0)
    s = site(load(out), 1, 'Array')
    if (s['file'], s['count'], s['bytes']) != ('<string>', 1, 64):
        fail('Array site is %r' % s)


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
    if arrays != [('f', 1, 48), ('g', 1, 48)]:
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
    if site(load(out), 1, 'String')['count'] < 1:
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


# Three calls deep, as in fermi/stacks.lox: leaf's array (40 + 2 x 8
# bytes) is made ten times from line 6 and once from line 7.
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
    row = ['%s:1' % script, '11', '616 B', 'Array']
    at = [i for i, l in enumerate(lines) if rows([l]) == [row]]
    if len(at) != 1:
        fail('no row %r:\n%s' % (' || '.join(row), proc.stderr))
    want = ['   10 allocations, 560 B:',
            '    at leaf (%s:1)' % script, '    at mid (%s:2)' % script,
            '    at top (%s:3)' % script, '    at <script> (%s:6)' % script,
            '   1 allocation, 56 B:',
            '    at leaf (%s:1)' % script, '    at mid (%s:2)' % script,
            '    at top (%s:3)' % script, '    at <script> (%s:7)' % script]
    if lines[at[0] + 1:at[0] + 11] != want:
        fail('call paths under the row are\n%s\nexpected\n%s'
             % ('\n'.join(lines[at[0] + 1:at[0] + 11]), '\n'.join(want)))


def case_histogram(lox, tmp):
    script, lines = traced(lox, tmp, 'histogram')
    table = rows(lines)
    if table[0] != ['Self Count', 'Total Count', 'Location', 'Name']:
        fail('histogram header is %r' % table[0])
    by_name = {r[3]: r[:3] for r in table[1:]}
    for name, line in (('leaf', 1), ('mid', 2), ('top', 3)):
        want = ['11' if name == 'leaf' else '0', '11', '%s:%d' % (script, line)]
        if by_name.get(name) != want:
            fail('histogram row of %s is %r, expected %r' % (name, by_name.get(name), want))


def case_typehistogram(lox, tmp):
    _, lines = traced(lox, tmp, 'typehistogram')
    table = rows(lines)
    if table[0] != ['Type', 'Count', 'Size']:
        fail('typehistogram header is %r' % table[0])
    # leaf's 11 arrays (616 bytes), keep (40 bytes, grown to 8 then 16
    # slots: 192 bytes) and the VM's array of script arguments (40 bytes).
    if ['Array', '13', '888 B'] not in table:
        fail('no typehistogram row "Array || 13 || 888 B":\n' + '\n'.join(lines))


def case_calltree(lox, tmp):
    script, lines = traced(lox, tmp, 'calltree')
    want = ['    top (%s:3) total=10 self=0 from line 6' % script,
            '      mid (%s:2) total=10 self=0 from line 3' % script,
            '        leaf (%s:1) total=10 self=10 from line 2' % script,
            '    top (%s:3) total=1 self=0 from line 7' % script,
            '      mid (%s:2) total=1 self=0 from line 3' % script,
            '        leaf (%s:1) total=1 self=1 from line 2' % script]
    start = [i for i, l in enumerate(lines) if l == want[0]]
    if len(start) != 1 or lines[start[0]:start[0] + 6] != want:
        fail('calltree is\n%s\nexpected it to hold\n%s' % ('\n'.join(lines), '\n'.join(want)))


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
