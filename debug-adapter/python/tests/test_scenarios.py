"""End-to-end: each fixture program under ``python -m workerscope_tracer`` per start method.

Asserts on the report (kind, worker, task, exception, innermost frame and a local, signal,
hang timing, swallowed exactly when not retrieved) and that stdout and the exit status are
the same as in a plain run.  Start methods: all three on the default python3, spawn only
elsewhere (WORKERSCOPE_FULL=1 forces all, WORKERSCOPE_QUICK=1 forces one).
"""

import os
import re
import unittest

from tests.helpers import program, run_plain, run_traced, start_methods

WORKER = {"fork": r"ForkPoolWorker-\d+", "spawn": r"SpawnPoolWorker-\d+",
          "forkserver": r"ForkServerPoolWorker-\d+"}
EXEC_WORKER = {"fork": r"ForkProcess-\d+", "spawn": r"SpawnProcess-\d+",
               "forkserver": r"ForkServerProcess-\d+"}
HANG_TIMEOUT = 2.0


class Base(unittest.TestCase):
    maxDiff = None

    def traced(self, name, method, *options, compare=True):
        proc, report, elapsed = run_traced(name, method, *options)
        self.assertIsNotNone(report, proc.stderr.decode(errors="replace"))
        self.assertEqual(report["version"], 1)
        no_mp = ("thread_exception", "thread_custom_excepthook", "swallowed_thread_pools")
        self.assertEqual(report["startMethod"], None if name in no_mp else method)
        self.assertTrue(report["processes"][0]["role"] == "main")
        if compare:
            plain = run_plain(name, method)
            self.assertEqual(proc.returncode, plain.returncode)
            self.assertEqual(report["exitCode"], plain.returncode)
            self.assertEqual(proc.stdout, plain.stdout)
        return proc, report, elapsed

    def traced_hang(self, name, method, failure="killed"):
        """A run that hangs after a pool worker dies: ended with status 124 soon after the
        hang timeout, with one ``failure`` and one `hang` and no output."""
        proc, report, elapsed = self.traced(name, method, "--hang-timeout", str(HANG_TIMEOUT),
                                            compare=False)
        self.assertEqual(proc.returncode, 124)
        self.assertLess(elapsed, HANG_TIMEOUT + 15)
        self.assertEqual(proc.stdout, b"")
        return self.only(report, failure), self.only(report, "hang")

    def only(self, report, kind):
        found = [f for f in report["failures"] if f["kind"] == kind]
        self.assertEqual(len(found), 1, report["failures"])
        return found[0]

    def check_frame(self, failure, file_name, line, local=None):
        inner = failure["frames"][-1] if failure["frames"] else None
        user = [f for f in failure["frames"] if f["file"] == program(file_name)]
        self.assertTrue(user, failure["frames"])
        self.assertEqual(user[-1]["line"], line)
        if local:
            self.assertEqual(user[-1]["locals"].get(local[0]), local[1])
        return inner


def scenario(func):
    """Turn test_x(self, method) into one test per start method."""
    func.__scenario__ = True
    return func


