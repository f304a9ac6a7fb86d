#!/usr/bin/env python3
"""The `memtracer` command against inputs made to break it: reports,
budgets and command lines that are malformed, extreme or hostile.  Each
case is one such input and what the tool must do with it -- the one clear
line and exit status tools.md documents, or the right answer -- and never
a crash, a hang, a wrong verdict or a file left behind.

Usage: hostile_test.py MEMTRACER LOX GROUP
GROUP is the module of cases: view (hostile_view.py), budget
(hostile_budget.py), compare (hostile_compare.py: compare, bench and the
reading of reports) or bench (hostile_bench.py: bench's runs, their peak
RSS and what outlives them).  Exit 0 when every case of the group passed.
"""

import importlib
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from tools_test import Context  # noqa: E402

GROUPS = {'view': 'hostile_view', 'budget': 'hostile_budget', 'compare': 'hostile_compare',
          'bench': 'hostile_bench'}


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in GROUPS:
        print('usage: hostile_test.py MEMTRACER LOX GROUP (%s)' % ', '.join(sorted(GROUPS)))
        sys.exit(2)
    memtracer, lox = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    module = importlib.import_module(GROUPS[sys.argv[3]])
    cases = [(name, case) for name, case in vars(module).items()
             if name.startswith('case_') and callable(case)]
    if not cases:
        print('FAIL: %s has no cases' % GROUPS[sys.argv[3]])
        sys.exit(1)
    for name, case in cases:
        with tempfile.TemporaryDirectory(prefix='memtracer-hostile-') as tmp:
            case(Context(memtracer, lox, '-', '-', tmp))
        print('ok: ' + name)


if __name__ == '__main__':
    main()
