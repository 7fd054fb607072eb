"""Unit tests: wire encoding, channel, bounded repr, frames, faulthandler parsing, CLI args."""

import json
import os
import stat
import sys
import tempfile
import unittest

from workerscope_tracer import channel, frames, runtime, safe_repr, wire
from workerscope_tracer.tools import supervisor


class WireTest(unittest.TestCase):
    def test_roundtrip_ascii_one_line(self):
        event = {"v": 1, "kind": wire.SUBMIT, "pid": 1, "t": 1.5, "s": "h\u00e9\"\n\u2603",
                 "n": None, "b": False, "l": [1, (2, 3)], "d": {"k": {}}, "nan": float("nan"),
                 "obj": object}
        line = wire.encode(event)
        self.assertTrue(line.endswith(b"\n"))
        self.assertEqual(line.count(b"\n"), 1)
        line.decode("ascii")
        back = json.loads(line)
        self.assertEqual(back["s"], event["s"])
        self.assertEqual(back["l"], [1, [2, 3]])
        self.assertIsNone(back["nan"])
        self.assertIsInstance(back["obj"], str)

    def test_loads_and_pretty_match_the_json_module(self):
        import json
        obj = {"a": 1, "b": [1, 2.5, {"c": None, "d": True}], "e": "q\"b\\s\u00e9\u2028\n",
               "f": {}, "g": [], "h": -3e-7, "i": 10 ** 20}
        self.assertEqual(wire.loads(wire.encode(obj).decode("ascii")), obj)
        self.assertEqual(wire.dumps_pretty(obj), json.dumps(obj, indent=2))
        for bad in ("", "{", '{"a": 1} x', "nul"):
            with self.assertRaises(ValueError):
                wire.loads(bad)

    def test_decode_skips_torn_and_foreign_lines(self):
        data = wire.encode({"v": 1, "kind": "a"}) + b'{"v": 2}\nnot json\n' + b'{"v":1,"ki'
        self.assertEqual([e["kind"] for e in wire.decode_lines(data)], ["a"])

    def test_every_kind_declared_once(self):
        self.assertEqual(len(set(wire.EVENT_KINDS)), len(wire.EVENT_KINDS))


