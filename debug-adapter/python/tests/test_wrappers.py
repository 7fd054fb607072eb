"""A tracer hook around a standard-library call behaves exactly like the call: what it raises
(and the traceback printed for it), when it consumes its input, and how long it keeps its
arguments alive — checked by running fixture programs plainly and traced, per start method.
"""

import unittest

from tests.helpers import run_plain, run_traced, start_methods


class Wrappers(unittest.TestCase):
    maxDiff = None

    def same_as_plain(self, name, method):
        traced, report, _ = run_traced(name, method, "--no-summary")
        plain = run_plain(name, method)
        self.assertEqual(traced.stdout.decode(), plain.stdout.decode())
        self.assertEqual(traced.stderr.decode(), plain.stderr.decode())
        self.assertEqual(traced.returncode, plain.returncode)
        self.assertIsNotNone(report)
        return report

    def test_map_whose_input_raises_raises(self):
        for method in start_methods():
            with self.subTest(method=method):
                report = self.same_as_plain("wrapper_map_input_raises", method)
                self.assertEqual(report["exitCode"], 1)
                # The input failed in the parent: no worker failure is reported.
                self.assertEqual([f["kind"] for f in report["failures"]], [])

    def test_workers_release_task_arguments_once_sent(self):
        for method in start_methods():
            with self.subTest(method=method):
                self.same_as_plain("wrapper_task_lifetime", method)

    def test_user_code_the_tracer_calls_cannot_end_the_program(self):
        for method in start_methods():
            with self.subTest(method=method):
                report = self.same_as_plain("wrapper_user_code_raises", method)
                failures = {f["exception"]["type"]: f for f in report["failures"]}
                self.assertEqual(sorted(failures), ["PermissionError", "Unprintable", "ValueError"])
                self.assertEqual(failures["ValueError"]["task"]["args"],
                                 ["<Stubborn instance (repr raised SystemExit)>"])
                self.assertEqual(failures["Unprintable"]["exception"]["message"], "Unprintable(7)")
                frame = failures["PermissionError"]["frames"][-1]
                self.assertEqual(frame["locals"]["authkey"], "<authentication key hidden>")


if __name__ == "__main__":
    unittest.main()
