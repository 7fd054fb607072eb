"""Live inspection of a stopped thread (pause.py + liveinspect.py): statements executed in the
Debug Console change the locals the program then sees, children of values by per-stop
reference with paging, setVariable on every kind of target, errors as the traceback says them,
and the doorbell that wakes the waiting thread at once."""

import collections
import json
import os
import sys
import threading
import time
import unittest

from tests.helpers import ChannelCase, wait_for
from workerscope_tracer import pause, wire

GLOBAL_COUNTER = 10


class Slotted:
    __slots__ = ("a", "__hidden", "unset")

    def __init__(self):
        self.a = 1
        self.__hidden = 2


class Plain:
    def __init__(self):
        self.name = "p"
        self.items = [1, 2]
        self.__dunder__ = "not shown"

    def method(self):
        return 1


class StopFixture(ChannelCase):
    """A thread of this process stopped (pause.wait_for_debugger), and the test as the runtime."""

    def setUp(self):
        super().setUp()
        self.seq = 0
        self.threads = []

    def tearDown(self):
        for stop_id, t in self.threads:
            if t.is_alive():
                self.request(stop_id, {"cmd": "continue"})
                t.join(10)
        super().tearDown()

    def events(self, kind):
        return self.records(kind)

    def stop_in(self, stop_id, body):
        """Runs ``body(wait)`` in a thread; ``wait()`` stops it in the caller's frame (index 0)."""
        result = {}

        def wait():
            frame = sys._getframe(1)
            result["reason"] = pause.wait_for_debugger(stop_id, [frame], timeout=30)

        t = threading.Thread(target=lambda: result.update(out=body(wait)))
        t.start()
        self.threads.append((stop_id, t))
        self.assertTrue(wait_for(lambda: any(e["id"] == stop_id for e in self.events(wire.PAUSED))))
        return t, result

    def request(self, stop_id, body, ring=True):
        self.seq += 1
        self.write_control("%d.json" % self.seq, json.dumps(dict(body, id=stop_id)).encode("utf-8"))
        if ring:
            try:
                fd = os.open(os.path.join(self.ctl, stop_id + wire.BELL_SUFFIX),
                             os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
                os.write(fd, b"!")
                os.close(fd)
            except OSError:
                pass
        return str(self.seq)

    def ask(self, stop_id, body, kind):
        seq = self.request(stop_id, body)
        got = wait_for(lambda: [e for e in self.events(kind) if e["seq"] == seq])
        self.assertTrue(got, "no %s for %r" % (kind, body))
        return got[0]

    def evaluate(self, stop_id, expression, context="repl", frame=0):
        return self.ask(stop_id, {"cmd": "evaluate", "frame": frame, "expression": expression,
                                  "context": context}, wire.EVALUATE_RESULT)

    def variables(self, stop_id, **fields):
        return self.ask(stop_id, dict(cmd="variables", **fields), wire.VARIABLES_RESULT)

    def set_variable(self, stop_id, **fields):
        return self.ask(stop_id, dict(cmd="setVariable", **fields), wire.SET_VARIABLE_RESULT)

    def resume(self, stop_id, t, result):
        self.request(stop_id, {"cmd": "continue"})
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["reason"], "continue")
        return result["out"]