class ChannelTest(unittest.TestCase):
    def test_emit_appends_private_file(self):
        with tempfile.TemporaryDirectory() as d:
            ch = channel.Channel(d)
            self.assertTrue(ch.emit("x", a=1))
            self.assertTrue(ch.emit("y"))
            path = ch.path_for(os.getpid())
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path, "rb") as f:
                events = wire.decode_lines(f.read())
            self.assertEqual([e["kind"] for e in events], ["x", "y"])
            self.assertEqual(events[0]["pid"], os.getpid())
            self.assertIn("t", events[0])

    def test_started_workers_are_announced_in_one_write_once_all_are_started(self):
        from workerscope_tracer import hooks_process, runtime

        class ForkedWorker:  # what start() leaves on a pool worker forked with a shared slot
            def __init__(self, pid, name, forked_at):
                self.pid, self.name, self._workerscope_role = pid, name, wire.ROLE_POOL_WORKER
                self._workerscope_shared_slot = memoryview(bytearray(40)).cast("q")
                self._workerscope_forked_at = forked_at
                self._start_method = "fork"

        with tempfile.TemporaryDirectory() as d:
            saved, reported = channel.get(), runtime.state.start_method_reported
            ch = channel.configure(d)
            runtime.state.start_method_reported = False
            try:
                path = ch.path_for(os.getpid())
                seen = []

                def start_two():
                    for n in (1, 2):
                        hooks_process._batch.started.append(
                            ForkedWorker(4240 + n, 'Worker "%d", odd' % n, 1000.0 + n))
                        seen.append(os.path.exists(path))  # nothing written while starting
                    hooks_process.starting_together(lambda: None)()  # nested: no early flush
                    seen.append(os.path.exists(path))
                    raise RuntimeError("a worker failed to start")

                with self.assertRaises(RuntimeError):
                    hooks_process.starting_together(start_two)()
                self.assertEqual(seen, [False, False, False])
                with open(path, "rb") as f:
                    data = f.read()
                events = wire.decode_lines(data)
                self.assertEqual(data.count(b"\n"), 3)
                self.assertEqual(events[0], dict(events[0], kind=wire.START_METHOD, method="fork"))
                self.assertEqual([(e["kind"], e["pid"], e["ppid"], e["name"], e["t"]) for e in events[1:]],
                                 [(wire.PROCESS_START, 4241, os.getpid(), 'Worker "1", odd', 1001.0),
                                  (wire.PROCESS_START, 4242, os.getpid(), 'Worker "2", odd', 1002.0)])
                self.assertIsNone(hooks_process._batch.started)
            finally:
                channel._channel = saved
                runtime.state.start_method_reported = reported

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_a_forked_child_writes_its_own_file_and_closes_the_parent_s(self):
        with tempfile.TemporaryDirectory() as d:
            ch = channel.Channel(d)
            self.assertTrue(ch.emit("parent"))
            inherited = ch._fd
            ch._lock.acquire()  # as if another thread of the parent held it at the fork
            pid = os.fork()
            if pid == 0:  # the child: its exit status says what went wrong
                status = 5
                try:
                    ch.reset_after_fork()
                    status = 3 if not ch.emit("child") else 0
                    try:  # the inherited descriptor is closed (or its number reused by ours)
                        if os.fstat(inherited).st_ino != os.stat(ch.path_for(os.getpid())).st_ino:
                            status = 4
                    except OSError:
                        pass
                finally:
                    os._exit(status)
            ch._lock.release()
            _, status = os.waitpid(pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode")
                             else status >> 8, 0)
            with open(ch.path_for(os.getpid()), "rb") as f:
                self.assertEqual([e["kind"] for e in wire.decode_lines(f.read())], ["parent"])
            with open(ch.path_for(pid), "rb") as f:
                self.assertEqual([(e["kind"], e["pid"]) for e in wire.decode_lines(f.read())],
                                 [("child", pid)])

    def test_write_failure_disables_silently(self):
        d = tempfile.mkdtemp()
        os.rmdir(d)
        ch = channel.Channel(d)
        self.assertFalse(ch.emit("x"))
        self.assertTrue(ch.disabled)
        self.assertFalse(ch.emit("y"))

    def test_a_contained_error_goes_to_the_opt_in_tracer_log(self):
        gone = tempfile.mkdtemp()
        os.rmdir(gone)
        saved = os.environ.pop("WORKERSCOPE_TRACER_LOG", None)
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "tracer.log")
            try:
                self.assertFalse(channel.Channel(gone).emit("x"))
                self.assertFalse(os.path.exists(log))  # not asked for: nothing written anywhere
                os.environ["WORKERSCOPE_TRACER_LOG"] = log
                self.assertFalse(channel.Channel(gone).emit("x"))
                self.assertIs(runtime.swallowed, channel.swallowed)
            finally:
                os.environ.pop("WORKERSCOPE_TRACER_LOG", None)
                if saved is not None:
                    os.environ["WORKERSCOPE_TRACER_LOG"] = saved
            with open(log) as f:
                text = f.read()
        self.assertIn("workerscope tracer, pid %d: an error it contained" % os.getpid(), text)
        self.assertIn("FileNotFoundError", text)


class SafeReprTest(unittest.TestCase):
    def test_bounded(self):
        text = safe_repr.safe_repr("x" * 10000)
        self.assertLessEqual(len(text), safe_repr.LIMIT)
        self.assertLessEqual(len(safe_repr.safe_repr(list(range(10000)))), safe_repr.LIMIT)

    def test_raising_repr(self):
        class Bad:
            def __repr__(self):
                raise RuntimeError("no")
        self.assertIn("Bad", safe_repr.safe_repr(Bad()))
        self.assertEqual(safe_repr.repr_locals({"a": 1, "__b__": 2}), {"a": "1"})

    def test_containers_read_as_repr_shows_them(self):
        for value in ({"id": 22, "amount": -5}, {"b": [1, {"z": 2, "y": 3}], "a": None},
                      {3, 1, 2}, frozenset({"b", "a"}), set(), frozenset(), {}):
            self.assertEqual(safe_repr.safe_repr(value), repr(value))
        self.assertEqual(safe_repr.safe_repr({i: i for i in range(30)}),
                         "{" + ", ".join("%d: %d" % (i, i) for i in range(20)) + ", ...}")