class Scenarios(Base):
    @scenario
    def pool_map_raises(self, m):
        _, r, _ = self.traced("pool_map_raises", m)
        f = self.only(r, "exception")
        self.assertRegex(f["worker"], WORKER[m])
        self.assertIsInstance(f["pid"], int)
        self.assertEqual(f["task"]["function"], "__main__.parse_record")
        self.assertEqual((f["task"]["args"], f["task"]["index"]), (["7"], 7))
        self.assertEqual(f["exception"], {"type": "ValueError", "message": "bad record 7"})
        self.assertEqual(f["task"]["submittedAt"]["line"], 18)
        self.check_frame(f, "pool_map_raises", 10, ("scaled", "70"))
        self.assertEqual(len(f["frames"]), 1)  # pool internals dropped

    @scenario
    def pool_imap_raises(self, m):
        _, r, _ = self.traced("pool_imap_raises", m)
        f = self.only(r, "exception")
        self.assertEqual((f["task"]["function"], f["task"]["args"], f["task"]["index"]),
                         ("__main__.lookup", ["4"], 4))
        self.assertEqual(f["exception"]["type"], "KeyError")
        self.check_frame(f, "pool_imap_raises", 9, ("key", "4"))

    @scenario
    def pool_starmap_raises(self, m):
        proc, r, _ = self.traced("pool_starmap_raises", m)
        self.assertEqual(proc.returncode, 1)
        f = self.only(r, "exception")
        self.assertEqual((f["task"]["args"], f["task"]["index"]), (["3", "0"], 3))
        self.assertEqual(f["exception"]["type"], "ZeroDivisionError")
        self.check_frame(f, "pool_starmap_raises", 8, ("denominator", "0"))
        self.assertIn(b"ZeroDivisionError", proc.stderr)

    @scenario
    def pool_apply_async_raises(self, m):
        _, r, _ = self.traced("pool_apply_async_raises", m)
        f = self.only(r, "exception")
        self.assertEqual(f["task"]["args"], ["'b'"])
        self.assertEqual(f["task"]["kwargs"], {"width": "-1"})
        self.assertIsNone(f["task"]["index"])
        self.assertEqual(f["exception"]["type"], "RuntimeError")
        self.assertEqual([x["kind"] for x in r["failures"]], ["exception"])

    @scenario
    def executor_submit_raises(self, m):
        _, r, _ = self.traced("executor_submit_raises", m)
        f = self.only(r, "exception")
        self.assertRegex(f["worker"], EXEC_WORKER[m])
        self.assertEqual(f["task"]["args"], ["'corrupt'", "10"])
        self.assertEqual(f["exception"]["type"], "OSError")
        self.check_frame(f, "executor_submit_raises", 11, ("total", "45"))
        roles = {p["role"] for p in r["processes"]}
        self.assertIn("executor-worker", roles)

    @scenario
    def executor_map_raises(self, m):
        proc, r, _ = self.traced("executor_map_raises", m)
        self.assertEqual(proc.returncode, 1)
        f = self.only(r, "exception")
        self.assertEqual((f["task"]["function"], f["task"]["args"], f["task"]["index"]),
                         ("__main__.invert", ["9"], 9))
        self.check_frame(f, "executor_map_raises", 10, ("shifted", "0"))

    @scenario
    def pool_worker_sigkill(self, m):
        f, h = self.traced_hang("pool_worker_sigkill", m)
        self.assertEqual((f["signal"], f["exitCode"]), ("SIGKILL", -9))
        self.assertRegex(f["worker"], WORKER[m])
        self.assertEqual((f["task"]["function"], f["task"]["args"], f["task"]["index"]),
                         ("__main__.load_shard", ["3"], 3))
        self.assertEqual(h["task"]["index"], 3)

    @scenario
    def pool_idle_worker_killed(self, m):
        # Idle, but holding the task queue's read lock: no task to blame, and still a hang.
        f, h = self.traced_hang("pool_idle_worker_killed", m)
        self.assertEqual((f["signal"], f["task"]), ("SIGKILL", None))
        self.assertRegex(f["worker"], WORKER[m])
        self.assertEqual((h["worker"], h["task"]), (f["worker"], None))

    @scenario
    def executor_worker_sigkill(self, m):
        _, r, _ = self.traced("executor_worker_sigkill", m)
        f = self.only(r, "killed")
        self.assertEqual(f["signal"], "SIGKILL")
        self.assertEqual((f["task"]["args"], f["task"]["index"]), (["2"], 2))
        self.assertEqual([x["kind"] for x in r["failures"]], ["killed"])

    @scenario
    def pool_worker_segfault(self, m):
        f, _ = self.traced_hang("pool_worker_segfault", m)
        self.assertEqual((f["signal"], f["exitCode"]), ("SIGSEGV", -11))
        self.assertEqual(f["task"]["args"], ["16"])
        self.check_frame(f, "pool_worker_segfault", 10)
        # The worker's own frames only: under fork its stack also holds the parent's, down
        # to the fork, and the tracer's wrappers in between.
        self.assertEqual(f["frames"][0]["function"], "parse_blob")
        self.assertFalse([x for x in f["frames"] if "workerscope_tracer" in x["file"]])

    @scenario
    def pool_worker_os_exit(self, m):
        f, _ = self.traced_hang("pool_worker_os_exit", m, "exited")
        self.assertEqual((f["exitCode"], f["task"]["args"], f["task"]["index"]), (3, ["1"], 1))

    @scenario
    def swallowed_apply_async(self, m):
        _, r, _ = self.traced("swallowed_apply_async", m)
        f = self.only(r, "swallowed")
        self.assertEqual(f["task"]["args"], ["'alice'"])
        self.assertEqual(f["exception"]["type"], "ValueError")
        self.check_frame(f, "swallowed_apply_async", 9, ("address", "'alice'"))
        retrieved = sorted(x["task"]["args"][0] for x in r["failures"] if x["kind"] == "exception")
        self.assertEqual(retrieved, ["'bob'", "'carol'"])

    @scenario
    def swallowed_future(self, m):
        _, r, _ = self.traced("swallowed_future", m)
        f = self.only(r, "swallowed")
        self.assertEqual(f["task"]["args"], ["'a.tmp'"])
        self.assertEqual(f["exception"]["type"], "PermissionError")
        self.assertEqual(len([x for x in r["failures"] if x["kind"] == "exception"]), 2)

    @scenario
    def process_target_raises(self, m):
        proc, r, _ = self.traced("process_target_raises", m)
        f = self.only(r, "exception")
        self.assertEqual(f["worker"], "migrator")
        self.assertEqual(f["task"]["function"], "__main__.migrate")
        self.assertEqual(f["task"]["kwargs"], {"batch": "7"})
        self.check_frame(f, "process_target_raises", 9, ("remaining", "0"))
        self.assertIn(b"Process migrator:", proc.stderr)
        child = [p for p in r["processes"] if p["name"] == "migrator"][0]
        self.assertEqual((child["role"], child["exitCode"]), ("process", 1))

    @scenario
    def thread_in_pool_worker(self, m):
        proc, r, _ = self.traced("thread_in_pool_worker", m)
        f = self.only(r, "thread-exception")
        self.assertEqual(f["thread"], "heartbeat-5")
        self.assertRegex(f["worker"], WORKER[m])
        self.check_frame(f, "thread_in_pool_worker", 10, ("n", "5"))
        self.assertIn(b"Exception in thread heartbeat-5", proc.stderr)

    @scenario
    def executor_in_process(self, m):
        _, r, _ = self.traced("executor_in_process", m)
        f = self.only(r, "exception")
        self.assertEqual(f["task"]["args"], ["'too short'"])
        self.assertEqual(f["exception"]["type"], "IndexError")
        roles = sorted(p["role"] for p in r["processes"])
        self.assertIn("process", roles)
        self.assertIn("executor-worker", roles)

    @scenario
    def unlocked_counter(self, m):
        _, r, _ = self.traced("unlocked_counter", m, "--detect-races")
        self.assertEqual(len(r["races"]), 1, r["races"])
        race = r["races"][0]
        self.assertEqual((race["file"], race["line"], race["object"]),
                         (program("unlocked_counter"), 9, "counter"))
        self.assertEqual(race["kind"], "unlocked-read-modify-write")
        self.assertEqual(race["count"], 400)
        self.assertEqual(len(race["pids"]), 2)

    @scenario
    def unlocked_counter_pool(self, m):
        # Leaving `with Pool()` terminates the workers: their counts must be written already.
        _, r, _ = self.traced("unlocked_counter_pool", m, "--detect-races")
        self.assertEqual(len(r["races"]), 1, r["races"])
        race = r["races"][0]
        self.assertEqual((race["line"], race["object"], race["count"]), (16, "counter", 400))

    @scenario
    def clean_exit(self, m):
        proc, r, _ = self.traced("clean_exit", m, "--no-summary")
        self.assertEqual(proc.returncode, 3)
        self.assertEqual(r["failures"], [])
        self.assertEqual(proc.stderr, b"done\n")
        self.assertEqual(proc.stdout, run_plain("clean_exit", m).stdout)  # sys.path included
        workers = [p for p in r["processes"] if p["role"] == "pool-worker"]
        self.assertEqual(len(workers), 2)

    @scenario
    def swallowed_not_after_fork(self, m):
        _, r, _ = self.traced("swallowed_not_after_fork", m)
        f = self.only(r, "exception")
        self.assertEqual(f["task"]["args"], ["'scan.tiff'"])
        self.assertEqual([x["kind"] for x in r["failures"]], ["exception"])

    @scenario
    def pool_unpicklable_results(self, m):
        proc, r, _ = self.traced("pool_unpicklable_results", m)
        self.assertIn(b"open failed: MaybeEncodingError", proc.stdout)
        self.assertEqual(len(r["failures"]), 2, r["failures"])
        stuck, lock = r["failures"]
        # The task's own exception once, not again as the MaybeEncodingError sent in its place.
        self.assertEqual((stuck["kind"], stuck["exception"]["type"]), ("exception", "HandleError"))
        self.assertEqual((stuck["task"]["args"], stuck["task"]["index"]), (["3"], 3))
        self.check_frame(stuck, "pool_unpicklable_results", 14, ("i", "3"))
        # The element whose result could not be sent, not the chunk's last.
        self.assertEqual(lock["exception"]["type"], "MaybeEncodingError")
        self.assertEqual((lock["task"]["function"], lock["task"]["args"], lock["task"]["index"]),
                         ("__main__.build", ["4"], 4))

    @scenario
    def pool_imap_source_raises(self, m):
        proc, r, _ = self.traced("pool_imap_source_raises", m)
        self.assertIn(b"source failed: row source broke", proc.stdout)
        self.assertEqual(r["failures"], [])

    @scenario
    def process_subclass_raises(self, m):
        _, r, _ = self.traced("process_subclass_raises", m)
        raised = self.only(r, "exception")
        self.assertEqual(raised["worker"], "Ingest-s3")
        self.assertEqual(raised["task"]["function"], "__main__.Ingest.run")
        self.assertEqual(raised["task"]["submittedAt"]["line"], 26)
        self.check_frame(raised, "process_subclass_raises", 16, ("fetched", "2"))
        killed = self.only(r, "killed")
        self.assertEqual((killed["worker"], killed["signal"], killed["exitCode"]),
                         ("Hog", "SIGKILL", -9))
        self.assertEqual((killed["task"]["function"], killed["task"]["args"]),
                         ("__main__.exhaust_memory", ["512"]))
        self.assertEqual(killed["task"]["submittedAt"]["line"], 29)

    @scenario
    def pool_initializer_raises(self, m):
        proc, r, _ = self.traced("pool_initializer_raises", m, "--hang-timeout",
                                 str(HANG_TIMEOUT), compare=False)
        self.assertEqual(proc.returncode, 124)
        f = self.only(r, "exception")  # once, though every replacement worker fails alike
        self.assertRegex(f["worker"], WORKER[m])
        self.assertEqual((f["task"]["function"], f["task"]["args"]),
                         ("__main__.open_connection", ["{'host': 'db-3'}"]))
        self.assertEqual(f["exception"]["type"], "ConnectionError")
        self.check_frame(f, "pool_initializer_raises", 9, ("settings", "{'host': 'db-3'}"))
        hang = self.only(r, "hang")
        self.assertEqual(hang["task"]["function"], "__main__.open_connection")
        self.assertIn(b"ConnectionError: database db-3", proc.stderr)
        self.assertNotIn(b"workerscope_tracer", proc.stderr)  # the printed traceback is CPython's

    @scenario
    def executor_initializer_raises(self, m):
        proc, r, _ = self.traced("executor_initializer_raises", m)
        f = self.only(r, "exception")
        self.assertRegex(f["worker"], EXEC_WORKER[m])
        self.assertEqual((f["task"]["function"], f["task"]["args"]),
                         ("__main__.load_model", ["'/models/m.bin'"]))
        self.assertEqual(f["exception"]["type"], "FileNotFoundError")
        self.check_frame(f, "executor_initializer_raises", 11, ("weights", "{'layers': 3}"))
        self.assertIn(b"Exception in initializer:", proc.stderr)  # still logged by CPython

    @scenario
    def pool_task_unreadable(self, m):
        if m == "fork":  # the forked worker has the function: nothing fails
            _, r, _ = self.traced("pool_task_unreadable", m)
            self.assertEqual(r["failures"], [])
            return
        proc, r, _ = self.traced("pool_task_unreadable", m, "--hang-timeout", str(HANG_TIMEOUT),
                                 compare=False)
        self.assertEqual(proc.returncode, 124)
        f = self.only(r, "exception")  # once: both chunks fail alike
        self.assertEqual(f["exception"]["type"], "AttributeError")
        self.assertIn("'double'", f["exception"]["message"])
        self.assertEqual(f["task"]["function"], "__main__.double")
        self.assertIn(f["task"]["index"], (0, 3))
        self.assertEqual(f["task"]["submittedAt"]["line"], 13)
        self.only(r, "hang")
        self.assertNotIn(b"workerscope_tracer", proc.stderr)

    @scenario
    def pool_result_unreadable(self, m):
        proc, r, _ = self.traced("pool_result_unreadable", m, "--hang-timeout", str(HANG_TIMEOUT),
                                 compare=False)
        self.assertEqual(proc.returncode, 124)
        raised = self.only(r, "exception")
        self.assertEqual((raised["task"]["args"], raised["exception"]["type"]),
                         (["'eve'"], "QuotaError"))
        died = self.only(r, "thread-exception")
        self.assertEqual(died["exception"]["type"], "TypeError")
        self.assertIn("_handle_results", [x["function"] for x in died["frames"]] + [died["thread"]])
        hang = self.only(r, "hang")
        self.assertEqual(hang["pid"], r["processes"][0]["pid"])
        self.assertEqual((hang["task"]["function"], hang["task"]["index"]),  # the lost job
                         ("__main__.charge", 2))

    @scenario
    def process_target_os_exit(self, m):
        proc, r, _ = self.traced("process_target_os_exit", m, "--no-summary")
        f = self.only(r, "exited")  # os._exit(3) only: sys.exit(0) and a return are no failure
        self.assertEqual((f["worker"], f["exitCode"], f["signal"]), ("Process-3", 3, None))
        self.assertEqual((f["task"]["function"], f["task"]["args"]), ("__main__.migrate", ["2"]))
        self.assertEqual(f["task"]["submittedAt"]["line"], 27)
        self.check_frame(f, "process_target_os_exit", 13, ("applied", "20"))
        self.assertEqual(proc.stderr, run_plain("process_target_os_exit", m).stderr)

    @scenario
    def swallowed_map_chunks(self, m):
        _, r, _ = self.traced("swallowed_map_chunks", m)
        lost = [f for f in r["failures"] if f["kind"] == "swallowed"]
        # every failed chunk of the unread map_async, and the unread executor map (one
        # executor map's failure read does not read another's)
        self.assertEqual(sorted((f["task"]["function"], f["task"]["index"]) for f in lost),
                         [("__main__.score", 1), ("__main__.score", 6), ("__main__.warm", 1)])
        read = self.only(r, "exception")
        self.assertEqual((read["task"]["function"], read["task"]["args"]),
                         ("__main__.warm", ["'bad-e'"]))

    @scenario
    def executor_task_unreadable(self, m):
        proc, r, _ = self.traced("executor_task_unreadable", m)
        if m == "fork":  # the forked worker has the function: nothing fails
            self.assertEqual(r["failures"], [])
            return
        f = self.only(r, "exception")  # once, though each worker dies of it
        self.assertEqual(f["exception"]["type"], "AttributeError")
        self.assertEqual(f["task"]["function"], "__main__.checksum")
        self.assertEqual(f["task"]["submittedAt"]["line"], 14)
        self.assertNotIn(b"workerscope_tracer", proc.stderr)

    @scenario
    def swallowed_in_pool_worker(self, m):
        _, r, _ = self.traced("swallowed_in_pool_worker", m)
        lost = self.only(r, "swallowed")  # reported when dropped: the worker was terminated
        self.assertEqual((lost["task"]["function"], lost["task"]["args"]),
                         ("__main__.upload_thumbnail", ["'cat.png'", "1024"]))
        self.assertRegex(lost["thread"], r"ThreadPoolExecutor-\d+_\d+")
        self.check_frame(lost, "swallowed_in_pool_worker", 14, ("size", "1024"))
        rejected = self.only(r, "exception")  # in a replacement worker, forked from a thread
        self.assertEqual((rejected["thread"], rejected["task"]["args"]),
                         ("MainThread", ["'dog.gif'"]))
        self.assertEqual(len(r["failures"]), 2)  # the daemon ended at exit is no failure

    @scenario
    def pool_callback_raises(self, m):
        proc, r, _ = self.traced("pool_callback_raises", m, "--hang-timeout", str(HANG_TIMEOUT),
                                 compare=False)
        self.assertEqual(proc.returncode, 124)
        lost = self.only(r, "thread-exception")  # CPython drops it without a word
        self.assertEqual(lost["exception"]["type"], "KeyError")
        self.check_frame(lost, "pool_callback_raises", 15, ("result", "9"))
        hang = self.only(r, "hang")
        self.assertEqual((hang["task"]["function"], hang["task"]["args"]), ("__main__.square", ["3"]))

    @scenario
    def pool_closed_misuse(self, m):
        proc, r, _ = self.traced("pool_closed_misuse", m, "--no-summary")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(self.only(r, "thread-exception")["thread"], "late-submit")
        plain = run_plain("pool_closed_misuse", m)
        self.assertEqual(proc.stderr, plain.stderr)  # the tracer's wrappers are not printed

    @scenario
    def swallowed_imap_unread(self, m):
        _, r, _ = self.traced("swallowed_imap_unread", m)
        scan, ping = sorted((f for f in r["failures"] if f["kind"] == "swallowed"),
                            key=lambda f: f["task"]["function"])[::-1]
        self.assertEqual(len(r["failures"]), 2, r["failures"])
        self.assertEqual((scan["task"]["function"], scan["task"]["args"], scan["task"]["index"]),
                         ("__main__.scan", ["'FATAL: oops'"], 5))
        self.check_frame(scan, "swallowed_imap_unread", 12, ("level", "'FATAL'"))
        self.assertEqual((ping["task"]["function"], ping["task"]["args"], ping["task"]["index"]),
                         ("__main__.ping", ["'mirror-3'"], 2))
        self.check_frame(ping, "swallowed_imap_unread", 18, ("host", "'mirror-3'"))

    @scenario
    def pool_task_starts_process(self, m):
        proc, r, _ = self.traced("pool_task_starts_process", m, "--no-summary")
        f = self.only(r, "exception")
        self.assertEqual(f["exception"]["type"], "AssertionError")
        self.assertFalse([x for x in f["frames"] if "workerscope_tracer" in x["file"]], f["frames"])
        self.assertEqual(f["frames"][0]["line"], 14)  # the task's own line first
        self.assertEqual(proc.stderr, run_plain("pool_task_starts_process", m).stderr)


