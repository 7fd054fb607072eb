"""Stepping (next, stepIn, stepOut) and pause in real programs under the tracer, with the test
playing the runtime as in test_breakpoints: every stop is read from the channel and answered
with a ctl request; the line, function and locals of the stop that follows are checked."""

import os
import sys
import unittest

from tests.helpers import wait_for
from tests.test_breakpoints import TIMEOUT, Session
from workerscope_tracer import wire


class Stepper(Session):
    """A Session that remembers which stops it has seen and answers them one at a time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = set()

    def next_stop(self, pid=None):
        """The first stop not seen yet (of ``pid`` if given), once it has announced its pause."""
        def ready():
            paused = {e["id"] for e in self.events(wire.PAUSED)}
            for stop in self.events(wire.STOPPED):
                if stop["id"] not in self.seen and stop["id"] in paused and (
                        pid is None or stop["pid"] == pid):
                    return stop
            return None
        stop = wait_for(ready, TIMEOUT)
        if not stop:
            self.fail_with("one more stop expected")
        self.seen.add(stop["id"])
        return stop

    def step(self, stop, word, pid=None):
        """Answers ``stop`` with a step command; the stop that follows."""
        self.request(stop, {"cmd": word})
        self.continued.add(stop["id"])
        return self.next_stop(pid)

    def where(self, stop):
        top = stop["frames"][-1]
        return top["function"], top["line"]


def top_locals(stop):
    return stop["frames"][-1]["locals"]


CALLS = """\
def helper(x):
    y = x + 1  # H1
    return y  # H2


def main():
    a = 1  # BP
    b = helper(a)  # N1
    c = b * 2  # N2
    return c  # N3


print(main())  # CALL
after = 5  # AFTER
print(after)
"""


class StepTest(unittest.TestCase):
    def test_next_steps_over_calls_and_out_of_the_function(self):
        s = Stepper(self, CALLS, [{"id": 1, "line": "BP"}])
        stop = s.next_stop()
        self.assertEqual((stop["reason"], stop["steppable"]), ("breakpoint", True))
        self.assertEqual(s.where(stop), ("main", s.line("BP")))
        stop = s.step(stop, "next")
        self.assertEqual((stop["reason"], stop["breakpoint"], stop["description"],
                          stop["exception"], stop["steppable"], stop["thread"]),
                         ("step", None, None, None, True, "MainThread"))
        self.assertEqual(s.where(stop), ("main", s.line("N1")))
        stop = s.step(stop, "next")
        self.assertEqual(s.where(stop), ("main", s.line("N2")))
        self.assertEqual(top_locals(stop)["b"], "2")
        stop = s.step(stop, "next")
        self.assertEqual(s.where(stop), ("main", s.line("N3")))
        stop = s.step(stop, "next")  # main returns: the module's next line
        self.assertEqual(s.where(stop), ("<module>", s.line("AFTER")))
        self.assertEqual(s.finish(), (0, "4\n5\n", ""))

    def test_step_in_and_out(self):
        s = Stepper(self, CALLS, [{"id": 1, "line": "N1"}])
        stop = s.next_stop()
        stop = s.step(stop, "stepIn")
        self.assertEqual(s.where(stop), ("helper", s.line("H1")))
        self.assertEqual(top_locals(stop), {"x": "1"})
        self.assertEqual([f["function"] for f in stop["frames"]], ["<module>", "main", "helper"])
        stop = s.step(stop, "stepOut")
        self.assertEqual(s.where(stop), ("main", s.line("N2")))
        stop = s.step(stop, "stepOut")  # out of main: back in the module
        self.assertEqual(s.where(stop), ("<module>", s.line("AFTER")))
        self.assertEqual(s.finish()[:2], (0, "4\n5\n"))

    def test_a_breakpoint_hit_while_stepping_wins(self):
        s = Stepper(self, CALLS, [{"id": 1, "line": "N1"}, {"id": 2, "line": "H2"}])
        stop = s.next_stop()
        stop = s.step(stop, "next")  # over helper(), which holds a breakpoint
        self.assertEqual((stop["reason"], stop["breakpoint"]), ("breakpoint", 2))
        self.assertEqual(s.where(stop), ("helper", s.line("H2")))
        s.set_breakpoints([])
        stop = s.step(stop, "next")  # the step started at N1 is over: from H2 on
        self.assertEqual((stop["reason"], s.where(stop)), ("step", ("main", s.line("N2"))))
        self.assertEqual(s.finish()[:2], (0, "4\n5\n"))

    def test_continue_after_a_step_runs_to_the_end(self):
        s = Stepper(self, CALLS, [{"id": 1, "line": "BP"}])
        stop = s.step(s.next_stop(), "stepIn")
        self.assertEqual(s.where(stop), ("main", s.line("N1")))
        self.assertEqual(s.finish(), (0, "4\n5\n", ""))
        self.assertEqual(len(s.events(wire.STOPPED)), 2)


RECURSION = """\
def fact(n):
    if n <= 1:
        return 1
    r = n * fact(n - 1)  # BP
    return r  # RET


