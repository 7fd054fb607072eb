"""Hostile control files under ctl/<pid>/: a paused worker removes what is no request and
keeps serving the requests after it (continue included)."""

import json
import os
import sys
import threading
import time
import unittest

from workerscope_tracer import pause, wire
from tests.helpers import ChannelCase, wait_for


class HostileControlFilesTest(ChannelCase):
    def setUp(self):
        super().setUp()
        os.makedirs(self.ctl)

    def events(self, kind):
        return self.records(kind)

    def write(self, name, data):
        self.write_control(name, data)

    def request(self, seq, body):
        self.write("%s.json" % seq, json.dumps(body).encode("utf-8"))

    def pause(self, failure_id, frames):
        result = {}
        t = threading.Thread(target=lambda: result.update(
            reason=pause.wait_for_debugger(failure_id, frames, timeout=30)))
        t.start()
        self.assertTrue(wait_for(lambda: self.events(wire.PAUSED)))
        return t, result

    def test_malformed_files_are_removed_and_later_requests_served(self):
        def failing(value):
            return sys._getframe()

        frame = failing(21)
        # Sorted before the real requests (0 < 10), each of them stopped the worker before.
        self.write("0.json", b'{"cmd": "continue"')                      # truncated JSON
        self.write("00.json", b"\xff\xfe{}")                             # not UTF-8
        self.write("000.json", b"[1, 2]")                                # not an object
        self.write("0000.json", b"[" * 100000 + b"]" * 100000)           # too deep for json
        self.write("1.json", b" " * (pause.MAX_REQUEST_BYTES + 1))       # too large
        os.mkfifo(os.path.join(self.ctl, "2.json"))                      # would block a read
        os.mkdir(os.path.join(self.ctl, "3.json"))                       # a directory
        self.write("\u00b2.json", b"{}")                                 # a digit int() refuses
        t, result = self.pause("1-1", [frame])
        self.request(10, {"cmd": "evaluate", "frame": 0, "expression": "value * 2"})
        got = wait_for(lambda: self.events(wire.EVALUATE_RESULT))
        self.assertEqual([(e["seq"], e["value"]) for e in got], [("10", "42")])
        self.request(11, {"cmd": "continue"})
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["reason"], "continue")
        self.assertEqual(sorted(os.listdir(self.ctl)), [], "every file that was no request is gone")

    def test_a_request_for_another_paused_failure_is_left_for_it(self):
        def failing(tag):
            return sys._getframe()

        t1, r1 = self.pause("7-1", [failing("first")])
        t2, r2 = self.pause("7-2", [failing("second")])
        self.request(1, {"cmd": "evaluate", "frame": 0, "expression": "tag", "id": "7-2"})
        self.request(2, {"cmd": "evaluate", "frame": 0, "expression": "tag", "id": "7-1"})
        got = wait_for(lambda: (lambda e: e if len(e) == 2 else None)(self.events(wire.EVALUATE_RESULT)))
        self.assertEqual(sorted((e["seq"], e["id"], e["value"]) for e in got),
                         [("1", "7-2", "'second'"), ("2", "7-1", "'first'")])
        self.request(3, {"cmd": "continue", "id": "7-2"})
        t2.join(10)
        self.assertEqual(r2["reason"], "continue")
        time.sleep(0.1)  # the other one must still be waiting: give it polls to misread
        self.assertTrue(t1.is_alive())
        self.request(4, {"cmd": "continue", "id": "7-1"})
        t1.join(10)
        self.assertEqual(r1["reason"], "continue")

    def test_inspection_requests_with_fields_of_the_wrong_kind_are_answered_with_errors(self):
        def failing(value):
            return sys._getframe()

        t, result = self.pause("1-9", [failing([1, 2])])
        hostile = [
            {"cmd": "evaluate", "frame": "nan", "expression": "value"},
            {"cmd": "evaluate", "frame": 0, "expression": "value", "context": ["repl"]},
            {"cmd": "variables", "ref": "1"},
            {"cmd": "variables", "ref": True},
            {"cmd": "variables", "frame": 0, "scope": {"locals": 1}},
            {"cmd": "variables", "ref": 1, "start": 10 ** 30, "count": -5},
            {"cmd": "setVariable", "frame": 0, "scope": "locals", "name": 5, "value": "1"},
            {"cmd": "setVariable", "frame": 0, "ref": 10 ** 30, "name": "0", "value": "1"},
            {"cmd": "setVariable", "frame": 0, "scope": "nonlocal", "name": "value", "value": "1"},
        ]
        for seq, body in enumerate(hostile, 20):
            self.request(seq, body)
        self.request(40, {"cmd": "evaluate", "frame": 0, "expression": "value"})
        kinds = (wire.EVALUATE_RESULT, wire.VARIABLES_RESULT, wire.SET_VARIABLE_RESULT)
        got = wait_for(lambda: (lambda e: e if len(e) == len(hostile) + 1 else None)(
            [e for kind in kinds for e in self.events(kind)]))
        self.assertTrue(got)
        by_seq = {e["seq"]: e for e in got}
        for seq in range(20, 20 + len(hostile)):
            self.assertFalse(by_seq[str(seq)]["ok"], by_seq[str(seq)])
            self.assertIsInstance(by_seq[str(seq)]["error"], str)
        self.assertEqual((by_seq["40"]["ok"], by_seq["40"]["value"]), (True, "[1, 2]"))
        self.request(41, {"cmd": "continue"})
        t.join(10)
        self.assertEqual(result["reason"], "continue")


if __name__ == "__main__":
    unittest.main()
