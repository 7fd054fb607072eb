"""The Debug Console in real programs stopped at a breakpoint (the test plays the runtime, as in
test_breakpoints.py, and rings the stop's doorbell): a statement's assignment is what the
program goes on with, on every Python (3.8-3.11 stop in a trace function, 3.12+ in a
sys.monitoring callback); statements print in the program; setVariable and variables."""

import os
import unittest

from tests.helpers import wait_for
from tests.test_breakpoints import TIMEOUT, Session
from workerscope_tracer import wire

PROGRAM = """\
import os


class Box:
    def __init__(self):
        self.label = "box"


def work(x):
    box = Box()
    items = [x, x]
    x = x + 1  # BP
    print("x", x, "items", items, "label", box.label, flush=True)
    return x


print("main", os.getpid(), flush=True)
work(1)
"""


class Console(Session):
    def ask(self, stop, body, kind):
        seq = self.request(stop, body)
        try:
            fd = os.open(os.path.join(self.channel, wire.CTL_DIR, str(stop["pid"]), stop["id"] + wire.BELL_SUFFIX),
                         os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
            os.write(fd, b"!")
            os.close(fd)
        except OSError:
            pass
        got = wait_for(lambda: [e for e in self.events(kind) if e["id"] == stop["id"] and e["seq"] == seq],
                       TIMEOUT)
        if not got:
            self.fail_with("no %s for %r" % (kind, body))
        return got[0]

    def repl(self, stop, source, frame=0):
        return self.ask(stop, {"cmd": wire.CMD_EVALUATE, "frame": frame, "expression": source,
                               "context": "repl"}, wire.EVALUATE_RESULT)


class ConsoleScenarioTest(unittest.TestCase):
    def start(self):
        s = Console(self, PROGRAM, [dict(id=1, line="BP")])
        (stop,) = s.wait_stops(1)
        self.assertEqual(stop["frames"][-1]["function"], "work")
        return s, stop, len(stop["frames"]) - 1

    def test_an_assignment_in_the_console_is_what_the_program_goes_on_with(self):
        s, stop, top = self.start()
        answer = s.repl(stop, "x = 5", frame=top)
        self.assertEqual((answer["ok"], answer["value"], answer["type"], answer["error"]),
                         (True, "", None, None), answer)
        self.assertEqual(s.repl(stop, "x", frame=top)["value"], "5")
        printed = s.repl(stop, "import os; print('pid', os.getpid(), flush=True)", frame=top)
        self.assertTrue(printed["ok"], printed)
        self.assertEqual(s.repl(stop, "missing", frame=top)["error"],
                         "NameError: name 'missing' is not defined")
        status, out, err = s.finish()
        self.assertEqual(status, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "main %d" % s.proc.pid)
        self.assertEqual(lines[1], "pid %d" % s.proc.pid, "printed by the program's own process")
        self.assertEqual(lines[2], "x 6 items [1, 1] label box", "x = 5 was seen by `x = x + 1`")

    def test_set_variable_and_children_in_a_real_stop(self):
        s, stop, top = self.start()
        scope = s.ask(stop, {"cmd": wire.CMD_VARIABLES, "frame": top, "scope": "locals"},
                      wire.VARIABLES_RESULT)
        self.assertTrue(scope["ok"], scope)
        refs = {v["name"]: v["ref"] for v in scope["variables"]}
        self.assertEqual(sorted(refs), ["box", "items", "x"])
        box = s.ask(stop, {"cmd": wire.CMD_VARIABLES, "ref": refs["box"]}, wire.VARIABLES_RESULT)
        self.assertEqual([(v["name"], v["value"]) for v in box["variables"]], [("label", "'box'")])
        for body in ({"scope": "locals", "name": "x", "value": "10"},
                     {"ref": refs["items"], "name": "0", "value": "'first'"},
                     {"ref": refs["box"], "name": "label", "value": "'crate'"}):
            answer = s.ask(stop, dict(body, cmd=wire.CMD_SET_VARIABLE, frame=top), wire.SET_VARIABLE_RESULT)
            self.assertTrue(answer["ok"], answer)
        status, out, err = s.finish()
        self.assertEqual(status, 0, err)
        self.assertEqual(out.splitlines()[1], "x 11 items ['first', 1] label crate")


if __name__ == "__main__":
    unittest.main()