print(fact(4))
"""

GENERATOR = """\
def numbers():
    yield 1  # G1
    yield 2  # G2


def main():
    total = 0
    for v in numbers():  # FOR
        total += v  # BODY
    return total


print(main())
"""

RAISING = """\
def boom():
    x = 1  # E1
    raise ValueError("no")  # E2


def main():
    try:
        boom()  # CALL
    except ValueError:  # EXCEPT
        handled = True  # HANDLED
    return handled


print(main())
"""


class StepShapesTest(unittest.TestCase):
    def test_next_in_recursion_stays_in_the_same_frame(self):
        s = Stepper(self, RECURSION, [{"id": 1, "line": "BP", "condition": "n == 3"}])
        stop = s.next_stop()
        self.assertEqual(top_locals(stop)["n"], "3")
        stop = s.step(stop, "next")  # fact(2) and fact(1) run the same code: no stop there
        self.assertEqual(s.where(stop), ("fact", s.line("RET")))
        self.assertEqual((top_locals(stop)["n"], top_locals(stop)["r"]), ("3", "6"))
        stop = s.step(stop, "next")  # returns into fact(4)'s frame
        self.assertEqual(s.where(stop), ("fact", s.line("RET")))
        self.assertEqual(top_locals(stop)["n"], "4")
        self.assertEqual(s.finish()[:2], (0, "24\n"))

    def test_next_past_a_yield_goes_to_the_consumer(self):
        s = Stepper(self, GENERATOR, [{"id": 1, "line": "G1"}])
        stop = s.next_stop()
        stop = s.step(stop, "next")
        self.assertEqual(s.where(stop), ("main", s.line("BODY")))
        self.assertEqual(top_locals(stop)["v"], "1")
        self.assertEqual(s.finish()[:2], (0, "3\n"))

    def test_next_past_a_raise_goes_to_the_handler(self):
        s = Stepper(self, RAISING, [{"id": 1, "line": "E1"}])
        stop = s.step(s.next_stop(), "next")
        self.assertEqual(s.where(stop), ("boom", s.line("E2")))
        stop = s.step(stop, "next")
        self.assertEqual(stop["frames"][-1]["function"], "main")
        self.assertIn(stop["frames"][-1]["line"], (s.line("EXCEPT"), s.line("HANDLED")))
        self.assertEqual(s.finish()[:2], (0, "True\n"))


THREADS = """\
import threading

barrier = threading.Barrier(2)


def work(tag):
    barrier.wait()
    a = tag  # BP
    b = a + "!"  # S2
    return b  # S3


threads = [threading.Thread(target=work, args=(t,), name=t) for t in ("t1", "t2")]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("joined")
"""

FORK = """\
import os


def main():
    a = 1  # BP
    pid = os.fork()  # FORK
    b = 2  # AFTER
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    print("done", b)


main()
"""


THREAD_ENDS = """\
import sys, threading


def work():
    a = 1  # BP
    return a  # RET


def other():
    b = 2  # OTHER
    return b


for target in (work, other):
    t = threading.Thread(target=target)
    t.start()
    t.join()
