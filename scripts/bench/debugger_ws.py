"""The runtime's side of a Workerscope debug session, played by the debugger benchmark: the
breakpoint spec in the channel directory, the reload signal, control requests with their FIFO
doorbell (debugger contract, section 3), and a tail of every process's records."""

import json
import os
import signal
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional


def write_spec(channel: str, version: int, files: "Dict[str, List[Dict]]") -> None:
    """breakpoints.json as the runtime writes it: whole, 0600, renamed into place."""
    tmp = os.path.join(channel, "breakpoints.json.tmp%d" % os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"version": version, "files": files}, f)
    os.rename(tmp, os.path.join(channel, "breakpoints.json"))


def _descendants(pid: int) -> "List[int]":
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        found.append(parent)
        try:
            tasks = os.listdir("/proc/%d/task" % parent)
        except OSError:
            continue
        for tid in tasks:
            try:
                with open("/proc/%d/task/%s/children" % (parent, tid)) as f:
                    todo.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    return found


def signal_reload(root: int) -> int:
    """SIGRTMIN+8 to every process of the program that catches it (SigCgt), as the runtime
    does after rewriting the spec; returns how many were signalled."""
    sig = signal.SIGRTMIN + 8
    sent = 0
    for pid in _descendants(root):
        try:
            with open("/proc/%d/status" % pid) as f:
                caught = next(int(line.split()[1], 16) for line in f if line.startswith("SigCgt"))
            if caught & (1 << (sig - 1)):
                os.kill(pid, sig)
                sent += 1
        except (OSError, StopIteration, ValueError):
            pass
    return sent


def request(channel: str, pid: int, seq: int, cmd: str, stop_id: str) -> float:
    """Writes ctl/<pid>/<seq>.json (.tmp, then renamed) and rings ctl/<pid>/<id>.bell; returns
    time.time() just before the request was written."""
    directory = os.path.join(channel, "ctl", str(pid))
    path = os.path.join(directory, "%d.json" % seq)
    started = time.time()
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"seq": seq, "cmd": cmd, "id": stop_id}, f)
    os.rename(path + ".tmp", path)
    try:
        bell = os.open(os.path.join(directory, stop_id + ".bell"),
                       os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        try:
            os.write(bell, b"!")
        finally:
            os.close(bell)
    except OSError:  # no bell (yet, or any more): the tracer's poll finds the request
        pass
    return started


class Tail:
    """Every record of every ``<pid>.jsonl`` in the channel, in the order read, each stamped
    with ``_seen`` (time.time() when this tail read it; the tail polls every ``interval``)."""

    def __init__(self, channel: str, interval: float = 0.001) -> None:
        self.channel = channel
        self.interval = interval
        self.offsets = {}  # type: Dict[str, int]
        self.partial = {}  # type: Dict[str, bytes]
        self.records = []  # type: List[Dict[str, Any]]
        self.cursor = 0

    def poll(self) -> None:
        try:
            names = [n for n in os.listdir(self.channel) if n.endswith(".jsonl")]
        except OSError:
            return
        for name in names:
            path = os.path.join(self.channel, name)
            try:
                with open(path, "rb") as f:
                    f.seek(self.offsets.get(name, 0))
                    data = f.read()
            except OSError:
                continue
            if not data:
                continue
            self.offsets[name] = self.offsets.get(name, 0) + len(data)
            data = self.partial.pop(name, b"") + data
            lines = data.split(b"\n")
            if lines[-1]:
                self.partial[name] = lines[-1]
            seen = time.time()
            for line in lines[:-1]:
                try:
                    record = json.loads(line.decode("utf-8"))
                except ValueError:
                    continue
                record["_seen"] = seen
                self.records.append(record)

    def wait(self, match: "Callable[[Dict[str, Any]], bool]", timeout: float,
             alive: "Callable[[], bool]" = lambda: True) -> "Optional[Dict[str, Any]]":
        """The next record (after those already returned or skipped) that matches."""
        deadline = time.monotonic() + timeout
        while True:
            while self.cursor < len(self.records):
                record = self.records[self.cursor]
                self.cursor += 1
                if match(record):
                    return record
            if time.monotonic() > deadline or not alive():
                self.poll()
                if self.cursor == len(self.records):
                    return None
                continue
            time.sleep(self.interval)
            self.poll()
