"""The supervisor's view of the tasks in flight: every worker's slot file read live, joined
with the process-start and submit records, to declare a stall (no task finished for the
stall timeout while one runs), to name what was running when the main process ended, and to
end the processes of the program that outlive it."""

import os
import time

try:  # the C module: "signal" itself imports enum
    import _signal as signal
except ImportError:  # pragma: no cover
    import signal  # type: ignore[no-redef]

from .. import wire
from . import tree

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple


def _alive(pid: int) -> bool:
    entry = tree._stat(pid)
    return entry is not None and entry.state not in ("Z", "X")


class InFlight:
    def __init__(self, root: int, directory: str, channel: "Any") -> None:
        self.root = root
        self.directory = directory
        self.channel = channel
        entry = tree._stat(root)
        self.root_start = entry.start if entry else None  # orphans are found by it later
        self.starts: "Dict[int, Dict[str, Any]]" = {}   # pid -> process-start record
        self.submits: "Dict[str, Dict[str, Any]]" = {}  # job key -> submit record
        self.lost: "set" = set()                        # workers reported lost already
        self.done: "Dict[int, int]" = {}                # pid -> tasks finished, last seen
        self.progress_at = 0.0                           # when a done counter last moved

    def note(self, e: "Dict[str, Any]") -> None:
        kind = e.get("kind")
        if kind == wire.PROCESS_START and isinstance(e.get("pid"), int):
            self.starts[e["pid"]] = e
        elif kind == wire.SUBMIT and isinstance(e.get("key"), str):
            self.submits[e["key"]] = e
        elif kind == wire.WORKER_LOST and isinstance(e.get("child"), int):
            self.lost.add(e["child"])

    def slots(self) -> "Dict[int, Dict[str, int]]":
        out: "Dict[int, Dict[str, int]]" = {}
        try:
            names = os.listdir(self.directory)
        except OSError:
            return out
        for name in names:
            stem, _, ext = name.partition(".")
            if ext != "slot" or not stem.isdigit():
                continue
            try:
                with open(os.path.join(self.directory, name), "rb") as f:
                    data = f.read(wire.SLOT_SIZE)
            except OSError:
                continue
            slot = wire.slot_fields(data)
            if slot is not None:
                out[int(stem)] = slot
        return out

    def stalled(self, timeout: float) -> bool:
        """No worker's done counter has moved for ``timeout`` seconds, counted from the
        later of the last move seen and the start of the oldest task running now."""
        now = time.time()
        oldest = None
        for pid, slot in self.slots().items():
            done = slot["done"]
            if pid in self.done and self.done[pid] != done:
                self.progress_at = now
            self.done[pid] = done
            if slot["busy"] and pid not in self.lost and _alive(pid):
                started = slot["started_us"] / 1e6
                oldest = started if oldest is None else min(oldest, started)
        return oldest is not None and now - max(oldest, self.progress_at) >= timeout

    def tasks(self, live_only: bool) -> "Tuple[float, List[Dict[str, Any]]]":
        """Every busy slot (of a live worker, or of one that died without being reported
        lost unless ``live_only``), with the live stack of each worker still running; and
        the moment their running times are counted to."""
        busy = {}
        for pid, slot in sorted(self.slots().items()):
            if slot["busy"] and pid not in self.lost:
                alive = _alive(pid)
                if alive or not live_only:
                    busy[pid] = (slot, alive)
        from ..livestack import dump_all
        stacks = dump_all(self.directory, [p for p, (_, alive) in busy.items() if alive])
        now = time.time()
        out = []
        for pid, (slot, _) in busy.items():
            start = self.starts.get(pid) or {}
            started = slot["started_us"] / 1e6
            key, submit = self._submit(pid, start, slot)
            out.append({"pid": pid, "worker": start.get("name"), "role": start.get("role"),
                        "key": key, "chunk": slot["chunk"], "pos": slot["pos"],
                        "startedAt": round(started, 6),
                        "runningFor": round(max(0.0, now - started), 3),
                        "task": _task(submit, slot), "frames": stacks.get(pid, [])})
        return now, out

    def _submit(self, pid: int, start: "Dict[str, Any]", slot: "Dict[str, int]") -> "Any":
        owner = start.get("owner") or start.get("ppid")
        if start.get("role") == wire.ROLE_POOL_WORKER:
            key = "%s:pool:%d" % (owner, slot["key"])
            return key, self.submits.get(key)
        # An executor's work items are numbered per executor: its key is the worker's own.
        suffix = ":%d" % slot["key"]
        found = [k for k in self.submits
                 if k.startswith("%s:exec" % owner) and k.endswith(suffix)]
        return (found[0], self.submits[found[0]]) if len(found) == 1 else (None, None)

    def write(self, reason: str, sig: "Optional[str]" = None,
              timeout: "Optional[float]" = None) -> "Dict[str, Any]":
        from ..channel import encode_record
        t, tasks = self.tasks(live_only=reason == "stall")
        record = {"reason": reason, "signal": sig, "timeout": timeout, "tasks": tasks}
        self.channel.write(encode_record(wire.IN_FLIGHT, record, os.getpid(), t))
        return record


