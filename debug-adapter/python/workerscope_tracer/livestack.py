"""Live stacks of running workers: each worker dumps all its threads into ``<pid>.stack`` when
it receives LIVE_STACK_SIGNAL (faulthandler, in C, so a worker stuck in a loop or a blocking
call still answers); the supervisor asks only processes that catch the signal."""

import os
import time

try:  # the C module: "signal" itself imports enum
    import _signal as signal
except ImportError:  # pragma: no cover
    import signal  # type: ignore[no-redef]

from . import wire

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, List, Optional

_fd: "Optional[int]" = None  # this process's stack file (a forked child replaces its parent's)
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)


def signum() -> "Optional[int]":
    low, high = getattr(signal, "SIGRTMIN", None), getattr(signal, "SIGRTMAX", None)
    if low is None or high is None or low + wire.LIVE_STACK_OFFSET > high:
        return None
    return low + wire.LIVE_STACK_OFFSET


def register(ch: "Any") -> None:
    """In a worker: dump on the signal into its own file.  Not chained: the signal's default
    action ends a process, and a program's own handler for it is left alone (not registered).
    O_APPEND: the supervisor empties the file before each request."""
    global _fd
    sig = signum()
    if ch is None or sig is None or signal.getsignal(sig) not in (signal.SIG_DFL, None):
        return
    import faulthandler
    fd = os.open(ch.path_for(os.getpid(), wire.STACK_SUFFIX), _FLAGS, 0o600)
    try:
        faulthandler.register(sig, file=fd, all_threads=True, chain=False)
    except Exception:
        os.close(fd)
        raise
    old, _fd = _fd, fd
    if old is not None:  # inherited from the parent this process was forked from
        try:
            os.close(old)
        except OSError:
            pass


def catches(pid: int, sig: int) -> bool:
    """Whether ``pid`` has a handler for ``sig`` (SigCgt in /proc): the signal's default
    action would end any other process."""
    try:
        with open("/proc/%d/status" % pid, "rb") as f:
            for line in f:
                if line.startswith(b"SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except (OSError, ValueError, IndexError):
        pass
    return False


def dump_all(directory: str, pids: "Iterable[int]", timeout: float = 1.0
             ) -> "Dict[int, List[Dict[str, Any]]]":
    """Live frames of the task thread of each of ``pids`` ([] for one that cannot answer:
    gone, stopped, or not registered), asking them all at once and polling their files
    until each dump has stopped growing or the deadline passes."""
    sig = signum()
    asked: "Dict[int, str]" = {}
    out: "Dict[int, List[Dict[str, Any]]]" = {}
    for pid in pids:
        out[pid] = []
        path = os.path.join(directory, "%d%s" % (pid, wire.STACK_SUFFIX))
        if sig is None or not catches(pid, sig):
            continue
        try:
            os.truncate(path, 0)
            os.kill(pid, sig)
        except OSError:
            continue
        asked[pid] = path
    sizes: "Dict[int, int]" = {}
    deadline = time.monotonic() + timeout
    while asked and time.monotonic() < deadline:
        time.sleep(0.02)
        for pid, path in list(asked.items()):
            try:
                size = os.path.getsize(path)
            except OSError:
                del asked[pid]
                continue
            if size and sizes.get(pid) == size:  # unchanged over one poll: written
                out[pid] = _read(path)
                del asked[pid]
            sizes[pid] = size
    for pid, path in asked.items():  # partial dumps still say something
        out[pid] = _read(path)
    return out


def _read(path: str) -> "List[Dict[str, Any]]":
    from .frames import parse_live_dump
    try:
        with open(path, "r", errors="replace") as f:
            return parse_live_dump(f.read())
    except OSError:
        return []
