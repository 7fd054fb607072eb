"""Report aggregation from synthetic events, and the pause/evaluate control protocol."""

import json
import os
import sys
import threading
import unittest

from workerscope_tracer import pause, wire
from workerscope_tracer.tools import report
from tests.helpers import ChannelCase, wait_for


def ev(kind, pid, t, **fields):
    out = {"v": 1, "kind": kind, "pid": pid, "t": t}
    out.update(fields)
    return out


FRAMES = [{"file": "/w/a.py", "line": 3, "function": "work", "locals": {"x": "5"}, "user": True},
          {"file": "/usr/lib/python3.11/json/decoder.py", "line": 9, "function": "decode",
           "locals": {}, "user": False}]


class ReportTest(unittest.TestCase):
    def build(self, events):
        return report.build_report(events, program="/w/a.py", argv=["x"], python="3.11.7",
                                   exit_code=1, root_pid=10, root_ppid=9, root_exit=1)

    def test_exception_joined_with_submit(self):
        events = [
            ev(wire.START_METHOD, 10, 1.0, method="spawn"),
            ev(wire.SUBMIT, 10, 1.1, key="10:pool:0", api="map", function="__main__.work",
               chunksize=3, indexBase=0, indexed=True, submittedAt={"file": "/w/a.py", "line": 20}),
            ev(wire.PROCESS_START, 11, 1.2, ppid=10, owner=10, role="pool-worker",
               name="SpawnPoolWorker-1"),
            ev(wire.TASK_EXCEPTION, 11, 1.3, id="11-1", key="10:pool:0", chunk=2, pos=1,
               thread="MainThread", worker="SpawnPoolWorker-1", role="pool-worker",
               task={"function": "__main__.work", "args": ["7"], "kwargs": {}},
               exception={"type": "ValueError", "message": "bad"}, frames=FRAMES),
            ev(wire.CHILD_EXIT, 10, 1.4, child=11, name="SpawnPoolWorker-1", role="pool-worker",
               exitCode=0, terminated=False),
        ]
        r = self.build(events)
        self.assertEqual(r["startMethod"], "spawn")
        self.assertEqual(r["exitCode"], 1)
        self.assertEqual(r["processes"][0], {"pid": 10, "ppid": 9, "role": "main",
                                             "name": "MainProcess", "exitCode": 1,
                                             "signal": None, "outlived": False})
        self.assertEqual(r["processes"][1]["name"], "SpawnPoolWorker-1")
        (f,) = r["failures"]
        self.assertEqual(f["kind"], "exception")
        self.assertEqual(f["task"]["index"], 7)
        self.assertEqual(f["task"]["submittedAt"], {"file": "/w/a.py", "line": 20})
        self.assertNotIn("user", f["frames"][0])
        text = report.summary(r)
        self.assertIn("/w/a.py:3", text)  # innermost *user* frame, not json's
        self.assertIn("ValueError: bad", text)
        public = report.public(r)
        self.assertEqual(set(public["failures"][0]), set(report.FAILURE_FIELDS))
        json.dumps(public)

    def test_swallowed_merges_worker_frames(self):
        events = [
            ev(wire.TASK_EXCEPTION, 11, 1.3, id="11-1", key="10:pool:4", chunk=0, pos=0,
               thread="MainThread", worker="W", task={"function": "f", "args": ["1"], "kwargs": {}},
               exception={"type": "E", "message": "m"}, frames=FRAMES),
            ev(wire.SWALLOWED, 10, 2.0, key="10:pool:4", chunk=0, api="apply_async",
               task={"function": "f", "args": ["1"], "kwargs": {}, "index": None},
               exception={"type": "E", "message": "m"}),
            ev(wire.SWALLOWED, 10, 2.1, key="10:exec1:3", chunk=0, api="submit",
               task={"function": "g", "args": [], "kwargs": {}, "index": None},
               exception={"type": "F", "message": "n"}),
        ]
        kinds = [(f["kind"], f["task"]["function"], bool(f["frames"]))
                 for f in self.build(events)["failures"]]
        self.assertEqual(kinds, [("swallowed", "f", True), ("swallowed", "g", False)])

    def test_lost_worker_hang_and_races(self):
        events = [
            ev(wire.WORKER_LOST, 10, 1.0, child=12, worker="ForkPoolWorker-2", role="pool-worker",
               exitCode=-9, signal="SIGKILL", key="10:pool:0", chunk=1, pos=1,
               task={"function": "f", "args": ["3"], "kwargs": {}, "index": 3}, frames=[]),
            ev(wire.HANG, 9, 3.0, owner=10, worker="ForkPoolWorker-2", task={"function": "f"},
               signal="SIGKILL"),
            ev(wire.RACE, 12, 2.0, file="/w/a.py", line=7, raceKind="unlocked-read-modify-write",
               object="counter", count=3),
            ev(wire.RACE, 13, 2.0, file="/w/a.py", line=7, raceKind="unlocked-read-modify-write",
               object="counter", count=4),
        ]
        r = self.build(events)
        self.assertEqual([f["kind"] for f in r["failures"]], ["killed", "hang"])
        self.assertEqual(r["failures"][0]["signal"], "SIGKILL")
        self.assertEqual(r["failures"][0]["exitCode"], -9)
        self.assertEqual(r["races"], [{"file": "/w/a.py", "line": 7,
                                       "kind": "unlocked-read-modify-write",
                                       "object": "counter", "count": 7, "pids": [12, 13]}])
        os_exit = [ev(wire.WORKER_LOST, 10, 1.0, child=12, worker="W", role="pool-worker",
                      exitCode=3, signal=None, key="k", chunk=0, pos=0, task=None, frames=[])]
        self.assertEqual(self.build(os_exit)["failures"][0]["kind"], "exited")
        self.assertNotIn("cause", self.build(os_exit)["failures"][0])

    def test_a_lost_worker_names_its_cause_after_the_common_fields(self):
        events = [ev(wire.SUBMIT, 9, 0.5, key="dask:f-1", api="submit", function="m.f",
                     chunksize=1, indexBase=0, indexed=False,
                     submittedAt={"file": "/w/a.py", "line": 4}),
                  ev(wire.WORKER_LOST, 9, 1.0, child=12, worker="Dask Worker", role="process",
                     exitCode=-15, signal="SIGTERM", key="dask:f-1", chunk=None, pos=None,
                     task=None, frames=[], cause="the nanny's memory limit")]
        failure = self.build(events)["failures"][0]
        self.assertEqual(list(failure)[-1], "cause")
        self.assertEqual(failure["cause"], "the nanny's memory limit")
        self.assertEqual(failure["task"]["function"], "m.f")
        self.assertEqual(failure["task"]["submittedAt"], {"file": "/w/a.py", "line": 4})