class FramesTest(unittest.TestCase):
    def test_frames_from_traceback_have_locals_innermost_last(self):
        def inner(value):
            doubled = value * 2
            raise ValueError(doubled)

        def outer():
            inner(21)
        try:
            outer()
        except ValueError as exc:
            records, live = frames.frames_from_traceback(exc.__traceback__)
        self.assertEqual([r["function"] for r in records][-2:], ["outer", "inner"])
        self.assertEqual(records[-1]["locals"]["doubled"], "42")
        self.assertEqual(records[-1]["file"], os.path.abspath(__file__))
        self.assertEqual(len(live), len(records))

    def test_parse_faulthandler(self):
        text = ("Fatal Python error: Segmentation fault\n\n"
                "Thread 0x00007f1 (most recent call first):\n"
                '  File "/x/other.py", line 3 in idle\n\n'
                "Current thread 0x00007f2 (most recent call first):\n"
                '  File "/usr/lib/python3.11/ctypes/__init__.py", line 519 in string_at\n'
                '  File "/w/job.py", line 10 in parse\n'
                '  File "/usr/lib/python3.11/multiprocessing/pool.py", line 125 in worker\n')
        out = frames.parse_faulthandler(text)
        self.assertEqual([(f["file"], f["line"]) for f in out],
                         [("/w/job.py", 10), ("/usr/lib/python3.11/ctypes/__init__.py", 519)])

    def test_parse_faulthandler_makes_paths_absolute(self):
        # 3.8 names a forked worker's main script by the relative path it was started with
        text = ("Fatal Python error: Aborted\n\n"
                "Current thread 0x00007f2 (most recent call first):\n"
                '  File "<string>", line 1 in <module>\n'
                '  File "job.py", line 10 in parse\n')
        out = frames.parse_faulthandler(text)
        self.assertEqual([f["file"] for f in out], [os.path.abspath("job.py"), "<string>"])

    def test_exception_message_is_bounded(self):
        info = runtime.exception_info(ValueError("x" * 2_000_000))
        self.assertEqual(len(info["message"]), runtime.MESSAGE_LIMIT + len("... (2000000 characters)"))
        self.assertTrue(info["message"].endswith("... (2000000 characters)"))

    def test_absolute_file_names_are_what_abspath_gives(self):
        for name in ("/a/b.py", "/a/./b.py", "/a/../b.py", "//a/b.py", "///a/b.py", "rel/b.py",
                     "./b.py", "/a/.hidden/b.py", "/a/b.py/.", "/", "b.py"):
            self.assertEqual(frames.absolute(name), os.path.abspath(name), name)
        for name in ("<stdin>", "<string>", "<frozen runpy>"):  # no file: the name stays
            self.assertEqual(frames.absolute(name), name)

    def test_describe_callable(self):
        import functools
        self.assertEqual(frames.describe_callable(os.path.join), "posixpath.join")
        self.assertIn("posixpath.join", frames.describe_callable(functools.partial(os.path.join)))


class SupervisorArgsTest(unittest.TestCase):
    def test_parse(self):
        opts = supervisor.parse_args(["--report", "r.json", "--hang-timeout=2.5", "--detect-races",
                                      "--", "s.py", "--report", "x"])
        self.assertEqual(opts["report"], "r.json")
        self.assertEqual(opts["hang_timeout"], 2.5)
        self.assertTrue(opts["detect_races"])
        self.assertEqual((opts["program"], opts["args"]), ("s.py", ["--report", "x"]))
        with self.assertRaises(supervisor.UsageError):
            supervisor.parse_args(["--bogus", "--", "s.py"])
        with self.assertRaises(supervisor.UsageError):
            supervisor.parse_args([])

    def test_channel_dir_must_be_private(self):
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            with self.assertRaises(supervisor.UsageError):
                supervisor.check_private_dir(d)
            os.chmod(d, 0o700)
            supervisor.check_private_dir(d)
        made = supervisor.make_private_dir()
        try:
            self.assertEqual(stat.S_IMODE(os.stat(made).st_mode), 0o700)
        finally:
            os.rmdir(made)


if __name__ == "__main__":
    unittest.main()


