#!/usr/bin/env python3
"""install_test.py -- the project installed, and used the way a user's
build uses it: `meson install --destdir` into a temporary folder, then a
small C program (calc.c) and a small C++ one (vector.cc) built against
what was installed with nothing but `pkg-config --cflags --libs
memtracer`, linked with the shared library, run, and their reports
checked figure by figure.

    install_test.py MESON BUILD_DIR CC CXX SANITIZE

CC is the build's C compiler command; CXX a C++ compiler, or '' when there
is none (the test is then skipped).
PKG_CONFIG_PATH points at the installed memtracer.pc and
PKG_CONFIG_SYSROOT_DIR at the folder, whose paths pkg-config then puts in
front of the ones the file names (the prefix the build was set up with).
SANITIZE is the build's b_sanitize: a sanitized library needs programs
built with the same sanitizers.
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = {'memtracer.h', 'version.h', 'hooks.h', 'inline.h'}


def fail(message):
    print('FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


def run(command, env=None):
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        fail('%s exited %d:\n%s%s' % (' '.join(command), done.returncode,
                                      done.stdout, done.stderr))
    return done.stdout


def find(root, name):
    for folder, _, files in os.walk(root):
        if name in files:
            return os.path.join(folder, name)
    fail('%s is not installed' % name)


def expect(report, path, value):
    found = report
    for key in path.split('.'):
        found = found[int(key)] if isinstance(found, list) else found[key]
    if found != value:
        fail('%s is %r, expected %r' % (path, found, value))


def check_calc(report):
    # Ten Numbers of 24 B (four freed), Digits of 100 B grown to 200 B:
    # live 240, 340, then 240 and 440 (the peak), then 344.
    for key, value in [('allocations', 10), ('blocks', 12), ('bytes', 540),
                       ('frees', 4), ('freed_blocks', 5),
                       ('freed_bytes', 196), ('resizes', 1),
                       ('peak_bytes', 440), ('live_bytes', 344),
                       ('lost_events', 0)]:
        expect(report, 'summary.' + key, value)
    expect(report, 'language', 'calc')
    expect(report, 'exit.reason', 'normal')
    # Digits: 300 B in 2 blocks, before Numbers: 240 B.
    expect(report, 'sites.0.type', 'Digits')
    expect(report, 'sites.0.kind', 'storage')
    expect(report, 'sites.0.bytes', 300)
    expect(report, 'sites.0.peak_bytes', 200)
    expect(report, 'sites.0.stacks.0.frames',
           [{'function': 'add', 'file': 'calc.txt', 'line': 6},
            {'function': 'main', 'file': 'calc.txt', 'line': 3}])
    expect(report, 'sites.1.type', 'Number')
    expect(report, 'sites.1.count', 10)
    expect(report, 'sites.1.live_count', 6)
    expect(report, 'sites.1.peak_bytes', 240)
    expect(report, 'sites.1.stacks.0.frames',
           [{'function': 'main', 'file': 'calc.txt', 'line': 2}])


def check_vector(report, printed):
    # A hundred Vectors of 32 B, the first fifty freed; every event counted
    # inline.
    for key, value in [('allocations', 100), ('bytes', 3200), ('frees', 50),
                       ('freed_bytes', 1600), ('peak_bytes', 3200),
                       ('live_bytes', 1600), ('lost_events', 0)]:
        expect(report, 'summary.' + key, value)
    expect(report, 'sites.0.function', 'run')
    expect(report, 'sites.0.line', 4)
    expect(report, 'sites.0.peak_count', 100)
    if printed.strip() != '150':
        fail('vector counted %r events inline, expected 150' % printed)


def main():
    meson, build, cc, cxx, sanitize = sys.argv[1:6]
    if cxx == '':
        print('skipped: no C++ compiler (scripts/install-deps.sh installs g++)')
        sys.exit(77)
    flags = [] if sanitize in ('', 'none') else ['-fsanitize=' + sanitize]
    with tempfile.TemporaryDirectory(prefix='memtracer-install-') as tmp:
        dest = os.path.join(tmp, 'dest')
        run([meson, 'install', '-C', build, '--destdir', dest,
             '--no-rebuild', '--quiet'])

        # The public headers, and only them.
        header = find(dest, 'memtracer.h')
        installed = set(os.listdir(os.path.dirname(header)))
        if installed != HEADERS:
            fail('installed headers %s, expected %s' % (sorted(installed),
                                                        sorted(HEADERS)))

        pc = find(dest, 'memtracer.pc')
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc),
                   PKG_CONFIG_SYSROOT_DIR=dest)
        config = run(['pkg-config', '--cflags', '--libs', 'memtracer'],
                     env).split()
        libdir = [word[2:] for word in config if word.startswith('-L')]
        if len(libdir) != 1 or not libdir[0].startswith(dest):
            fail('pkg-config gives %s, not the installed library' % config)
        libdir = libdir[0]

        # The shared library exports the API and none of its internals.
        symbols = [word.split('@')[0] for word in
                   run(['nm', '-D', '--defined-only',
                        os.path.join(libdir, 'libmemtracer.so')]).split()]
        inner = [s for s in symbols if s.startswith('tr_')]
        if inner or 'mt_start_version' not in symbols:
            fail('libmemtracer.so exports %s' % (inner or 'no mt_start'))

        calc = os.path.join(tmp, 'calc')
        vector = os.path.join(tmp, 'vector')
        run(shlex.split(cc) + ['-std=c17', '-O2', '-Wall', '-Wextra',
                               '-Werror', '-pedantic'] +
            flags + ['-o', calc, os.path.join(HERE, 'calc.c')] + config)
        run([cxx, '-std=c++17', '-O2', '-Wall', '-Wextra', '-Werror',
             '-pedantic'] +
            flags + ['-o', vector, os.path.join(HERE, 'vector.cc')] + config)

        env = dict(os.environ, LD_LIBRARY_PATH=libdir)
        for program in (calc, vector):
            linked = run(['ldd', program], env)
            if os.path.join(libdir, 'libmemtracer.so') not in linked:
                fail('%s does not load the installed libmemtracer.so:\n%s'
                     % (os.path.basename(program), linked))

        calc_report = os.path.join(tmp, 'calc.json')
        run([calc, calc_report, '--memtracer.Output=json',
             '--memtracer.TraceStackTraces=true'], env)
        with open(calc_report) as f:
            check_calc(json.load(f))

        vector_report = os.path.join(tmp, 'vector.json')
        printed = run([vector, vector_report], env)
        with open(vector_report) as f:
            check_vector(json.load(f), printed)
    print('ok: installed, built with pkg-config, linked shared, reports right')


if __name__ == '__main__':
    main()