class PauseTest(ChannelCase):
    def events(self):
        return self.records()

    def request(self, seq, body, pid=None):
        self.write_control("%s.json" % seq, json.dumps(body).encode("utf-8"), pid)

    def test_evaluate_then_continue(self):
        def failing(value):
            scale = 3
            return sys._getframe()

        frame = failing(14)
        result = {}
        t = threading.Thread(target=lambda: result.update(
            reason=pause.wait_for_debugger("1-1", [frame], timeout=20)))
        t.start()
        self.assertTrue(wait_for(lambda: any(e["kind"] == wire.PAUSED for e in self.events())))
        self.request(1, {"cmd": "evaluate", "frame": 0, "expression": "value * scale"})
        self.request(2, {"cmd": "evaluate", "frame": 0, "expression": "1/0"})
        self.request(3, {"cmd": "evaluate", "frame": 5, "expression": "1"})
        got = wait_for(lambda: [e for e in self.events() if e["kind"] == wire.EVALUATE_RESULT]
                       if len([e for e in self.events() if e["kind"] == wire.EVALUATE_RESULT]) == 3
                       else None)
        self.assertEqual([(e["seq"], e["ok"]) for e in got], [("1", True), ("2", False), ("3", False)])
        self.assertEqual(got[0]["value"], "42")
        self.assertIn("ZeroDivisionError", got[1]["error"])
        self.assertTrue(t.is_alive())
        self.request(4, {"cmd": "continue"})
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["reason"], "continue")
        self.assertEqual(self.events()[-1]["kind"], wire.RESUMED)

    def test_a_parent_serves_the_requests_sent_to_its_dead_child(self):
        child = os.getpid() + 1  # any other pid: only its control directory is used
        result = {}
        t = threading.Thread(target=lambda: result.update(
            reason=pause.wait_for_debugger("1-4", [], timeout=20, pid=child)))
        t.start()
        self.assertTrue(wait_for(lambda: any(e["kind"] == wire.PAUSED for e in self.events())))
        self.request(1, {"cmd": "continue", "id": "1-4"})
        self.request(2, {"cmd": "evaluate", "frame": 0, "expression": "1", "id": "1-4"}, child)
        got = wait_for(lambda: [e for e in self.events() if e["kind"] == wire.EVALUATE_RESULT])
        self.assertEqual((got[0]["seq"], got[0]["ok"], got[0]["error"]), ("2", False, "no frame 0"))
        self.assertTrue(t.is_alive(), "a request to its own pid is not for this wait")
        self.request(3, {"cmd": "continue", "id": "1-4"}, child)
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["reason"], "continue")
        self.assertTrue(os.path.exists(os.path.join(pause.ctl_dir(self.dir, os.getpid()), "1.json")),
                        "left for this process's own waits")

    def test_channel_gone_resumes_immediately(self):
        result = {}
        t = threading.Thread(target=lambda: result.update(
            reason=pause.wait_for_debugger("1-2", [], timeout=30)))
        t.start()
        self.assertTrue(wait_for(lambda: any(e["kind"] == wire.PAUSED for e in self.events())))
        for root, dirs, files in os.walk(self.dir, topdown=False):
            for n in files:
                os.unlink(os.path.join(root, n))
            for n in dirs:
                os.rmdir(os.path.join(root, n))
        os.rmdir(self.dir)
        t.join(5)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["reason"], "channel-gone")

    def test_timeout(self):
        self.assertEqual(pause.wait_for_debugger("1-3", [], timeout=0.05), "timeout")


if __name__ == "__main__":
    unittest.main()
