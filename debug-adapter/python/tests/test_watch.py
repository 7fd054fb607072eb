"""The supervisor's ``--watch`` mode, as the editor's runtime uses it: the program is started by
someone else with the bootstrap on PYTHONPATH, and the supervisor learns on stdin how it ended."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests.helpers import PY_DIR, clean_env, program, PROGRAMS
from workerscope_tracer.tools.report import load_events

LAUNCHER = os.path.join(PY_DIR, "workerscope_supervise.py")


class WatchedRun:
    """Starts the program as the runtime does (own session, bootstrap) and a watching supervisor."""

    def __init__(self, name, *options, method="spawn", report=None):
        self.channel = tempfile.mkdtemp(prefix="ws-watch-")
        os.chmod(self.channel, 0o700)
        self.report_path = os.path.join(self.channel, "report.json") if report is None else report
        env = clean_env()
        env["PYTHONPATH"] = os.path.join(PY_DIR, "bootstrap")
        env["WORKERSCOPE_CHANNEL"] = self.channel
        self.program = subprocess.Popen([sys.executable, program(name), method], cwd=PROGRAMS,
                                        env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, start_new_session=True)
        self.supervisor = subprocess.Popen(
            [sys.executable, "-S", LAUNCHER, "--watch", str(self.program.pid), "--channel",
             self.channel, "--no-summary"] + (["--report", self.report_path] if self.report_path else [])
            + list(options)
            + ["--", program(name), method],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=clean_env())

    def finish(self, tell=True, timeout=90):
        """Waits for the program, tells the supervisor (unless not), returns (program status,
        supervisor status, supervisor stdout, report or None)."""
        try:
            self.program.communicate(timeout=timeout)
            status = self.program.returncode
            message = ("exit %d\n" % status if status >= 0 else "signal %d\n" % -status).encode()
            out, _ = self.supervisor.communicate(message if tell else b"", timeout=timeout)
            report = None
            if self.report_path and os.path.exists(self.report_path):
                with open(self.report_path) as f:
                    report = json.load(f)
            return status, self.supervisor.returncode, out, report
        finally:
            self.cleanup()

    def cleanup(self):
        for proc in (self.program, self.supervisor):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None and not stream.closed:
                    stream.close()
        shutil.rmtree(self.channel, ignore_errors=True)


class WatchModeTest(unittest.TestCase):
    def test_report_follows_the_status_it_is_told(self):
        status, code, out, report = WatchedRun("pool_map_raises").finish()
        self.assertEqual((status, code, out), (0, 0, b""))
        self.assertIsNotNone(report)
        failure = [f for f in report["failures"] if f["kind"] == "exception"][0]
        self.assertEqual(failure["task"]["args"], ["7"])
        main = report["processes"][0]
        self.assertEqual((main["role"], main["ppid"], main["exitCode"]),
                         ("main", os.getpid(), 0))

    def test_without_a_report_it_leaves_once_told_and_a_hang_is_on_the_channel(self):
        # The editor's runtime builds the report itself from the channel once we have left.
        run = WatchedRun("pool_worker_sigkill", "--hang-timeout", "1", report="")
        try:
            run.program.communicate(timeout=60)
            self.assertEqual(run.program.returncode, -9)  # killed with its group after the hang
            out, _ = run.supervisor.communicate(b"signal 9\n", timeout=60)
            self.assertEqual((run.supervisor.returncode, out), (124, b""))
            kinds = [e["kind"] for e in load_events(run.channel)]
            self.assertIn("worker-lost", kinds)
            self.assertEqual(kinds.count("hang"), 1)
            self.assertTrue(os.path.isdir(run.channel))  # the runtime's to read and remove
            self.assertEqual([n for n in os.listdir(run.channel) if n.endswith(".json")], [])
        finally:
            run.cleanup()

    def test_a_hang_kills_the_program_group_and_ends_with_124(self):
        status, code, out, report = WatchedRun("pool_worker_sigkill", "--hang-timeout", "1").finish()
        self.assertEqual(status, -9)
        self.assertEqual(code, 124)
        kinds = [f["kind"] for f in report["failures"]]
        self.assertIn("killed", kinds)
        self.assertIn("hang", kinds)
        self.assertEqual(report["exitCode"], 124)

    def test_end_of_input_without_a_status_leaves_the_program_alone(self):
        run = WatchedRun("clean_exit")
        try:  # the runtime went away first: the supervisor leaves, the program runs on
            out, _ = run.supervisor.communicate(b"", timeout=60)
            self.assertEqual((run.supervisor.returncode, out), (0, b""))
            stdout, _ = run.program.communicate(timeout=60)
            plain = subprocess.run([sys.executable, program("clean_exit"), "spawn"], cwd=PROGRAMS,
                                   stdout=subprocess.PIPE, env=clean_env(), timeout=60)
            self.assertEqual((run.program.returncode, stdout), (plain.returncode, plain.stdout))
            self.assertFalse(os.path.exists(run.report_path))
        finally:
            run.cleanup()

    def test_usage_errors(self):
        for args in (["--watch", "x", "--channel", "/tmp"], ["--watch", "1", "--", "a.py"]):
            proc = subprocess.run([sys.executable, "-S", LAUNCHER] + args + ["--", "a.py"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=clean_env(), timeout=30)
            self.assertEqual(proc.returncode, 2)
            self.assertIn(b"--watch needs a pid and --channel", proc.stderr)


if __name__ == "__main__":
    unittest.main()