class StatementsTest(StopFixture):
    def test_an_assignment_changes_the_local_the_program_then_sees(self):
        def body(wait):
            x = 1
            y = [x]
            wait()
            return x, y

        t, result = self.stop_in("1-s1", body)
        answer = self.evaluate("1-s1", "x = 5")
        self.assertEqual((answer["ok"], answer["value"], answer["type"], answer["ref"], answer["error"]),
                         (True, "", None, 0, None))
        self.assertEqual(self.evaluate("1-s1", "x")["value"], "5", "the next evaluation sees it")
        self.evaluate("1-s1", "y.append(x); z = 7")
        self.assertEqual(self.evaluate("1-s1", "z")["value"], "7")
        self.assertEqual(self.resume("1-s1", t, result), (5, [1, 5]))

    def test_an_assignment_to_a_closure_cell(self):
        def body(wait):
            cell = "before"

            def inner():
                return cell
            wait()
            return inner()

        t, result = self.stop_in("1-s2", body)
        self.assertTrue(self.evaluate("1-s2", "cell = 'after'")["ok"])
        self.assertEqual(self.resume("1-s2", t, result), "after")

    def test_imports_and_prints_run_in_the_frame(self):
        def body(wait):
            wait()
            return "done"

        t, result = self.stop_in("1-s3", body)
        answer = self.evaluate("1-s3", "import os as _os; _pid = _os.getpid()")
        self.assertTrue(answer["ok"], answer)
        self.assertEqual(self.evaluate("1-s3", "_pid")["value"], str(os.getpid()))
        self.assertEqual(self.resume("1-s3", t, result), "done")

    def test_statements_only_in_the_repl_and_errors_as_the_traceback_says(self):
        def body(wait):
            n = 3
            wait()
            return n

        t, result = self.stop_in("1-s4", body)
        watch = self.evaluate("1-s4", "n = 4", context="watch")
        self.assertFalse(watch["ok"])
        self.assertTrue(watch["error"].startswith("SyntaxError: "), watch["error"])
        missing = self.evaluate("1-s4", "undefined_here + 1")
        self.assertEqual(missing["error"], "NameError: name 'undefined_here' is not defined")
        self.assertEqual(self.evaluate("1-s4", "x")["error"], "NameError: name 'x' is not defined")
        self.assertEqual(self.evaluate("1-s4", "1/0")["error"], "ZeroDivisionError: division by zero")
        self.assertEqual(self.evaluate("1-s4", "raise ValueError('bad')")["error"], "ValueError: bad")
        self.assertEqual(self.evaluate("1-s4", "n +")["error"], "SyntaxError: invalid syntax")
        self.assertEqual(self.evaluate("1-s4", "raise SystemExit(3)")["error"], "SystemExit: 3")
        self.assertEqual(self.evaluate("1-s4", "n", context="toast")["error"],
                         "no evaluation context 'toast'")
        self.assertEqual(self.evaluate("1-s4", "n", frame=4)["error"], "no frame 4")
        self.assertEqual(self.resume("1-s4", t, result), 3)

    def test_expressions_see_locals_in_comprehensions_and_report_type_and_ref(self):
        def body(wait):
            k = 2
            data = {"a": 1}
            wait()

        t, result = self.stop_in("1-s5", body)
        answer = self.evaluate("1-s5", "[k * i for i in range(3)]", context="watch")
        self.assertEqual((answer["value"], answer["type"]), ("[0, 2, 4]", "list"))
        self.assertGreater(answer["ref"], 0)
        self.assertEqual(self.evaluate("1-s5", "k", context="hover")["ref"], 0)
        first = self.evaluate("1-s5", "data")["ref"]
        self.assertEqual(self.evaluate("1-s5", "data", context="clipboard")["ref"], first,
                         "the same value keeps its reference during the stop")
        self.resume("1-s5", t, result)


