"""Hostile inputs for `memtracer view` (run by hostile_test.py, group
'view'): figures that overflow an axis, stacks deep enough to overflow a
recursive walk, names XML cannot hold, a signal in the middle of writing
-o FILE, and siblings enough to expose a quadratic lookup.  Each input is
made here, each run has a timeout: a hang fails its case, never the suite.
"""

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

from tools_test import fail, expect_exit, expect_one_line, write

NS = '{http://www.w3.org/2000/svg}'


def site(function, bytes_, frames=None, type_='Array', file_='hostile.lox', line=1):
    """A site of one object of `bytes_`, with one stack of `frames`
    (function names, innermost first) when given."""
    made = {'file': file_, 'line': line, 'function': function, 'type': type_, 'kind': 'object',
            'phase': 'run', 'count': 1, 'blocks': 1, 'bytes': bytes_, 'live_count': 0,
            'live_blocks': 0, 'live_bytes': 0, 'peak_count': 0, 'peak_bytes': 0}
    if frames is not None:
        made['stacks'] = [{'count': 1, 'blocks': 1, 'bytes': bytes_, 'frames': [
            {'function': name, 'file': file_, 'line': line} for name in frames]}]
    return made


def report(ctx, name, sites, timeline=None, program='hostile.lox'):
    """A minimal version 2 report of `sites`, written to ctx.tmp/name."""
    total = sum(s['bytes'] for s in sites)
    made = {'format': 'memtracer', 'version': 2, 'language': 'lox', 'program': program,
            'sampling': None, 'exit': {'status': 0, 'reason': 'normal'},
            'summary': {'allocations': len(sites), 'blocks': len(sites), 'bytes': total,
                        'frees': len(sites), 'freed_blocks': len(sites), 'freed_bytes': total,
                        'peak_bytes': 0, 'live_allocations': 0, 'live_blocks': 0,
                        'live_bytes': 0},
            'sites': sites}
    if timeline is not None:
        made['timeline'] = timeline
    return write(os.path.join(ctx.tmp, name), json.dumps(made))