events = sys.monitoring.get_events(3) if hasattr(sys, "monitoring") else 3
print("done", events)
"""


class ThreadsAndForkTest(unittest.TestCase):
    def test_next_out_of_a_thread_that_ends_ends_the_step(self):
        s = Stepper(self, THREAD_ENDS, [{"id": 1, "line": "BP"}])
        stop = s.step(s.next_stop(), "next")
        self.assertEqual(s.where(stop), ("work", s.line("RET")))
        s.request(stop, {"cmd": "next"})  # the thread ends: no user line of it comes
        s.continued.add(stop["id"])
        # Back to the breakpoint-only events (3.12+: PY_START | PY_RESUME of tool 3).
        self.assertEqual(s.finish()[:2], (0, "done 3\n"))
        self.assertEqual(len(s.events(wire.STOPPED)), 2)

    def test_two_threads_step_at_once(self):
        s = Stepper(self, THREADS, [{"id": 1, "line": "BP"}])
        first, second = s.next_stop(), s.next_stop()
        self.assertEqual({first["thread"], second["thread"]}, {"t1", "t2"})
        first = s.step(first, "next")
        second = s.step(second, "next")
        for stop in (first, second):
            self.assertEqual((stop["reason"], s.where(stop)), ("step", ("work", s.line("S2"))))
            self.assertEqual(top_locals(stop)["a"], repr(stop["thread"]))
        self.assertEqual({first["thread"], second["thread"]}, {"t1", "t2"})
        first = s.step(first, "next")
        self.assertEqual(s.where(first), ("work", s.line("S3")))
        self.assertEqual(s.finish()[:2], (0, "joined\n"))
        self.assertEqual(len(s.events(wire.STOPPED)), 5)

    @unittest.skipUnless(hasattr(os, "fork"), "os.fork")
    def test_a_fork_while_stepping_starts_with_no_step(self):
        s = Stepper(self, FORK, [{"id": 1, "line": "BP"}])
        stop = s.step(s.next_stop(), "next")
        self.assertEqual(s.where(stop), ("main", s.line("FORK")))
        stop = s.step(stop, "next")
        self.assertEqual((stop["pid"], s.where(stop)), (s.proc.pid, ("main", s.line("AFTER"))))
        self.assertEqual(s.finish()[:2], (0, "done 2\n"))
        self.assertEqual({e["pid"] for e in s.events(wire.STOPPED)}, {s.proc.pid})


POOL = """\
import multiprocessing, sys


def task(x):
    y = x * 2  # BP
    return y  # RET


if __name__ == "__main__":
    with multiprocessing.get_context(sys.argv[1]).Pool(1) as pool:
        print(pool.map(task, [1, 2], chunksize=1))
"""

EXECUTOR = """\
import concurrent.futures, multiprocessing, sys


def task(x):
    y = x * 2  # BP
    return y  # RET


if __name__ == "__main__":
    context = multiprocessing.get_context(sys.argv[1])
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as executor:
        print(list(executor.map(task, [1, 2])))
"""


class PoolTaskTest(unittest.TestCase):
    def check_leaves_the_task_for_the_next(self, source, method, out):
        for word in ("stepOut", "next"):
            with self.subTest(method=method, word=word):
                s = Stepper(self, source, [{"id": 1, "line": "BP", "hitCondition": "1"}],
                            args=(method,))
                stop = s.next_stop()
                self.assertNotEqual(stop["pid"], s.proc.pid)
                self.assertEqual(top_locals(stop), {"x": "1"})
                if word == "next":
                    stop = s.step(stop, "next")
                    self.assertEqual(s.where(stop), ("task", s.line("RET")))
                # Out of the task: not in the pool's or executor's loop but the next task.
                stop = s.step(stop, word)
                self.assertEqual((stop["reason"], s.where(stop)),
                                 ("step", ("task", s.line("BP"))))
                self.assertEqual(top_locals(stop), {"x": "2"})
                self.assertEqual([f["function"] for f in stop["frames"]], ["task"])
                self.assertEqual(s.finish()[:2], (0, out))

    def test_pool(self):
        for method in ("fork", "spawn"):
            self.check_leaves_the_task_for_the_next(POOL, method, "[2, 4]\n")

    def test_process_pool_executor(self):
        for method in ("fork", "spawn"):
            self.check_leaves_the_task_for_the_next(EXECUTOR, method, "[2, 4]\n")


if __name__ == "__main__":
    unittest.main()