class NoMultiprocessing(Base):
    def test_thread_exception(self):
        proc, r, _ = self.traced("thread_exception", "spawn", "--no-summary")
        f = self.only(r, "thread-exception")
        self.assertEqual(f["thread"], "sensor-4")
        self.check_frame(f, "thread_exception", 7, ("reading", "None"))
        plain = run_plain("thread_exception", "spawn")
        self.assertEqual(proc.stderr, plain.stderr)  # identical traceback text

    def test_thread_exception_with_own_excepthook(self):
        proc, r, _ = self.traced("thread_custom_excepthook", "spawn", "--no-summary")
        f = self.only(r, "thread-exception")
        self.assertEqual((f["thread"], f["exception"]["type"]), ("loader-7", "KeyError"))
        self.check_frame(f, "thread_custom_excepthook", 11)
        plain = run_plain("thread_custom_excepthook", "spawn")
        self.assertEqual(proc.stderr, plain.stderr)  # the program's hook ran, and only it

    def test_swallowed_thread_pool_tasks(self):
        proc, r, _ = self.traced("swallowed_thread_pools", "spawn", "--no-summary")
        lost = sorted((f for f in r["failures"] if f["kind"] == "swallowed"),
                      key=lambda f: f["task"]["function"])
        self.assertEqual([f["kind"] for f in r["failures"]], ["swallowed", "swallowed"])
        cache, image = lost
        self.assertEqual((cache["task"]["function"], cache["task"]["args"], cache["task"]["kwargs"]),
                         ("__main__.refresh_cache", ["'eu'"], {"ttl": "5"}))
        self.assertEqual(cache["task"]["submittedAt"]["line"], 23)
        self.assertRegex(cache["thread"], r"ThreadPoolExecutor-\d+_\d+")
        self.check_frame(cache, "swallowed_thread_pools", 11, ("stale", "10"))
        self.assertEqual((image["task"]["function"], image["task"]["args"]),
                         ("__main__.resize", ["'cat.gif'"]))
        self.check_frame(image, "swallowed_thread_pools", 16, ("image", "'cat.gif'"))
        self.assertIsNone(image["thread"])  # one of the ThreadPool's threads, unknown which
        self.assertEqual(proc.stderr, run_plain("swallowed_thread_pools", "spawn").stderr)

    def test_no_races_without_flag(self):
        _, r, _ = self.traced("unlocked_counter", "fork")
        self.assertEqual(r["races"], [])


def _install():
    for name, func in list(vars(Scenarios).items()):
        if getattr(func, "__scenario__", False):
            delattr(Scenarios, name)
            for method in start_methods():
                def test(self, _func=func, _m=method):
                    _func(self, _m)
                test.__name__ = "test_%s_%s" % (name, method)
                setattr(Scenarios, test.__name__, test)


_install()

if __name__ == "__main__":
    unittest.main()
