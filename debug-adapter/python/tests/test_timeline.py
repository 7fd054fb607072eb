"""The timeline's spans, recorded from real pools, executors, Processes and threads under every
start method: one span per task, in order on each lane, waits at the program's lines, spans of a
killed worker kept in its buffer, and nothing of the program changed."""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

from tests.helpers import PROGRAMS, PY_DIR, clean_env, program, run_plain, start_methods
from workerscope_tracer import wire

BOOTSTRAP = os.path.join(PY_DIR, "bootstrap")


def run_with_timeline(name, method, timeline=True, timeout=120):
    """(completed process, records, {pid: residual spans}) of a run with a channel of its own."""
    channel = tempfile.mkdtemp(prefix="ws-timeline-")
    try:
        env = clean_env()
        env["WORKERSCOPE_CHANNEL"] = channel
        env["PYTHONPATH"] = BOOTSTRAP
        if timeline:
            env["WORKERSCOPE_TIMELINE"] = "1"
        proc = subprocess.run([sys.executable, program(name), method], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, timeout=timeout, cwd=PROGRAMS)
        records, residual = [], {}
        for entry in sorted(os.listdir(channel)):
            path = os.path.join(channel, entry)
            if entry.endswith(wire.EVENTS_SUFFIX):
                with open(path, "rb") as f:
                    records.extend(wire.decode_lines(f.read()))
            elif entry.endswith(wire.SPANS_SUFFIX):
                with open(path, "rb") as f:
                    data = f.read()
                if len(data) < 16:
                    continue  # terminated as it made the file: nothing in it
                used, seq = struct.unpack("<qq", data[:16])
                if used:
                    residual[int(entry[:-len(wire.SPANS_SUFFIX)])] = (
                        seq, wire.loads("[" + data[16:16 + used].decode("ascii") + "]"))
        return proc, records, residual
    finally:
        shutil.rmtree(channel, ignore_errors=True)


def all_spans(records, residual):
    """(pid, span) of every span, each once: a buffer's spans that a record holds are skipped."""
    out, covered = [], {}
    for record in records:
        if record["kind"] == wire.SPANS:
            covered[record["pid"]] = max(covered.get(record["pid"], 0),
                                         record["seq"] + len(record["spans"]))
            out.extend((record["pid"], span) for span in record["spans"])
    for pid, (seq, spans) in residual.items():
        out.extend((pid, span) for i, span in enumerate(spans) if seq + i >= covered.get(pid, 0))
    return out


