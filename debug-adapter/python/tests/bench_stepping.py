"""Cost of a debug session's hot loops before and after a finished step, in one process
(not a unittest module): ``python -m tests.bench_stepping [TRACER_PY_DIR]``. Prints, per
scenario, the best of several runs of a loop of calls and a loop of lines, in ms."""

import os
import sys
import unittest

from tests import test_breakpoints
from tests.test_stepping import Stepper

PROGRAM = """\
import sys, time


def cold():
    return 0  # COLD


def f(i):
    return i


def calls(n):
    for i in range(n):
        f(i)


def lines(n):
    t = 0
    for i in range(n):
        t += i
    return t


def best(func, n):
    out = []
    for _ in range(5):
        t0 = time.perf_counter()
        func(n)
        out.append(time.perf_counter() - t0)
    return min(out) * 1000


def step_here():
    a = 1  # STEP
    b = f(a)
    return a + b


before = (best(calls, 300000), best(lines, 1000000))
if sys.argv[1] == "step":
    step_here()
after = (best(calls, 300000), best(lines, 1000000))
trace = getattr(sys.gettrace(), "__name__", None)
events = sys.monitoring.get_events(3) if hasattr(sys, "monitoring") else None
print("trace=%s events=%s" % (trace, events), end=" ")
print("calls %.1f -> %.1f ms, lines %.1f -> %.1f ms" % (before[0], after[0], before[1], after[1]))
"""


MINE = test_breakpoints.PY_DIR


class _Test(unittest.TestCase):
    def runTest(self):
        pass


def run(mode, breakpoints, py_dir):
    test = _Test()
    test_breakpoints.PY_DIR = py_dir
    s = Stepper(test, PROGRAM, breakpoints, args=(mode,))
    if mode == "step":
        stop = s.next_stop()
        for word in ("next", "stepIn", "stepOut", "next"):
            stop = s.step(stop, word)
    status, out, err = s.finish()
    test.doCleanups()
    return out.strip() if status == 0 else "failed: %s" % err


def main():
    py_dir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else test_breakpoints.PY_DIR
    print(sys.version.split()[0], py_dir)
    print("  no breakpoints:      ", run("plain", [], py_dir))
    print("  breakpoint in cold:  ", run("plain", [{"id": 1, "line": "COLD"}], py_dir))
    if py_dir != MINE:
        return  # another tree's tracer (the main checkout) may not step
    print("  after a step (+cold):", run("step", [{"id": 1, "line": "COLD"},
                                                   {"id": 2, "line": "STEP"}], py_dir))


if __name__ == "__main__":
    main()
