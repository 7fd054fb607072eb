"""Dask's distributed under the tracer: a real LocalCluster whose tasks fail, reported with the
task each failure belongs to and the line that submitted it, and the program's output unchanged.

Dask is not installable from PyPI here: the interpreter is Debian's python3 with
python3-distributed (or WORKERSCOPE_DASK_PYTHON).  Run once, from the default Python's suite."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

from tests.helpers import DEFAULT_PYTHON, PROGRAMS, PY_DIR, clean_env, program

PROGRAM = program("dask_failures")


def dask_python():
    """An interpreter that imports distributed, or None."""
    for candidate in (os.environ.get("WORKERSCOPE_DASK_PYTHON"), "/usr/bin/python3"):
        if not candidate or not os.path.exists(candidate):
            continue
        probe = subprocess.run([candidate, "-c", "import distributed"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=clean_env())
        if probe.returncode == 0:
            return candidate
    return None


def run_both(python, path):
    """The program run plain, then under the tracer: (plain, traced, report)."""
    env = clean_env()
    plain = subprocess.run([python, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=240, cwd=PROGRAMS)
    workdir = tempfile.mkdtemp(prefix="ws-dask-")
    report_path = os.path.join(workdir, "report.json")
    env["PYTHONPATH"] = PY_DIR
    traced = subprocess.run([python, "-m", "workerscope_tracer", "--report", report_path, "--", path],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=240,
                            cwd=PROGRAMS)
    with open(report_path) as f:
        report = json.load(f)
    os.unlink(report_path)
    os.rmdir(workdir)
    return plain, traced, report


def source_line(text, path=PROGRAM):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if text in line:
                return number
    raise AssertionError("%r not in %s" % (text, PROGRAM))


@unittest.skipUnless(sys.version_info[:2] == DEFAULT_PYTHON, "run once, from the default Python")
class DaskLocalClusterTest(unittest.TestCase):
    PROGRAM = PROGRAM

    @classmethod
    def setUpClass(cls):
        cls.python = dask_python()
        if cls.python is None:
            raise unittest.SkipTest("no interpreter with distributed (apt-get install python3-distributed)")
        cls.plain, cls.traced, cls.report = run_both(cls.python, cls.PROGRAM)

    def failures(self, kind, function):
        return [f for f in self.report["failures"]
                if f["kind"] == kind and (f.get("task") or {}).get("function") == function]

    def test_output_and_exit_status_unchanged(self):
        self.assertEqual(self.plain.returncode, 0, self.plain.stderr.decode()[-2000:])
        self.assertEqual(self.traced.returncode, self.plain.returncode)
        self.assertEqual(self.traced.stdout, self.plain.stdout)
        self.assertEqual(self.plain.stdout.decode().split("\n")[:2],
                         ["caught ZeroDivisionError", "squares [1, 4, 9]"])

    def test_a_task_that_raised_names_its_task_and_submit_line(self):
        raised = self.failures("exception", "__main__.divide")
        self.assertEqual(len(raised), 1, self.report["failures"])
        failure = raised[0]
        self.assertEqual(failure["task"]["args"], ["7"])
        self.assertEqual(failure["task"]["submittedAt"]["line"],
                         source_line("raised = client.submit(divide, 7)"))
        self.assertEqual(failure["exception"]["type"], "ZeroDivisionError")
        self.assertEqual(failure["frames"][-1]["function"], "divide")
        self.assertEqual(failure["worker"], "Dask Worker process (from Nanny)")

    def test_a_worker_ended_by_its_task_names_the_task(self):
        # Dask retries the task on other workers until its allowed failures are spent (3):
        # every worker it ended is reported, each with the task.
        exited = self.failures("exited", "__main__.leave")
        self.assertGreaterEqual(len(exited), 2, self.report["failures"])
        for failure in exited:
            self.assertEqual(failure["exitCode"], 3)
            self.assertEqual(failure["task"]["args"], ["3"])
            self.assertEqual(failure["task"]["submittedAt"]["line"],
                             source_line("lost = client.submit(leave, 3)"))
            self.assertEqual(failure["frames"][-1]["function"], "leave")

    def test_tasks_that_succeed_are_not_failures(self):
        self.assertEqual([f for f in self.report["failures"]
                          if (f.get("task") or {}).get("function") == "builtins.pow"], [])
        # Dask 2022.12's restarted workers may raise in their own close() at shutdown (a
        # process failure of Dask's, printed by a plain run too): only the user's tasks are
        # named as tasks.
        tasks = {(f.get("task") or {}).get("function") for f in self.report["failures"]
                 if f["kind"] == "exception" and f["frames"][-1]["file"] == PROGRAM}
        self.assertEqual(tasks, {"__main__.divide"})


class DaskKilledWorkersTest(DaskLocalClusterTest):
    """Workers killed with a task running: by the nanny's memory limit (SIGTERM, which Dask
    sends itself) and by SIGKILL; both named with the task the scheduler had on them."""
    PROGRAM = program("dask_killed")

    test_a_task_that_raised_names_its_task_and_submit_line = None
    test_a_worker_ended_by_its_task_names_the_task = None
    test_tasks_that_succeed_are_not_failures = None

    def test_output_and_exit_status_unchanged(self):
        self.assertEqual(self.plain.returncode, 0, self.plain.stderr.decode()[-2000:])
        self.assertEqual(self.traced.returncode, self.plain.returncode)
        self.assertEqual(self.traced.stdout, self.plain.stdout)
        self.assertEqual(self.plain.stdout.decode().split("\n")[:2],
                         ["caught hog KilledWorker", "caught killed KilledWorker"])

    def test_the_memory_limit_kill_names_task_and_cause(self):
        killed = self.failures("killed", "__main__.hog")
        self.assertEqual(len(killed), 1, self.report["failures"])
        self.assertEqual(killed[0]["signal"], "SIGTERM")
        self.assertRegex(killed[0]["cause"], r"^the nanny's memory limit: \d+ MiB in use, "
                                             r"over 95% of 400 MiB")
        self.assertEqual(killed[0]["task"]["submittedAt"]["line"],
                         source_line("future = client.submit(function, arg)", self.PROGRAM))

    def test_a_sigkilled_worker_names_its_task(self):
        killed = self.failures("killed", "__main__.killed")
        self.assertEqual(len(killed), 1, self.report["failures"])
        self.assertEqual(killed[0]["signal"], "SIGKILL")
        self.assertNotIn("cause", killed[0])


if __name__ == "__main__":
    unittest.main()
