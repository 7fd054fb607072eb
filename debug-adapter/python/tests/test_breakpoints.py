"""Line breakpoints (breakpoints.py) in real programs, with the test playing the runtime: it
writes <channel>/breakpoints.json, signals SIGRTMIN+8, reads the channel and answers stops with
ctl requests; and the executable lines of lines.py."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest

from tests.helpers import PY_DIR, clean_env, wait_for
from workerscope_tracer import bprules, livestack, wire

TIMEOUT = 30.0
BREAKPOINT_SIGNAL = getattr(signal, "SIGRTMIN", 34) + wire.BREAKPOINT_SIGNAL_OFFSET


def marked_line(source, marker):
    """1-based number of the line of ``source`` ending with ``# <marker>``."""
    for number, line in enumerate(source.splitlines(), 1):
        if line.rstrip().endswith("# " + marker):
            return number
    raise AssertionError("no line marked " + marker)


class Session:
    """A program started as the runtime starts it in a debug session, and its channel."""

    def __init__(self, test, source, breakpoints=None, args=(), env_breakpoints=True,
                 script="prog.py", settings=None, extra_env=None):
        self.source = textwrap.dedent(source)
        self.workdir = tempfile.mkdtemp(prefix="ws-bp-")
        self.channel = tempfile.mkdtemp(prefix="ws-bp-ch-")
        os.chmod(self.channel, 0o700)
        test.addCleanup(self.cleanup)
        self.path = os.path.realpath(os.path.join(self.workdir, "prog.py"))
        with open(self.path, "w") as f:
            f.write(self.source)
        self.version = 0
        self.seq = 0
        self.continued = set()
        self.settings = dict(settings or {})  # exceptions, justMyCode, pause: spec keys
        self.items = []
        if breakpoints is not None or settings is not None:
            self.set_breakpoints(breakpoints or [], signal_pids=())
        env = clean_env()
        env["PYTHONPATH"] = os.path.join(PY_DIR, "bootstrap")
        env["WORKERSCOPE_CHANNEL"] = self.channel
        env["WORKERSCOPE_TRACER_LOG"] = os.path.join(self.workdir, "tracer.log")
        if env_breakpoints:
            env["WORKERSCOPE_BREAKPOINTS"] = "1"
        env.update(extra_env or {})
        if script != "prog.py":
            os.symlink(self.path, os.path.join(self.workdir, script))
        # By a relative name, as a user types it: 3.8's code objects keep it so.
        self.proc = subprocess.Popen([sys.executable, script] + list(args), cwd=self.workdir,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def line(self, marker):
        return marked_line(self.source, marker)

    def set_breakpoints(self, items, signal_pids=None):
        """Rewrites the spec atomically, then signals the processes that catch the signal. A
        ``line`` given as a string is the line marked so."""
        items = [dict(item, line=self.line(item["line"])) if isinstance(item["line"], str)
                 else item for item in items]
        self.version += 1
        self.items = items
        spec = dict(self.settings, version=self.version,
                    files={self.path: items} if items else {})
        tmp = os.path.join(self.channel, "breakpoints.json.tmp%d" % os.getpid())
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(spec, f)
        os.rename(tmp, os.path.join(self.channel, "breakpoints.json"))
        for pid in (self.pids() if signal_pids is None else signal_pids):
            if livestack.catches(pid, BREAKPOINT_SIGNAL):
                os.kill(pid, BREAKPOINT_SIGNAL)

    def set_settings(self, **settings):
        """Changes the spec's settings (breakpoints kept) and signals the processes."""
        self.settings.update(settings)
        self.set_breakpoints(self.items)

    def events(self, kind=None):
        out = []
        for name in os.listdir(self.channel):
            if name.endswith(wire.EVENTS_SUFFIX):
                with open(os.path.join(self.channel, name), "rb") as f:
                    out.extend(wire.decode_lines(f.read()))
        out.sort(key=lambda e: e["t"])
        return [e for e in out if kind is None or e["kind"] == kind]

    def pids(self):
        return {self.proc.pid} | {e["pid"] for e in self.events()}

    def wait_stops(self, count):
        """The first ``count`` stops, each once it has announced its pause."""
        def ready():
            paused = {e["id"] for e in self.events(wire.PAUSED)}
            stops = [e for e in self.events(wire.STOPPED) if e["id"] in paused]
            return stops if len(stops) >= count else None
        stops = wait_for(ready, TIMEOUT)
        if not stops:
            self.fail_with("%d stop(s) expected, got %r" % (count, self.events(wire.STOPPED)))
        return stops[:count]

    def request(self, stop, body):
        self.seq += 1
        body = dict(body, id=stop["id"])
        directory = os.path.join(self.channel, wire.CTL_DIR, str(stop["pid"]))
        tmp = os.path.join(directory, ".%d.tmp" % self.seq)
        with open(tmp, "w") as f:
            json.dump(body, f)
        os.rename(tmp, os.path.join(directory, "%d.json" % self.seq))
        return str(self.seq)

    def evaluate(self, stop, frame, expression):
        seq = self.request(stop, {"cmd": wire.CMD_EVALUATE, "frame": frame,
                                  "expression": expression})
        got = wait_for(lambda: [e for e in self.events(wire.EVALUATE_RESULT)
                                if e["id"] == stop["id"] and e["seq"] == seq], TIMEOUT)
        if not got:
            self.fail_with("no answer to evaluate %r" % expression)
        return got[0]

    def cont(self, stop):
        self.request(stop, {"cmd": wire.CMD_CONTINUE})
        self.continued.add(stop["id"])

    def finish(self):
        """Continues every stop until the program ends; (status, stdout, stderr)."""
        def ended():
            for stop in self.events(wire.STOPPED):
                if stop["id"] not in self.continued and any(
                        e["id"] == stop["id"] for e in self.events(wire.PAUSED)):
                    self.cont(stop)
            return self.proc.poll() is not None
        if not wait_for(ended, TIMEOUT):
            self.fail_with("the program did not end")
        out, err = self.proc.communicate()
        return self.proc.returncode, out.decode(), err.decode()

    def fail_with(self, message):
        if self.proc.poll() is None:
            self.proc.kill()
        out, err = self.proc.communicate()
        log = os.path.join(self.workdir, "tracer.log")
        tracer = open(log).read() if os.path.exists(log) else ""
        raise AssertionError("%s\nstdout: %s\nstderr: %s\ntracer log: %s\nevents: %r"
                             % (message, out.decode(), err.decode(), tracer, self.events()))

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()
        shutil.rmtree(self.workdir, ignore_errors=True)
        shutil.rmtree(self.channel, ignore_errors=True)


LOOP = """\
def work(n):
    total = 0
    for i in range(n):
        total += i  # BP
    return total


print("result", work(6))
"""


class MainProcessTest(unittest.TestCase):
    def run_loop(self, **fields):
        return Session(self, LOOP, [dict(id=5, line="BP", **fields)])

    def test_stop_records_locals_evaluates_and_continues(self):
        s = Session(self, LOOP, [{"id": 5, "line": "BP"}])
        # The spec was there before the program started: installed with the tracer.
        (stop,) = s.wait_stops(1)
        self.assertEqual(stop["id"], "%d-s1" % s.proc.pid)
        self.assertEqual(stop["pid"], s.proc.pid)
        self.assertEqual((stop["reason"], stop["breakpoint"], stop["thread"], stop["worker"],
                          stop["role"], stop["paused"]),
                         ("breakpoint", 5, "MainThread", "MainProcess", "main", True))
        self.assertEqual([(f["file"], f["line"], f["function"]) for f in stop["frames"]],
                         [(s.path, s.line("BP") + 4, "<module>"),
                          (s.path, s.line("BP"), "work")])
        self.assertEqual(stop["frames"][1]["locals"], {"n": "6", "total": "0", "i": "0"})
        result = s.evaluate(stop, 1, "(n, i, total + 100)")
        self.assertEqual((result["ok"], result["value"]), (True, "(6, 0, 100)"))
        s.set_breakpoints([])  # removed while stopped: the continue runs to the end
        s.cont(stop)
        resumed = wait_for(lambda: [e for e in s.events(wire.RESUMED) if e["id"] == stop["id"]],
                           TIMEOUT)
        self.assertEqual(resumed[0]["reason"], "continue")
        status, out, err = s.finish()
        self.assertEqual((status, out, err), (0, "result 15\n", ""))
        self.assertEqual(len(s.events(wire.STOPPED)), 1)

    def test_a_script_run_through_a_symbolic_link_of_another_name(self):
        s = Session(self, LOOP, [{"id": 5, "line": "BP", "hitCondition": "2"}],
                    script="link-to-prog")
        (stop,) = s.wait_stops(1)
        self.assertEqual(stop["frames"][-1]["locals"]["i"], "1")
        self.assertEqual(s.finish()[:2], (0, "result 15\n"))

    def test_condition(self):
        s = self.run_loop(condition="i == 3")
        (stop,) = s.wait_stops(1)
        self.assertEqual(stop["frames"][-1]["locals"]["i"], "3")
        self.assertEqual(s.finish()[:2], (0, "result 15\n"))
        self.assertEqual(len(s.events(wire.STOPPED)), 1)

    def test_false_condition_never_stops(self):
        s = self.run_loop(condition="i > 100")
        self.assertEqual(s.finish(), (0, "result 15\n", ""))
        self.assertEqual(s.events(wire.STOPPED), [])

    def test_raising_condition_logs_and_stops(self):
        s = self.run_loop(condition="i / 0")
        (stop,) = s.wait_stops(1)
        log = s.events(wire.LOG)[0]
        self.assertEqual(log["message"], "breakpoint condition `i / 0` raised "
                                         "ZeroDivisionError: division by zero")
        self.assertEqual((log["file"], log["line"], log["thread"], log["worker"]),
                         (s.path, s.line("BP"), "MainThread", "MainProcess"))
        self.assertEqual(s.finish()[0], 0)
        self.assertEqual(len(s.events(wire.STOPPED)), 6)

    def test_hit_condition_equal(self):
        s = self.run_loop(hitCondition="== 3")
        (stop,) = s.wait_stops(1)
        self.assertEqual(stop["frames"][-1]["locals"]["i"], "2")
        self.assertEqual(s.finish()[:2], (0, "result 15\n"))
        self.assertEqual(len(s.events(wire.STOPPED)), 1)

    def test_hit_condition_modulo(self):
        s = self.run_loop(hitCondition="% 2")
        self.assertEqual(s.finish()[:2], (0, "result 15\n"))
        stops = s.events(wire.STOPPED)
        self.assertEqual([e["frames"][-1]["locals"]["i"] for e in stops], ["1", "3", "5"])
        self.assertEqual([e["id"] for e in stops],
                         ["%d-s%d" % (s.proc.pid, n) for n in (1, 2, 3)])

    def test_logpoint_logs_and_goes_on(self):
        s = self.run_loop(logMessage="i={i} {{braces}} {total * 2} {1/0} {", condition="i < 3")
        self.assertEqual(s.finish(), (0, "result 15\n", ""))
        self.assertEqual(s.events(wire.STOPPED), [])
        logs = s.events(wire.LOG)
        self.assertEqual([e["message"] for e in logs], [
            "i=%d {braces} %d <error: ZeroDivisionError: division by zero> {" % (i, t * 2)
            for i, t in ((0, 0), (1, 0), (2, 1))])
        self.assertEqual({(e["file"], e["line"], e["thread"], e["worker"], e["pid"])
                          for e in logs},
                         {(s.path, s.line("BP"), "MainThread", "MainProcess", s.proc.pid)})


RUNNING = """\
import os, sys, time
open(sys.argv[1], "w").close()
n = 0
while not os.path.exists(sys.argv[2]):
    n += 1  # BP
    time.sleep(0.005)
print("looped")
"""


class WhileRunningTest(unittest.TestCase):
    def test_breakpoint_added_while_a_module_loop_runs(self):
        markers = tempfile.mkdtemp(prefix="ws-bp-m-")
        self.addCleanup(shutil.rmtree, markers, True)
        started, done = os.path.join(markers, "started"), os.path.join(markers, "done")
        s = Session(self, RUNNING, args=(started, done))
        self.assertTrue(wait_for(lambda: os.path.exists(started), TIMEOUT))
        self.assertTrue(livestack.catches(s.proc.pid, BREAKPOINT_SIGNAL))
        self.assertEqual(s.events(wire.STOPPED), [])
        s.set_breakpoints([{"id": 1, "line": "BP"}])
        (stop,) = s.wait_stops(1)
        self.assertEqual([f["function"] for f in stop["frames"]], ["<module>"])
        self.assertEqual(stop["frames"][0]["line"], s.line("BP"))
        self.assertIn("n", stop["frames"][0]["locals"])
        open(done, "w").close()
        status, out, _ = s.finish()
        self.assertEqual((status, out), (0, "looped\n"))


THREAD = """\
import threading

def run(box):
    value = len(box)  # BP
    box.append(value)

box = [1, 2]
t = threading.Thread(target=run, args=(box,), name="helper-thread")
t.start()
t.join()
print(box)
"""

POOL = """\
import multiprocessing, sys

def task(x):
    y = x * 2  # BP
    return y

if __name__ == "__main__":
    with multiprocessing.get_context(sys.argv[1]).Pool(1) as pool:
        print(pool.map(task, [21]))
"""

FORK = """\
import os

def f(tag):
    return tag  # BP

f("parent")
pid = os.fork()
if pid == 0:
    f("child")
    os._exit(0)
os.waitpid(pid, 0)
print("done")
"""


class ThreadsAndProcessesTest(unittest.TestCase):
    def test_thread(self):
        s = Session(self, THREAD, [{"id": 2, "line": "BP"}])
        (stop,) = s.wait_stops(1)
        self.assertEqual((stop["thread"], stop["worker"], stop["role"]),
                         ("helper-thread", "MainProcess", "main"))
        self.assertEqual(stop["frames"][-1]["function"], "run")
        self.assertEqual(stop["frames"][-1]["locals"], {"box": "[1, 2]"})
        self.assertEqual(s.finish()[:2], (0, "[1, 2, 2]\n"))

    def test_pool_task_in_each_start_method(self):
        for method in ("fork", "spawn", "forkserver"):
            with self.subTest(method=method):
                s = Session(self, POOL, [{"id": 3, "line": "BP"}], args=(method,))
                (stop,) = s.wait_stops(1)
                self.assertNotEqual(stop["pid"], s.proc.pid)
                self.assertEqual(stop["id"], "%d-s1" % stop["pid"])
                self.assertEqual((stop["role"], stop["thread"]), ("pool-worker", "MainThread"))
                self.assertTrue(stop["worker"].endswith("PoolWorker-1"), stop["worker"])
                self.assertEqual([(f["function"], f["locals"]) for f in stop["frames"]],
                                 [("task", {"x": "21"})])
                self.assertEqual(s.evaluate(stop, 0, "x + 1")["value"], "22")
                self.assertEqual(s.finish()[:2], (0, "[42]\n"))
                self.assertEqual(len(s.events(wire.STOPPED)), 1)

    @unittest.skipUnless(hasattr(os, "fork"), "os.fork")
    def test_fork_keeps_breakpoints_and_counts_afresh(self):
        s = Session(self, FORK, [{"id": 4, "line": "BP", "hitCondition": "1"}])
        (first,) = s.wait_stops(1)
        self.assertEqual(first["frames"][-1]["locals"], {"tag": "'parent'"})
        s.cont(first)
        second = s.wait_stops(2)[1]
        self.assertNotEqual(second["pid"], s.proc.pid)
        self.assertEqual((second["id"], second["frames"][-1]["locals"]),
                         ("%d-s1" % second["pid"], {"tag": "'child'"}))
        self.assertEqual(s.finish()[:2], (0, "done\n"))


PROBE = """\
import signal, sys
sig = signal.SIGRTMIN + 8
monitoring = sys.monitoring.get_tool(3) if hasattr(sys, "monitoring") else None
print("workerscope_tracer" in sys.modules, "workerscope_tracer.breakpoints" in sys.modules,
      signal.getsignal(sig) == signal.SIG_DFL, sys.gettrace() is None, monitoring)
"""


class CostTest(unittest.TestCase):
    def test_without_the_variable_nothing_is_imported_nor_caught(self):
        s = Session(self, PROBE, [{"id": 1, "line": 1}], env_breakpoints=False)
        self.assertEqual(s.finish(), (0, "True False True True None\n", ""))

    def test_without_breakpoints_nothing_traces(self):
        s = Session(self, PROBE)
        self.assertEqual(s.finish(), (0, "True True False True None\n", ""))


class RulesTest(unittest.TestCase):
    def test_hit_conditions(self):
        parse = bprules.parse_hit_condition
        self.assertEqual([parse(t) for t in ("3", " == 3", ">=2", "> 2", "<= 4", "<4", "% 2")],
                         [("==", 3), ("==", 3), (">=", 2), (">", 2), ("<=", 4), ("<", 4),
                          ("%", 2)])
        self.assertEqual([parse(t) for t in (None, "", "x", "= 3", "% 0", "2.5", "\u00b2", 3)],
                         [None] * 8)
        met = bprules.hit_condition_met
        self.assertEqual([n for n in range(1, 8) if met(("%", 3), n)], [3, 6])
        self.assertEqual([n for n in range(1, 8) if met((">", 5), n)], [6, 7])
        self.assertTrue(met(None, 1))

    def test_messages(self):
        frame = sys._getframe()
        d = {"a": {"b": 1}}  # noqa: F841 — read by the messages
        text = "x}"  # noqa: F841
        fmt = bprules.format_message
        self.assertEqual(fmt("{d['a']} {{}} {text} {d['a']['b'] + 1}", frame),
                         "{'b': 1} {} x} 2")
        self.assertEqual(fmt("{nothing} and {", frame),
                         "<error: NameError: name 'nothing' is not defined> and {")
        self.assertEqual(fmt("{'}'} {(1, 2)}", frame), "} (1, 2)")
        self.assertTrue(fmt("{'x' * 20000}", frame).endswith("... (20000 characters)"))


LINES_SAMPLE = """\
import os

def f(a,
      b):
    x = [i
         for i in range(a)]
    return x

class C:
    y = 1
    def m(self):
        return (1 +
                2)
"""


class ExecutableLinesTest(unittest.TestCase):
    def run_lines(self, *files):
        code = ("import sys; sys.path.insert(0, %r); from workerscope_tracer import lines; "
                "lines.main()" % PY_DIR)
        proc = subprocess.run([sys.executable, "-c", code] + list(files), env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        return json.loads(proc.stdout.decode())

    def test_lines_of_functions_classes_and_statements_on_several_lines(self):
        workdir = tempfile.mkdtemp(prefix="ws-lines-")
        self.addCleanup(shutil.rmtree, workdir, True)
        good, bad = os.path.join(workdir, "good.py"), os.path.join(workdir, "bad.py")
        with open(good, "w") as f:
            f.write(LINES_SAMPLE)
        with open(bad, "w") as f:
            f.write("x = 1\n\ndef f(:\n    pass\n")
        missing = os.path.join(workdir, "missing.py")
        files = self.run_lines(good, bad, missing)["files"]
        lines = set(files[good]["lines"])
        self.assertEqual(files[good]["lines"], sorted(lines))
        self.assertTrue({1, 3, 5, 7, 9, 10, 11, 12} <= lines, lines)
        self.assertFalse({0, 2, 4, 8, 13} & lines, lines)  # blank, continuation, closing lines
        self.assertEqual(set(files[bad]), {"error"})
        self.assertTrue(files[bad]["error"].startswith("SyntaxError: "), files[bad])
        self.assertTrue(files[bad]["error"].endswith("(line 3)"), files[bad])
        self.assertTrue(files[missing]["error"].startswith("FileNotFoundError: "))


if __name__ == "__main__":
    unittest.main()
