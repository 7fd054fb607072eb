"""The supervisor's hang watch: tails the channel and ends a program whose pool can no longer
finish (a worker lost mid-task, a task no worker can load, a dead result handler...), after
naming how unreaped processes of the program ended."""

import time

try:  # the C module: "signal" itself imports enum, a few ms of startup we do not need
    import _signal as signal
except ImportError:  # pragma: no cover
    import signal  # type: ignore[no-redef]

from .. import wire
from .joinwatch import JoinWatch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional


class HangWatch:
    """A pool worker lost mid-task leaves ``multiprocessing.Pool`` waiting forever (CPython
    gh-66587), as do a task no worker can unpickle, an initializer that fails in every worker
    and a dead result handler: once the program is still running ``hang_timeout`` seconds
    after a pool ``worker-lost`` or ``pool-stalled``, record the hang and kill the program's
    whole tree (tree.py)."""

    def __init__(self, pid: int, tail: "Tail", hang_timeout: float, channel: "Any",
                 stall_timeout: "Optional[float]" = None) -> None:
        from .inflight import InFlight
        self.inflight = InFlight(pid, getattr(tail, "directory", None), channel)
        self.stall_timeout = stall_timeout
        self.end_on_stall = True
        self.stall_noted: "Optional[float]" = None
        self.pid = pid
        self.tail = tail
        self.hang_timeout = hang_timeout
        self.channel = channel
        self.lost: "Optional[Dict[str, Any]]" = None
        self.hang: "Optional[Dict[str, Any]]" = None
        self.started: "Dict[int, Dict[str, Any]]" = {}  # pid -> its process-start record
        self.submits: "Dict[str, Dict[str, Any]]" = {}  # job key -> its submit record
        self.joins = JoinWatch()  # a parent in join() on a child that cannot flush its queue

    def interval(self) -> float:
        """How long to sleep before the next check: short while a hang is pending."""
        return 0.05 if self.lost is not None and self.hang is None else 0.25

    def check(self) -> bool:
        """True once the hang has been declared (and the program killed)."""
        if self.hang is not None:
            return True
        for e in self.tail.poll():
            self.joins.note(e)
            self.inflight.note(e)
            kind = e.get("kind")
            if kind == wire.PROCESS_START and isinstance(e.get("pid"), int):
                self.started[e["pid"]] = e
            elif kind == wire.SUBMIT and isinstance(e.get("key"), str):
                self.submits[e["key"]] = e
            elif kind in (wire.PROCESS_EXIT, wire.CHILD_EXIT):
                self.started.pop(e.get("child") if kind == wire.CHILD_EXIT else e.get("pid"), None)
            if self.lost is None and (kind == wire.POOL_STALLED or (
                    kind == wire.WORKER_LOST and e.get("role") == wire.ROLE_POOL_WORKER)):
                self.lost = e
        if self._join_hang() or self._stalled():
            return True
        lost = self.lost
        if lost is None or time.time() < float(lost.get("t") or 0) + self.hang_timeout:
            return False
        owner = lost.get("owner") if lost.get("kind") == wire.POOL_STALLED else lost.get("pid")
        self.hang = {"owner": owner, "child": lost.get("child"),
                     "worker": lost.get("worker"), "key": lost.get("key"),
                     "task": lost.get("task") or self._submitted(lost),
                     "timeout": self.hang_timeout,
                     "lostAt": lost.get("t"), "signal": "SIGKILL"}
        self._dead_unreaped()
        self.channel.emit(wire.HANG, **self.hang)
        self._end_tree()
        return True

    def _join_hang(self) -> bool:
        """A parent in ``Process.join()`` on a child that cannot exit until its queue is read
        (joinwatch.py): the hang is recorded and the program's tree killed, as for a pool's."""
        if not self.joins.pending():
            return False
        hang = self.joins.due(time.time(), self.hang_timeout)
        if hang is None:
            return False
        self.hang = hang
        self.channel.emit(wire.HANG, **hang)
        self._end_tree()
        return True

    def _stalled(self) -> bool:
        """With a stall timeout: a task runs and no worker has finished one for that long
        (a task looping forever while the others finished): the tasks in flight are named
        with their live stacks and the program's tree is ended, as for a hang."""
        if self.stall_timeout is None or not self.inflight.stalled(self.stall_timeout):
            return False
        if not self.end_on_stall:  # a debug session stops on the worker instead
            if self.stall_noted != self.inflight.progress_at:
                self.stall_noted = self.inflight.progress_at  # once until a task finishes
                self.inflight.write("stall", timeout=self.stall_timeout)
            return False
        self.hang = self.inflight.write("stall", timeout=self.stall_timeout)
        self._end_tree()
        return True

    def _end_tree(self) -> None:
        """Kill the program's whole tree (it has no process group of its own) and say how each
        process of it we knew ended: we killed it (nobody is left to reap and record it)."""
        from .tree import signal_tree
        for pid in signal_tree(self.pid, self.tail.directory, signal.SIGKILL):
            start = self.inflight.starts.get(pid)
            if pid != self.pid and start is not None:
                self.channel.emit(wire.CHILD_EXIT, child=pid, name=start.get("name"),
                                  role=start.get("role"), exitCode=-signal.SIGKILL,
                                  terminated=True)

    def _submitted(self, lost: "Dict[str, Any]") -> "Optional[Dict[str, Any]]":
        """The lost job's task as its submit record describes it (a task a worker could not
        load has no arguments anywhere but in its parent)."""
        submit = self.submits.get(lost.get("key") or "")
        if submit is None:
            return None
        chunk = lost.get("chunk")
        index = None
        if submit.get("indexed") and isinstance(chunk, int):
            index = chunk * int(submit.get("chunksize") or 1) + int(submit.get("indexBase") or 0)
        return {"function": submit.get("function"), "args": [], "kwargs": {}, "index": index,
                "submittedAt": submit.get("submittedAt")}

    def _dead_unreaped(self) -> None:
        """Processes of the program that died while it waited and that nobody has reaped
        yet (a Manager's server killed by the OOM killer, whose proxies then fail in every
        task): how each ended, read from its zombie, and a death by a signal or a non-zero
        exit as a failure — often the cause of the hang."""
        for pid, start in sorted(self.started.items()):
            code = zombie_status(pid)
            if code is None:
                continue
            self.channel.emit(wire.CHILD_EXIT, child=pid, role=start.get("role"),
                              name=start.get("name"), exitCode=code)
            if code != 0 and start.get("role") not in (wire.ROLE_POOL_WORKER, None):
                from ..hooks_process import signal_name  # the program's processes name it so
                self.channel.emit(wire.WORKER_LOST, child=pid, worker=start.get("name"),
                                  role=start.get("role"), exitCode=code,
                                  signal=signal_name(code), key=None, chunk=None, pos=None,
                                  task=None, frames=[])


def zombie_status(pid: int) -> "Optional[int]":
    """Exit code (or -signal) of a process that has ended but was not waited for, from
    /proc (Linux 3.5+); None if it is running, gone, or this cannot be known."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
        fields = data[data.rindex(")") + 2:].split()
        if fields[0] != "Z" or len(fields) < 50:
            return None
        status = int(fields[-1])
    except (OSError, ValueError, IndexError):
        return None
    return -(status & 0x7F) if status & 0x7F else (status >> 8) & 0xFF