class WorkerLostTest(unittest.TestCase):
    """A worker whose slot still says busy is blamed only for a task whose result is missing;
    an idle one only matters if it held the task queue's read lock (the pool is then stuck)."""

    def test_a_task_whose_result_arrived_is_not_blamed(self):
        import multiprocessing.pool as mpool
        from workerscope_tracer import hooks_pool, pool_jobs
        hooks_pool.patch(mpool)

        class Worker:
            pid, name = 999999, "ForkPoolWorker-9"

        previous = channel.get()
        with tempfile.TemporaryDirectory() as d:
            channel.configure(d)
            try:
                pool_jobs._jobs.pop(77, None)
                def slot(busy=0, key=0, pos=0, locked=0):
                    return dict(busy=busy, key=key, chunk=0, pos=pos, locked=locked,
                                started_us=0, done=0)
                hooks_pool._worker_lost(Worker(), -9, slot(busy=1, key=77, pos=2))  # its job has ended
                pool_jobs._jobs[77] = {"function": "builtins.len",
                                       "sent": (77, 0, len, (3,), {})}
                hooks_pool._worker_lost(Worker(), -9, slot(busy=1, key=77))  # still running
                hooks_pool._worker_lost(Worker(), -9, slot())  # idle
                hooks_pool._worker_lost(Worker(), -9, slot(locked=1))  # idle, lock held
            finally:
                pool_jobs._jobs.pop(77, None)
                channel._channel = previous
            with open(os.path.join(d, "%d.jsonl" % os.getpid()), "rb") as f:
                events = wire.decode_lines(f.read())
        self.assertEqual([(e["kind"], e["chunk"], e["signal"], e.get("heldTaskQueueLock"))
                          for e in events],
                         [("worker-lost", 0, "SIGKILL", None),
                          ("worker-lost", None, "SIGKILL", True)])
        self.assertEqual(events[0]["task"]["args"], ["3"])
        self.assertIsNone(events[1]["task"])


class ZombieStatusTest(unittest.TestCase):
    """The hang watch reads how an unreaped process of the program ended from /proc."""

    def test_exit_codes_and_signals_of_zombies(self):
        import signal as signals
        from workerscope_tracer.tools.hangwatch import zombie_status
        from tests.helpers import wait_for
        for how, expected in (("exit", 3), ("kill", -signals.SIGKILL)):
            pid = os.fork()
            if pid == 0:  # the child ends at once, one way or the other
                if how == "kill":
                    os.kill(os.getpid(), signals.SIGKILL)
                os._exit(3)
            try:
                self.assertEqual(wait_for(lambda: zombie_status(pid), timeout=10), expected)
            finally:
                os.waitpid(pid, 0)
            self.assertIsNone(zombie_status(pid))  # reaped: gone
        self.assertIsNone(zombie_status(os.getpid()))  # running

    def test_the_hang_watch_names_an_unreaped_process_killed_by_a_signal(self):
        import signal as signals
        from workerscope_tracer.tools.hangwatch import HangWatch, zombie_status
        from tests.helpers import wait_for

        class Recorder:
            def __init__(self):
                self.records = []

            def emit(self, kind, **fields):
                self.records.append((kind, fields))

        watch = HangWatch(0, None, 1.0, Recorder())
        pid = os.fork()
        if pid == 0:
            os.kill(os.getpid(), signals.SIGKILL)
            os._exit(0)
        try:
            wait_for(lambda: zombie_status(pid), timeout=10)
            watch.started[pid] = {"role": "process", "name": "SyncManager-1"}
            watch._dead_unreaped()
        finally:
            os.waitpid(pid, 0)
        self.assertEqual([(k, f["exitCode"], f.get("signal")) for k, f in watch.channel.records],
                         [("child-exit", -9, None), ("worker-lost", -9, "SIGKILL")])


class SummaryLinesTest(unittest.TestCase):
    def test_a_hang_names_the_lost_worker_without_the_owners_pid(self):
        from workerscope_tracer.tools import report
        lines = report._failure_lines({"kind": "hang", "worker": "ForkPoolWorker-1", "pid": 100,
                                       "task": None})
        self.assertEqual(lines, ["  [hang] ForkPoolWorker-1",
                                 "      pool could no longer finish; program (pid 100) ended"])
