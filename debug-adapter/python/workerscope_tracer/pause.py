"""Pause-at-failure protocol for the debug adapter (enabled by WORKERSCOPE_PAUSE=1).

The failing thread polls ``<channel>/ctl/<pid>/`` for request files ``<seq>.json``
(``evaluate`` or ``continue``), answers with ``evaluate-result`` events in its own
``<pid>.jsonl`` and resumes on ``continue``, on a safety timeout, or as soon as the
channel directory disappears. Other workers keep running meanwhile.
"""

import json
import os
import time
from types import FrameType

from . import channel, wire
from .safe_repr import safe_repr

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at startup in every traced process
    from typing import Any, Dict, List, Optional

POLL_INTERVAL = 0.02
DEFAULT_TIMEOUT = 300.0


def _timeout() -> float:
    try:
        return float(os.environ.get("WORKERSCOPE_PAUSE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def ctl_dir(directory: str, pid: int) -> str:
    return os.path.join(directory, wire.CTL_DIR, str(pid))


def _seq_key(name: str) -> "Any":
    stem = name[: -len(".json")]
    return (0, int(stem), "") if stem.isdigit() else (1, 0, stem)


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


def _read_request(path: str) -> "Optional[Dict[str, Any]]":
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
        return data if isinstance(data, dict) else {}
    except ValueError:
        return None  # probably half-written: retry on the next poll
    except OSError:
        return {}


def wait_for_debugger(failure_id: str, frames: "List[FrameType]",
                      timeout: "Optional[float]" = None) -> str:
    """Serve requests until told to continue; returns the reason for resuming."""
    ch = channel.get()
    if ch is None:
        return "channel-gone"
    directory = ctl_dir(ch.directory, os.getpid())
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
    while time.monotonic() < deadline:
        if not ch.alive():
            reason = "channel-gone"
            break
        try:
            names = sorted((n for n in os.listdir(directory) if n.endswith(".json")), key=_seq_key)
        except OSError:
            names = []
        resumed = False
        for name in names:
            path = os.path.join(directory, name)
            request = _read_request(path)
            if request is None:
                break
            try:
                os.unlink(path)
            except OSError:
                pass
            cmd = request.get("cmd")
            seq = name[: -len(".json")]
            if cmd == wire.CMD_EVALUATE:
                try:
                    index = int(request.get("frame", 0))
                except (TypeError, ValueError):
                    index = -1
                result = evaluate(frames, index, str(request.get("expression", "")))
                ch.emit(wire.EVALUATE_RESULT, id=failure_id, seq=seq, frame=index, **result)
            elif cmd == wire.CMD_CONTINUE:
                reason = "continue"
                resumed = True
                break
        if resumed:
            break
        time.sleep(POLL_INTERVAL)
    ch.emit(wire.RESUMED, id=failure_id, reason=reason)
    return reason
