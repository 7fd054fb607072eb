"""The queue deadlock of CPython's guidelines at run time: a parent in ``Process.join()`` on a
child that cannot exit until what it put on a Queue is read is reported as a hang naming both
places (reason ``join-before-drain``) and the run ends with status 124; a parent that reads
first, or joins with a timeout and then reads, runs exactly as plainly. Real programs per
start method (test-fixtures/programs/queue_*.py), and the hang watch's pairing on records."""

import json
import os
import signal
import subprocess
import sys
import time
import unittest

from tests.helpers import PROGRAMS, clean_env, program, run_plain, run_traced, start_methods
from tests.test_scenarios import HANG_TIMEOUT, Base
from workerscope_tracer import wire
from workerscope_tracer.tools.joinwatch import JoinWatch


def frame(name, line, function):
    return {"file": program(name), "line": line, "function": function, "locals": {}}


def events(stderr):
    """Records written by --events (one JSON object a line, among the summary's lines)."""
    out = []
    for line in stderr.decode(errors="replace").splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


class QueueDeadlock(Base):
    def deadlock(self, name, method, *options, timeout=HANG_TIMEOUT):
        opts = ("--hang-timeout", str(timeout)) if timeout is not None else ()
        proc, report, elapsed = self.traced(name, method, *(opts + options), compare=False)
        self.assertEqual(proc.returncode, 124, proc.stderr.decode(errors="replace"))
        self.assertEqual(report["exitCode"], 124)
        self.assertEqual(proc.stdout, b"")
        hang = self.only(report, "hang")
        self.assertEqual(len(report["failures"]), 1, report["failures"])
        self.assertEqual(hang["reason"], "join-before-drain")
        self.assertEqual(hang["pid"], report["processes"][0]["pid"])  # the joining parent
        self.assertEqual(hang["signal"], "SIGKILL")
        return proc, hang, elapsed

    def test_join_before_drain_is_a_hang_naming_both_sides(self):
        for method in start_methods():
            with self.subTest(method=method):
                proc, hang, elapsed = self.deadlock("queue_join_before_drain", method)
                self.assertLess(elapsed, HANG_TIMEOUT + 15)
                self.assertEqual(hang["worker"], "Process-1")
                # The header put at line 11 was written into the pipe; the 1 MB at line 12 not.
                self.assertEqual(hang["frames"], [frame("queue_join_before_drain", 20, "<module>"),
                                                  frame("queue_join_before_drain", 12, "produce")])
                self.assertEqual(hang["items"], 1)
                self.assertIn(
                    "Process.join() at %s:20 waits for Process-1, which cannot exit until the "
                    "item it put on a Queue at %s:12 is read"
                    % ((program("queue_join_before_drain"),) * 2),
                    proc.stderr.decode())

    def test_joinable_queue_names_every_unwritten_item(self):
        for method in start_methods():
            with self.subTest(method=method):
                proc, hang, _ = self.deadlock("queue_joinable_join_before_drain", method)
                self.assertEqual(hang["worker"], "exporter")
                name = "queue_joinable_join_before_drain"
                self.assertEqual(hang["frames"], [frame(name, 24, "<module>"),
                                                  frame(name, 11, "send_chunks")])
                self.assertEqual(hang["items"], 3)
                self.assertIn("until the 3 items it put on a Queue at %s:11 are read"
                              % program(name), proc.stderr.decode())

    def test_default_hang_timeout_is_ten_seconds(self):
        proc, _, elapsed = self.deadlock("queue_join_before_drain", "spawn", timeout=None)
        self.assertGreaterEqual(elapsed, 10.0)
        self.assertLess(elapsed, 10.0 + 15)

    def test_reading_before_join_runs_as_plainly(self):
        for method in start_methods():
            with self.subTest(method=method):
                traced, report, _ = run_traced("queue_drained_then_joined", method, "--no-summary")
                plain = run_plain("queue_drained_then_joined", method)
                self.assertEqual(traced.stdout, plain.stdout)
                self.assertEqual(traced.stderr, plain.stderr)
                self.assertEqual(traced.returncode, plain.returncode)
                self.assertEqual(traced.returncode, 0)
                self.assertEqual(report["failures"], [])

    def test_join_with_timeout_then_read_is_no_hang(self):
        for method in start_methods():
            with self.subTest(method=method):
                # The child's flush waits longer than the hang timeout, while its parent is in
                # join(timeout=3): a wait the program ends itself, so no hang.
                proc, report, _ = self.traced("queue_join_timeout_then_drain", method,
                                              "--hang-timeout", "1.0", "--events")
                self.assertEqual(proc.returncode, 0)
                self.assertEqual(report["failures"], [])
                kinds = [e["kind"] for e in events(proc.stderr)]
                self.assertIn(wire.QUEUE_FLUSH_WAIT, kinds)
                self.assertIn(wire.QUEUE_FLUSHED, kinds)
                self.assertNotIn(wire.HANG, kinds)
                joins = [e for e in events(proc.stderr) if e["kind"] == wire.JOIN]
                self.assertEqual([(j["timeout"], j["at"]["line"]) for j in joins],
                                 [(3.0, 18), (None, 21)])

    def test_queue_calls_behave_as_plainly(self):
        for method in start_methods():
            with self.subTest(method=method):
                traced, report, _ = run_traced("wrapper_queue_calls", method, "--no-summary")
                plain = run_plain("wrapper_queue_calls", method)
                self.assertEqual(traced.stdout.decode(), plain.stdout.decode())
                self.assertEqual(traced.stderr.decode(), plain.stderr.decode())
                self.assertEqual(traced.returncode, plain.returncode)
                self.assertIn(b"queue freed without a collection True", plain.stdout)
                self.assertEqual(report["failures"], [])

    def test_the_fixture_deadlocks_plainly(self):
        """Without the tracer the program never ends (the child is ended with the group)."""
        proc = subprocess.Popen([sys.executable, program("queue_join_before_drain"), "spawn"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(),
                                cwd=PROGRAMS, start_new_session=True)
        try:
            with self.assertRaises(subprocess.TimeoutExpired):
                proc.communicate(timeout=4)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


def record(kind, pid, t, **fields):
    return dict({"v": 1, "kind": kind, "pid": pid, "t": t}, **fields)


class Pairing(unittest.TestCase):
    """JoinWatch on records: which waits and joins make a hang, and when."""

    def setUp(self):
        self.watch = JoinWatch()
        self.at = {"file": "/x.py", "line": 9, "function": "main"}
        self.puts = [{"file": "/x.py", "line": 4, "function": "work", "count": 1}]

    def feed(self, *records):
        for r in records:
            self.watch.note(r)

    def wait(self, t, queue="7:1"):
        return record(wire.QUEUE_FLUSH_WAIT, 7, t, queue=queue, items=1, puts=self.puts)

    def join(self, t, timeout=None, parent=5):
        return record(wire.JOIN, parent, t, child=7, name="Process-1", timeout=timeout, at=self.at)

    def test_both_sides_waiting_for_the_timeout_make_a_hang(self):
        self.feed(self.join(100.0), self.wait(100.6))
        self.assertTrue(self.watch.pending())
        self.assertIsNone(self.watch.due(110.5, 10.0))  # the child has waited only 9.9 s
        hang = self.watch.due(110.6, 10.0)
        self.assertEqual(hang, {
            "owner": 5, "child": 7, "worker": "Process-1", "key": None, "task": None,
            "timeout": 10.0, "lostAt": 100.6, "signal": "SIGKILL",
            "reason": "join-before-drain", "joinedAt": self.at, "queue": "7:1", "items": 1,
            "puts": self.puts})

    def test_the_later_side_starts_the_clock(self):
        self.feed(self.wait(100.0), self.join(105.0))  # the parent did other work first
        self.assertIsNone(self.watch.due(114.9, 10.0))
        self.assertIsNotNone(self.watch.due(115.0, 10.0))

    def test_a_flush_that_finishes_or_a_child_that_ends_is_no_hang(self):
        self.feed(self.join(100.0), self.wait(100.6),
                  record(wire.QUEUE_FLUSHED, 7, 103.0, queue="7:1"))
        self.assertFalse(self.watch.pending())
        self.assertIsNone(self.watch.due(200.0, 10.0))
        self.feed(self.wait(103.5, queue="7:2"))  # then stuck on another queue
        self.assertIsNotNone(self.watch.due(200.0, 10.0))
        self.feed(record(wire.CHILD_EXIT, 5, 150.0, child=7, name="Process-1", role="process",
                         exitCode=-9, terminated=True))
        self.assertIsNone(self.watch.due(200.0, 10.0))

    def test_a_join_with_a_timeout_or_no_join_is_no_hang(self):
        self.feed(self.wait(100.0))
        self.assertIsNone(self.watch.due(200.0, 10.0))
        self.feed(self.join(100.0, timeout=3600.0))
        self.assertFalse(self.watch.pending())
        self.assertIsNone(self.watch.due(200.0, 10.0))

    def test_process_exit_before_the_flush_does_not_end_the_wait(self):
        # 3.12+: a child's queues are flushed at exit, after its _bootstrap has returned.
        self.feed(self.join(100.0), record(wire.PROCESS_EXIT, 7, 100.1, exitCode=0),
                  self.wait(100.6))
        self.assertIsNotNone(self.watch.due(111.0, 10.0))


if __name__ == "__main__":
    unittest.main()
