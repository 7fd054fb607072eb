"""The traced program cannot tell it is traced: stdout, stderr, exit status and what the
program sees of itself (``__main__``, ``sys.argv``, ``sys.path``) match a plain run, both when
the supervisor forks its own interpreter into the program and when it starts a fresh one.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

from tests.helpers import PY_DIR, clean_env

PROGRAMS = {
    "identity.py": '''
"""Doc of the program."""
import os, sys
def annotated(x: this_name_is_not_defined) -> None:  # NameError unless annotations are lazy
    pass
''',
    "identity_print.py": '''
"""Doc of the program."""
import os, sys
print(__name__, __file__, __doc__, __package__, __spec__, __cached__)
print(type(__loader__).__name__, __loader__.name, __loader__.path)
print(sys.argv)
print(sys.path[0])
print([p for p in sys.path if "workerscope" in p or "debug-adapter" in p])
print(sorted(k for k in vars() if not k.startswith("_")))
print(sys.modules["__main__"] is sys.modules[__name__], sys.stdin.read())
''',
    "raises.py": '''
def inner(n):
    return 1 / n
print("before")
inner(0)
''',
    "chained.py": '''
try:
    {}["k"]
except KeyError as e:
    raise RuntimeError("wrapped") from e
''',
    "exit_message.py": 'import sys\nprint("out")\nsys.exit("bye")\n',
    "exit_three.py": 'import sys\nsys.exit(3)\n',
    "interrupted.py": 'import atexit\natexit.register(print, "atexit ran")\nraise KeyboardInterrupt\n',
    "syntax_error.py": 'print("never")\ndef broken(:\n    pass\n',
    "late_thread.py": '''
import atexit, threading, time
atexit.register(print, "atexit after the thread")
def late():
    time.sleep(0.05)
    print("thread done")
threading.Thread(target=late).start()
print("main done")
''',
    "spawn_main_function.py": '''
import multiprocessing as mp
def square(x):
    return x * x
class Box:
    def __init__(self, v):
        self.v = v
def unbox(b):
    return b.v
if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        print(pool.map(square, range(5)), pool.map(unbox, [Box(1), Box(2)]))
''',
    "custom_excepthook.py": '''
import sys
def hook(t, v, tb):
    print("custom hook:", t.__name__, v)
sys.excepthook = hook
raise ValueError("handled by the program's own hook")
''',
}


def _plain(path, stdin=b""):
    return subprocess.run([sys.executable, path], input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=clean_env(), cwd=os.path.dirname(path),
                          timeout=60)


def _traced(path, fresh, stdin=b""):
    env = clean_env()
    env["PYTHONPATH"] = PY_DIR
    if fresh:
        env["WORKERSCOPE_FRESH_INTERPRETER"] = "1"
    cmd = [sys.executable, "-m", "workerscope_tracer", "--no-summary", "--", path]
    return subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, cwd=os.path.dirname(path), timeout=60)


class TransparencyTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ws-transparency-")
        for name, text in PROGRAMS.items():
            with open(os.path.join(cls.dir, name), "w") as f:
                f.write(text.lstrip("\n"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def same(self, name, stdin=b""):
        path = os.path.join(self.dir, name)
        plain = _plain(path, stdin)
        for fresh in (False, True):
            with self.subTest(program=name, fresh_interpreter=fresh):
                traced = _traced(path, fresh, stdin)
                self.assertEqual(traced.stdout.decode(), plain.stdout.decode())
                self.assertEqual(traced.stderr.decode(), plain.stderr.decode())
                # A program that dies by a signal: the supervisor dies by the same one.
                self.assertEqual(traced.returncode, plain.returncode)
        return plain

    def test_identity(self):
        self.assertEqual(self.same("identity.py").returncode, 1 if sys.version_info < (3, 14)
                         else 0)
        out = self.same("identity_print.py", stdin=b"typed input").stdout.decode()
        self.assertIn("typed input", out)

    def test_uncaught_exceptions_print_the_same_traceback(self):
        self.assertEqual(self.same("raises.py").returncode, 1)
        chained = self.same("chained.py")
        self.assertIn(b"KeyError", chained.stderr)
        self.assertIn(b"RuntimeError: wrapped", chained.stderr)
        self.assertEqual(self.same("custom_excepthook.py").returncode, 1)

    def test_exit_statuses(self):
        self.assertEqual(self.same("exit_message.py").returncode, 1)
        self.assertEqual(self.same("exit_three.py").returncode, 3)
        self.assertEqual(self.same("syntax_error.py").returncode, 1)

    def test_keyboard_interrupt_ends_by_sigint(self):
        self.assertEqual(self.same("interrupted.py").returncode, -signal.SIGINT)

    def test_finalisation_waits_for_threads_and_runs_atexit(self):
        out = self.same("late_thread.py").stdout.decode()
        self.assertEqual(out.split(), ["main", "done", "thread", "done", "atexit", "after",
                                       "the", "thread"])

    def test_spawned_workers_unpickle_main_functions_and_classes(self):
        self.assertEqual(self.same("spawn_main_function.py").stdout, b"[0, 1, 4, 9, 16] [1, 2]\n")


if __name__ == "__main__":
    unittest.main()