def view(ctx, path, fmt, out, timeout):
    """memtracer view, failing the case if it does not end in time."""
    try:
        return subprocess.run([ctx.memtracer, 'view', path, '--format', fmt, '-o', out],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail('view --format %s of %s did not end within %d s' % (fmt, os.path.basename(path), timeout))


def no_temporary(ctx, out, what):
    left = [n for n in os.listdir(os.path.dirname(out))
            if n.startswith('.' + os.path.basename(out) + '.')]
    if left:
        fail('%s left %r behind' % (what, left))


def svg_parse(path, what):
    try:
        return ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        fail('%s is not well-formed XML: %s' % (what, error))


def case_timeline_huge_figures(ctx):
    # Figures near the largest double: an axis that scales by them must
    # still end.  A report reader may refuse them (one line, exit 65);
    # drawn, the axes have a handful of ticks.
    big, top = 1.7e308, sys.float_info.max
    points = {
        'huge live bytes': [{'bytes_allocated': 10, 'live_bytes': big}],
        'huge bytes allocated': [{'bytes_allocated': big, 'live_bytes': 10}],
        'the largest double': [{'bytes_allocated': top, 'live_bytes': top, 'gc_cycles': 0},
                               {'bytes_allocated': top, 'live_bytes': 1, 'gc_cycles': 1}],
        '2^53': [{'bytes_allocated': 2 ** 53, 'live_bytes': 2 ** 53},
                 {'bytes_allocated': 2 ** 53, 'live_bytes': 2 ** 53 - 1}],
        'a fraction': [{'bytes_allocated': 0.5, 'live_bytes': 1e-300}],
    }
    for what, drawn in points.items():
        timeline = {'clock': 'bytes_allocated', 'interval': 1, 'points': drawn,
                    'peak': dict(drawn[0])}
        path = report(ctx, 'timeline.json', [site('f', 10)], timeline)
        out = os.path.join(ctx.tmp, 'timeline.svg')
        proc = view(ctx, path, 'timeline', out, 10)
        no_temporary(ctx, out, 'a timeline of ' + what)
        if proc.returncode == 65:
            expect_one_line(proc, r'^memtracer view: .*timeline', 'a timeline of ' + what)
            if os.path.exists(out):
                fail('a refused timeline of %s wrote %s' % (what, out))
            continue
        expect_exit(proc, 0, 'a timeline of ' + what)
        if os.path.getsize(out) > 100000:
            fail('a timeline of %s is %d bytes' % (what, os.path.getsize(out)))
        root = svg_parse(out, 'the timeline of ' + what)
        texts = [t.get('text-anchor') for t in root.iter(NS + 'text')]
        # The y axis's labels are anchored at their end, the x axis's in
        # the middle (with the axis titles and the header).
        if not 1 <= texts.count('end') <= 7 or texts.count('middle') > 12:
            fail('a timeline of %s has %d y and %d x labels' % (what, texts.count('end'),
                                                                 texts.count('middle')))
        os.unlink(out)


DEEP = 100000


def case_flamegraph_deep_stack(ctx):
    # One stack of DEEP frames, each of another function, so that nothing
    # folds: a walk that recursed per frame would overflow the C stack.
    frames = ['f%d' % i for i in range(DEEP)]
    path = report(ctx, 'deep.json', [site('f0', 1000, frames, type_='Leaf')])
    out = os.path.join(ctx.tmp, 'deep.svg')
    proc = view(ctx, path, 'flamegraph', out, 60)
    expect_exit(proc, 0, 'a flame graph of a stack of %d frames' % DEEP)
    no_temporary(ctx, out, 'a flame graph of a deep stack')
    # All, the frames outermost lowest, the type at the top: one box each,
    # read as the file goes (the whole tree would be needlessly big).
    boxes, top = 0, None
    try:
        for _, element in ElementTree.iterparse(out):
            if element.tag == NS + 'g':
                boxes += 1
                title = element.find(NS + 'title').text
                rect = element.find(NS + 'rect')
                if title.startswith('type Leaf allocated in f0\n'):
                    top = float(rect.get('y'))
                element.clear()
    except ElementTree.ParseError as error:
        fail('the deep flame graph is not well-formed XML: %s' % error)
    if boxes != DEEP + 2:
        fail('a stack of %d frames drew %d boxes, expected %d' % (DEEP, boxes, DEEP + 2))
    if top is None or top > 100:
        fail('the type box of the innermost frame is not at the top: y %r' % top)


# Characters XML 1.0 has no place for, and some it has.
BAD = ['\ufffe', '\uffff', '\x01', '\x08', '\x0b', '\x0c', '\x1b', '\x1f']
GOOD = ['\U0001f600', '<&>"\'', ']]>', '\u00e9', '\x7f', '\ud7ff', '\ue000', '\ufffd']


def xml_char(c):
    code = ord(c)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or \
        0x10000 <= code <= 0x10FFFF


def case_svg_xml_chars(ctx):
    name = 'f' + ''.join(b + g for b, g in zip(BAD, GOOD))
    long_name = ('\x01\U0001f600\ufffe\u00e9' * 200) + 'end'
    sites = [
        site(name, 5000, [name, 'caller' + BAD[0], '<script>'], type_='T' + ''.join(BAD),
             file_='file' + ''.join(BAD) + '.lox'),
        # Wide enough for its name to be cut to fit its box.
        site(long_name, 100000, [long_name, '<script>'], type_=long_name),
        site('g\x02', 20),
    ]
    timeline = {'clock': 'bytes_allocated', 'interval': 1,
                'points': [{'bytes_allocated': 100, 'live_bytes': 50, 'gc_cycles': 0}],
                'peak': {'bytes_allocated': 100, 'live_bytes': 50}}
    path = report(ctx, 'names.json', sites, timeline, program='prog' + ''.join(BAD) + GOOD[0])
    for fmt in ('flamegraph', 'timeline'):
        out = os.path.join(ctx.tmp, fmt + '.svg')
        expect_exit(view(ctx, path, fmt, out, 30), 0, 'a %s of names XML cannot hold' % fmt)
        with open(out, 'rb') as f:
            raw = f.read()
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError as error:
            fail('the %s is not UTF-8: %s' % (fmt, error))
        wrong = sorted(set('U+%04X' % ord(c) for c in text if not xml_char(c)))
        if wrong:
            fail('the %s holds characters XML 1.0 does not allow: %s' % (fmt, ', '.join(wrong)))
        root = svg_parse(out, 'the ' + fmt)
        titles = [t.text or '' for t in root.iter(NS + 'title')]
        texts = ''.join(''.join(t.itertext()) for t in root.iter(NS + 'text'))
        if fmt == 'flamegraph':
            # What XML allows is kept as it was, the rest replaced.
            kept = 'f' + ''.join('\ufffd' + g for g in GOOD)
            if not any(t.startswith(kept + ' (file') for t in titles):
                fail('the flame graph did not keep %r: %r' % (kept, titles))
            if not any(t.startswith('type T' + '\ufffd' * len(BAD) + ' allocated in ' + kept)
                       for t in titles):
                fail('no type box for T with its characters replaced: %r' % titles)
            # The long name is cut to its box, whole characters then "..".
            cut = [''.join(t.itertext()) for t in root.iter(NS + 'text')]
            if not any(t.endswith('..') and '\U0001f600\ufffd\u00e9' in t for t in cut):
                fail('the long name was not cut to fit its box: %r' % cut)
        if 'prog' + '\ufffd' * len(BAD) + GOOD[0] not in texts:
            fail('the %s title does not name the program with its characters replaced: %r'
                 % (fmt, texts[:200]))


# A report that takes a moment to draw, so that a signal finds memtracer
# writing: 20 call paths of 5000 frames each, every box wide enough to
# be drawn with its name.
def slow_report(ctx, scale):
    path = os.path.join(ctx.tmp, 'slow%d.json' % scale)
    if os.path.exists(path):
        return path
    sites = [site('s%d' % s, 1000, ['s%d_%d' % (s, i) for i in range(5000 * scale)])
             for s in range(20)]
    return report(ctx, os.path.basename(path), sites)


def case_signal_removes_temporary(ctx):
    reset = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def defaults():
        # Whatever the test runner ignores, memtracer meets the default.
        for number in reset:
            signal.signal(number, signal.SIG_DFL)

    out = os.path.join(ctx.tmp, 'flame.svg')
    temporary = '.flame.svg.'
    for number in reset:
        caught = False
        for scale in (1, 2, 4):
            path = slow_report(ctx, scale)
            proc = subprocess.Popen([ctx.memtracer, 'view', path, '--format', 'flamegraph',
                                     '-o', out], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, preexec_fn=defaults)
            try:
                # Signal it once its temporary file is there.
                deadline = time.monotonic() + 30
                while proc.poll() is None and time.monotonic() < deadline:
                    if any(n.startswith(temporary) for n in os.listdir(ctx.tmp)):
                        proc.send_signal(number)
                        break
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                fail('view did not end after %s' % signal.Signals(number).name)
            finally:
                proc.stderr.close()
            if proc.returncode == 0:
                # Done before the signal came: try a bigger one.
                os.unlink(out)
                continue
            caught = True
            if proc.returncode != -number:
                fail('view ended with status %d after %s, not of the signal'
                     % (proc.returncode, signal.Signals(number).name))
            no_temporary(ctx, out, 'view stopped by ' + signal.Signals(number).name)
            if os.path.exists(out):
                fail('view stopped by %s wrote %s' % (signal.Signals(number).name, out))
            break
        if not caught:
            fail('view was never caught writing to send it %s' % signal.Signals(number).name)


def sanitized(ctx):
    with open(ctx.memtracer, 'rb') as f:
        return b'__asan_init' in f.read()


def case_flamegraph_many_siblings(ctx):
    # 60000 functions called from nowhere: siblings under the root.  A
    # child lookup that went through every sibling took 20 s on this; one
    # by hash takes well under a second (a sanitized build is given more
    # time, not checked for it).
    siblings = 60000
    timeout = 60 if sanitized(ctx) else 10
    sites = [site('f%05d' % i, 10000 if i % 7 == 0 else 1, line=i + 1) for i in range(siblings)]
    path = report(ctx, 'siblings.json', sites)
    out = os.path.join(ctx.tmp, 'siblings.svg')
    proc = view(ctx, path, 'flamegraph', out, timeout)
    expect_exit(proc, 0, 'a flame graph of %d siblings' % siblings)
    root = svg_parse(out, 'the flame graph of siblings')
    # Those drawn are in alphabetical order, left to right.
    drawn = []
    for box in root.iter(NS + 'g'):
        title = box.find(NS + 'title').text
        if title.startswith('f'):
            drawn.append((float(box.find(NS + 'rect').get('x')), title.split(' ')[0]))
    names = [name for _, name in sorted(drawn)]
    if len(names) != (siblings + 6) // 7 or names != sorted(names):
        fail('siblings drawn: %d, %r...' % (len(names), names[:5]))