class VariablesTest(StopFixture):
    def test_frame_scopes_and_children_of_every_kind(self):
        def body(wait):
            d = {"k": [1, 2], 3: "three"}
            seq = (4, 5)
            s = {"only"}
            q = collections.deque([7, 8])
            obj = Plain()
            slotted = Slotted()
            authkey = b"secret"
            wait()

        t, result = self.stop_in("2-s1", body)
        scope = self.variables("2-s1", frame=0, scope="locals")
        self.assertTrue(scope["ok"], scope)
        by_name = {v["name"]: v for v in scope["variables"]}
        self.assertEqual(sorted(by_name), sorted(["d", "seq", "s", "q", "obj", "slotted", "authkey", "wait"]))
        self.assertEqual(by_name["authkey"]["value"], "<authentication key hidden>")
        self.assertEqual(by_name["d"]["type"], "dict")

        def kids(name):
            answer = self.variables("2-s1", ref=by_name[name]["ref"])
            self.assertTrue(answer["ok"], answer)
            return [(v["name"], v["value"]) for v in answer["variables"]], answer

        self.assertEqual(kids("d")[0], [("'k'", "[1, 2]"), ("3", "'three'")])
        self.assertEqual(kids("seq")[0], [("0", "4"), ("1", "5")])
        self.assertEqual(kids("s")[0], [("0", "'only'")])
        self.assertEqual(kids("q")[0], [("0", "7"), ("1", "8")])
        self.assertEqual(kids("obj")[0], [("name", "'p'"), ("items", "[1, 2]")])
        self.assertEqual(kids("slotted")[0], [("a", "1"), ("_Slotted__hidden", "2")])
        nested = kids("d")[1]["variables"][0]
        self.assertGreater(nested["ref"], 0)
        self.assertEqual([v["value"] for v in self.variables("2-s1", ref=nested["ref"])["variables"]],
                         ["1", "2"])
        self.assertEqual(by_name["wait"]["type"], "function")
        self.resume("2-s1", t, result)

    def test_paging_and_bad_references(self):
        def body(wait):
            big = list(range(1000))
            wait()

        t, result = self.stop_in("2-s2", body)
        ref = self.evaluate("2-s2", "big")["ref"]
        first = self.variables("2-s2", ref=ref)
        self.assertEqual((len(first["variables"]), first["total"]), (300, 1000))
        page = self.variables("2-s2", ref=ref, start=990, count=50)
        self.assertEqual([v["name"] for v in page["variables"]], [str(i) for i in range(990, 1000)])
        self.assertEqual(page["total"], 1000)
        bad = self.variables("2-s2", ref=ref + 50)
        self.assertEqual((bad["ok"], bad["variables"], bad["total"]), (False, [], 0))
        self.assertIn("no variables reference", bad["error"])
        self.assertFalse(self.variables("2-s2", ref=ref, start=-1)["ok"])
        self.assertFalse(self.variables("2-s2", frame=0, scope="nonlocals")["ok"])
        self.resume("2-s2", t, result)

    def test_globals_leave_out_modules_and_dunders(self):
        def body(wait):
            wait()

        t, result = self.stop_in("2-s3", body)
        names = [v["name"] for v in self.variables("2-s3", frame=0, scope="globals")["variables"]]
        self.assertIn("GLOBAL_COUNTER", names)
        self.assertIn("Slotted", names)
        for absent in ("os", "sys", "json", "__builtins__", "__name__", "__file__"):
            self.assertNotIn(absent, names)
        self.resume("2-s3", t, result)

    def test_references_are_per_stop(self):
        def body(wait):
            items = [1, 2]
            wait()
            wait()

        t, result = self.stop_in("2-s4", body)
        self.assertEqual(self.evaluate("2-s4", "items")["ref"], 1)
        self.request("2-s4", {"cmd": "continue"})
        self.assertTrue(wait_for(lambda: len([e for e in self.events(wire.PAUSED) if e["id"] == "2-s4"]) == 2))
        stale = self.variables("2-s4", ref=1)
        self.assertFalse(stale["ok"], "a reference of the stop before is gone")
        self.assertEqual(self.evaluate("2-s4", "{'a': 1}")["ref"], 1, "numbered from 1 again")
        self.resume("2-s4", t, result)


