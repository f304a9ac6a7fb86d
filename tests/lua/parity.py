#!/usr/bin/env python3
"""parity.py -- lua-memtracer behaves like the stock lua5.4 command.

Usage: parity.py LUA_MEMTRACER LUA5.4 EXAMPLES_DIR

Each case runs under both commands (and once more under lua-memtracer with
tracing on, the report going to a file): standard output, standard error
and exit status must be the same, the program name in messages aside.  The
usage message may add lua-memtracer's own options after lua's text.  Then
every EXAMPLES_DIR/*.lua must print the same under both.  Prints each
difference; exit 1 if any.
"""
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

STDIN_CODE = "print('from stdin', ...)\nprint(arg[0], #arg)\n"
REPL_LINES = "print(1)\n1 + 1\nfor i = 1, 2 do\nprint(i)\nend\n=3\nerror('x')\n"

# (name, arguments, standard input, extra environment)
CASES = [
    ("-e", ["-e", "print(1, 2.5, 'x')"], None, {}),
    ("-e twice", ["-e", "a = 1", "-e", "print(a + 1)"], None, {}),
    ("-e joined", ["-eprint('joined')"], None, {}),
    ("-v", ["-v"], None, {}),
    ("-v -e", ["-v", "-e", "print(1)"], None, {}),
    ("runtime error", ["-e", "error('boom')"], None, {}),
    ("error table", ["-e", "error({})"], None, {}),
    ("error __tostring",
     ["-e", "error(setmetatable({}, {__tostring = function() return 'mine' end}))"],
     None, {}),
    ("syntax error", ["-e", "x = = 1"], None, {}),
    ("missing script", ["no_such_script.lua"], None, {}),
    ("bad option", ["-x"], None, {}),
    ("bad option -vx", ["-vx"], None, {}),
    ("-e without argument", ["-e"], None, {}),
    ("-l without argument", ["-l", "-v"], None, {}),
    ("-- long option", ["--long"], None, {}),
    ("stdin with -", ["-", "a", "b"], STDIN_CODE, {}),
    ("stdin implicit", [], STDIN_CODE, {}),
    ("-- then script", ["--", "parity_args.lua", "x"], None, {}),
    ("script args", ["parity_args.lua", "one", "two"], None, {}),
    ("script error", ["parity_args.lua", "fail"], None, {}),
    ("os.exit(7)", ["-e", "os.exit(7)"], None, {}),
    ("os.exit(false)", ["-e", "os.exit(false)"], None, {}),
    ("os.exit(true, true)", ["-e", "os.exit(true, true)"], None, {}),
    ("LUA_INIT", ["-e", "print('after')"], None, {"LUA_INIT": "print('init')"}),
    ("LUA_INIT_5_4 first", ["-e", "print('after')"], None,
     {"LUA_INIT": "print('init')", "LUA_INIT_5_4": "print('init 5.4')"}),
    ("LUA_INIT @file", ["-e", "print('after')"], None,
     {"LUA_INIT": "@parity_mod.lua"}),
    ("LUA_INIT error", ["-e", "print('after')"], None, {"LUA_INIT": "error('i')"}),
    ("-E", ["-E", "-e", "print(package.path:sub(1, 3))"], None,
     {"LUA_INIT": "print('init')", "LUA_PATH": "zzz/?.lua"}),
    ("-l", ["-l", "parity_mod", "-e", "print(parity_mod.name, parity_mod.args)"],
     None, {"LUA_PATH": "./?.lua"}),
    ("-l g=mod", ["-l", "m=parity_mod", "-e", "print(m.name)"], None,
     {"LUA_PATH": "./?.lua"}),
    ("-l missing", ["-l", "no_such_mod"], None, {"LUA_PATH": "./?.lua"}),
    ("-W", ["-W", "-e", "warn('a', 'b') warn('@off') warn('c')"], None, {}),
    ("warn off", ["-e", "warn('hidden') warn('@on') warn('shown')"], None, {}),
    ("-i", ["-i"], REPL_LINES, {}),
    ("coroutine error",
     ["-e", "coroutine.wrap(function() error('in co') end)()"], None, {}),
    ("debug.gethook", ["-e", "print(debug.gethook())"], None, {}),
    ("debug.sethook count",
     ["-e", "local n = 0 debug.sethook(function() n = n + 1 end, '', 100)"
            " for i = 1, 1000 do end print(n > 0, select(2, debug.gethook()))"],
     None, {}),
    ("error in __gc at close",
     ["-W", "-e", "setmetatable({}, {__gc = function() error('gc') end})"],
     None, {}),
    ("coroutine.close",
     ["-e", "local co = coroutine.create(function() local x <close> ="
            " setmetatable({}, {__close = function() print('closed') end})"
            " coroutine.yield() end) coroutine.resume(co)"
            " print(coroutine.close(co))"], None, {}),
]


def run(cmd, args, stdin, env, extra=()):
    full_env = dict(os.environ)
    for key in ["LUA_INIT", "LUA_INIT_5_4", "LUA_PATH", "LUA_PATH_5_4"]:
        full_env.pop(key, None)
    full_env.update(env)
    r = subprocess.run([cmd] + list(extra) + args, cwd=HERE, input=stdin or "",
                       capture_output=True, text=True, env=full_env,
                       timeout=60)
    return r.returncode, r.stdout.replace(cmd, "LUA"), r.stderr.replace(cmd, "LUA")


def same(theirs, ours):
    if theirs[:2] != ours[:2]:
        return False
    if "\nusage: " in theirs[2]:
        return ours[2].startswith(theirs[2])
    return theirs[2] == ours[2]


def main(argv):
    if len(argv) != 4:
        print("usage: parity.py LUA_MEMTRACER LUA5.4 EXAMPLES_DIR", file=sys.stderr)
        return 2
    ours_cmd, lua_cmd, examples = (os.path.abspath(a) for a in argv[1:])
    diffs = []
    with tempfile.TemporaryDirectory() as tmp:
        traced = ["--memtracer.OutputFile=" + os.path.join(tmp, "r.json")]
        for name, args, stdin, env in CASES:
            theirs = run(lua_cmd, args, stdin, env)
            for extra in [(), traced]:
                ours = run(ours_cmd, args, stdin, env, extra)
                if not same(theirs, ours):
                    diffs.append(f"{name} {' '.join(extra)}:\n  lua5.4: {theirs!r}"
                                 f"\n  ours:   {ours!r}")
        scripts = sorted(glob.glob(os.path.join(examples, "*.lua")))
        for script in scripts:
            theirs = run(lua_cmd, [script], None, {})
            for extra in [(), traced]:
                ours = run(ours_cmd, [script], None, {}, extra)
                if theirs != ours or theirs[0] != 0:
                    diffs.append(f"{os.path.basename(script)} {' '.join(extra)}:"
                                 f" output differs or fails")
    for d in diffs:
        print("DIFF", d)
    print(f"parity.py: {len(CASES)} cases, {len(scripts)} examples,"
          f" {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
