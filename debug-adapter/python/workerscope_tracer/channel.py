"""Per-process append-only event file in the private channel directory, and the opt-in log of
the errors the tracer contains (``swallowed``).

Each ``os.write`` on the ``O_APPEND`` descriptor carries whole lines, one event each, so a
record survives the process being SIGKILLed right after.  Any failure disables the channel
for this process, saying so only in that log: tracing must never break, block or print.  The
program may close the descriptor (``os.closerange(3, ...)``) and get its number back for a
file of its own: before each write the descriptor is checked to still be our file (one
fstat), and one that is not is forgotten, never written to nor closed.
"""

import os
import time

from . import wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, Optional


# Not threading: a process that never imports it should not pay for it (_thread is loaded
# with the interpreter).
from _thread import allocate_lock as _new_lock


class Channel:
    """Lazily opened writer for ``<directory>/<pid>.jsonl``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        # Paths are formatted, not joined: a forked worker formats its own right after the
        # fork, where every page the code runs on is copied first (posixpath.join is many).
        self._prefix = os.path.join(directory, "")
        self.disabled = False
        self._fd = -1
        self._pid = -1
        self._ident = (-1, -1)  # (st_ino, st_dev) of the file _fd was opened on
        self._lock = _new_lock()

    def _owns(self, fd: int) -> bool:
        """Whether ``fd`` is still the descriptor we opened (not closed and reused by the program)."""
        try:
            st = os.fstat(fd)
        except OSError:
            return False
        return (st.st_ino, st.st_dev) == self._ident

    def reset_after_fork(self) -> None:
        # The inherited descriptor points at the parent's file; the child opens its own.
        # The lock may have been held by another thread of the parent at fork time.
        if self._fd >= 0 and self._owns(self._fd):
            try:
                os.close(self._fd)
            except OSError:
                pass
        self._fd = -1
        self._pid = -1
        self._lock = _new_lock()

    def path_for(self, pid: int, suffix: str = wire.EVENTS_SUFFIX) -> str:
        return "%s%d%s" % (self._prefix, pid, suffix)

    def _open(self) -> int:
        pid = os.getpid()
        fd = self._fd
        if fd >= 0 and self._pid == pid and self._owns(fd):
            return fd
        fd = os.open(self.path_for(pid),
                     os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        st = os.fstat(fd)
        self._fd, self._pid, self._ident = fd, pid, (st.st_ino, st.st_dev)
        return fd

    def open_now(self) -> None:
        """Open this process's file ahead of its first record (a parent about to fork does,
        so that the open is not among the work that runs after the fork)."""
        if self.disabled:
            return
        try:
            with self._lock:
                self._open()
        except Exception:
            self.disabled = True
            swallowed()

    def emit(self, kind: str, **fields: "Any") -> bool:
        """Write one event; returns False (and disables the channel) on any failure."""
        if self.disabled:
            return False
        try:
            line = encode_record(kind, fields, os.getpid())
        except Exception:
            self.disabled = True
            swallowed()
            return False
        return self.write(line)

    def write(self, data: bytes) -> bool:
        """Write encoded records (whole lines) in one write; False (and the channel disabled)
        on any failure."""
        if self.disabled:
            return False
        try:
            with self._lock:
                fd = self._open()
                written = os.write(fd, data)
            if written != len(data):
                raise OSError("short write")
            return True
        except Exception:
            self.disabled = True
            swallowed()
            return False

    def alive(self) -> bool:
        return not self.disabled and os.path.isdir(self.directory)


_channel: "Optional[Channel]" = None


def get() -> "Optional[Channel]":
    return _channel


def configure(directory: "Optional[str]") -> "Optional[Channel]":
    global _channel
    _channel = Channel(directory) if directory else None
    return _channel


def emit(kind: str, **fields: "Any") -> bool:
    ch = _channel
    if ch is None:
        return False
    return ch.emit(kind, **fields)


def write(data: bytes) -> bool:
    """Encoded records (whole lines) in one write."""
    ch = _channel
    if ch is None:
        return False
    return ch.write(data)


def swallowed() -> None:
    """The tracer contains its own errors so the program carries on; with
    ``WORKERSCOPE_TRACER_LOG=FILE`` each one is appended to FILE with its traceback, so a
    tracer bug is never invisible.  Called from an ``except`` block only (no cost otherwise);
    safe anywhere, even in a weakref callback at interpreter teardown."""
    try:
        path = os.environ.get("WORKERSCOPE_TRACER_LOG")
        if not path:
            return
        import traceback
        with open(path, "a") as f:
            f.write("workerscope tracer, pid %d: an error it contained\n%s"
                    % (os.getpid(), traceback.format_exc()))
    except Exception:  # the log itself failing must not reach the program either
        pass


def encode_record(kind: str, fields: "Dict[str, Any]", pid: int,
                  t: "Optional[float]" = None) -> bytes:
    """One event as the line written for it (``t`` defaults to now)."""
    event: "Dict[str, Any]" = {"v": wire.WIRE_VERSION, "kind": kind, "pid": pid,
                               "t": time.time() if t is None else t}
    event.update(fields)
    return wire.encode(event)