class SetVariableTest(StopFixture):
    def test_local_global_item_and_attribute(self):
        global GLOBAL_COUNTER

        def body(wait):
            count = 1
            table = {"a": 1, 2: "b"}
            row = [0, 0, 0]
            obj = Plain()
            slotted = Slotted()
            wait()
            return count, table, row, obj.name, slotted.a

        t, result = self.stop_in("3-s1", body)
        answer = self.set_variable("3-s1", frame=0, scope="locals", name="count", value="count + 41")
        self.assertEqual((answer["ok"], answer["value"], answer["type"], answer["ref"]), (True, "42", "int", 0))
        self.assertTrue(self.set_variable("3-s1", frame=0, scope="globals", name="GLOBAL_COUNTER",
                                          value="GLOBAL_COUNTER * 3")["ok"])
        refs = {v["name"]: v["ref"] for v in self.variables("3-s1", frame=0, scope="locals")["variables"]}
        self.assertTrue(self.set_variable("3-s1", frame=0, ref=refs["table"], name="'a'", value="[9]")["ok"])
        self.assertTrue(self.set_variable("3-s1", frame=0, ref=refs["table"], name="2", value="'c'")["ok"])
        self.assertTrue(self.set_variable("3-s1", frame=0, ref=refs["row"], name="1", value="count")["ok"])
        self.assertTrue(self.set_variable("3-s1", frame=0, ref=refs["obj"], name="name", value="'q'")["ok"])
        self.assertTrue(self.set_variable("3-s1", frame=0, ref=refs["slotted"], name="a", value="7")["ok"])
        missing = self.set_variable("3-s1", frame=0, ref=refs["row"], name="3", value="1")
        self.assertEqual((missing["ok"], missing["error"]), (False, "no item 3 in the list"))
        raising = self.set_variable("3-s1", frame=0, scope="locals", name="count", value="nope")
        self.assertEqual(raising["error"], "NameError: name 'nope' is not defined")
        out = self.resume("3-s1", t, result)
        self.assertEqual(out, (42, {"a": [9], 2: "c"}, [0, 42, 0], "q", 7))
        self.assertEqual(GLOBAL_COUNTER, 30)
        GLOBAL_COUNTER = 10

    def test_a_tuple_cannot_be_changed(self):
        def body(wait):
            pair = (1, 2)
            wait()

        t, result = self.stop_in("3-s2", body)
        ref = self.evaluate("3-s2", "pair")["ref"]
        answer = self.set_variable("3-s2", frame=0, ref=ref, name="0", value="5")
        self.assertEqual((answer["ok"], answer["error"]), (False, "a tuple cannot be changed"))
        self.resume("3-s2", t, result)


class DoorbellTest(StopFixture):
    def test_a_ring_wakes_the_stop_at_once_and_the_bell_goes_at_resume(self):
        def body(wait):
            wait()

        t, result = self.stop_in("4-s1", body)
        bell = os.path.join(self.ctl, "4-s1" + wire.BELL_SUFFIX)
        import stat
        self.assertTrue(stat.S_ISFIFO(os.lstat(bell).st_mode))
        self.assertEqual(stat.S_IMODE(os.lstat(bell).st_mode), 0o600)
        times = []
        for i in range(10):
            start = time.monotonic()
            self.evaluate("4-s1", str(i))
            times.append(time.monotonic() - start)
        # Without the bell each answer would wait for the 0.25 s poll (half of it on average).
        self.assertLess(sorted(times)[5], pause.POLL_INTERVAL / 2, times)
        self.resume("4-s1", t, result)
        self.assertFalse(os.path.exists(bell))

    def test_without_a_ring_the_poll_still_serves(self):
        def body(wait):
            wait()

        t, result = self.stop_in("4-s2", body)
        seq = self.request("4-s2", {"cmd": "evaluate", "frame": 0, "expression": "6 * 7"}, ring=False)
        got = wait_for(lambda: [e for e in self.events(wire.EVALUATE_RESULT) if e["seq"] == seq])
        self.assertEqual(got[0]["value"], "42")
        self.resume("4-s2", t, result)

    def test_a_bell_that_cannot_be_made_leaves_the_poll(self):
        def body(wait):
            wait()

        # Something in the bell's place that is no FIFO and cannot be unlinked: a directory.
        os.makedirs(os.path.join(self.ctl, "4-s3" + wire.BELL_SUFFIX))
        t, result = self.stop_in("4-s3", body)
        self.assertEqual(self.evaluate("4-s3", "6 * 7")["value"], "42")
        self.resume("4-s3", t, result)
        os.rmdir(os.path.join(self.ctl, "4-s3" + wire.BELL_SUFFIX))


if __name__ == "__main__":
    unittest.main()