class TimelineScenarios(unittest.TestCase):
    def check_lanes(self, spans):
        """Task spans begin before they end and follow one another on each lane."""
        lanes = {}
        for pid, span in spans:
            if span[0] == "task":
                self.assertLessEqual(span[2], span[3], span)
                lanes.setdefault((pid, span[1]), []).append(span)
        for lane, tasks in lanes.items():
            tasks.sort(key=lambda s: s[2])
            for before, after in zip(tasks, tasks[1:]):
                self.assertLessEqual(before[3], after[2], "overlapping tasks on lane %s" % (lane,))
        return lanes

    # Long: one run per start method, and every kind of worker of that run checked against it.
    def test_every_worker_kind_under_every_start_method(self):
        for method in start_methods():
            with self.subTest(method=method):
                plain = run_plain("timeline_pools", method)
                proc, records, residual = run_with_timeline("timeline_pools", method)
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                self.assertEqual(proc.stdout, plain.stdout)
                self.assertEqual(proc.stderr, plain.stderr)
                spans = all_spans(records, residual)
                self.check_lanes(spans)
                submits = {r["key"]: r for r in records if r["kind"] == wire.SUBMIT}
                tasks = [(pid, s) for pid, s in spans if s[0] == "task"]

                def indices(function, api):
                    found = []
                    for _pid, s in tasks:
                        submit = submits.get(s[4])
                        if submit and submit["function"] == function and submit["api"] == api:
                            found.append(submit["indexBase"] + s[5] * submit["chunksize"] + s[6])
                    return sorted(found)

                pool_map = [s for _p, s in tasks if submits.get(s[4], {}).get("api") == "map"
                            and ":pool:" in s[4] and submits[s[4]]["function"] == "__main__.square"]
                self.assertEqual(sorted(submits[s[4]]["chunksize"] * s[5] + s[6] for s in pool_map),
                                 list(range(40)))
                self.assertEqual(indices("__main__.square", "imap"), list(range(7)))
                self.assertEqual(indices("__main__.add", "starmap"), [0, 1, 2])
                self.assertEqual(len([s for _p, s in tasks if submits.get(s[4], {}).get("api")
                                      == "apply_async"]), 1)
                raised = [s for _p, s in tasks if s[11] == "raised"]
                self.assertEqual([(s[10], s[12]) for s in raised], [("5", "ValueError: five")])
                executor = [s for _p, s in tasks if ":exec" in (s[4] or "")]
                self.assertEqual(sorted(submits[s[4]]["indexBase"] + s[6] for s in executor
                                        if submits[s[4]]["api"] == "map"),
                                 sorted(list(range(5)) + list(range(6))))
                self.assertEqual([s[10] for s in executor if submits[s[4]]["api"] == "submit"], ["9"])
                threads = [s for _p, s in tasks if s[4] is None and s[7] == "__main__.square"]
                self.assertEqual(sorted(s[6] for s in threads), [0, 1, 2, 3])
                target = [s for _p, s in tasks if s[7] == "__main__.nap"]
                self.assertEqual(len(target), 1)
                self.assertGreaterEqual(target[0][3] - target[0][2], 50_000)
                self.assertEqual(target[0][9][0], program("timeline_pools"))
                named = [s for _p, s in spans if s[0] == "thread" and s[4] == "napper"]
                self.assertTrue(any(s[3] is not None for s in named), named)
                waits = {s[4] for _p, s in spans if s[0] == "wait"}
                self.assertTrue({"Pool.map", "Future.result", "Process.join"} <= waits, waits)
                for _pid, s in spans:
                    if s[0] == "wait":
                        self.assertEqual(s[5][0], program("timeline_pools"), s)
                started = {r["pid"] for r in records if r["kind"] == wire.PROCESS_START}
                self.assertTrue({pid for pid, _s in tasks if _s[1] == pid} - {proc_pid(records)}
                                <= started)
                self.assertTrue(all(r["def"]["line"] > 0 for r in submits.values()
                                    if r.get("def")))

    def test_spans_are_batched_not_written_per_task(self):
        _proc, records, residual = run_with_timeline("timeline_pools", start_methods()[0])
        batches = [r for r in records if r["kind"] == wire.SPANS]
        spans = len(all_spans(records, residual))
        self.assertGreater(spans, 80)
        self.assertLess(len(batches), spans / 3, "a record per span or so: not batched")

    def test_a_killed_workers_finished_tasks_survive_in_its_buffer(self):
        for method in start_methods():
            with self.subTest(method=method):
                proc, records, residual = run_with_timeline("timeline_executor_killed", method)
                self.assertEqual(proc.stdout, b"0\n1\nbroken: BrokenProcessPool\n")
                lost = [r for r in records if r["kind"] == wire.WORKER_LOST]
                self.assertEqual(len(lost), 1)
                killed = lost[0]["child"]
                spans = all_spans(records, residual)
                self.check_lanes(spans)
                done = [s for pid, s in spans if s[0] == "task" and pid == killed]
                self.assertEqual([s[10] for s in done], ["0", "1"])
                # Never written by the worker: read from the buffer it left.
                self.assertEqual([s[10] for s in residual[killed][1]], ["0", "1"])

    def test_timeline_off_records_no_span_and_patches_nothing_of_its_own(self):
        proc, records, residual = run_with_timeline("timeline_pools", "fork", timeline=False)
        self.assertEqual(proc.returncode, 0)
        self.assertFalse([r for r in records if r["kind"] == wire.SPANS])
        self.assertEqual(residual, {})
        self.assertFalse([r for r in records if r["kind"] == wire.SUBMIT and "def" in r])


def proc_pid(records):
    roots = [r["pid"] for r in records if r["kind"] == wire.START_METHOD]
    return roots[0] if roots else -1


if __name__ == "__main__":
    unittest.main()