def _task(submit: "Optional[Dict[str, Any]]", slot: "Dict[str, int]"
          ) -> "Optional[Dict[str, Any]]":
    if submit is None:
        return None
    index = None
    if submit.get("indexed"):
        index = (int(submit.get("indexBase") or 0) + slot["chunk"]
                 * int(submit.get("chunksize") or 1) + slot["pos"])
    return {"function": submit.get("function"), "args": [], "kwargs": {}, "index": index,
            "submittedAt": submit.get("submittedAt")}


def signal_name(num: int) -> str:
    try:
        import signal as named  # the enum, only once a run has ended by a signal
        return named.Signals(num).name
    except (ValueError, ImportError):
        return "SIG%d" % num


def _handles(pid: int, sig: int) -> bool:
    """Whether ``sig`` would not simply end ``pid``: ignored, caught or blocked."""
    try:
        with open("/proc/%d/status" % pid, "rb") as f:
            masks = 0
            for line in f:
                if line.startswith((b"SigIgn:", b"SigCgt:", b"SigBlk:")):
                    masks |= int(line.split()[1], 16)
        return bool(masks >> (sig - 1) & 1)
    except (OSError, ValueError, IndexError):
        return True


def _ancestors() -> "set":
    found, pid = set(), os.getpid()
    while pid > 1 and pid not in found:
        found.add(pid)
        entry = tree._stat(pid)
        pid = entry.ppid if entry else 0
    return found


def _await_gone(pending: "List[int]", ended: "Dict[int, Any]", sent: "Dict[int, Any]",
                timeout: float) -> None:
    """Poll until each of ``pending`` has ended: its status from its zombie if it is caught
    as one, else what the signal sent to it implies (``sent``: pid -> (name, code))."""
    from .hangwatch import zombie_status
    deadline = time.monotonic() + timeout
    while True:
        for pid in [p for p in pending if p not in ended]:
            entry = tree._stat(pid)
            if entry is None:
                ended[pid] = sent.get(pid, (None, None))
            elif entry.state == "Z":
                code = zombie_status(pid)
                if code is not None:
                    ended[pid] = (signal_name(-code) if code < 0 else None, code)
        if all(p in ended for p in pending) or time.monotonic() >= deadline:
            return
        time.sleep(0.02)


def end_leftovers(watch: "InFlight", grace: float = 0.5, term_grace: float = 2.0
                  ) -> "List[Dict[str, Any]]":
    """After the main process has ended: the program's processes that do not go by themselves
    within ``grace`` (orphaned workers, a leaked Manager, a resource tracker kept alive by
    them) are sent SIGTERM, then SIGKILL after ``term_grace``; a ``leftover`` record each."""
    deadline = time.monotonic() + grace
    ours = _ancestors()  # the editor's runtime, in a watched run, is never the program's
    while True:
        alive = [p for p in tree.program_processes(watch.root, watch.directory, watch.root_start)
                 if p != watch.root and p not in ours]
        if not alive or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    if not alive:
        return []
    term, kill = signal.SIGTERM, signal.SIGKILL
    sent = {p: (None, None) if _handles(p, term) else ("SIGTERM", -term) for p in alive}
    for pid in alive:
        tree._send(pid, term)
        tree._send(pid, signal.SIGCONT)  # a stopped process acts on it only once continued
    ended: "Dict[int, Any]" = {}
    _await_gone(alive, ended, sent, term_grace)
    rest = [p for p in alive if p not in ended]
    for pid in rest:
        tree._send(pid, kill)
        sent[pid] = ("SIGKILL", -kill)
    _await_gone(rest, ended, sent, 1.0)
    records = []
    for pid in alive:
        start = watch.starts.get(pid) or {}
        sig, code = ended.get(pid, (None, None))
        record = {"child": pid, "name": start.get("name"), "role": start.get("role"),
                  "signal": sig, "exitCode": code}
        watch.channel.emit(wire.LEFTOVER, **record)
        records.append(record)
    return records
