"""A ProcessPoolExecutor worker SIGKILLed while running a task, with the debugger stopping at
failures (WORKERSCOPE_PAUSE=1): the executor's manager thread holds the program, before its
caller gets BrokenProcessPool, until a ``continue`` comes for the dead worker's pid; then the
program goes on exactly as it would (issue #18)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from workerscope_tracer import wire
from tests.helpers import PROGRAMS, PY_DIR, clean_env, program, start_methods, wait_for


class ExecutorKillHoldTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ws-hold-")
        self.channel = os.path.join(self.tmp, "channel")
        os.mkdir(self.channel, 0o700)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def records(self):
        found = []
        for name in sorted(os.listdir(self.channel)):
            if name.endswith(".jsonl"):
                with open(os.path.join(self.channel, name), "rb") as f:
                    found.extend(wire.decode_lines(f.read()))
        return found

    def launch(self, method, pause):
        env = clean_env()
        env["PYTHONPATH"] = os.path.join(PY_DIR, "bootstrap")
        env["WORKERSCOPE_CHANNEL"] = self.channel
        if pause:
            env["WORKERSCOPE_PAUSE"] = "1"
        return subprocess.Popen([sys.executable, program("executor_worker_sigkill"), method],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                cwd=PROGRAMS)

    def request(self, pid, seq, body):
        d = os.path.join(self.channel, wire.CTL_DIR, str(pid))
        tmp = os.path.join(d, ".%d.tmp" % seq)
        with open(tmp, "w") as f:
            json.dump(body, f)
        os.rename(tmp, os.path.join(d, "%d.json" % seq))

    def test_held_until_continue_for_the_dead_worker(self):
        for method in start_methods():
            with self.subTest(method=method):
                proc = self.launch(method, pause=True)
                try:
                    lost = wait_for(lambda: [r for r in self.records()
                                             if r["kind"] == wire.WORKER_LOST], timeout=60)
                    self.assertEqual(len(lost), 1, lost)
                    lost = lost[0]
                    self.assertEqual((lost["role"], lost["signal"], lost["paused"]),
                                     (wire.ROLE_EXECUTOR_WORKER, "SIGKILL", True))
                    self.assertEqual(lost["pid"], proc.pid, "written by the program's process")
                    self.assertEqual(lost["task"]["args"], ["2"])
                    self.assertTrue(wait_for(lambda: [r for r in self.records() if r["kind"]
                                                      == wire.PAUSED and r["id"] == lost["id"]]))
                    # Held: the caller has not got BrokenProcessPool.  A continue for another
                    # failure id is not this wait's.
                    self.request(lost["child"], 1, {"cmd": "continue", "id": "other"})
                    self.assertIsNone(proc.poll())
                    self.request(lost["child"], 2, {"cmd": "continue", "id": lost["id"]})
                    out, err = proc.communicate(timeout=60)
                finally:
                    if proc.poll() is None:
                        proc.kill()
                        proc.communicate()
                self.assertEqual(proc.returncode, 0, err)
                self.assertEqual(out.decode(), "broken: BrokenProcessPool\n")
                resumed = [r for r in self.records() if r["kind"] == wire.RESUMED]
                self.assertEqual([(r["id"], r["reason"]) for r in resumed],
                                 [(lost["id"], "continue")])
                shutil.rmtree(self.channel)
                os.mkdir(self.channel, 0o700)

    def test_without_the_debugger_nothing_waits(self):
        proc = self.launch(start_methods()[0], pause=False)
        out, err = proc.communicate(timeout=90)
        self.assertEqual((proc.returncode, out.decode()), (0, "broken: BrokenProcessPool\n"), err)
        lost = [r for r in self.records() if r["kind"] == wire.WORKER_LOST]
        self.assertEqual([r["paused"] for r in lost], [False])
        self.assertFalse([r for r in self.records() if r["kind"] == wire.PAUSED])


if __name__ == "__main__":
    unittest.main()
