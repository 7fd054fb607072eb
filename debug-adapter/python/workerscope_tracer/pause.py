"""Pause-at-failure protocol for the debug adapter (enabled by WORKERSCOPE_PAUSE=1).

The failing thread polls ``<channel>/ctl/<pid>/`` for request files ``<seq>.json``
(``evaluate`` or ``continue``), answers with ``evaluate-result`` events in its own
``<pid>.jsonl`` and resumes on ``continue``, on a safety timeout, or as soon as the
channel directory disappears. Other workers keep running meanwhile. A control file that
is no request (not a regular file, too large, not a JSON object) is removed and skipped:
it never stops the requests after it from being served.
"""

import json
import os
import stat
import time
from _thread import get_ident
from types import FrameType

from . import channel, wire
from .safe_repr import safe_repr

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional, Set, Tuple

POLL_INTERVAL = 0.02
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


def evaluate(frames: "List[FrameType]", index: int, expression: str) -> "Dict[str, Any]":
    if not 0 <= index < len(frames):
        return {"ok": False, "value": None, "error": "no frame %d" % index}
    frame = frames[index]
    try:
        value = eval(compile(expression, "<workerscope-evaluate>", "eval"),
                     frame.f_globals, dict(frame.f_locals))
        return {"ok": True, "value": safe_repr(value), "error": None}
    except BaseException as exc:  # the expression is arbitrary user input
        return {"ok": False, "value": None, "error": "%s: %s" % (type(exc).__name__, safe_repr(exc))}


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


def _serve(ch: "Any", directory: str, failure_id: str, frames: "List[FrameType]",
           stuck: "Set[str]", steppable: bool) -> "Optional[str]":
    """Serves the requests present now, in order; the command that resumes the thread
    ("continue", or a step command for a steppable stop), else None."""
    try:
        names = sorted((n for n in os.listdir(directory) if n.endswith(".json")), key=_seq_key)
    except OSError:
        return None
    for name in names:
        path = os.path.join(directory, name)
        if path in stuck:
            continue
        status, request = _read_request(path)
        if status == "bad":
            _discard(path, stuck)
        if request is None:
            continue
        target = request.get("id")
        if isinstance(target, str) and target != failure_id:
            continue  # for another paused thread of this process: left for it
        try:
            os.unlink(path)
        except OSError:
            pass
        cmd = request.get("cmd")
        if cmd == wire.CMD_EVALUATE:
            try:
                index = int(request.get("frame", 0))
            except (TypeError, ValueError, OverflowError):
                index = -1
            result = evaluate(frames, index, str(request.get("expression", "")))
            ch.emit(wire.EVALUATE_RESULT, id=failure_id, seq=name[: -len(".json")], frame=index,
                    **result)
        elif cmd == wire.CMD_CONTINUE:
            return wire.CMD_CONTINUE
        elif cmd in wire.STEP_COMMANDS:
            return cmd if steppable else wire.CMD_CONTINUE
    return None


def wait_for_debugger(failure_id: str, frames: "List[FrameType]",
                      timeout: "Optional[float]" = None, steppable: bool = False,
                      pid: "Optional[int]" = None) -> str:
    """Serve requests until told to go on; returns the reason for resuming: "continue", a step
    command ("next", "stepIn", "stepOut": only for a ``steppable`` stop, which the caller then
    arms), "timeout" or "channel-gone". ``timeout``: seconds (WORKERSCOPE_PAUSE_TIMEOUT or
    DEFAULT_TIMEOUT when None; NO_TIMEOUT never ends). ``pid``: whose requests to serve, when
    not this process's own: a parent holding on for a dead worker serves the requests the
    debugger sends to that worker (its failure's pid)."""
    ch = channel.get()
    if ch is None:
        return "channel-gone"
    directory = ctl_dir(ch.directory, os.getpid() if pid is None else pid)
    deadline = time.monotonic() + (_timeout() if timeout is None else timeout)
    # mkdir, not makedirs: if the channel directory is already gone, recreating it would keep
    # this worker waiting for a debugger that has left.  Created before "paused" is announced,
    # so requests sent in answer to it have somewhere to go.
    for part in (os.path.dirname(directory), directory):
        try:
            os.mkdir(part, 0o700)
        except FileExistsError:
            pass
        except OSError:
            break
    ch.emit(wire.PAUSED, id=failure_id)
    reason = "timeout"
    stuck: "Set[str]" = set()
    ident = get_ident()
    nested = ident in waiting
    waiting.add(ident)
    try:
        while time.monotonic() < deadline:
            if not ch.alive():
                reason = "channel-gone"
                break
            command = _serve(ch, directory, failure_id, frames, stuck, steppable)
            if command is not None:
                reason = command
                break
            time.sleep(POLL_INTERVAL)
    finally:
        if not nested:
            waiting.discard(ident)
    ch.emit(wire.RESUMED, id=failure_id, reason=reason)
    return reason
