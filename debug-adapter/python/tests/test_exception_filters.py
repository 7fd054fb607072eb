"""The spec's exception filters (uncaught, failures, raised), justMyCode and pause requests,
in real programs under the tracer with the test playing the runtime (test_breakpoints)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

from tests.helpers import clean_env, wait_for
from tests.test_breakpoints import TIMEOUT
from tests.test_stepping import Stepper, top_locals
from workerscope_tracer import bprules, usercode, wire

UNCAUGHT = """\
import sys


def fail(n):
    print("before", flush=True)
    raise ValueError("bad %d" % n)  # RAISE


fail(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
"""


def plain_run(test, source, args=()):
    """(status, stdout, stderr) of the program run without the tracer, from a file of the
    same name in a directory of its own (the traceback names it)."""
    workdir = tempfile.mkdtemp(prefix="ws-plain-")
    test.addCleanup(shutil.rmtree, workdir, True)
    with open(os.path.join(workdir, "prog.py"), "w") as f:
        f.write(source)
    proc = subprocess.run([sys.executable, "prog.py"] + list(args), cwd=workdir,
                          env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode().replace(workdir, "")


class UncaughtTest(unittest.TestCase):
    def test_stops_before_the_traceback_and_exits_as_without_the_tracer(self):
        s = Stepper(self, UNCAUGHT, [])
        stop = s.next_stop()
        self.assertEqual((stop["reason"], stop["description"], stop["exception"],
                          stop["steppable"], stop["breakpoint"], stop["thread"]),
                         ("exception", "uncaught", {"type": "ValueError", "message": "bad 3"},
                          False, None, "MainThread"))
        self.assertEqual([(f["function"], f["line"]) for f in stop["frames"]],
                         [("<module>", s.line("RAISE") + 3), ("fail", s.line("RAISE"))])
        self.assertEqual(top_locals(stop), {"n": "3"})
        os.set_blocking(s.proc.stderr.fileno(), False)
        self.assertIn(s.proc.stderr.read(), (None, b""))  # nothing printed yet
        self.assertEqual(s.evaluate(stop, 1, "n * 2")["value"], "6")
        os.set_blocking(s.proc.stderr.fileno(), True)
        status, out, err = s.finish()
        expected = plain_run(self, s.source)
        self.assertEqual((status, out, err.replace(s.workdir, "")), expected)
        self.assertEqual(status, 1)

    def test_raised_inside_a_library_stops_on_the_programs_own_line(self):
        source = """
            import json

            def load(text):
                return json.loads(text)  # CALL

            load("{not json")
        """
        for just_my_code, top in ((True, "load"), (False, "raw_decode")):
            with self.subTest(just_my_code=just_my_code):
                s = Stepper(self, source, [], settings={"justMyCode": just_my_code})
                stop = s.next_stop()
                self.assertEqual(stop["frames"][-1]["function"], top)
                if just_my_code:
                    self.assertEqual(stop["frames"][-1]["line"], s.line("CALL"))
                    self.assertEqual(s.evaluate(stop, len(stop["frames"]) - 1, "text")["value"],
                                     "'{not json'")
                status, _, err = s.finish()
                self.assertEqual(status, 1)
                self.assertIn("json.decoder.JSONDecodeError", err)

    def test_off_runs_on(self):
        s = Stepper(self, UNCAUGHT, [], settings={"exceptions": {"uncaught": False}})
        status, out, err = s.finish()
        self.assertEqual((status, out), (1, "before\n"))
        self.assertTrue(err.endswith("ValueError: bad 3\n"), err)
        self.assertEqual(s.events(wire.STOPPED), [])

    def test_keyboard_interrupt_still_ends_by_sigint(self):
        s = Stepper(self, "raise KeyboardInterrupt\n", [])
        status, out, err = s.finish()
        self.assertEqual(status, -signal.SIGINT)
        self.assertTrue(err.endswith("KeyboardInterrupt\n"), err)
        self.assertEqual(s.events(wire.STOPPED), [])

    def test_syntax_error_of_the_program(self):
        source = "x = 1\n\ndef f(:\n    pass\n"
        s = Stepper(self, source, [])
        stop = s.next_stop()
        exception = stop["exception"]
        self.assertEqual((stop["reason"], stop["description"], exception["type"],
                          exception["line"]), ("exception", "uncaught", "SyntaxError", 3))
        self.assertTrue(exception["file"].endswith("prog.py"), exception)
        status, out, err = s.finish()
        self.assertEqual((status, out, err.replace(s.workdir, "")), plain_run(self, source))


THREAD_FAILS = """\
import threading


def run():
    raise RuntimeError("thread died")


t = threading.Thread(target=run, name="dying")
t.start()
t.join()
print("joined")
"""

POOL_FAILS = """\
import multiprocessing


def task(x):
    raise ValueError(x)


if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        try:
            pool.map(task, [7])
        except ValueError as exc:
            print("caught", exc)
"""


class FailureFiltersTest(unittest.TestCase):
    def failure(self, s, kind):
        got = wait_for(lambda: s.events(kind), TIMEOUT)
        if not got:
            s.fail_with("no %s record" % kind)
        return got[0]

    def answer(self, s, record):
        if record["paused"]:
            wait_for(lambda: [e for e in s.events(wire.PAUSED) if e["id"] == record["id"]],
                     TIMEOUT)
            s.request({"id": record["id"], "pid": record["pid"]}, {"cmd": wire.CMD_CONTINUE})

    def test_a_thread_ending_by_an_exception_pauses_with_uncaught_alone(self):
        for uncaught in (True, False):
            with self.subTest(uncaught=uncaught):
                s = Stepper(self, THREAD_FAILS, [], settings={
                    "exceptions": {"failures": False, "uncaught": uncaught}})
                record = self.failure(s, wire.THREAD_EXCEPTION)
                self.assertEqual(record["paused"], uncaught)
                self.answer(s, record)
                status, out, _ = s.finish()
                self.assertEqual((status, out), (0, "joined\n"))

    def test_failures_filter_decides_for_a_task(self):
        for failures, env in ((True, {}), (False, {"WORKERSCOPE_PAUSE": "1"})):
            with self.subTest(failures=failures):
                s = Stepper(self, POOL_FAILS, [], settings={
                    "exceptions": {"failures": failures}}, extra_env=env)
                record = self.failure(s, wire.TASK_EXCEPTION)
                self.assertEqual(record["paused"], failures)
                self.answer(s, record)
                self.assertEqual(s.finish()[:2], (0, "caught 7\n"))

    def test_a_change_while_running_counts_at_the_next_failure(self):
        markers = tempfile.mkdtemp(prefix="ws-filters-")
        self.addCleanup(shutil.rmtree, markers, True)
        go = os.path.join(markers, "go")
        source = POOL_FAILS.replace("    with multiprocessing", (
            "    import os, time\n    while not os.path.exists(%r):\n        time.sleep(0.01)\n"
            "    with multiprocessing") % go)
        s = Stepper(self, source, [], settings={"exceptions": {"failures": True}})
        s.set_settings(exceptions={"failures": False})
        open(go, "w").close()
        record = self.failure(s, wire.TASK_EXCEPTION)
        self.assertFalse(record["paused"])
        self.assertEqual(s.finish()[:2], (0, "caught 7\n"))

    def test_failures_default_is_the_pause_variable(self):
        s = Stepper(self, POOL_FAILS, [], extra_env={"WORKERSCOPE_PAUSE": "1"})
        record = self.failure(s, wire.TASK_EXCEPTION)
        self.assertTrue(record["paused"])
        self.answer(s, record)
        self.assertEqual(s.finish()[:2], (0, "caught 7\n"))


RAISED = """\
import json


def parse(text):
    try:
        return json.loads(text)  # LOADS
    except ValueError:
        return None


def numbers():
    yield 1


def main():
    list(numbers())
    try:
        raise KeyError("k")  # RAISE
    except KeyError:  # EXCEPT
        pass
    print(parse("{"))
    print("ok")


main()
"""


POOL_RAISES = """\
import multiprocessing, sys


def task(x):
    try:
        raise ValueError(x)  # RAISE
    except ValueError:
        return x


if __name__ == "__main__":
    with multiprocessing.get_context(sys.argv[1]).Pool(1) as pool:
        print(pool.map(task, [1]))
"""


THREAD_RAISES = """\
import threading


def run():
    try:
        raise OSError("t")  # RAISE
    except OSError:
        pass


t = threading.Thread(target=run, name="raiser")
t.start()
t.join()
print("joined")
"""


class RaisedTest(unittest.TestCase):
    def test_in_a_thread_started_after_it_was_on(self):
        s = Stepper(self, THREAD_RAISES, [], settings={"exceptions": {"raised": True}})
        stop = s.next_stop()
        self.assertEqual((stop["thread"], stop["exception"]["type"], s.where(stop)),
                         ("raiser", "OSError", ("run", s.line("RAISE"))))
        self.assertEqual(s.finish(), (0, "joined\n", ""))
        self.assertEqual(len(s.events(wire.STOPPED)), 1)

    def test_in_a_pool_worker(self):
        for method in ("spawn", "fork"):
            with self.subTest(method=method):
                s = Stepper(self, POOL_RAISES, [], settings={"exceptions": {"raised": True}},
                            args=(method,))
                stop = s.next_stop()
                self.assertNotEqual(stop["pid"], s.proc.pid)
                self.assertEqual((stop["description"], stop["exception"]["type"],
                                  s.where(stop)), ("raised", "ValueError",
                                                   ("task", s.line("RAISE"))))
                self.assertEqual([f["function"] for f in stop["frames"]], ["task"])
                self.assertEqual(s.finish()[:2], (0, "[1]\n"))
                self.assertEqual(len(s.events(wire.STOPPED)), 1)

    def test_stops_at_each_raise_in_user_code(self):
        s = Stepper(self, RAISED, [], settings={"exceptions": {"raised": True}})
        stop = s.next_stop()
        self.assertEqual((stop["reason"], stop["description"], stop["exception"],
                          stop["steppable"]),
                         ("exception", "raised", {"type": "KeyError", "message": "'k'"}, True))
        self.assertEqual(s.where(stop), ("main", s.line("RAISE")))
        s.cont(stop)
        stop = s.next_stop()  # json raises in the library: the stop is in the user's frame
        self.assertEqual((stop["exception"]["type"], s.where(stop)),
                         ("JSONDecodeError", ("parse", s.line("LOADS"))))
        self.assertEqual(s.finish(), (0, "None\nok\n", ""))
        self.assertEqual(len(s.events(wire.STOPPED)), 2)

    def test_next_from_a_raise(self):
        s = Stepper(self, RAISED, [], settings={"exceptions": {"raised": True}})
        stop = s.step(s.next_stop(), "next")
        self.assertEqual(stop["reason"], "step")
        self.assertEqual(stop["frames"][-1]["function"], "main")
        self.assertIn(stop["frames"][-1]["line"], (s.line("EXCEPT"), s.line("EXCEPT") + 1))
        s.set_settings(exceptions={"raised": False})  # off while running
        self.assertEqual(s.finish(), (0, "None\nok\n", ""))
        self.assertEqual(len(s.events(wire.STOPPED)), 2)

    def test_without_just_my_code_the_library_raise_stops(self):
        s = Stepper(self, RAISED, [], settings={"exceptions": {"raised": True},
                                                "justMyCode": False})
        self.assertEqual(s.finish()[:2], (0, "None\nok\n"))
        # Every raise stops, the interpreter's start-up ones too (site, enum): the program's
        # two among them, json's in its own frame.
        stops = [(e["exception"]["type"], e["frames"][-1]) for e in s.events(wire.STOPPED)]
        decoding = [frame for kind, frame in stops if kind == "JSONDecodeError"]
        self.assertIn(os.sep + "json" + os.sep, decoding[0]["file"])
        self.assertEqual(decoding[0]["function"], "raw_decode")
        self.assertIn(("KeyError", "main"), [(kind, f["function"]) for kind, f in stops])


SPIN = """\
import os, sys, threading, time


def spin():
    n = 0
    while not os.path.exists(sys.argv[2]):
        n += 1  # SPIN
        time.sleep(0.001)


t = threading.Thread(target=spin, name="spinner")
t.start()
open(sys.argv[1], "w").close()
spin()
t.join()
time.sleep(1.2)  # past the pause request's window: its events or trace function go
(lambda: None)()
n = sum(range(3))
events = sys.monitoring.get_events(3) if hasattr(sys, "monitoring") else 0
print("done", getattr(sys.gettrace(), "__name__", None), events)
"""


class PauseTest(unittest.TestCase):
    def test_pause_stops_the_threads_in_user_code_once(self):
        markers = tempfile.mkdtemp(prefix="ws-pause-")
        self.addCleanup(shutil.rmtree, markers, True)
        started, done = os.path.join(markers, "started"), os.path.join(markers, "done")
        # A generation already there at the start is no request.
        s = Stepper(self, SPIN, [], settings={"pause": 3}, args=(started, done))
        self.assertTrue(wait_for(lambda: os.path.exists(started), TIMEOUT))
        self.assertEqual(s.events(wire.STOPPED), [])
        s.set_settings(pause=4)
        expected = {"MainThread", "spinner"} if sys.version_info >= (3, 12) else {"MainThread"}
        stops = [s.next_stop() for _ in expected]
        self.assertEqual({stop["thread"] for stop in stops}, expected)
        for stop in stops:
            self.assertEqual((stop["reason"], stop["steppable"], stop["description"]),
                             ("pause", True, None))
            self.assertEqual(stop["frames"][-1]["function"], "spin")
        stepped = s.step(stops[0], "next")
        self.assertEqual((stepped["reason"], stepped["thread"]), ("step", stops[0]["thread"]))
        for stop in [stepped] + stops[1:]:
            s.cont(stop)
        open(done, "w").close()
        self.assertEqual(s.finish()[:2], (0, "done None 0\n"))
        self.assertEqual(len(s.events(wire.STOPPED)), len(expected) + 1)


PAUSE_THEN_BREAK = """\
import os, sys, time


def g():
    return 1  # G


open(sys.argv[1], "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
time.sleep(1.5)  # SLEEP
g()  # CALL
print("done")
"""


class PauseThenBreakpointTest(unittest.TestCase):
    def test_first_breakpoint_set_while_a_step_runs(self):
        markers = tempfile.mkdtemp(prefix="ws-pause-")
        self.addCleanup(shutil.rmtree, markers, True)
        started, done = os.path.join(markers, "started"), os.path.join(markers, "done")
        s = Stepper(self, PAUSE_THEN_BREAK, [], args=(started, done))
        self.assertTrue(wait_for(lambda: os.path.exists(started), TIMEOUT))
        s.set_settings(pause=1)
        stop = s.next_stop()
        open(done, "w").close()
        for _ in range(6):
            if s.where(stop)[1] == s.line("SLEEP"):
                break
            stop = s.step(stop, "next")
        self.assertEqual(s.where(stop), ("<module>", s.line("SLEEP")))
        s.request(stop, {"cmd": "next"})  # over the sleep, during which a breakpoint comes
        s.continued.add(stop["id"])
        wait_for(lambda: [e for e in s.events(wire.RESUMED) if e["id"] == stop["id"]], TIMEOUT)
        s.set_breakpoints([{"id": 9, "line": "G"}])
        stop = s.next_stop()
        self.assertEqual((stop["reason"], s.where(stop)), ("step", ("<module>", s.line("CALL"))))
        s.cont(stop)
        stop = s.next_stop()
        self.assertEqual((stop["reason"], stop["breakpoint"], s.where(stop)),
                         ("breakpoint", 9, ("g", s.line("G"))))
        self.assertEqual(s.finish()[:2], (0, "done\n"))


class RulesTest(unittest.TestCase):
    def test_settings_keep_their_defaults_for_what_is_absent_or_wrong(self):
        settings = bprules.Settings({"exceptions": {"failures": "yes", "raised": True},
                                     "justMyCode": 0, "pause": True}, True)
        self.assertEqual((settings.failures, settings.uncaught, settings.raised,
                          settings.just_my_code, settings.pause), (True, True, True, True, 0))
        settings = bprules.Settings({"exceptions": {"failures": False, "uncaught": False},
                                     "justMyCode": False, "pause": 7}, True)
        self.assertEqual((settings.failures, settings.uncaught, settings.raised,
                          settings.just_my_code, settings.pause), (False, False, False, False, 7))
        self.assertFalse(bprules.Settings(None, False).failures)
        self.assertEqual(bprules.Settings([], True).pause, 0)

    def test_library_code(self):
        import json
        import multiprocessing.pool
        self.addCleanup(usercode.set_just_my_code, True)
        mine = os.path.abspath(__file__)
        for just_my_code in (True, False):
            usercode.set_just_my_code(just_my_code)
            self.assertEqual(usercode.is_library(json.__file__), just_my_code)
            self.assertFalse(usercode.is_library(mine))
            for path in (multiprocessing.pool.__file__, usercode.__file__, "<string>",
                         "<frozen runpy>"):
                self.assertTrue(usercode.is_library(path), path)


if __name__ == "__main__":
    unittest.main()
