#!/usr/bin/env python3
"""Runs a traced Lox script and checks its JSON report against the script's
own annotations -- the Fermi checks of lox --memtracer (lua-memtracer has
its own, tests/lua/fermi.py).

    check_trace.py LOX SCRIPT [--gc-stress]

Annotations, in `//` comments:

    options: --memtracer.TraceStackTraces=true ...   extra command-line words
    site: TYPE count=N [blocks=N] [bytes=N] [live_count=N] [function=NAME]
        on a line: the report has exactly one site (this file, this line,
        TYPE, the run phase unless phase=compile or phase=start-up is
        given) and it has these figures.  TYPE may have spaces ("Point
        fields"): it is every word before the first figure.
    nosite: TYPE     on a line: the report has no such site.
    stack: TYPE count=N [bytes=N] [cut=N] FRAME < FRAME < ...
        on a line: exactly one of that site's call paths shows these frames
        (FRAME is function@line, or function@line*N for a folded run of N
        frames, innermost first); cut counts the frames StackLimit cut off.
    summary: KEY=N ...        anywhere: summary figures.
    Figures may also be bounds: KEY<N, KEY>N.  Several annotations on one
    line are separated by ';'.
    only-annotated-lines      anywhere: no site of the run phase may sit on
                              a line without a site: annotation.

Every report is also checked for the contract's invariants: the sites plus
what was filtered add up to the summary (objects, blocks and bytes),
allocated - freed == live, the sites' shares of the peak add up to the
peak when nothing was filtered, each site's retainers hold its live
blocks, and a second run gives a byte-identical report.  With --gc-stress
the script runs
with a collection before every allocation and must give the same guest
sites and the same live figures at exit (the VM's own blocks, such as the
collector's gray stack, differ).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

KINDS = r'(options|site|nosite|stack|summary|only-annotated-lines)'
ANNOTATED = re.compile(r'//\s*(' + KINDS + r'(?::|$).*)$')
ANNOTATION = re.compile(KINDS + r':?\s*(.*)$')


MODE = ''


def fail(msg):
    print('FAIL%s: %s' % (MODE, msg))
    sys.exit(1)


def parse_figures(words, where):
    """KEY=N, or KEY<N / KEY>N for a bound: {key: (op, value)}."""
    figures = {}
    for w in words:
        m = re.match(r'(\w+)([=<>])(.+)$', w)
        if not m:
            fail('%s: expected KEY=VALUE, KEY<VALUE or KEY>VALUE, got %r' % (where, w))
        k, op, v = m.groups()
        figures[k] = (op, v if k in ('function', 'phase') else int(v))
    return figures


def holds(actual, want):
    op, v = want
    if actual is None:
        return False
    return actual == v if op == '=' else actual < v if op == '<' else actual > v


def read_annotations(script):
    ann = {'options': [], 'sites': [], 'nosites': [], 'stacks': [], 'summary': {}, 'strict': False}
    with open(script, encoding='utf-8') as f:
        for lineno, text in enumerate(f, 1):
            m = ANNOTATED.search(text)
            if m:
                for part in m.group(1).split(';'):
                    read_annotation(ann, part.strip(), '%s:%d' % (script, lineno), lineno)
    return ann


def read_annotation(ann, text, where, lineno):
    m = ANNOTATION.match(text)
    if not m:
        fail('%s: cannot read annotation %r' % (where, text))
    kind, rest = m.group(1), m.group(2).split()
    # A type is every word before the first figure or frame.
    n = 0
    while n < len(rest) and not re.match(r'\w+[=<>]|.*@|<$', rest[n]):
        n += 1
    typ, rest_after = ' '.join(rest[:n]), rest[n:]
    if kind == 'options':
        ann['options'] += rest
    elif kind == 'site':
        ann['sites'].append((lineno, typ, parse_figures(rest_after, where)))
    elif kind == 'nosite':
        ann['nosites'].append((lineno, ' '.join(rest)))
    elif kind == 'stack':
        figures = parse_figures([w for w in rest_after if '=' in w], where)
        frames = [fr for fr in rest_after if fr != '<' and '=' not in fr]
        ann['stacks'].append((lineno, typ, figures, frames))
    elif kind == 'summary':
        ann['summary'].update(parse_figures(rest, where))
    else:
        ann['strict'] = True


def run(tracer, script, options, env, out):
    cmd = [tracer, '--memtracer.Output=json', '--memtracer.OutputFile=' + out] + options + [script]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=300)
    if proc.returncode != 0:
        fail('%s exited %d: %s' % (' '.join(cmd), proc.returncode, proc.stderr.decode()))
    with open(out, encoding='utf-8') as f:
        return f.read()


def without_times(text):
    """A report's text less the wall times of its timeline, the one thing
    that differs from run to run."""
    return re.sub(r'"time_ms": [0-9.]+', '"time_ms": -', text)


def check_invariants(report):
    s = report['summary']
    sums = {key: sum(site[key] for site in report['sites'])
            for key in ('count', 'blocks', 'bytes', 'peak_bytes')}
    for site_key_, summary_key, filtered in (
            ('count', 'allocations', 'filtered_allocations'),
            ('blocks', 'blocks', 'filtered_blocks'),
            ('bytes', 'bytes', 'filtered_bytes')):
        if sums[site_key_] + s[filtered] != s[summary_key]:
            fail('sites %s %d + %s %d != summary %s %d'
                 % (site_key_, sums[site_key_], filtered, s[filtered],
                    summary_key, s[summary_key]))
    if s['bytes'] - s['freed_bytes'] != s['live_bytes']:
        fail('bytes %d - freed %d != live %d' % (s['bytes'], s['freed_bytes'], s['live_bytes']))
    if s['blocks'] - s['freed_blocks'] != s['live_blocks']:
        fail('blocks %d - freed %d != live %d' % (s['blocks'], s['freed_blocks'], s['live_blocks']))
    if not s['live_bytes'] <= s['peak_bytes'] <= s['bytes']:
        fail('peak %d outside [live %d, total %d]' % (s['peak_bytes'], s['live_bytes'], s['bytes']))
    if s['filtered_bytes'] == 0 and sums['peak_bytes'] != s['peak_bytes']:
        fail('sites peak_bytes %d != summary peak_bytes %d'
             % (sums['peak_bytes'], s['peak_bytes']))
    for site in report['sites']:
        if site['kind'] == 'object' and site['count'] != site['blocks']:
            fail('object site %r: count %d != blocks %d' % (site, site['count'], site['blocks']))
        if site['kind'] == 'storage' and site['count'] != 0:
            fail('storage site %r counts objects' % site)
        if site['line'] == 0 and site['phase'] == 'run':
            fail('a site of the run phase at line 0: %r' % site)
        # After the final collection every live block of the guest's is
        # reachable, and the marking from the roots tells each once.
        held = site.get('retainers', []) + [site.get('retainers_rest', {})]
        for key in ('count', 'blocks', 'bytes') if site['type'] != '<internal>' else ():
            if sum(r.get(key, 0) for r in held) != site['live_' + key]:
                fail('site %r: its retainers hold %d %s, it has %d live'
                     % (site, sum(r.get(key, 0) for r in held), key,
                        site['live_' + key]))


def site_key(site):
    return (site['line'], site['type'], site['phase'])


def check_annotations(report, script, ann):
    name = os.path.basename(script)
    sites = {}
    for site in report['sites']:
        if os.path.basename(site['file']) == name:
            sites.setdefault(site_key(site), []).append(site)
    for lineno, typ, want in ann['sites']:
        want = dict(want)
        phase = want.pop('phase', ('=', 'run'))[1]
        found = sites.get((lineno, typ, phase), [])
        if len(found) != 1:
            fail('line %d: expected one %s site, found %d' % (lineno, typ, len(found)))
        for k, v in want.items():
            if not holds(found[0].get(k), v):
                fail('line %d %s: %s is %r, expected %s%r' % (lineno, typ, k, found[0].get(k), *v))
    for lineno, typ in ann['nosites']:
        if (lineno, typ, 'run') in sites:
            fail('line %d: expected no %s site, found %s' % (lineno, typ, sites[(lineno, typ, 'run')]))
    for lineno, typ, want, frames in ann['stacks']:
        found = sites.get((lineno, typ, 'run'), [{}])[0].get('stacks', [])
        names = lambda st: ['%s@%d%s' % (fr['function'], fr['line'],
                                         '*%d' % fr['repeat'] if fr.get('repeat', 1) > 1 else '')
                            for fr in st['frames']]
        match = [st for st in found if names(st) == frames]
        if len(match) != 1:
            fail('line %d %s: expected one stack %s; have %s'
                 % (lineno, typ, ' < '.join(frames), [' < '.join(names(st)) for st in found]))
        renamed = {'cut': 'truncated_frames'}
        for k, v in want.items():
            if not holds(match[0].get(renamed.get(k, k)), v):
                fail('line %d %s stack %s: %s is %r, expected %s%r'
                     % (lineno, typ, ' < '.join(frames), k, match[0].get(renamed.get(k, k)), *v))
    for k, v in ann['summary'].items():
        if not holds(report['summary'].get(k), v):
            fail('summary %s is %r, expected %s%r' % (k, report['summary'].get(k), *v))
    if ann['strict']:
        annotated = {(lineno, typ) for lineno, typ, _ in ann['sites']}
        extra = [k[:2] for k in sites if k[:2] not in annotated
                 and k[1] != '<internal>' and k[2] == 'run']
        if extra:
            fail('sites without an annotation: %s' % sorted(extra))


def main():
    tracer, script = sys.argv[1], sys.argv[2]
    ann = read_annotations(script)
    env = dict(os.environ)
    env.pop('LOX_GC_STRESS', None)
    tmp = tempfile.TemporaryDirectory()
    out = os.path.join(tmp.name, 'report.json')
    text = run(tracer, script, ann['options'], env, out)
    report = json.loads(text)
    if report.get('format') != 'memtracer' or report.get('version') != 2:
        fail('not a memtracer version 2 report')
    check_invariants(report)
    check_annotations(report, script, ann)
    if without_times(run(tracer, script, ann['options'], env, out)) != without_times(text):
        fail('a second run gave a different report')
    if '--gc-stress' in sys.argv[3:]:
        env['LOX_GC_STRESS'] = '1'
        global MODE
        MODE = ' (under GC stress)'
        stressed = json.loads(run(tracer, script, ann['options'], env, out))
        check_invariants(stressed)
        check_annotations(stressed, script, ann)
        # What was made, and -- after the full collection before the
        # report -- what is still reachable, whatever the collector did in
        # between.
        counted = lambda r: sorted((s['file'], s['line'], s['type'], s['phase'],
                                    s['count'], s['blocks'], s['bytes'],
                                    s['live_blocks'], s['live_bytes'])
                                   for s in r['sites'] if s['type'] != '<internal>')
        if counted(stressed) != counted(report):
            fail('GC stress changed the sites of guest objects or what is live at exit')
    print('ok: %d site, %d nosite and %d stack annotations'
          % (len(ann['sites']), len(ann['nosites']), len(ann['stacks'])))


if __name__ == '__main__':
    main()
