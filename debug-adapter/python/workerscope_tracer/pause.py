"""Pause protocol for the debug adapter: a failure (WORKERSCOPE_PAUSE=1) or a stop waits here.

The waiting thread serves request files ``<channel>/ctl/<pid>/<seq>.json`` (continue, a step,
``evaluate``, ``variables``, ``setVariable``: liveinspect.py answers the last three) with
records in its own ``<pid>.jsonl``. It sleeps on a FIFO doorbell ``ctl/<pid>/<id>.bell`` the
runtime rings after writing a request, so a request is served at once; the files stay the
authority (no bell: a poll every POLL_INTERVAL). It resumes when told, on a safety timeout,
or as soon as the channel directory disappears. Other workers keep running meanwhile. A
control file that is no request (not a regular file, too large, not a JSON object) is
removed and skipped: it never stops the requests after it from being served.
"""

import json
import os
import stat
import time
from _thread import get_ident
from types import FrameType

from . import channel, wire

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional, Set, Tuple

# The bell wakes a waiting thread at once; without one (no FIFO could be made) it looks for
# requests this often, and also notices this often that the channel has gone.
POLL_INTERVAL = 0.25
DEFAULT_TIMEOUT = 300.0
# A breakpoint's stop waits for the user as long as the session lasts (until ``continue`` or
# the channel is gone); a failure keeps its safety timeout.
NO_TIMEOUT = float("inf")
# A request is a command and an expression typed in the Debug Console: far below this.
MAX_REQUEST_BYTES = 1 << 20


# Threads waiting for the debugger now (their _thread.get_ident()): what the Debug Console
# makes them evaluate must not stop them again at a breakpoint (breakpoints.py).
waiting: "Set[int]" = set()


