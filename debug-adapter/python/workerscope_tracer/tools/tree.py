"""Finds and signals every process of a traced program without a process group of its own.

The program keeps the process group and session a plain run gives it (``os.setsid()`` works
in it), so a hang ends the whole tree by finding it: the program's descendants, any process
whose environment names the run's channel (an orphan reparented to init keeps it), and any
process that wrote to the channel and started after the program did.  Linux reads /proc;
elsewhere ``ps`` gives the descendants only.  Mirrors debug-adapter/src/runtime/processTree.ts.
"""

import os

try:  # the C module: "signal" itself imports enum
    import _signal as signal
except ImportError:  # pragma: no cover
    import signal  # type: ignore[no-redef]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Set

_STOP, _CONT, _KILL = signal.SIGSTOP, signal.SIGCONT, signal.SIGKILL


class ProcStat:
    """What the tree search needs of a process: its state letter ("R", "S", "Z"...), parent
    and start time (clock ticks since boot; 0 where ``ps`` gave the table)."""

    __slots__ = ("state", "ppid", "start")

    def __init__(self, state: str, ppid: int, start: int) -> None:
        self.state = state
        self.ppid = ppid
        self.start = start


def _stat(pid: int) -> "Optional[ProcStat]":
    """A live process, from /proc/<pid>/stat (its fields 3, 4 and 22)."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read()
        fields = text[text.rindex(b")") + 2:].split()
        return ProcStat(fields[0].decode("ascii", "replace"), int(fields[1]), int(fields[19]))
    except (OSError, ValueError, IndexError):
        return None


def _processes() -> "Dict[int, ProcStat]":
    table = {}  # type: Dict[int, ProcStat]
    if os.path.exists("/proc/self/stat"):
        for name in os.listdir("/proc"):
            if name.isdigit():
                entry = _stat(int(name))
                if entry is not None:
                    table[int(name)] = entry
        return table
    try:
        import subprocess
        out = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "state="],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        for line in out.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                state = parts[2] if len(parts) > 2 else ""
                table[int(parts[0])] = ProcStat(state, int(parts[1]), 0)
    except Exception:  # no ps: the program itself is still signalled
        from ..channel import swallowed
        swallowed()
    return table


def _environ_names(pid: int, needle: bytes) -> bool:
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            env = f.read()
    except OSError:
        return False
    at = env.find(needle)
    return at == 0 or (at > 0 and env[at - 1:at] == b"\0")


def _recorded(channel_dir: "Optional[str]") -> "Set[int]":
    pids = set()  # type: Set[int]
    try:
        for name in os.listdir(channel_dir) if channel_dir else ():
            stem, dot, ext = name.partition(".")
            # A forked worker writes no records of its own (its parent announces it): its
            # slot and dump files name it.
            if stem.isdigit() and ext in ("jsonl", "slot", "stack", "fault"):
                pids.add(int(stem))
    except OSError:
        pass
    return pids


def program_processes(root: int, channel_dir: "Optional[str]",
                      root_start: "Optional[int]" = None) -> "List[int]":
    """The program's live processes (the root included while it lives), never this one.
    ``root_start``: the root's start time, read while it lived (its orphans, once it has
    ended, are found by their records and environment)."""
    table = _processes()
    children = {}  # type: Dict[int, List[int]]
    for pid, entry in table.items():
        children.setdefault(entry.ppid, []).append(pid)
    found = {root} if root in table else set()  # type: Set[int]
    queue = [root]
    while queue:
        for child in children.get(queue.pop(), ()):
            if child not in found:
                found.add(child)
                queue.append(child)
    if channel_dir:
        needle = ("WORKERSCOPE_CHANNEL=%s\0" % os.path.abspath(channel_dir)).encode(
            "utf-8", "surrogateescape")
        if root in table:
            root_start = table[root].start
        recorded = _recorded(channel_dir)
        for pid, entry in table.items():
            if pid in found or entry.state == "Z":
                continue
            # A recorded pid counts only if it started with the run (a pid reused since does not).
            if (pid in recorded and root_start is not None and entry.start >= root_start) \
                    or _environ_names(pid, needle):
                found.add(pid)
    found.discard(os.getpid())
    return sorted(found)


def signal_tree(root: int, channel_dir: "Optional[str]", sig: int) -> "List[int]":
    """Send ``sig`` to every process of the program. The tree is frozen (SIGSTOP) while it is
    gathered, so that no process forks a child the search has passed, then signalled, then
    let go (a frozen process acts on anything but SIGKILL only once continued)."""
    frozen = []  # type: List[int]
    for _ in range(20):
        fresh = [p for p in program_processes(root, channel_dir) if p not in frozen]
        if not fresh:
            break
        for pid in fresh:
            _send(pid, _STOP)
            frozen.append(pid)
    if not frozen:
        _send(root, sig)  # no process table to read: the program itself, at least
    for pid in frozen:
        _send(pid, sig)
    if sig != _KILL:
        for pid in frozen:
            _send(pid, _CONT)
    return frozen


def _send(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass
