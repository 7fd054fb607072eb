"""Attribution details checked on real runs, per start method: where a task was submitted
when the submitting call came through the standard library (asyncio's run_in_executor), and
frames of code that has no file (a Manager proxy's methods are made by exec)."""

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


if __name__ == "__main__":
    unittest.main()