def _timeout() -> float:
    try:
        return float(os.environ.get("WORKERSCOPE_PAUSE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def ctl_dir(directory: str, pid: int) -> str:
    return os.path.join(directory, wire.CTL_DIR, str(pid))


def _seq_key(name: str) -> "Any":
    """Numeric order for the adapter's ``<seq>.json``, without int(): any name may be there,
    and ``²`` is a digit to isdigit() but not to int()."""
    stem = name[: -len(".json")]
    if stem.isascii() and stem.isdigit():
        digits = stem.lstrip("0") or "0"
        return (0, len(digits), digits, stem)
    return (1, 0, stem, stem)


def _read_request(path: str) -> "Tuple[str, Optional[Dict[str, Any]]]":
    """``("ok", request)``; ``("gone", None)`` if the file went away; ``("bad", None)`` if it
    is no request: not a regular file (a FIFO would block the read), too large, not UTF-8
    JSON, not an object.  The adapter writes a request whole and renames it into place, so
    a file that does not parse now never will."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return "gone", None
    except OSError:
        return "bad", None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "bad", None
        chunks: "List[bytes]" = []
        size = 0
        while size <= MAX_REQUEST_BYTES:
            chunk = os.read(fd, MAX_REQUEST_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return "bad", None
    finally:
        os.close(fd)
    if size > MAX_REQUEST_BYTES:
        return "bad", None
    try:
        request = json.loads(b"".join(chunks).decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return "bad", None
    return ("ok", request) if isinstance(request, dict) else ("bad", None)


def _discard(path: str, stuck: "Set[str]") -> None:
    """Removes a control file that is no request; one that cannot be removed is remembered,
    so it is not read again on every poll."""
    try:
        os.unlink(path)
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    try:
        os.rmdir(path)  # a directory named like a request
    except OSError:
        stuck.add(path)


class _Stop:
    """One wait: what it was paused for, its frames, and what its requests have made."""

    def __init__(self, stop_id: str, frames: "List[FrameType]", steppable: bool) -> None:
        self.id = stop_id
        self.frames = frames
        self.steppable = steppable
        self.stuck: "Set[str]" = set()
        self.refs: "Any" = None  # liveinspect.Refs, made by the first request that needs it


def _frame_index(value: "Any") -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return -1


def _answer(ch: "Any", stop: _Stop, cmd: str, request: "Dict[str, Any]", seq: str) -> None:
    """Answers an inspection request with its record; what the request's code raises is the
    answer's error, never the program's or the tracer's."""
    from . import liveinspect
    if stop.refs is None:
        stop.refs = liveinspect.Refs()
    index = _frame_index(request.get("frame", 0))
    request = dict(request, frame=index)
    if cmd == wire.CMD_EVALUATE:
        kind = wire.EVALUATE_RESULT
        fields: "Dict[str, Any]" = {"frame": index, "value": None, "type": None, "ref": 0}
    elif cmd == wire.CMD_VARIABLES:
        kind, fields = wire.VARIABLES_RESULT, {"variables": [], "total": 0}
    else:
        kind, fields = wire.SET_VARIABLE_RESULT, {"value": None, "type": None, "ref": 0}
    try:
        if cmd == wire.CMD_EVALUATE:
            context = request.get("context", "repl")
            if context not in liveinspect.CONTEXTS:
                raise liveinspect.InspectError("no evaluation context %r" % (context,))
            frame = liveinspect.frame_at(stop.frames, index)
            result = liveinspect.evaluate(frame, str(request.get("expression", "")), context, stop.refs)
        elif cmd == wire.CMD_VARIABLES:
            result = liveinspect.variables(stop.frames, request, stop.refs)
        else:
            result = liveinspect.set_variable(stop.frames, request, stop.refs)
        fields.update(result, ok=True, error=None)
    except BaseException as exc:  # noqa: B902 — the user's code may raise anything, SystemExit too
        fields.update(ok=False, error=liveinspect.describe_error(exc))
    ch.emit(kind, id=stop.id, seq=seq, **fields)


def _serve(ch: "Any", directory: str, stop: _Stop) -> "Optional[str]":
    """Serves the requests present now, in order; the command that resumes the thread
    ("continue", or a step command for a steppable stop), else None."""
    try:
        names = sorted((n for n in os.listdir(directory) if n.endswith(".json")), key=_seq_key)
    except OSError:
        return None
    for name in names:
        path = os.path.join(directory, name)
        if path in stop.stuck:
            continue
        status, request = _read_request(path)
        if status == "bad":
            _discard(path, stop.stuck)
        if request is None:
            continue
        target = request.get("id")
        if isinstance(target, str) and target != stop.id:
            continue  # for another paused thread of this process: left for it
        try:
            os.unlink(path)
        except OSError:
            pass
        cmd = request.get("cmd")
        if cmd in wire.INSPECT_COMMANDS:
            _answer(ch, stop, cmd, request, name[: -len(".json")])
        elif cmd == wire.CMD_CONTINUE:
            return wire.CMD_CONTINUE
        elif cmd in wire.STEP_COMMANDS:
            return cmd if stop.steppable else wire.CMD_CONTINUE
    return None


def _open_bell(path: str) -> "Optional[int]":
    """The stop's doorbell: a FIFO held open for reading and writing (so it never reads as
    closed and a ring never blocks the runtime); None where none can be made."""
    try:
        try:
            os.unlink(path)  # left by a process of the same pid before
        except FileNotFoundError:
            pass
        os.mkfifo(path, 0o600)
        fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, AttributeError):  # no FIFOs here: the fallback poll
        return None
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _close_bell(fd: "Optional[int]", path: str) -> None:
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        os.unlink(path)
    except OSError:
        pass


def _doze(bell: "Optional[int]", seconds: float) -> "Optional[int]":
    """Waits until the bell rings or ``seconds`` pass; drains the rings. Returns the bell, or
    None once it has failed (then it only sleeps). poll, not select: select cannot take a
    descriptor above 1023, which a program with many files open gives us."""
    if bell is None:
        time.sleep(seconds)
        return None
    import select
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(bell, select.POLLIN)
            ready = bool(poller.poll(max(0, int(seconds * 1000))))
        else:
            ready = bool(select.select([bell], [], [], seconds)[0])
    except (OSError, ValueError):
        time.sleep(seconds)
        return None
    while ready:
        try:
            ready = bool(os.read(bell, 512))
        except OSError:  # BlockingIOError: drained
            break
    return bell


def wait_for_debugger(failure_id: str, frames: "List[FrameType]",
                      timeout: "Optional[float]" = None, steppable: bool = False) -> str:
    """Serve requests until told to go on; returns the reason for resuming: "continue", a step
    command ("next", "stepIn", "stepOut": only for a ``steppable`` stop, which the caller then
    arms), "timeout" or "channel-gone". ``timeout``: seconds (WORKERSCOPE_PAUSE_TIMEOUT or
    DEFAULT_TIMEOUT when None; NO_TIMEOUT never ends)."""
    ch = channel.get()
    if ch is None:
        return "channel-gone"
    directory = ctl_dir(ch.directory, os.getpid())
    deadline = time.monotonic() + (_timeout() if timeout is None else timeout)
    # mkdir, not makedirs: if the channel directory is already gone, recreating it would keep
    # this worker waiting for a debugger that has left.  Created, with the bell, before
    # "paused" is announced, so requests sent in answer to it have somewhere to go.
    for part in (os.path.dirname(directory), directory):
        try:
            os.mkdir(part, 0o700)
        except FileExistsError:
            pass
        except OSError:
            break
    bell_path = os.path.join(directory, failure_id + wire.BELL_SUFFIX)
    bell = _open_bell(bell_path)
    ch.emit(wire.PAUSED, id=failure_id)
    reason = "timeout"
    stop = _Stop(failure_id, frames, steppable)
    ident = get_ident()
    nested = ident in waiting
    waiting.add(ident)
    try:
        while True:
            if not ch.alive():
                reason = "channel-gone"
                break
            command = _serve(ch, directory, stop)
            if command is not None:
                reason = command
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            bell = _doze(bell, min(POLL_INTERVAL, left))
    finally:
        if not nested:
            waiting.discard(ident)
        _close_bell(bell, bell_path)
        stop.refs = None  # the values shown during the stop are the program's again
    ch.emit(wire.RESUMED, id=failure_id, reason=reason)
    return reason
