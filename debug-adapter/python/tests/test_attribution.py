"""Attribution details checked on real runs, per start method: where a task was submitted
when the submitting call came through the standard library (asyncio's run_in_executor),
frames of code that has no file (a Manager proxy's methods are made by exec), and a pool
stalled by a dead Manager (the death, each task the workers dropped, the hang)."""

import unittest

from tests.helpers import program, run_plain, run_traced, start_methods


class Attribution(unittest.TestCase):
    maxDiff = None

    def test_submitted_at_the_users_line_and_frames_without_a_file(self):
        for method in start_methods():
            with self.subTest(method=method):
                proc, report, _ = run_traced("attribution_details", method, "--no-summary")
                plain = run_plain("attribution_details", method)
                self.assertEqual((proc.stdout, proc.returncode), (plain.stdout, plain.returncode))
                boom, lookup = sorted(report["failures"], key=lambda f: f["task"]["function"])
                self.assertEqual(boom["task"]["function"], "__main__.boom")
                self.assertEqual(boom["task"]["submittedAt"],
                                 {"file": program("attribution_details"), "line": 22})
                self.assertEqual(lookup["task"]["submittedAt"]["line"], 35)
                self.assertIn(("<string>", "__getitem__"),
                              [(f["file"], f["function"]) for f in lookup["frames"]])

    def test_a_dead_manager_is_named_with_the_tasks_it_made_workers_drop(self):
        for method in start_methods():
            with self.subTest(method=method):
                proc, report, elapsed = run_traced("pool_manager_killed", method,
                                                   "--hang-timeout", "2", "--no-summary")
                self.assertEqual(proc.returncode, 124)
                self.assertLess(elapsed, 40)
                kinds = [f["kind"] for f in report["failures"]]
                self.assertEqual(kinds.count("hang"), 1, kinds)
                hang = [f for f in report["failures"] if f["kind"] == "hang"][0]
                self.assertEqual(hang["task"]["function"], "__main__.record")  # the lost job
                killed = [f for f in report["failures"] if f["kind"] == "killed"]
                self.assertEqual([(f["worker"], f["signal"]) for f in killed],
                                 [("SyncManager-1", "SIGKILL")])
                manager = [p for p in report["processes"] if p["name"] == "SyncManager-1"]
                self.assertEqual(manager[0]["exitCode"], -9)
                dropped = [f for f in report["failures"] if f["kind"] == "exception"]
                self.assertEqual(sorted(f["task"]["index"] for f in dropped), [0, 1, 2, 3])
                for f in dropped:
                    self.assertEqual(f["task"]["function"], "__main__.record")
                    self.assertIn(f["exception"]["type"], ("ConnectionRefusedError",
                                                           "ConnectionResetError",
                                                           "BrokenPipeError", "EOFError"))


if __name__ == "__main__":
    unittest.main()
